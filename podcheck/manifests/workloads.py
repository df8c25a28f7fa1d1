"""Pods and controllers to checked workloads.

Stage: part of `podcheck.manifests`.  Consumes one `KObject` of kind Pod, Deployment,
ReplicaSet, StatefulSet, DaemonSet, Job or CronJob; produces a `spec.Workload` with
Kubernetes' defaults (pkg/apis/apps/v1/defaults.go `SetDefaults_Deployment`: replicas 1,
RollingUpdate 25%/25%; pkg/apis/batch/v1/defaults.go `SetDefaults_Job`: completions and
parallelism 1, backoffLimit 6), or None with the API server's validation errors
(pkg/apis/apps/validation/validation.go `ValidateDeploymentSpec`,
`ValidateRollingUpdateDeployment`, `ValidatePodTemplateSpecForReplicaSet`;
pkg/apis/batch/validation/validation.go `validateJobSpec`).  StatefulSets and CronJobs
are approximated (PC410, docs/manifests.md).
"""

from __future__ import annotations

from dataclasses import replace

from podcheck.diagnostics import Diagnostic, Note, Severity, Span
from podcheck.diagnostics import codes as c
from podcheck.kube.errors import KubeInputError
from podcheck.kube.labels import InvalidSelector, selector_from_api
from podcheck.manifests import fields as f
from podcheck.manifests.controllers import cron_schedule, pod_failure_policy, update_strategy
from podcheck.manifests.fields import Fields, Owner
from podcheck.manifests.objects import KObject
from podcheck.manifests.options import ManifestOptions
from podcheck.manifests.pods import PodContext, read_template
from podcheck.manifests.yamlread import YNode
from podcheck.spec import IntOrPercent, PodTemplate, Workload, WorkloadKind
from podcheck.vocab import DeploymentStrategyType, PodManagementPolicy, RestartPolicy, words

Out = list[Diagnostic]
OBJECT_HARMLESS = ("apiVersion", "kind", "metadata", "status")
_KINDS = {
    "Pod": WorkloadKind.POD,
    "Deployment": WorkloadKind.DEPLOYMENT,
    "ReplicaSet": WorkloadKind.REPLICASET,
    "StatefulSet": WorkloadKind.STATEFULSET,
    "DaemonSet": WorkloadKind.DAEMONSET,
    "Job": WorkloadKind.JOB,
    "CronJob": WorkloadKind.JOB,  # one run of its jobTemplate
}
_CRON_NOTE = (
    "its schedule times are modelled as untimed events, as many as `podcheck.io/schedules` "
    "says (default 2), not by the cron expression; finished Jobs are kept (history limits "
    "are not modelled)"
)
_JOB_UNMODELLED = {
    "activeDeadlineSeconds": "the Job-level deadline fails the whole Job",
    "completionMode": "Indexed completions are not modelled",
    "suspend": "a suspended Job creates no pods",
    "backoffLimitPerIndex": "per-index back-off limits are not modelled",
    "maxFailedIndexes": "per-index back-off limits are not modelled",
    "successPolicy": "success policies can complete the Job early",
    "podReplacementPolicy": "replacement pods are created once the old pods terminate",
}


def name_of(obj: KObject, multi_namespace: bool) -> str:
    """The workload's name in the checked spec: `metadata.name`, prefixed by the
    namespace when the input spans several namespaces."""
    return f"{obj.namespace}-{obj.name}" if multi_namespace else obj.name


def read_workload(obj: KObject, name: str, options: ManifestOptions,
                  out: Out) -> Workload | None:
    """The workload of `obj`, or None when the API server would reject it."""
    owner = Owner(obj.kind, obj.name)
    top = Fields(obj.node, "", owner, out)
    span = _name_span(top)
    kind = _KINDS[obj.kind]
    if obj.kind == "Pod":
        template = read_template(top, name, PodContext(owner, False, options, out))
        top.finish(OBJECT_HARMLESS + ("spec",))
        return None if template is None else Workload(kind, name, template, span=span)
    spec = top.mapping("spec")
    top.finish(OBJECT_HARMLESS)
    if spec is None:
        f.required(owner, "spec", top.span, out)
        return None
    cron = None
    if obj.kind == "CronJob":
        cron = cron_schedule(spec, _annotations(top), out)
        spec = _cron_job(spec, owner, out)
        if spec is None:
            return None
    reader = _READERS[kind]
    workload = reader(spec, name, span, obj.kind, options, out)
    return workload if workload is None or cron is None else replace(workload, cron=cron)


def _annotations(top: Fields) -> dict[str, str]:
    """The object's own `metadata.annotations` (strings only)."""
    meta = top.node.value.get("metadata") if isinstance(top.node.value, dict) else None
    if meta is None or not isinstance(meta.value, dict) or "annotations" not in meta.value:
        return {}
    raw = meta.value["annotations"].value
    if not isinstance(raw, dict):
        return {}
    return {k: v.value for k, v in raw.items() if isinstance(v.value, str)}


