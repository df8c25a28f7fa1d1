"""The typed adapter from the checked spec to `podcheck.kube`'s core functions.

Stage: internal to `podcheck.model`.  Consumes checked-spec values (containers, probes,
templates, workloads, PDBs); produces the plain values `podcheck.kube`'s core functions
take and answers every rule that is a function of constants at compile time: the sidecar
predicate and restart decisions (`_views`), probe timings and thresholds (`probes`),
effective requests (`resources`), crash-loop back-off delays (`backoff`), rolling-update
fenceposts and PDB constants (`disruption`), label selectors (`labels`), and the
placement fields the scheduler's filters read (`nodeaffinity`, `interpod`,
`topologyspread`), parsed by kube from the pod dict `pod_dict` builds.  No Kubernetes
rule is written here: each function converts, then calls kube.

`manifests.py` builds Kubernetes-shaped dicts of a model state, for the tests that check
the model against kube's dict-level functions; the compiler itself never builds one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from podcheck import spec
from podcheck.kube import backoff
from podcheck.kube import disruption as kd
from podcheck.kube._views import (
    ContainerPolicy,
    ContainerRestartPolicy,
    container_should_restart,
    is_restartable_init_container,
)
from podcheck.kube.interpod import PlacedPod, placed_pod
from podcheck.kube.labels import InvalidSelector, Selector, selector_core
from podcheck.kube.nodeaffinity import NodeView, RequiredNodeAffinity, required_node_affinity
from podcheck.kube.nodeaffinity import node_view as kube_node_view
from podcheck.kube.probes import ProbeSpec
from podcheck.kube.resources import aggregate_containers, parse_quantity, parse_resource_list
from podcheck.kube.rollout import Strategy, max_surge, max_unavailable
from podcheck.kube.taints import (
    TAINT_NODE_UNREACHABLE,
    NoExecuteDecision,
    Taint,
    TaintEffect,
    Toleration,
    daemon_pod_tolerations,
    default_toleration_seconds,
    find_untolerated_taint,
    no_execute_decision,
    node_taints,
    pod_tolerations,
    tolerates_unschedulable,
)
from podcheck.kube.termination import KillWindow, pod_kill_window
from podcheck.kube.topologyspread import DO_NOT_SCHEDULE, SpreadConstraint, spread_constraints
from podcheck.vocab import ProbeKind, RestartPolicy, WorkloadKind

# ------------------------------------------------------------------ containers


def pod_policy(template: spec.PodTemplate) -> RestartPolicy:
    """The pod's `spec.restartPolicy`."""
    return RestartPolicy(str(template.restartPolicy))


def container_policy(c: spec.Container) -> ContainerPolicy:
    """The container's restart-relevant fields, as kube reads them."""
    raw = c.restartPolicy
    return ContainerPolicy(ContainerRestartPolicy(str(raw)) if raw is not None else None)


def is_sidecar(c: spec.Container) -> bool:
    """kube `is_restartable_init_container`: an init container with restartPolicy Always."""
    return is_restartable_init_container(container_policy(c))


def should_restart(c: spec.Container, policy: RestartPolicy, exit_code: int) -> bool:
    """kube `container_should_restart` for `c` in a pod with restart policy `policy`."""
    return container_should_restart(container_policy(c), policy, exit_code)


def probe_kind(p: spec.Probe) -> ProbeKind:
    """The probe's kind in the one vocabulary."""
    return ProbeKind(str(p.kind.value))


def probe_spec(p: spec.Probe) -> ProbeSpec:
    """The probe's timing and thresholds as kube's prober worker reads them."""
    return ProbeSpec(
        initial_delay_seconds=p.initialDelaySeconds,
        period_seconds=p.periodSeconds,
        timeout_seconds=p.timeoutSeconds,
        success_threshold=p.successThreshold,
        failure_threshold=p.failureThreshold,
    )


# ------------------------------------------------------------------ resources


def _paths(template: spec.PodTemplate) -> list[tuple[spec.Container, str]]:
    return [*((c, f"spec.containers[{i}]") for i, c in enumerate(template.containers)),
            *((c, f"spec.initContainers[{i}]") for i, c in enumerate(template.initContainers))]


