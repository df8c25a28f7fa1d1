"""Node affinity, nodeSelector and the node's pod-count capacity, as the scheduler filters.

Stage: `kube/` rule library.  Consumes pod and node dicts; produces `RequiredNodeAffinity`
(the parsed `spec.nodeSelector` plus required node affinity) and filter verdicts.
Mirrors, in Kubernetes v1.35:

* `GetRequiredNodeAffinity`, `RequiredNodeAffinity.Match`, `LazyErrorNodeSelector.Match`
  and `nodeSelectorRequirementsAs{Selector,FieldSelector}` (staging
  `component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go`): terms are ORed, an
  empty term matches nothing, a term with a parse error never matches, `matchFields`
  supports `metadata.name` with `In`/`NotIn` and exactly one value;
* the label `Requirement` operators `Gt`/`Lt` (apimachinery `pkg/labels/selector.go`): the
  label must exist and parse as an int64;
* the `NodeAffinity` plugin's `Filter` (`pkg/scheduler/framework/plugins/nodeaffinity`),
  which ignores parse errors and answers "node(s) didn't match Pod's node affinity/selector";
* the pod-count check of `fitsRequest` (`pkg/scheduler/framework/plugins/noderesources/
  fit.go`): `len(pods) + 1 > allowedPodNumber` is "Too many pods".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podcheck.kube._views import optional_list, optional_mapping, require_int, require_mapping
from podcheck.kube.errors import KubeInputError
from podcheck.kube.labels import Requirement, label_map, label_value_errors, qualified_name_errors
from podcheck.kube.resources import parse_quantity
from podcheck.kube.taints import parse_int64

NODE_AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector"
TOO_MANY_PODS_REASON = "Too many pods"
OBJECT_NAME_FIELD = "metadata.name"
_LABEL_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_FIELD_OPERATORS = ("In", "NotIn")


@dataclass(frozen=True)
class NodeView:
    """The node fields the placement rules read."""

    name: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class NodeSelectorTerm:
    """One parsed term; `errors` non-empty means the term never matches."""

    expressions: tuple[Requirement, ...] = ()
    fields: tuple[Requirement, ...] = ()
    errors: tuple[str, ...] = ()

    def matches(self, node: NodeView) -> bool:
        """`nodeSelectorTerm.match`: every expression on labels, every field on the name."""
        if self.errors:
            return False
        if not all(_label_requirement(r, node.labels) for r in self.expressions):
            return False
        if not node.name:
            return True
        return all(_field_requirement(r, node.name) for r in self.fields)


@dataclass(frozen=True)
class RequiredNodeAffinity:
    """`spec.nodeSelector` (None when empty) and the required node selector terms (None
    when the pod has no `requiredDuringSchedulingIgnoredDuringExecution`)."""

    node_selector: Mapping[str, str] | None = None
    terms: tuple[NodeSelectorTerm, ...] | None = None

    def matches(self, node: NodeView) -> bool:
        """`RequiredNodeAffinity.Match`, parse errors ignored as the Filter ignores them."""
        if self.node_selector is not None and any(
            node.labels.get(k) != v for k, v in self.node_selector.items()
        ):
            return False
        if self.terms is None:
            return True
        return any(term.matches(node) for term in self.terms)

    @property
    def errors(self) -> tuple[str, ...]:
        """The parse errors of every term (what `NewNodeSelector` would return)."""
        return tuple(e for term in self.terms or () for e in term.errors)


def _label_requirement(req: Requirement, labels: Mapping[str, str]) -> bool:
    if req.operator not in ("Gt", "Lt"):
        return req.matches(labels)
    if req.key not in labels:
        return False
    have, want = parse_int64(labels[req.key]), parse_int64(req.values[0])
    if have is None or want is None:
        return False
    return have > want if req.operator == "Gt" else have < want


def _field_requirement(req: Requirement, name: str) -> bool:
    hit = req.key == OBJECT_NAME_FIELD and name == req.values[0]
    if req.operator == "In":
        return hit
    return req.key != OBJECT_NAME_FIELD or name != req.values[0]


def node_affinity_filter(pod: Mapping[str, Any], node: Mapping[str, Any]) -> str | None:
    """The NodeAffinity plugin's Filter: None when the node fits, else its reason."""
    if required_node_affinity(pod).matches(node_view(node)):
        return None
    return NODE_AFFINITY_REASON


def pod_count_fits(pods_on_node: int, allowed_pods: int) -> bool:
    """`fitsRequest`'s pod-count check: one more pod fits iff `pods + 1 <= allowed`."""
    return pods_on_node + 1 <= allowed_pods


def node_pod_capacity(node: Mapping[str, Any]) -> int | None:
    """`status.allocatable.pods` of a node dict (None when absent)."""
    status = optional_mapping(require_mapping(node, "node"), "status", "node")
    allocatable = optional_mapping(status, "allocatable", "node.status")
    raw = allocatable.get("pods")
    if raw is None:
        return None
    return int(parse_quantity(raw, "node.status.allocatable.pods"))


