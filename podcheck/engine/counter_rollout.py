"""The counter system of a Deployment's rolling update: old and new pods counted apart.

Stage: `podcheck.engine`.  Consumes a counter scenario with `rollouts >= 1`
(`engine.parametric.CounterScenario`, read through the protocol below); produces the
`ir.TransitionSystem` over counts of pods per (revision, status, node) that
`parametric.counter_system` returns for it, and its structural lemma
(NOTE(counter-lemmas)).

NOTE(counter-rollout): the rolling update of model/deployment.py and model/replicaset.py
with the pods' identities forgotten.  Each pod is of the current template ("new") or of
the one before ("old"); the populations are counted per status (Pending; Starting and
Ready per node) and revision.  `revision` counts the template changes: the user's change
(`rollout`, no fairness) may happen while no old pod exists and fewer than `rollouts`
happened, and makes every pod old.  The controllers then move, as the full model's
actions do (rolling.go `rolloutRolling`): a new pod is created while all pods number
fewer than replicas + maxSurge and new ones fewer than replicas (`reconcileNewReplicaSet`,
`NewRSNewReplicas`; the ReplicaSet controller's re-creation of an evicted or lost pod is
the same creation, into the new ReplicaSet); an old pod, Pending, Starting or Ready, is
deleted while the Ready pods left number at least replicas - maxUnavailable
(`reconcileOldReplicaSets`, `cleanupUnhealthyReplicas`,
`scaleDownOldReplicaSetsForRollingUpdate`: unavailable old pods go first within the same
floor, which the one-pod-at-a-time delete covers).  maxSurge rounds up, maxUnavailable
down, both 0 make maxUnavailable 1, capped at replicas (`ResolveFenceposts`,
`MaxUnavailable`: `counter_rules.fenceposts`, compared with `kube.rollout` at every
count by the tests).  The PDB reads both populations: currentHealthy counts every Ready
pod, desiredHealthy is the Deployment's replicas' (its scale, `getExpectedScale`, one
controller for both ReplicaSets), an integer minAvailable is itself.  Drains, evictions,
node failures and DrainNeverStuck are NOTE(counter-drains)'s, over both populations; the
controllers' creates and old-pod deletes are progress moves too (weakly fair in the full
model), and every run still makes finitely many moves after its last cordon, failure and
template change (creates stop at replicas new pods, old pods only go), so the safety
reading decides drain-completes as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from podcheck import ir
from podcheck.engine.counter_progress import REASONS, never_stuck, with_progress
from podcheck.engine.counter_props import counter_properties
from podcheck.engine.counter_rules import (
    CORDONED,
    DOWN,
    DRAINED,
    RUNNING,
    SETUP,
    UP,
    fenceposts,
    unhealthy_goes,
)
from podcheck.ir import Action, Expr, Fairness, StateVar, TransitionSystem
from podcheck.kube.intstr import IntOrPercent

AGES = ("old", "new")
_MOVED = "an eviction, a create, an old pod's delete, a binding, a readiness step or an uncordon"
_PROGRESS = frozenset({"evict", "create", "scale_down_old", "schedule", "ready", "uncordon"})


class RolloutScenario(Protocol):
    """What the rollout counter system reads of `engine.parametric.CounterScenario`."""

    @property
    def lo(self) -> int: ...
    @property
    def hi(self) -> int: ...
    @property
    def nodes(self) -> int: ...
    @property
    def drains(self) -> int: ...
    @property
    def watch(self) -> int: ...
    @property
    def failures(self) -> int: ...
    @property
    def max_cordoned(self) -> int | None: ...
    @property
    def uncordon(self) -> bool: ...
    @property
    def always_allow(self) -> bool: ...
    @property
    def rollouts(self) -> int: ...
    @property
    def max_surge(self) -> IntOrPercent: ...
    @property
    def roll_unavailable(self) -> IntOrPercent: ...
    @property
    def progress(self) -> bool: ...


def rollout_names(nodes: int, progress: bool = False) -> tuple[str, ...]:
    """The variables in layout order: the phase, the frozen replica count, the template
    changes so far, Pending pods per age, Starting and Ready per age and node, each
    node's state, the failures so far, SafeEvictions' history variable and, with
    `progress`, the Progressing condition's reason (NOTE(counter-progress))."""
    per_node = [f"{k}_{a}{q}" for q in range(1, nodes + 1)
                for k in ("starting", "ready") for a in AGES]  # fmt: skip
    nodes_ = [f"node{q}" for q in range(1, nodes + 1)]
    return ("phase", "replicas", "revision", "pending_old", "pending_new", *per_node, *nodes_,
            "failures", "violated", *(("progressing",) if progress else ()))


