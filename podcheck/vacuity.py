"""Vacuity of verdicts: disruptions the environment declares but no state enables.

Stage: part of the driver (`podcheck.check`).  Before an explicit-state search it adds
one hidden `sometimes` probe per declared kind of disruption (drain, node failure, zone
failure, pod delete, rollout, autoscaler scale-down): "some action of this kind is
enabled".  After the search it takes the probes' results back out; a probe an
exhaustive search never satisfied names a disruption that was never tested, and if some
property holds the driver warns (PC503) that its verdict is vacuous with respect to that
disruption.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from podcheck import ir
from podcheck.diagnostics import Diagnostic, Severity, Span, codes
from podcheck.engine.result import CheckResult, SafetySearch, Verdict
from podcheck.vocab import ActionKind

# Each disruption's action class, and the environment field that declares it.
DISRUPTIONS: tuple[tuple[ActionKind, str], ...] = (
    (ActionKind.CORDON, "drain"),
    (ActionKind.NODE_FAILS, "nodeFailures"),
    (ActionKind.ZONE_FAILS, "zoneFailures"),
    (ActionKind.DELETE_POD, "podDeletes"),
    (ActionKind.ROLLOUT, "rollouts"),
    (ActionKind.SCALE_DOWN_NODE, "scaleDown"),
)


@dataclass(frozen=True, slots=True)
class Probes:
    """The system with its probes appended, and the environment field of each probe."""

    original: ir.TransitionSystem
    probed: ir.TransitionSystem
    fields: tuple[str, ...]


def add_probes(system: ir.TransitionSystem) -> Probes:
    """Append a `sometimes` property per declared disruption kind: "one of its actions
    is enabled" (the disjunction of their guards)."""
    extra: list[ir.Property] = []
    fields: list[str] = []
    for kind, field in DISRUPTIONS:
        guards = [a.guard for a in system.actions if a.name == str(kind)]
        if guards:
            extra.append(ir.Property(f"{field} enabled", ir.Expectation.SOMETIMES,
                                     ir.or_(*guards)))
            fields.append(field)
    probed = replace(system, properties=(*system.properties, *extra))
    return Probes(system, probed, tuple(fields))


def split(probes: Probes, result: CheckResult) -> tuple[CheckResult, tuple[str, ...]]:
    """The result of the original properties, and the disruptions an exhaustive search
    found never enabled (none when the search was cut short)."""
    n = len(probes.original.properties)
    never = tuple(
        field for field, r in zip(probes.fields, result.results[n:], strict=True)
        if r.verdict is Verdict.VIOLATED and isinstance(r.reason, SafetySearch)
        and r.reason.exhaustive
    )
    return replace(result, system=probes.original, results=result.results[:n]), never


def vacuity_warning(result: CheckResult, never: tuple[str, ...], span: Span | None
                    ) -> Diagnostic | None:
    """PC503 when some property holds and some declared disruption was never enabled."""
    held = [r.name for r in result.results if r.verdict is Verdict.HOLDS]
    if not never or not held:
        return None
    what = ", ".join(f"`{f}`" for f in never)
    props = ", ".join(f"`{p}`" for p in held)
    return Diagnostic(
        codes.VACUOUS_DISRUPTION, Severity.WARNING,
        f"the environment declares {what} but no reachable state enables it: "
        f"{props} {'holds' if len(held) == 1 else 'hold'} without it being tested",
        span,
        help="a pod that never comes up keeps `disruptionsStart: once-settled` from "
        "starting disruptions; see `podcheck explain` for this code",
    )
