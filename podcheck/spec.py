"""The checked spec: the contract between the front ends and the model compiler.

Stage: produced by `podcheck.lang` (the DSL, after parsing, imports, name resolution
and field checks) and later by `podcheck.manifests` (Kubernetes YAML); consumed by
`podcheck.model`.  Everything here is already validated: names resolve, numbers are in
range, defaults are filled in with Kubernetes' own defaults.  Spans point into the
source the value came from and never take part in equality.

Two halves: the cluster description (workloads, pod templates, containers, probes,
behaviour, nodes, PDBs, environment) and the property language (`Expr` trees over
pods, containers and nodes, with temporal operators on top).
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

    def to_k8s(self) -> int | str:
        """The value as it appears in a Kubernetes object."""
        return f"{self.value}%" if self.percent else self.value


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

    def to_k8s(self) -> dict[str, int]:
        """The probe as a Kubernetes Probe object (no handler: the model abstracts it)."""
        return {
            "initialDelaySeconds": self.initialDelaySeconds,
            "periodSeconds": self.periodSeconds,
            "timeoutSeconds": self.timeoutSeconds,
            "failureThreshold": self.failureThreshold,
            "successThreshold": self.successThreshold,
        }


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

    def to_k8s(self) -> dict[str, object]:
        """The container as a Kubernetes Container object."""
        out: dict[str, object] = {"name": self.name, "image": self.image or "example"}
        if self.ports:
            out["ports"] = [{"containerPort": p} for p in self.ports]
        res: dict[str, dict[str, str]] = {}
        if self.requests:
            res["requests"] = dict(self.requests)
        if self.limits:
            res["limits"] = dict(self.limits)
        if res:
            out["resources"] = res
        if self.restartPolicy is not None:
            out["restartPolicy"] = self.restartPolicy
        for key in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = getattr(self, key)
            if probe is not None:
                out[key] = probe.to_k8s()
        return out


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

    def to_k8s(self) -> dict[str, object]:
        """The template as a Kubernetes Pod object (metadata + spec, no status)."""
        spec: dict[str, object] = {
            "restartPolicy": self.restartPolicy,
            "terminationGracePeriodSeconds": self.terminationGracePeriodSeconds,
            "containers": [c.to_k8s() for c in self.containers],
        }
        if self.initContainers:
            spec["initContainers"] = [c.to_k8s() for c in self.initContainers]
        if self.activeDeadlineSeconds is not None:
            spec["activeDeadlineSeconds"] = self.activeDeadlineSeconds
        if self.volumes:
            spec["volumes"] = [{"name": v.name, "emptyDir": {}} for v in self.volumes]
        return {"metadata": {"name": self.name, "labels": dict(self.labels)}, "spec": spec}


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

    def to_k8s(self) -> dict[str, object]:
        """The PDB as a Kubernetes PodDisruptionBudget object (no status)."""
        selector: dict[str, object] = {"matchLabels": dict(self.matchLabels)}
        if self.matchExpressions:
            selector["matchExpressions"] = [
                {"key": r.key, "operator": r.operator, "values": list(r.values)}
                for r in self.matchExpressions
            ]
        spec: dict[str, object] = {
            "selector": selector,
            "unhealthyPodEvictionPolicy": self.unhealthyPodEvictionPolicy,
        }
        if self.minAvailable is not None:
            spec["minAvailable"] = self.minAvailable.to_k8s()
        if self.maxUnavailable is not None:
            spec["maxUnavailable"] = self.maxUnavailable.to_k8s()
        return {"metadata": {"name": self.name}, "spec": spec}


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


# ---------------------------------------------------------------- property language


@dataclass(frozen=True, slots=True)
class IntLit:
    value: int
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BoolLit:
    value: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class EnumLit:
    """A state name: Pending, Running, Succeeded, Failed, Unknown, Waiting, Terminated,
    Ready, Cordoned, Down (see ENUMS)."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Ref:
    """A bound variable (from a quantifier) or a named object (pod, node, workload)."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Attr:
    """`obj.field`, e.g. `p.phase`, `c.restarts`, `web.ready`."""

    obj: Expr
    field: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "not", "-"
    arg: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * == != < <= > >= and or implies
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Domain:
    """What a quantifier ranges over: `pods`, `pods(web)` (of a workload), `nodes`,
    `containers(p)` / `initContainers(p)` (of a bound pod variable)."""

    kind: str  # pods | nodes | containers | initContainers
    of: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Quant:
    kind: str  # forall | exists
    var: str
    domain: Domain
    body: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Count:
    """`count(p in pods(web) where p.ready)`."""

    var: str
    domain: Domain
    where: Expr | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Temporal:
    """always P, eventually P, always eventually P, P ~> Q (args = (P, Q))."""

    op: str  # always | eventually | always_eventually | leadsto
    args: tuple[Expr, ...]
    span: Span = _span()


Expr = IntLit | BoolLit | EnumLit | Ref | Attr | Unary | Binary | Quant | Count | Temporal

# The observable vocabulary of the property language: fields per object kind and the
# state names they take.  The front end checks every `Attr` against this table.
POD_FIELDS = {
    # Unknown is accepted but never reached: getPhase never returns it (deprecated since
    # 2015); a pod on an unreachable node keeps its phase and has `nodeLost` set.
    "phase": ("Pending", "Running", "Succeeded", "Failed", "Unknown"),
    "ready": "bool",  # the Ready condition
    "scheduled": "bool",  # bound to a node
    "exists": "bool",  # the API object exists (not deleted, not yet re-created)
    "terminating": "bool",  # deletionTimestamp set
    "endpoint": "bool",  # listed in its Service's ready endpoints
    "initialized": "bool",  # all init containers done
    "restarts": "int",  # sum of container restart counts
    "uid": "int",  # generation of the pod object; a re-created pod has a new uid
    "node": "node",  # the node it is bound to
    "evicted": "bool",  # it was removed through the eviction API
    "nodeLost": "bool",  # its node stopped reporting: not Ready, reason NodeLost
    #                      (`kubectl get pods` shows STATUS Unknown)
    "deadlineExceeded": "bool",  # failed with reason DeadlineExceeded
}
CONTAINER_FIELDS = {
    "state": ("Waiting", "Running", "Terminated"),
    "ready": "bool",
    "started": "bool",
    "restarts": "int",
    "exitCode": "int",
    "crashLoop": "bool",  # waiting with reason CrashLoopBackOff
    "backoff": "int",  # the current back-off delay in seconds
    "data": "int",  # generation of the emptyDir contents it sees
}
NODE_FIELDS = {
    "state": ("Ready", "Cordoned", "Down"),
    "pods": "int",  # pods bound to it (not terminal)
}
ENUMS = frozenset(
    v
    for table in (POD_FIELDS, CONTAINER_FIELDS, NODE_FIELDS)
    for v in table.values()
    if isinstance(v, tuple)
    for v in v
)

BUILTIN_CHECKS = {
    "init-order": "no app container runs unless every init container succeeded, and "
    "no init container runs unless every earlier one succeeded (always)",
    "budget-respected": "every PDB's selected ready pods never fall below its desired "
    "healthy count (always)",
    "drain-completes": "every cordoned node eventually holds no pod (liveness)",
    "eventually-ready": "after the last disruption, every desired replica is eventually "
    "Ready (liveness)",
    "no-crash-loop": "no container restarts forever: every crashing container eventually "
    "runs long enough (10 min) for its back-off to reset, or completes (liveness)",
    "job-completes": "every Job eventually reaches its completions (liveness)",
    "recovers-after-failure": "after a node failure, the workload eventually has its "
    "desired ready replicas again (liveness)",
    "no-unready-traffic": "no pod that is not Ready is a Service endpoint (always)",
    "no-deadlock": "the cluster never gets stuck in a non-terminal state (always)",
}


@dataclass(frozen=True, slots=True)
class PropertyDecl:
    """A named property: a user formula, or a built-in check (`builtin` set, `formula`
    None) with optional arguments such as the workload it applies to."""

    name: str
    formula: Expr | None
    builtin: str | None = None
    args: tuple[str, ...] = ()
    span: Span = _span()

    def __post_init__(self) -> None:
        assert (self.formula is None) == (self.builtin is not None)


@dataclass(frozen=True, slots=True)
class Expect:
    """`expect NAME holds|violated`: the spec is also a regression test."""

    property: str
    outcome: str  # holds | violated
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CheckedSpec:
    """A whole, valid spec: what `podcheck.model.compile_spec` consumes."""

    path: str
    workloads: tuple[Workload, ...] = ()
    nodes: tuple[Node, ...] = ()
    pdbs: tuple[PodDisruptionBudget, ...] = ()
    environment: Environment = Environment()
    properties: tuple[PropertyDecl, ...] = ()
    expects: tuple[Expect, ...] = ()
