"""The property compiler: spec formulas and built-in checks -> `ir.Property`.

Stage: internal to `podcheck.model` (the last step of `compile.compile_spec`).
Consumes the spec's `PropertyDecl`s and `Expect`s and the compiled `Cluster` (+ PDB
`Budget`s); produces `ir.Property` values and PC3xx diagnostics.

State formulas expand over the finite model: `forall p in pods(web): B` is the
conjunction over web's slots of `exists -> B` (NOTE(quantify-existing): quantifiers
and `count` range over the pods that exist; a slot whose pod is absent is not in
`pods`), `nodes` over every node, `containers(p)` / `initContainers(p)` over p's
template.  Enum literals take the encoding of the field they are compared with
(`spec.POD_FIELDS` etc. order).  Temporal shapes: P and `always P` -> ALWAYS,
`eventually P` -> EVENTUALLY, `always eventually P` -> ALWAYS_EVENTUALLY,
`P ~> Q` and `always (P implies eventually Q)` -> LEADS_TO.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from podcheck import ir, spec
from podcheck.diagnostics import Diagnostic, Severity, Span, codes
from podcheck.model.age import AGE_FIELD, age_ms
from podcheck.model.budget_checks import always_available, budget_respected
from podcheck.model.budgets import Budget
from podcheck.model.cluster import (
    NODE_CORDONED,
    NODE_DOWN,
    PHASES,
    Cluster,
    NodeSlot,
    Slot,
)
from podcheck.model.crash_loop import no_container_looping
from podcheck.model.desired import all_ready, workloads_named
from podcheck.model.job import job_complete, job_field
from podcheck.model.observables import (
    REASONS,
    missing_container,
    never_produced,
    pod_reason,
    updated,
)
from podcheck.vocab import NodeState, words

_TEMPORAL = {
    "always": ir.Expectation.ALWAYS,
    "eventually": ir.Expectation.EVENTUALLY,
    "always_eventually": ir.Expectation.ALWAYS_EVENTUALLY,
}
SHAPE = codes.UNSUPPORTED_PROPERTY_SHAPE  # every formula the model cannot express
_ARITH = {"+": "+", "-": "-", "*": "*"}
_CMP = ("==", "!=", "<", "<=", ">", ">=")


class PropertyError(Exception):
    """A formula the model cannot express; becomes a PC3xx diagnostic."""

    def __init__(self, code: str, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.span = code, message, span


@dataclass(frozen=True, slots=True)
class Value:
    """A compiled sub-expression and, for enum- or node-valued fields, its vocabulary."""

    expr: ir.Expr
    vocab: tuple[str, ...] | str | None = None


@dataclass(frozen=True, slots=True)
class Binding:
    """What a name stands for: a pod slot, a node, a container of a slot, or a Job."""

    slot: Slot | None = None
    node: NodeSlot | None = None
    container: str | None = None
    job: spec.Workload | None = None


@dataclass(slots=True)
class PropertyCompiler:
    """Compiles formulas against one cluster; `deadlock_free` is supplied by the caller
    (it needs every action's guard)."""

    cluster: Cluster
    budgets: list[Budget]
    deadlock_free: Callable[[], ir.Expr]
    # Property name -> "its time bound was missed" (model/timed.py), for `within`.
    bounds_missed: dict[str, ir.Expr] = field(default_factory=dict)
    # Every declared action (FailedScheduling reads the scheduler's bind guards).
    actions: Callable[[], Sequence[ir.Action]] = tuple
    # `elapsed` in milliseconds (model/timed.py), None when no formula reads it.
    elapsed: ir.Expr | None = None

    def compile_all(
        self, decls: tuple[spec.PropertyDecl, ...], expects: tuple[spec.Expect, ...]
    ) -> tuple[list[ir.Property], list[Diagnostic]]:
        """Every declared property, with `expected` from the spec's `expect` lines."""
        expected = {e.property: e.outcome for e in expects}
        out: list[ir.Property] = []
        diags: list[Diagnostic] = []
        for d in decls:
            try:
                out.append(self.compile(d, expected.get(d.name)))
            except PropertyError as err:
                diags.append(Diagnostic(err.code, Severity.ERROR, err.message, err.span or d.span))
        return out, diags

    def compile(self, d: spec.PropertyDecl, expected: str | None) -> ir.Property:
        """One property declaration."""
        if d.builtin is not None:
            exp, cond, target, text = self.builtin(d)
            return ir.Property(d.name, exp, cond, target, text, expected, d.span)
        assert d.formula is not None
        missed = self.bounds_missed.get(d.name)  # `within`: an observer's invariant
        exp, cond, target = ((ALWAYS, ir.not_(missed), None) if missed is not None
                             else self.temporal(d.formula))
        return ir.Property(d.name, exp, cond, target, "", expected, d.span)

    # ---------------------------------------------------------------- temporal
    def temporal(self, f: spec.Expr) -> tuple[ir.Expectation, ir.Expr, ir.Expr | None]:
        """The temporal shape of a top-level formula."""
        if not isinstance(f, spec.Temporal):
            return ir.Expectation.ALWAYS, self.state(f), None
        if f.op == "leadsto":
            return ir.Expectation.LEADS_TO, self.state(f.args[0]), self.state(f.args[1])
        inner = f.args[0]
        if f.op == "always" and isinstance(inner, spec.Temporal) and inner.op == "eventually":
            return ir.Expectation.ALWAYS_EVENTUALLY, self.state(inner.args[0]), None
        if (f.op == "always" and isinstance(inner, spec.Binary) and inner.op == "implies"
                and isinstance(inner.right, spec.Temporal) and inner.right.op == "eventually"):
            return (ir.Expectation.LEADS_TO, self.state(inner.left),
                    self.state(inner.right.args[0]))
        if f.op in _TEMPORAL:
            return _TEMPORAL[f.op], self.state(inner), None
        raise PropertyError(SHAPE, f"unsupported temporal operator `{f.op}`", f.span)

    def state(self, f: spec.Expr) -> ir.Expr:
        """A temporal-free formula as an IR boolean."""
        return self.value(f, {}).expr

    # ---------------------------------------------------------------- expressions
    def value(self, f: spec.Expr, env: dict[str, Binding]) -> Value:
        """Compile `f` under the bound variables `env`."""
        match f:
            case spec.IntLit(v):
                return Value(ir.Const(v))
            case spec.BoolLit(v):
                return Value(ir.Const(int(v)))
            case spec.DurationLit(ms):
                return Value(ir.Const(ms))
            case spec.Elapsed():
                assert self.elapsed is not None, "declare_elapsed runs before compile"
                return Value(self.elapsed)
            case spec.EnumLit(name):
                raise PropertyError(SHAPE, f"`{name}` must be compared with a field",
                                    f.span)
            case spec.Ref():
                return self._ref_value(f, env)
            case spec.ContainerOf():
                raise PropertyError(SHAPE, "a container is not a value: use a field", f.span)
            case spec.Attr():
                return self.attr(f, env)
            case spec.Unary(op="not", arg=a):
                return Value(ir.not_(self.value(a, env).expr))
            case spec.Unary(op="-", arg=a):
                return Value(ir.op("neg", self.value(a, env).expr))
            case spec.Binary():
                return self.binary(f, env)
            case spec.Quant():
                parts = [self._guarded(f.kind, g, self.value(f.body, {**env, f.var: b}).expr)
                         for g, b in self.domain(f.domain, env)]
                combine = ir.and_ if f.kind == "forall" else ir.or_
                return Value(combine(*parts))
            case spec.Count():
                conds = [ir.and_(g, self.value(f.where, {**env, f.var: b}).expr
                                 if f.where is not None else ir.TRUE)
                         for g, b in self.domain(f.domain, env)]
                return Value(ir.count(*conds))
        raise PropertyError(SHAPE, "temporal operators may only appear at the top of a "
                            "property", getattr(f, "span", None))

    @staticmethod
    def _guarded(kind: str, guard: ir.Expr, body: ir.Expr) -> ir.Expr:
        if guard == ir.TRUE:
            return body
        if kind == "forall":
            return ir.or_(ir.not_(guard), body)
        return ir.and_(guard, body)

    def binary(self, f: spec.Binary, env: dict[str, Binding]) -> Value:
        """Arithmetic, comparisons (enum literals resolved by the other side), logic."""
        if f.op in _CMP:
            left, right = self._operand(f.left, f.right, env), self._operand(f.right, f.left, env)
            return Value(ir.op(f.op, left, right))
        a, b = self.value(f.left, env).expr, self.value(f.right, env).expr
        if f.op in _ARITH:
            return Value(ir.op(_ARITH[f.op], a, b))
        if f.op == "and":
            return Value(ir.and_(a, b))
        if f.op == "or":
            return Value(ir.or_(a, b))
        if f.op == "implies":
            return Value(ir.or_(ir.not_(a), b))
        raise PropertyError(SHAPE, f"unknown operator `{f.op}`", f.span)

    def _operand(self, f: spec.Expr, other: spec.Expr, env: dict[str, Binding]) -> ir.Expr:
        if not isinstance(f, spec.EnumLit):
            return self.value(f, env).expr
        vocab = self.value(other, env).vocab
        if vocab == REASONS and (why := never_produced(f.name)):
            raise PropertyError(SHAPE, why, f.span)
        if not isinstance(vocab, tuple) or f.name not in vocab:
            raise PropertyError(SHAPE, f"state `{f.name}` cannot be compared with this "
                                "field", f.span)
        return ir.Const(vocab.index(f.name))

    def _ref_value(self, f: spec.Ref, env: dict[str, Binding]) -> Value:
        b = self.binding(f, env)
        if b.node is not None:
            return Value(ir.Const(b.node.index), "node")
        raise PropertyError(SHAPE, f"`{f.name}` is not a value; use one of its fields",
                            f.span)

    def binding(self, f: spec.Ref, env: dict[str, Binding]) -> Binding:
        """A bound variable, a pod slot by name, or a node by name."""
        if f.name in env:
            return env[f.name]
        for s in self.cluster.slots:
            if s.name == f.name:
                return Binding(slot=s)
        for n in self.cluster.nodes:
            if n.name == f.name:
                return Binding(node=n)
        for w in self.cluster.spec.workloads:
            if w.name == f.name and w.kind is spec.WorkloadKind.JOB:
                return Binding(job=w)
        raise PropertyError(SHAPE, f"`{f.name}` names no pod, Job or node of the model",
                            f.span)

    def domain(self, d: spec.Domain, env: dict[str, Binding]) -> list[tuple[ir.Expr, Binding]]:
        """(existence guard, binding) for each element of a quantifier domain."""
        c = self.cluster
        if d.kind == "pods":
            slots = c.slots if d.of is None else c.slots_of(d.of)
            return [(s.exists, Binding(slot=s)) for s in slots]
        if d.kind == "nodes":
            return [(ir.TRUE, Binding(node=n)) for n in c.nodes]
        owner = env.get(d.of or "")
        if owner is None or owner.slot is None:
            raise PropertyError(SHAPE, f"`{d.kind}({d.of})` needs a pod variable", d.span)
        t = owner.slot.workload.template
        group = t.initContainers if d.kind == "initContainers" else t.containers
        return [(ir.TRUE, Binding(slot=owner.slot, container=x.name)) for x in group]

    def container_of(self, f: spec.ContainerOf, env: dict[str, Binding]) -> Binding:
        """`p.container(app)`: the named app or init container of a pod (PC302 if the pod's
        template has none of that name)."""
        owner = self.binding(f.obj, env) if isinstance(f.obj, spec.Ref) else Binding()
        if owner.slot is None or owner.container is not None:
            raise PropertyError(SHAPE, "`.container(...)` needs a pod", f.span)
        problem = missing_container(owner.slot, f.name)
        if problem:
            raise PropertyError(SHAPE, problem, f.span)
        return Binding(slot=owner.slot, container=f.name)

    def attr(self, f: spec.Attr, env: dict[str, Binding]) -> Value:
        """`obj.field` on a pod, container or node (a pod's `.node` is node-valued)."""
        if isinstance(f.obj, spec.Ref):
            b = self.binding(f.obj, env)
        elif isinstance(f.obj, spec.ContainerOf):
            b = self.container_of(f.obj, env)
        else:
            inner = self.value(f.obj, env)
            if inner.vocab != "node":
                raise PropertyError(SHAPE, f"`.{f.field}` of this value", f.span)
            return self._dynamic_node(inner.expr, f)
        if b.container is not None:
            assert b.slot is not None
            vocab = spec.CONTAINER_FIELDS.get(f.field)
            return Value(b.slot.model.container_field(b.container, f.field),
                         tuple(vocab) if isinstance(vocab, tuple) else None)
        if b.node is not None:
            return self.node_field(b.node, f)
        if b.job is not None:
            if f.field not in spec.JOB_FIELDS:
                raise PropertyError(SHAPE, f"unknown Job field `{f.field}`", f.span)
            return Value(*job_field(self.cluster, b.job, f.field))
        assert b.slot is not None
        return self.pod_field(b.slot, f)

    def pod_field(self, s: Slot, f: spec.Attr) -> Value:
        """A pod field (spec.POD_FIELDS) of slot `s`."""
        c, name = self.cluster, f.field
        simple: dict[str, Callable[[], ir.Expr]] = {
            "phase": lambda: c.phase(s),
            "ready": lambda: c.ready(s),
            "scheduled": lambda: c.bound(s),
            "nodeLost": lambda: c.node_lost(s),
            "exists": lambda: s.exists,
            "terminating": lambda: c.terminating(s),  # NOTE(graceful-deletion)
            # the DisruptionTarget condition: evicted through the eviction API, still listed
            "disrupted": lambda: ir.and_(s.exists, s.evicted if s.evicted is not None
                                         else ir.FALSE),
            "initialized": lambda: ir.and_(s.exists, s.model.initialized),
            "updated": lambda: updated(c, s),
        }
        if name in simple:
            return Value(simple[name](), PHASES if name == "phase" else None)
        if name == "node":
            return Value(s.node, "node")
        if name == "reason":
            return Value(pod_reason(c, s, self.actions()), REASONS)
        if name == AGE_FIELD:
            assert s.age is not None, "the age is tracked when a property reads it"
            return Value(age_ms(c.builder.vars[s.age.index].hi, s.age))
        tracked = {"uid": s.uid, "evicted": s.evicted, "endpoint": s.endpoint}
        if name in tracked:
            var = tracked[name]
            assert var is not None, f"{name} is tracked only when a property reads it"
            return Value(var)
        return Value(s.model.pod_field(name))

    def node_field(self, n: NodeSlot, f: spec.Attr) -> Value:
        """A node field (spec.NODE_FIELDS)."""
        if f.field == "state":
            return Value(self.cluster.node_state(n), NODE_STATES)
        if f.field == "pods":
            return Value(ir.count(*(self.cluster.on_node(s, n) for s in self.cluster.slots)))
        raise PropertyError(SHAPE, f"unknown node field `{f.field}`", f.span)

    def _dynamic_node(self, which: ir.Expr, f: spec.Attr) -> Value:
        vals = [(n, self.node_field(n, f)) for n in self.cluster.nodes]
        expr: ir.Expr = ir.Const(0)
        for n, v in vals:
            expr = ir.ite(ir.eq(which, n.index), v.expr, expr)
        return Value(expr, vals[0][1].vocab if vals else None)

    # ---------------------------------------------------------------- built-ins
    def builtin(self, d: spec.PropertyDecl) -> tuple[ir.Expectation, ir.Expr, ir.Expr | None,
                                                     str]:
        """A built-in check (spec.BUILTIN_CHECKS) as a formula over the model."""
        name, c = d.builtin, self.cluster
        text = spec.BUILTIN_CHECKS.get(name or "", "")
        if name == "init-order":
            return ALWAYS, ir.and_(*(ir.or_(ir.not_(s.exists), s.model.init_order_ok)
                                     for s in c.slots)), None, text
        if name == "budget-respected":
            return ALWAYS, budget_respected(c, self.budgets, d.args), None, text
        if name == "always-available":
            return ALWAYS, always_available(c, self.budgets, d.args), None, text
        if name == "drain-completes":
            return (ir.Expectation.LEADS_TO, ir.or_(*(cordoned(n) for n in self._drained())),
                    ir.and_(*(ir.or_(ir.not_(cordoned(n)), self._drained_empty(n))
                              for n in self._drained())), text)
        if name == "eventually-ready":
            return ir.Expectation.ALWAYS_EVENTUALLY, all_ready(c, d.args), None, text
        if name == "no-crash-loop":
            return ir.Expectation.ALWAYS_EVENTUALLY, no_container_looping(c), None, text
        if name == "job-completes":
            jobs = workloads_named(c, d.args, (spec.WorkloadKind.JOB,))
            return (ir.Expectation.EVENTUALLY, ir.and_(*(job_complete(c, w) for w in jobs)),
                    None, text)
        if name == "recovers-after-failure":
            down = ir.or_(*(ir.eq(n.state, NODE_DOWN) for n in c.nodes))
            return ir.Expectation.LEADS_TO, down, all_ready(c, d.args), text
        if name == "no-unready-traffic":
            bad = [ir.and_(s.exists, s.endpoint, ir.not_(c.ready(s)))
                   for s in c.slots if s.endpoint is not None]
            return ALWAYS, ir.not_(ir.or_(*bad)), None, text
        if name == "no-deadlock":
            return ALWAYS, self.deadlock_free(), None, text
        if name == "rollout-progresses":  # NOTE(progress-deadline)
            from podcheck.model.progress import never_timed_out  # progress reads timed
            return ALWAYS, never_timed_out(c, d.args), None, text
        raise PropertyError(SHAPE, f"unknown built-in check `{name}`", d.span)

    def _drained(self) -> list[NodeSlot]:
        env = self.cluster.spec.environment
        return [n for n in self.cluster.nodes if n.name in env.drain]

    def _drained_empty(self, n: NodeSlot) -> ir.Expr:
        """No pod the drain waits for (one it evicts or refuses, model/drain.py) is
        bound to `n`."""
        return ir.not_(self.cluster.drain_pending.get(n.index, ir.FALSE))


ALWAYS = ir.Expectation.ALWAYS
NODE_STATES = words(NodeState)  # spec.NODE_FIELDS["state"]


def cordoned(n: NodeSlot) -> ir.Expr:
    """The node is cordoned by a drain that has not finished."""
    return ir.eq(n.state, NODE_CORDONED)
