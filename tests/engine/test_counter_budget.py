"""A budget range next to the replica range in `podcheck counts` (issue 12, items 1 and
3): the budget classes against the desiredHealthy functions over every count
(NOTE(budget-classes)), and each class's verdicts against explicit BFS of the full model
at every point of small ranges (NOTE(counter-budget-range))."""

from __future__ import annotations

import pytest

from podcheck.counting import (
    CountOptions,
    counts_file,
    explicit_verdicts,
    load_counted,
    with_budget,
)
from podcheck.diagnostics import codes
from podcheck.engine.counter_budget import BudgetRange, budget_classes
from podcheck.engine.result import Verdict
from podcheck.kube.disruption import desired_healthy
from tests.engine.test_counts import write

RANGES = [(1, 1), (1, 5), (2, 6), (1, 101), (3, 250), (1, 350), (100, 400)]
BUDGETS = [BudgetRange("minAvailable", 0, 100, percent=True),
           BudgetRange("maxUnavailable", 0, 100, percent=True),
           BudgetRange("minAvailable", 0, 12), BudgetRange("maxUnavailable", 0, 12),
           BudgetRange("minAvailable", 1, 8, upto=True),
           BudgetRange("maxUnavailable", 0, 8, upto=True)]  # fmt: skip


def _function(b: BudgetRange, value: int, lo: int, hi: int) -> tuple[int, ...]:
    budget = b.value(value)
    return tuple(desired_healthy(budget, None, n) if b.field == "minAvailable"
                 else desired_healthy(None, budget, n) for n in range(lo, hi + 1))  # fmt: skip


@pytest.mark.parametrize("budget", BUDGETS, ids=lambda b: f"{b.field}-{b.percent}-{b.upto}")
@pytest.mark.parametrize(("lo", "hi"), RANGES)
def test_the_classes_are_the_desired_healthy_functions_over_every_count(budget, lo, hi):
    """Two values share a class exactly when they give the same desiredHealthy at every
    count of their replica range (a bounded value b: the counts max(lo, b)..hi)."""
    classes = budget_classes(budget, lo, hi)
    values = [v for c in classes for v in c.values]
    wanted = [b for b in range(budget.lo, budget.hi + 1) if not budget.upto or b <= hi]
    assert sorted(values) == wanted and len(set(values)) == len(values)
    seen: dict[tuple[int, int, tuple[int, ...]], int] = {}
    for i, c in enumerate(classes):
        assert c.lo == (max(lo, c.values[0]) if budget.upto else lo) and c.hi == hi
        assert list(c.values) == list(range(c.values[0], c.values[-1] + 1))  # consecutive
        for v in c.values:
            key = (c.lo, c.hi, _function(budget, v, c.lo, c.hi))
            assert seen.setdefault(key, i) == i, (v, key)
    assert len(seen) == len(classes)


def test_percent_classes_collapse_on_small_ranges_only():
    percent = BudgetRange("minAvailable", 40, 60, percent=True)
    assert [c.values for c in budget_classes(percent, 2, 6)] == [
        (40,), tuple(range(41, 51)), tuple(range(51, 61))]
    assert len(budget_classes(percent, 1, 1000)) == 21


POINTS = [("2..3", "minAvailable: 48%..52%", 0), ("1..3", "maxUnavailable: 1..2", 0),
          ("1..3", "minAvailable: 2..replicas", 0)]  # fmt: skip


@pytest.mark.parametrize(("replicas", "budget", "failures"), POINTS,
                         ids=["percent", "int", "bounded"])  # fmt: skip
def test_each_point_agrees_with_explicit_bfs_of_the_full_model(tmp_path, replicas, budget,
                                                               failures):  # fmt: skip
    """At every (replicas, budget) point: explicit BFS of the compiled spec holds below the
    class's smallest failing count and fails at it; a class that holds holds at every
    point; the witness is the smallest failing point."""
    path = write(tmp_path, replicas, budget, failures=failures)
    run = counts_file(path, CountOptions(cross_check=0))  # the points below are the check
    counted, spec = run.counted, load_counted(path).loaded.result.value
    assert counted is not None and spec is not None, run.diagnostics
    b = counted.budget
    failing: dict[str, list[tuple[int, int]]] = {}
    for cls, at in counted.classes:
        for value in cls.values:
            for n in range(cls.lo, cls.hi + 1):
                explicit = explicit_verdicts(with_budget(spec, b, value), "web", n).value
                assert explicit is not None
                for name, v in at.verdicts:
                    if explicit[name] is Verdict.VIOLATED:
                        failing.setdefault(name, []).append((n, value))
                    assert v.verdict is not Verdict.UNKNOWN
                    if v.smallest is None or n < v.smallest:
                        assert explicit[name] is Verdict.HOLDS, (name, n, value)
                    elif n == v.smallest:
                        assert explicit[name] is Verdict.VIOLATED, (name, n, value)
    for name in counted.names:
        w = counted.witness(name)
        assert (w and (w.replicas, w.budget)) == (min(failing[name]) if name in failing
                                                  else None)  # fmt: skip


def test_other_ranges_are_still_refused(tmp_path):
    run = counts_file(write(tmp_path, "1..3", "minAvailable: 1..2",
                            probe="readinessProbe { failureThreshold: 1..2 }"))
    assert run.counted is None and run.exit_code == 2
    (problem,) = [d for d in run.diagnostics if d.code == codes.OUTSIDE_COUNTER_ABSTRACTION]
    assert "takes two ranges" in problem.message

