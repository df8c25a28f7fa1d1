"""The checked spec, objects half: workloads, pod templates, containers, probes,
behaviour, nodes, PDBs and the environment.

Stage: part of the contract `podcheck.spec`, produced by the front ends and consumed by
`podcheck.model`.  Everything here is already validated and defaulted with Kubernetes' own
defaults; spans never take part in equality.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from podcheck.diagnostics import Span

NO_SPAN = Span("<none>", 1, 1, 1, 1)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration in milliseconds (the DSL accepts ms, s, m, h)."""

    ms: int

    def __post_init__(self) -> None:
        assert self.ms >= 0

    @property
    def seconds(self) -> int:
        """Whole seconds, rounded up (the model's clock ticks in seconds)."""
        return -(-self.ms // 1000)


@dataclass(frozen=True, slots=True)
class DurationRange:
    """A duration known only to lie in [lo, hi]; lo == hi for an exact duration."""

    lo: Duration
    hi: Duration

    def __post_init__(self) -> None:
        assert self.lo.ms <= self.hi.ms


@dataclass(frozen=True, slots=True)
class IntOrPercent:
    """Kubernetes' IntOrString for budgets and surge: `2` or `50%`."""

    value: int
    percent: bool = False



# ------------------------------------------------------------------ pods & containers


class ProbeKind(enum.Enum):
    STARTUP = "startup"
    LIVENESS = "liveness"
    READINESS = "readiness"


@dataclass(frozen=True, slots=True)
class Probe:
    """A probe with Kubernetes' defaults filled in (pkg/apis/core/v1/defaults.go)."""

    kind: ProbeKind
    initialDelaySeconds: int = 0
    periodSeconds: int = 10
    timeoutSeconds: int = 1
    failureThreshold: int = 3
    successThreshold: int = 1
    span: Span = _span()



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
    restart clears a hang.  All nondeterminism is explicit and bounded.
    """

    startup: DurationRange = DurationRange(Duration(0), Duration(0))
    outcome: Outcome = Outcome.RUNS
    run: DurationRange = DurationRange(Duration(0), Duration(0))
    crashes: int = 0
    hangs: int = 0
    exit_code: int = 1
    name: str = ""  # the profile's name when it came from a `behavior NAME {}` block
    span: Span = _span()

    def __post_init__(self) -> None:
        assert self.crashes >= 0 and self.hangs >= 0
        assert self.outcome is not Outcome.FAILS or self.exit_code != 0


@dataclass(frozen=True, slots=True)
class Container:
    """A container (app or init).  `restartPolicy` "Always" on an init container makes
    it a sidecar; None means the pod's policy applies."""

    name: str
    image: str = ""
    ports: tuple[int, ...] = ()
    requests: tuple[tuple[str, str], ...] = ()  # (resource, quantity text) sorted
    limits: tuple[tuple[str, str], ...] = ()
    restartPolicy: str | None = None
    startupProbe: Probe | None = None
    livenessProbe: Probe | None = None
    readinessProbe: Probe | None = None
    behavior: Behavior = Behavior()
    volumeMounts: tuple[str, ...] = ()  # names of the pod's volumes
    span: Span = _span()

    @property
    def is_sidecar(self) -> bool:
        """True for a restartable init container (restartPolicy Always)."""
        return self.restartPolicy == "Always"



@dataclass(frozen=True, slots=True)
class Volume:
    """A pod volume; only emptyDir is modelled."""

    name: str
    kind: str = "emptyDir"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """A pod spec plus labels, as a bare pod or inside a controller."""

    name: str
    labels: tuple[tuple[str, str], ...] = ()
    restartPolicy: str = "Always"
    activeDeadlineSeconds: int | None = None
    terminationGracePeriodSeconds: int = 30
    initContainers: tuple[Container, ...] = ()
    containers: tuple[Container, ...] = ()
    volumes: tuple[Volume, ...] = ()
    span: Span = _span()



class WorkloadKind(enum.Enum):
    POD = "Pod"  # a bare pod: never re-created
    DEPLOYMENT = "Deployment"
    REPLICASET = "ReplicaSet"
    JOB = "Job"
    DAEMONSET = "DaemonSet"


@dataclass(frozen=True, slots=True)
class Workload:
    """Something that owns pods.  Fields not meaningful for a kind keep their default.

    Defaults are Kubernetes': Deployment maxSurge 25%, maxUnavailable 25%; Job
    completions 1, parallelism 1, backoffLimit 6.  A DaemonSet has one pod per node.
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
    span: Span = _span()


# ----------------------------------------------------------------- cluster & budgets


@dataclass(frozen=True, slots=True)
class Node:
    """A node; `capacity` as (resource, quantity text) pairs, empty = unlimited."""

    name: str
    capacity: tuple[tuple[str, str], ...] = ()
    zone: str = ""
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class LabelRequirement:
    """One matchExpressions entry."""

    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PodDisruptionBudget:
    """A PDB; exactly one of minAvailable / maxUnavailable is set (checked upstream)."""

    name: str
    matchLabels: tuple[tuple[str, str], ...] = ()
    matchExpressions: tuple[LabelRequirement, ...] = ()
    minAvailable: IntOrPercent | None = None
    maxUnavailable: IntOrPercent | None = None
    unhealthyPodEvictionPolicy: str = "IfHealthyBudget"
    span: Span = _span()
    budget_span: Span = _span()  # the minAvailable / maxUnavailable field



class DrainMode(enum.Enum):
    ONE_AT_A_TIME = "one-at-a-time"  # real maintenance: uncordon before the next drain
    CONCURRENT = "concurrent"  # any subset of the drainable nodes at once


@dataclass(frozen=True, slots=True)
class Environment:
    """Which disruptions may happen; everything is bounded so state spaces are finite.

    `drain`: nodes that may be drained (cordon, then evictions through the eviction
    API).  `nodeFailures`: at most this many involuntary node failures.
    `zoneFailures`: at most this many zones fail (all their nodes at once).
    `podDeletes`: at most this many direct pod deletes (bypass PDBs).  `rollouts`: at
    most this many template changes of Deployments.  `fairness`: per-actor or
    per-action overrides, e.g. (("eviction-api", "strong"),).
    """

    drain: tuple[str, ...] = ()
    drainMode: DrainMode = DrainMode.ONE_AT_A_TIME
    nodeFailures: int = 0
    zoneFailures: int = 0
    podDeletes: int = 0
    rollouts: int = 0
    fairness: tuple[tuple[str, str], ...] = ()
    span: Span = _span()
