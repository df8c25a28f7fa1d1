"""Required inter-pod affinity and anti-affinity, as the InterPodAffinity plugin filters.

Stage: `kube/` rule library.  Consumes the incoming pod dict, the node dicts and the pods
already bound (`spec.nodeName`); produces the filter's reason for one node (None when the
pod fits).  Mirrors `pkg/scheduler/framework/plugins/interpodaffinity/filtering.go` of
Kubernetes v1.35:

* `PreFilter` counts, per topology pair (`topologyKey`, the node's value), the bound pods
  matching *all* of the incoming pod's required affinity terms (`affinityCounts`,
  `updateWithAffinityTerms`), matching each anti-affinity term (`antiAffinityCounts`,
  `updateWithAntiAffinityTerms`), and the bound pods whose own required
  anti-affinity terms match the incoming pod (`existingAntiAffinityCounts`);
* `Filter` checks, in this order, `satisfyPodAffinity` (UnschedulableAndUnresolvable),
  `satisfyPodAntiAffinity` and `satisfyExistingPodsAntiAffinity` (Unschedulable);
* NOTE(first-pod-affinity): when no bound pod matches any affinity term anywhere and the
  incoming pod matches all its own affinity terms, the pod may schedule on any node that
  has every topology key, so the first pod of a self-affine group is not left Pending.

A term selects pods of `namespaces`, or of the pod's own namespace when both `namespaces`
and `namespaceSelector` are absent; `namespaceSelector: {}` selects every namespace; a
non-empty `namespaceSelector` is matched against `namespace_labels`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podcheck.kube._views import optional_list, optional_mapping, require_mapping
from podcheck.kube.errors import KubeInputError
from podcheck.kube.labels import Selector, label_map, parse_selector
from podcheck.kube.nodeaffinity import NodeView, node_view

AFFINITY_REASON = "node(s) didn't match pod affinity rules"
ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules"
EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules"
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"


@dataclass(frozen=True)
class AffinityTerm:
    """A `PodAffinityTerm`: `namespaces` None with `all_namespaces` False means the
    owner's namespace; `namespace_selector` None means no selector."""

    selector: Selector
    topology_key: str
    namespaces: frozenset[str]
    namespace_selector: Selector | None = None

    def matches(self, pod: PlacedPod, namespace_labels: Mapping[str, Mapping[str, str]]) -> bool:
        """`AffinityTerm.Matches`: namespace (list or selector), then the label selector."""
        in_namespace = pod.namespace in self.namespaces or (
            self.namespace_selector is not None
            and self.namespace_selector.matches(namespace_labels.get(pod.namespace, {}))
        )
        return in_namespace and self.selector.matches(pod.labels)


@dataclass(frozen=True)
class PlacedPod:
    """The placement-relevant view of a pod: where it is bound and its required terms."""

    name: str
    namespace: str
    labels: Mapping[str, str]
    node_name: str
    terminating: bool
    affinity: tuple[AffinityTerm, ...] = ()
    anti_affinity: tuple[AffinityTerm, ...] = ()


Pair = tuple[str, str]


@dataclass(frozen=True)
class AffinityCounts:
    """The PreFilter state: match counts per topology pair."""

    affinity: Mapping[Pair, int]
    anti_affinity: Mapping[Pair, int]
    existing_anti_affinity: Mapping[Pair, int]


