"""Pod templates: a PodSpec's containers, probes, resources and policies, read.

Stage: part of `podcheck.manifests`.  Consumes the `metadata` + `spec` of a Pod or of a
controller's `spec.template`; produces a `spec.PodTemplate` with Kubernetes' defaults
(pkg/apis/core/v1/defaults.go: `SetDefaults_Probe`, requests defaulted from limits in
`SetDefaults_ResourceRequirements`), or None when the API server
would reject the pod (validation.go `ValidatePodSpec`, `validateContainers`,
`validateInitContainers`, `validateProbe`, `ValidateResourceRequirements`).
Behaviour comes from the template's `podcheck.io/` annotations (behavior.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Note, Severity
from podcheck.diagnostics import codes as c
from podcheck.kube.errors import KubeInputError
from podcheck.kube.resources import parse_quantity
from podcheck.manifests import fields as f
from podcheck.manifests.behavior import Behaviors, read_behaviors
from podcheck.manifests.fields import Fields, Owner
from podcheck.manifests.lifecycle import read_prestop
from podcheck.manifests.options import ManifestOptions
from podcheck.manifests.placement import read_pod_placement
from podcheck.spec import Container, PodTemplate, Probe, ProbeKind, Volume
from podcheck.vocab import RestartPolicy, words

Out = list[Diagnostic]

_POD_UNMODELLED = {
    "nodeName": "the pod skips the scheduler",
    "priorityClassName": "preemption is not modelled",
    "priority": "preemption is not modelled",
    "preemptionPolicy": "preemption is not modelled",
    "schedulingGates": "gated pods are not scheduled until the gate is removed",
    "readinessGates": "extra conditions gate the pod's Ready condition",
    "hostNetwork": "host ports conflict between pods on one node",
    "overhead": "pod overhead adds to what the scheduler reserves",
    "resources": "pod-level resources are not modelled",
    "resourceClaims": "dynamic resource allocation is not modelled",
}
_POD_HARMLESS = (
    "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "securityContext",
    "imagePullSecrets", "dnsPolicy", "dnsConfig", "hostname", "subdomain", "hostAliases",
    "enableServiceLinks", "shareProcessNamespace", "schedulerName", "hostIPC", "hostPID",
    "setHostnameAsFQDN", "os", "hostUsers", "runtimeClassName", "ephemeralContainers",
)
_CONTAINER_HARMLESS = (
    "command", "args", "env", "envFrom", "imagePullPolicy", "securityContext", "workingDir",
    "terminationMessagePath", "terminationMessagePolicy", "stdin", "stdinOnce", "tty",
    "volumeDevices", "resizePolicy",
)
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_PROBES = {
    "startupProbe": ProbeKind.STARTUP,
    "livenessProbe": ProbeKind.LIVENESS,
    "readinessProbe": ProbeKind.READINESS,
}
_VOLUME_UNMODELLED = ("persistentVolumeClaim", "ephemeral")


@dataclass(frozen=True, slots=True)
class PodContext:
    """What reading a template needs besides the template: who owns it, what kind of
    workload it is (a Job's containers succeed by default) and the options."""

    owner: Owner
    is_job: bool
    options: ManifestOptions
    out: Out


def read_template(template: Fields, name: str, ctx: PodContext) -> PodTemplate | None:
    """The pod template at `template` (a mapping with `metadata` and `spec`)."""
    before = sum(d.severity is Severity.ERROR for d in ctx.out)
    meta = template.mapping("metadata")
    labels = meta.string_map("labels") if meta is not None else ()
    annotations = meta.string_map("annotations") if meta is not None else ()
    pod = template.mapping("spec")
    if pod is None:
        f.required(ctx.owner, _child(template.path, "spec"), template.span, ctx.out)
        return None
    restart = pod.choice("restartPolicy", words(RestartPolicy), RestartPolicy.ALWAYS)
    volumes = _volumes(pod)
    inits = [_container(x, True, volumes, ctx) for x in pod.mappings("initContainers")]
    apps = [_container(x, False, volumes, ctx) for x in pod.mappings("containers")]
    if not apps:
        f.required(ctx.owner, _child(pod.path, "containers"), pod.span, ctx.out)
    deadline = pod.integer("activeDeadlineSeconds", None, 1)
    grace = pod.integer("terminationGracePeriodSeconds", 30, 0)
    placement = read_pod_placement(pod)
    for key, why in _POD_UNMODELLED.items():
        pod.unmodelled(key, why)
    pod.finish(_POD_HARMLESS)
    _duplicates([x for x in inits + apps if x is not None], ctx)
    containers = [x for x in inits + apps if x is not None]
    behaviors = read_behaviors(annotations, meta, containers, ctx.is_job, ctx.owner, ctx.out)
    errors = sum(d.severity is Severity.ERROR for d in ctx.out)
    if errors > before or restart is None:
        return None
    return PodTemplate(
        name=name, labels=labels, restartPolicy=RestartPolicy(restart),
        activeDeadlineSeconds=deadline, terminationGracePeriodSeconds=grace or 0,
        initContainers=tuple(_behave(x, behaviors) for x in inits if x is not None),
        containers=tuple(_behave(x, behaviors) for x in apps if x is not None),
        volumes=tuple(Volume(v.name, span=v.span) for v in volumes.values()),
        span=template.span, **placement,  # type: ignore[arg-type]
    )


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _behave(container: _Read, behaviors: Behaviors) -> Container:
    return container.build(behaviors.of(container.name, container.is_init,
                                        container.restart_policy))


@dataclass(frozen=True, slots=True)
class _Read:
    """A container as read, before its behaviour is known."""

    name: str
    is_init: bool
    restart_policy: str | None
    values: dict[str, object]
    fields: Fields

    def build(self, behavior: object) -> Container:
        policy = None if self.restart_policy is None else RestartPolicy(self.restart_policy)
        return Container(name=self.name, restartPolicy=policy,
                         behavior=behavior, span=self.fields.span,  # type: ignore[arg-type]
                         **self.values)  # type: ignore[arg-type]


def _volumes(pod: Fields) -> dict[str, Volume]:
    found: dict[str, Volume] = {}
    for vol in pod.mappings("volumes"):
        name = vol.text("name")
        if name is None:
            f.required(vol.owner, f"{vol.path}.name", vol.span, vol.out)
            continue
        for key in _VOLUME_UNMODELLED:
            vol.unmodelled(key, "a claimed volume can tie the pod to one node or zone")
        if vol.raw("emptyDir") is not None:
            found[name] = Volume(name, span=vol.span)
        vol.read.update(vol.node.value)  # type: ignore[arg-type]
    return found


def _container(x: Fields, is_init: bool, volumes: dict[str, Volume],
               ctx: PodContext) -> _Read | None:
    name = x.text("name")
    if name is None:
        f.required(ctx.owner, f"{x.path}.name", x.span, ctx.out)
    if x.text("image") is None:
        f.required(ctx.owner, f"{x.path}.image", x.span, ctx.out)
    policy = _container_policy(x, is_init, ctx)
    values: dict[str, object] = {"image": x.text("image", "") or ""}
    values["ports"] = _ports(x)
    requests, limits = _resources(x)
    values["requests"], values["limits"] = requests, limits
    for key, kind in _PROBES.items():
        probe = x.mapping(key)
        if probe is not None:
            values[key] = _probe(probe, kind, ctx)
    mounts = [m.text("name") for m in x.mappings("volumeMounts")]
    values["volumeMounts"] = tuple(m for m in mounts if m is not None and m in volumes)
    hook = read_prestop(x)
    if hook is not None:
        values["preStop"] = hook
    x.finish(_CONTAINER_HARMLESS)
    if name is None:
        return None
    return _Read(name, is_init, policy, values, x)


def _container_policy(x: Fields, is_init: bool, ctx: PodContext) -> str | None:
    if not x.has("restartPolicy"):
        x.read.add("restartPolicy")
        return None
    span = x.value_span("restartPolicy")
    x.read.add("restartPolicy")
    if not is_init:
        f.forbidden(ctx.owner, f"{x.path}.restartPolicy", "may not be set for non-init "
                    "containers", span, "remove it: app containers follow the pod's "
                    "restartPolicy; make this an init container to run it as a sidecar",
                    ctx.out)
        return None
    if not ctx.options.at_least(1, 29):
        f.forbidden(ctx.owner, f"{x.path}.restartPolicy", "may not be set for init "
                    f"containers (native sidecars need Kubernetes 1.29, checking for "
                    f"{ctx.options.version_text})", span,
                    "run the sidecar as a regular container, or check for 1.29 or later "
                    "(`--kubernetes-version 1.29`)", ctx.out)
        return None
    return x.choice("restartPolicy", (RestartPolicy.ALWAYS.value,), None)


def _ports(x: Fields) -> tuple[int, ...]:
    ports: list[int] = []
    for port in x.mappings("ports"):
        number = port.integer("containerPort", None, 1)
        if number is None and not port.has("containerPort"):
            f.required(port.owner, f"{port.path}.containerPort", port.span, port.out)
        elif number is not None and number <= 65535:
            ports.append(number)
        elif number is not None:
            f.invalid(port.owner, f"{port.path}.containerPort", number,
                      "must be between 1 and 65535, inclusive", port.value_span("containerPort"),
                      "use a port number between 1 and 65535", port.out)
        port.unmodelled("hostPort", "host ports conflict between pods on one node")
        port.finish(("name", "protocol", "hostIP"))
    return tuple(ports)


def _resources(x: Fields) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    res = x.mapping("resources")
    if res is None:
        return (), ()
    requests = dict(_quantities(res, "requests"))
    limits = dict(_quantities(res, "limits"))
    for name, value in limits.items():
        requests.setdefault(name, value)  # SetDefaults_ResourceRequirements
        if parse_quantity(requests[name]) > parse_quantity(value):
            f.invalid(res.owner, f"{res.path}.requests", requests[name],
                      f"must be less than or equal to {name} limit of {value}",
                      res.value_span("requests"), "lower the request or raise the limit",
                      res.out)
    res.unmodelled("claims", "dynamic resource claims are not modelled")
    res.finish()
    return tuple(sorted(requests.items())), tuple(sorted(limits.items()))


def _quantities(res: Fields, key: str) -> list[tuple[str, str]]:
    node = res.raw(key)
    if node is None or not isinstance(node.value, dict):
        return []
    found = []
    for name, value in node.value.items():
        text = str(value.value) if isinstance(value.value, str | int | float) else ""
        try:
            parse_quantity(text, f"{res.path}.{key}.{name}")
        except KubeInputError:
            f.invalid(res.owner, f"{res.path}.{key}.{name}", value.value,
                      "quantities must match the regular expression "
                      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", value.span,
                      "write a quantity such as `500m` or `256Mi`", res.out)
            continue
        found.append((name, text))
    return found


def _probe(p: Fields, kind: ProbeKind, ctx: PodContext) -> Probe:
    handlers = [h for h in _HANDLERS if p.raw(h) is not None]
    if not handlers:
        f.required(ctx.owner, p.path, p.span, ctx.out, "must specify a handler type")
    elif len(handlers) > 1:
        f.forbidden(ctx.owner, f"{p.path}.{handlers[1]}", "may not specify more than 1 "
                    "handler type", p.key_span(handlers[1]), "keep one handler", ctx.out)
    # SetDefaults_Probe: zero means the default.
    values = {
        "initialDelaySeconds": p.integer("initialDelaySeconds", 0) or 0,
        "periodSeconds": p.integer("periodSeconds", 0) or 10,
        "timeoutSeconds": p.integer("timeoutSeconds", 0) or 1,
        "failureThreshold": p.integer("failureThreshold", 0) or 3,
        "successThreshold": p.integer("successThreshold", 0) or 1,
    }
    if kind is not ProbeKind.READINESS and values["successThreshold"] != 1:
        f.invalid(ctx.owner, f"{p.path}.successThreshold", values["successThreshold"],
                  "must be 1", p.value_span("successThreshold"),
                  "remove successThreshold: only readiness probes may need more", ctx.out)
        values["successThreshold"] = 1
    p.unmodelled("terminationGracePeriodSeconds", "a probe-level grace period replaces the "
                 "pod's when the probe kills the container")
    p.finish()
    span = p.key_span("failureThreshold") if p.has("failureThreshold") else p.span
    return Probe(kind=kind, span=span, **values)


def _duplicates(containers: list[_Read], ctx: PodContext) -> None:
    seen: dict[str, _Read] = {}
    owners: dict[int, _Read] = {}
    for x in containers:
        if x.name in seen:
            f.invalid(ctx.owner, f"{x.fields.path}.name", x.name, "Duplicate value",
                      x.fields.value_span("name"), "give every container its own name",
                      ctx.out)
        seen.setdefault(x.name, x)
        ports = x.values["ports"]
        assert isinstance(ports, tuple)
        mine: set[int] = set()
        for port in ports:
            other = owners.setdefault(port, x)
            if other is not x or port in mine:  # a warning, as in the DSL (lang/convert.py)
                where = "twice" if other is x else f"by `{other.name}` and `{x.name}`"
                ctx.out.append(Diagnostic(
                    c.DUPLICATE_PORT, Severity.WARNING,
                    f"{ctx.owner}: port {port} is exposed {where} in one pod",
                    x.fields.key_span("ports"),
                    help="containers of a pod share its network: give each port to one",
                    notes=(Note("the API server admits this pod with only a warning "
                                "(`duplicate port definition`); at run time one process "
                                "cannot bind the port and typically crash-loops"),)))
            mine.add(port)
