"""`compile_spec` end to end: the real pod model, diagnostics, terminal states, rollouts."""

from __future__ import annotations

import pytest

from podcheck import estimate, ir, spec
from podcheck.diagnostics import Severity
from podcheck.diagnostics.codes import REGISTRY
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import check_liveness
from podcheck.engine.result import Verdict
from podcheck.model.compile import build_model, compile_spec
from podcheck.model.options import ModelOptions
from podcheck.spec import NO_SPAN
from tests.model.test_cluster import (
    W,
    build,
    deployment,
    nodes,
    pdb,
    reachable,
    template,
    tiny_factory,
)


def builtin(name: str, *args: str) -> spec.PropertyDecl:
    return spec.PropertyDecl(name, None, name, args)


def drain_spec(*props: spec.PropertyDecl) -> spec.CheckedSpec:
    return spec.CheckedSpec("specs/t.pod", (deployment(replicas=2),), nodes("n1", "n2"),
                            (pdb(1),), spec.Environment(drain=("n1", "n2")), props)


def test_compile_spec_with_the_kubelet_model_is_pinned():
    result = compile_spec(drain_spec(builtin("budget-respected"), builtin("no-deadlock"),
                                     builtin("drain-completes")))
    assert result.ok and result.diagnostics == ()
    system = result.value
    assert system is not None and system.name == "t" and system.source == "specs/t.pod"
    checked, graph = explore(system, BfsOptions(keep_graph=True))
    assert graph is not None
    assert checked.stats.states == 277  # 135 before disruptions started from the first state
    assert checked.deadlock is None
    verdicts = [r.verdict for r in checked.results[:2]]
    assert verdicts == [Verdict.HOLDS, Verdict.HOLDS]
    assert check_liveness(graph, system.properties[2]).verdict is Verdict.HOLDS


def test_init_order_holds_with_real_init_containers():
    t = spec.PodTemplate("web", (("app", "web"),), initContainers=(
        spec.Container("a", behavior=spec.Behavior(outcome=spec.Outcome.SUCCEEDS)),
        spec.Container("b", behavior=spec.Behavior(outcome=spec.Outcome.SUCCEEDS))),
        containers=(spec.Container("app"),))
    sp = spec.CheckedSpec("t.pod", (spec.Workload(W.DEPLOYMENT, "web", t, replicas=1),),
                          nodes("n1"), properties=(builtin("init-order"),))
    system = compile_spec(sp).value
    assert system is not None
    checked = explore(system)[0]
    assert checked.stats.states > 3
    assert [r.verdict for r in checked.results] == [Verdict.HOLDS]


def test_actors_and_fairness():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"), (pdb(1),),
                          spec.Environment(drain=("n1",), nodeFailures=1, podDeletes=1))
    m = build(sp)
    by_name = {(a.name, a.actor, a.fairness) for a in m.system.actions}
    assert ("evict", "eviction-api", ir.Fairness.STRONG) in by_name
    assert ("cordon", "kubectl-drain", ir.Fairness.NONE) in by_name
    assert ("node_fails", "environment", ir.Fairness.NONE) in by_name
    assert ("delete_pod", "environment", ir.Fairness.NONE) in by_name
    assert ("bind", "scheduler", ir.Fairness.WEAK) in by_name
    assert ("create_pod", "replicaset-controller", ir.Fairness.WEAK) in by_name
    # NOTE(eviction-fairness): the grant is strongly fair on its own; a refusal is a
    # separate, weakly fair self-loop (so refusals cannot stand in for the grant)
    assert ("evict_refused", "eviction-api", ir.Fairness.WEAK) in by_name
    grants = sorted(a.params for a in m.system.actions if a.name == "evict")
    refusals = sorted(a.params for a in m.system.actions if a.name == "evict_refused")
    assert grants == refusals == [(("pod", p),) for p in ("web-1", "web-2")]
    assert all(a.updates for a in m.system.actions if a.name == "evict")
    assert not any(a.updates for a in m.system.actions if a.name == "evict_refused")


def test_disruptions_wait_for_the_workload_to_come_up_once_settled():
    m = build(spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"),
                               environment=spec.Environment(
                                   nodeFailures=1,
                                   disruptionsStart=spec.DisruptionStart.ONCE_SETTLED)))
    for st in reachable(m.system):
        if ir.evaluate(m.cluster.started(), st):
            continue
        names = {m.system.actions[i].name for i, _ in ir.successors(m.system, st)}
        up = ir.evaluate(m.cluster.all_up(), st)
        assert ("node_fails" in names) == bool(up)


