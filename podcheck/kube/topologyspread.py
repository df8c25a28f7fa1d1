"""Hard topology spread constraints, as the PodTopologySpread plugin filters.

Stage: `kube/` rule library.  Consumes the incoming pod dict, the node dicts and the bound
pods; produces the filter's reason for one node (None when the pod fits).  Mirrors
`pkg/scheduler/framework/plugins/podtopologyspread/filtering.go` and `common.go` of
Kubernetes v1.35 with the default policies (`nodeAffinityPolicy: Honor`,
`nodeTaintsPolicy: Ignore`):

* only `whenUnsatisfiable: DoNotSchedule` constraints filter (`ScheduleAnyway` is scoring);
* `PreFilter` keeps the nodes that match the pod's required node affinity and carry every
  constraint's topology key; each such node's domain starts at 0 and counts the bound,
  non-terminating pods of the pod's namespace that the constraint's selector matches
  (`countPodsMatchSelector`); `matchLabelKeys` add `key in (pod's value)` requirements;
* `Filter`: a node without the topology key is UnschedulableAndUnresolvable ("missing
  required label"); otherwise `count(node's domain) + selfMatch - globalMin > maxSkew` is
  Unschedulable.  With `minDomains` set and fewer eligible domains than it, the global
  minimum is 0 (`minMatchNum`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podcheck.kube._views import optional_list, optional_mapping, require_int, require_mapping
from podcheck.kube.errors import KubeInputError
from podcheck.kube.interpod import PlacedPod, placed_pod
from podcheck.kube.labels import Requirement, Selector, parse_selector
from podcheck.kube.nodeaffinity import NodeView, RequiredNodeAffinity, node_view
from podcheck.kube.nodeaffinity import required_node_affinity as _required

SPREAD_REASON = "node(s) didn't match pod topology spread constraints"
MISSING_LABEL_REASON = SPREAD_REASON + " (missing required label)"
DO_NOT_SCHEDULE = "DoNotSchedule"
SCHEDULE_ANYWAY = "ScheduleAnyway"


@dataclass(frozen=True)
class SpreadConstraint:
    """One hard constraint; `min_domains` None when unset."""

    max_skew: int
    topology_key: str
    selector: Selector
    min_domains: int | None = None


def domain_counts(
    constraint: SpreadConstraint,
    incoming: PlacedPod,
    affinity: RequiredNodeAffinity,
    keys: Sequence[str],
    nodes: Sequence[NodeView],
    bound: Sequence[PlacedPod],
) -> dict[str, int]:
    """PreFilter for one constraint: matching-pod count per domain of the eligible nodes."""
    eligible = {n.name: n for n in nodes
                if affinity.matches(n) and all(k in n.labels for k in keys)}
    counts = {n.labels[constraint.topology_key]: 0 for n in eligible.values()}
    for pod in bound:
        node = eligible.get(pod.node_name)
        if node is None or pod.terminating or pod.namespace != incoming.namespace:
            continue
        if constraint.selector.matches(pod.labels):
            counts[node.labels[constraint.topology_key]] += 1
    return counts


def spread_filter_core(
    constraint: SpreadConstraint,
    counts: Mapping[str, int],
    incoming_labels: Mapping[str, str],
    node: NodeView,
) -> str | None:
    """Filter for one constraint on one node: None, or the reason it fails."""
    value = node.labels.get(constraint.topology_key)
    if value is None:
        return MISSING_LABEL_REASON
    global_min = min(counts.values()) if counts else 0
    if constraint.min_domains is not None and len(counts) < constraint.min_domains:
        global_min = 0
    self_match = 1 if constraint.selector.matches(incoming_labels) else 0
    skew = counts.get(value, 0) + self_match - global_min
    return SPREAD_REASON if skew > constraint.max_skew else None


def topology_spread_filter(
    pod: Mapping[str, Any],
    node: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
) -> str | None:
    """The PodTopologySpread Filter of `pod` on `node` given every node and bound pod."""
    incoming = placed_pod(pod, "pod")
    constraints = spread_constraints(pod)
    if not constraints:
        return None
    views = [node_view(n) for n in nodes]
    bound = [p for p in (placed_pod(raw, f"pods[{i}]") for i, raw in enumerate(pods))
             if p.node_name]
    keys = [c.topology_key for c in constraints]
    affinity, target = _required(pod), node_view(node)
    for constraint in constraints:
        counts = domain_counts(constraint, incoming, affinity, keys, views, bound)
        reason = spread_filter_core(constraint, counts, incoming.labels, target)
        if reason is not None:
            return reason
    return None


# ---------------------------------------------------------------------------- parsing


def spread_constraints(pod: Mapping[str, Any]) -> tuple[SpreadConstraint, ...]:
    """The DoNotSchedule `spec.topologySpreadConstraints` of a pod dict."""
    obj = require_mapping(pod, "pod")
    spec = optional_mapping(obj, "spec", "")
    labels = placed_pod(obj, "pod").labels
    out = []
    for i, raw in enumerate(optional_list(spec, "topologySpreadConstraints", "spec")):
        field = f"spec.topologySpreadConstraints[{i}]"
        constraint = _constraint(require_mapping(raw, field), labels, field)
        if constraint is not None:
            out.append(constraint)
    return tuple(out)


def _constraint(
    raw: Mapping[str, Any], pod_labels: Mapping[str, str], field: str
) -> SpreadConstraint | None:
    when = raw.get("whenUnsatisfiable")
    if when not in (DO_NOT_SCHEDULE, SCHEDULE_ANYWAY):
        raise KubeInputError(f"{field}.whenUnsatisfiable: Unsupported value: {when!r}")
    max_skew = require_int(raw.get("maxSkew"), f"{field}.maxSkew")
    if max_skew <= 0:
        raise KubeInputError(f"{field}.maxSkew: must be greater than zero")
    key = raw.get("topologyKey")
    if not isinstance(key, str) or not key:
        raise KubeInputError(f"{field}.topologyKey: can not be empty")
    min_domains = _min_domains(raw.get("minDomains"), when, field)
    if when == SCHEDULE_ANYWAY:
        return None
    selector = parse_selector(raw.get("labelSelector"), f"{field}.labelSelector")
    return SpreadConstraint(max_skew, key, _with_label_keys(selector, raw, pod_labels, field),
                            min_domains)


def _min_domains(raw: Any, when: str, field: str) -> int | None:
    if raw is None:
        return None
    value = require_int(raw, f"{field}.minDomains")
    if value <= 0:
        raise KubeInputError(f"{field}.minDomains: must be greater than zero")
    if when != DO_NOT_SCHEDULE:
        raise KubeInputError(
            f"{field}.minDomains: can only use minDomains if whenUnsatisfiable=DoNotSchedule"
        )
    return value


def _with_label_keys(
    selector: Selector, raw: Mapping[str, Any], pod_labels: Mapping[str, str], field: str
) -> Selector:
    keys = optional_list(raw, "matchLabelKeys", field)
    if not all(isinstance(k, str) for k in keys):
        raise KubeInputError(f"{field}.matchLabelKeys: must be a list of strings")
    extra = tuple(Requirement(k, "In", (pod_labels[k],)) for k in keys if k in pod_labels)
    if not extra or selector.nothing:
        return selector
    return Selector(tuple(sorted(selector.requirements + extra, key=lambda r: r.key)))
