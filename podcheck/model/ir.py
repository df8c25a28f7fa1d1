"""The transition-system IR: the one description of a model that every engine reads.

Stage: produced by `podcheck.model` (from a checked spec), consumed by `podcheck.engine`
(the BFS engine compiles it to Python, the Z3 engine encodes it, the liveness checker
walks the graph BFS builds).  Nothing here knows about Kubernetes.

A state is a tuple of ints, one per `StateVar` (the layout table holds the names, so a
state carries none).  Booleans are 0/1.  An `Action` is a guarded, simultaneous
assignment: every right-hand side is evaluated in the pre-state.  Expressions are a
tiny integer language (`Const`, `Var`, `Op`) so the same guard can be compiled to
Python and encoded for Z3 without a second hand-written copy of the semantics.

`evaluate` / `successors` below are the reference semantics: slow, obviously right,
and used by tests to check the fast engines.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from podcheck.diagnostics import Span

State = tuple[int, ...]

# NOTE(ir-ops): the operator table is closed.  Adding an operator means adding it to
# `evaluate` here, to the Python compiler (engine/pycompile.py) and to the Z3 encoder
# (engine/smt.py); tests/model/test_ir.py checks the first two agree on every operator.
ARITY: dict[str, int | None] = {
    "+": None,  # n-ary sum
    "*": 2,
    "-": 2,
    "neg": 1,
    "//": 2,  # floor division, divisor must be > 0
    "%": 2,  # modulo, divisor must be > 0
    "min": None,
    "max": None,
    "==": 2,
    "!=": 2,
    "<": 2,
    "<=": 2,
    ">": 2,
    ">=": 2,
    "and": None,
    "or": None,
    "not": 1,
    "ite": 3,  # if-then-else: (cond, then, else)
}


@dataclass(frozen=True, slots=True)
class Const:
    """An integer literal (booleans are 0 and 1)."""

    value: int


@dataclass(frozen=True, slots=True)
class Var:
    """The current value of state variable number `index` (see `TransitionSystem.vars`)."""

    index: int


@dataclass(frozen=True, slots=True)
class Op:
    """An operator from `ARITY` applied to argument expressions."""

    op: str
    args: tuple[Expr, ...]

    def __post_init__(self) -> None:
        assert self.op in ARITY, f"unknown IR operator {self.op!r}"
        arity = ARITY[self.op]
        assert arity is None or len(self.args) == arity, (self.op, len(self.args))
        assert arity is not None or len(self.args) >= 1, self.op


Expr = Const | Var | Op

TRUE = Const(1)
FALSE = Const(0)


def op(name: str, *args: Expr | int) -> Expr:
    """Build `Op(name, args)`, wrapping plain ints as `Const`."""
    return Op(name, tuple(Const(a) if isinstance(a, int) else a for a in args))


def and_(*args: Expr) -> Expr:
    """Conjunction; the empty conjunction is `TRUE`, a single conjunct is itself."""
    parts = tuple(a for a in args if a != TRUE)
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else Op("and", parts)


def or_(*args: Expr) -> Expr:
    """Disjunction; the empty disjunction is `FALSE`, a single disjunct is itself."""
    parts = tuple(a for a in args if a != FALSE)
    if not parts:
        return FALSE
    return parts[0] if len(parts) == 1 else Op("or", parts)


def not_(arg: Expr) -> Expr:
    """Negation."""
    return Op("not", (arg,))


def eq(a: Expr | int, b: Expr | int) -> Expr:
    """`a == b`."""
    return op("==", a, b)


def ite(cond: Expr, then: Expr | int, other: Expr | int) -> Expr:
    """If `cond` then `then` else `other`."""
    return op("ite", cond, then, other)


def sum_(*args: Expr) -> Expr:
    """Sum of the arguments (0 for none)."""
    if not args:
        return Const(0)
    return args[0] if len(args) == 1 else Op("+", tuple(args))


def count(*conds: Expr) -> Expr:
    """How many of the boolean conditions hold."""
    return sum_(*(ite(c, 1, 0) for c in conds))


class Fairness(enum.Enum):
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
    span: Span | None = field(default=None, compare=False)

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
    span: Span | None = field(default=None, compare=False)

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

    def __post_init__(self) -> None:
        for s in self.init:
            assert len(s) == len(self.vars), "initial state does not match the layout"

    def var_index(self, name: str) -> int:
        """The index of the variable called `name`."""
        for i, v in enumerate(self.vars):
            if v.name == name:
                return i
        raise KeyError(name)


class ModelError(Exception):
    """An update drove a variable outside its declared domain: a bug in the model."""


def evaluate(expr: Expr, state: Sequence[int]) -> int:
    """The value of `expr` in `state` (reference semantics; booleans are 0/1)."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Var):
        return state[expr.index]
    name, args = expr.op, expr.args
    if name == "and":
        return int(all(evaluate(a, state) for a in args))
    if name == "or":
        return int(any(evaluate(a, state) for a in args))
    if name == "ite":
        branch = args[1] if evaluate(args[0], state) else args[2]
        return evaluate(branch, state)
    vals = [evaluate(a, state) for a in args]
    return _apply_op(name, vals)


def _apply_op(name: str, vals: list[int]) -> int:
    match name:
        case "+":
            return sum(vals)
        case "*":
            return vals[0] * vals[1]
        case "-":
            return vals[0] - vals[1]
        case "neg":
            return -vals[0]
        case "//":
            return vals[0] // vals[1]
        case "%":
            return vals[0] % vals[1]
        case "min":
            return min(vals)
        case "max":
            return max(vals)
        case "not":
            return int(not vals[0])
    comparisons = {
        "==": vals[0] == vals[1],
        "!=": vals[0] != vals[1],
        "<": vals[0] < vals[1],
        "<=": vals[0] <= vals[1],
        ">": vals[0] > vals[1],
        ">=": vals[0] >= vals[1],
    }
    return int(comparisons[name])


def apply(system: TransitionSystem, action: Action, state: State) -> State:
    """The successor of `state` under `action` (its guard is assumed to hold)."""
    out = list(state)
    for index, rhs in action.updates:
        value = evaluate(rhs, state)
        var = system.vars[index]
        if not var.lo <= value <= var.hi:
            raise ModelError(
                f"{action.label}: {var.name} = {value} is outside {var.lo}..{var.hi}"
            )
        out[index] = value
    return tuple(out)


def successors(system: TransitionSystem, state: State) -> Iterator[tuple[int, State]]:
    """Every `(action index, next state)` enabled in `state`, in action order."""
    for i, action in enumerate(system.actions):
        if evaluate(action.guard, state):
            yield i, apply(system, action, state)
