"""The scheduler's placement filters as IR: TaintToleration, NodeAffinity, InterPodAffinity,
PodTopologySpread.

Stage: internal to `podcheck.model` (called by `scheduler.declare_scheduler`).  Consumes a
`Cluster`; produces, for a pending pod slot and a node, whether the node can fit it at
all (a constant) and the guard over the other slots' placements.

Every compile-time decision is kube's: the pod's required node affinity, affinity terms
and spread constraints are parsed by kube from the pod dict (`kube_adapter.placement`),
which pods a term or selector matches is kube's `AffinityTerm.matches` /
`Selector.matches`, and node labels are kube's `NodeView`.  What the IR spells out is
the counting each plugin's PreFilter does over the bound pods (`affinity_counts`,
`domain_counts` in podcheck.kube) and its Filter's comparison (`interpod_filter_core`,
`spread_filter_core`); tests/model/test_placement_guards.py checks the guards against kube's
dict-level filters on every placement of the placement specs' pods.

A pod counts where it is bound (`spec.nodeName`), a Terminating pod included (it stays
in the scheduler's snapshot until it is gone), except for PodTopologySpread, which skips
pods with a deletion timestamp (`countPodsMatchSelector`); a terminal (Succeeded/Failed)
pod still counts, as it does in the scheduler's snapshot until it is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck import ir
from podcheck.kube.interpod import AffinityTerm
from podcheck.kube.nodeaffinity import NodeView
from podcheck.kube.topologyspread import SpreadConstraint
from podcheck.model.cluster import Cluster, NodeSlot, Slot
from podcheck.model.kube_adapter import Placement, node_view, placement, untolerated

NO_NAMESPACE_LABELS: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class Placements:
    """kube's parsed placement of every slot and the view of every node."""

    pods: dict[str, Placement]
    views: dict[str, NodeView]
    untolerated: frozenset[tuple[str, str]]  # (slot, node) the TaintToleration filter rejects
    repelling: tuple[Slot, ...]  # slots with a required anti-affinity term (linear scans)

    def view(self, n: NodeSlot) -> NodeView:
        """The node's labels as kube sees them."""
        return self.views[n.name]


def placements(cluster: Cluster) -> Placements:
    """Parse every slot's placement and every node's labels once (through kube)."""
    pods = {s.name: placement(s.workload.template, s.name) for s in cluster.slots}
    views = {n.name: node_view(n) for n in cluster.spec.nodes}
    rejected = frozenset((s.name, n.name) for s in cluster.slots for n in cluster.spec.nodes
                         if untolerated(n, s.workload.template))
    repelling = tuple(s for s in cluster.slots if pods[s.name].pod.anti_affinity)
    return Placements(pods, views, rejected, repelling)


def node_fits(pl: Placements, s: Slot, n: NodeSlot) -> bool:
    """The constant part of the filters: every NoSchedule / NoExecute taint tolerated
    (TaintToleration; the spec's taints are static), required node affinity
    (NodeAffinity), every required pod-affinity term's and spread constraint's topology
    key on the node."""
    pod, view = pl.pods[s.name], pl.view(n)
    if (s.name, n.name) in pl.untolerated or not pod.node_affinity.matches(view):
        return False
    keys = [t.topology_key for t in pod.pod.affinity] + [c.topology_key for c in pod.spread]
    return all(k in view.labels for k in keys)


def placement_guard(cluster: Cluster, pl: Placements, s: Slot, n: NodeSlot) -> list[ir.Expr]:
    """The state-dependent filters for binding `s` to `n` (given `node_fits`)."""
    return [*_affinity(cluster, pl, s, n), *_anti_affinity(cluster, pl, s, n),
            *_existing_anti_affinity(cluster, pl, s, n), *_spread(cluster, pl, s, n)]


def _domain(cluster: Cluster, pl: Placements, key: str, value: str) -> list[NodeSlot]:
    return [m for m in cluster.nodes if pl.view(m).labels.get(key) == value]


def _on_any(o: Slot, nodes: list[NodeSlot]) -> ir.Expr:
    return ir.or_(*(ir.eq(o.node, m.index) for m in nodes))


def _matching(cluster: Cluster, pl: Placements, s: Slot, term: AffinityTerm) -> list[Slot]:
    return [o for o in cluster.slots
            if o is not s and term.matches(pl.pods[o.name].pod, NO_NAMESPACE_LABELS)]