def _name_span(top: Fields) -> Span:
    meta = top.node.value.get("metadata") if isinstance(top.node.value, dict) else None
    if meta is None or not isinstance(meta.value, dict) or "name" not in meta.value:
        return top.span
    name: YNode = meta.value["name"]
    return name.span


def _template(spec: Fields, name: str, is_job: bool, options: ManifestOptions,
              out: Out) -> PodTemplate | None:
    node = spec.mapping("template")
    if node is None:
        f.required(spec.owner, f"{spec.path}.template", spec.span, out)
        return None
    return read_template(node, name, PodContext(spec.owner, is_job, options, out))


def _selector(spec: Fields, template: PodTemplate | None, kind: str, out: Out) -> None:
    node = spec.raw("selector")
    path = f"{spec.path}.selector"
    if node is None:
        f.required(spec.owner, path, spec.span, out)
        return
    try:
        selector = selector_from_api(node.plain(), path)
    except KubeInputError as err:
        f.invalid(spec.owner, path, "", str(err), node.span, "fix the selector", out)
        return
    if isinstance(selector, InvalidSelector):
        f.invalid(spec.owner, path, "", selector.message, node.span, "fix the selector", out)
        return
    if selector.empty:
        f.invalid(spec.owner, path, "{}", f"empty selector is invalid for {kind.lower()}",
                  node.span, "select the template's labels", out)
        return
    if template is not None and not selector.matches(dict(template.labels)):
        shown = "map[string]string{" + ",".join(
            f'"{k}":"{v}"' for k, v in template.labels) + "}"
        out.append(Diagnostic(
            c.INVALID_FIELD_VALUE, Severity.ERROR,
            f"{spec.owner} is invalid: {spec.path}.template.metadata.labels: Invalid value: "
            f"{shown}: `selector` does not match template `labels`", template.span,
            notes=(Note("the selector is here", node.span),),
            help="make the template's labels satisfy the selector"))


def _always_template(spec: Fields, template: PodTemplate, out: Out) -> bool:
    ok = True
    if template.restartPolicy != RestartPolicy.ALWAYS:
        f.unsupported(spec.owner, f"{spec.path}.template.spec.restartPolicy",
                      str(template.restartPolicy), (RestartPolicy.ALWAYS.value,),
                      template.span, out)
        ok = False
    if template.activeDeadlineSeconds is not None:
        f.forbidden(spec.owner, f"{spec.path}.template.spec.activeDeadlineSeconds",
                    f"activeDeadlineSeconds in {spec.owner.kind} is not Supported",
                    template.span, "remove activeDeadlineSeconds", out)
        ok = False
    return ok


def _deployment(spec: Fields, name: str, span: Span, kind: str, options: ManifestOptions,
                out: Out) -> Workload | None:
    replicas = spec.integer("replicas", 1)
    template = _template(spec, name, False, options, out)
    _selector(spec, template, kind, out)
    surge, unavailable, kind_of = _strategy(spec, out)
    deadline = spec.integer("progressDeadlineSeconds", 600, 1)  # SetDefaults_Deployment
    spec.unmodelled("minReadySeconds", "a new pod counts as available only after this long")
    spec.finish(("revisionHistoryLimit", "paused"))
    if template is None or not _always_template(spec, template, out):
        return None
    return Workload(WorkloadKind.DEPLOYMENT, name, template, replicas=replicas or 0,
                    maxSurge=surge, maxUnavailable=unavailable, strategy=kind_of,
                    progressDeadlineSeconds=deadline or 600, span=span)


def _strategy(spec: Fields, out: Out
              ) -> tuple[IntOrPercent, IntOrPercent, DeploymentStrategyType]:
    """maxSurge, maxUnavailable (defaults 25%) and the strategy type (RollingUpdate)."""
    default = IntOrPercent(25, True)
    strategy = spec.mapping("strategy")
    if strategy is None:
        return default, default, DeploymentStrategyType.ROLLING_UPDATE
    kind = DeploymentStrategyType(strategy.choice(
        "type", words(DeploymentStrategyType), DeploymentStrategyType.ROLLING_UPDATE)
        or DeploymentStrategyType.ROLLING_UPDATE)
    rolling = strategy.mapping("rollingUpdate")
    strategy.finish()
    if rolling is None:
        return default, default, kind
    surge = rolling.int_or_percent("maxSurge") or default
    unavailable = rolling.int_or_percent("maxUnavailable") or default
    rolling.finish()
    if unavailable.percent and unavailable.value > 100:  # ValidateRollingUpdateDeployment
        f.invalid(spec.owner, f"{rolling.path}.maxUnavailable", f"{unavailable.value}%",
                  "must not be greater than 100%", rolling.value_span("maxUnavailable"),
                  "use a percentage of at most 100%", out)
        unavailable = default
    if surge.value == 0 and unavailable.value == 0:
        f.invalid(spec.owner, f"{rolling.path}.maxUnavailable", 0,
                  "may not be 0 when `maxSurge` is 0", rolling.value_span("maxUnavailable"),
                  "allow at least one extra or one missing pod during a rollout", out)
    return surge, unavailable, kind


