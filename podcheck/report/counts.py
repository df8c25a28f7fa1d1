"""`podcheck counts`'s text: per property, holds for every replica count of the range or
the smallest count at which it fails, then the scenario and the cross-check.

Stage: `podcheck.report`.  Consumes an `engine.parametric.CountedRange`; produces text.
"""

from __future__ import annotations

from podcheck.engine.parametric import CountedRange, CounterScenario, CountVerdict, counter_system
from podcheck.engine.result import Verdict
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


def _scenario(c: CountedRange) -> str:
    s = c.scenario
    budget = (f"minAvailable {_budget(s.min_available)}" if s.min_available is not None
              else f"maxUnavailable {_budget(s.max_unavailable or IntOrPercent(0))}")
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
        first = "first" if v.minimal else "(a smaller count was left undecided)"
        return [f"property `{name}` violated: fails {first} at replicas = {_count(v.smallest)}",
                f"  a run of {plural(v.steps, 'step')} once the pods are up {why}"]
    return [f"property `{name}` inconclusive: Z3 answered unknown over the counts {why}"]


def _invariant(v: CountVerdict, c: CountedRange) -> list[str]:
    """Spacer's inductive invariant, one conjunct a line, with the structural lemma."""
    if v.invariant is None:
        return []
    lines = dict.fromkeys(render_invariant(counter_system(c.scenario), v.invariant))
    if list(lines) == ["true"]:  # Spacer needed nothing beyond the lemma and the ranges
        return ["  inductive invariant: the structural lemma L of NOTE(counter-lemmas) alone"]
    return ["  inductive invariant, with the structural lemma L of NOTE(counter-lemmas):",
            *(f"    {line}" for line in lines)]


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
    return "\n".join(lines) + "\n"
