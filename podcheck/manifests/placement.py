"""Placement fields of a PodSpec and a Node, read: what the scheduler's filters decide on.

Stage: part of `podcheck.manifests` (called by `pods.read_template` and
`cluster.read_node`).  Consumes the PodSpec's `nodeSelector`, `affinity`,
`topologySpreadConstraints` and `tolerations`, or a Node's `spec.taints`; produces the
`spec.PodTemplate` / `spec.Node` placement fields.  Kubernetes' own parsers validate
each field (podcheck.kube `required_node_affinity`, `parse_affinity_term`,
`spread_constraints`, `parse_toleration`, `parse_taint`); a value they reject is PC407.

Read as the model's filters decide: nodeSelector, one required node selector term of
label expressions (In, NotIn, Exists, DoesNotExist), required pod (anti-)affinity terms
of `matchLabels` in the pod's own namespace, DoNotSchedule spread constraints of
`matchLabels`, and every toleration.  Preferred rules and ScheduleAnyway constraints
only score nodes: PC408 says they are treated as "any feasible node".  Shapes the
model cannot express (several node selector terms, matchFields, Gt/Lt, other
namespaces, matchExpressions in pod selectors, minDomains, matchLabelKeys) are PC408
with the rule left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podcheck.kube.errors import KubeInputError
from podcheck.kube.interpod import parse_affinity_term
from podcheck.kube.nodeaffinity import required_node_affinity
from podcheck.kube.taints import parse_taint, parse_toleration
from podcheck.kube.topologyspread import DO_NOT_SCHEDULE, SCHEDULE_ANYWAY, spread_constraints
from podcheck.manifests import fields as f
from podcheck.manifests.fields import Fields
from podcheck.spec import (
    LabelRequirement,
    PodAffinityTerm,
    Taint,
    Toleration,
    TopologySpreadConstraint,
)
from podcheck.vocab import SelectorOperator, words

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
SCORING = "preferred rules only score nodes: podcheck treats them as \"any feasible node\""


def read_pod_placement(pod: Fields) -> dict[str, object]:
    """The placement keyword arguments of `spec.PodTemplate` from a PodSpec."""
    found: dict[str, object] = {"nodeSelector": pod.string_map("nodeSelector")}
    raw: dict[str, Any] = {k: v.plain() for k, v in (
        (k, pod.raw(k)) for k in ("affinity", "topologySpreadConstraints", "tolerations"))
        if v is not None}
    try:
        # kube validates what it reads; a rejected pod is PC407
        required_node_affinity({"spec": raw})
        spread_constraints({"spec": raw})
        tolerations = tuple(parse_toleration(t, f"{pod.path}.tolerations[{i}]")
                            for i, t in enumerate(raw.get("tolerations") or ()))
    except KubeInputError as err:
        f.invalid(pod.owner, pod.path, "", str(err), pod.span, "fix the field", pod.out)
        return found
    found["tolerations"] = tuple(Toleration(t.key, t.operator, t.value, t.effect, t.seconds,
                                            span=pod.value_span("tolerations"))
                                 for t in tolerations)
    affinity = pod.mapping("affinity")
    if affinity is not None:
        found.update(_affinity(affinity))
    found["topologySpread"] = _spread(pod)
    return found


def _affinity(affinity: Fields) -> dict[str, object]:
    out: dict[str, object] = {}
    node = affinity.mapping("nodeAffinity")
    if node is not None:
        out["nodeAffinity"] = _node_affinity(node)
    for key in ("podAffinity", "podAntiAffinity"):
        block = affinity.mapping(key)
        if block is None:
            continue
        block.unmodelled(PREFERRED, SCORING)
        terms = []
        for term in block.mappings(REQUIRED):
            parsed = _pod_term(term)
            if parsed is not None:
                terms.append(parsed)
        out[key] = tuple(terms)
        block.finish()
    affinity.finish()
    return out


def _node_affinity(node: Fields) -> tuple[LabelRequirement, ...]:
    node.unmodelled(PREFERRED, SCORING)
    selector = node.mapping(REQUIRED)
    node.finish()
    if selector is None:
        return ()
    terms = selector.mappings("nodeSelectorTerms")
    selector.finish()
    allowed = words(SelectorOperator)
    plain = [t.node.plain() for t in terms]
    if len(terms) != 1 or not isinstance(plain[0], Mapping) or set(plain[0]) - {
            "matchExpressions"} or any(e.get("operator") not in allowed
                                       for e in plain[0].get("matchExpressions") or ()):
        selector.read.discard("nodeSelectorTerms")
        selector.unmodelled("nodeSelectorTerms", "only one term of label expressions (In, "
                            "NotIn, Exists, DoesNotExist) is modelled; the rule is left out")
        return ()
    for t in terms:
        t.read.add("matchExpressions")
    return tuple(LabelRequirement(e["key"], SelectorOperator(e["operator"]),
                                  tuple(e.get("values") or ()))
                 for e in plain[0].get("matchExpressions") or ())


def _match_labels_only(raw: Any) -> dict[str, str] | None:
    if raw is None:
        return {}
    if isinstance(raw, Mapping) and set(raw) <= {"matchLabels"}:
        return dict(raw.get("matchLabels") or {})
    return None


def _pod_term(term: Fields) -> PodAffinityTerm | None:
    raw = term.node.plain()
    assert isinstance(raw, Mapping)
    parse_affinity_term(raw, "default", term.path)  # validated with the pod already
    labels = _match_labels_only(raw.get("labelSelector"))
    for key in raw:
        term.read.add(key)
    if labels is None or set(raw) - {"labelSelector", "topologyKey"}:
        term.read.discard("labelSelector")
        term.unmodelled("labelSelector", "only `matchLabels` in the pod's own namespace is "
                        "modelled; the term is left out")
        return None
    return PodAffinityTerm(str(raw["topologyKey"]), tuple(sorted(labels.items())),
                           span=term.span)


def _spread(pod: Fields) -> tuple[TopologySpreadConstraint, ...]:
    out = []
    for item in pod.mappings("topologySpreadConstraints"):
        raw = item.node.plain()
        assert isinstance(raw, Mapping)
        for key in raw:
            item.read.add(key)
        if raw.get("whenUnsatisfiable") == SCHEDULE_ANYWAY:
            item.read.discard("whenUnsatisfiable")
            item.unmodelled("whenUnsatisfiable", "ScheduleAnyway only scores nodes: podcheck "
                            "treats it as \"any feasible node\"")
            continue
        labels = _match_labels_only(raw.get("labelSelector"))
        extra = set(raw) - {"maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector"}
        if labels is None or extra:
            item.read.discard(sorted(extra)[0] if extra else "labelSelector")
            item.unmodelled(sorted(extra)[0] if extra else "labelSelector",
                            "only `maxSkew`, `topologyKey` and a `matchLabels` selector are "
                            "modelled; the constraint is left out")
            continue
        assert raw.get("whenUnsatisfiable") == DO_NOT_SCHEDULE
        out.append(TopologySpreadConstraint(int(raw["maxSkew"]), str(raw["topologyKey"]),
                                            tuple(sorted(labels.items())), span=item.span))
    return tuple(out)


def read_taints(spec: Fields) -> tuple[Taint, ...]:
    """A Node's `spec.taints`, each parsed by kube (PC407 for one it rejects)."""
    out = []
    for i, item in enumerate(spec.mappings("taints")):
        try:
            taint = parse_taint(item.node.plain(), f"spec.taints[{i}]")
        except KubeInputError as err:
            f.invalid(spec.owner, item.path, "", str(err), item.span, "fix the taint", spec.out)
            continue
        for key in ("key", "value", "effect", "timeAdded"):
            item.read.add(key)
        item.finish()
        out.append(Taint(taint.key, taint.effect, taint.value, span=item.span))
    return tuple(out)