def effective_requests(template: spec.PodTemplate) -> dict[str, Decimal]:
    """kube `aggregate_containers` over the template's requests (PodRequests; the spec
    has no pod-level resources and no overhead); raises `KubeInputError` naming the
    container path of a request or limit kube rejects (requests checked first)."""
    own = {id(c): parse_resource_list(dict(c.requests), f"{path}.resources.requests")
           for c, path in _paths(template)}
    for c, path in _paths(template):
        parse_resource_list(dict(c.limits), f"{path}.resources.limits")
    apps = [own[id(c)] for c in template.containers]
    inits = [(own[id(c)], is_sidecar(c)) for c in template.initContainers]
    return dict(sorted(aggregate_containers(apps, inits).items()))


def node_capacity(node: spec.Node) -> dict[str, Decimal]:
    """The node's capacity as exact quantities (kube `parse_quantity`)."""
    return {r: parse_quantity(q, f"{node.name}.{r}") for r, q in node.capacity}


# ------------------------------------------------------------------ back-off


def backoff_table() -> tuple[int, ...]:
    """Wait before the next restart per back-off level (level 0: no window recorded).

    Level k+1 is the window `backoff.backoff_after` records after level k, for a
    container that exits at once; the last level is where the window stops growing.
    """
    windows: list[float | None] = [None]
    while True:
        nxt = backoff.backoff_after(windows[-1], 0.0)
        if nxt == windows[-1]:
            break
        windows.append(nxt)
    return tuple(math.ceil(backoff.restart_delay(w, 0.0)) for w in windows)


def reset_seconds() -> int:
    """Whole seconds of running after which the back-off is forgotten (> 600 s)."""
    seconds = math.floor(backoff.STABLE_RESET_SECONDS) + 1
    assert backoff.restart_delay(backoff.MAX_BACKOFF_SECONDS, seconds) == 0
    return seconds


# ------------------------------------------------------------------ Deployments


def int_or_string(value: spec.IntOrPercent) -> int | str:
    """The IntOrString value as the API holds it: `2` or `"50%"`."""
    return f"{value.value}%" if value.percent else value.value


def fenceposts(workload: spec.Workload) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as pods: kube `max_surge` / `max_unavailable`
    (`MaxSurge`, `MaxUnavailable` over `ResolveFenceposts` of the deployment util: surge
    rounds up, unavailable down, both 0 means unavailable 1, unavailable at most
    replicas; both 0 under Recreate)."""
    strategy = Strategy(workload.strategy, int_or_string(workload.maxSurge),
                        int_or_string(workload.maxUnavailable))
    return (max_surge(strategy, workload.replicas),
            max_unavailable(strategy, workload.replicas))


# ------------------------------------------------------------------ PDBs

# (API group, kind) of the controller `getExpectedScale` resolves a pod of each workload
# kind to: a Deployment's pods point at its ReplicaSet, which the finder follows up to
# the Deployment.  A bare pod has no controller (it is "unmanaged").
_CONTROLLER = {
    WorkloadKind.DEPLOYMENT: ("apps", WorkloadKind.DEPLOYMENT),
    WorkloadKind.REPLICASET: ("apps", WorkloadKind.REPLICASET),
    WorkloadKind.JOB: ("batch", WorkloadKind.JOB),
    WorkloadKind.DAEMONSET: ("apps", WorkloadKind.DAEMONSET),
    WorkloadKind.STATEFULSET: ("apps", WorkloadKind.STATEFULSET),
}


def selector(pdb: spec.PodDisruptionBudget) -> Selector | InvalidSelector:
    """The PDB's selector as `LabelSelectorAsSelector` converts it (kube `selector_core`)."""
    expressions = [(r.key, str(r.operator), tuple(r.values)) for r in pdb.matchExpressions]
    return selector_core(dict(pdb.matchLabels), expressions, "pdb.spec.selector")


def selects(pdb: spec.PodDisruptionBudget, template: spec.PodTemplate) -> bool:
    """The PDB's selector matches the template's pod labels (an invalid one matches none)."""
    found = selector(pdb)
    return not isinstance(found, InvalidSelector) and found.matches(dict(template.labels))


