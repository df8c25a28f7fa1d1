"""`podcheck fit`'s text: each workload's effective requests, per scenario (nodes taken
away) the placement Z3 found, or that none exists, and the smallest failing scenario.

Stage: `podcheck.report`.  Consumes an `engine.binpack.Problem` and its `Fit`s; produces
text.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from podcheck.engine.binpack import Fit, Problem
from podcheck.engine.result import Limit
from podcheck.report.words import plural


def _scenario(problem: Problem, fit: Fit) -> str:
    if not fit.removed:
        return "with every node"
    gone = ", ".join(problem.nodes[q].name for q in sorted(fit.removed))
    return f"without {gone}"


def _placement(problem: Problem, fit: Fit) -> str:
    assert fit.placement is not None
    by_node: dict[int, list[str]] = {}
    for pod, q in zip(problem.pods, fit.placement, strict=True):
        if q is not None:
            by_node.setdefault(q, []).append(pod.name)
    return "; ".join(f"{problem.nodes[q].name}: {', '.join(names)}"
                     for q, names in sorted(by_node.items())) or "no pods"  # fmt: skip


SHOWN = 4  # the undecided scenarios a stopped run names in its last line (all are above)
_BINARY = (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10))


def quantity(resource: str, value: Decimal) -> str:
    """A quantity as Kubernetes writes it: cpu in cores or millicores (`2`, `850m`),
    bytes with the largest binary suffix that divides them (`448Mi`), else as is."""
    if resource == "cpu" and value != value.to_integral_value():
        return f"{(value * 1000).normalize():f}m"
    if value == value.to_integral_value() and resource != "cpu" and value:
        whole = int(value)
        for suffix, shift in _BINARY:
            if whole % (1 << shift) == 0:
                return f"{whole >> shift}{suffix}"
    return f"{value.normalize():f}"


def _requests(requests: Sequence[tuple[str, Sequence[tuple[str, Decimal]]]]) -> list[str]:
    """`  effective requests ...: web 850m cpu, 448Mi memory` (none: no line)."""
    if not requests:
        return []
    each = "; ".join(f"{name} " + ", ".join(f"{quantity(r, v)} {r}" for r, v in rs)
                     for name, rs in requests)  # fmt: skip
    return [f"  effective requests (init containers and sidecars included): {each}"]


def render_fits(problem: Problem, fits: Sequence[Fit],
                requests: Sequence[tuple[str, Sequence[tuple[str, Decimal]]]] = (),
                stopped: Limit | None = None) -> str:
    """The whole `fit` report (module doc), with each workload's effective `requests`
    (kube `PodRequests`) under the heading, and what was decided when the run's budget
    `stopped` it (NOTE(whole-run-budget))."""
    resources = sorted({r for n in problem.nodes for r, _ in n.capacity})
    limited = ", ".join(resources) if resources else "no resource is limited"
    lines = [f"schedulability: {plural(len(problem.pods), 'pod')} on "
             f"{plural(len(problem.nodes), 'node')} ({limited})", *_requests(requests)]
    for fit in fits:
        where = _scenario(problem, fit)
        if fit.fits:
            lines.append(f"  {where}: fits ({_placement(problem, fit)})")
        elif fit.fits is False:
            lines.append(f"  {where}: does not fit")
        else:
            lines.append(f"  {where}: undecided ({fit.reason})")
    failing = next((f for f in fits if f.fits is False), None)
    if failing is not None:
        away = plural(len(failing.removed), "node")
        lines.append(f"smallest failing scenario: {_scenario(problem, failing)} ({away} away)")
    elif all(f.fits for f in fits):
        lines.append(f"every pod fits in all {plural(len(fits), 'scenario')}")
    if stopped is not None:
        left = [_scenario(problem, f) for f in fits if f.fits is None]
        shown = "; ".join(left[:SHOWN]) + (f"; and {len(left) - SHOWN} more" if len(left) > SHOWN
                                           else "")  # fmt: skip
        lines.append(f"stopped by {stopped.value}: {len(fits) - len(left)} of "
                     f"{plural(len(fits), 'scenario')} decided, {len(left)} left undecided "
                     f"({shown})")
    return "\n".join(lines) + "\n"
