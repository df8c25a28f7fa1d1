"""The cluster side of the model: scheduler, controllers, budgets, eviction, failures.

Uses a stand-in pod model (`TinyPod`: Pending -> Running and Ready in one kubelet
step, or -> Succeeded/Failed for run-to-completion containers) so the cluster logic is
checked in isolation, and a reference BFS over `ir.successors`.  The PDB and eviction
IR are compared with `podcheck.kube` (`pdb_status`, `evict`) on every reachable state.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import pytest

from podcheck import ir, spec
from podcheck.kube.disruption import pdb_status
from podcheck.kube.eviction import evict
from podcheck.model.clock import Clock
from podcheck.model.cluster import FAILED, PENDING, PHASES, RUNNING, SUCCEEDED, Slot
from podcheck.model.compile import Model, build_model
from podcheck.model.eviction_api import eviction_decision
from podcheck.model.layout import Builder
from podcheck.model.manifests import controller_objects, pdb_manifest, pod_object
from podcheck.model.options import ModelOptions
from podcheck.vocab import PodPhase

W = spec.WorkloadKind


# ------------------------------------------------------------------ stand-in pod model


@dataclass(slots=True)
class TinyPod:
    """A pod that starts in one step: Ready if it runs forever, else it finishes."""

    phase_var: ir.Var
    outcome: spec.Outcome

    @property
    def phase(self) -> ir.Expr:
        return self.phase_var

    @property
    def ready(self) -> ir.Expr:
        return ir.eq(self.phase_var, RUNNING)

    @property
    def initialized(self) -> ir.Expr:
        return ir.op("!=", self.phase_var, PENDING)

    @property
    def terminal(self) -> ir.Expr:
        return ir.op(">=", self.phase_var, SUCCEEDED)

    @property
    def quiescent(self) -> ir.Expr:
        if self.outcome is spec.Outcome.RUNS:
            return ir.eq(self.phase_var, RUNNING)
        return self.terminal

    @property
    def init_order_ok(self) -> ir.Expr:
        return ir.TRUE

    def reset_updates(self) -> list[tuple[ir.Var, ir.Expr | int]]:
        return [(self.phase_var, PENDING)]

    def pod_field(self, name: str) -> ir.Expr:
        return ir.Const(0)

    def container_field(self, container: str, name: str) -> ir.Expr:
        if name == "state":
            return ir.ite(ir.eq(self.phase_var, PENDING), 0, ir.ite(self.terminal, 2, 1))
        return ir.Const(0)


def tiny_factory(clock: Clock, options: ModelOptions):
    def make(b: Builder, slot: str, template: spec.PodTemplate, active: ir.Expr) -> TinyPod:
        outcome = template.containers[0].behavior.outcome
        var = b.enum_var(f"{slot}.phase", ("Pending", "Running", "Succeeded", "Failed"),
                         "Pending", owner=f"pod {slot}", field_name="phase")
        pod = TinyPod(var, outcome)
        b.action("start", (("pod", slot),), ir.and_(active, ir.eq(var, PENDING)),
                 [(var, RUNNING if outcome is spec.Outcome.RUNS else SUCCEEDED
                   if outcome is spec.Outcome.SUCCEEDS else FAILED)],
                 f"the kubelet starts pod {slot}", "kubelet")
        return pod

    return make


# ------------------------------------------------------------------ spec helpers


def template(name: str = "web", labels: tuple[tuple[str, str], ...] = (("app", "web"),),
             requests: tuple[tuple[str, str], ...] = (), outcome=spec.Outcome.RUNS,
             init_requests: tuple[tuple[str, str], ...] | None = None,
             restart: str = "Always", grace: int = 0) -> spec.PodTemplate:
    inits = () if init_requests is None else (
        spec.Container("migrate", requests=init_requests,
                       behavior=spec.Behavior(outcome=spec.Outcome.SUCCEEDS)),)
    app = spec.Container("app", requests=requests, behavior=spec.Behavior(outcome=outcome))
    # grace 0 by default: deletes are atomic, as the pinned counts below assume;
    # the agreement tests also run with the default 30 s (Terminating pods)
    return spec.PodTemplate(name, labels, restart, initContainers=inits, containers=(app,),
                            terminationGracePeriodSeconds=grace)


def deployment(name: str = "web", replicas: int = 2, **kw) -> spec.Workload:
    return spec.Workload(W.DEPLOYMENT, name, template(name, (("app", name),), **kw),
                         replicas=replicas)


def nodes(*names: str, capacity=(), zone: str = "") -> tuple[spec.Node, ...]:
    return tuple(spec.Node(n, capacity, zone) for n in names)


def pdb(min_available=None, max_unavailable=None, app="web", policy="IfHealthyBudget"):
    def ip(v):
        if v is None:
            return None
        return spec.IntOrPercent(int(v[:-1]), True) if isinstance(v, str) else spec.IntOrPercent(v)

    return spec.PodDisruptionBudget(f"{app}-pdb", (("app", app),), (), ip(min_available),
                                    ip(max_unavailable), policy)


def build(sp: spec.CheckedSpec, **opts) -> Model:
    result = build_model(sp, ModelOptions(**opts), tiny_factory)
    assert result.ok, result.diagnostics
    assert result.value is not None
    return result.value


def reachable(system: ir.TransitionSystem, limit: int = 200_000) -> list[ir.State]:
    """Reference BFS over `ir.successors` (deterministic order)."""
    seen = {s: None for s in system.init}
    queue = deque(system.init)
    while queue:
        state = queue.popleft()
        for _, nxt in ir.successors(system, state):
            if nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
                assert len(seen) <= limit, "state space larger than expected"
    return list(seen)


def value(model: Model, expr: ir.Expr, state: ir.State) -> int:
    return ir.evaluate(expr, state)


def slot(model: Model, name: str) -> Slot:
    return next(s for s in model.cluster.slots if s.name == name)


def node_of(model: Model, s: Slot, state: ir.State) -> str:
    index = state[s.node.index]
    return "" if index == 0 else model.cluster.nodes[index - 1].name


def pods_in(model: Model, state: ir.State) -> list[dict[str, object]]:
    c = model.cluster
    return [pod_object(s.name, s.workload, PodPhase(PHASES[value(model, c.phase(s), state)]),
                       bool(value(model, c.ready(s), state)),
                       bool(value(model, c.terminating(s), state)))
            for s in c.slots if state[s.exists.index]]


def controllers(sp: spec.CheckedSpec) -> list[dict[str, object]]:
    return controller_objects(sp)


def fired(system: ir.TransitionSystem, state: ir.State, name: str) -> list[ir.Action]:
    return [system.actions[i] for i, _ in ir.successors(system, state)
            if system.actions[i].name == name]


# ------------------------------------------------------------------ tests: layout & counts


def test_state_count_of_two_replicas_on_two_nodes_is_pinned():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"))
    states = reachable(build(sp).system)
    # per pod: Pending unbound (1), bound to n1/n2 and Pending or Running (4): 5 * 5
    assert len(states) == 25


def test_state_count_with_drain_and_pdb_is_pinned():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"), (pdb(1),),
                          spec.Environment(drain=("n1",), disruptionsStart=SETTLED))
    # NOTE(settle-first), with `disruptionsStart: once-settled`: 25 before the drain;
    # 16 with n1 cordoned (both Running, or one Running and the
    # other absent / unbound / bound-Pending on n2: 4 + 4 * 3); 11 after the uncordon
    # (n1 empty: the survivor Running on n2 and the other absent, unbound, Pending or
    # Running on either node)
    assert len(reachable(build(sp).system)) == 25 + 16 + 11


def test_capacities_and_requests_are_scaled_to_small_integers():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=1, requests=(("cpu", "500m"),)),),
                          nodes("n1", capacity=(("cpu", "2"),)))
    m = build(sp)
    assert m.cluster.nodes[0].capacity == {"cpu": 4}
    assert slot(m, "web-1").requests == {"cpu": 1}  # no node limits `pods`


def test_pods_capacity_counts_one_per_pod():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),),
                          nodes("n1", "n2", capacity=(("pods", "1"),)))
    m = build(sp)
    assert slot(m, "web-1").requests == {"pods": 1}
    for st in reachable(m.system):
        bound = [node_of(m, s, st) for s in m.cluster.slots if node_of(m, s, st)]
        assert len(bound) == len(set(bound))


def test_scheduler_never_overcommits_a_node():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=3, requests=(("cpu", "1"),)),),
                          nodes("n1", "n2", capacity=(("cpu", "2"),)))
    m = build(sp)
    for state in reachable(m.system):
        per_node = [sum(1 for s in m.cluster.slots if node_of(m, s, state) == n.name)
                    for n in m.cluster.nodes]
        assert max(per_node) <= 2
    assert any(all(node_of(m, s, st) for s in m.cluster.slots) for st in reachable(m.system))


def test_init_container_larger_than_any_node_never_schedules():
    big = deployment(replicas=1, requests=(("cpu", "1"),), init_requests=(("cpu", "3"),))
    sp = spec.CheckedSpec("t.pod", (big,), nodes("n1", "n2", capacity=(("cpu", "2"),)))
    m = build(sp)
    states = reachable(m.system)
    assert len(states) == 1
    assert not list(ir.successors(m.system, states[0]))
    assert not ir.evaluate(m.system.terminal, states[0]), "a stuck pod is a deadlock"


def test_same_pod_without_the_big_init_container_schedules():
    small = deployment(replicas=1, requests=(("cpu", "1"),), init_requests=(("cpu", "2"),))
    sp = spec.CheckedSpec("t.pod", (small,), nodes("n1", capacity=(("cpu", "2"),)))
    m = build(sp)
    assert any(node_of(m, slot(m, "web-1"), st) == "n1" for st in reachable(m.system))


# ------------------------------------------------------------------ budgets vs kube


BUDGETS = [
    pdb(1), pdb(2), pdb("50%"), pdb(max_unavailable=1), pdb(max_unavailable="34%"),
    pdb(1, policy="AlwaysAllow"), pdb(0),
]


# with a 30 s grace period (Terminating pods, deletionTimestamp in the pod objects) on
# two replicas: three take minutes on the reference BFS
CASES = [*((b, 0) for b in BUDGETS), (pdb(1), 30)]


@pytest.mark.parametrize(("budget", "grace"), CASES,
                         ids=lambda b: str(pdb_manifest(b)["spec"]) if not isinstance(b, int)
                         else f"grace={b}")
def test_pdb_and_eviction_ir_agree_with_kube_on_every_reachable_state(budget, grace):
    replicas = 2 if grace else 3
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=replicas, grace=grace),),
                          nodes("n1", "n2"),
                          (budget,),
                          spec.Environment(drain=("n1",), nodeFailures=1))
    m = build(sp)
    (b,) = m.budgets
    c, ctl = m.cluster, controllers(sp)
    grants = [(s, eviction_decision(c, s, list(m.budgets))[0]) for s in c.slots]
    states = reachable(m.system)
    assert len(states) > 100
    decisions = set()
    for state in states:
        pods = pods_in(m, state)
        status = pdb_status(pdb_manifest(budget), pods, ctl)
        ir_status = {"currentHealthy": value(m, b.healthy, state),
                     "desiredHealthy": value(m, b.desired, state),
                     "expectedPods": value(m, b.expected, state),
                     "disruptionsAllowed": value(m, b.allowed, state)}
        assert ir_status == status, state
        pdb_now = [pdb_manifest(budget, status)]
        existing = [(s, g) for s, g in grants if state[s.exists.index]]
        for pod, (s, granted) in zip(pods, existing, strict=True):
            allowed = evict(pod, pdb_now).allowed
            assert bool(ir.evaluate(granted, state)) == allowed, (s.name, state)
            decisions.add(allowed)
    assert decisions == {True, False} or budget.minAvailable == spec.IntOrPercent(0)


def test_two_pdbs_make_every_running_eviction_a_500():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"),
                          (pdb(1), spec.PodDisruptionBudget("other", (("app", "web"),), (),
                                                            None, spec.IntOrPercent(1))),
                          spec.Environment(drain=("n1",)))
    m = build(sp)
    refusals = {a.label for st in reachable(m.system)
                for a in fired(m.system, st, "evict_refused")}
    assert refusals == {
        "the eviction API refuses (500) the eviction of web-1: This pod has more than one "
        "PodDisruptionBudget, which the eviction subresource does not support. "
        "(kubectl drain retries)",
        "the eviction API refuses (500) the eviction of web-2: This pod has more than one "
        "PodDisruptionBudget, which the eviction subresource does not support. "
        "(kubectl drain retries)",
    }


# ------------------------------------------------------------------ drains & failures


SETTLED = spec.DisruptionStart.ONCE_SETTLED


def test_disruptions_start_from_the_first_state_by_default():
    m = build(drain_spec(1, drain=("n1",), nodeFailures=1))
    first = m.system.init[0]
    names = {m.system.actions[i].name for i, _ in ir.successors(m.system, first)}
    assert {"cordon", "node_fails"} <= names


def drain_spec(k: int, **env) -> spec.CheckedSpec:
    return spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"), (pdb(k),),
                            spec.Environment(**env))


def ready_count(m: Model, state: ir.State) -> int:
    return sum(value(m, m.cluster.ready(s), state) for s in m.cluster.slots)


def started(m: Model, state: ir.State) -> bool:
    return bool(ir.evaluate(m.cluster.started(), state))


def test_drain_through_the_eviction_api_keeps_min_available():
    m = build(drain_spec(1, drain=("n1", "n2"), drainMode=spec.DrainMode.CONCURRENT,
                         disruptionsStart=SETTLED))
    states = reachable(m.system)
    assert any(started(m, st) for st in states)
    assert all(ready_count(m, st) >= 1 for st in states if started(m, st))


def test_drain_evicts_and_the_replicaset_recreates():
    m = build(drain_spec(1, drain=("n1",)))
    labels = {m.system.actions[i].label for st in reachable(m.system)
              for i, _ in ir.successors(m.system, st)}
    assert "the eviction API grants the eviction of web-1: the pod is deleted" in labels
    assert ("the eviction API refuses (429) the eviction of web-1: Cannot evict pod as it "
            "would violate the pod's disruption budget. (kubectl drain retries)") in labels
    assert ("the ReplicaSet controller of Deployment web creates pod web-1 (a new uid)"
            in labels)


@pytest.mark.parametrize("env", [{"podDeletes": 1}, {"nodeFailures": 1}])
def test_direct_delete_and_node_failure_take_ready_pods_below_the_budget(env):
    m = build(drain_spec(2, **env))
    assert any(started(m, st) and ready_count(m, st) < 2 for st in reachable(m.system))


def test_bare_pod_on_failed_node_is_gone_forever_deployment_pod_comes_back():
    bare = spec.Workload(W.POD, "db", template("db", (("app", "db"),)))
    sp = spec.CheckedSpec("t.pod", (bare, deployment(replicas=1)), nodes("n1", "n2"),
                          environment=spec.Environment(nodeFailures=1))
    m = build(sp)
    db, web = slot(m, "db"), slot(m, "web-1")
    states = reachable(m.system)
    lost = [st for st in states if started(m, st) and not st[db.exists.index]]
    assert lost, "the taint eviction controller deletes the bare pod"
    gone_forever = {st for st in states if started(m, st) and not st[db.exists.index]}
    for st in gone_forever:
        assert all(nxt in gone_forever for _, nxt in ir.successors(m.system, st))
    assert any(fired(m.system, st, "create_pod") for st in states
               if not st[web.exists.index])
    assert not any(fired(m.system, st, "create_pod") and "db" in fired(
        m.system, st, "create_pod")[0].label for st in states)


def test_daemonset_pod_stays_on_a_down_node_and_is_terminal():
    ds = spec.Workload(W.DAEMONSET, "agent", template("agent", (("app", "agent"),)))
    sp = spec.CheckedSpec("t.pod", (ds,), nodes("n1", "n2"),
                          environment=spec.Environment(nodeFailures=1, disruptionsStart=SETTLED))
    m = build(sp)
    states = reachable(m.system)
    a1 = slot(m, "agent-n1")
    down = [st for st in states if st[m.cluster.nodes[0].state.index] == 2]
    assert down and all(st[a1.exists.index] and node_of(m, a1, st) == "n1" for st in down)
    # NOTE(no-unknown-phase): the phase stays as last reported; the pod is NodeLost
    assert all(value(m, m.cluster.phase(a1), st) == 1 for st in down)
    assert all(value(m, m.cluster.node_lost(a1), st) == 1 for st in down)
    assert all(value(m, m.cluster.ready(a1), st) == 0 for st in down)
    sinks = [st for st in states if not list(ir.successors(m.system, st))]
    assert sinks and all(ir.evaluate(m.system.terminal, st) for st in sinks)


def test_zone_failure_takes_down_every_node_of_the_zone():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=1),),
                          (*nodes("n1", "n2", zone="a"), *nodes("n3", zone="b")),
                          environment=spec.Environment(zoneFailures=1))
    m = build(sp)
    downs = {tuple(st[n.state.index] == 2 for n in m.cluster.nodes) for st in reachable(m.system)}
    assert downs == {(False, False, False), (True, True, False), (False, False, True)}


def test_job_counts_completions_and_backoff():
    job = spec.Workload(W.JOB, "migrate", template("migrate", (("app", "m"),),
                                                   outcome=spec.Outcome.FAILS,
                                                   restart="Never"),
                        completions=1, parallelism=1, backoffLimit=2)
    sp = spec.CheckedSpec("t.pod", (job,), nodes("n1"))
    m = build(sp)
    failed = m.cluster.counters.job_failed["migrate"]
    finals = [st for st in reachable(m.system) if not list(ir.successors(m.system, st))]
    assert [st[failed.index] for st in finals] == [3]
    assert all(ir.evaluate(m.system.terminal, st) for st in finals)


def test_uid_grows_only_on_recreation_and_wraps_at_the_bound():
    sp = spec.CheckedSpec(
        "t.pod", (deployment(replicas=1),), nodes("n1", "n2"),
        environment=spec.Environment(podDeletes=3),
        properties=(spec.PropertyDecl("u", spec.Binary(">=", spec.Attr(
            spec.Ref("web-1"), "uid"), spec.IntLit(0))),))
    m = build(sp, uid_bound=2)
    uid = slot(m, "web-1").uid
    assert uid is not None
    assert sorted({st[uid.index] for st in reachable(m.system)}) == [0, 1, 2]


def test_one_at_a_time_drain_uncordons_before_the_next():
    m = build(drain_spec(1, drain=("n1", "n2")))
    n1, n2 = (n.state.index for n in m.cluster.nodes)
    for st in reachable(m.system):
        assert not (st[n1] == 1 and st[n2] == 1)
    assert any(st[n1] == 3 and st[n2] == 3 for st in reachable(m.system))