class _Vars:
    """The variables by name, and the sums the actions read."""

    def __init__(self, s: RolloutScenario) -> None:
        self.s, self.names = s, rollout_names(s.nodes, s.progress)
        self.v = {name: ir.Var(i) for i, name in enumerate(self.names)}
        self.nodes = range(1, s.nodes + 1)

    def __getitem__(self, name: str) -> ir.Var:
        return self.v[name]

    def healthy(self) -> Expr:
        return ir.sum_(*(self.v[f"ready_{a}{q}"] for q in self.nodes for a in AGES))

    def on(self, q: int) -> Expr:
        return ir.sum_(*(self.v[f"{k}_{a}{q}"] for k in ("starting", "ready") for a in AGES))

    def of_age(self, age: str) -> Expr:
        return ir.sum_(self.v[f"pending_{age}"], *(self.v[f"{k}_{age}{q}"] for q in self.nodes
                                                   for k in ("starting", "ready")))

    def act(self, name: str, guard: Expr, updates: dict[str, Expr], label: str, actor: str,
            fairness: Fairness = Fairness.WEAK, **params: str) -> Action:  # fmt: skip
        return Action(name, tuple(params.items()), guard,
                      tuple((self.names.index(k), e) for k, e in updates.items()), label,
                      actor, fairness)  # fmt: skip


def _layout(s: RolloutScenario) -> tuple[StateVar, ...]:
    n, node = s.hi, ("Up", "Cordoned", "Down", "Drained")[: 4 if s.uncordon else 3]
    surge = s.max_surge.value if not s.max_surge.percent else s.max_surge.value * n // 100 + 1
    pods = [StateVar(k, 0, n + surge, (), "pods", k) for k in rollout_names(s.nodes)[3:]
            if not k.startswith(("node", "failures", "violated"))]  # fmt: skip
    cond = StateVar("progressing", 0, len(REASONS) - 1, REASONS, "deployment", "progressing")
    return (StateVar("phase", 0, 1, ("setup", "running"), "cluster", "phase"),
            StateVar("replicas", 0, n, (), "deployment", "replicas"),
            StateVar("revision", 0, s.rollouts, (), "deployment", "revision"), *pods,
            *(StateVar(f"node{q}", 0, len(node) - 1, node, f"node n{q}", "state")
              for q in range(1, s.nodes + 1)),
            StateVar("failures", 0, s.failures, (), "environment", "failures"),
            StateVar("violated", 0, 1, ("false", "true"), "history", "violated"),
            *((cond,) if s.progress else ()))  # fmt: skip


def _setup(v: _Vars) -> list[Action]:
    s, setup = v.s, ir.eq(v["phase"], SETUP)
    slot = ir.op("%", v["replicas"], s.nodes)  # pod i goes to node i mod M
    placed = {f"ready_new{q}": ir.op("+", v[f"ready_new{q}"], ir.ite(ir.eq(slot, q - 1), 1, 0))
              for q in v.nodes}  # fmt: skip
    pending = {"pending_new": ir.op("+", v["pending_new"], 1)}  # NOTE(counter-progress)
    add = v.act("add_pod", ir.and_(setup, ir.op("<", v["replicas"], s.hi)),
                {"replicas": ir.op("+", v["replicas"], 1), **(pending if s.progress else placed)},
                f"setup: one more {'Pending' if s.progress else 'Ready'} replica", "setup")
    settle = v.act("settle", ir.and_(setup, ir.op(">=", v["replicas"], s.lo)),
                   {"phase": ir.Const(RUNNING)}, "setup done: the scenario starts", "setup")
    return [add, settle]


