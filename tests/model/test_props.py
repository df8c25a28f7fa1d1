"""The property compiler: formula expansion, enum encodings, temporal shapes, built-ins.

Built-in verdicts are decided with the BFS and liveness engines on models that use
the stand-in pod model of test_cluster.py.
"""

from __future__ import annotations

import pytest

from podcheck import ir, spec
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import check_liveness
from podcheck.engine.result import Verdict
from podcheck.model.compile import build_model
from podcheck.model.options import ModelOptions
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

E = ir.Expectation


def attr(obj: str, field: str) -> spec.Attr:
    return spec.Attr(spec.Ref(obj), field)


def cmp(op: str, a: spec.Expr, b: spec.Expr) -> spec.Binary:
    return spec.Binary(op, a, b)


def with_props(sp: spec.CheckedSpec, *decls: spec.PropertyDecl,
               expects: tuple[spec.Expect, ...] = ()) -> spec.CheckedSpec:
    return spec.CheckedSpec(sp.path, sp.workloads, sp.nodes, sp.pdbs, sp.environment,
                            decls, expects)


def verdicts(sp: spec.CheckedSpec) -> dict[str, Verdict]:
    m = build(sp)
    result, graph = explore(m.system, BfsOptions(keep_graph=True))
    assert graph is not None and result.stats.complete
    out = {r.name: r.verdict for r in result.results}
    for prop in m.system.properties:
        if prop.expectation not in (E.ALWAYS, E.SOMETIMES):
            out[prop.name] = check_liveness(graph, prop).verdict
    return out


def base(k: int = 1, **env) -> spec.CheckedSpec:
    return spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"), (pdb(k),),
                            spec.Environment(**env))


def builtin(name: str, *args: str) -> spec.PropertyDecl:
    return spec.PropertyDecl(name, None, name, args)


def formula(name: str, f: spec.Expr) -> spec.PropertyDecl:
    return spec.PropertyDecl(name, f)


# ------------------------------------------------------------------ expressions


def test_quantifiers_range_over_existing_pods_only():
    ready_all = formula("all-ready", spec.Quant("forall", "p", spec.Domain("pods", "web"),
                                                 attr("p", "ready")))
    count2 = formula("two", cmp("==", spec.Count("p", spec.Domain("pods")), spec.IntLit(2)))
    m = build(with_props(base(podDeletes=1), ready_all, count2))
    forall, two = m.system.properties
    states = reachable(m.system)
    absent = [st for st in states if not all(st[s.exists.index] for s in m.cluster.slots)]
    assert absent
    for st in states:
        existing = [s for s in m.cluster.slots if st[s.exists.index]]
        ready = [ir.evaluate(m.cluster.ready(s), st) for s in existing]
        assert ir.evaluate(forall.condition, st) == int(all(ready))
        assert ir.evaluate(two.condition, st) == int(len(existing) == 2)


def test_enum_literals_take_the_encoding_of_their_field():
    running = formula("r", cmp("==", attr("web-1", "phase"), spec.EnumLit("Running")))
    on_n1 = formula("n", cmp("==", attr("web-1", "node"), spec.Ref("n1")))
    cordoned = formula("c", cmp("==", attr("n1", "state"), spec.EnumLit("Cordoned")))
    m = build(with_props(base(drain=("n1",)), running, on_n1, cordoned))
    web1 = next(s for s in m.cluster.slots if s.name == "web-1")
    n1 = m.cluster.nodes[0]
    seen = set()
    for st in reachable(m.system):
        r, n, c = (ir.evaluate(p.condition, st) for p in m.system.properties)
        assert r == int(ir.evaluate(web1.model.phase, st) == 1 and st[web1.node.index] != 0)
        assert n == int(st[web1.node.index] == n1.index)
        assert c == int(st[n1.state.index] == 1)
        seen.add((r, n, c))
    assert len(seen) > 4


