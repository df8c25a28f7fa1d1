"""The PDB budget as a second parameter of the counter proofs: `minAvailable: 40%..60%`
or `maxUnavailable: 1..2` next to `replicas: lo..hi` (issue 12, items 1 and 3).

Stage: `podcheck.engine`.  Consumes a `CounterScenario` (its budget one value of the
range) and a `BudgetRange`; produces the budget classes (`budget_classes`), one counter
scenario per class (`class_scenario`), and `smallest_witness`, the smallest failing
(replicas, budget) pair of a property over the classes' verdicts.

NOTE(counter-budget-range): for each replica count n the eviction API reads the budget
only through desiredHealthy(n) (`getExpectedPodCount` in
pkg/controller/disruption/disruption.go: minAvailable scaled by
`intstr.GetScaledValueFromIntOrPercent(..., roundUp=true)`, or n less maxUnavailable
scaled the same way; disruptionsAllowed = currentHealthy - desiredHealthy), and so does
the counter system (`counter_rules.desired_healthy`, `unhealthy_goes`).  A budget value
b is thus a function n -> desiredHealthy_b(n) over the replica range, and two values
with the same function give the same counter system, hence the same verdicts and the
same smallest failing count.  A budget bounded by the replicas (`minAvailable:
1..replicas`) takes the counts n >= b only: its class's replica range is max(lo, b)..hi.

NOTE(budget-classes): the values of the range are grouped by that function (and their
replica range) and each class is proved once, with its smallest value as its
representative.  The function is compared on a window that decides equality over the
whole range: every count when hi - lo <= 100; otherwise the 101 counts from lo and the
count hi.  Over 101 consecutive counts n and n + 100 are both present and
ceil(p(n + 100)/100) - ceil(pn/100) = p, so distinct percents differ there (for
maxUnavailable the difference is 100 - p); an int minAvailable is the constant b; an
int maxUnavailable b is max(n - b, 0), and two such agree at hi only when they are
equal or both are 0 at hi, hence at every count <= hi.  tests/engine/test_counter_budget.py
compares the classes with the functions over every count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from podcheck.engine.parametric import CountedRange, CounterScenario, CountVerdict
from podcheck.engine.result import Verdict
from podcheck.kube.disruption import desired_healthy
from podcheck.kube.intstr import IntOrPercent

FIELDS = ("minAvailable", "maxUnavailable")
_WINDOW = 100  # NOTE(budget-classes): one period of the percent rounding


@dataclass(frozen=True, slots=True)
class BudgetRange:
    """The PDB's `field` takes every value of `lo..hi`, whole percents when `percent`;
    with `upto` each value b only at the replica counts n >= b (`minAvailable:
    1..replicas`)."""

    field: str
    lo: int
    hi: int
    percent: bool = False
    upto: bool = False

    def __post_init__(self) -> None:
        assert self.field in FIELDS and 0 <= self.lo <= self.hi

    def value(self, b: int) -> IntOrPercent:
        """The budget at the point b (`40%`, `3`)."""
        return IntOrPercent(b, self.percent)

    def shown(self, b: int) -> str:
        return f"{b}%" if self.percent else str(b)


@dataclass(frozen=True, slots=True)
class BudgetClass:
    """Budget values with the same desiredHealthy at every replica count of `lo..hi`
    (NOTE(budget-classes)), in increasing order."""

    values: tuple[int, ...]
    lo: int
    hi: int


def _desired(budget: BudgetRange, b: int, n: int) -> int:
    value = budget.value(b)
    if budget.field == "minAvailable":
        return desired_healthy(value, None, n)
    return desired_healthy(None, value, n)


def _window(lo: int, hi: int) -> tuple[int, ...]:
    if hi - lo <= _WINDOW:
        return tuple(range(lo, hi + 1))
    return (*range(lo, lo + _WINDOW + 1), hi)


def budget_classes(budget: BudgetRange, lo: int, hi: int) -> tuple[BudgetClass, ...]:
    """The classes of NOTE(budget-classes) for the replica counts `lo..hi`, in the order
    of their smallest values (values bounded by the replicas beyond `hi` left out)."""
    keyed: dict[tuple[int, int, tuple[int, ...]], list[int]] = {}
    for b in range(budget.lo, budget.hi + 1):
        start = max(lo, b) if budget.upto else lo
        if start > hi:
            continue
        key = (start, hi, tuple(_desired(budget, b, n) for n in _window(start, hi)))
        keyed.setdefault(key, []).append(b)
    return tuple(BudgetClass(tuple(values), start, end)
                 for (start, end, _), values in keyed.items())  # fmt: skip


def class_scenario(scenario: CounterScenario, budget: BudgetRange,
                   cls: BudgetClass) -> CounterScenario:  # fmt: skip
    """`scenario` over the class's replica range with its representative budget."""
    value = budget.value(cls.values[0])
    if budget.field == "minAvailable":
        return replace(scenario, lo=cls.lo, hi=cls.hi, min_available=value, max_unavailable=None)
    return replace(scenario, lo=cls.lo, hi=cls.hi, min_available=None, max_unavailable=value)


@dataclass(frozen=True, slots=True)
class Witness:
    """The smallest failing point of a property: (replicas, budget), `minimal` False
    when some class left a smaller count undecided."""

    replicas: int
    budget: int
    minimal: bool = True


def smallest_witness(classes: Sequence[BudgetClass],
                     verdicts: Sequence[CountVerdict]) -> Witness | None:  # fmt: skip
    """The smallest (replicas, budget) pair, in that order, at which the property fails
    over the classes (`verdicts[i]` is class i's); None when it fails in none."""
    failing = [(v.smallest, cls.values[0], v.minimal) for cls, v in zip(classes, verdicts,
                                                                        strict=True)
               if v.verdict is Verdict.VIOLATED and v.smallest is not None]  # fmt: skip
    if not failing:
        return None
    replicas, b, _ = min(failing)
    undecided = any(v.verdict is Verdict.UNKNOWN or not v.minimal for v in verdicts)
    return Witness(replicas, b, minimal=not undecided)


@dataclass(frozen=True, slots=True)
class BudgetedRange:
    """What `podcheck counts` found for a replica range and a budget range: per budget
    class (NOTE(budget-classes)) the class and its `CountedRange`, and per property the
    smallest failing (replicas, budget) witness (None when it holds everywhere)."""

    pdb: str
    budget: BudgetRange
    classes: tuple[tuple[BudgetClass, CountedRange], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The spec's properties, in order."""
        return tuple(name for name, _ in self.classes[0][1].verdicts)

    def verdicts(self, name: str) -> tuple[CountVerdict, ...]:
        """Property `name`'s verdict per class."""
        return tuple(dict(c.verdicts)[name] for _, c in self.classes)

    def witness(self, name: str) -> Witness | None:
        """Property `name`'s smallest failing (replicas, budget) pair."""
        return smallest_witness([cls for cls, _ in self.classes], self.verdicts(name))

    @property
    def stopped(self) -> bool:
        """The whole run's budget left a class open (NOTE(whole-run-budget))."""
        return any(c.stopped for _, c in self.classes)

    @property
    def violated(self) -> bool:
        """Some property fails at some point."""
        return any(c.violated for _, c in self.classes)

    @property
    def proved(self) -> bool:
        """Every property holds at every point."""
        return all(c.proved for _, c in self.classes)