def _affinity(cluster: Cluster, pl: Placements, s: Slot, n: NodeSlot) -> list[ir.Expr]:
    """`satisfyPodAffinity`: per term, a pod matching every term in n's domain; else
    NOTE(first-pod-affinity) of podcheck.kube.interpod."""
    incoming = pl.pods[s.name].pod
    terms = incoming.affinity
    if not terms:
        return []
    matching = [o for o in cluster.slots if o is not s and all(
        t.matches(pl.pods[o.name].pod, NO_NAMESPACE_LABELS) for t in terms)]
    view = pl.view(n)
    exist = ir.and_(*(
        ir.or_(*(_on_any(o, _domain(cluster, pl, t.topology_key, view.labels[t.topology_key]))
                 for o in matching))
        for t in terms))
    if not all(t.matches(incoming, NO_NAMESPACE_LABELS) for t in terms):
        return [exist]
    keyed = [m for m in cluster.nodes
             if any(t.topology_key in pl.view(m).labels for t in terms)]
    none_anywhere = ir.not_(ir.or_(*(_on_any(o, keyed) for o in matching)))
    return [ir.or_(exist, none_anywhere)]


def _anti_affinity(cluster: Cluster, pl: Placements, s: Slot, n: NodeSlot) -> list[ir.Expr]:
    """`satisfyPodAntiAffinity`: no pod a term matches in n's domain of its key."""
    out = []
    for term in pl.pods[s.name].pod.anti_affinity:
        value = pl.view(n).labels.get(term.topology_key)
        if value is None:
            continue
        domain = _domain(cluster, pl, term.topology_key, value)
        out += [ir.not_(_on_any(o, domain)) for o in _matching(cluster, pl, s, term)]
    return out


def _existing_anti_affinity(cluster: Cluster, pl: Placements, s: Slot,
                            n: NodeSlot) -> list[ir.Expr]:
    """`satisfyExistingPodsAntiAffinity`: no bound pod whose own anti-affinity term
    matches the incoming pod is in n's domain of that term's key."""
    incoming, view = pl.pods[s.name].pod, pl.view(n)
    out = []
    for o in pl.repelling:
        if o is s:
            continue
        for term in pl.pods[o.name].pod.anti_affinity:
            value = view.labels.get(term.topology_key)
            if value is not None and term.matches(incoming, NO_NAMESPACE_LABELS):
                out.append(ir.not_(_on_any(o, _domain(cluster, pl, term.topology_key, value))))
    return out


def _spread(cluster: Cluster, pl: Placements, s: Slot, n: NodeSlot) -> list[ir.Expr]:
    """PodTopologySpread: per constraint, n's domain count plus the pod itself minus every
    eligible domain's count is at most maxSkew (that is, minus the global minimum)."""
    pod = pl.pods[s.name]
    keys = [c.topology_key for c in pod.spread]
    eligible = [m for m in cluster.nodes if pod.node_affinity.matches(pl.view(m))
                and all(k in pl.view(m).labels for k in keys)]
    return [_skew(cluster, pl, s, n, c, eligible) for c in pod.spread]


def _skew(cluster: Cluster, pl: Placements, s: Slot, n: NodeSlot, c: SpreadConstraint,
          eligible: list[NodeSlot]) -> ir.Expr:
    incoming = pl.pods[s.name].pod
    counted = [o for o in cluster.slots if o is not s
               and pl.pods[o.name].pod.namespace == incoming.namespace
               and c.selector.matches(pl.pods[o.name].pod.labels)]
    domains: dict[str, list[NodeSlot]] = {}
    for m in eligible:
        domains.setdefault(pl.view(m).labels[c.topology_key], []).append(m)

    def count(value: str) -> ir.Expr:
        members = domains.get(value, [])
        if not members:
            return ir.Const(0)
        return ir.count(*(ir.and_(_on_any(o, members), ir.not_(cluster.terminating(o)))
                          for o in counted))

    mine = ir.op("+", count(pl.view(n).labels[c.topology_key]),
                 int(c.selector.matches(incoming.labels)))
    if not domains or (c.min_domains is not None and len(domains) < c.min_domains):
        return ir.op("<=", mine, c.max_skew)  # the global minimum is 0 (`minMatchNum`)
    return ir.and_(*(ir.op("<=", ir.op("-", mine, count(d)), c.max_skew)
                     for d in sorted(domains)))
