"""Parametric proofs over counters: the drain-versus-PDB arithmetic for every replica
count of a range (or every count up to int32), with Kubernetes' percent rounding.

Stage: `podcheck.engine`.  Consumes a `CounterScenario` (replica range, two nodes, a PDB
budget as minAvailable or maxUnavailable, int or percent, node failures); produces an
`ir.TransitionSystem` over *counts of pods per local state* that the symbolic engines
prove for all counts at once, and `smallest_failing` the smallest replica count with a
counterexample.

NOTE(counter-abstraction): the scenario is benchmark B1 (tests/engine/b1_ir.py: pods
Absent/Pending/Starting/Ready on one of two nodes, cordon, eviction through the
eviction API, re-creation, scheduling, readiness, node failures) with the pods'
identities forgotten.  Pods are interchangeable in B1, so counting them per (status,
node) is its exact quotient: the same verdicts, and runs of the same length once the
setup is subtracted.  The replica count `replicas` is a frozen variable set by a setup
phase that adds the pods one at a time, round-robin over the nodes as B1 places them
(setup steps = replicas + 1), so one initial state covers every count of the range and
the range may be as large as int32 allows.  The budget is Kubernetes' (docs/semantics.md,
"PDB status"): desiredHealthy = minAvailable (an int), ceil(minAvailable% x replicas),
or replicas - ceil(maxUnavailable% x replicas) (`GetScaledValueFromIntOrPercent` with
roundUp, `getExpectedPodCount`; `kube.disruption.desired_healthy` is the concrete rule
and the tests compare the two at every count); the eviction API grants a Ready pod's
eviction when currentHealthy - desiredHealthy >= 1 (disruptionsAllowed > 0,
`checkAndDecrement`); a Starting pod (Running, not Ready) is evicted without touching
the budget when currentHealthy >= desiredHealthy > 0 (the IfHealthyBudget rule for a pod
that is not Ready), and otherwise goes to the same budget check.  B1 lets a Starting pod
go whenever currentHealthy >= desiredHealthy: the two differ only at desiredHealthy 0
with no Ready pod, where Kubernetes refuses (disruptionsAllowed is 0).  Under
unhealthyPodEvictionPolicy AlwaysAllow a Starting pod is always evicted.  SafeEvictions
reads the evictions of Ready pods only (an unhealthy pod's eviction removes nothing from
currentHealthy: NOTE(budget-checks) in model/budget_checks.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from podcheck import ir
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic
from podcheck.ir import Action, Expectation, Expr, Fairness, Property, StateVar, TransitionSystem
from podcheck.kube.intstr import IntOrPercent

MAX_REPLICAS = 2**31 - 1  # int32 spec.replicas
UP, CORDONED, DOWN = 0, 1, 2
NODES = 2
SETUP, RUNNING = 0, 1
_PROGRESS = frozenset({"evict", "recreate", "schedule", "ready"})  # what moves a drain on


@dataclass(frozen=True, slots=True)
class CounterScenario:
    """B1 for every replica count in `lo..hi`, under a PDB with exactly one of
    `min_available` / `max_unavailable`, at most `failures` node failures, and the
    first `drains` nodes drainable."""

    lo: int
    hi: int
    min_available: IntOrPercent | None = None
    max_unavailable: IntOrPercent | None = IntOrPercent(1)
    failures: int = 1
    drains: int = NODES  # the first `drains` nodes may be cordoned (B1: both)
    always_allow: bool = False  # unhealthyPodEvictionPolicy AlwaysAllow (else IfHealthyBudget)

    def __post_init__(self) -> None:
        assert 1 <= self.drains <= NODES
        assert 1 <= self.lo <= self.hi <= MAX_REPLICAS
        assert (self.min_available is None) != (self.max_unavailable is None)


def _scaled_up(value: IntOrPercent, total: Expr) -> Expr:
    """`GetScaledValueFromIntOrPercent(value, total, roundUp=true)` as an IR expression."""
    if not value.percent:
        return ir.Const(value.value)
    return ir.op("//", ir.op("+", ir.op("*", value.value, total), 99), 100)


def desired_healthy(scenario: CounterScenario, replicas: Expr) -> Expr:
    """desiredHealthy of `getExpectedPodCount` for `replicas` expected pods (symbolic)."""
    if scenario.max_unavailable is not None:
        gone = _scaled_up(scenario.max_unavailable, replicas)
        return ir.op("max", ir.op("-", replicas, gone), 0)
    assert scenario.min_available is not None
    return _scaled_up(scenario.min_available, replicas)


# the layout: names, and the counters per (status, node)
_NAMES = ("phase", "replicas", "absent", "pending", "starting1", "starting2", "ready1",
          "ready2", "node1", "node2", "failures", "violated")  # fmt: skip
V = {name: ir.Var(i) for i, name in enumerate(_NAMES)}


def _layout(s: CounterScenario) -> tuple[StateVar, ...]:
    n, node = s.hi, ("Up", "Cordoned", "Down")
    return (StateVar("phase", 0, 1, ("setup", "running"), "cluster", "phase"),
            StateVar("replicas", 0, n, (), "deployment", "replicas"),
            *(StateVar(k, 0, n, (), "pods", k) for k in _NAMES[2:8]),
            StateVar("node1", 0, 2, node, "node n1", "state"),
            StateVar("node2", 0, 2, node, "node n2", "state"),
            StateVar("failures", 0, s.failures, (), "environment", "failures"),
            StateVar("violated", 0, 1, ("false", "true"), "history", "violated"))  # fmt: skip


def _act(name: str, guard: Expr, updates: dict[str, Expr], label: str, actor: str,
         fairness: Fairness = Fairness.WEAK, **params: str) -> Action:  # fmt: skip
    return Action(name, tuple(params.items()), guard,
                  tuple((_NAMES.index(k), e) for k, e in updates.items()), label, actor,
                  fairness)  # fmt: skip


def _plus(name: str, k: int | Expr) -> Expr:
    return ir.op("+", V[name], k)


def _minus(name: str, k: int | Expr) -> Expr:
    return ir.op("-", V[name], k)


def _healthy() -> Expr:
    return ir.op("+", V["ready1"], V["ready2"])


def _setup_actions(s: CounterScenario) -> list[Action]:
    setup = ir.eq(V["phase"], SETUP)
    odd = ir.eq(ir.op("%", V["replicas"], 2), 0)  # pod 1, 3, ... goes to n1 (B1's placement)
    add = _act("add_pod", ir.and_(setup, ir.op("<", V["replicas"], s.hi)),
               {"replicas": _plus("replicas", 1),
                "ready1": ir.op("+", V["ready1"], ir.ite(odd, 1, 0)),
                "ready2": ir.op("+", V["ready2"], ir.ite(odd, 0, 1))},
               "setup: one more Ready replica", "setup")  # fmt: skip
    settle = _act("settle", ir.and_(setup, ir.op(">=", V["replicas"], s.lo)),
                  {"phase": ir.Const(RUNNING)}, "setup done: the scenario starts", "setup")
    return [add, settle]


def _unhealthy_goes(s: CounterScenario, desired: Expr) -> Expr:
    """When the eviction API grants the eviction of a pod that is Running but not Ready:
    always under AlwaysAllow; under IfHealthyBudget when the budget is healthy
    (currentHealthy >= desiredHealthy > 0) or allows a disruption."""
    if s.always_allow:
        return ir.TRUE
    healthy = _healthy()
    return ir.or_(ir.and_(ir.op(">=", healthy, desired), ir.op(">", desired, 0)),
                  ir.op(">=", ir.op("-", healthy, desired), 1))


def _node_actions(s: CounterScenario, q: int, desired: Expr) -> list[Action]:
    run, node = ir.eq(V["phase"], RUNNING), f"node{q}"
    ready, starting = f"ready{q}", f"starting{q}"
    cordoned = ir.and_(run, ir.eq(V[node], CORDONED))
    healthy = _healthy()
    cordon = [_act("cordon", ir.and_(run, ir.eq(V[node], UP)), {node: ir.Const(CORDONED)},
                   f"kubectl drain cordons n{q}", "cluster-admin", Fairness.NONE, node=f"n{q}")
              ] if q <= s.drains else []  # fmt: skip
    return [
        *cordon,
        _act("evict", ir.and_(cordoned, ir.op(">=", V[ready], 1),
                              ir.op(">=", ir.op("-", healthy, desired), 1)),
             {ready: _minus(ready, 1), "absent": _plus("absent", 1),
              "violated": ir.or_(V["violated"], ir.op("<", ir.op("-", healthy, 1), desired))},
             f"the eviction API evicts a Ready pod of n{q} within the PDB", "eviction-api",
             node=f"n{q}", pod="Ready"),
        _act("evict", ir.and_(cordoned, ir.op(">=", V[starting], 1), _unhealthy_goes(s, desired)),
             {starting: _minus(starting, 1), "absent": _plus("absent", 1)},
             f"the eviction API evicts a Starting pod of n{q} (unhealthy pod policy)",
             "eviction-api", node=f"n{q}", pod="Starting"),
        _act("schedule", ir.and_(run, ir.op(">=", V["pending"], 1), ir.eq(V[node], UP)),
             {"pending": _minus("pending", 1), starting: _plus(starting, 1)},
             f"the scheduler binds a pending pod to n{q}", "scheduler", node=f"n{q}"),
        _act("ready", ir.and_(run, ir.op(">=", V[starting], 1)),
             {starting: _minus(starting, 1), ready: _plus(ready, 1)},
             f"a Starting pod on n{q} passes its readiness probe", "kubelet", node=f"n{q}"),
        _act("fail", ir.and_(run, ir.op("<", V["failures"], s.failures),
                             ir.op("!=", V[node], DOWN)),
             {node: ir.Const(DOWN), "failures": _plus("failures", 1),
              "absent": ir.op("+", V["absent"], V[ready], V[starting]),
              ready: ir.Const(0), starting: ir.Const(0)},
             f"n{q} fails and its pods are lost", "environment", Fairness.NONE, node=f"n{q}"),
    ]  # fmt: skip


def counter_system(s: CounterScenario) -> TransitionSystem:
    """The counter abstraction of NOTE(counter-abstraction) with two properties:
    `SafeEvictions` (no eviction the API grants leaves fewer than desiredHealthy Ready)
    and `AlwaysAvailable` (at least desiredHealthy Ready in every running state)."""
    desired = desired_healthy(s, V["replicas"])
    recreate = _act("recreate", ir.and_(ir.eq(V["phase"], RUNNING), ir.op(">=", V["absent"], 1)),
                    {"absent": _minus("absent", 1), "pending": _plus("pending", 1)},
                    "the ReplicaSet controller creates a replacement", "replicaset-controller")
    actions = [*_setup_actions(s), recreate,
               *(a for q in range(1, NODES + 1) for a in _node_actions(s, q, desired))]
    running = ir.eq(V["phase"], RUNNING)
    moves = [a.guard for a in actions if a.name in _PROGRESS]
    stuck = ir.and_(running, ir.eq(V["node1"], CORDONED),
                    ir.op(">=", ir.op("+", V["ready1"], V["starting1"]), 1),
                    *(ir.not_(g) for g in moves))  # fmt: skip
    props = (Property("SafeEvictions", Expectation.ALWAYS, ir.not_(V["violated"]),
                      description="no eviction leaves fewer than desiredHealthy pods Ready"),
             Property("AlwaysAvailable", Expectation.ALWAYS,
                      ir.or_(ir.not_(running), ir.op(">=", _healthy(), desired)),
                      description="at least desiredHealthy pods are Ready in every state"),
             Property("DrainNeverStuck", Expectation.ALWAYS, ir.not_(stuck),
                      description="while n1 is cordoned and holds a pod, an eviction, a "
                      "re-creation, a binding or a readiness step can always happen"))  # fmt: skip
    init = tuple(0 for _ in _NAMES)
    return TransitionSystem(f"b1-counters[{s.lo}..{s.hi}]", _layout(s), (init,),
                            tuple(actions), props, terminal=ir.TRUE)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CountVerdict:
    """One property over the whole range: HOLDS (proved for every count), VIOLATED with
    the smallest failing count and that run's length after the setup (`minimal` False
    when a smaller count was left undecided), or UNKNOWN."""

    name: str
    verdict: Verdict
    smallest: int | None = None
    steps: int | None = None
    minimal: bool = True


Found = tuple[Verdict, int | None, int | None]


def _decide_one(system: TransitionSystem, k: int, engine: SymbolicEngine,
                timeout_seconds: float | None) -> Found:  # fmt: skip
    """The verdict of property `k` alone, and a counterexample's count and length."""
    one = replace(system, properties=(system.properties[k],))
    options = SymbolicOptions(engine, timeout_seconds=timeout_seconds, check_deadlock=False)
    (r,) = run_symbolic(one, options).results
    if r.trace is None:
        return r.verdict, None, None
    count = r.trace.steps[-1].state[_NAMES.index("replicas")]
    return Verdict.VIOLATED, count, r.trace.length - count - 1