def _controllers(v: _Vars, surge: Expr, least: Expr) -> list[Action]:
    """The user's template change, the new ReplicaSet's creates, old pods' deletes."""
    s, run = v.s, ir.eq(v["phase"], RUNNING)
    pods = [k for k in v.names[3:] if k.startswith(("pending", "starting", "ready"))]
    every = ir.op("+", v.of_age("old"), v.of_age("new"))
    change = v.act("rollout", ir.and_(run, ir.op("<", v["revision"], s.rollouts),
                                      ir.eq(v.of_age("old"), 0)),
                   {"revision": ir.op("+", v["revision"], 1),
                    **{k: (v[k.replace("_old", "_new")] if "_old" in k else ir.Const(0))
                       for k in pods}},
                   "a user changes the pod template (a rollout starts)", "environment",
                   Fairness.NONE)  # fmt: skip
    room = ir.and_(run, ir.op("<", every, ir.op("+", v["replicas"], surge)),
                   ir.op("<", v.of_age("new"), v["replicas"]))
    create = v.act("create", room, {"pending_new": ir.op("+", v["pending_new"], 1)},
                   "the ReplicaSet controller creates a new-template pod", "replicaset-controller")
    out = [change, create]
    for k in [p for p in pods if "_old" in p]:
        left = ir.op("-", v.healthy(), 1 if k.startswith("ready") else 0)
        out.append(v.act("scale_down_old", ir.and_(run, ir.op(">=", v[k], 1),
                                                   ir.op(">=", left, least)),
                         {k: ir.op("-", v[k], 1)},
                         f"the Deployment controller deletes an old pod ({k})",
                         "deployment-controller", pod=k))  # fmt: skip
    return out


def _drain(v: _Vars, q: int) -> list[Action]:
    s, run, node = v.s, ir.eq(v["phase"], RUNNING), f"node{q}"
    if q > s.drains:
        return []
    guard = ir.and_(run, ir.eq(v[node], UP))
    if s.max_cordoned is not None:
        busy = ir.count(*(ir.eq(v[f"node{r}"], CORDONED) for r in range(1, s.drains + 1)))
        guard = ir.and_(guard, ir.op("<", busy, s.max_cordoned))
    out = [v.act("cordon", guard, {node: ir.Const(CORDONED)}, f"kubectl drain cordons n{q}",
                 "cluster-admin", Fairness.NONE, node=f"n{q}")]
    if s.uncordon:
        done = ir.and_(run, ir.eq(v[node], CORDONED), ir.eq(v.on(q), 0))
        out.append(v.act("uncordon", done, {node: ir.Const(DRAINED)},
                         f"kubectl drain n{q} completes; the admin uncordons n{q}",
                         "cluster-admin", node=f"n{q}"))
    return out


def _node(v: _Vars, q: int, desired: Expr) -> list[Action]:
    run, node = ir.eq(v["phase"], RUNNING), f"node{q}"
    cordoned = ir.and_(run, ir.eq(v[node], CORDONED))
    schedulable = ir.or_(ir.eq(v[node], UP), ir.eq(v[node], DRAINED))
    healthy = v.healthy()
    out = _drain(v, q)
    for a in AGES:
        ready, starting, pending = f"ready_{a}{q}", f"starting_{a}{q}", f"pending_{a}"
        out += [
            v.act("evict", ir.and_(cordoned, ir.op(">=", v[ready], 1),
                                   ir.op(">=", ir.op("-", healthy, desired), 1)),
                  {ready: ir.op("-", v[ready], 1),
                   "violated": ir.or_(v["violated"],
                                      ir.op("<", ir.op("-", healthy, 1), desired))},
                  f"the eviction API evicts a Ready {a} pod of n{q} within the PDB",
                  "eviction-api", node=f"n{q}", pod=f"Ready {a}"),
            v.act("evict", ir.and_(cordoned, ir.op(">=", v[starting], 1),
                                   unhealthy_goes(v.s.always_allow, healthy, desired)),
                  {starting: ir.op("-", v[starting], 1)},
                  f"the eviction API evicts a Starting {a} pod of n{q} (unhealthy pod policy)",
                  "eviction-api", node=f"n{q}", pod=f"Starting {a}"),
            v.act("schedule", ir.and_(run, ir.op(">=", v[pending], 1), schedulable),
                  {pending: ir.op("-", v[pending], 1), starting: ir.op("+", v[starting], 1)},
                  f"the scheduler binds a pending {a} pod to n{q}", "scheduler", node=f"n{q}",
                  pod=a),
            v.act("ready", ir.and_(run, ir.op(">=", v[starting], 1)),
                  {starting: ir.op("-", v[starting], 1), ready: ir.op("+", v[ready], 1)},
                  f"a Starting {a} pod on n{q} passes its readiness probe", "kubelet",
                  node=f"n{q}", pod=a),
        ]  # fmt: skip
    lost = {f"{k}_{a}{q}": ir.Const(0) for k in ("starting", "ready") for a in AGES}
    out.append(v.act("fail", ir.and_(run, ir.op("<", v["failures"], v.s.failures),
                                     ir.op("!=", v[node], DOWN)),
                     {node: ir.Const(DOWN), "failures": ir.op("+", v["failures"], 1), **lost},
                     f"n{q} fails and its pods are lost", "environment", Fairness.NONE,
                     node=f"n{q}"))  # fmt: skip
    return out


