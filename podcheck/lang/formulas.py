"""Property formulas: name resolution, fields, types and temporal shape.

Stage: part of `podcheck.lang.check`.  Consumes a formula (`podcheck.spec.Expr` as the
parser built it, every bare name a `Ref`) and the declared names it may mention;
produces the normalised, resolved formula — always a `Temporal` at the top (`always P`,
`eventually P`, `always_eventually P`, `leadsto (P, Q)`), each name that denotes a state
turned into an `EnumLit` — or None, appending diagnostics: PC108 unbound names, PC109
wrong kinds, PC105 unknown workloads, PC204 state names, PC210 temporal shapes, PC211
operand types, PC212 object fields.

NOTE(name-scopes): a bare name is looked up in scopes, innermost first: the variables
bound by enclosing quantifiers and `count`s, then the declared objects that are values
(bare pods, Jobs and nodes), then the state names (`ENUMS`).  A name that none of these
binds, compared with `==` / `!=` to a field that takes states, is read as one of that
field's states (`p.phase == Running`; PC204 when it is not one); a state name anywhere
else is a type error (PC211).  So a pod named `Ready` is the pod in `Ready.phase` and in
`n.state == Ready`, and `Ready` is a node state only where no pod or node has the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from podcheck.diagnostics import Diagnostic, Note, codes
from podcheck.lang import messages as m
from podcheck.spec import (
    BOUNDED_TEMPORAL,
    CONTAINER_FIELDS,
    ENUMS,
    JOB_FIELDS,
    NODE_FIELDS,
    POD_FIELDS,
    Attr,
    Binary,
    BoolLit,
    ContainerOf,
    Count,
    Domain,
    DurationLit,
    Elapsed,
    EnumLit,
    Expr,
    IntLit,
    Quant,
    Ref,
    Temporal,
    Unary,
)

Out = list[Diagnostic]

_TABLES: Mapping[str, Mapping[str, object]] = {
    "pod": POD_FIELDS,
    "container": CONTAINER_FIELDS,
    "node": NODE_FIELDS,
    "job": JOB_FIELDS,
}
_ARITH = ("+", "-", "*")
_ORDER = ("<", "<=", ">", ">=")
_EQUALITY = ("==", "!=")
_LOGIC = ("and", "or", "implies")
_TEMPORAL_WORDS = {"always": "always", "eventually": "eventually",
                   "always_eventually": "always eventually", "leadsto": "~>"}


@dataclass(frozen=True, slots=True)
class Ty:
    """A formula type: bool, int, pod, container, node, or an enum with its states."""

    kind: str
    states: tuple[str, ...] = ()
    label: str = ""  # `container state` for enums

    def words(self) -> str:
        """`an int`, `a pod`, `a container state`."""
        name = self.label or self.kind
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


BOOL, INT, POD, CONTAINER, NODE, JOB, DURATION = (
    Ty(k) for k in ("bool", "int", "pod", "container", "node", "job", "duration"))
_OBJECTS = {"pod": POD, "container": CONTAINER, "node": NODE}
_NAMED_WORKLOADS = {"pod": POD, "job": JOB, "cronjob": JOB}  # what a bare name denotes


@dataclass(frozen=True, slots=True)
class Names:
    """What a formula may mention besides bound variables."""

    workloads: Mapping[str, str]  # name -> block kind (deployment, job, pod, ...)
    nodes: tuple[str, ...]


def check_formula(formula: Expr, names: Names, out: Out) -> Temporal | None:
    """The formula checked, normalised to a top-level `Temporal` and with its state
    names resolved to `EnumLit` (NOTE(name-scopes)), or None after diagnostics."""
    before = len(out)
    shaped = _shape(formula, out)
    if shaped is None:
        return None
    checker = _Checker(names, out)
    for arg in shaped.args:
        checker.need(arg, BOOL, {}, "a property")
    if len(out) > before:
        return None
    resolved = _resolve(shaped, checker.states)
    assert isinstance(resolved, Temporal)
    return resolved


def _resolve(e: Expr, states: set[int]) -> Expr:
    """`e` with every `Ref` whose id is in `states` replaced by the `EnumLit` it denotes."""
    if isinstance(e, Ref):
        return EnumLit(e.name, e.span) if id(e) in states else e
    if isinstance(e, Attr | ContainerOf):
        return replace(e, obj=_resolve(e.obj, states))
    if isinstance(e, Unary):
        return replace(e, arg=_resolve(e.arg, states))
    if isinstance(e, Binary):
        return replace(e, left=_resolve(e.left, states), right=_resolve(e.right, states))
    if isinstance(e, Quant):
        return replace(e, body=_resolve(e.body, states))
    if isinstance(e, Count):
        return e if e.where is None else replace(e, where=_resolve(e.where, states))
    if isinstance(e, Temporal):
        return replace(e, args=tuple(_resolve(a, states) for a in e.args))
    return e


def _temporal_free(e: Expr) -> bool:
    if isinstance(e, Temporal):
        return False
    return all(_temporal_free(c) for c in _children(e))


def _children(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, Attr | ContainerOf):
        return (e.obj,)
    if isinstance(e, Unary):
        return (e.arg,)
    if isinstance(e, Binary):
        return (e.left, e.right)
    if isinstance(e, Quant):
        return (e.body,)
    if isinstance(e, Count):
        return () if e.where is None else (e.where,)
    if isinstance(e, Temporal):
        return e.args
    return ()


def _shape(f: Expr, out: Out) -> Temporal | None:
    shaped = _unbounded_shape(f, out)
    within = f.within if isinstance(f, Temporal) else None
    if shaped is None or within is None:
        return shaped
    if shaped.op not in BOUNDED_TEMPORAL:
        word = _TEMPORAL_WORDS.get(shaped.op, shaped.op)
        out.append(m.error(
            codes.UNSUPPORTED_TEMPORAL_SHAPE,
            f"`within` bounds `eventually` or `~>`, not `{word}`", f.span,
            help="write `eventually P within D` or `P ~> Q within D`"))
        return None
    return replace(shaped, within=within)


def _unbounded_shape(f: Expr, out: Out) -> Temporal | None:
    if not isinstance(f, Temporal):
        return Temporal("always", (f,), span=f.span) if _free(f, f, out) else None
    if f.op in ("eventually", "always_eventually"):
        return f if _free(f.args[0], f, out) else None
    if f.op == "leadsto":
        return f if all(_free(a, f, out) for a in f.args) else None
    body = f.args[0]
    if isinstance(body, Temporal) and body.op == "eventually":
        inner = body.args[0]
        return Temporal("always_eventually", (inner,), f.span) if _free(inner, f, out) else None
    if _leads_to_shape(body):
        assert isinstance(body, Binary) and isinstance(body.right, Temporal)
        p, q = body.left, body.right.args[0]
        return Temporal("leadsto", (p, q), f.span) if _free(q, f, out) else None
    return f if _free(body, f, out) else None


def _leads_to_shape(body: Expr) -> bool:
    return (
        isinstance(body, Binary)
        and body.op == "implies"
        and _temporal_free(body.left)
        and isinstance(body.right, Temporal)
        and body.right.op == "eventually"
    )


def _free(e: Expr, top: Expr, out: Out) -> bool:
    nested = _first_temporal(e)
    if nested is None:
        return True
    word = _TEMPORAL_WORDS.get(nested.op, nested.op)
    out.append(
        m.error(
            codes.UNSUPPORTED_TEMPORAL_SHAPE,
            f"unsupported temporal formula: `{word}` nested inside another formula",
            nested.span,
            help="supported shapes are P, `always P`, `eventually P`, `always eventually P`, "
            "`P ~> Q` and `always (P implies eventually Q)`, with P and Q temporal-free",
            notes=(Note("in this property", top.span),) if top is not e else (),
        )
    )
    return False


def _first_temporal(e: Expr) -> Temporal | None:
    if isinstance(e, Temporal):
        return e
    for child in _children(e):
        found = _first_temporal(child)
        if found is not None:
            return found
    return None


Env = Mapping[str, Ty]


@dataclass(frozen=True, slots=True)
class _Checker:
    """Infers types over one formula.  `states` collects the ids of the `Ref` nodes
    that resolved to a state name (the formula tree is alive while it is checked)."""

    names: Names
    out: Out
    states: set[int] = field(default_factory=set)

    def need(self, e: Expr, want: Ty, env: Env, context: str) -> None:
        """Infer `e` and report PC211 unless it has type `want`."""
        got = self.infer(e, env)
        if got is not None and got.kind != want.kind:
            self._mismatch(e, f"{context} needs {want.words()}, found {got.words()}")

    def _mismatch(self, e: Expr, message: str) -> None:
        self.out.append(m.error(codes.FORMULA_TYPE_MISMATCH, message, e.span))

    def infer(self, e: Expr, env: Env) -> Ty | None:
        """The type of `e`, or None after reporting why it has none."""
        if isinstance(e, IntLit):
            return INT
        if isinstance(e, BoolLit):
            return BOOL
        if isinstance(e, DurationLit | Elapsed):
            return DURATION
        if isinstance(e, EnumLit):
            self._mismatch(e, f"state `{e.name}` can only be compared with a field")
            return None
        if isinstance(e, Ref):
            free = not self._bound(e, env) and e.name not in self.names.workloads
            if free and e.name in ENUMS:
                self._mismatch(e, f"state `{e.name}` can only be compared with a field")
                return None
            return self._ref(e, env)
        if isinstance(e, Attr):
            return self._attr(e, env)
        if isinstance(e, ContainerOf):
            self.need(e.obj, POD, env, "`.container(...)`")
            return CONTAINER
        if isinstance(e, Unary):
            want = BOOL if e.op == "not" else INT
            self.need(e.arg, want, env, f"`{e.op}`")
            return want
        if isinstance(e, Binary):
            return self._binary(e, env)
        if isinstance(e, Quant | Count):
            return self._binder(e, env)
        assert isinstance(e, Temporal)
        _free(e, e, self.out)
        return None

    def _bound(self, e: Ref, env: Env) -> bool:
        """True when `e` names a bound variable or a declared object (NOTE(name-scopes))."""
        return e.name in env or self._global(e.name) is not None

    def _global(self, name: str) -> Ty | None:
        if name in self.names.nodes:
            return NODE
        return _NAMED_WORKLOADS.get(self.names.workloads.get(name, ""))

    def _ref(self, e: Ref, env: Env) -> Ty | None:
        found = env.get(e.name) or self._global(e.name)
        if found is not None:
            return found
        if e.name in self.names.workloads:
            message = (f"`{e.name}` is a {self.names.workloads[e.name]}, not a pod, a job "
                       "or a node")
            self.out.append(m.error(codes.WRONG_KIND_REFERENCE, message, e.span,
                                    help=f"quantify over its pods: `pods({e.name})`"))
            return None
        candidates = list(env) + list(self.names.nodes)
        self.out.append(m.error(codes.UNBOUND_NAME, f"unknown name `{e.name}`", e.span,
                                help=m.did_you_mean(e.name, candidates)))
        return None

    def _attr(self, e: Attr, env: Env) -> Ty | None:
        obj = self.infer(e.obj, env)
        if obj is None:
            return None
        table = _TABLES.get(obj.kind)
        if table is None:
            self._mismatch(e, f"`.{e.field}` needs a pod, a container, a node or a job, "
                              f"found {obj.words()}")
            return None
        kind = table.get(e.field)
        if kind is None:
            self.out.append(
                m.error(codes.UNKNOWN_OBJECT_FIELD, f"{obj.kind}s have no field `{e.field}`",
                        e.span, help=m.did_you_mean(e.field, table),
                        notes=(Note(f"{obj.kind} fields are {m.backticked(table)}"),))
            )
            return None
        if isinstance(kind, tuple):
            label = f"{obj.kind} {e.field}"
            return Ty("enum:" + label, tuple(kind), label)
        return _OBJECTS.get(str(kind)) or Ty(str(kind))

    def _binary(self, e: Binary, env: Env) -> Ty | None:
        """Logic on bools, arithmetic on ints, ordering on two ints or two durations."""
        if e.op in _EQUALITY:
            return self._equality(e, env)
        sides = [(x, self.infer(x, env)) for x in (e.left, e.right)]
        timed = e.op in _ORDER and any(t == DURATION for _, t in sides)
        want = BOOL if e.op in _LOGIC else DURATION if timed else INT
        for x, got in sides:
            if got is not None and got.kind != want.kind:
                self._mismatch(x, f"`{e.op}` needs {want.words()}, found {got.words()}")
        return INT if e.op in _ARITH else BOOL

    def _equality(self, e: Binary, env: Env) -> Ty | None:
        for side, other in ((e.left, e.right), (e.right, e.left)):
            if isinstance(side, EnumLit) or (isinstance(side, Ref) and not self._bound(side, env)):
                other_ty = self.infer(other, env)
                if other_ty is not None:
                    self._state(side, other_ty, env)
                return BOOL
        left, right = self.infer(e.left, env), self.infer(e.right, env)
        if left is not None and right is not None and left.kind != right.kind:
            self._mismatch(e, f"`{e.op}` compares {left.words()} with {right.words()}")
        return BOOL

    def _state(self, side: Ref | EnumLit, other: Ty, env: Env) -> None:
        """`side`, an unbound name, as a state of the field `other` (NOTE(name-scopes))."""
        name = side.name
        known = name in ENUMS
        if not other.states:
            if known:
                self._mismatch(side, f"cannot compare {other.words()} with state `{name}`")
            else:
                assert isinstance(side, Ref)
                self._ref(side, env)
            return
        if name in other.states:
            self.states.add(id(side))
            return
        message = (f"`{name}` is not a {other.label}" if known
                   else f"unknown {other.label} `{name}`")
        self.out.append(
            m.error(codes.UNKNOWN_STATE_NAME, message, side.span,
                    help=m.did_you_mean(name, other.states),
                    notes=(Note(f"{other.label}s are {m.backticked(other.states)}"),))
        )

    def _binder(self, e: Quant | Count, env: Env) -> Ty | None:
        elem = self._domain(e.domain, env)
        inner = dict(env)
        if elem is not None:
            inner[e.var] = elem
        if isinstance(e, Quant):
            if elem is not None:
                self.need(e.body, BOOL, inner, f"the body of `{e.kind}`")
            return BOOL
        if e.where is not None and elem is not None:
            self.need(e.where, BOOL, inner, "`where`")
        return INT

    def _domain(self, d: Domain, env: Env) -> Ty | None:
        if d.kind == "nodes":
            return NODE
        if d.kind == "pods":
            if d.of is not None and d.of not in self.names.workloads:
                self.out.append(m.unknown_reference("workload", d.of, d.span,
                                                    self.names.workloads))
                return None
            return POD
        owner = self._ref(Ref(d.of or "", d.span), env)
        if owner is not None and owner.kind != "pod":
            self.out.append(m.error(codes.WRONG_KIND_REFERENCE, f"`{d.kind}({d.of})` needs a pod, "
                                    f"found {owner.words()}", d.span))
            return None
        return CONTAINER if owner is not None else None

