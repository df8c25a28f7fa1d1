"""The checked spec, objects half: workloads, pod templates, containers, probes,
behaviour, nodes, PDBs and the environment.

Stage: part of the contract `podcheck.spec`, produced by the front ends and consumed by
`podcheck.model`.  Everything here is already validated and defaulted with Kubernetes' own
defaults; spans never take part in equality.  Fields holding Kubernetes words have the
`podcheck.vocab` enum types.  NOTE(spec-invariants): each class asserts in `__post_init__`
what the front ends guarantee (ranges, exactly-one-of, closed sets), as mypyvy's syntax
does: a front end reports the user's mistake as a diagnostic, the assertion catches a
front end that forgot to.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podcheck.diagnostics import Span
from podcheck.kube.intstr import IntOrPercent as IntOrPercent  # the one IntOrString
from podcheck.kube.job import PolicyRule as PolicyRule  # the one podFailurePolicy rule
from podcheck.kube.probes import probe_defaults
from podcheck.spec.durations import Duration as Duration
from podcheck.spec.durations import DurationRange as DurationRange
from podcheck.spec.modes import DisruptionStart as DisruptionStart
from podcheck.spec.modes import DrainMode as DrainMode
from podcheck.spec.modes import Start as Start
from podcheck.spec.placement import (
    HOSTNAME_KEY,
    ZONE_KEY,
    LabelRequirement,
    PodAffinityTerm,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    span_field,
)
from podcheck.vocab import (
    ActionKind,
    Actor,
    ConcurrencyPolicy,
    DeploymentStrategyType,
    Fairness,
    LifecycleHandler,
    PodManagementPolicy,
    ProbeKind,
    RestartPolicy,
    StatefulSetUpdateStrategy,
    UnhealthyPodEvictionPolicy,
    WorkloadKind,
    words,
)


def _unique(names: tuple[str, ...] | tuple[int, ...]) -> bool:
    return len(set(names)) == len(names)


PROBE_DEFAULTS = probe_defaults()


# ------------------------------------------------------------------ pods & containers


@dataclass(frozen=True, slots=True)
class Probe:
    """A probe with Kubernetes' defaults filled in: `kube.probes.ProbeSpec`'s, which are
    SetDefaults_Probe's (pkg/apis/core/v1/defaults.go), the one set of probe defaults."""

    kind: ProbeKind
    initialDelaySeconds: int = PROBE_DEFAULTS.initial_delay_seconds
    periodSeconds: int = PROBE_DEFAULTS.period_seconds
    timeoutSeconds: int = PROBE_DEFAULTS.timeout_seconds
    failureThreshold: int = PROBE_DEFAULTS.failure_threshold
    successThreshold: int = PROBE_DEFAULTS.success_threshold
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.initialDelaySeconds >= 0
        assert min(self.periodSeconds, self.timeoutSeconds) >= 1
        assert min(self.failureThreshold, self.successThreshold) >= 1
        # successThreshold is 1 for liveness and startup (docs/semantics.md, "Validation")
        assert self.kind == ProbeKind.READINESS or self.successThreshold == 1



class Outcome(enum.Enum):
    """What a container's process does once it has started, if nothing kills it."""

    RUNS = "runs"  # never exits by itself (a server)
    SUCCEEDS = "succeeds"  # exits 0 after `run` (a job, a migration)
    FAILS = "fails"  # exits `exit_code` (non-zero) after `run`, every time it runs