def test_a_drained_node_reads_as_ready_again():
    ready = formula("n1-ready", cmp("==", attr("n1", "state"), spec.EnumLit("Ready")))
    m = build(with_props(base(drain=("n1",)), ready))
    (prop,) = m.system.properties
    n1 = m.cluster.nodes[0].state.index
    drained = [st for st in reachable(m.system) if st[n1] == 3]
    assert drained and all(ir.evaluate(prop.condition, st) for st in drained)


def test_node_pods_counts_non_terminal_pods_bound_there():
    f = formula("p", cmp("<=", attr("n1", "pods"), spec.IntLit(1)))
    assert verdicts(with_props(base(), f)) == {"p": Verdict.VIOLATED}


@pytest.mark.parametrize(("f", "shape"), [
    (attr("web-1", "ready"), E.ALWAYS),
    (spec.Temporal("always", (attr("web-1", "ready"),)), E.ALWAYS),
    (spec.Temporal("eventually", (attr("web-1", "ready"),)), E.EVENTUALLY),
    (spec.Temporal("always_eventually", (attr("web-1", "ready"),)), E.ALWAYS_EVENTUALLY),
    (spec.Temporal("always", (spec.Temporal("eventually", (attr("web-1", "ready"),)),)),
     E.ALWAYS_EVENTUALLY),
    (spec.Temporal("leadsto", (attr("web-1", "exists"), attr("web-1", "ready"))), E.LEADS_TO),
    (spec.Temporal("always", (spec.Binary("implies", attr("web-1", "exists"), spec.Temporal(
        "eventually", (attr("web-1", "ready"),))),)), E.LEADS_TO),
])
def test_temporal_shapes(f, shape):
    m = build(with_props(base(), formula("x", f), expects=(spec.Expect("x", "holds"),)))
    (prop,) = m.system.properties
    assert prop.expectation is shape and prop.expected == "holds"


def test_unsupported_shape_is_a_pc302_diagnostic():
    nested = spec.Temporal("eventually", (spec.Temporal("always", (attr("web-1", "ready"),)),))
    result = build_model(with_props(base(), formula("bad", nested)), ModelOptions(),
                         tiny_factory)
    assert result.value is None
    assert [d.code for d in result.diagnostics] == ["PC302"]


def test_enum_compared_with_a_wrong_field_is_a_diagnostic():
    bad = formula("bad", cmp("==", attr("web-1", "ready"), spec.EnumLit("Running")))
    result = build_model(with_props(base(), bad), ModelOptions(), tiny_factory)
    assert [d.code for d in result.diagnostics] == ["PC302"]


# ------------------------------------------------------------------ built-ins


def test_budget_respected_holds_under_drains():
    sp = with_props(base(drain=("n1", "n2"), drainMode=spec.DrainMode.CONCURRENT),
                    builtin("budget-respected"))
    assert verdicts(sp) == {"budget-respected": Verdict.HOLDS}


@pytest.mark.parametrize(("env", "k", "verdict"), [
    ({"podDeletes": 1}, 1, Verdict.HOLDS),  # one delete leaves one of two Ready
    ({"podDeletes": 1}, 2, Verdict.VIOLATED),
    ({"nodeFailures": 1}, 1, Verdict.VIOLATED),  # no anti-affinity: both on one node
    ({"nodeFailures": 1}, 2, Verdict.VIOLATED),
])
def test_always_available_is_violated_by_deletes_and_failures(env, k, verdict):
    # NOTE(budget-checks): a PDB does not stop deletes or node failures; the eviction
    # API's promise (`budget-respected`) holds, availability (`always-available`) does not.
    sp = with_props(base(k, **env), builtin("budget-respected"), builtin("always-available"))
    assert verdicts(sp) == {"budget-respected": Verdict.HOLDS, "always-available": verdict}


def test_always_available_holds_under_drains_once_the_pods_came_up():
    sp = with_props(base(drain=("n1", "n2"), drainMode=spec.DrainMode.CONCURRENT),
                    builtin("always-available"))
    assert verdicts(sp) == {"always-available": Verdict.HOLDS}