@dataclass(frozen=True, slots=True)
class BudgetRule:
    """What the disruption controller's `trySync` makes of one PDB, known at compile time.

    `fail_safe`: the sync error when it falls back to failSafe ("" otherwise);
    `scales`: with `needs_scale`, each owning workload's scale (`getExpectedScale`).
    """

    fail_safe: str = ""
    needs_scale: bool = False
    scales: dict[str, int] = field(default_factory=dict)


def budget_rule(pdb: spec.PodDisruptionBudget, pods: Sequence[spec.Workload]) -> BudgetRule:
    """`trySync` up to the counts for a PDB selecting one pod of each entry of `pods` (the
    owning workload per pod, in order): the selector error or the first controller error
    (kube `scale_of`) is the fail-safe reason."""
    found = selector(pdb)
    if isinstance(found, InvalidSelector):
        return BudgetRule(found.message)
    if not kd.needs_expected_scale(pdb.minAvailable, pdb.maxUnavailable):
        return BudgetRule()
    scales: dict[str, int] = {}
    for w in pods:
        owner = _CONTROLLER.get(WorkloadKind(str(w.kind.value)))
        if owner is None:
            continue  # a bare pod: unmanaged, no scale
        group, kind = owner
        scale, error = kd.scale_of(group, str(kind), w.replicas)
        if error:
            return BudgetRule(error)
        scales[w.name] = scale
    return BudgetRule("", True, scales)


def desired_healthy(pdb: spec.PodDisruptionBudget, expected: int) -> int:
    """kube `desired_healthy` for the PDB with `expected` pods expected."""
    return kd.desired_healthy(pdb.minAvailable, pdb.maxUnavailable, expected)


# ------------------------------------------------------------------ placement

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
NAMESPACE = "default"  # every pod of a spec lives in one namespace


def _term_dict(term: spec.PodAffinityTerm) -> dict[str, object]:
    return {"topologyKey": term.topologyKey,
            "labelSelector": {"matchLabels": dict(term.matchLabels)}}


def pod_dict(template: spec.PodTemplate, name: str, node: str = "") -> dict[str, object]:
    """The placement fields of a pod of `template` as a Kubernetes pod dict (metadata,
    nodeSelector, required node and pod (anti-)affinity, DoNotSchedule spread
    constraints, `spec.nodeName` when bound): what kube's filter parsers read."""
    affinity: dict[str, object] = {}
    if template.nodeAffinity:
        expressions = [{"key": r.key, "operator": str(r.operator), "values": list(r.values)}
                       for r in template.nodeAffinity]
        affinity["nodeAffinity"] = {REQUIRED: {"nodeSelectorTerms": [
            {"matchExpressions": expressions}]}}
    for key, terms in (("podAffinity", template.podAffinity),
                       ("podAntiAffinity", template.podAntiAffinity)):
        if terms:
            affinity[key] = {REQUIRED: [_term_dict(t) for t in terms]}
    pod_spec: dict[str, object] = {"affinity": affinity, "topologySpreadConstraints": [
        {"maxSkew": c.maxSkew, "topologyKey": c.topologyKey,
         "whenUnsatisfiable": DO_NOT_SCHEDULE,
         "labelSelector": {"matchLabels": dict(c.matchLabels)}}
        for c in template.topologySpread]}
    if template.nodeSelector:
        pod_spec["nodeSelector"] = dict(template.nodeSelector)
    if template.tolerations:
        pod_spec["tolerations"] = [_toleration_dict(t) for t in template.tolerations]
    if node:
        pod_spec["nodeName"] = node
    return {"metadata": {"name": name, "namespace": NAMESPACE, "labels": dict(template.labels)},
            "spec": pod_spec}


def _toleration_dict(t: spec.Toleration) -> dict[str, object]:
    out: dict[str, object] = {"key": t.key, "operator": str(t.operator), "value": t.value}
    if t.effect is not None:
        out["effect"] = str(t.effect)
    if t.tolerationSeconds is not None:
        out["tolerationSeconds"] = t.tolerationSeconds
    return out


def node_dict(node: spec.Node) -> dict[str, object]:
    """The node as a Kubernetes node dict: its name, every label the scheduler sees, and
    its taints."""
    taints = [{"key": t.key, "value": t.value, "effect": str(t.effect)} for t in node.taints]
    return {"metadata": {"name": node.name, "labels": node.all_labels},
            "spec": {"taints": taints}}


