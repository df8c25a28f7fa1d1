"""Nodes, PodDisruptionBudgets and HorizontalPodAutoscalers, read.

Stage: part of `podcheck.manifests`.  Consumes `KObject`s of kind Node,
PodDisruptionBudget and HorizontalPodAutoscaler; produces `spec.Node`s (allocatable,
else capacity; the zone label), `spec.PodDisruptionBudget`s (pkg/apis/policy/validation
`ValidatePodDisruptionBudgetSpec`; the v1 rule that an empty selector selects every pod
and a missing one none, pkg/controller/disruption `getPodsForPdb`), and HPA replica
ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Severity, Span
from podcheck.diagnostics import codes as c
from podcheck.manifests import fields as f
from podcheck.manifests.fields import Fields, Owner
from podcheck.manifests.objects import KObject
from podcheck.manifests.options import ManifestOptions
from podcheck.manifests.placement import read_taints
from podcheck.spec import (
    HOSTNAME_KEY,
    ZONE_KEY,
    IntOrPercent,
    LabelRequirement,
    Node,
    PodDisruptionBudget,
    Taint,
)
from podcheck.vocab import SelectorOperator, UnhealthyPodEvictionPolicy, words

Out = list[Diagnostic]
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
_OPERATORS = words(SelectorOperator)
_HARMLESS = ("apiVersion", "kind", "metadata", "status")


@dataclass(frozen=True, slots=True)
class Scaling:
    """An HPA's replica range for one target workload."""

    target: tuple[str, str, str]  # (kind, namespace, name)
    low: int
    high: int
    span: Span
    value_span: Span | None = None  # minReplicas' value (what `tune`'s patch sets)


def read_node(obj: KObject, out: Out) -> Node:
    """A Node: its allocatable resources (else its capacity), without `pods`, its zone,
    labels (the hostname and zone labels are implied by name and zone) and taints."""
    top = Fields(obj.node, "", Owner(obj.kind, obj.name), out)
    meta = top.mapping("metadata")
    labels = dict(meta.string_map("labels")) if meta is not None else {}
    zone = next((labels[k] for k in ZONE_LABELS if k in labels), "")
    spec = top.mapping("spec")
    taints: tuple[Taint, ...] = ()
    if spec is not None:
        taints = read_taints(spec)
        spec.unmodelled("unschedulable", "a cordoned node accepts no new pods")
        spec.finish(("podCIDR", "podCIDRs", "providerID", "externalID", "configSource"))
    status = top.mapping("status")
    resources: tuple[tuple[str, str], ...] = ()
    if status is not None:
        for key in ("allocatable", "capacity"):
            pairs = status.string_map(key) if status.has(key) else ()
            if pairs and not resources:
                resources = tuple((k, v) for k, v in pairs if k != "pods")
    span = meta.value_span("name") if meta is not None else top.span
    own = tuple((k, v) for k, v in sorted(labels.items())
                if k not in (HOSTNAME_KEY, ZONE_KEY))
    return Node(obj.name, capacity=resources, zone=zone, labels=own, taints=taints, span=span)


def read_pdb(obj: KObject, options: ManifestOptions, namespace_label: str | None,
             out: Out) -> PodDisruptionBudget | None:
    """A PodDisruptionBudget, or None when rejected or when it selects no pod at all."""
    owner = Owner(obj.kind, obj.name)
    top = Fields(obj.node, "", owner, out)
    spec = top.mapping("spec")
    top.finish(_HARMLESS)
    if spec is None:
        f.required(owner, "spec", top.span, out)
        return None
    low, high = spec.int_or_percent("minAvailable"), spec.int_or_percent("maxUnavailable")
    if low is not None and high is not None:
        f.invalid(owner, "spec", "", "minAvailable and maxUnavailable cannot be both set",
                  spec.key_span("maxUnavailable"), "keep one of them", out)
        return None
    for key, budget in (("minAvailable", low), ("maxUnavailable", high)):
        if budget is not None and budget.percent and budget.value > 100:
            f.invalid(owner, f"spec.{key}", f"{budget.value}%", "must not be greater than 100%",
                      spec.value_span(key), "use at most 100%", out)
            return None
    policy = _policy(spec, options, out)
    selector = spec.mapping("selector")
    spec.finish()
    labels, expressions = _selector(selector, out)
    if selector is None or (obj.api_version == "policy/v1beta1" and not labels
                            and not expressions):
        out.append(Diagnostic(c.PDB_SELECTS_NOTHING, Severity.WARNING,
                              f"{owner} has {'no' if selector is None else 'an empty'} "
                              "selector: it selects no pod and guards nothing",
                              top.span if selector is None else selector.span,
                              help="select the pods' labels (`spec.selector.matchLabels`)"))
        return None
    if namespace_label is not None:
        labels = tuple(sorted((*labels, (namespace_label, obj.namespace))))
    if low is None and high is None:
        out.append(Diagnostic(c.APPROXIMATED_KIND, Severity.WARNING,
                              f"{owner} sets neither minAvailable nor maxUnavailable: it "
                              "allows every eviction (modelled as `minAvailable: 0`)",
                              spec.span, help="set `minAvailable` or `maxUnavailable`"))
        low = IntOrPercent(0)
    budget_key = "minAvailable" if spec.has("minAvailable") else "maxUnavailable"
    return PodDisruptionBudget(obj.name, matchLabels=labels, matchExpressions=expressions,
                               minAvailable=low, maxUnavailable=high,
                               unhealthyPodEvictionPolicy=policy,
                               span=spec.key_span(budget_key))