def affinity_counts(
    incoming: PlacedPod,
    bound: Sequence[PlacedPod],
    nodes: Mapping[str, NodeView],
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> AffinityCounts:
    """PreFilter: count the bound pods (on known nodes) against the incoming pod's terms
    and the incoming pod against the bound pods' anti-affinity terms."""
    ns_labels = namespace_labels or {}
    aff: Counter[Pair] = Counter()
    anti: Counter[Pair] = Counter()
    existing: Counter[Pair] = Counter()
    for pod in bound:
        node = nodes.get(pod.node_name)
        if node is None:
            continue
        if incoming.affinity and all(t.matches(pod, ns_labels) for t in incoming.affinity):
            _count(aff, incoming.affinity, pod, node, ns_labels)
        _count(anti, incoming.anti_affinity, pod, node, ns_labels)
        for term in pod.anti_affinity:
            if term.topology_key in node.labels and term.matches(incoming, ns_labels):
                existing[(term.topology_key, node.labels[term.topology_key])] += 1
    return AffinityCounts(dict(aff), dict(anti), dict(existing))


def _count(
    counts: Counter[Pair],
    terms: Sequence[AffinityTerm],
    pod: PlacedPod,
    node: NodeView,
    ns_labels: Mapping[str, Mapping[str, str]],
) -> None:
    for term in terms:
        if term.topology_key in node.labels and term.matches(pod, ns_labels):
            counts[(term.topology_key, node.labels[term.topology_key])] += 1


def interpod_filter_core(
    incoming: PlacedPod,
    counts: AffinityCounts,
    node: NodeView,
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> str | None:
    """Filter: the first failing check's reason, or None when the node fits."""
    if not _satisfies_affinity(incoming, counts, node, namespace_labels or {}):
        return AFFINITY_REASON
    for term in incoming.anti_affinity:
        value = node.labels.get(term.topology_key)
        if value is not None and counts.anti_affinity.get((term.topology_key, value), 0) > 0:
            return ANTI_AFFINITY_REASON
    if any(counts.existing_anti_affinity.get(pair, 0) > 0 for pair in node.labels.items()):
        return EXISTING_ANTI_AFFINITY_REASON
    return None


def _satisfies_affinity(
    incoming: PlacedPod,
    counts: AffinityCounts,
    node: NodeView,
    ns_labels: Mapping[str, Mapping[str, str]],
) -> bool:
    pods_exist = True
    for term in incoming.affinity:
        value = node.labels.get(term.topology_key)
        if value is None:
            return False
        if counts.affinity.get((term.topology_key, value), 0) <= 0:
            pods_exist = False
    if pods_exist:
        return True
    # NOTE(first-pod-affinity)
    return not counts.affinity and bool(incoming.affinity) and all(
        term.matches(incoming, ns_labels) for term in incoming.affinity
    )


def interpod_affinity_filter(
    pod: Mapping[str, Any],
    node: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> str | None:
    """The InterPodAffinity Filter of `pod` on `node`, given every node and the pods bound
    to them (pods without `spec.nodeName` are ignored)."""
    incoming = placed_pod(pod, "pod")
    views = {v.name: v for v in (node_view(n) for n in nodes)}
    bound = [p for p in (placed_pod(raw, f"pods[{i}]") for i, raw in enumerate(pods))
             if p.node_name]
    counts = affinity_counts(incoming, bound, views, namespace_labels)
    return interpod_filter_core(incoming, counts, node_view(node), namespace_labels)


# ---------------------------------------------------------------------------- parsing


def placed_pod(pod: Any, field: str) -> PlacedPod:
    """Parse the fields of a pod dict that placement reads."""
    obj = require_mapping(pod, field)
    meta = optional_mapping(obj, "metadata", field)
    spec = optional_mapping(obj, "spec", field)
    namespace = meta.get("namespace") or "default"
    name, node_name = meta.get("name") or "", spec.get("nodeName") or ""
    if not all(isinstance(v, str) for v in (namespace, name, node_name)):
        raise KubeInputError(f"{field}: metadata.name, metadata.namespace and spec.nodeName "
                             "must be strings")
    affinity = optional_mapping(spec, "affinity", f"{field}.spec")
    return PlacedPod(
        name=name, namespace=namespace,
        labels=label_map(meta.get("labels"), f"{field}.metadata.labels"),
        node_name=node_name, terminating=meta.get("deletionTimestamp") is not None,
        affinity=_terms(affinity, "podAffinity", namespace, f"{field}.spec.affinity"),
        anti_affinity=_terms(affinity, "podAntiAffinity", namespace, f"{field}.spec.affinity"),
    )


def _terms(
    affinity: Mapping[str, Any], key: str, namespace: str, field: str
) -> tuple[AffinityTerm, ...]:
    block = optional_mapping(affinity, key, field)
    path = f"{field}.{key}.{_REQUIRED}"
    return tuple(
        parse_affinity_term(raw, namespace, f"{path}[{i}]")
        for i, raw in enumerate(optional_list(block, _REQUIRED, f"{field}.{key}"))
    )


def parse_affinity_term(raw: Any, namespace: str, field: str) -> AffinityTerm:
    """One `PodAffinityTerm` of a pod in `namespace` (`newAffinityTerm`)."""
    obj = require_mapping(raw, field)
    topology_key = obj.get("topologyKey")
    if not isinstance(topology_key, str) or not topology_key:
        raise KubeInputError(f"{field}.topologyKey: can not be empty")
    if obj.get("matchLabelKeys") or obj.get("mismatchLabelKeys"):
        raise KubeInputError(f"{field}: matchLabelKeys and mismatchLabelKeys are not modelled")
    selector = parse_selector(obj.get("labelSelector"), f"{field}.labelSelector")
    names = optional_list(obj, "namespaces", field)
    if not all(isinstance(n, str) for n in names):
        raise KubeInputError(f"{field}.namespaces: must be a list of strings")
    raw_ns_selector = obj.get("namespaceSelector")
    ns_selector = (None if raw_ns_selector is None
                   else parse_selector(raw_ns_selector, f"{field}.namespaceSelector"))
    if not names and ns_selector is None:
        names = [namespace]
    return AffinityTerm(selector, topology_key, frozenset(names), ns_selector)