@dataclass(frozen=True, slots=True)
class Behavior:
    """How a container behaves: what Kubernetes objects do not say but a checker needs.

    `startup`: time from the container's start until its process is up (probes
    succeed from then on).  `run`: how long it runs before the outcome exit
    (ignored for RUNS).  `crashes`: it may additionally crash (exit `exit_code`) at any
    time while running, at most this many times over the whole run.  `hangs`: it may
    hang (keeps running, every probe fails from then on) at most this many times; a
    restart clears a hang.  `probe_latency`: how long each probe handler takes to answer
    (any time in the range, per probe); a probe whose handler takes longer than its
    `timeoutSeconds` fails.  All nondeterminism is explicit and bounded.
    """

    startup: DurationRange = DurationRange(Duration(0), Duration(0))
    outcome: Outcome = Outcome.RUNS
    run: DurationRange = DurationRange(Duration(0), Duration(0))
    crashes: int = 0
    hangs: int = 0
    exit_code: int = 1
    probe_latency: DurationRange = DurationRange(Duration(0), Duration(0))
    name: str = ""  # the profile's name when it came from a `behavior NAME {}` block
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.crashes >= 0 and self.hangs >= 0 and 0 <= self.exit_code <= 255
        assert self.outcome is not Outcome.FAILS or self.exit_code != 0


@dataclass(frozen=True, slots=True)
class PreStop:
    """A container's `lifecycle.preStop` hook: its handler and how long it runs (a
    `sleep` handler's own seconds; for exec and httpGet the behaviour's `preStop`)."""

    handler: LifecycleHandler
    duration: DurationRange = DurationRange(Duration(0), Duration(0))
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Container:
    """A container (app or init).  `restartPolicy` Always on an init container makes
    it a sidecar; None means the pod's policy applies (the only other value allowed)."""

    name: str
    image: str = ""
    ports: tuple[int, ...] = ()
    requests: tuple[tuple[str, str], ...] = ()  # (resource, quantity text) sorted
    limits: tuple[tuple[str, str], ...] = ()
    restartPolicy: RestartPolicy | None = None
    startupProbe: Probe | None = None
    livenessProbe: Probe | None = None
    readinessProbe: Probe | None = None
    behavior: Behavior = Behavior()
    volumeMounts: tuple[str, ...] = ()  # names of the pod's volumes
    preStop: PreStop | None = None
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.restartPolicy in (None, RestartPolicy.ALWAYS), self.restartPolicy
        assert all(1 <= p <= 65535 for p in self.ports)
        for kind, probe in zip(ProbeKind, self.probes(), strict=True):
            assert probe is None or probe.kind == kind, (kind, probe)

    def probes(self) -> tuple[Probe | None, Probe | None, Probe | None]:
        """The startup, liveness and readiness probes (None where not set)."""
        return self.startupProbe, self.livenessProbe, self.readinessProbe

    @property
    def is_sidecar(self) -> bool:
        """True for a restartable init container (restartPolicy Always)."""
        return self.restartPolicy == RestartPolicy.ALWAYS



