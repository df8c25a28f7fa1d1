"""The prober's timeout rule: a handler that runs longer than `timeoutSeconds` fails.

Stage: `kube/` rule library, a typed core function beside `probes.py`.  Mirrors
`pkg/kubelet/prober/prober.go` (`runProbe` passes `timeout := time.Duration(
p.TimeoutSeconds) * time.Second` to the exec, HTTP, TCP and gRPC probers) and the probers
under `pkg/probe/` of Kubernetes v1.35: a probe whose handler has not answered when the
timeout elapses is a Failure ("timeout: ..." / "command timed out"), whatever the handler
would have answered later.  `timeoutSeconds` defaults to 1 and must be at least 1.
"""

from __future__ import annotations

from podcheck.kube.errors import KubeInputError
from podcheck.kube.probes import ProbeResult


def probe_outcome(
    handler_seconds: float, timeout_seconds: int, handler_result: ProbeResult
) -> ProbeResult:
    """The result of one probe: Failure when the handler takes longer than the timeout,
    else what the handler answered."""
    if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, int):
        raise KubeInputError("timeoutSeconds: expected an integer")
    if timeout_seconds < 1:
        raise KubeInputError("timeoutSeconds: must be greater than or equal to 1")
    if handler_seconds < 0:
        raise KubeInputError("handler_seconds: must not be negative")
    if handler_seconds > timeout_seconds:
        return ProbeResult.FAILURE
    return handler_result
