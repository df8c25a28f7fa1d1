"""The one module that talks to Z3: IR expressions, states and transitions as formulas.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem`; produces Z3 formulas for
its expressions, one copy of the state per step (with each variable's domain), the
initial states, the transition relation (one disjunct per action: guard and frame), and
answers to queries as `Verdict`s.  `bmc.py`, `kind.py` and `pdr.py` use this API and
never import z3.

NOTE(query-verdict): every query asks "is there a bad state?".  `sat` is
`Verdict.VIOLATED` (with the model), `unsat` is `Verdict.HOLDS`, anything else is
`Verdict.UNKNOWN` with Z3's reason.  `Session.check` is the single call site of
`Solver.check`; `prove_by_chc` the single call site of `Fixedpoint.query`; both map
their answer through `_verdict`.

Values are Z3 integers (IR booleans are 0/1, converted where an integer is needed);
`//` and `%` are Z3's Euclidean `div` and `mod`, equal to Python's for the positive
divisors the IR allows (tests/engine/test_smt.py).  Other symbolic constants (a
parameter range): `Encoder.constant`, passed to `Encoder.formula` through `extra`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

import z3

from podcheck import ir
from podcheck.engine.result import Verdict
from podcheck.engine.smt_values import TIMEOUT, ChcOutcome, Deadline
from podcheck.ir import Const, Expr, State, TransitionSystem, Var

__all__ = ["TIMEOUT", "ChcOutcome", "Deadline", "Encoder", "Outcome", "Session", "StateCopy",
           "check_invariant", "prove_by_chc", "state_of", "states_of", "value_of"]

UNBOUNDED = 2**32 - 1  # Z3's "no limit" for an unsigned parameter
Formula = z3.BoolRef
Term = z3.ArithRef
Model = z3.ModelRef


def _verdict(answer: z3.CheckSatResult) -> Verdict:
    if answer == z3.sat:
        return Verdict.VIOLATED
    if answer == z3.unsat:
        return Verdict.HOLDS
    return Verdict.UNKNOWN


@dataclass(frozen=True, slots=True)
class StateCopy:
    """The state at one step: one Z3 integer per state variable, and their domains."""

    terms: tuple[Term, ...]
    domain: Formula


class Encoder:
    """Encodes the expressions, states and actions of one system in a Z3 context."""

    def __init__(self, system: TransitionSystem) -> None:
        self.system = system
        self.ctx = z3.Context()
        self._memo: dict[int, tuple[StateCopy, dict[int, tuple[Expr, z3.ExprRef]]]] = {}

    def true(self) -> Formula:
        """The formula `true`."""
        return z3.BoolVal(True, self.ctx)

    def constant(self, name: str, lo: int, hi: int) -> tuple[Term, Formula]:
        """A fresh symbolic integer `name` and its range `lo <= name <= hi`."""
        c = z3.Int(name, self.ctx)
        return c, z3.And(c >= lo, c <= hi)

    def state(self, tag: str) -> StateCopy:
        """A fresh copy of the state, its variables named `<var>@<tag>`."""
        vs = self.system.vars
        terms = tuple(z3.Int(f"{v.name}@{tag}", self.ctx) for v in vs)
        bounds = [z3.And(t >= v.lo, t <= v.hi) for t, v in zip(terms, vs, strict=True)]
        return StateCopy(terms, z3.And(bounds) if bounds else self.true())

    def formula(self, expr: Expr, state: StateCopy, extra: Mapping[int, Term] | None = None
                ) -> Formula:  # fmt: skip
        """`expr` read as a condition (non-zero is true) in `state`; `extra` maps variable
        indices beyond the layout to symbolic constants."""
        return _as_bool(self._enc(expr, state, extra or {}))

    def term(self, expr: Expr, state: StateCopy, extra: Mapping[int, Term] | None = None) -> Term:
        """`expr` read as an integer in `state`."""
        return _as_int(self._enc(expr, state, extra or {}), self.ctx)

    def init(self, state: StateCopy) -> Formula:
        """`state` is one of the system's initial states."""
        options = [z3.And([t == v for t, v in zip(state.terms, s, strict=True)])
                   for s in self.system.init]  # fmt: skip
        return z3.Or(options) if options else z3.BoolVal(False, self.ctx)

    def action(self, index: int, pre: StateCopy, post: StateCopy) -> Formula:
        """Action `index` is enabled in `pre` and leads to `post` (frame included)."""
        act = self.system.actions[index]
        updated = dict(act.updates)
        parts = [self.formula(act.guard, pre)]
        for i, (before, after) in enumerate(zip(pre.terms, post.terms, strict=True)):
            rhs = updated.get(i)
            parts.append(after == (before if rhs is None else self.term(rhs, pre)))
        return z3.And(parts)

    def transition(self, pre: StateCopy, post: StateCopy) -> Formula:
        """Some action leads from `pre` to `post`."""
        steps = [self.action(i, pre, post) for i in range(len(self.system.actions))]
        return z3.Or(steps) if steps else z3.BoolVal(False, self.ctx)

    def deadlock(self, state: StateCopy) -> Formula:
        """No action is enabled in `state` and it is not terminal."""
        enabled = [self.formula(a.guard, state) for a in self.system.actions]
        return z3.And(z3.Not(z3.Or(enabled)) if enabled else self.true(),
                      z3.Not(self.formula(self.system.terminal, state)))  # fmt: skip

    def any_of(self, formulas: Sequence[Formula]) -> Formula:
        """The disjunction of `formulas` (false for none)."""
        return z3.Or(list(formulas)) if formulas else z3.BoolVal(False, self.ctx)

    def negate(self, formula: Formula) -> Formula:
        """`not formula`."""
        return z3.Not(formula)

    def all_of(self, formulas: Sequence[Formula]) -> Formula:
        """The conjunction of `formulas` (true for none)."""
        return z3.And([self.true(), *formulas])

    def flag(self, name: str) -> Formula:
        """A fresh boolean constant `name` (an assumption that names a part)."""
        return z3.Bool(name, self.ctx)

    def implies(self, a: Formula, b: Formula) -> Formula:
        """`a -> b`."""
        return z3.Implies(a, b)

    def differ(self, a: StateCopy, b: StateCopy) -> Formula:
        """The two states are not the same state."""
        diff = [x != y for x, y in zip(a.terms, b.terms, strict=True)]
        return z3.Or(diff) if diff else z3.BoolVal(False, self.ctx)

    def _enc(self, expr: Expr, state: StateCopy, extra: Mapping[int, Term]) -> z3.ExprRef:
        # Memoised by object identity: the system's expressions are shared DAGs, and
        # hashing a frozen dataclass walks the whole tree.  The entry keeps `expr` alive
        # (and the state) alive so that their ids are not reused.
        memo = self._memo.setdefault(id(state), (state, {}))[1]
        hit = memo.get(id(expr))
        if hit is not None and not extra:
            return hit[1]
        if isinstance(expr, Const):
            out: z3.ExprRef = z3.IntVal(expr.value, self.ctx)
        elif isinstance(expr, Var):
            out = state.terms[expr.index] if expr.index < len(state.terms) else extra[expr.index]
        else:
            out = _encode_op(expr.op, [self._enc(a, state, extra) for a in expr.args], self.ctx)
        if not extra:
            memo[id(expr)] = (expr, out)
        return out


