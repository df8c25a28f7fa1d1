"""Parametric proofs over counters (issue 12, item 3): the counter abstraction of B1
against B1 itself (explicit BFS, pod by pod) at every small count, Kubernetes' rounding
against `kube.disruption`, and proofs for every count against per-count BFS."""

from __future__ import annotations

from dataclasses import replace

import pytest

from podcheck import ir
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.counter_lemmas import is_inductive, lemma, strengthened
from podcheck.engine.liveness import check_liveness
from podcheck.engine.parametric import (
    MAX_REPLICAS,
    CounterScenario,
    counter_system,
    desired_healthy,
    smallest_failing,
)
from podcheck.engine.result import Verdict
from podcheck.kube.disruption import desired_healthy as kube_desired_healthy
from podcheck.kube.intstr import IntOrPercent
from tests.engine.b1_ir import b1_system

NO_SYMMETRY = BfsOptions(symmetry=False)
SETUP = 1  # `settle`; the pods are added one per step before it


def budgets():
    yield from (IntOrPercent(v) for v in range(0, 6))
    yield from (IntOrPercent(p, True) for p in (0, 1, 10, 25, 30, 33, 34, 50, 66, 90, 99, 100))


@pytest.mark.parametrize("budget", list(budgets()), ids=str)
@pytest.mark.parametrize("field", ["min_available", "max_unavailable"])
def test_the_symbolic_budget_rounds_as_kubernetes_at_every_count(budget, field):
    # disruption.go getExpectedPodCount; intstr GetScaledValueFromIntOrPercent(roundUp)
    other = "max_unavailable" if field == "min_available" else "min_available"
    scenario = CounterScenario(1, 10, **{field: budget, other: None})
    expr = desired_healthy(scenario, ir.Var(0))
    for n in range(0, 301):
        kube = kube_desired_healthy(scenario.min_available, scenario.max_unavailable, n)
        assert ir.evaluate(expr, (n,)) == kube, (budget, n)


def lengths(result, setup=0):
    return [(r.verdict, None if r.trace is None else r.trace.length - setup)
            for r in result.results]


@pytest.mark.parametrize("failures", [0, 1])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_the_counter_system_is_b1_counted(n, failures):
    """Same verdicts and shortest counterexample lengths as B1 pod by pod (minAvailable
    n - 1 is maxUnavailable 1), and DrainNeverStuck decides B1's liveness property
    DrainCompletes(node-1)."""
    pods = b1_system(n, 2, n - 1, f=failures, liveness=True)
    explicit, graph = explore(pods, BfsOptions(symmetry=False, keep_graph=True))
    drain = check_liveness(graph, pods.properties[2])
    counted, _ = explore(counter_system(CounterScenario(n, n, failures=failures)), NO_SYMMETRY)
    assert lengths(counted, n + SETUP)[:2] == lengths(explicit)[:2]
    assert counted.results[2].verdict is drain.verdict
    assert counted.stats.states <= explicit.stats.states + n + 1  # a quotient, plus setup


@pytest.mark.parametrize("scenario", [
    CounterScenario(1, 6),
    CounterScenario(1, 6, min_available=IntOrPercent(50, True), max_unavailable=None,
                    failures=0, drains=1),
    CounterScenario(2, 6, min_available=IntOrPercent(60, True), max_unavailable=None,
                    failures=0, drains=1),
    CounterScenario(1, 6, max_unavailable=IntOrPercent(10, True), failures=0, drains=1),
], ids=["b1", "min50", "min60", "max10"])
def test_the_range_proof_agrees_with_bfs_at_every_count(scenario):
    per_count = {n: lengths(explore(counter_system(CounterScenario(
        n, n, scenario.min_available, scenario.max_unavailable, scenario.failures,
        scenario.drains)), NO_SYMMETRY)[0], n + SETUP)
        for n in range(scenario.lo, scenario.hi + 1)}
    for k, got in enumerate(smallest_failing(scenario)):
        failing = [n for n, found in per_count.items() if found[k][0] is Verdict.VIOLATED]
        if not failing:
            assert got.verdict is Verdict.HOLDS, got
            continue
        smallest = min(failing)
        assert (got.verdict, got.smallest, got.steps, got.minimal) == (
            Verdict.VIOLATED, smallest, per_count[smallest][k][1], True), got


