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

NOTE(counter-drains): the nodes are `nodes` interchangeable ones (B1: two), the pods
placed round-robin by the setup (pod i on node i mod M), the first `drains` drainable
(the spec's drained nodes, whatever their names: no placement rule tells nodes apart).
kubectl drain's one-at-a-time mode (model/drain.py `declare_drain`) is `max_cordoned`
(maxConcurrentDrains: a cordon waits while that many drainable nodes are cordoned) with
`uncordon`: the admin uncordons a cordoned node that holds no pod (state Drained:
schedulable again, never drained again); concurrent mode cordons any subset and never
uncordons.  DrainNeverStuck reads the drains of the first `watch` nodes (the spec's
drain-completes: every drained node): some watched node is cordoned and holds a pod
while no eviction, re-creation, binding, readiness step or uncordon can happen.  Every
infinite run makes finitely many cordons and failures and then only those moves, which
end (pods only leave cordoned nodes), so under weak fairness the drain is stuck for
ever exactly when such a state is reachable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from podcheck import ir
from podcheck.engine import counter_rules, smt
from podcheck.engine.counter_lemmas import lemma, strengthened
from podcheck.engine.counter_props import counter_properties
from podcheck.engine.counter_rollout import rollout_lemma, rollout_system
from podcheck.engine.counter_rules import CORDONED, DOWN, DRAINED, RUNNING, SETUP, UP
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic
from podcheck.ir import Action, Expr, Fairness, StateVar, TransitionSystem
from podcheck.kube.intstr import IntOrPercent

MAX_REPLICAS = 2**31 - 1  # int32 spec.replicas
NODES = 2  # B1's
_MOVED = "an eviction, a re-creation, a binding, a readiness step or an uncordon"
_PROGRESS = frozenset({"evict", "recreate", "schedule", "ready", "uncordon"})  # drains move on


@dataclass(frozen=True, slots=True)
class CounterScenario:
    """B1 for every replica count in `lo..hi` on `nodes` nodes, under a PDB with exactly
    one of `min_available` / `max_unavailable`, at most `failures` node failures, the
    first `drains` nodes drainable and DrainNeverStuck reading the first `watch` of them.
    `max_cordoned` bounds how many drainable nodes are cordoned at once (None: any) and
    `uncordon` lets the admin uncordon a drained node once it holds no pod (kubectl
    drain's one-at-a-time mode: NOTE(counter-drains))."""

    lo: int
    hi: int
    min_available: IntOrPercent | None = None
    max_unavailable: IntOrPercent | None = IntOrPercent(1)
    failures: int = 1
    drains: int = NODES  # the first `drains` nodes may be cordoned (B1: both)
    always_allow: bool = False  # unhealthyPodEvictionPolicy AlwaysAllow (else IfHealthyBudget)
    nodes: int = NODES
    watch: int = 1  # DrainNeverStuck reads the drains of nodes 1..watch (B1: n1)
    max_cordoned: int | None = None
    uncordon: bool = False
    rollouts: int = 0  # template changes (NOTE(counter-rollout)); 0: one ReplicaSet
    max_surge: IntOrPercent = IntOrPercent(25, True)  # the Deployment's rollingUpdate
    roll_unavailable: IntOrPercent = IntOrPercent(25, True)
    progress: bool = False  # the Progressing condition and RolloutNeverStuck (rollout system)

    def __post_init__(self) -> None:
        assert 1 <= self.watch <= self.drains <= self.nodes
        assert 1 <= self.lo <= self.hi <= MAX_REPLICAS
        assert (self.min_available is None) != (self.max_unavailable is None)
        assert self.max_cordoned is None or self.max_cordoned >= 1
        assert self.rollouts >= 0


def desired_healthy(scenario: CounterScenario, replicas: Expr) -> Expr:
    """desiredHealthy of `getExpectedPodCount` for `replicas` expected pods (symbolic)."""
    return counter_rules.desired_healthy(scenario.min_available, scenario.max_unavailable,
                                         replicas)


def names(nodes: int) -> tuple[str, ...]:
    """The counter system's variables in layout order: the phase, the frozen replica
    count, pods Absent and Pending, pods Starting and Ready per node, each node's state,
    the failures so far and the history variable of SafeEvictions."""
    per_node = [f"{k}{q}" for k in ("starting", "ready", "node") for q in range(1, nodes + 1)]
    return ("phase", "replicas", "absent", "pending", *per_node, "failures", "violated")


REPLICAS = names(NODES).index("replicas")  # the same index at every node count


class _Vars:
    """The variables of a scenario's counter system by name (`v["ready2"]`)."""

    def __init__(self, s: CounterScenario) -> None:
        self.s, self.names = s, names(s.nodes)
        self.var = {name: ir.Var(i) for i, name in enumerate(self.names)}

    def __getitem__(self, name: str) -> ir.Var:
        return self.var[name]

    def plus(self, name: str, k: int | Expr) -> Expr:
        return ir.op("+", self.var[name], k)

    def minus(self, name: str, k: int | Expr) -> Expr:
        return ir.op("-", self.var[name], k)

    def healthy(self) -> Expr:
        return ir.sum_(*(self.var[f"ready{q}"] for q in range(1, self.s.nodes + 1)))

    def on(self, q: int) -> Expr:
        """The pods bound to node q."""
        return ir.op("+", self.var[f"ready{q}"], self.var[f"starting{q}"])

    def act(self, name: str, guard: Expr, updates: dict[str, Expr], label: str, actor: str,
            fairness: Fairness = Fairness.WEAK, **params: str) -> Action:  # fmt: skip
        return Action(name, tuple(params.items()), guard,
                      tuple((self.names.index(k), e) for k, e in updates.items()), label,
                      actor, fairness)  # fmt: skip


def _layout(s: CounterScenario) -> tuple[StateVar, ...]:
    n, m = s.hi, s.nodes
    node = ("Up", "Cordoned", "Down", "Drained")[: 4 if s.uncordon else 3]
    return (StateVar("phase", 0, 1, ("setup", "running"), "cluster", "phase"),
            StateVar("replicas", 0, n, (), "deployment", "replicas"),
            *(StateVar(k, 0, n, (), "pods", k) for k in names(m)[2:4 + 2 * m]),
            *(StateVar(f"node{q}", 0, len(node) - 1, node, f"node n{q}", "state")
              for q in range(1, m + 1)),
            StateVar("failures", 0, s.failures, (), "environment", "failures"),
            StateVar("violated", 0, 1, ("false", "true"), "history", "violated"))  # fmt: skip


def _setup_actions(v: _Vars) -> list[Action]:
    s, setup = v.s, ir.eq(v["phase"], SETUP)
    slot = ir.op("%", v["replicas"], s.nodes)  # pod i goes to node i mod M (B1's round-robin)
    add = v.act("add_pod", ir.and_(setup, ir.op("<", v["replicas"], s.hi)),
                {"replicas": v.plus("replicas", 1),
                 **{f"ready{q}": v.plus(f"ready{q}", ir.ite(ir.eq(slot, q - 1), 1, 0))
                    for q in range(1, s.nodes + 1)}},
                "setup: one more Ready replica", "setup")  # fmt: skip
    settle = v.act("settle", ir.and_(setup, ir.op(">=", v["replicas"], s.lo)),
                   {"phase": ir.Const(RUNNING)}, "setup done: the scenario starts", "setup")
    return [add, settle]


def _drain_actions(v: _Vars, q: int) -> list[Action]:
    """cordon (within `max_cordoned`) and, with `uncordon`, the admin's uncordon of an
    empty cordoned node (state Drained: schedulable, never drained again)."""
    s, run, node = v.s, ir.eq(v["phase"], RUNNING), f"node{q}"
    if q > s.drains:
        return []
    guard = ir.and_(run, ir.eq(v[node], UP))
    if s.max_cordoned is not None:
        busy = ir.sum_(*(ir.ite(ir.eq(v[f"node{r}"], CORDONED), 1, 0)
                         for r in range(1, s.drains + 1)))
        guard = ir.and_(guard, ir.op("<", busy, s.max_cordoned))
    out = [v.act("cordon", guard, {node: ir.Const(CORDONED)}, f"kubectl drain cordons n{q}",
                 "cluster-admin", Fairness.NONE, node=f"n{q}")]
    if s.uncordon:
        done = ir.and_(run, ir.eq(v[node], CORDONED), ir.eq(v.on(q), 0))
        out.append(v.act("uncordon", done, {node: ir.Const(DRAINED)},
                         f"kubectl drain n{q} completes; the admin uncordons n{q}",
                         "cluster-admin", node=f"n{q}"))
    return out


def _node_actions(v: _Vars, q: int, desired: Expr) -> list[Action]:
    run, node = ir.eq(v["phase"], RUNNING), f"node{q}"
    ready, starting = f"ready{q}", f"starting{q}"
    cordoned = ir.and_(run, ir.eq(v[node], CORDONED))
    schedulable = ir.or_(ir.eq(v[node], UP), ir.eq(v[node], DRAINED))
    healthy = v.healthy()
    return [
        *_drain_actions(v, q),
        v.act("evict", ir.and_(cordoned, ir.op(">=", v[ready], 1),
                               ir.op(">=", ir.op("-", healthy, desired), 1)),
              {ready: v.minus(ready, 1), "absent": v.plus("absent", 1),
               "violated": ir.or_(v["violated"], ir.op("<", ir.op("-", healthy, 1), desired))},
              f"the eviction API evicts a Ready pod of n{q} within the PDB", "eviction-api",
              node=f"n{q}", pod="Ready"),
        v.act("evict", ir.and_(cordoned, ir.op(">=", v[starting], 1),
                               counter_rules.unhealthy_goes(v.s.always_allow, healthy, desired)),
              {starting: v.minus(starting, 1), "absent": v.plus("absent", 1)},
              f"the eviction API evicts a Starting pod of n{q} (unhealthy pod policy)",
              "eviction-api", node=f"n{q}", pod="Starting"),
        v.act("schedule", ir.and_(run, ir.op(">=", v["pending"], 1), schedulable),
              {"pending": v.minus("pending", 1), starting: v.plus(starting, 1)},
              f"the scheduler binds a pending pod to n{q}", "scheduler", node=f"n{q}"),
        v.act("ready", ir.and_(run, ir.op(">=", v[starting], 1)),
              {starting: v.minus(starting, 1), ready: v.plus(ready, 1)},
              f"a Starting pod on n{q} passes its readiness probe", "kubelet", node=f"n{q}"),
        v.act("fail", ir.and_(run, ir.op("<", v["failures"], v.s.failures),
                              ir.op("!=", v[node], DOWN)),
              {node: ir.Const(DOWN), "failures": v.plus("failures", 1),
               "absent": ir.op("+", v["absent"], v[ready], v[starting]),
               ready: ir.Const(0), starting: ir.Const(0)},
              f"n{q} fails and its pods are lost", "environment", Fairness.NONE, node=f"n{q}"),
    ]  # fmt: skip


def counter_system(s: CounterScenario) -> TransitionSystem:
    """The counter abstraction of NOTE(counter-abstraction) with three properties:
    `SafeEvictions` (no eviction the API grants leaves fewer than desiredHealthy Ready),
    `AlwaysAvailable` (at least desiredHealthy Ready in every running state) and
    `DrainNeverStuck` (the safety property deciding drain-completes); with rollouts or
    `progress`, the rollout counter system of NOTE(counter-rollout) with the same three
    (and, with `progress`, RolloutNeverStuck: NOTE(counter-progress))."""
    if s.rollouts or s.progress:
        return rollout_system(s, lambda replicas: desired_healthy(s, replicas))
    v = _Vars(s)
    desired = desired_healthy(s, v["replicas"])
    recreate = v.act("recreate", ir.and_(ir.eq(v["phase"], RUNNING), ir.op(">=", v["absent"], 1)),
                     {"absent": v.minus("absent", 1), "pending": v.plus("pending", 1)},
                     "the ReplicaSet controller creates a replacement", "replicaset-controller")
    actions = [*_setup_actions(v), recreate,
               *(a for q in range(1, s.nodes + 1) for a in _node_actions(v, q, desired))]
    init = tuple(0 for _ in v.names)
    return TransitionSystem(f"b1-counters[{s.lo}..{s.hi}]", _layout(s), (init,),
                            tuple(actions),
                            counter_properties(v, s.watch, actions, desired, _PROGRESS,
                                               _MOVED),
                            terminal=ir.TRUE)  # fmt: skip


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
    invariant: Expr | None = None  # HOLDS: Spacer's invariant, inductive together with L
    reason: str = ""  # `smt.TIMEOUT`: the whole run's budget ran out (NOTE(whole-run-budget))


Found = tuple[Verdict, int | None, int | None, Expr | None]
# NOTE(bmc-first): Spacer is slow to find a run (tens of seconds on three nodes where BMC
# needs one), so each query first unrolls FIRST_DEPTH steps (setup included; about a
# second when nothing is found) and asks Spacer only when no run is that short.  A run
# either way is a real run of the counter system, the shortest one within the bound.
FIRST_DEPTH = 12


def _decide_one(s: CounterScenario, k: int, engine: SymbolicEngine,
                timeout_seconds: float | None, within: smt.Deadline) -> Found:  # fmt: skip
    """The verdict of property `k` alone over `s`'s counter system strengthened by its
    lemmas (NOTE(counter-lemmas)), a counterexample's count and length, and the
    invariant Spacer proved it with (over the strengthened system: inductive with L);
    UNKNOWN at once when the whole run's budget `within` is spent."""
    if within.expired():
        return Verdict.UNKNOWN, None, None, None
    plain = counter_system(s)
    condition = rollout_lemma(plain, s) if s.rollouts or s.progress else lemma(plain, s)
    system = strengthened(plain, condition, timeout_seconds, within)
    one = replace(system, properties=(system.properties[k],))
    options = SymbolicOptions(engine, timeout_seconds=timeout_seconds, check_deadlock=False,
                              within=within)  # fmt: skip
    first = replace(options, engine=SymbolicEngine.BMC, depth=FIRST_DEPTH)  # NOTE(bmc-first)
    for run in [options] if engine is SymbolicEngine.BMC else [first, options]:
        (r,) = run_symbolic(one, run).results
        if r.trace is not None:
            break
    if r.trace is None:
        return r.verdict, None, None, r.invariant
    count = r.trace.steps[-1].state[REPLICAS]
    return Verdict.VIOLATED, count, r.trace.length - count - 1, None


def smallest_failing(s: CounterScenario, engine: SymbolicEngine = SymbolicEngine.PDR,
                     timeout_seconds: float | None = None,
                     names: Sequence[str] | None = None,
                     within: smt.Deadline | None = None) -> tuple[CountVerdict, ...]:
    """Decide each property of `counter_system(s)` (those in `names`, in that order, when
    given) for every count of `lo..hi`; for a violated one, bisect the counts below its
    counterexample (`_smallest`), so the count reported is the smallest that fails.
    Each Z3 query within `timeout_seconds`, all of them within `within`
    (NOTE(whole-run-budget)): past it a property is UNKNOWN with the reason TIMEOUT."""
    props = list(counter_system(s).properties)
    order = [p.name for p in props] if names is None else list(names)
    budget = within or smt.Deadline()
    return tuple(_smallest(s, i, engine, timeout_seconds, budget)
                 for name in order for i, p in enumerate(props) if p.name == name)


def _smallest(s: CounterScenario, k: int, engine: SymbolicEngine,
              timeout_seconds: float | None, within: smt.Deadline) -> CountVerdict:  # fmt: skip
    """Property `k` over `s.lo..s.hi`: proved, unknown, or violated at its smallest
    failing count.  After a counterexample at count c the counts `low..c-1` are in doubt;
    each query asks about the lower half of them: a run moves c down, a proof moves
    `low` up, so a range of any size takes about log2(c) queries."""
    name = counter_system(s).properties[k].name
    verdict, count, steps, invariant = _decide_one(s, k, engine, timeout_seconds, within)
    spent = smt.TIMEOUT if within.expired() else ""
    if count is None or steps is None:
        return CountVerdict(name, verdict, invariant=invariant,
                            reason=spent if verdict is Verdict.UNKNOWN else "")
    best, low = CountVerdict(name, Verdict.VIOLATED, count, steps), s.lo
    while best.smallest is not None and low < best.smallest:
        mid = (low + best.smallest - 1) // 2
        window = replace(s, lo=low, hi=mid)
        verdict, count, steps, _ = _decide_one(window, k, engine, timeout_seconds, within)
        if count is not None and steps is not None:
            best = CountVerdict(name, Verdict.VIOLATED, count, steps)
        elif verdict is Verdict.HOLDS:
            low = mid + 1
        else:
            return replace(best, minimal=False, reason=smt.TIMEOUT if within.expired() else "")
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
    not_cross_checked: tuple[int, ...] = ()  # the budget ran out first: no verdict reported

    @property
    def stopped(self) -> bool:
        """The whole run's budget left a property open (NOTE(whole-run-budget))."""
        return bool(self.not_cross_checked) or any(
            v.reason == smt.TIMEOUT for _, v in self.verdicts)

    @property
    def violated(self) -> bool:
        """Some property fails at some count of the range."""
        return any(v.verdict is Verdict.VIOLATED for _, v in self.verdicts)

    @property
    def proved(self) -> bool:
        """Every property holds at every count of the range."""
        return all(v.verdict is Verdict.HOLDS for _, v in self.verdicts)