@dataclass(frozen=True, slots=True)
class Volume:
    """A pod volume; only emptyDir is modelled."""

    name: str
    kind: str = "emptyDir"
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.kind == "emptyDir", self.kind


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """A pod spec plus labels, as a bare pod or inside a controller.

    Placement (all required, as the scheduler's filters read them): `nodeSelector`,
    `nodeAffinity` (one required node selector term, empty = none), `podAffinity`,
    `podAntiAffinity` and `topologySpread`.
    """

    name: str
    labels: tuple[tuple[str, str], ...] = ()
    restartPolicy: RestartPolicy = RestartPolicy.ALWAYS
    activeDeadlineSeconds: int | None = None
    terminationGracePeriodSeconds: int = 30
    initContainers: tuple[Container, ...] = ()
    containers: tuple[Container, ...] = ()
    volumes: tuple[Volume, ...] = ()
    nodeSelector: tuple[tuple[str, str], ...] = ()
    nodeAffinity: tuple[LabelRequirement, ...] = ()
    podAffinity: tuple[PodAffinityTerm, ...] = ()
    podAntiAffinity: tuple[PodAffinityTerm, ...] = ()
    topologySpread: tuple[TopologySpreadConstraint, ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    safeToEvict: bool | None = None  # cluster-autoscaler.kubernetes.io/safe-to-evict
    staticOn: str | None = None  # a bare pod: a static pod of this node's kubelet
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert _unique(tuple(k for k, _ in self.nodeSelector))
        assert self.activeDeadlineSeconds is None or self.activeDeadlineSeconds >= 1
        assert self.terminationGracePeriodSeconds >= 0
        assert all(not c.is_sidecar for c in self.containers)
        every = self.initContainers + self.containers
        assert self.containers and _unique(tuple(c.name for c in every))
        # a repeated port is admitted (the API server only warns): model/ports.py runs it
        volumes = {v.name for v in self.volumes}
        assert len(volumes) == len(self.volumes)
        for c in every:
            assert set(c.volumeMounts) <= volumes, (c.name, c.volumeMounts)



@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A CronJob's schedule as the model sees it: at most `schedules` schedule times
    arrive (any time: the cron expression is not modelled), `concurrencyPolicy`, and
    `startingDeadlineSeconds` (None: unset)."""

    schedules: int = 1
    concurrencyPolicy: ConcurrencyPolicy = ConcurrencyPolicy.ALLOW
    startingDeadlineSeconds: int | None = None
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.schedules >= 1
        assert self.startingDeadlineSeconds is None or self.startingDeadlineSeconds >= 0


@dataclass(frozen=True, slots=True)
class Workload:
    """Something that owns pods.  Fields not meaningful for a kind keep their default.

    Defaults are Kubernetes': Deployment maxSurge 25%, maxUnavailable 25%, strategy
    RollingUpdate, progressDeadlineSeconds 600; Job
    completions 1, parallelism 1, backoffLimit 6; StatefulSet podManagementPolicy
    OrderedReady, updateStrategy RollingUpdate with partition 0 and `setMaxUnavailable`
    (its `rollingUpdate.maxUnavailable`) None, which is 1.  A DaemonSet has one pod per
    node.
    """

    kind: WorkloadKind
    name: str
    template: PodTemplate
    replicas: int = 1
    maxSurge: IntOrPercent = IntOrPercent(25, True)
    maxUnavailable: IntOrPercent = IntOrPercent(25, True)
    completions: int = 1
    parallelism: int = 1
    backoffLimit: int = 6
    podManagementPolicy: PodManagementPolicy = PodManagementPolicy.ORDERED_READY
    podFailurePolicy: tuple[PolicyRule, ...] = ()  # a Job's rules, in order
    updateStrategy: StatefulSetUpdateStrategy = StatefulSetUpdateStrategy.ROLLING_UPDATE
    partition: int = 0
    setMaxUnavailable: IntOrPercent | None = None
    cron: CronSchedule | None = None  # a CronJob: its jobTemplate is this Job
    strategy: DeploymentStrategyType = DeploymentStrategyType.ROLLING_UPDATE
    progressDeadlineSeconds: int = 600  # SetDefaults_Deployment
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert min(self.replicas, self.parallelism, self.backoffLimit, self.partition) >= 0
        assert self.progressDeadlineSeconds >= 1
        assert self.cron is None or self.kind == WorkloadKind.JOB
        assert self.updateStrategy is StatefulSetUpdateStrategy.ROLLING_UPDATE or (
            self.partition == 0 and self.setMaxUnavailable is None)
        assert not self.podFailurePolicy or (
            self.kind == WorkloadKind.JOB and self.template.restartPolicy == RestartPolicy.NEVER)
        assert self.completions >= 1
        assert not self.maxUnavailable.percent or self.maxUnavailable.value <= 100
        if self.kind == WorkloadKind.JOB:
            assert self.template.restartPolicy != RestartPolicy.ALWAYS
        elif self.kind != WorkloadKind.POD:
            assert self.template.restartPolicy == RestartPolicy.ALWAYS


# ----------------------------------------------------------------- cluster & budgets


@dataclass(frozen=True, slots=True)
class Node:
    """A node; `capacity` as (resource, quantity text) pairs, empty = unlimited; `labels`
    the user's labels, sorted (the hostname and zone labels are implied by `name` and
    `zone` and may not be given)."""

    name: str
    capacity: tuple[tuple[str, str], ...] = ()
    zone: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    taints: tuple[Taint, ...] = ()
    span: Span = span_field()

    def __post_init__(self) -> None:
        keys = tuple(k for k, _ in self.labels)
        assert keys == tuple(sorted(set(keys))), keys
        assert not {HOSTNAME_KEY, ZONE_KEY} & set(keys), keys

    @property
    def all_labels(self) -> dict[str, str]:
        """The labels the scheduler sees: the user's plus hostname and (if set) zone."""
        out = {**dict(self.labels), HOSTNAME_KEY: self.name}
        if self.zone:
            out[ZONE_KEY] = self.zone
        return out


