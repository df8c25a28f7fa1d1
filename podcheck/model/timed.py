"""Time-bounded properties: an observer timer per `eventually P within D` / `P ~> Q within D`.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes the
spec's bounded property declarations, the property compiler (for P and Q as IR
booleans) and the clock; produces, per property, two observer variables (`pending`,
and the timer `left`, a clock timer), rewrites every action so that the observer moves
in the same step as the model, and gives the safety condition the property becomes.

NOTE(bounded-time-observer): the observer of a property with start S and goal Q (S = P
for `P ~> Q`; for `eventually Q` the obligation is pending in the initial state and S is
false) holds `pending` (an obligation is open) and `left`, the seconds until it is
missed.  Every action is extended, from its own post-state, with
  pending' = (pending or S') and not Q'
  left'    = left (after the action's own update) if pending stays open,
             D + 1 if a new obligation opens, else 0
where S', Q' are S and Q with the action's updates substituted.  `left` is a clock
timer (active while pending and positive), so "time passes" never jumps past the instant
at which it reaches 0; it reaches 0 exactly when D + 1 whole seconds passed since the
earliest unanswered start without Q holding in any state in between: then the bound D is
missed (Q may still hold in a state at elapsed time D).  One timer per property is exact:
a later start while pending has a later deadline, and the first Q after it is the first Q
after the earliest start.  The property checked is the invariant
`not (pending and left == 0)`.  The extra clock stops at deadlines are instants at which
optional events may fire; each is a real Kubernetes schedule (an event at that second),
see NOTE(time-abstraction) in clock.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from podcheck import ir, spec
from podcheck.model.age import duration_stops, stop_distance
from podcheck.model.clock import Clock
from podcheck.model.layout import Builder
from podcheck.model.observables import walk
from podcheck.model.props import PropertyCompiler, PropertyError
from podcheck.vocab import ActionKind, Actor


@dataclass(frozen=True, slots=True)
class Observer:
    """The observer of one bounded property: its variables, start, goal and bound (s)."""

    name: str
    pending: ir.Var
    left: ir.Var
    start: ir.Expr
    goal: ir.Expr
    bound: int

    def missed(self) -> ir.Expr:
        """The bound was missed: an obligation is still open D + 1 seconds after it began."""
        return ir.and_(ir.eq(self.pending, 1), ir.eq(self.left, 0))


def bounded(d: spec.PropertyDecl) -> spec.Temporal | None:
    """The declaration's formula when it carries a `within` bound, else None."""
    f = d.formula
    if isinstance(f, spec.Temporal) and f.within is not None:
        return f
    return None


def declare_observers(
    decls: Sequence[spec.PropertyDecl], props: PropertyCompiler, clock: Clock
) -> dict[str, Observer]:
    """An observer per bounded property, its timer registered with `clock` (call before
    `clock.build`).  A formula the model cannot express is skipped here: the property
    compiler reports it."""
    out: dict[str, Observer] = {}
    for d in decls:
        f = bounded(d)
        if f is None:
            continue
        try:
            if f.op == "leadsto":
                start, goal = props.state(f.args[0]), props.state(f.args[1])
            else:
                start, goal = ir.FALSE, props.state(f.args[0])
        except PropertyError:
            continue
        out[d.name] = _observer(clock, d.name, f, start, goal)
    return out


def _observer(clock: Clock, name: str, f: spec.Temporal, start: ir.Expr,
              goal: ir.Expr) -> Observer:
    b = clock.builder
    seconds = (f.within or 0) // 1000  # NOTE(bounded-time): whole seconds, rounded down
    state = b.initial
    reached = ir.evaluate(goal, state) != 0
    opened = f.op == "eventually" or ir.evaluate(start, state) != 0
    is_open = opened and not reached
    owner = f"property {name}"
    pending = b.bool_var(f"obs.{name}.pending", is_open, owner=owner, field_name="pending")
    left = clock.timer(f"obs.{name}.left", seconds + 1, init=seconds + 1 if is_open else 0,
                       owner=owner, field_name="left")
    clock.register(left, ir.and_(ir.eq(pending, 1), ir.op(">", left, 0)))
    return Observer(name, pending, left, start, goal, seconds)


