"""Node capacities and pod requests as small integers, for the scheduler's fit check.

Stage: internal to `podcheck.model` (called by `slots.build_cluster`).  Consumes the
spec's nodes and pod templates; produces one capacity map per node and one request map
per template, with every quantity parsed and every effective request computed by
`podcheck.kube` (through `kube_adapter`), then scaled to integers exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from podcheck import spec
from podcheck.model.kube_adapter import effective_requests, node_capacity


def scaled_resources(
    nodes: Sequence[spec.Node], templates: Sequence[spec.PodTemplate]
) -> tuple[list[dict[str, int]], list[dict[str, int]]]:
    """Node capacities and effective pod requests (kube `PodRequests`) as small ints.

    Per resource, every quantity is divided by the greatest common divisor of all of
    them (as exact rationals), so `2` cpu and `500m` become 4 and 1.  A resource no
    node lists is unlimited and dropped; `pods` counts one per pod.  Raises
    `KubeInputError` for a quantity kube rejects.
    """
    caps = [{r: Fraction(q) for r, q in node_capacity(n).items()} for n in nodes]
    reqs = [{r: Fraction(q) for r, q in effective_requests(t).items()} for t in templates]
    for r in reqs:
        r["pods"] = Fraction(1)
    names = sorted({r for c in caps for r in c})
    units = {name: _unit([*(c[name] for c in caps if name in c),
                          *(q[name] for q in reqs if name in q)]) for name in names}
    return (
        [{r: int(v / units[r]) for r, v in c.items()} for c in caps],
        [{r: -(-v // units[r]) for r, v in q.items() if r in units} for q in reqs],
    )


def _unit(values: list[Fraction]) -> Fraction:
    nonzero = [v for v in values if v]
    if not nonzero:
        return Fraction(1)
    denominator = math.lcm(*(v.denominator for v in nonzero))
    return Fraction(math.gcd(*(int(v * denominator) for v in nonzero)), denominator)
