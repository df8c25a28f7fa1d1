"""Blocks to checked objects: behaviour, probes, containers, pod templates, workloads.

Stage: part of `podcheck.lang.check`.  Consumes `ast.Block`s (already known to be of
the right kind) and a `Scope` of top-level names; produces `podcheck.spec` objects
with Kubernetes' defaults filled in, or None, appending diagnostics (per-pod
duplicates, ports, probe thresholds, restart policies, missing parts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Note, Severity, Span, codes
from podcheck.kube.ports import PortRole, may_run_together
from podcheck.lang import messages as m
from podcheck.lang.api_validation import api_server_errors
from podcheck.lang.ast import Block, Field, ListValue, Scalar
from podcheck.lang.controllers import CRON_KEYS, cron_fields, job_fields, statefulset_fields
from podcheck.lang.fields import Members, first_line, head, read_block
from podcheck.lang.lifecycle import prestop_field
from podcheck.lang.placement import placement_blocks
from podcheck.lang.scalars import small_int
from podcheck.lang.schema import BLOCKS, PROBE_BLOCKS, WORKLOAD_BLOCKS, BlockSpec
from podcheck.spec import (
    Behavior,
    Container,
    Outcome,
    PodTemplate,
    Probe,
    ProbeKind,
    Volume,
    Workload,
    WorkloadKind,
)
from podcheck.vocab import RestartPolicy

Out = list[Diagnostic]


@dataclass(frozen=True, slots=True)
class Profile:
    """A behaviour's fields as written (outcome may be unset: it depends on the container)."""

    name: str
    values: Mapping[str, object]
    span: Span


@dataclass(frozen=True, slots=True)
class Scope:
    """Top-level declarations a block may refer to."""

    profiles: Mapping[str, Profile]
    templates: Mapping[str, PodTemplate | None]  # None: the template had errors


def unique(named: list[tuple[str, Span]], what: str, out: Out) -> None:
    """PC103 for every repeated name, with a note at its first declaration."""
    first: dict[str, Span] = {}
    for name, span in named:
        if name in first:
            out.append(
                m.error(
                    codes.DUPLICATE_NAME,
                    f"duplicate {what} `{name}`",
                    span,
                    help="rename one of them",
                    notes=(m.first_defined(first[name]),),
                )
            )
        else:
            first[name] = span


def read_profile(block: Block, spec: BlockSpec, out: Out) -> Profile:
    """A behaviour block's given fields, checked (PC213 for `fails` with exit code 0)."""
    members = read_block(block, spec, out)
    if members.values.get("outcome") == "fails" and members.values.get("exitCode") == 0:
        out.append(
            m.error(
                codes.FAILS_WITH_EXIT_ZERO,
                "a behaviour with `outcome: fails` cannot have `exitCode: 0`",
                members.spans["exitCode"],
                help="use a non-zero exit code, or `outcome: succeeds`",
            )
        )
    return Profile(block.name or "", dict(members.values), block.span)


def build_behavior(profile: Profile, default: Outcome) -> Behavior:
    """The behaviour of a container: the profile's fields over the defaults."""
    values = profile.values
    outcome = Outcome(values["outcome"]) if "outcome" in values else default
    exit_code = values.get("exitCode", 1)
    assert isinstance(exit_code, int)
    if outcome is Outcome.FAILS and exit_code == 0:
        exit_code = 1  # reported as PC213 already
    kwargs: dict[str, object] = {
        key: values[key] for key in ("startup", "run", "crashes", "hangs") if key in values
    }
    if "probeLatency" in values:
        kwargs["probe_latency"] = values["probeLatency"]
    return Behavior(outcome=outcome, exit_code=exit_code, name=profile.name, span=profile.span,
                    **kwargs)  # type: ignore[arg-type]


