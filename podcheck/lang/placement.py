"""Placement blocks of a pod template: podAffinity, podAntiAffinity, topologySpread and
toleration, read into the checked spec's placement values.

Stage: part of `podcheck.lang.check`, used by `podcheck.lang.convert`.
"""

from __future__ import annotations

from podcheck.diagnostics import Diagnostic
from podcheck.lang.fields import Members, read_block
from podcheck.lang.schema import BLOCKS
from podcheck.spec import (
    HOSTNAME_KEY,
    ZONE_KEY,
    PodAffinityTerm,
    Toleration,
    TopologySpreadConstraint,
)

Out = list[Diagnostic]


def topology_key(word: str) -> str:
    """The node label a `topologyKey` names: `hostname` and `zone` are shorthands for the
    well-known labels, anything else is the label key itself."""
    return {"hostname": HOSTNAME_KEY, "zone": ZONE_KEY}.get(word, word)


def placement_blocks(members: Members, out: Out) -> dict[str, tuple[object, ...]]:
    """The template's podAffinity, podAntiAffinity and topologySpread blocks."""
    found: dict[str, tuple[object, ...]] = {}
    for key in ("podAffinity", "podAntiAffinity"):
        terms = []
        for b in members.all_children(key):
            values = read_block(b, BLOCKS[key], out).values
            terms.append(PodAffinityTerm(
                topology_key(str(values.get("topologyKey", "hostname"))),
                values.get("selector", ()), span=b.span))  # type: ignore[arg-type]
        found[key] = tuple(terms)
    spread = []
    for b in members.all_children("topologySpread"):
        values = read_block(b, BLOCKS["topologySpread"], out).values
        spread.append(TopologySpreadConstraint(
            int(values.get("maxSkew", 1)),  # type: ignore[call-overload]
            topology_key(str(values.get("topologyKey", "hostname"))),
            values.get("selector", ()), span=b.span))  # type: ignore[arg-type]
    found["topologySpread"] = tuple(spread)
    found["tolerations"] = tuple(
        Toleration(span=b.span, **read_block(b, BLOCKS["toleration"], out).values)  # type: ignore[arg-type]
        for b in members.all_children("toleration"))
    return found