def _replicaset(spec: Fields, name: str, span: Span, kind: str, options: ManifestOptions,
                out: Out) -> Workload | None:
    replicas = spec.integer("replicas", 1)
    template = _template(spec, name, False, options, out)
    _selector(spec, template, kind, out)
    spec.unmodelled("minReadySeconds", "a new pod counts as available only after this long")
    policy, update = PodManagementPolicy.ORDERED_READY, {}
    if kind == "StatefulSet":
        policy = _statefulset_fields(spec)
        update = update_strategy(spec, out)
    spec.finish(("serviceName", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy",
                 "ordinals"))
    if template is None or not _always_template(spec, template, out):
        return None
    return Workload(_KINDS[kind], name, template, replicas=replicas or 0,
                    podManagementPolicy=policy, span=span, **update)  # type: ignore[arg-type]


def _statefulset_fields(spec: Fields) -> PodManagementPolicy:
    """podManagementPolicy (model/statefulset.py orders creation by it)."""
    policy = spec.choice("podManagementPolicy", words(PodManagementPolicy),
                         PodManagementPolicy.ORDERED_READY)
    spec.unmodelled("volumeClaimTemplates", "claimed volumes can tie a pod to one zone")
    return PodManagementPolicy(policy or PodManagementPolicy.ORDERED_READY)


def _daemonset(spec: Fields, name: str, span: Span, kind: str, options: ManifestOptions,
               out: Out) -> Workload | None:
    template = _template(spec, name, False, options, out)
    _selector(spec, template, kind, out)
    spec.unmodelled("updateStrategy", "the checked disruptions include no rollout")
    spec.unmodelled("minReadySeconds", "a new pod counts as available only after this long")
    spec.finish(("revisionHistoryLimit",))
    if template is None or not _always_template(spec, template, out):
        return None
    return Workload(WorkloadKind.DAEMONSET, name, template, span=span)


def _job(spec: Fields, name: str, span: Span, kind: str, options: ManifestOptions,
         out: Out) -> Workload | None:
    del kind
    parallelism = spec.integer("parallelism", 1)
    completions = spec.integer("completions", None, 1)
    if completions is None and spec.has("parallelism") and not spec.has("completions"):
        out.append(Diagnostic(c.APPROXIMATED_KIND, Severity.WARNING,
                              f"{spec.owner}: a work-queue Job (parallelism without "
                              "completions) is modelled as needing one successful pod",
                              spec.key_span("parallelism")))
    backoff = spec.integer("backoffLimit", 6)
    for key, why in _JOB_UNMODELLED.items():
        spec.unmodelled(key, why)
    template = _template(spec, name, True, options, out)
    rules = pod_failure_policy(spec, template, out) if template is not None else ()
    spec.read.add("podFailurePolicy")  # an unreadable template already said why
    spec.finish(("ttlSecondsAfterFinished", "selector", "manualSelector"))
    if template is None or rules is None:
        return None
    if template.restartPolicy not in (RestartPolicy.ON_FAILURE, RestartPolicy.NEVER):
        f.required(spec.owner, f"{spec.path}.template.spec.restartPolicy", template.span, out,
                   'valid values: "OnFailure", "Never"')
        return None
    return replace(Workload(WorkloadKind.JOB, name, template, span=span),
                   completions=completions or 1, parallelism=parallelism or 0,
                   backoffLimit=6 if backoff is None else backoff, podFailurePolicy=rules)


def _cron_job(spec: Fields, owner: Owner, out: Out) -> Fields | None:
    if spec.text("schedule") is None:
        f.required(owner, "spec.schedule", spec.span, out)
    job = spec.mapping("jobTemplate")
    spec.unmodelled("suspend", "a suspended CronJob starts no run")
    spec.finish(("successfulJobsHistoryLimit", "failedJobsHistoryLimit", "timeZone"))
    if job is None:
        f.required(owner, "spec.jobTemplate", spec.span, out)
        return None
    out.append(Diagnostic(c.APPROXIMATED_KIND, Severity.NOTE, f"{owner}: {_CRON_NOTE}",
                          spec.key_span("jobTemplate")))
    inner = job.mapping("spec")
    job.finish(("metadata",))
    if inner is None:
        f.required(owner, "spec.jobTemplate.spec", job.span, out)
    return inner


_READERS = {
    WorkloadKind.DEPLOYMENT: _deployment,
    WorkloadKind.REPLICASET: _replicaset,
    WorkloadKind.STATEFULSET: _replicaset,  # and its podManagementPolicy
    WorkloadKind.DAEMONSET: _daemonset,
    WorkloadKind.JOB: _job,
}