def build_probe(block: Block, spec: BlockSpec, out: Out) -> Probe:
    """A probe with Kubernetes' defaults; PC208 for successThreshold != 1 where not allowed."""
    members = read_block(block, spec, out)
    kind = PROBE_BLOCKS[spec.key]
    threshold = members.values.get("successThreshold", 1)
    if kind is not ProbeKind.READINESS and threshold != 1:
        out.append(
            m.error(
                codes.PROBE_SUCCESS_THRESHOLD,
                f"`successThreshold` of a {kind.value} probe must be 1, found `{threshold}`",
                members.spans["successThreshold"],
                help="remove `successThreshold` (only readiness probes may need more)",
            )
        )
        members.values.pop("successThreshold")
    return Probe(kind=kind, span=block.span, **members.values)  # type: ignore[arg-type]


def build_container(
    block: Block, spec: BlockSpec, scope: Scope, volumes: list[str], out: Out
) -> Container:
    """A container or init container with its probes, resources and behaviour."""
    members = read_block(block, spec, out)
    values = members.values
    for mount in values.get("volumeMounts", ()):  # type: ignore[attr-defined]
        if mount not in volumes:
            out.append(m.unknown_reference("volume", mount, members.value_spans["volumeMounts"],
                                           volumes))
    is_init = spec.key == "initContainer"
    policy = _container_policy(members, is_init, out)
    kwargs: dict[str, object] = {
        k: values[k] for k in ("image", "ports", "volumeMounts") if k in values
    }
    for child, child_spec in members.children:
        if child_spec.key in PROBE_BLOCKS:
            kwargs[child_spec.key] = build_probe(child, child_spec, out)
        elif child_spec.key == "resources":
            res = read_block(child, child_spec, out).values
            kwargs.update({k: res[k] for k in ("requests", "limits") if k in res})
    default = Outcome.SUCCEEDS if is_init and policy is not RestartPolicy.ALWAYS else Outcome.RUNS
    profile = _profile_of(members, scope, out)
    kwargs.update(prestop_field(members, profile.values if profile else {}, out))
    behavior = build_behavior(profile, default) if profile else Behavior(outcome=default)
    return Container(name=block.name or "", restartPolicy=policy, behavior=behavior,
                     span=block.span, **kwargs)  # type: ignore[arg-type]


def _container_policy(members: Members, is_init: bool, out: Out) -> RestartPolicy | None:
    policy = members.values.get("restartPolicy")
    if not members.given("restartPolicy"):
        return None
    span = members.spans["restartPolicy"]
    if not is_init:
        out.append(
            m.error(
                codes.CONTAINER_RESTART_POLICY,
                "only init containers may set `restartPolicy`",
                span,
                help="remove it (app containers follow the pod's `restartPolicy`), or make "
                "this an `initContainer` to run it as a sidecar",
            )
        )
        return None
    if policy is not None and policy is not RestartPolicy.ALWAYS:
        out.append(
            m.error(
                codes.CONTAINER_RESTART_POLICY,
                f"a container's `restartPolicy` can only be `Always`, found `{policy}`",
                span,
                help="remove it: init containers follow the pod's `restartPolicy`",
            )
        )
        return None
    return policy if isinstance(policy, RestartPolicy) else None


def _profile_of(members: Members, scope: Scope, out: Out) -> Profile | None:
    inline = members.child("behavior-inline")
    if inline is not None:
        return read_profile(inline, BLOCKS["behavior-inline"], out)
    name = members.values.get("behavior")
    if not isinstance(name, str):
        return None
    if name not in scope.profiles:
        out.append(
            m.unknown_reference("behavior profile", name, members.value_spans["behavior"],
                                scope.profiles)
        )
        return None
    return scope.profiles[name]


