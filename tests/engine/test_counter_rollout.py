"""The rollout counter system (NOTE(counter-rollout), issue 12 item 3): its rounding
against `kube.rollout` at every count, its lemma, what its runs reach, and Spacer's
range verdicts against per-count BFS of the counter system at every count of a range."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from podcheck import ir
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.counter_lemmas import is_inductive, strengthened
from podcheck.engine.counter_rollout import rollout_lemma
from podcheck.engine.counter_rules import fenceposts, scaled
from podcheck.engine.parametric import CounterScenario, counter_system, smallest_failing
from podcheck.engine.result import Verdict
from podcheck.kube.intstr import IntOrPercent
from podcheck.kube.rollout import Strategy, max_surge, max_unavailable, scaled_value

NO_SYMMETRY = BfsOptions(symmetry=False, check_deadlock=False)
P = IntOrPercent
VALUES = [*(P(v) for v in range(0, 4)), *(P(p, True) for p in (0, 1, 10, 25, 33, 50, 75, 100))]


def raw(value: IntOrPercent) -> int | str:
    return f"{value.value}%" if value.percent else value.value


@pytest.mark.parametrize("value", VALUES, ids=str)
@pytest.mark.parametrize("round_up", [True, False])
def test_scaled_rounds_as_intstr_at_every_count(value, round_up):
    # intstr GetScaledValueFromIntOrPercent, via kube.rollout.scaled_value
    expr = scaled(value, ir.Var(0), round_up)
    for n in range(0, 301):
        assert ir.evaluate(expr, (n,)) == scaled_value(raw(value), n, round_up, "f"), (value, n)


@pytest.mark.parametrize("surge", VALUES, ids=str)
@pytest.mark.parametrize("unavailable", VALUES, ids=str)
def test_fenceposts_are_kubes_at_every_count(surge, unavailable):
    # deployment_util.go ResolveFenceposts / MaxSurge / MaxUnavailable (both 0: 1)
    strategy = Strategy(max_surge=raw(surge), max_unavailable=raw(unavailable))
    up, down = fenceposts(surge, unavailable, ir.Var(0))
    for n in range(1, 301):
        got = (ir.evaluate(up, (n,)), ir.evaluate(down, (n,)))
        want = (max_surge(strategy, n), max_unavailable(strategy, n))
        assert got == want, (surge, unavailable, n)


def rolling(lo: int, hi: int, **kw: object) -> CounterScenario:
    base: dict[str, object] = dict(min_available=P(50, True), max_unavailable=None, failures=0,
                                   drains=1, max_cordoned=1, uncordon=True, rollouts=1,
                                   max_surge=P(25, True), roll_unavailable=P(25, True))
    base.update(kw)
    return CounterScenario(lo, hi, **base)  # type: ignore[arg-type]


SCENARIOS = {
    "25-25-min50": rolling(1, 8),
    "surge1-max1-f1": rolling(1, 4, min_available=None, max_unavailable=P(1), failures=1,
                              max_surge=P(1), roll_unavailable=P(0)),
    "0-25-two-rollouts": rolling(1, 4, rollouts=2, max_surge=P(0)),
    "3-nodes-max50-f1": rolling(1, 5, min_available=None, max_unavailable=P(50, True),
                                failures=1, nodes=3, drains=2, watch=2, max_cordoned=2),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_rollout_lemma_is_inductive_and_keeps_every_run(name):
    scenario = SCENARIOS[name]
    system = counter_system(scenario)
    assert is_inductive(system, rollout_lemma(system, scenario))
    for n in (scenario.lo, scenario.lo + 1):
        at = counter_system(replace(scenario, lo=n, hi=n))
        plain, _ = explore(at, NO_SYMMETRY)
        strong, _ = explore(strengthened(at, rollout_lemma(at, scenario)), NO_SYMMETRY)
        assert strong.stats.states == plain.stats.states
        assert [r.verdict for r in strong.results] == [r.verdict for r in plain.results]


def test_a_wrong_rollout_lemma_is_refused():
    scenario = SCENARIOS["25-25-min50"]
    system = counter_system(scenario)
    new = system.vars.index(next(v for v in system.vars if v.name == "pending_new"))
    wrong = ir.and_(rollout_lemma(system, scenario), ir.eq(ir.Var(new), 0))
    assert not is_inductive(system, wrong)


def reached(scenario: CounterScenario, n: int) -> list[tuple[int, ...]]:
    """Every reachable state of the counter system at `n` replicas (BFS, kept graph)."""
    _, graph = explore(counter_system(replace(scenario, lo=n, hi=n)),
                       BfsOptions(symmetry=False, check_deadlock=False, keep_graph=True))
    assert graph is not None
    return list(graph.states)


@pytest.mark.parametrize("n", range(1, 7))
def test_the_surge_is_reached_and_never_passed(n):
    """Pods number at most replicas + maxSurge (25% rounds up) and reach it; a rollout
    completes (every pod new, none old, all Ready)."""
    scenario = SCENARIOS["25-25-min50"]
    names = [v.name for v in counter_system(scenario).vars]
    pods = [i for i, k in enumerate(names) if k.startswith(("pending", "starting", "ready"))]
    old = [i for i in pods if "_old" in names[i]]
    states = reached(scenario, n)
    most = max(sum(s[i] for i in pods) for s in states)
    assert most == n + max_surge(Strategy(), n)
    done = [s for s in states if s[names.index("revision")] == 1 and not any(s[i] for i in old)
            and sum(s[i] for i in pods if names[i].startswith("ready_new")) == n]
    assert done


def per_count(scenario: CounterScenario) -> dict[int, list[Verdict]]:
    return {n: [r.verdict for r in explore(counter_system(replace(scenario, lo=n, hi=n)),
                                           NO_SYMMETRY)[0].results]
            for n in range(scenario.lo, scenario.hi + 1)}  # fmt: skip


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=() if i == 0 else pytest.mark.slow)  # Spacer with no clock
    for i, n in enumerate(list(SCENARIOS)[:3])])  # three nodes: counts-rollout-percent
def test_range_proofs_agree_with_bfs_at_every_count(name, request):
    """Spacer's verdict over the range and smallest failing count against BFS of the
    counter system at every count (maxSurge / maxUnavailable 25% at replicas 1..8 with a
    minAvailable 50% PDB among them)."""
    if request.node.get_closest_marker("slow") and os.environ.get("PODCHECK_SLOW") != "1":
        pytest.skip("slow: PODCHECK_SLOW=1 proves every rollout range")
    scenario = SCENARIOS[name]
    found = per_count(scenario)
    for k, got in enumerate(smallest_failing(scenario, timeout_seconds=None)):  # no clock
        failing = [n for n, verdicts in found.items() if verdicts[k] is Verdict.VIOLATED]
        if not failing:
            assert got.verdict is Verdict.HOLDS, got
            continue
        assert (got.verdict, got.smallest, got.minimal) == (Verdict.VIOLATED, min(failing),
                                                             True), got  # fmt: skip


def test_the_percent_budget_decides_the_smallest_failing_count():
    """Per-count BFS: maxUnavailable 1 fails first at 3 replicas; 50% (rounded up: 2 of
    3) first at 4 (specs/symbolic/counts-rollout-percent.pod)."""
    three = replace(SCENARIOS["3-nodes-max50-f1"], hi=4)
    one = replace(three, max_unavailable=P(1))
    drain = 2  # DrainNeverStuck
    assert [v[drain] for v in per_count(one).values()] == [Verdict.HOLDS] * 2 + [
        Verdict.VIOLATED] * 2
    assert [v[drain] for v in per_count(three).values()] == [Verdict.HOLDS] * 3 + [
        Verdict.VIOLATED]
