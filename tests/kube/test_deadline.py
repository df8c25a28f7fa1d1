"""Facts from Kubernetes `pkg/kubelet/active_deadline_test.go` (TestActiveDeadlineHandler)
and `active_deadline.go` pastActiveDeadline (`duration >= allowedDuration`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from podcheck.kube.deadline import (
    DEADLINE_EXCEEDED_MESSAGE,
    DEADLINE_EXCEEDED_REASON,
    deadline_exceeded,
)
from podcheck.kube.errors import KubeInputError

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
ONE_MINUTE_AGO = "2025-06-01T11:59:00Z"


def pod(deadline, start):
    spec = {"containers": [{"name": "a"}]}
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    status = {} if start is None else {"startTime": start}
    return {"spec": spec, "status": status}


# TestActiveDeadlineHandler: start one minute ago
HANDLER = [
    (30, ONE_MINUTE_AGO, True),  # exceeded its active deadline
    (120, ONE_MINUTE_AGO, False),  # not yet
    (None, ONE_MINUTE_AGO, False),  # no deadline
    (120, None, False),  # no start time
    (None, None, False),  # newTestPods default: neither
]


@pytest.mark.parametrize(("deadline", "start", "want"), HANDLER)
def test_active_deadline_handler(deadline, start, want):
    assert deadline_exceeded(pod(deadline, start), NOW) is want


def test_deadline_is_inclusive_and_offsets_are_honoured():
    # pastActiveDeadline: duration >= allowedDuration
    assert deadline_exceeded(pod(60, ONE_MINUTE_AGO), NOW)
    assert not deadline_exceeded(pod(61, ONE_MINUTE_AGO), NOW)
    plus_two = NOW.astimezone(timezone(timedelta(hours=2)))
    assert deadline_exceeded(pod(60, "2025-06-01T13:59:00+02:00"), plus_two)


def test_reason_and_message_constants():
    # active_deadline.go: reason / message set through ShouldEvict
    assert DEADLINE_EXCEEDED_REASON == "DeadlineExceeded"
    assert DEADLINE_EXCEEDED_MESSAGE == (
        "Pod was active on the node longer than the specified deadline"
    )


BAD = [
    (pod(30, ONE_MINUTE_AGO), datetime(2025, 6, 1, 12), "now"),
    (pod(30, ONE_MINUTE_AGO), "2025-06-01T12:00:00Z", "now"),
    ({"status": {}}, NOW, "spec"),
    ({"spec": [], "status": {}}, NOW, "spec"),
    (pod("30", ONE_MINUTE_AGO), NOW, "spec.activeDeadlineSeconds"),
    (pod(0, ONE_MINUTE_AGO), NOW, "spec.activeDeadlineSeconds"),
    (pod(True, ONE_MINUTE_AGO), NOW, "spec.activeDeadlineSeconds"),
    (pod(30, "yesterday"), NOW, "status.startTime"),
    (pod(30, "2025-06-01T11:59:00"), NOW, "status.startTime"),
    (pod(30, 1717243140), NOW, "status.startTime"),
    ({"spec": {"activeDeadlineSeconds": 3}, "status": "x"}, NOW, "status"),
    ([], NOW, "pod"),
]


@pytest.mark.parametrize(("bad", "now", "field"), BAD)
def test_bad_input_raises_kube_input_error(bad, now, field):
    with pytest.raises(KubeInputError) as err:
        deadline_exceeded(bad, now)
    assert str(err.value).startswith(field + ":")