def tolerations(template: spec.PodTemplate) -> tuple[Toleration, ...]:
    """The pod's tolerations after the DefaultTolerationSeconds admission plugin (kube
    `default_toleration_seconds`), validated by kube `parse_toleration` (raises
    `KubeInputError` for one the API rejects)."""
    return pod_tolerations(default_toleration_seconds(pod_dict(template, "")))


def taints(node: spec.Node) -> tuple[Taint, ...]:
    """The node's taints as kube parses them."""
    return node_taints(node_dict(node))


def schedulable_when_cordoned(template: spec.PodTemplate, daemon: bool) -> bool:
    """The NodeUnschedulable filter (kube `tolerates_unschedulable`): the pod tolerates
    the `node.kubernetes.io/unschedulable:NoSchedule` taint of a cordoned node, by its
    own tolerations or, for a DaemonSet's pod, the ones the DaemonSet controller adds
    (kube `daemon_pod_tolerations`)."""
    own = tolerations(template)
    return tolerates_unschedulable(daemon_pod_tolerations(own) if daemon else own)


def untolerated(node: spec.Node, template: spec.PodTemplate) -> bool:
    """The TaintToleration filter: some NoSchedule or NoExecute taint of the node is not
    tolerated (kube `find_untolerated_taint`)."""
    return find_untolerated_taint(taints(node), tolerations(template)) is not None


def daemon_runs_on(node: spec.Node, template: spec.PodTemplate) -> bool:
    """`NodeShouldRunDaemonPod` (pkg/controller/daemon/util, v1.35) for the spec's static
    node fields: the pod's required node affinity and nodeSelector match the node
    (kube `RequiredNodeAffinity.matches`) and every NoSchedule / NoExecute taint is
    tolerated (kube `find_untolerated_taint`); the tolerations the DaemonSet controller
    adds itself (not-ready, unreachable, unschedulable, pressure) concern no static
    taint."""
    affinity = required_node_affinity(pod_dict(template, ""))
    return affinity.matches(node_view(node)) and not untolerated(node, template)


def eviction_on(node: spec.Node, template: spec.PodTemplate, down: bool) -> NoExecuteDecision:
    """The taint-eviction controller's decision (kube `no_execute_decision`) for a pod of
    `template` on `node`; `down`: the node is unreachable, so it also carries the
    `node.kubernetes.io/unreachable` NoExecute taint the node lifecycle controller adds."""
    found = taints(node)
    if down:
        found += (Taint(TAINT_NODE_UNREACHABLE, TaintEffect.NO_EXECUTE),)
    return no_execute_decision(found, tolerations(template))


def node_view(node: spec.Node) -> NodeView:
    """kube's `NodeView` of the node (name and labels, hostname and zone included)."""
    return kube_node_view(node_dict(node))


@dataclass(frozen=True)
class Placement:
    """What the scheduler's filters read of one pod, parsed by kube: the pod as
    InterPodAffinity sees it, its required node affinity, its hard spread constraints."""

    pod: PlacedPod
    node_affinity: RequiredNodeAffinity
    spread: tuple[SpreadConstraint, ...]


def placement(template: spec.PodTemplate, name: str) -> Placement:
    """kube's `placed_pod`, `required_node_affinity` and `spread_constraints` of a pod of
    `template` called `name`."""
    pod = pod_dict(template, name)
    return Placement(placed_pod(pod, name), required_node_affinity(pod), spread_constraints(pod))


def kill_window(template: spec.PodTemplate) -> KillWindow | None:
    """`kube.termination.pod_kill_window` of a scheduled, running pod of `template` deleted
    without options (None for `terminationGracePeriodSeconds: 0`: removed at once); the
    running containers are the app containers and the sidecars, each with its preStop
    duration rounded up to whole seconds."""
    grace = template.terminationGracePeriodSeconds
    if grace == 0:
        return None
    running = [*(c for c in template.initContainers if c.is_sidecar), *template.containers]
    hooks = [None if c.preStop is None else
             (c.preStop.duration.lo.seconds, c.preStop.duration.hi.seconds) for c in running]
    return pod_kill_window(grace, hooks)
