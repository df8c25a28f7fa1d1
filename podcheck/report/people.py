"""What a person reads in a trace: the fields `kubectl` shows, and the events of each step.

Stage: `podcheck.report`.  Consumes the IR's variable layout (`StateVar.field`) and action
classes (`Action.name`, a `podcheck.vocab.ActionKind`); produces the decisions the trace
view (`report/view.py`) takes in its default detail: which variables to show, which
Kubernetes events an action stands for, and which actions free a pod slot while the pod
object stays listed.  A test (tests/report/test_people.py) compiles every spec of
`specs/` and fails on a variable field that is in neither table below, so a new model
variable is classified before it reaches a trace.
"""

from __future__ import annotations

import re

from podcheck.engine.params import PARAM_OWNER
from podcheck.ir import StateVar
from podcheck.vocab import ActionKind, EventReason

PARAMETER = "parameter"

# Fields a person looks at (`kubectl get` / `describe`): the container's state, restart
# count, last exit code and `started`; the pod's node, revision and endpoint membership;
# the node's state; a Job's succeeded and failed counts; a Deployment's
# revision and Progressing reason.  Pod phase, Ready and PDB status are display views
# (`ir.Derived`), always shown.
SHOWN = frozenset({
    "state", "restarts", "exitCode", "started", "node", "revision", "endpoint",
    "succeeded", "failed", "schedules", "unmet", "progressing", PARAMETER,
})

# The model's own bookkeeping (the step's label and events say what they record): timers,
# probe run counters, back-off levels, the behaviour's process and its crash and hang
# budgets, slot existence and generations, eviction and deadline history, the
# environment's disruption budgets, and the observers of time-bounded properties.
INTERNAL = frozenset({
    "exists", "uid", "dataGeneration", "evicted", "deadlineExceeded", "deadlineTimer", "process",
    "processTimer", "backoffLevel", "backoffTimer", "crashes", "hangs", "livenessFailures",
    "livenessTimer", "readyResult", "readyRun", "readinessTimer", "startupFailures",
    "startupTimer", "cameUp", "nodeFailures", "podDeletes", "zoneFailures", "left",
    "pending", "counted", "backoffLimitExceeded", "elapsedLeft", "port", "nodeRecoveries",
    "livenessPhase", "readinessPhase", "startupPhase", "unreachableTimer", "progressLeft",
    "podFailurePolicyFailed", "drainTimer", "tolerationTimer", "scaleDownTimer", "graceLeft",
    "ageLeft", "terminating",
})


# Internal fields that the property language names (`p.uid`, `p.evicted`, `c.data`,
# `p.terminating`: the steps that set and clear it say so; `p.exists` is the phase
# `(no pod)`): a trace shows them when its property reads them.
PROPERTY_FIELDS = frozenset({"uid", "evicted", "dataGeneration", "terminating"})
EXISTS = "exists"


def field_kind(var: StateVar) -> str:
    """The last dotted component of the variable's display field (`app.readyRun` ->
    `readyRun`); a port binding (`web.port8080`, model/ports.py) is `port`."""
    if var.owner == PARAM_OWNER:  # a symbolic parameter's value (engine/params.py)
        return PARAMETER
    kind = (var.field or var.name).rsplit(".", 1)[-1]
    return "port" if re.fullmatch(r"port\d+", kind) else kind


def read_shown(var: StateVar) -> bool:
    """True when a trace's footer, which lists what the property reads, shows `var`:
    every variable it reads but `exists` (the phase view says `(no pod)`)."""
    return field_kind(var) != EXISTS


def shown(var: StateVar, read: bool = False) -> bool:
    """True when the default trace shows `var` (an unclassified field is shown); `read`:
    the property the trace explains reads `var`."""
    kind = field_kind(var)
    return kind not in INTERNAL or (read and kind in PROPERTY_FIELDS)


_EVENTS: dict[str, tuple[EventReason, ...]] = {
    ActionKind.BIND: (EventReason.SCHEDULED,),
    ActionKind.START_CONTAINERS: (EventReason.STARTED,),
    ActionKind.START_INIT: (EventReason.STARTED,),
    ActionKind.RESTART: (EventReason.STARTED,),
    ActionKind.RESTART_AFTER_BACK_OFF: (EventReason.STARTED,),
    ActionKind.LIVENESS_PROBE_FAILS: (EventReason.UNHEALTHY,),
    ActionKind.READINESS_PROBE_FAILS: (EventReason.UNHEALTHY,),
    ActionKind.STARTUP_PROBE_FAILS: (EventReason.UNHEALTHY,),
    ActionKind.LIVENESS_PROBE_KILLS: (EventReason.UNHEALTHY, EventReason.KILLING),
    ActionKind.STARTUP_PROBE_KILLS: (EventReason.UNHEALTHY, EventReason.KILLING),
    ActionKind.STOP_SIDECARS: (EventReason.KILLING,),
    ActionKind.BACK_OFF: (EventReason.BACK_OFF,),
    ActionKind.CREATE_POD: (EventReason.SUCCESSFUL_CREATE,),
    ActionKind.SCALE_DOWN_OLD: (EventReason.SUCCESSFUL_DELETE,),
    ActionKind.JOB_CLEANUP: (EventReason.SUCCESSFUL_DELETE,),
    ActionKind.DELETE_FINISHED: (EventReason.SUCCESSFUL_DELETE,),
    ActionKind.TAINT_EVICT: (EventReason.TAINT_MANAGER_EVICTION,),
    ActionKind.NODE_FAILS: (EventReason.NODE_NOT_READY,),
    ActionKind.CORDON: (EventReason.NODE_NOT_SCHEDULABLE,),
    ActionKind.UNCORDON: (EventReason.NODE_SCHEDULABLE,),
    ActionKind.DEADLINE_EXCEEDED: (EventReason.DEADLINE_EXCEEDED, EventReason.KILLING),
    ActionKind.POD_KILLED: (EventReason.KILLING,),
}


def events(action_name: str) -> tuple[str, ...]:
    """The reasons of the Kubernetes events that an action of class `action_name` records
    (none for the clock, the container's own process and the eviction API)."""
    return tuple(str(r) for r in _EVENTS.get(action_name, ()))


# NOTE(finished-pods-stay-listed): the Job controller counts a finished pod and removes
# its tracking finalizer, but does not delete it (pkg/controller/job/job_controller.go);
# `kubectl get pods` lists it until the Job is deleted or the pod GC collects it.  The
# model frees the pod's slot when it counts it; the trace view keeps the pod shown.
KEEPS_POD_OBJECT = frozenset({str(ActionKind.JOB_COUNT)})
# A controller's create in a slot that still holds a finished, counted pod (the model keeps
# one pod object per slot): the trace shows the new pod whole, not as the old one changing.
REPLACES_POD_OBJECT = frozenset({str(ActionKind.CREATE_POD)})