def build_template(block: Block, spec: BlockSpec, name: str, scope: Scope,
                   out: Out) -> PodTemplate | None:
    """A pod template (inline, named, or a bare pod's own body)."""
    before = len(out)
    members = read_block(block, spec, out)
    volumes = [Volume(b.name or "", span=b.span) for b in members.all_children("volume")]
    names = [v.name for v in volumes]
    inits = [build_container(b, BLOCKS["initContainer"], scope, names, out)
             for b in members.all_children("initContainer")]
    apps = [build_container(b, BLOCKS["container"], scope, names, out)
            for b in members.all_children("container")]
    for b, child_spec in members.children:
        if child_spec.key == "volume":
            read_block(b, child_spec, out)
    placement = placement_blocks(members, out)
    if not apps:
        out.append(m.error(codes.MISSING_REQUIRED, f"pod template of `{name}` has no `container`",
                           head(block), help="add `container NAME { ... }`"))
    blocks = members.all_children("initContainer") + members.all_children("container")
    warnings = _pod_checks(list(zip(blocks, inits + apps, strict=True)), len(inits),
                           volumes, out)
    failed = len(out) > before
    out.extend(warnings)
    if failed:
        return None
    values = {k: v for k, v in members.values.items() if k != "labels"}
    labels = members.values.get("labels", ())
    return PodTemplate(name=name, labels=labels, initContainers=tuple(inits),  # type: ignore[arg-type]
                       containers=tuple(apps), volumes=tuple(volumes), span=block.span,
                       **placement, **values)  # type: ignore[arg-type]


def _pod_checks(
    containers: list[tuple[Block, Container]], inits: int, volumes: list[Volume], out: Out
) -> Out:
    """Name checks (errors, into `out`); returns the duplicate-port warnings."""
    unique([(c.name, _head(c)) for _, c in containers], "container", out)
    unique([(v.name, first_line(v.span, "volume")) for v in volumes], "volume", out)
    warnings: Out = []
    _ports(containers, inits, warnings)
    return warnings


def _head(container: Container) -> Span:
    return first_line(container.span, "container")


def _port_spans(block: Block) -> dict[int, Span]:
    spans: dict[int, Span] = {}
    for member in block.members:
        if isinstance(member, Field) and member.name == "ports" and isinstance(
            member.value, ListValue
        ):
            for item in member.value.items:
                number = small_int(item.text) if isinstance(item, Scalar) else None
                if number is not None:
                    spans.setdefault(number, item.span)
    return spans


def _ports(containers: list[tuple[Block, Container]], inits: int, out: Out) -> None:
    """PC206, a warning as the API server gives it (`duplicate port definition`,
    pkg/api/pod/warnings.go), with what happens at run time (kube.ports)."""
    owner: dict[int, tuple[int, Container, Span]] = {}
    reported: set[int] = set()
    for index, (block, container) in enumerate(containers):
        spans = _port_spans(block)
        for port in container.ports:
            here = spans.get(port, _head(container))
            if port not in owner:
                owner[port] = (index, container, here)
                continue
            first, other, there = owner[port]
            if port in reported:
                continue
            reported.add(port)
            where = "twice" if other is container else f"by `{other.name}` and `{container.name}`"
            out.append(Diagnostic(
                codes.DUPLICATE_PORT, Severity.WARNING,
                f"port {port} is exposed {where} in one pod", here,
                help="containers of a pod share its network: give each port to one",
                notes=(Note(f"`{other.name}` exposes it here", there),
                       Note("the API server admits this pod with only a warning (`duplicate "
                            "port definition`); " + _runtime(
                                (first, _role(other, first, inits)),
                                (index, _role(container, index, inits)), other is container))),
            ))


def _role(c: Container, index: int, inits: int) -> PortRole:
    if index >= inits:
        return PortRole.APP
    return PortRole.SIDECAR if c.is_sidecar else PortRole.INIT


def _runtime(first: tuple[int, PortRole], second: tuple[int, PortRole], same: bool) -> str:
    if same:
        return "one container listing a port twice binds it once: no conflict at run time"
    if may_run_together(first, second):
        return ("both run at once: the process that binds it second fails and the kubelet "
                "restarts it (a crash loop while the other runs); the model checks this")
    return "they never run at the same time: no conflict at run time"


