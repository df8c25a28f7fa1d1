"""The builder the model compiler uses to lay out state variables and declare actions.

Stage: internal to `podcheck.model`.  Model components (kubelet, cluster, properties)
declare their variables and actions on one `Builder`; `Builder.build` freezes them into
an `ir.TransitionSystem`.  Components never see each other's internals: they exchange
`ir.Expr` values (e.g. "pod web-1 is Ready") and update lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcheck import ir
from podcheck.diagnostics import Span
from podcheck.vocab import ActionKind, Actor


@dataclass(slots=True)
class Builder:
    """Collects variables (with initial values), actions and properties."""

    name: str
    source: str = ""
    vars: list[ir.StateVar] = field(default_factory=list)
    initial: list[int] = field(default_factory=list)
    actions: list[ir.Action] = field(default_factory=list)
    properties: list[ir.Property] = field(default_factory=list)
    terminal: list[ir.Expr] = field(default_factory=list)
    derived: list[ir.Derived] = field(default_factory=list)
    # The spec's fairness overrides, keyed by action class or actor (see `action`).
    overrides: dict[str, ir.Fairness] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # of `vars`: one set lookup per new one

    def var(
        self,
        name: str,
        lo: int,
        hi: int,
        init: int,
        *,
        labels: tuple[str, ...] = (),
        owner: str = "",
        field_name: str = "",
    ) -> ir.Var:
        """Declare a state variable with domain lo..hi and its initial value."""
        assert name not in self.names, f"duplicate variable {name}"
        self.names.add(name)
        assert lo <= init <= hi, (name, init)
        self.vars.append(ir.StateVar(name, lo, hi, labels, owner, field_name or name))
        self.initial.append(init)
        return ir.Var(len(self.vars) - 1)

    def enum_var(
        self,
        name: str,
        labels: tuple[str, ...],
        init: str,
        *,
        owner: str = "",
        field_name: str = "",
    ) -> ir.Var:
        """Declare a variable ranging over `labels` (values 0..len-1)."""
        return self.var(
            name,
            0,
            len(labels) - 1,
            labels.index(init),
            labels=labels,
            owner=owner,
            field_name=field_name,
        )

    def bool_var(
        self, name: str, init: bool = False, *, owner: str = "", field_name: str = ""
    ) -> ir.Var:
        """Declare a 0/1 variable."""
        return self.var(name, 0, 1, int(init), owner=owner, field_name=field_name)

    def action(
        self,
        name: ActionKind,
        params: tuple[tuple[str, str], ...],
        guard: ir.Expr,
        updates: list[tuple[ir.Var, ir.Expr | int]] | tuple[tuple[ir.Var, ir.Expr | int], ...],
        label: str,
        actor: Actor,
        fairness: ir.Fairness = ir.Fairness.WEAK,
        span: Span | None = None,
    ) -> None:
        """Declare an action; updates are (variable, new value) pairs, simultaneous.

        Its fairness is `overrides[name]` if the spec overrides its action class, else
        `overrides[actor]` if it overrides its actor, else `fairness`.
        """
        ups = tuple((v.index, ir.Const(e) if isinstance(e, int) else e) for v, e in updates)
        fair = self.overrides.get(str(name), self.overrides.get(str(actor), fairness))
        self.actions.append(
            ir.Action(str(name), params, guard, ups, label, str(actor), fair, span))

    def build(self) -> ir.TransitionSystem:
        """Freeze everything declared so far into a transition system."""
        return ir.TransitionSystem(
            name=self.name,
            vars=tuple(self.vars),
            init=(tuple(self.initial),),
            actions=tuple(self.actions),
            properties=tuple(self.properties),
            terminal=ir.and_(*self.terminal) if self.terminal else ir.FALSE,
            source=self.source,
            derived=tuple(self.derived),
        )