def declare_elapsed(decls: Sequence[spec.PropertyDecl], clock: Clock) -> ir.Expr | None:
    """NOTE(elapsed-time): the IR of `elapsed` in milliseconds, or None when no formula
    reads it (call before `clock.build`).  One clock timer `clock.elapsedLeft` counts
    down from H, the last instant (whole seconds) at which a comparison with one of the
    formulas' durations D can change: for each D the clock stops at floor(D / 1 s) and the
    second after it, so no state at which `elapsed <op> D` changes is jumped over.  At 0
    the timer stops and elapsed saturates at H seconds, later than every D: each
    comparison keeps the value it has from then on."""
    found = [e for d in decls if d.formula is not None for e in walk(d.formula)]
    if not any(isinstance(e, spec.Elapsed) for e in found):
        return None
    stops = duration_stops(found)
    top = max(stops)
    left = clock.timer("clock.elapsedLeft", top, init=top, owner=str(Actor.CLOCK),
                       field_name="elapsedLeft")
    clock.register(left, ir.op(">", left, 0), stop_distance(left, top, stops))
    return ir.op("*", ir.op("-", top, left), 1000)


# NOTE(prompt-controllers): Kubernetes' controllers and the kubelet's reactions (binding,
# creating a replacement, starting the next container, syncing an endpoint) take well
# under a second; the untimed model lets them lag behind any number of timer events,
# which is harmless for orderings but would let every bound be missed by a scheduler
# that has not run yet.  A spec with a bounded property or one that reads `elapsed`
# therefore makes their actions
# urgent: time does not pass while one is enabled.  A granted eviction is prompt too
# (`kubectl drain` retries a refused eviction every 5 s, so it lands within 5 s of the
# budget allowing it: the model takes the earliest of those instants); the refused
# request is not (it changes nothing, and urgency would stop the clock).  Starting a
# drain, admin deletes, failures and the containers' own processes stay untimed choices.
# A kubectl drain `--timeout` or the autoscaler's eviction window is a timer of its own:
# without prompt evictions the drain could time out while an eviction it would get at
# once waits, so a spec with `drainTimeout` or `scaleDown` is prompt too (compile.py).
PROMPT = frozenset({
    Actor.KUBELET, Actor.SCHEDULER, Actor.REPLICASET_CONTROLLER, Actor.DEPLOYMENT_CONTROLLER,
    Actor.JOB_CONTROLLER, Actor.DAEMONSET_CONTROLLER, Actor.TAINT_EVICTION_CONTROLLER,
    Actor.ENDPOINTSLICE_CONTROLLER,
})


def make_prompt(builder: Builder, clock: Clock) -> None:
    """NOTE(prompt-controllers): time may not pass while a controller or kubelet action is
    enabled, unless it is a range event inside its window (`Clock.may_wait`: a probe's
    unplaced first tick); call before `clock.build`, after every action is declared."""
    for a in builder.actions:
        if a.actor in PROMPT or a.name == ActionKind.EVICT:
            reads = ir.reads(a.guard)
            waits = [cond for var, cond in clock.optional if var.index in reads]
            clock.urgent(ir.and_(a.guard, ir.not_(ir.or_(*waits))) if waits else a.guard)


def synchronise(builder: Builder, observers: Sequence[Observer]) -> None:
    """Extend every declared action with the observers' updates (call once, after every
    action, the clock's included, is declared)."""
    if not observers:
        return
    builder.actions[:] = [_extend(a, observers) for a in builder.actions]


def _extend(a: ir.Action, observers: Sequence[Observer]) -> ir.Action:
    ups = dict(a.updates)
    changed = False
    for o in observers:
        touched = set(ups) & (ir.reads(o.start) | ir.reads(o.goal) | {o.left.index})
        if not touched:
            continue  # S, Q and the timer keep their values: the observer stays settled
        changed = True
        start, goal = substitute(o.start, a.updates), substitute(o.goal, a.updates)
        stays = ir.and_(ir.eq(o.pending, 1), ir.not_(goal))
        opens = ir.and_(ir.eq(o.pending, 0), start, ir.not_(goal))
        ups[o.pending.index] = ir.or_(stays, opens)
        after = ups.get(o.left.index, o.left)
        ups[o.left.index] = ir.ite(stays, after, ir.ite(opens, o.bound + 1, 0))
    return replace(a, updates=tuple(ups.items())) if changed else a


def substitute(e: ir.Expr, updates: tuple[tuple[int, ir.Expr], ...]) -> ir.Expr:
    """`e` evaluated after the simultaneous `updates`: each updated variable replaced by
    its new value (an expression over the pre-state)."""
    table = dict(updates)
    memo: dict[int, ir.Expr] = {}

    def go(x: ir.Expr) -> ir.Expr:
        key = id(x)
        if key not in memo:
            if isinstance(x, ir.Var):
                memo[key] = table.get(x.index, x)
            elif isinstance(x, ir.Op):
                memo[key] = ir.Op(x.op, tuple(go(y) for y in x.args))
            else:
                memo[key] = x
        return memo[key]

    return go(e)
