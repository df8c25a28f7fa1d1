"""The one vocabulary of Kubernetes words that podcheck uses.

Stage: shared by every stage.  The grammar's field checks (`lang/schema.py`), the checked
spec, the model, the property language and the renderers derive their tables from these
enums, so a word that exists is spelled once.  They are `StrEnum`s: a member compares equal
to its Kubernetes spelling, and `str(member)` is that spelling.  Imports nothing of podcheck
but the IR's fairness enum, which is the checker's own word for how actions are scheduled.
"""

from __future__ import annotations

import enum

from podcheck.ir import Fairness

__all__ = [
    "ActionKind",
    "Actor",
    "ConcurrencyPolicy",
    "ContainerState",
    "DeploymentStrategyType",
    "EventReason",
    "Fairness",
    "ExitCodeOperator",
    "NodeState",
    "PodConditionType",
    "PodFailurePolicyAction",
    "PodPhase",
    "ProbeKind",
    "ProgressingReason",
    "RestartPolicy",
    "SelectorOperator",
    "StatefulSetUpdateStrategy",
    "UnhealthyPodEvictionPolicy",
    "WorkloadKind",
    "words",
]


class PodPhase(enum.StrEnum):
    """`PodStatus.phase` (pkg/apis/core/types.go `PodPhase`)."""

    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    # NOTE(unknown-phase): accepted in formulas but never reached: getPhase never returns
    # it; a pod on a lost node keeps its phase and has `nodeLost` set.
    UNKNOWN = "Unknown"


class ContainerState(enum.StrEnum):
    """The observable state of a container (`ContainerStatus.state`)."""

    WAITING = "Waiting"
    RUNNING = "Running"
    TERMINATED = "Terminated"


class NodeState(enum.StrEnum):
    """A node as the property language sees it: Ready, Cordoned (spec.unschedulable), or
    Down (stopped reporting: the NodeReady condition is Unknown)."""

    READY = "Ready"
    CORDONED = "Cordoned"
    DOWN = "Down"


class RestartPolicy(enum.StrEnum):
    """`PodSpec.restartPolicy`; `Always` is also the container-level policy of a sidecar."""

    ALWAYS = "Always"
    ON_FAILURE = "OnFailure"
    NEVER = "Never"


class UnhealthyPodEvictionPolicy(enum.StrEnum):
    """`PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy` (policy/v1)."""

    IF_HEALTHY_BUDGET = "IfHealthyBudget"
    ALWAYS_ALLOW = "AlwaysAllow"