def _policy(spec: Fields, options: ManifestOptions, out: Out) -> UnhealthyPodEvictionPolicy:
    default = UnhealthyPodEvictionPolicy.IF_HEALTHY_BUDGET
    value = spec.choice("unhealthyPodEvictionPolicy", words(UnhealthyPodEvictionPolicy), None)
    if value is None:
        return default
    if not options.at_least(1, 27):
        out.append(Diagnostic(
            c.UNMODELLED_FIELD, Severity.WARNING,
            f"{spec.owner}: `spec.unhealthyPodEvictionPolicy` has no effect before Kubernetes "
            f"1.27 (checking for {options.version_text}): the API server drops it",
            spec.key_span("unhealthyPodEvictionPolicy"),
            help="checked with the IfHealthyBudget behaviour"))
        return default
    return UnhealthyPodEvictionPolicy(value)


def _selector(selector: Fields | None, out: Out
              ) -> tuple[tuple[tuple[str, str], ...], tuple[LabelRequirement, ...]]:
    if selector is None:
        return (), ()
    labels = selector.string_map("matchLabels")
    expressions: list[LabelRequirement] = []
    for expr in selector.mappings("matchExpressions"):
        key = expr.text("key")
        op = expr.choice("operator", _OPERATORS, None)
        values = expr.raw("values")
        items = [v.value for v in values.value] if values and isinstance(values.value, list) \
            else []
        expr.finish()
        if key is None or op is None:
            if key is None:
                f.required(expr.owner, f"{expr.path}.key", expr.span, out)
            continue
        if op in ("In", "NotIn") and not items:
            f.required(expr.owner, f"{expr.path}.values", expr.span, out,
                       "must be specified when `operator` is 'In' or 'NotIn'")
            continue
        if op in ("Exists", "DoesNotExist") and items:
            f.forbidden(expr.owner, f"{expr.path}.values", "may not be specified when "
                        "`operator` is 'Exists' or 'DoesNotExist'", expr.value_span("values"),
                        "remove `values`", out)
            continue
        expressions.append(LabelRequirement(key, SelectorOperator(op),
                                            tuple(str(v) for v in items)))
    selector.finish()
    return labels, tuple(expressions)


def read_hpa(obj: KObject, out: Out) -> Scaling | None:
    """An HPA's target and replica range (minReplicas defaults to 1)."""
    owner = Owner(obj.kind, obj.name)
    top = Fields(obj.node, "", owner, out)
    spec = top.mapping("spec")
    top.finish(_HARMLESS)
    if spec is None:
        f.required(owner, "spec", top.span, out)
        return None
    ref = spec.mapping("scaleTargetRef")
    low = spec.integer("minReplicas", 1, 1) or 1
    high = spec.integer("maxReplicas", None, 1)
    spec.unmodelled("behavior", "scale-up and scale-down policies and stabilization "
                    "windows pace the replica count, which is checked at minReplicas")
    spec.finish(("metrics", "targetCPUUtilizationPercentage"))
    if high is None:
        f.required(owner, "spec.maxReplicas", spec.span, out)
    if ref is None:
        f.required(owner, "spec.scaleTargetRef", spec.span, out)
        return None
    kind, name = ref.text("kind"), ref.text("name")
    ref.finish(("apiVersion",))
    if kind is None or name is None or high is None:
        return None
    if low > high:
        f.invalid(owner, "spec.minReplicas", low, "must be less than or equal to maxReplicas",
                  spec.value_span("minReplicas"), "lower minReplicas", out)
        return None
    return Scaling((kind, obj.namespace, name), low, high, spec.key_span("minReplicas"),
                   spec.value_span("minReplicas"))
