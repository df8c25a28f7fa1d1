"""What a person reads: every model variable is classified, events carry Kubernetes'
own reasons, and the default trace leaves the model's bookkeeping out."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file, load_and_compile
from podcheck.engine.result import CheckResult
from podcheck.ir import StateVar
from podcheck.report import people
from podcheck.report.text import render_result
from podcheck.report.view import Detail
from podcheck.vocab import ActionKind, EventReason, Reason

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted([*ROOT.glob("specs/**/*.pod"), *ROOT.glob("specs/**/*.yaml")])


def _result(path: str) -> CheckResult:
    run = check_file(str(ROOT / path), CheckOptions())
    assert run.result is not None
    return run.result


def test_every_variable_of_every_spec_is_classified() -> None:
    """A new model variable must be put in SHOWN or INTERNAL before it reaches a trace."""
    assert not people.SHOWN & people.INTERNAL
    unknown = set()
    for path in SPECS:
        compiled, _, _ = load_and_compile(str(path), CheckOptions())
        for var in compiled.value.vars if compiled.value is not None else ():
            kind = people.field_kind(var)
            if kind not in people.SHOWN | people.INTERNAL:
                unknown.add((path.name, var.name))
    assert not unknown


def test_field_kind_is_the_last_component_of_the_display_field() -> None:
    var = StateVar("web-1.app.readyRun", -2, 2, owner="pod web-1", field="app.readyRun")
    assert people.field_kind(var) == "readyRun"
    assert not people.shown(var)
    uid = StateVar("web-1.uid", 0, 2, owner="pod web-1", field="uid")
    assert not people.shown(uid) and people.shown(uid, read=True)
    assert people.read_shown(uid)
    exists = StateVar("web-1.exists", 0, 1, owner="pod web-1", field="exists")
    assert not people.read_shown(exists)


# The event reasons as Kubernetes spells them, with where each constant is defined.
KUBERNETES_REASONS = [
    (EventReason.STARTED, "Started", "pkg/kubelet/events/event.go StartedContainer"),
    (EventReason.KILLING, "Killing", "pkg/kubelet/events/event.go KillingContainer"),
    (EventReason.BACK_OFF, "BackOff", "pkg/kubelet/events/event.go BackOffStartContainer"),
    (EventReason.UNHEALTHY, "Unhealthy", "pkg/kubelet/events/event.go ContainerUnhealthy"),
    (EventReason.NODE_NOT_SCHEDULABLE, "NodeNotSchedulable",
     "pkg/kubelet/events/event.go NodeNotSchedulable"),
    (EventReason.NODE_SCHEDULABLE, "NodeSchedulable",
     "pkg/kubelet/events/event.go NodeSchedulable"),
    (EventReason.NODE_NOT_READY, "NodeNotReady", "pkg/kubelet/events/event.go NodeNotReady"),
    (EventReason.SCHEDULED, "Scheduled", "pkg/scheduler/schedule_one.go finishBinding"),
    (EventReason.SUCCESSFUL_CREATE, "SuccessfulCreate",
     "pkg/controller/controller_utils.go SuccessfulCreatePodReason"),
    (EventReason.SUCCESSFUL_DELETE, "SuccessfulDelete",
     "pkg/controller/controller_utils.go SuccessfulDeletePodReason"),
    (EventReason.TAINT_MANAGER_EVICTION, "TaintManagerEviction",
     "pkg/controller/tainteviction/taint_eviction.go emitPodDeletionEvent"),
    (EventReason.DEADLINE_EXCEEDED, "DeadlineExceeded", "pkg/kubelet/active_deadline.go"),
]


@pytest.mark.parametrize(("member", "spelling", "source"), KUBERNETES_REASONS)
def test_event_reasons_are_spelled_as_kubernetes_does(member: EventReason, spelling: str,
                                                      source: str) -> None:
    assert str(member) == spelling, source


def test_events_of_probe_kills_and_back_off() -> None:
    assert people.events(ActionKind.LIVENESS_PROBE_KILLS) == ("Unhealthy", "Killing")
    assert people.events(ActionKind.BACK_OFF) == ("BackOff",)
    assert people.events(ActionKind.TIME_PASSES) == ()
    assert set(EventReason) == {m for m, _, _ in KUBERNETES_REASONS}  # every one is cited


def test_default_trace_leaves_bookkeeping_out_and_full_shows_it() -> None:
    result = _result("specs/liveness/slow-starter-killed.pod")
    default = render_result(result)
    full = render_result(result, detail=Detail.FULL)
    for internal in ("readyRun", "backoffTimer", "livenessPhase", "processTimer", "exists ="):
        assert internal not in default
        assert internal in full
    for seen in ("app.state: Running -> Terminated", "app.restarts: 0 -> 1", "[Unhealthy, Killing]",
                 "t=30s", "(slow-starter-killed.pod:16:7)"):
        assert seen in default


def test_a_lasso_shared_by_two_properties_is_printed_once() -> None:
    for detail in Detail:
        out = render_result(_result("specs/liveness/slow-starter-killed.pod"), detail=detail)
        assert out.count("step 0  initial state") == 1
        assert "the run is the one shown for `eventually-ready` above" in out
        assert out.count("what `no-crash-loop` reads") == 1  # each property keeps its footer


def test_failed_job_pods_stay_listed_and_the_job_says_backoff_limit_exceeded() -> None:
    out = render_result(_result("specs/examples/job-backoff.pod"))
    assert "Failed -> (no pod)" not in out
    # the Job controller counts each failed pod and keeps it listed (model/job.py,
    # NOTE(job-pods-listed)); its replacement in the slot is shown as a new pod
    assert out.count("as failed (it stays listed)") == 3
    assert "phase: Failed -> Pending" not in out
    assert f"condition: none -> Failed ({Reason.BACKOFF_LIMIT_EXCEEDED})" in out
    assert "phase = Pending (a new pod)" in out


def test_a_deleted_pod_still_leaves_the_trace() -> None:
    """Only a pod the model frees without a deletion stays listed: a user's delete
    removes it (kubectl no longer lists it)."""
    out = render_result(_result("specs/seed/10-emptydir.pod"))
    assert "phase: Pending -> (no pod)" in out
