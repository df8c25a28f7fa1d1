"""Pod-template checks the API server makes, applied to `.pod` workloads.

Stage: part of `podcheck.lang` (called by `convert.build_workload`).  Consumes a
converted workload kind and `PodTemplate`; produces PC218 errors worded as the API
server words them, from `podcheck.kube.validation` (not re-implemented here):
`workload_template_errors` (`activeDeadlineSeconds` is Forbidden in the template of a
ReplicaSet, Deployment or DaemonSet: pkg/apis/apps/validation
`ValidatePodTemplateSpecForReplicaSet`, `ValidateDaemonSetSpec`) and
`init_container_errors` (probes on an init container that is not a sidecar:
pkg/apis/core/validation `validateInitContainers`).  The restart-policy rule of the
same functions is PC215's, so the dict handed over says `Always` for it.
"""

from __future__ import annotations

from typing import Any

from podcheck.diagnostics import Diagnostic, Span, codes
from podcheck.kube.validation import init_container_errors, workload_template_errors
from podcheck.lang import messages as m
from podcheck.spec import PodTemplate, WorkloadKind
from podcheck.vocab import RestartPolicy

_CONTROLLERS = {WorkloadKind.REPLICASET: "ReplicaSet", WorkloadKind.DEPLOYMENT: "Deployment",
                WorkloadKind.DAEMONSET: "DaemonSet"}


def _spec_dict(template: PodTemplate) -> dict[str, Any]:
    """The fields of the template the two kube checks read, as Kubernetes spells them."""
    inits = []
    for c in template.initContainers:
        entry: dict[str, Any] = {"name": c.name}
        if c.is_sidecar:
            entry["restartPolicy"] = str(RestartPolicy.ALWAYS)
        for key, probe in (("startupProbe", c.startupProbe), ("livenessProbe", c.livenessProbe),
                           ("readinessProbe", c.readinessProbe)):
            if probe is not None:
                entry[key] = {}
        inits.append(entry)
    out: dict[str, Any] = {"restartPolicy": str(RestartPolicy.ALWAYS), "initContainers": inits}
    if template.activeDeadlineSeconds is not None:
        out["activeDeadlineSeconds"] = template.activeDeadlineSeconds
    return out


def api_server_errors(kind: WorkloadKind, template: PodTemplate, span: Span
                      ) -> list[Diagnostic]:
    """PC218 for every error the API server would give the workload's pod template."""
    spec = _spec_dict(template)
    found: list[tuple[str, Span]] = []
    if kind in _CONTROLLERS:
        found += [(e, span) for e in workload_template_errors(_CONTROLLERS[kind], {"spec": spec})]
    for e in init_container_errors(spec, "spec.template.spec" if kind in _CONTROLLERS
                                   else "spec"):
        index = int(e.split("initContainers[", 1)[1].split("]", 1)[0])
        found.append((e, template.initContainers[index].span))
    return [m.error(codes.API_SERVER_REJECTS, f"the API server rejects this: {e}", where,
                    help="remove the field: Kubernetes does not accept it here")
            for e, where in found]