class SelectorOperator(enum.StrEnum):
    """`LabelSelectorRequirement.operator` (apimachinery pkg/apis/meta/v1/types.go
    `LabelSelectorOperator`)."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


class Reason(enum.StrEnum):
    """The reasons Kubernetes gives about a pod that a formula may ask for (`p.reason`,
    NOTE(pod-reason) in model/props.py): Evicted (removed through the eviction API:
    `kubectl drain` prints "evicted", the API server adds the DisruptionTarget condition,
    pkg/registry/core/pod/storage/eviction.go), DeadlineExceeded (status.reason set by the
    kubelet's active deadline, pkg/kubelet/active_deadline.go), BackoffLimitExceeded (its
    Job's Failed condition, pkg/controller/job/job_controller.go), FailedScheduling (the
    scheduler's event when no node fits, pkg/scheduler/schedule_one.go), and OOMKilled (a
    container's termination reason from the runtime; the model has no memory usage, so a
    formula naming it is PC302)."""

    EVICTED = "Evicted"
    DEADLINE_EXCEEDED = "DeadlineExceeded"
    BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded"
    FAILED_SCHEDULING = "FailedScheduling"
    OOM_KILLED = "OOMKilled"
    # a Job's Failed condition when a FailJob rule of its podFailurePolicy matched
    # (batch/v1 `JobReasonPodFailurePolicy`, pkg/controller/job/job_controller.go)
    POD_FAILURE_POLICY = "PodFailurePolicy"


class EventReason(enum.StrEnum):
    """The `reason` of the Kubernetes events that traces show next to a step
    (`kubectl describe` lists them): the kubelet's container and node events
    (pkg/kubelet/events/event.go: Started, Killing, BackOff, Unhealthy,
    NodeNotSchedulable, NodeSchedulable), Scheduled (pkg/scheduler/schedule_one.go
    `finishBinding`), SuccessfulCreate / SuccessfulDelete (pkg/controller/controller_utils.go),
    TaintManagerEviction (pkg/controller/tainteviction/taint_eviction.go
    `emitPodDeletionEvent`), NodeNotReady (pkg/controller/nodelifecycle) and
    DeadlineExceeded (pkg/kubelet/active_deadline.go)."""

    SCHEDULED = "Scheduled"
    STARTED = "Started"
    KILLING = "Killing"
    BACK_OFF = "BackOff"
    UNHEALTHY = "Unhealthy"
    SUCCESSFUL_CREATE = "SuccessfulCreate"
    SUCCESSFUL_DELETE = "SuccessfulDelete"
    TAINT_MANAGER_EVICTION = "TaintManagerEviction"
    NODE_NOT_READY = "NodeNotReady"
    NODE_NOT_SCHEDULABLE = "NodeNotSchedulable"
    NODE_SCHEDULABLE = "NodeSchedulable"
    DEADLINE_EXCEEDED = "DeadlineExceeded"


class TaintEffect(enum.StrEnum):
    """`Taint.effect` (k8s.io/api/core/v1 types.go `TaintEffect`)."""

    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


class TolerationOperator(enum.StrEnum):
    """`Toleration.operator` (types.go `TolerationOperator`; Lt/Gt compare int64 values,
    alpha in v1.35)."""

    EQUAL = "Equal"
    EXISTS = "Exists"
    LT = "Lt"
    GT = "Gt"


class ProbeKind(enum.StrEnum):
    """The three probes of a container."""

    STARTUP = "startup"
    LIVENESS = "liveness"
    READINESS = "readiness"


class LifecycleHandler(enum.StrEnum):
    """The handlers of a container's `lifecycle.preStop` hook (k8s.io/api/core/v1
    `LifecycleHandler`; tcpSocket is accepted by the API for compatibility but never run)."""

    EXEC = "exec"
    HTTP_GET = "httpGet"
    SLEEP = "sleep"


class WorkloadKind(enum.StrEnum):
    """What owns pods (a bare `Pod` owns itself and is never re-created)."""

    POD = "Pod"
    DEPLOYMENT = "Deployment"
    REPLICASET = "ReplicaSet"
    JOB = "Job"
    DAEMONSET = "DaemonSet"
    STATEFULSET = "StatefulSet"


class PodManagementPolicy(enum.StrEnum):
    """`StatefulSetSpec.podManagementPolicy` (apps/v1; default OrderedReady)."""

    ORDERED_READY = "OrderedReady"
    PARALLEL = "Parallel"


class StatefulSetUpdateStrategy(enum.StrEnum):
    """`StatefulSetSpec.updateStrategy.type` (apps/v1; default RollingUpdate)."""

    ROLLING_UPDATE = "RollingUpdate"
    ON_DELETE = "OnDelete"


class ConcurrencyPolicy(enum.StrEnum):
    """`CronJobSpec.concurrencyPolicy` (batch/v1; default Allow)."""

    ALLOW = "Allow"
    FORBID = "Forbid"
    REPLACE = "Replace"


class PodFailurePolicyAction(enum.StrEnum):
    """`PodFailurePolicyRule.action` (batch/v1 types.go `PodFailurePolicyAction`)."""

    FAIL_JOB = "FailJob"
    FAIL_INDEX = "FailIndex"
    IGNORE = "Ignore"
    COUNT = "Count"


class ExitCodeOperator(enum.StrEnum):
    """`PodFailurePolicyOnExitCodesRequirement.operator` (batch/v1 types.go)."""

    IN = "In"
    NOT_IN = "NotIn"


class PodConditionType(enum.StrEnum):
    """The pod conditions a `podFailurePolicy` rule may match that the model produces:
    DisruptionTarget (core/v1 `DisruptionTarget`: the eviction API, the taint eviction
    controller and the pod garbage collector add it before they delete a pod)."""

    DISRUPTION_TARGET = "DisruptionTarget"


class DeploymentStrategyType(enum.StrEnum):
    """`DeploymentSpec.strategy.type` (apps/v1; default RollingUpdate)."""

    ROLLING_UPDATE = "RollingUpdate"
    RECREATE = "Recreate"


class ProgressingReason(enum.StrEnum):
    """Reasons of a Deployment's Progressing condition (deployment/util
    `deployment_util.go`: NewReplicaSetCreated, ReplicaSetUpdated,
    NewReplicaSetAvailable, ProgressDeadlineExceeded)."""

    NEW_RS_CREATED = "NewReplicaSetCreated"
    RS_UPDATED = "ReplicaSetUpdated"
    NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
    TIMED_OUT = "ProgressDeadlineExceeded"


class Actor(enum.StrEnum):
    """Who takes an action in the model: the Kubernetes component, the container's own
    process, the environment (operators and failures), or the clock."""

    KUBELET = "kubelet"
    CONTAINER = "container"
    SCHEDULER = "scheduler"
    REPLICASET_CONTROLLER = "replicaset-controller"
    STATEFULSET_CONTROLLER = "statefulset-controller"
    DEPLOYMENT_CONTROLLER = "deployment-controller"
    JOB_CONTROLLER = "job-controller"
    CRONJOB_CONTROLLER = "cronjob-controller"
    DAEMONSET_CONTROLLER = "daemonset-controller"
    TAINT_EVICTION_CONTROLLER = "taint-eviction-controller"
    ENDPOINTSLICE_CONTROLLER = "endpointslice-controller"
    EVICTION_API = "eviction-api"
    KUBECTL_DRAIN = "kubectl-drain"
    CLUSTER_AUTOSCALER = "cluster-autoscaler"
    CLUSTER_ADMIN = "cluster-admin"
    ENVIRONMENT = "environment"
    CLOCK = "clock"


class ActionKind(enum.StrEnum):
    """Every action class the model emits (an `ir.Action.name`); a fairness override in a
    spec names an `Actor` or one of these."""

    BACK_OFF = "back_off"
    BACK_OFF_RESET = "back_off_reset"
    BIND = "bind"
    BIND_PORT = "bind_port"
    CORDON = "cordon"
    CRASH = "crash"
    CREATE_JOB = "create_job"
    CREATE_POD = "create_pod"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    DELETE_POD = "delete_pod"
    DELETE_FINISHED = "delete_finished"
    DELETE_FOR_UPDATE = "delete_for_update"
    DRAIN_REFUSED = "drain_refused"
    DRAIN_TIMEOUT = "drain_timeout"
    EVICT = "evict"
    EVICT_REFUSED = "evict_refused"
    EXIT = "exit"
    HANG = "hang"
    JOB_BACKOFF_LIMIT = "job_backoff_limit"
    JOB_CLEANUP = "job_cleanup"
    JOB_COUNT = "job_count"
    MISSED_DEADLINE = "missed_deadline"
    LIVENESS_PROBE_FAILS = "liveness_probe_fails"
    LIVENESS_PROBE_KILLS = "liveness_probe_kills"
    LIVENESS_PROBE_SKIPPED = "liveness_probe_skipped"
    LIVENESS_PROBE_SUCCEEDS = "liveness_probe_succeeds"
    NODE_FAILS = "node_fails"
    PORT_IN_USE = "port_in_use"
    POD_KILLED = "pod_killed"
    POD_TERMINATED = "pod_terminated"
    NODE_RECOVERS = "node_recovers"
    PROCESS_UP = "process_up"
    PROGRESS_DEADLINE_EXCEEDED = "progress_deadline_exceeded"
    READINESS_PROBE_FAILS = "readiness_probe_fails"
    READINESS_PROBE_SKIPPED = "readiness_probe_skipped"
    READINESS_PROBE_SUCCEEDS = "readiness_probe_succeeds"
    RESTART = "restart"
    RESTART_AFTER_BACK_OFF = "restart_after_back_off"
    ROLLOUT = "rollout"
    SCHEDULE_TIME = "schedule_time"
    SCALE_DOWN_OLD = "scale_down_old"
    SCALE_DOWN_NODE = "scale_down_node"
    SCALE_DOWN_ABORT = "scale_down_abort"
    NODE_REMOVED = "node_removed"
    START_CONTAINERS = "start_containers"
    START_INIT = "start_init"
    STARTUP_PROBE_FAILS = "startup_probe_fails"
    STARTUP_PROBE_KILLS = "startup_probe_kills"
    STARTUP_PROBE_SKIPPED = "startup_probe_skipped"
    STARTUP_PROBE_SUCCEEDS = "startup_probe_succeeds"
    STOP_SIDECARS = "stop_sidecars"
    SYNC_ENDPOINT = "sync_endpoint"
    TAINT_EVICT = "taint_evict"
    TIME_PASSES = "time_passes"
    SECOND_PASSES = "second_passes"
    UNCORDON = "uncordon"
    ZONE_FAILS = "zone_fails"


def words(kind: type[enum.StrEnum]) -> tuple[str, ...]:
    """Every spelling of an enum, in declaration order (for tables and did-you-mean)."""
    return tuple(member.value for member in kind)