def test_every_count_up_to_int32():
    # maxUnavailable 10% rounds up: at least one eviction is always allowed at full
    # health, so a one-node drain never gets stuck, for every count.
    every = CounterScenario(1, MAX_REPLICAS, max_unavailable=IntOrPercent(10, True),
                            failures=0, drains=1)
    assert [v.verdict for v in smallest_failing(every)] == [Verdict.HOLDS] * 3
    # minAvailable 50% of one replica is 1: the drain is stuck at once
    half = CounterScenario(1, MAX_REPLICAS, min_available=IntOrPercent(50, True),
                           max_unavailable=None, failures=0, drains=1)
    stuck = smallest_failing(half)[2]
    assert (stuck.name, stuck.verdict, stuck.smallest, stuck.steps) == (
        "DrainNeverStuck", Verdict.VIOLATED, 1, 1)


# NOTE(counter-drains): M nodes, several drained, one or k at a time with uncordon, or
# concurrently
MANY = [
    CounterScenario(1, 4, nodes=3, drains=2, watch=2, max_cordoned=1, uncordon=True),
    CounterScenario(1, 4, nodes=3, drains=2, watch=2, max_cordoned=2, uncordon=True),
    CounterScenario(1, 4, nodes=3, drains=2, watch=2),
    CounterScenario(1, 4, min_available=IntOrPercent(2), max_unavailable=None, nodes=3,
                    drains=1, max_cordoned=1, uncordon=True),
    CounterScenario(1, 4, nodes=4, drains=3, watch=3, max_cordoned=2, uncordon=True,
                    failures=2),
    CounterScenario(1, 4, nodes=1, drains=1, failures=0, max_cordoned=1, uncordon=True),
]
MANY_IDS = ["3-one", "3-two", "3-concurrent", "3-min2", "4-two-f2", "1-node"]


@pytest.mark.parametrize("scenario", [CounterScenario(1, 6), *MANY], ids=["b1", *MANY_IDS])
def test_the_lemmas_are_inductive_and_keep_every_run(scenario):
    """NOTE(counter-lemmas): Z3 proves L inductive, and the strengthened system has the
    same states and the same verdicts and shortest run lengths at every count."""
    system = counter_system(scenario)
    assert is_inductive(system, lemma(system, scenario))
    for n in range(scenario.lo, scenario.hi + 1):
        at = replace(scenario, lo=n, hi=n)
        plain, _ = explore(counter_system(at), NO_SYMMETRY)
        system = counter_system(at)
        strong, _ = explore(strengthened(system, lemma(system, at)), NO_SYMMETRY)
        assert lengths(strong) == lengths(plain) and strong.stats.states == plain.stats.states


def test_a_wrong_lemma_is_refused():
    scenario = MANY[0]
    system = counter_system(scenario)
    wrong = ir.and_(lemma(system, scenario), ir.op("<=", ir.Var(3), 0))  # nothing pending
    assert not is_inductive(system, wrong)


@pytest.mark.parametrize("scenario", MANY[:4] + MANY[5:], ids=MANY_IDS[:4] + MANY_IDS[5:])
def test_m_node_range_proofs_agree_with_bfs_at_every_count(scenario):
    per_count = {n: lengths(explore(counter_system(replace(scenario, lo=n, hi=n)),
                                    NO_SYMMETRY)[0], n + SETUP)
                 for n in range(scenario.lo, scenario.hi + 1)}  # fmt: skip
    for k, got in enumerate(smallest_failing(scenario, timeout_seconds=30)):
        failing = [n for n, found in per_count.items() if found[k][0] is Verdict.VIOLATED]
        if not failing:
            assert got.verdict is Verdict.HOLDS, got
            continue
        smallest = min(failing)
        assert (got.verdict, got.smallest, got.steps, got.minimal) == (
            Verdict.VIOLATED, smallest, per_count[smallest][k][1], True), got