def smallest_failing(s: CounterScenario, engine: SymbolicEngine = SymbolicEngine.PDR,
                     timeout_seconds: float | None = None,
                     names: Sequence[str] | None = None) -> tuple[CountVerdict, ...]:
    """Decide each property of `counter_system(s)` (those in `names`, in that order, when
    given) for every count of `lo..hi`; for a violated one, bisect the counts below its
    counterexample (`_smallest`), so the count reported is the smallest that fails."""
    props = list(counter_system(s).properties)
    order = [p.name for p in props] if names is None else list(names)
    return tuple(_smallest(s, i, engine, timeout_seconds)
                 for name in order for i, p in enumerate(props) if p.name == name)


def _smallest(s: CounterScenario, k: int, engine: SymbolicEngine,
              timeout_seconds: float | None) -> CountVerdict:  # fmt: skip
    """Property `k` over `s.lo..s.hi`: proved, unknown, or violated at its smallest
    failing count.  After a counterexample at count c the counts `low..c-1` are in doubt;
    each query asks about the lower half of them: a run moves c down, a proof moves
    `low` up, so a range of any size takes about log2(c) queries."""
    name = counter_system(s).properties[k].name
    verdict, count, steps = _decide_one(counter_system(s), k, engine, timeout_seconds)
    if count is None or steps is None:
        return CountVerdict(name, verdict)
    best, low = CountVerdict(name, Verdict.VIOLATED, count, steps), s.lo
    while best.smallest is not None and low < best.smallest:
        mid = (low + best.smallest - 1) // 2
        window = replace(s, lo=low, hi=mid)
        verdict, count, steps = _decide_one(counter_system(window), k, engine, timeout_seconds)
        if count is not None and steps is not None:
            best = CountVerdict(name, Verdict.VIOLATED, count, steps)
        elif verdict is Verdict.HOLDS:
            low = mid + 1
        else:
            return replace(best, minimal=False)
    return best


@dataclass(frozen=True, slots=True)
class CountedRange:
    """What `podcheck counts` found for one workload's replica range: the scenario, each
    spec property's verdict over the range (`(name, CountVerdict)`, the counter
    property that decided it named in the verdict), the drained node's name, and the
    counts at which explicit BFS of the full model gave the same verdicts."""

    workload: str
    scenario: CounterScenario
    drained: str
    verdicts: tuple[tuple[str, CountVerdict], ...]
    cross_checked: tuple[int, ...] = ()

    @property
    def violated(self) -> bool:
        """Some property fails at some count of the range."""
        return any(v.verdict is Verdict.VIOLATED for _, v in self.verdicts)

    @property
    def proved(self) -> bool:
        """Every property holds at every count of the range."""
        return all(v.verdict is Verdict.HOLDS for _, v in self.verdicts)