def build_workload(block: Block, scope: Scope, out: Out) -> Workload | None:
    """A workload block (deployment, replicaset, job, daemonset, or a bare pod)."""
    kind = WORKLOAD_BLOCKS[block.kind]
    name = block.name or ""
    if kind is WorkloadKind.POD:
        template = build_template(block, BLOCKS["pod"], name, scope, out)
        if template is None or (rejected := api_server_errors(kind, template, head(block))):
            out.extend(rejected if template is not None else [])
            return None
        return Workload(kind, name, template, span=block.span)
    members = read_block(block, BLOCKS[block.kind], out)
    template = _workload_template(block, members, scope, out)
    surge_ok = _surge_check(members, out)
    if template is None:
        return None
    if not (_restart_policy_check(kind, name, template, head(block), out) and surge_ok):
        return None
    if rejected := api_server_errors(kind, template, head(block)):
        out.extend(rejected)
        return None
    fields = {k: v for k, v in members.values.items() if k not in ("template", *CRON_KEYS)}
    extra = (job_fields(members, template, out) if kind is WorkloadKind.JOB
             else statefulset_fields(members, out) if kind is WorkloadKind.STATEFULSET else {})
    if extra is None:
        return None
    extra |= cron_fields(block, members)
    fields = {k: v for k, v in fields.items() if k != "maxUnavailable"
              or kind is not WorkloadKind.STATEFULSET} | extra
    return Workload(kind, name, template, span=block.span, **fields)  # type: ignore[arg-type]


def _workload_template(block: Block, members: Members, scope: Scope,
                       out: Out) -> PodTemplate | None:
    inline = members.child("template-inline")
    if inline is not None:
        return build_template(inline, BLOCKS["template-inline"], block.name or "", scope, out)
    ref = members.values.get("template")
    if isinstance(ref, str):
        if ref not in scope.templates:
            out.append(m.unknown_reference("template", ref, members.value_spans["template"],
                                           scope.templates))
        return scope.templates.get(ref)
    if not members.given("template"):
        out.append(m.error(codes.MISSING_REQUIRED,
                           f"{block.kind} `{block.name}` has no pod template", head(block),
                           help="add `template { container NAME { ... } }` or `template: NAME`"))
    return None


def _surge_check(members: Members, out: Out) -> bool:
    """False after PC207 when `maxSurge` and `maxUnavailable` are both zero, in the API
    server's words (apps validation `ValidateRollingUpdateDeployment`)."""
    surge, unavailable = members.values.get("maxSurge"), members.values.get("maxUnavailable")
    if surge is None or unavailable is None:
        return True
    both_zero = getattr(surge, "value", 1) == 0 and getattr(unavailable, "value", 1) == 0
    if both_zero:
        out.append(
            m.error(
                codes.CONFLICTING_FIELDS,
                "`maxUnavailable` may not be 0 when `maxSurge` is 0",
                members.spans["maxUnavailable"],
                help="allow at least one extra or one missing pod during a rollout",
                notes=(Note("`maxSurge` is here", members.spans["maxSurge"]),),
            )
        )
    return not both_zero


def _restart_policy_check(kind: WorkloadKind, name: str, template: PodTemplate,
                          span: Span, out: Out) -> bool:
    """False after PC215 when the pod's restart policy is not one `kind` allows."""
    policy = template.restartPolicy
    if kind is WorkloadKind.JOB and policy is RestartPolicy.ALWAYS:
        out.append(
            m.error(
                codes.WORKLOAD_RESTART_POLICY,
                f"job `{name}` needs a pod `restartPolicy` of `OnFailure` or `Never`",
                span,
                help="add `restartPolicy: OnFailure` (or `Never`) to the job's template",
                notes=(Note("the template is here", first_line(template.span, "template")),),
            )
        )
        return False
    if kind not in (WorkloadKind.JOB, WorkloadKind.POD) and policy is not RestartPolicy.ALWAYS:
        out.append(
            m.error(
                codes.WORKLOAD_RESTART_POLICY,
                f"{kind.value.lower()} `{name}` allows only `restartPolicy: Always`, "
                f"found `{policy}`",
                span,
                help="remove `restartPolicy` from the template",
                notes=(Note("the template is here", first_line(template.span, "template")),),
            )
        )
        return False
    return True
