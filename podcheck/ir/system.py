"""The transition system: state layout, actions, properties and display-only views.

Stage: produced by `podcheck.model` from a checked spec; consumed by `podcheck.engine` and
`podcheck.report`.  Nothing here knows about Kubernetes, and it imports nothing of
podcheck outside `podcheck.ir`.

A state is a tuple of ints, one per `StateVar`.  An `Action` is a guarded, simultaneous
assignment: every right-hand side is evaluated in the pre-state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from podcheck.ir.expr import FALSE, Expr, State


class Location(Protocol):
    """Where in a source file something comes from (`podcheck.diagnostics.Span` is one)."""

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class Fairness(enum.StrEnum):
    """How an action class is assumed to be scheduled when checking liveness."""

    NONE = "none"  # the environment: never forced to act
    WEAK = "weak"  # continuously enabled -> eventually taken
    STRONG = "strong"  # enabled infinitely often -> eventually taken


class Expectation(enum.Enum):
    """What a property claims (stateright's vocabulary plus the temporal forms)."""

    ALWAYS = "always"  # invariant: condition holds in every reachable state
    SOMETIMES = "sometimes"  # some reachable state satisfies condition
    EVENTUALLY = "eventually"  # every fair run reaches a state satisfying condition
    ALWAYS_EVENTUALLY = "always eventually"  # ... infinitely often
    LEADS_TO = "leads to"  # every condition-state is followed by a target-state


@dataclass(frozen=True, slots=True)
class StateVar:
    """One slot of the state tuple.

    `labels`, when given, names each value from `lo` upwards (enumerations such as a
    container state); `owner` groups variables for display ("pod web-1"); `field` is
    the name shown next to the owner ("phase").
    """

    name: str
    lo: int
    hi: int
    labels: tuple[str, ...] = ()
    owner: str = ""
    field: str = ""

    def __post_init__(self) -> None:
        assert self.lo <= self.hi, self.name
        assert not self.labels or len(self.labels) == self.hi - self.lo + 1, self.name

    def show(self, value: int) -> str:
        """The value as a user reads it (its label, or the integer)."""
        if self.labels and self.lo <= value <= self.hi:
            return self.labels[value - self.lo]
        return str(value)


@dataclass(frozen=True, slots=True)
class Action:
    """A named, guarded, simultaneous update: one thing an actor of the cluster does.

    `name` is the action class ("start_init"), `params` its arguments
    (("pod", "web-1"), ("container", "migrate")), `label` the sentence a trace shows
    ("the kubelet starts init container `migrate` of pod web-1"), `actor` who does it
    ("kubelet", "replicaset-controller", "eviction-api", "environment", ...), and
    `span` the spec line that enables it.
    """

    name: str
    params: tuple[tuple[str, str], ...]
    guard: Expr
    updates: tuple[tuple[int, Expr], ...]
    label: str
    actor: str
    fairness: Fairness = Fairness.WEAK
    span: Location | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        targets = [i for i, _ in self.updates]
        assert len(targets) == len(set(targets)), f"{self.name}: variable assigned twice"


@dataclass(frozen=True, slots=True)
class Property:
    """A named claim about the system.

    For `LEADS_TO`, `condition ~> target`; for every other expectation `target` is None.
    `expected` is what the spec says the verdict should be ("holds" / "violated"), if it
    says anything.
    """

    name: str
    expectation: Expectation
    condition: Expr
    target: Expr | None = None
    description: str = ""
    expected: str | None = None
    span: Location | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        assert (self.target is not None) == (self.expectation is Expectation.LEADS_TO)


@dataclass(frozen=True, slots=True)
class Derived:
    """A value computed from the state for people to read (a pod's phase, its Ready
    condition), shown in traces and graphs next to the variables of `owner`.  Never part
    of the state: engines ignore it."""

    owner: str
    field: str
    expr: Expr
    labels: tuple[str, ...] = ()

    def show(self, value: int) -> str:
        """The value as a user reads it (its label, or the integer)."""
        if self.labels and 0 <= value < len(self.labels):
            return self.labels[value]
        return str(value)


@dataclass(frozen=True, slots=True)
class SymmetryGroup:
    """A claim by the producer that some blocks of variables are interchangeable.

    `blocks` lists, per member (a pod slot, a node), its variable indices in
    corresponding order: every block has the same length and position `j` of each block
    holds the same kind of variable.  The claim is that permuting the members (moving
    the values of block `i` to block `pi(i)`) maps the system onto itself.  Variables in
    `references` hold a member's number (`base + i` names member `i`, other values name
    none): a permutation renames their values too (a pod's `node`).  Engines verify the
    claim (`podcheck.engine.symmetry`) before they use it.

    `first_free` (position in a block of a boolean "member in use" variable, e.g. a pod
    slot's `exists`) says the producer fills the lowest free member first: an action
    whose guard holds `not used_i` and `used_j` for every `j < i` is read, for the claim,
    as guarded by `not used_i` alone, which is sound when a free member's variables hold
    `vacant` (one value per block position; engines check that this is an invariant).
    """

    name: str
    blocks: tuple[tuple[int, ...], ...]
    references: tuple[int, ...] = ()
    base: int = 1
    first_free: int | None = None
    vacant: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        assert len({len(b) for b in self.blocks}) <= 1, f"{self.name}: unequal blocks"
        flat = [i for b in self.blocks for i in b]
        assert len(flat) == len(set(flat)), f"{self.name}: a variable in two blocks"
        assert not set(flat) & set(self.references), f"{self.name}: a reference in a block"
        width = len(self.blocks[0]) if self.blocks else 0
        assert self.first_free is None or (
            0 <= self.first_free < width and len(self.vacant) == width
            and not self.references), f"{self.name}: first_free needs vacant, no references"


@dataclass(frozen=True, slots=True)
class TransitionSystem:
    """A complete model: layout, initial states, actions, properties.

    `terminal` holds in states where having no successor is expected (every pod has
    reached a terminal phase, ...); a state with no enabled action that is not
    terminal is a deadlock.  `derived` are display-only values (see `Derived`).
    """

    name: str
    vars: tuple[StateVar, ...]
    init: tuple[State, ...]
    actions: tuple[Action, ...]
    properties: tuple[Property, ...]
    terminal: Expr = FALSE
    source: str = ""
    derived: tuple[Derived, ...] = ()
    symmetry: tuple[SymmetryGroup, ...] = ()

    def __post_init__(self) -> None:
        for s in self.init:
            assert len(s) == len(self.vars), "initial state does not match the layout"
