"""`podcheck fit`'s text: per scenario (nodes taken away) the placement Z3 found, or
that none exists, and the smallest failing scenario.

Stage: `podcheck.report`.  Consumes an `engine.binpack.Problem` and its `Fit`s; produces
text.
"""

from __future__ import annotations

from collections.abc import Sequence

from podcheck.engine.binpack import Fit, Problem
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


def render_fits(problem: Problem, fits: Sequence[Fit]) -> str:
    """The whole `fit` report (module doc)."""
    resources = sorted({r for n in problem.nodes for r, _ in n.capacity})
    limited = ", ".join(resources) if resources else "no resource is limited"
    lines = [f"schedulability: {plural(len(problem.pods), 'pod')} on "
             f"{plural(len(problem.nodes), 'node')} ({limited})"]  # fmt: skip
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
    return "\n".join(lines) + "\n"