# ---------------------------------------------------------------------------- parsing


def node_view(node: Mapping[str, Any]) -> NodeView:
    """The name and labels of a node dict."""
    obj = require_mapping(node, "node")
    meta = optional_mapping(obj, "metadata", "node")
    name = meta.get("name") or ""
    if not isinstance(name, str):
        raise KubeInputError("node.metadata.name: expected a string")
    return NodeView(name, label_map(meta.get("labels"), "node.metadata.labels"))


def required_node_affinity(pod: Mapping[str, Any]) -> RequiredNodeAffinity:
    """`GetRequiredNodeAffinity` of a pod dict."""
    spec = optional_mapping(require_mapping(pod, "pod"), "spec", "")
    selector = label_map(spec.get("nodeSelector"), "spec.nodeSelector") or None
    affinity = optional_mapping(optional_mapping(spec, "affinity", "spec"), "nodeAffinity",
                                "spec.affinity")
    field = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    raw = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if raw is None:
        return RequiredNodeAffinity(selector)
    return RequiredNodeAffinity(selector, parse_node_selector(raw, field))


def parse_node_selector(raw: Any, field: str) -> tuple[NodeSelectorTerm, ...]:
    """The non-empty terms of a `NodeSelector` dict (`NewLazyErrorNodeSelector`)."""
    obj = require_mapping(raw, field)
    terms = []
    for i, term in enumerate(optional_list(obj, "nodeSelectorTerms", field)):
        path = f"{field}.nodeSelectorTerms[{i}]"
        term = require_mapping(term, path)
        exprs = _requirements(term, "matchExpressions", path)
        fields = _requirements(term, "matchFields", path)
        if not exprs and not fields:
            continue
        errors = _label_errors(exprs, f"{path}.matchExpressions")
        errors += _field_errors(fields, f"{path}.matchFields")
        terms.append(NodeSelectorTerm(exprs, fields, tuple(errors)))
    return tuple(terms)


def _requirements(term: Mapping[str, Any], key: str, field: str) -> tuple[Requirement, ...]:
    out = []
    for i, raw in enumerate(optional_list(term, key, field)):
        path = f"{field}.{key}[{i}]"
        obj = require_mapping(raw, path)
        name, operator = obj.get("key"), obj.get("operator")
        values = optional_list(obj, "values", path)
        if not isinstance(name, str) or not isinstance(operator, str):
            raise KubeInputError(f"{path}: `key` and `operator` must be strings")
        if not all(isinstance(v, str) for v in values):
            raise KubeInputError(f"{path}.values: must be a list of strings")
        out.append(Requirement(name, operator, tuple(values)))
    return tuple(out)


def _label_errors(reqs: Sequence[Requirement], field: str) -> list[str]:
    errors: list[str] = []
    for i, req in enumerate(reqs):
        path = f"{field}[{i}]"
        if req.operator not in _LABEL_OPERATORS:
            errors.append(f"{path}.operator: Unsupported value: {req.operator!r}")
            continue
        errors += [f"{path}.key: {m}" for m in qualified_name_errors(req.key)]
        errors += _value_count_errors(req, path)
        for j, value in enumerate(req.values):
            errors += [f"{path}.values[{j}]: {m}" for m in label_value_errors(value)]
    return errors


def _value_count_errors(req: Requirement, path: str) -> list[str]:
    count = len(req.values)
    if req.operator in ("In", "NotIn") and count == 0:
        return [f"{path}.values: for 'in', 'notin' operators, values set can't be empty"]
    if req.operator in ("Exists", "DoesNotExist") and count:
        return [f"{path}.values: values set must be empty for exists and does not exist"]
    if req.operator in ("Gt", "Lt"):
        if count != 1:
            return [f"{path}.values: for 'Gt', 'Lt' operators, exactly one value is required"]
        if parse_int64(req.values[0]) is None:
            return [f"{path}.values[0]: for 'Gt', 'Lt' operators, the value must be an integer"]
    return []


def _field_errors(reqs: Sequence[Requirement], field: str) -> list[str]:
    errors: list[str] = []
    for i, req in enumerate(reqs):
        path = f"{field}[{i}]"
        if req.operator not in _FIELD_OPERATORS:
            errors.append(f"{path}.operator: Unsupported value: {req.operator!r}")
        elif len(req.values) != 1:
            errors.append(f"{path}.values: must have one element")
    return errors


def allowed_pods(node: Mapping[str, Any], default: int = 110) -> int:
    """The node's pod capacity: `status.allocatable.pods`, else the kubelet's default
    `--max-pods` of 110."""
    capacity = node_pod_capacity(node)
    return default if capacity is None else require_int(capacity, "node.status.allocatable.pods")
