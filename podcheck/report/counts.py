"""`podcheck counts`'s text: per property, holds for every replica count of the range or
the smallest count at which it fails, then the scenario and the cross-check.

Stage: `podcheck.report`.  Consumes an `engine.parametric.CountedRange`; produces text.
"""

from __future__ import annotations

from podcheck.engine.counter_budget import BudgetClass, BudgetedRange, BudgetRange
from podcheck.engine.parametric import CountedRange, CounterScenario, CountVerdict, counter_system
from podcheck.engine.result import Verdict
from podcheck.engine.smt_values import TIMEOUT
from podcheck.kube.intstr import IntOrPercent
from podcheck.report.invariant import render_invariant
from podcheck.report.words import plural

_BY = {"SafeEvictions": "no granted eviction leaves too few Ready",
       "DrainNeverStuck": "the drained node's pods can always move on",
       "RolloutNeverStuck": "the rollout can always move on until it completes"}  # fmt: skip


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _range(s: CounterScenario) -> str:
    return _count(s.lo) if s.lo == s.hi else f"{_count(s.lo)}..{_count(s.hi)}"


def _budget(value: IntOrPercent) -> str:
    return f"{value.value}%" if value.percent else str(value.value)


def _scenario(c: CountedRange, budget_range: str = "") -> str:
    s = c.scenario
    budget = (f"minAvailable {_budget(s.min_available)}" if s.min_available is not None
              else f"maxUnavailable {_budget(s.max_unavailable or IntOrPercent(0))}")
    budget = budget_range or budget
    failures = f", up to {plural(s.failures, 'node failure')}" if s.failures else ""
    policy = ", AlwaysAllow" if s.always_allow else ""
    return (f"{c.workload}: replicas {_range(s)} on {plural(s.nodes, 'node')}, {budget}{policy}, "
            f"drain {c.drained}{_mode(s)}{failures}{_rollouts(s)}")


def _rollouts(s: CounterScenario) -> str:
    """The rolling updates, old and new pods counted apart (NOTE(counter-rollout))."""
    if not s.rollouts:
        return ""
    return (f", up to {plural(s.rollouts, 'rollout')} (maxSurge {_budget(s.max_surge)}, "
            f"maxUnavailable {_budget(s.roll_unavailable)}; old and new pods counted apart)")


def _mode(s: CounterScenario) -> str:
    """How the drains go: one / k at a time, each uncordoned once empty, or concurrently."""
    if not s.uncordon:
        return " concurrently" if s.drains > 1 else ""
    if s.drains == 1:
        return " (uncordoned once empty)"
    at = "one" if s.max_cordoned in (None, 1) else str(s.max_cordoned)
    return f" {at} at a time (each uncordoned once empty)"


def _verdict(name: str, v: CountVerdict, c: CountedRange) -> list[str]:
    why = f"({v.name} over counts of pods: {_BY.get(v.name, v.name)})"
    if v.verdict is Verdict.HOLDS:
        return [f"property `{name}` holds for every replicas in {_range(c.scenario)}",
                f"  proved by Spacer {why}", *_invariant(v, c)]
    if v.verdict is Verdict.VIOLATED:
        assert v.smallest is not None and v.steps is not None
        first = "first" if v.minimal else f"(a smaller count was left undecided{_spent(v)})"
        return [f"property `{name}` violated: fails {first} at replicas = {_count(v.smallest)}",
                f"  a run of {plural(v.steps, 'step')} once the pods are up {why}"]
    if v.reason == TIMEOUT:
        return [f"property `{name}` inconclusive: the --timeout budget ran out before it was "
                f"decided over the counts {why}"]
    return [f"property `{name}` inconclusive: Z3 answered unknown over the counts {why}"]


def _spent(v: CountVerdict) -> str:
    return ": the --timeout budget ran out" if v.reason == TIMEOUT else ""


def _invariant(v: CountVerdict, c: CountedRange) -> list[str]:
    """Spacer's inductive invariant, one conjunct a line, with the structural lemma."""
    if v.invariant is None:
        return []
    lines = dict.fromkeys(render_invariant(counter_system(c.scenario), v.invariant))
    if list(lines) == ["true"]:  # Spacer needed nothing beyond the lemma and the ranges
        return ["  inductive invariant: the structural lemma L of NOTE(counter-lemmas) alone"]
    return ["  inductive invariant, with the structural lemma L of NOTE(counter-lemmas):",
            *(f"    {line}" for line in lines)]


def _values(b: BudgetRange, values: tuple[int, ...]) -> str:
    """`40%`, `41%..50%` (a class's values are consecutive: the rounding is monotone)."""
    lo, hi = values[0], values[-1]
    return b.shown(lo) if lo == hi else f"{b.shown(lo)}..{b.shown(hi)}"


def _class_verdict(b: BudgetRange, cls: BudgetClass, v: CountVerdict) -> str:
    where = f"  {b.field} {_values(b, cls.values)}"
    if v.verdict is Verdict.HOLDS:
        return f"{where}: holds for every replicas in {_count(cls.lo)}..{_count(cls.hi)}"
    if v.verdict is Verdict.VIOLATED:
        assert v.smallest is not None and v.steps is not None
        first = "first" if v.minimal else f"(a smaller count was left undecided{_spent(v)})"
        return (f"{where}: fails {first} at replicas = {_count(v.smallest)} "
                f"(a run of {plural(v.steps, 'step')} once the pods are up)")
    if v.reason == TIMEOUT:
        return f"{where}: inconclusive (the --timeout budget ran out first)"
    return f"{where}: inconclusive (Z3 answered unknown)"


