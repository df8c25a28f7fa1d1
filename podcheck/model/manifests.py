"""Kubernetes-shaped dicts of the spec's objects and of a model state.

Stage: internal to `podcheck.model`, for checking the model against `podcheck.kube`'s
dict-level functions (`pod_phase`, `pdb_status`, `evict`): tests/model and
tests/integration/test_kube_agreement.py build the objects a state describes with these
and compare kube's answer with the IR's.  The compiler calls kube's typed core functions
through `kube_adapter.py` instead and never builds a dict.

A Deployment's pods are owned by one ReplicaSet `<name>-rs` (which the Deployment owns);
uids are `uid-<object name>`.
"""

from __future__ import annotations

from typing import Any

from podcheck import ir, spec
from podcheck.model.containers import BACKOFF, RUNNING, TERMINATED, ContainerModel
from podcheck.model.pod import PodModel
from podcheck.vocab import PodPhase, WorkloadKind

_RS, _DEPLOYMENT = str(WorkloadKind.REPLICASET), str(WorkloadKind.DEPLOYMENT)
_OWNER_API = {
    WorkloadKind.DEPLOYMENT: ("apps/v1", _RS),
    WorkloadKind.REPLICASET: ("apps/v1", _RS),
    WorkloadKind.JOB: ("batch/v1", str(WorkloadKind.JOB)),
    WorkloadKind.DAEMONSET: ("apps/v1", str(WorkloadKind.DAEMONSET)),
    WorkloadKind.STATEFULSET: ("apps/v1", str(WorkloadKind.STATEFULSET)),
}
_PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


def int_or_percent(value: spec.IntOrPercent) -> int | str:
    """The value as it appears in a Kubernetes object: `2` or `"50%"`."""
    return f"{value.value}%" if value.percent else value.value


def probe_manifest(p: spec.Probe) -> dict[str, int]:
    """A Probe object (no handler: the model abstracts it)."""
    return {
        "initialDelaySeconds": p.initialDelaySeconds,
        "periodSeconds": p.periodSeconds,
        "timeoutSeconds": p.timeoutSeconds,
        "failureThreshold": p.failureThreshold,
        "successThreshold": p.successThreshold,
    }


def container_manifest(c: spec.Container) -> dict[str, object]:
    """A Container object."""
    out: dict[str, object] = {"name": c.name, "image": c.image or "example"}
    if c.ports:
        out["ports"] = [{"containerPort": p} for p in c.ports]
    res = {k: dict(v) for k, v in (("requests", c.requests), ("limits", c.limits)) if v}
    if res:
        out["resources"] = res
    if c.restartPolicy is not None:
        out["restartPolicy"] = str(c.restartPolicy)
    for key in _PROBES:
        probe = getattr(c, key)
        if probe is not None:
            out[key] = probe_manifest(probe)
    return out


def pod_manifest(t: spec.PodTemplate) -> dict[str, Any]:
    """The template as a Pod object (metadata and spec, no status)."""
    pod_spec: dict[str, object] = {
        "restartPolicy": str(t.restartPolicy),
        "terminationGracePeriodSeconds": t.terminationGracePeriodSeconds,
        "containers": [container_manifest(c) for c in t.containers],
    }
    if t.initContainers:
        pod_spec["initContainers"] = [container_manifest(c) for c in t.initContainers]
    if t.activeDeadlineSeconds is not None:
        pod_spec["activeDeadlineSeconds"] = t.activeDeadlineSeconds
    if t.volumes:
        pod_spec["volumes"] = [{"name": v.name, "emptyDir": {}} for v in t.volumes]
    return {"metadata": {"name": t.name, "labels": dict(t.labels)}, "spec": pod_spec}