def test_history_variables_exist_only_when_read():
    plain = build(drain_spec())
    assert not any(v.field in ("uid", "evicted", "endpoint") for v in plain.system.vars)
    read = spec.Binary("or", spec.Attr(spec.Ref("web-1"), "evicted"),
                       spec.Binary(">=", spec.Attr(spec.Ref("web-1"), "uid"), spec.IntLit(0)))
    m = build(drain_spec(spec.PropertyDecl("p", read)))
    assert {v.field for v in m.system.vars} >= {"uid", "evicted"}
    evicted = next(s for s in m.cluster.slots if s.name == "web-1").evicted
    assert evicted is not None
    assert any(st[evicted.index] for st in reachable(m.system))


def test_rollout_respects_max_surge_and_max_unavailable():
    w = spec.Workload(W.DEPLOYMENT, "web", template(), replicas=2,
                      maxSurge=spec.IntOrPercent(1), maxUnavailable=spec.IntOrPercent(0))
    sp = spec.CheckedSpec("t.pod", (w,), nodes("n1", "n2"),
                          environment=spec.Environment(
                              rollouts=1, disruptionsStart=spec.DisruptionStart.ONCE_SETTLED),
                          properties=(builtin("eventually-ready"),))
    m = build(sp)
    assert len(m.cluster.slots) == 3
    revision = m.cluster.counters.revisions["web"]
    states = reachable(m.system)
    done = [st for st in states if st[revision.index] == 1 and all(
        st[s.revision.index] == 1 for s in m.cluster.slots if st[s.exists.index])]
    assert done
    for st in states:
        existing = sum(st[s.exists.index] for s in m.cluster.slots)
        assert existing <= 3
        if st[revision.index] == 1:
            assert sum(ir.evaluate(m.cluster.ready(s), st) for s in m.cluster.slots) >= 2


def test_pdb_selecting_nothing_is_a_warning():
    sp = spec.CheckedSpec("t.pod", (deployment(),), nodes("n1"), (pdb(1, app="nope"),))
    result = build_model(sp, ModelOptions(), tiny_factory)
    assert result.value is not None
    assert [(d.code, d.severity) for d in result.diagnostics] == [("PC301", Severity.WARNING)]


def test_daemonset_pdb_with_max_unavailable_falls_back_to_fail_safe():
    ds = spec.Workload(W.DAEMONSET, "agent", template("agent", (("app", "agent"),)))
    sp = spec.CheckedSpec("t.pod", (ds,), nodes("n1"), (pdb(max_unavailable=1, app="agent"),))
    result = build_model(sp, ModelOptions(), tiny_factory)
    assert [d.code for d in result.diagnostics] == ["PC304"]
    assert result.value is not None and result.value.budgets[0].fail_safe


def test_two_pdbs_over_one_workload_warn():
    other = spec.PodDisruptionBudget("other", (("app", "web"),), (), spec.IntOrPercent(1))
    sp = spec.CheckedSpec("t.pod", (deployment(),), nodes("n1"), (pdb(1), other))
    result = build_model(sp, ModelOptions(), tiny_factory)
    assert [d.code for d in result.diagnostics] == ["PC305"]


def test_a_quantity_kubernetes_rejects_is_an_error():
    sp = spec.CheckedSpec("t.pod", (deployment(),), nodes("n1", capacity=(("cpu", "2x"),)))
    result = compile_spec(sp)
    assert result.value is None
    assert [d.code for d in result.diagnostics] == ["PC306"]
    assert "2x" in result.diagnostics[0].message


@pytest.mark.parametrize("code", ["PC301", "PC302", "PC303", "PC304", "PC305", "PC306"])
def test_model_codes_are_registered(code):
    assert REGISTRY[code].summary


def test_huge_domains_warn():
    # PC303 moved out of the model compiler into podcheck.estimate (it compares with the
    # run's limits); tests/reliability/test_estimate.py pins it further.
    small = spec.CheckedSpec("t.pod", (deployment(replicas=3),), nodes("n1", "n2", "n3"))
    model = build_model(small, ModelOptions(), tiny_factory)
    assert model.diagnostics == () and model.value is not None
    assert estimate.warning(model.value.system, estimate.Limits(), NO_SPAN) is None
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=90),), nodes("n1", "n2", "n3"))
    result = build_model(sp, ModelOptions(), tiny_factory)
    assert result.diagnostics == () and result.value is not None
    found = estimate.warning(result.value.system, estimate.Limits(symmetry=False), NO_SPAN)
    assert found is not None and found.code == "PC303"