def _as_bool(x: z3.ExprRef) -> Formula:
    return cast(Formula, x) if z3.is_bool(x) else cast(Term, x) != 0


def _as_int(x: z3.ExprRef, ctx: z3.Context) -> Term:
    if z3.is_bool(x):
        return z3.If(cast(Formula, x), z3.IntVal(1, ctx), z3.IntVal(0, ctx))
    return cast(Term, x)


_COMPARE: Mapping[str, Callable[[Term, Term], Formula]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


def _encode_op(name: str, args: list[z3.ExprRef], ctx: z3.Context) -> z3.ExprRef:
    if name in ("and", "or", "not"):
        bools = [_as_bool(a) for a in args]
        if name == "not":
            return z3.Not(bools[0])
        return z3.And(bools) if name == "and" else z3.Or(bools)
    if name == "ite":
        cond = _as_bool(args[0])
        if z3.is_bool(args[1]) and z3.is_bool(args[2]):
            return z3.If(cond, _as_bool(args[1]), _as_bool(args[2]))
        return z3.If(cond, _as_int(args[1], ctx), _as_int(args[2], ctx))
    ints = [_as_int(a, ctx) for a in args]
    if name in _COMPARE:
        return _COMPARE[name](ints[0], ints[1])
    return _arith(name, ints)


_BINARY: Mapping[str, Callable[[Term, Term], Term]] = {
    "*": operator.mul, "-": operator.sub, "//": operator.truediv, "%": operator.mod}


def _arith(name: str, ints: list[Term]) -> Term:
    a = ints[0]
    if name == "+":
        return z3.Sum(ints) if len(ints) > 1 else a
    if name == "neg":
        return -a
    if name in _BINARY:  # `//` and `%`: Euclidean = floor for a positive divisor
        return _BINARY[name](a, ints[1])
    assert name in ("min", "max"), name
    out = a
    for b in ints[1:]:
        out = z3.If(out <= b, out, b) if name == "min" else z3.If(out >= b, out, b)
    return out


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to one query (see NOTE(query-verdict)); `model` only when VIOLATED."""

    verdict: Verdict
    reason: str = ""
    model: Model | None = None


class Session:
    """A Z3 solver over one encoder, with scopes and the single `check` call site."""

    def __init__(self, encoder: Encoder, deadline: Deadline | None = None) -> None:
        self.encoder = encoder
        self.deadline = deadline or Deadline()
        self._solver = z3.Solver(ctx=encoder.ctx)
        self._solver.set("core.minimize", True)  # `core` (asked only with assumptions)

    def add(self, *formulas: Formula) -> None:
        """Assert `formulas` in the current scope."""
        self._solver.add(*formulas)

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Assertions made inside the `with` block are retracted at its end."""
        self._solver.push()
        try:
            yield
        finally:
            self._solver.pop()

    def check(self, *assumptions: Formula) -> Outcome:
        """Is there a model of the assertions and `assumptions`? (NOTE(query-verdict))."""
        if self.deadline.expired():
            return Outcome(Verdict.UNKNOWN, TIMEOUT)
        left, effort = self.deadline.remaining_ms(), self.deadline.effort  # effort 0: no cap
        self._solver.set(timeout=left or UNBOUNDED, rlimit=effort)
        verdict = _verdict(self._solver.check(*assumptions))
        if verdict is Verdict.UNKNOWN:
            return Outcome(verdict, self.deadline.said(self._solver.reason_unknown()))
        model = self._solver.model() if verdict is Verdict.VIOLATED else None
        return Outcome(verdict, "", model)

    def core(self) -> list[Formula]:
        """The assumptions of the last `check` (unsat) that its answer needed."""
        return list(self._solver.unsat_core())


def state_of(model: Model, state: StateCopy) -> State:
    """The concrete state `model` gives to `state` (unconstrained variables read 0)."""
    return tuple(value_of(model, t) for t in state.terms)


def prove_by_chc(system: TransitionSystem, bad: Expr, deadline: Deadline,
                 lemma: Expr = ir.TRUE, effort: int = 0) -> ChcOutcome:  # fmt: skip
    """Is a state satisfying `bad` reachable?  Asked to Spacer as Horn clauses:
    init(x) -> inv(x); inv(x), L(x), step(x, y) -> inv(y); inv(x), L(x), bad(x) -> false,
    where `lemma` L holds in every reachable state (proved inductive by the caller);
    `effort` caps Z3's resource count (0: no cap), unlike time the same on every machine.
    VIOLATED: reachable; HOLDS: not, with Spacer's `inv` (inductive together with L)."""
    enc = Encoder(system)
    ctx, pre, post = enc.ctx, enc.state("pre"), enc.state("post")
    ints = [z3.IntSort(ctx)] * len(system.vars)
    inv = z3.Function("inv", *ints, z3.BoolSort(ctx))
    goal = z3.Function("goal", z3.BoolSort(ctx))
    fp = z3.Fixedpoint(ctx=ctx)
    fp.set(engine="spacer", rlimit=effort)  # Z3's resource units (0: none): deterministic
    fp.register_relation(inv, goal)
    fp.declare_var(*pre.terms, *post.terms)
    fp.rule(inv(*pre.terms), [enc.init(pre)])
    known = enc.formula(lemma, pre)
    fp.rule(inv(*post.terms), [inv(*pre.terms), known, enc.transition(pre, post), post.domain])
    fp.rule(goal(), [inv(*pre.terms), known, enc.formula(bad, pre)])
    if deadline.expired():  # NOTE(split-deadline): the encoding took the rest of the time
        return ChcOutcome(Verdict.UNKNOWN, TIMEOUT)
    fp.set(timeout=deadline.remaining_ms() or UNBOUNDED)  # from the time left now
    try:
        verdict = _verdict(fp.query(goal()))
    except z3.Z3Exception as err:  # Spacer reports its timeout as an exception
        return ChcOutcome(Verdict.UNKNOWN, deadline.said(str(err.value, "utf-8", "replace")))
    if verdict is not Verdict.HOLDS:
        said = "" if verdict is Verdict.VIOLATED else deadline.said(fp.reason_unknown())
        return ChcOutcome(verdict, said)
    cover = z3.substitute_vars(fp.get_cover_delta(-1, inv), *pre.terms)
    index = {t.get_id(): i for i, t in enumerate(pre.terms)}
    return ChcOutcome(verdict, "", _to_ir(cover, index))


def check_invariant(system: TransitionSystem, invariant: Expr, bad: Expr,
                    deadline: Deadline) -> Verdict:  # fmt: skip
    """HOLDS when `invariant` contains the initial states, is closed under every action
    (within the domains) and excludes `bad`; VIOLATED when one of the three fails."""
    enc = Encoder(system)
    pre, post = enc.state("pre"), enc.state("post")
    inv, inv_next = enc.formula(invariant, pre), enc.formula(invariant, post)
    obligations = [
        z3.And(enc.init(pre), z3.Not(inv)),
        z3.And(pre.domain, inv, enc.transition(pre, post), post.domain, z3.Not(inv_next)),
        z3.And(pre.domain, inv, enc.formula(bad, pre)),
    ]
    session = Session(enc, deadline)
    verdicts = []
    for obligation in obligations:
        with session.scope():
            session.add(obligation)
            verdicts.append(session.check().verdict)
    if Verdict.VIOLATED in verdicts:
        return Verdict.VIOLATED
    return Verdict.UNKNOWN if Verdict.UNKNOWN in verdicts else Verdict.HOLDS


_FROM_Z3: Mapping[int, str] = {
    z3.Z3_OP_AND: "and", z3.Z3_OP_OR: "or", z3.Z3_OP_NOT: "not", z3.Z3_OP_EQ: "==",
    z3.Z3_OP_DISTINCT: "!=", z3.Z3_OP_LE: "<=", z3.Z3_OP_LT: "<", z3.Z3_OP_GE: ">=",
    z3.Z3_OP_GT: ">", z3.Z3_OP_ADD: "+", z3.Z3_OP_MUL: "*", z3.Z3_OP_SUB: "-",
    z3.Z3_OP_UMINUS: "neg", z3.Z3_OP_IDIV: "//", z3.Z3_OP_MOD: "%", z3.Z3_OP_ITE: "ite",
}  # fmt: skip


def _to_ir(formula: z3.ExprRef, index: Mapping[int, int]) -> Expr | None:
    """`formula` over the state constants as an IR expression, or None."""
    try:
        return _translate(formula, index)
    except ValueError:  # a construct the IR lacks
        return None


def _translate(e: z3.ExprRef, index: Mapping[int, int]) -> Expr:
    if z3.is_true(e):
        return ir.TRUE
    if z3.is_false(e):
        return ir.FALSE
    if z3.is_int_value(e):
        return Const(cast(z3.IntNumRef, e).as_long())
    if z3.is_const(e) and e.get_id() in index:
        return Var(index[e.get_id()])
    kind = e.decl().kind()
    if kind == z3.Z3_OP_IMPLIES:
        a, b = (_translate(c, index) for c in e.children())
        return ir.or_(ir.not_(a), b)
    name = _FROM_Z3.get(kind)
    if name is None:
        raise ValueError(str(e))
    args = tuple(_translate(c, index) for c in e.children())
    if name in ("==", "!=", "-", "*") and len(args) > 2:
        return ir.chain(name, args)
    return ir.Op(name, args)


def value_of(model: Model, term: Term) -> int:
    """The integer `model` gives `term` (a symbolic constant or a state variable)."""
    return cast(z3.IntNumRef, model.eval(term, model_completion=True)).as_long()


def states_of(model: Model, states: Sequence[StateCopy]) -> list[State]:
    """The concrete states `model` gives to `states`, in order."""
    return [state_of(model, s) for s in states]