@dataclass(frozen=True, slots=True)
class PodDisruptionBudget:
    """A PDB; exactly one of minAvailable / maxUnavailable is set."""

    name: str
    matchLabels: tuple[tuple[str, str], ...] = ()
    matchExpressions: tuple[LabelRequirement, ...] = ()
    minAvailable: IntOrPercent | None = None
    maxUnavailable: IntOrPercent | None = None
    unhealthyPodEvictionPolicy: UnhealthyPodEvictionPolicy = (
        UnhealthyPodEvictionPolicy.IF_HEALTHY_BUDGET
    )
    span: Span = span_field()
    budget_span: Span = span_field()  # the minAvailable / maxUnavailable field

    def __post_init__(self) -> None:
        assert (self.minAvailable is None) != (self.maxUnavailable is None), self.name
        assert self.maxUnavailable is None or not self.maxUnavailable.percent or (
            self.maxUnavailable.value <= 100
        )



FairnessTarget = Actor | ActionKind
_FAIRNESS_TARGETS = frozenset(words(Actor) + words(ActionKind))
_FAIRNESS = frozenset(words(Fairness))


@dataclass(frozen=True, slots=True)
class Environment:
    """Which disruptions may happen; everything is bounded so state spaces are finite.

    `drain`: nodes that may be drained (cordon, then evictions through the eviction
    API).  `nodeFailures`: at most this many involuntary node failures.
    `nodeRecoveries`: at most this many times a failed node comes back (its kubelet
    re-registers).
    `zoneFailures`: at most this many zones fail (all their nodes at once).
    `podDeletes`: at most this many direct pod deletes (bypass PDBs).  `rollouts`: at
    most this many template changes of each Deployment and StatefulSet.
    `disruptionsStart`: from the first state (the default), or once every long-running
    pod has first come up.  `start`: the run begins with the pods Pending (the default)
    or settled (NOTE(settled-start)).  `maxConcurrentDrains`: in one-at-a-time mode, at most this
    many nodes drain at once (each uncordoned once empty).  `ignoreDaemonsets`, `force`,
    `deleteEmptydirData`: kubectl drain's flags (on by default); `drainTimeout`: its
    `--timeout` in seconds (None: it waits for ever).  `scaleDown`: nodes the cluster
    autoscaler may remove.  `fairness`: per-actor or per-action overrides sorted by
    target, e.g. ((Actor.EVICTION_API, Fairness.STRONG),).
    """

    drain: tuple[str, ...] = ()
    drainMode: DrainMode = DrainMode.ONE_AT_A_TIME
    maxConcurrentDrains: int = 1
    ignoreDaemonsets: bool = True
    force: bool = True
    deleteEmptydirData: bool = True
    drainTimeout: int | None = None
    scaleDown: tuple[str, ...] = ()
    nodeFailures: int = 0
    nodeRecoveries: int = 0
    zoneFailures: int = 0
    podDeletes: int = 0
    rollouts: int = 0
    disruptionsStart: DisruptionStart = DisruptionStart.FROM_START
    start: Start = Start.PENDING
    fairness: tuple[tuple[FairnessTarget, Fairness], ...] = ()
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert min(self.nodeFailures, self.zoneFailures, self.podDeletes, self.rollouts,
                   self.nodeRecoveries) >= 0
        assert _unique(self.drain) and _unique(self.scaleDown)
        assert self.maxConcurrentDrains >= 1
        assert self.drainTimeout is None or self.drainTimeout >= 1
        targets = tuple(target for target, _ in self.fairness)
        assert targets == tuple(sorted(set(targets))), targets
        for target, kind in self.fairness:
            assert target in _FAIRNESS_TARGETS and kind in _FAIRNESS, (target, kind)