def container_status(cm: ContainerModel, state: ir.State) -> dict[str, Any]:
    """One containerStatuses entry for `cm` in `state`.

    Encoding: Waiting = waiting with no lastState; Running; Terminated (exitCode);
    CrashLoopBackOff = waiting with lastState.terminated.
    """
    current, code = state[cm.state.index], state[cm.exit_code.index]
    out: dict[str, Any] = {"name": cm.name, "ready": bool(ir.evaluate(cm.ready, state))}
    if current == RUNNING:
        out["state"] = {"running": {}}
        out["started"] = bool(ir.evaluate(cm.started, state))
    elif current == TERMINATED:
        out["state"] = {"terminated": {"exitCode": code}}
    elif current == BACKOFF:
        out["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
        out["lastState"] = {"terminated": {"exitCode": code}}
    else:
        out["state"] = {"waiting": {"reason": "PodInitializing"}}
    out["restartCount"] = state[cm.restarts.index]
    return out


def pod_with_status(pod: PodModel, state: ir.State) -> dict[str, Any]:
    """The Pod object of `pod`'s template with the container statuses of `state`."""
    status: dict[str, Any] = {
        "containerStatuses": [container_status(c, state) for c in pod.apps],
    }
    if pod.inits:
        status["initContainerStatuses"] = [container_status(c, state) for c in pod.inits]
    return {**pod_manifest(pod.template), "status": status}


def pdb_manifest(
    pdb: spec.PodDisruptionBudget, status: dict[str, int] | None = None
) -> dict[str, object]:
    """A PodDisruptionBudget object, with `status` (API field names) if given."""
    selector: dict[str, object] = {"matchLabels": dict(pdb.matchLabels)}
    if pdb.matchExpressions:
        selector["matchExpressions"] = [
            {"key": r.key, "operator": str(r.operator), "values": list(r.values)}
            for r in pdb.matchExpressions
        ]
    pdb_spec: dict[str, object] = {
        "selector": selector,
        "unhealthyPodEvictionPolicy": str(pdb.unhealthyPodEvictionPolicy),
    }
    if pdb.minAvailable is not None:
        pdb_spec["minAvailable"] = int_or_percent(pdb.minAvailable)
    if pdb.maxUnavailable is not None:
        pdb_spec["maxUnavailable"] = int_or_percent(pdb.maxUnavailable)
    out: dict[str, object] = {"metadata": {"name": pdb.name}, "spec": pdb_spec}
    if status is not None:
        out["status"] = dict(status)
    return out


def pod_object(name: str, workload: spec.Workload, phase: PodPhase, ready: bool,
               terminating: bool = False) -> dict[str, object]:
    """The pod `name` of `workload` in `phase`, Ready or not, Terminating or not (a
    `deletionTimestamp`), as the disruption rules read it (owner reference to its
    controller)."""
    meta: dict[str, object] = {"name": name, "labels": dict(workload.template.labels)}
    if terminating:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    owner_api = _OWNER_API.get(WorkloadKind(str(workload.kind.value)))
    if owner_api is not None:
        api, kind = owner_api
        owner = f"{workload.name}-rs" if kind == _RS else workload.name
        meta["ownerReferences"] = [{"apiVersion": api, "kind": kind, "name": owner,
                                    "uid": f"uid-{owner}", "controller": True}]
    status = {"phase": str(phase),
              "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    return {"metadata": meta, "spec": pod_manifest(workload.template)["spec"], "status": status}


def controller_objects(sp: spec.CheckedSpec) -> list[dict[str, object]]:
    """The ReplicaSets and Deployments the pods' owner references point at."""
    out: list[dict[str, object]] = []
    for w in sp.workloads:
        kind = WorkloadKind(str(w.kind.value))
        if kind not in (WorkloadKind.DEPLOYMENT, WorkloadKind.REPLICASET):
            continue
        rs_meta: dict[str, object] = {"name": f"{w.name}-rs", "uid": f"uid-{w.name}-rs"}
        if kind is WorkloadKind.DEPLOYMENT:
            rs_meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": _DEPLOYMENT,
                                           "name": w.name, "uid": f"uid-{w.name}",
                                           "controller": True}]
            out.append({"kind": _DEPLOYMENT, "metadata": {"name": w.name,
                                                           "uid": f"uid-{w.name}"},
                        "spec": {"replicas": w.replicas}})
        out.append({"kind": _RS, "metadata": rs_meta,
                    "spec": {"replicas": w.replicas}})
    return out
