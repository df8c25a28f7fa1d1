"""`spec.activeDeadlineSeconds`: whether the kubelet fails a pod for running too long.

Consumes a pod dict and a timezone-aware `now`; produces a bool. Mirrors
`pkg/kubelet/active_deadline.go` `pastActiveDeadline` (Kubernetes v1.35): no deadline
or no `status.startTime` means not exceeded; otherwise exceeded once
`now - startTime >= activeDeadlineSeconds`. When it is, `ShouldEvict` makes the
kubelet set the pod phase to Failed with `DEADLINE_EXCEEDED_REASON` and
`DEADLINE_EXCEEDED_MESSAGE` (generateAPIPodStatus).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from podcheck.kube._views import (
    optional_mapping,
    require_int,
    require_mapping,
    require_pod_spec,
)
from podcheck.kube.errors import KubeInputError

DEADLINE_EXCEEDED_REASON = "DeadlineExceeded"
DEADLINE_EXCEEDED_MESSAGE = "Pod was active on the node longer than the specified deadline"


def deadline_exceeded(pod: dict[str, Any], now: datetime) -> bool:
    """True iff the pod has run at least `spec.activeDeadlineSeconds` since startTime."""
    if not isinstance(now, datetime):
        raise KubeInputError(f"now: expected a datetime, got {type(now).__name__}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise KubeInputError("now: must be timezone-aware")
    obj, spec = require_pod_spec(pod)
    deadline = active_deadline_seconds(spec)
    start = start_time(optional_mapping(obj, "status", ""))
    if deadline is None or start is None:
        return False
    return now - start >= timedelta(seconds=deadline)


def active_deadline_seconds(spec: Any) -> int | None:
    """`spec.activeDeadlineSeconds` (None when unset); must be a positive integer."""
    raw = require_mapping(spec, "spec").get("activeDeadlineSeconds")
    if raw is None:
        return None
    value = require_int(raw, "spec.activeDeadlineSeconds")
    if value < 1:
        raise KubeInputError(f"spec.activeDeadlineSeconds: must be >= 1, got {value}")
    return value


def start_time(status: Any) -> datetime | None:
    """`status.startTime` parsed from RFC 3339 (None when unset)."""
    raw = require_mapping(status, "status").get("startTime")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise KubeInputError(
            f"status.startTime: expected an RFC 3339 string, got {type(raw).__name__}"
        )
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise KubeInputError(f"status.startTime: not an RFC 3339 time: {raw!r}") from None
    if "T" not in raw.upper() or parsed.tzinfo is None:
        raise KubeInputError(
            f"status.startTime: RFC 3339 needs a date, a time and an offset: {raw!r}"
        )
    return parsed