def test_budget_respected_flags_a_granted_eviction_below_desired():
    """The check is not a tautology of the model's own eviction rule: the same condition
    evaluated against a budget whose desired count is one higher fails."""
    from podcheck.model.budget_checks import budget_respected
    from podcheck.model.budgets import Budget
    m = build(base(1, drain=("n1", "n2"), drainMode=spec.DrainMode.CONCURRENT))
    strict = [Budget(b.pdb, b.selected, b.fail_safe, b.healthy, b.expected,
                     ir.op("+", b.desired, 1), b.allowed) for b in m.budgets]
    cond = budget_respected(m.cluster, strict, ())
    assert any(not ir.evaluate(cond, st) for st in reachable(m.system))


def test_drain_completes_one_at_a_time_but_not_with_min_available_all():
    ok = with_props(base(drain=("n1", "n2")), builtin("drain-completes"))
    assert verdicts(ok) == {"drain-completes": Verdict.HOLDS}
    stuck = with_props(base(2, drain=("n1",)), builtin("drain-completes"))
    assert verdicts(stuck) == {"drain-completes": Verdict.VIOLATED}


def test_concurrent_drain_of_every_node_gets_stuck():
    sp = with_props(base(drain=("n1", "n2"), drainMode=spec.DrainMode.CONCURRENT),
                    builtin("drain-completes"))
    assert verdicts(sp) == {"drain-completes": Verdict.VIOLATED}


def test_eventually_ready_and_recovery():
    sp = with_props(base(nodeFailures=1), builtin("eventually-ready", "web"),
                    builtin("recovers-after-failure"))
    assert verdicts(sp) == {"eventually-ready": Verdict.HOLDS,
                            "recovers-after-failure": Verdict.HOLDS}
    bare = spec.CheckedSpec("t.pod", (spec.Workload(W.POD, "db", template("db")),),
                            nodes("n1", "n2"), environment=spec.Environment(nodeFailures=1),
                            properties=(builtin("recovers-after-failure"),))
    assert verdicts(bare) == {"recovers-after-failure": Verdict.VIOLATED}


def test_job_completes_unless_it_always_fails():
    def job(outcome: spec.Outcome) -> spec.CheckedSpec:
        w = spec.Workload(W.JOB, "j", template("j", outcome=outcome, restart="Never"),
                          backoffLimit=1)
        return spec.CheckedSpec("t.pod", (w,), nodes("n1"),
                                properties=(builtin("job-completes"),))

    assert verdicts(job(spec.Outcome.SUCCEEDS)) == {"job-completes": Verdict.HOLDS}
    assert verdicts(job(spec.Outcome.FAILS)) == {"job-completes": Verdict.VIOLATED}


def test_no_unready_traffic_sees_the_endpoint_lag():
    sp = with_props(base(nodeFailures=1), builtin("no-unready-traffic"))
    assert verdicts(sp) == {"no-unready-traffic": Verdict.VIOLATED}
    calm = with_props(base(), builtin("no-unready-traffic"))
    assert verdicts(calm) == {"no-unready-traffic": Verdict.HOLDS}


def test_no_deadlock_matches_the_engine_deadlock_check():
    big = deployment(replicas=1, requests=(("cpu", "3"),))
    stuck = spec.CheckedSpec("t.pod", (big,), nodes("n1", capacity=(("cpu", "2"),)),
                             properties=(builtin("no-deadlock"),))
    m = build(stuck)
    result = explore(m.system)[0]
    assert result.deadlock is not None
    assert [r.verdict for r in result.results] == [Verdict.VIOLATED]
    fine = with_props(base(drain=("n1",), nodeFailures=1), builtin("no-deadlock"))
    m = build(fine)
    result = explore(m.system)[0]
    assert result.deadlock is None
    assert [r.verdict for r in result.results] == [Verdict.HOLDS]


def test_enum_tables_match_the_spec_vocabulary():
    from podcheck.model.cluster import PHASES
    from podcheck.model.props import NODE_STATES

    assert PHASES == spec.POD_FIELDS["phase"]
    assert NODE_STATES == spec.NODE_FIELDS["state"]