def rollout_system(s: RolloutScenario, desired_of: Callable[[Expr], Expr]) -> TransitionSystem:
    """The counter system of NOTE(counter-rollout) with the three properties of
    `parametric.counter_system`; `desired_of(replicas)` is the PDB's desiredHealthy."""
    v = _Vars(s)
    desired = desired_of(v["replicas"])
    surge, unavailable = fenceposts(s.max_surge, s.roll_unavailable, v["replicas"])
    least = ir.op("-", v["replicas"], unavailable)
    actions = [*_setup(v), *_controllers(v, surge, least),
               *(a for q in v.nodes for a in _node(v, q, desired))]
    props = counter_properties(v, s.watch, actions, desired, _PROGRESS, _MOVED)
    if s.progress:  # NOTE(counter-progress)
        every = ir.op("+", v.of_age("old"), v.of_age("new"))
        actions = with_progress(actions, v["progressing"], v["replicas"],
                                (every, v.of_age("new"), v.healthy()))
        props = (*props, never_stuck(actions, v["progressing"], v["phase"]))
    init = tuple(0 for _ in v.names)
    return TransitionSystem(f"rollout-counters[{s.lo}..{s.hi}]", _layout(s), (init,),
                            tuple(actions), props, terminal=ir.TRUE)  # fmt: skip


def rollout_lemma(system: TransitionSystem, s: RolloutScenario) -> Expr:
    """The structural facts of the rollout counter system (NOTE(counter-lemmas)): at most
    replicas + maxSurge pods and at most replicas new ones; no old pod before the first
    template change; failures = the nodes Down, which hold no pod; the node-state and
    setup facts of `counter_lemmas.lemma`."""
    v = {sv.name: ir.Var(i) for i, sv in enumerate(system.vars)}
    nodes = range(1, s.nodes + 1)
    age = {a: ir.sum_(v[f"pending_{a}"], *(v[f"{k}_{a}{q}"] for q in nodes
                                           for k in ("starting", "ready"))) for a in AGES}
    surge, _ = fenceposts(s.max_surge, s.roll_unavailable, v["replicas"])
    on = {q: ir.sum_(*(v[f"{k}_{a}{q}"] for k in ("starting", "ready") for a in AGES))
          for q in nodes}
    state = {q: v[f"node{q}"] for q in nodes}
    parts = [ir.op("<=", ir.op("+", age["old"], age["new"]), ir.op("+", v["replicas"], surge)),
             ir.op("<=", age["new"], v["replicas"]),
             ir.or_(ir.op(">=", v["revision"], 1), ir.eq(age["old"], 0)),
             ir.eq(v["failures"], ir.count(*(ir.eq(state[q], DOWN) for q in nodes))),
             *(ir.or_(ir.not_(ir.eq(state[q], DOWN)), ir.eq(on[q], 0)) for q in nodes),
             *(ir.or_(ir.eq(state[q], UP), ir.eq(state[q], DOWN))
               for q in nodes if q > s.drains)]  # fmt: skip
    if s.max_cordoned is not None:
        busy = ir.count(*(ir.eq(state[q], CORDONED) for q in range(1, s.drains + 1)))
        parts.append(ir.op("<=", busy, s.max_cordoned))
    placed = ir.and_(*(ir.eq(v[f"{k}_new{q}"], 0) for q in nodes  # NOTE(counter-progress)
                       for k in ("starting", "ready")))
    setup = ir.and_(ir.eq(v["failures"], 0), ir.eq(v["revision"], 0),
                    ir.eq(age["new"], v["replicas"]), ir.eq(age["old"], 0),
                    placed if s.progress else ir.eq(v["pending_new"], 0),
                    *(ir.eq(state[q], UP) for q in nodes),
                    *(ir.eq(v[f"starting_new{q}"], 0) for q in nodes))  # fmt: skip
    parts.append(ir.or_(ir.not_(ir.eq(v["phase"], SETUP)), setup))
    parts.append(ir.or_(ir.not_(ir.eq(v["phase"], RUNNING)), ir.op(">=", v["replicas"], s.lo)))
    return ir.and_(*parts)
