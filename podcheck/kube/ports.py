"""Which containers of one pod contend for a port at run time.

Stage: `kube/` rule library.  Consumes the containers of a pod template in declaration
order (init containers first), each as (name, role, declared ports); produces, per port,
the containers that may run at the same time while declaring it.  The API server only
warns about a repeated port (`warningsForPodSpecAndMeta`, pkg/api/pod/warnings.go:
"duplicate port definition", `kube.validation.port_warnings`); whether two processes
then contend for the port follows from when the kubelet runs them
(`computeInitContainerActions` and `computePodActions`,
pkg/kubelet/kuberuntime/kuberuntime_manager.go):

* regular init containers run one at a time, each after every earlier one completed;
* a sidecar (an init container with `restartPolicy: Always`) starts in its init order
  and keeps running, through the later init containers and while the app containers run;
* app containers start once every init container completed (or, for sidecars, started).

So two containers may run together unless one of them is a regular init container and
the other is a regular init container, an app container, or a sidecar declared after it.
A port listed twice by one container is one socket: it never contends with itself.  Of
two processes binding one port, the second fails (`EADDRINUSE`); which is second depends
on how fast each process gets to its `bind`, so both orders are real.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class PortRole(StrEnum):
    """How the kubelet runs a container, for port contention."""

    INIT = "init"  # a regular init container
    SIDECAR = "sidecar"  # an init container with restartPolicy Always
    APP = "app"


def may_run_together(first: tuple[int, PortRole], second: tuple[int, PortRole]) -> bool:
    """Whether two distinct containers, as (declaration index, role) with init containers
    first, can both be running at some instant."""
    (i, a), (j, b) = sorted((first, second))
    if PortRole.INIT not in (a, b):
        return True
    # a regular init container overlaps only with the sidecars started before it
    return b is PortRole.INIT and a is PortRole.SIDECAR and i < j


def port_contention(
    containers: Sequence[tuple[str, PortRole, Sequence[int]]],
) -> dict[int, tuple[str, ...]]:
    """Port -> the containers (in declaration order) that declare it and may run at the
    same time as another of them that declares it; ports nobody contends for are left out."""
    holders: dict[int, list[tuple[int, PortRole, str]]] = {}
    for index, (name, role, ports) in enumerate(containers):
        for port in dict.fromkeys(ports):  # a port listed twice by one container is one
            holders.setdefault(port, []).append((index, role, name))
    out: dict[int, tuple[str, ...]] = {}
    for port, group in holders.items():
        rivals = [x for x in group if any(
            y is not x and may_run_together((x[0], x[1]), (y[0], y[1])) for y in group)]
        if rivals:
            out[port] = tuple(name for _, _, name in rivals)
    return out
