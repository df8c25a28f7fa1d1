"""A PodDisruptionBudget's range annotations: `minAvailable: 1..replicas` for manifests
(issue 12, item 1).

Stage: part of `podcheck.manifests` (build.py).  Consumes a PodDisruptionBudget manifest,
the budget read from it, the workloads and the parameters read so far; produces the
budget's range annotations as `spec.Param`s with their setters, and PC411 for one it
cannot read.

  podcheck.io/range.minAvailable: "1-3"       (on the PodDisruptionBudget's metadata)
  podcheck.io/range.maxUnavailable: "0-2"

leaves the budget's minAvailable (or maxUnavailable) as a range, the same `Param` the
DSL's `minAvailable: 1..3` declares (named `<pdb>.minAvailable`); the budget must set
that field (its value is the manifest's own point outside podcheck).  The range is
bounded by the replicas of the workload the budget selects: by its count, or, when an
autoscaler leaves the count a range, by the count at each point (as the DSL's
`minAvailable: 1..replicas`: the points where the budget exceeds the count are left
out).

  podcheck.io/range.minAvailable: "10%-50%"   (when the budget sets a percent)

leaves a percent budget a range of whole percents (each point a percent budget, rounded
as Kubernetes rounds it: `getExpectedPodCount`, pkg/controller/disruption/disruption.go,
scales minAvailable and maxUnavailable with `intstr.GetScaledValueFromIntOrPercent(...,
roundUp=true)`, `kube.disruption.desired_healthy`), bounded by 0%..100% instead of the
replicas; an integer budget takes integer ranges and a percent budget percent ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from podcheck.diagnostics import Diagnostic, Severity
from podcheck.diagnostics import codes as c
from podcheck.kube.intstr import IntOrPercent
from podcheck.kube.labels import InvalidSelector, selector_core
from podcheck.manifests.behavior import RANGE
from podcheck.manifests.objects import KObject
from podcheck.manifests.ranges import ANNOTATED, Ranged, child, int_range, template_annotations
from podcheck.spec import CheckedSpec, PodDisruptionBudget, Workload
from podcheck.spec.params import Param

FIELDS = ("minAvailable", "maxUnavailable")
PERCENT = '"{}%"'  # the patch of a percent range's annotation at one point: `"30%"`


def read_budget_ranges(obj: KObject, pdb: PodDisruptionBudget, workloads: Sequence[Workload],
                       ranges: Sequence[Ranged], out: list[Diagnostic]) -> list[Ranged]:
    """The `podcheck.io/range.` annotations of the PodDisruptionBudget `obj` (module doc);
    PC411 naming the problem for one it cannot read."""
    found = []
    for key, value, span, value_span in template_annotations(obj):
        if not key.startswith(RANGE + "."):
            continue
        got = _read(key[len(RANGE) + 1:], value.strip(), pdb, workloads, ranges)
        if isinstance(got, tuple):
            out.append(Diagnostic(c.INVALID_BEHAVIOR_ANNOTATION, Severity.ERROR,
                                  f"{obj.kind} `{obj.name}`: annotation `{key}`: {got[0]}",
                                  span, help=got[1]))  # fmt: skip
        else:
            patch = PERCENT if got.unit == "%" else ANNOTATED
            field = child(obj.node, "spec", got.field)  # set: `_read` requires it
            written = replace(got, span=value_span, patch=patch,
                              field_span=field.span if field else value_span,
                              field_patch=("{}%" if got.unit == "%" else "{}") if field else "")
            found.append(Ranged(written,
                                _budget_setter(pdb.name, got.field, got.unit == "%")))
    return found


def _read(field: str, value: str, pdb: PodDisruptionBudget, workloads: Sequence[Workload],
          ranges: Sequence[Ranged]) -> Param | tuple[str, str]:  # fmt: skip
    if field not in FIELDS:
        return (f"`{field}` is not a budget field that takes a range",
                f"write {RANGE}.minAvailable or {RANGE}.maxUnavailable")
    written = "minAvailable" if pdb.minAvailable is not None else "maxUnavailable"
    budget = pdb.minAvailable if pdb.minAvailable is not None else pdb.maxUnavailable
    if field != written:
        return f"the budget sets {written}", f"set `spec.{field}` next to the annotation"
    if budget is not None and budget.percent:
        return _percent(field, value, pdb)
    bounds = int_range(value)
    if bounds is None:
        return f"`{value}` is not a range", 'write the range as "LO-HI", e.g. "1-3"'
    targets = [w for w in workloads if _selects(pdb, w)]
    if len(targets) != 1:
        return (f"the budget selects {len(targets) or 'no'} workloads",
                "a budget's range is bounded by the replicas of the one workload it selects")
    target = targets[0]
    counts = [r.param for r in ranges if r.param.name == f"{target.name}.replicas"]
    top = counts[0].hi if counts else target.replicas
    if bounds[1] > top:
        return (f"{field} {bounds[1]} is more than `{target.name}` has replicas ({top})",
                f"end the range at {top} at most")
    name = f"{pdb.name}.{field}"
    return Param(name, *bounds, upto=counts[0].name if counts else "")


def _percent(field: str, value: str, pdb: PodDisruptionBudget) -> Param | tuple[str, str]:
    """A percent budget's range `"LO%-HI%"` (or one `"P%"`), 0 <= LO <= HI <= 100."""
    lo, dash, hi = value.partition("-")
    hi = hi if dash else lo
    ends = (lo.strip(), hi.strip())
    bounds = int_range("-".join(e[:-1] for e in ends)) if all(
        e.endswith("%") for e in ends) else None  # fmt: skip
    if bounds is None or bounds[1] > 100:
        return (f"`{value}` is not a percent range", 'write the range as "LO%-HI%", e.g. '
                '"10%-50%", within 0%..100% (the budget sets a percent)')
    return Param(f"{pdb.name}.{field}", *bounds, unit="%")


def _selects(pdb: PodDisruptionBudget, w: Workload) -> bool:
    expressions = [(r.key, str(r.operator), tuple(r.values)) for r in pdb.matchExpressions]
    found = selector_core(dict(pdb.matchLabels), expressions, "pdb.spec.selector")
    return not isinstance(found, InvalidSelector) and found.matches(dict(w.template.labels))


def _budget_setter(name: str, field: str,
                   percent: bool) -> Callable[[CheckedSpec, int], CheckedSpec]:  # fmt: skip
    def set_spec(spec: CheckedSpec, v: int) -> CheckedSpec:
        budget = IntOrPercent(v, percent)
        return replace(spec, pdbs=tuple(
            (replace(p, minAvailable=budget) if field == "minAvailable"
             else replace(p, maxUnavailable=budget)) if p.name == name else p
            for p in spec.pdbs))  # fmt: skip
    return set_spec