def _budgeted_verdict(name: str, r: BudgetedRange) -> list[str]:
    b, verdicts = r.budget, r.verdicts(name)
    whole = _values(b, (b.lo, b.hi))
    by = verdicts[0].name
    witness = r.witness(name)
    if witness is not None:
        first = "first" if witness.minimal else "(a smaller point was left undecided)"
        head = (f"property `{name}` violated: fails {first} at replicas = "
                f"{_count(witness.replicas)}, {b.field} = {b.shown(witness.budget)}")
    elif all(v.verdict is Verdict.HOLDS for v in verdicts):
        head = f"property `{name}` holds for every replicas and every {b.field} in {whole}"
    else:
        head = f"property `{name}` inconclusive: Z3 answered unknown for some {b.field}"
    return [head, f"  decided per budget class by Spacer ({by} over counts of pods: "
                  f"{_BY.get(by, by)})",
            *(_class_verdict(b, cls, v) for (cls, _), v in zip(r.classes, verdicts,
                                                                 strict=True))]  # fmt: skip


def render_budgeted(r: BudgetedRange) -> str:
    """The `counts` report over a replica range and a budget range: per property the
    smallest failing (replicas, budget) and each budget class's verdict."""
    lines: list[str] = []
    for name in r.names:
        lines += [*_budgeted_verdict(name, r), ""]
    b, first = r.budget, r.classes[0][1]
    s = first.scenario
    shown = f"{b.field} {_values(b, (b.lo, b.hi))}"
    lines.append("counts of pods (Spacer, every count at once, once per budget class)")
    lines.append(f"  {_scenario(first, shown).replace(_range(s), _range_of(r), 1)}")
    classes = "1 budget class" if len(r.classes) == 1 else f"{len(r.classes)} budget classes"
    lines.append(f"  {classes}: the values "
                 "with the same desiredHealthy at every replica count (NOTE(budget-classes))")
    if first.cross_checked:
        lo, hi = first.cross_checked[0], first.cross_checked[-1]
        lines.append("  the same verdicts as explicit BFS of the full model at replicas "
                     f"{_count(lo)}..{_count(hi)}, each class's smallest {b.field}")
    witnesses = [w for w in map(r.witness, r.names) if w is not None]
    if witnesses:
        w = min(witnesses, key=lambda w: (w.replicas, w.budget))
        lines.append(f"  the run itself: set `replicas: {_count(w.replicas)}` and "
                     f"`{b.field}: {b.shown(w.budget)}` and run `podcheck check`")
    return "\n".join(lines + _budgeted_coverage(r)) + "\n"


def _budgeted_coverage(r: BudgetedRange) -> list[str]:
    """What a run the budget stopped decided, per property and budget class."""
    if not r.stopped:
        return []
    b = r.budget
    out = ["stopped by timeout: the --timeout budget ran out"]
    for name in r.names:
        kinds: dict[str, list[str]] = {}
        for (cls, _), v in zip(r.classes, r.verdicts(name), strict=True):
            kinds.setdefault(_kind(v), []).append(_values(b, cls.values))
        out.append(f"  `{name}`: " + "; ".join(f"{k} for {b.field} {', '.join(vs)}"
                                               for k, vs in kinds.items()))
    return out


def _kind(v: CountVerdict) -> str:
    if v.verdict is Verdict.HOLDS:
        return "proved"
    if v.verdict is Verdict.VIOLATED:
        return "failed" if v.minimal else "failed (smallest count open)"
    return "left open"


def _range_of(r: BudgetedRange) -> str:
    lo = min(c.scenario.lo for _, c in r.classes)
    hi = max(c.scenario.hi for _, c in r.classes)
    return _count(lo) if lo == hi else f"{_count(lo)}..{_count(hi)}"


def render_counts(c: CountedRange) -> str:
    """The whole `counts` report (module doc)."""
    lines: list[str] = []
    for name, v in c.verdicts:
        lines += [*_verdict(name, v, c), ""]
    lines.append("counts of pods (Spacer, every count at once)")
    lines.append(f"  {_scenario(c)}")
    if c.cross_checked:
        lo, hi = c.cross_checked[0], c.cross_checked[-1]
        at = _count(lo) if lo == hi else f"{_count(lo)}..{_count(hi)}"
        lines.append(f"  the same verdicts as explicit BFS of the full model at replicas {at}")
    failing = [v.smallest for _, v in c.verdicts if v.smallest is not None]
    if failing:
        lines.append(f"  the run itself: set `replicas: {_count(min(failing))}` and run "
                     "`podcheck check`")
    return "\n".join(lines + _coverage(c)) + "\n"


def _coverage(c: CountedRange) -> list[str]:
    """What a run the budget stopped decided (NOTE(whole-run-budget) in counting.py)."""
    if not c.stopped:
        return []
    kinds: dict[str, list[str]] = {}
    for name, v in c.verdicts:
        kinds.setdefault(_kind(v), []).append(f"`{name}`")
    out = ["stopped by timeout: " + "; ".join(f"{k}: {', '.join(ns)}"
                                              for k, ns in kinds.items())]
    if c.not_cross_checked:
        left = c.not_cross_checked
        at = _count(left[0]) if len(left) == 1 else f"{_count(left[0])}..{_count(left[-1])}"
        out.append(f"  the explicit cross-check did not reach replicas {at} "
                   "(NOTE(counter-cross-check)): no verdict over the counts is reported")
    return out
