"""The `no-crash-loop` built-in: no container restarts forever.

Stage: internal to `podcheck.model` (called by `props.PropertyCompiler.builtin`).
Consumes a `Cluster`; produces the condition "no container is looping" that the
built-in asks to hold infinitely often.

NOTE(crash-loop): a container has left its crash loop only once its back-off has reset,
i.e. it ran 10 minutes without crashing (the kubelet's own rule, kube.backoff); being
briefly Running between back-offs does not count.  A container that exited 0 is done
only if the kubelet will not start it again: a regular init container, or an app
container whose policy does not restart on exit 0 (OnFailure, Never).  Under
restartPolicy Always (and for sidecars) an exit 0 is restarted with back-off like any
other exit (pkg/kubelet/kuberuntime/kuberuntime_manager.go `computePodActions` ->
`ShouldContainerBeRestarted`, pkg/api/v1/pod/util.go; the back-off in
pkg/kubelet/kuberuntime `doBackOff` is keyed by container, whatever the exit code), so a
container that keeps completing is looping.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import Cluster, Slot
from podcheck.model.kube_adapter import should_restart

_TERMINATED = 2  # the Terminated value of a container's `state` (spec.CONTAINER_FIELDS)


def finishes_on_exit_zero(s: Slot, c: spec.Container, init: bool) -> bool:
    """Whether the kubelet leaves container `c` of pod `s` alone after it exits 0."""
    if init:
        return not c.is_sidecar
    return not should_restart(c, s.workload.template.restartPolicy, 0)


def looping(cluster: Cluster, s: Slot, c: spec.Container, init: bool) -> ir.Expr:
    """Container `c` of pod `s` is in its crash loop (NOTE(crash-loop))."""
    del cluster  # the condition reads the pod model only
    field = s.model.container_field
    loop = ir.or_(field(c.name, "crashLoop"), ir.op(">", field(c.name, "backoff"), 0))
    if finishes_on_exit_zero(s, c, init):
        done = ir.and_(ir.eq(field(c.name, "state"), _TERMINATED),
                       ir.eq(field(c.name, "exitCode"), 0))
        loop = ir.or_(field(c.name, "crashLoop"),
                      ir.and_(ir.op(">", field(c.name, "backoff"), 0), ir.not_(done)))
    return ir.and_(s.exists, ir.not_(s.model.terminal), loop)


def no_container_looping(cluster: Cluster) -> ir.Expr:
    """No container of an unfinished pod is looping."""
    parts = [looping(cluster, s, c, init)
             for s in cluster.slots
             for init, group in ((True, s.workload.template.initContainers),
                                 (False, s.workload.template.containers))
             for c in group]
    return ir.not_(ir.or_(*parts))
