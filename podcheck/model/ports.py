"""Port contention inside one pod slot: the process that binds second fails.

Stage: internal to `podcheck.model` (called by `pod.py` once its containers exist).
Consumes the pod's containers and which of them contend for a port
(`kube.ports.port_contention`); declares per contended port one variable `portNNNN`
(who holds it: `free` or a container) and, per contending container, `bind_port` and
`port_in_use`; returns their guards (urgent: the kubelet-side reactions of the pod) and
the updates that free every port when the pod is re-created.

NOTE(port-contention): containers of a pod share one network namespace.  A running
container binds its port if no running container holds it; a running container whose
port another running container holds fails to bind (`EADDRINUSE`) and exits with its
behaviour's exit code (1 when that is 0), and the kubelet restarts it as for any exit:
under Always or OnFailure it crash-loops while the holder runs.  A process binds when it
comes up (after its `startup` time, at once without one); when two processes come up at
the same instant either may bind first, as they race.  The kubelet starts the next
container once a sidecar is started, not once it listens, so a sidecar without a startup
time can lose its port to an app container.  The holder is
not cleared when its container stops: a holder that is not running holds nothing, and a
restarted holder that finds the port unclaimed keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from podcheck import ir, spec
from podcheck.kube.ports import PortRole, port_contention
from podcheck.model.containers import STARTING, ContainerModel, Role
from podcheck.model.layout import Builder
from podcheck.model.updates import Updates
from podcheck.vocab import ActionKind, Actor

_ROLES = {Role.INIT: PortRole.INIT, Role.SIDECAR: PortRole.SIDECAR, Role.APP: PortRole.APP}


def contention(template: spec.PodTemplate) -> dict[int, tuple[str, ...]]:
    """Port -> the containers of `template` that contend for it (kube `port_contention`)."""
    rows = [(c.name, PortRole.SIDECAR if c.is_sidecar else PortRole.INIT, c.ports)
            for c in template.initContainers]
    rows += [(c.name, PortRole.APP, c.ports) for c in template.containers]
    return port_contention(rows)


def declare_ports(
    b: Builder, containers: Mapping[str, ContainerModel], contended: Mapping[int, Sequence[str]],
    gate: ir.Expr,
) -> tuple[list[ir.Expr], Updates]:
    """Declare the holder variables and actions of every contended port; returns the
    actions' guards and the updates freeing every port."""
    guards: list[ir.Expr] = []
    reset: Updates = []
    for port, names in sorted(contended.items()):
        members = [containers[n] for n in names]
        first = members[0]
        holder = b.var(f"{first.scope.slot}.port{port}", 0, len(members), 0,
                       labels=("free", *names), owner=first.scope.prefix,
                       field_name=f"port{port}")
        reset.append((holder, 0))
        held = [ir.and_(ir.eq(holder, k), cm.running) for k, cm in enumerate(members, 1)]
        for k, cm in enumerate(members, 1):
            mine = ir.eq(holder, k)
            taken = ir.or_(*(h for j, h in enumerate(held, 1) if j != k))
            up = ir.and_(cm.running, _past_startup(cm))
            bind = ir.and_(gate, up, ir.not_(mine), ir.not_(taken))
            b.action(ActionKind.BIND_PORT, (*cm.params(), ("port", str(port))), bind,
                     [(holder, k)], cm.label(f"`{cm.name}` binds port {port}"),
                     Actor.CONTAINER, ir.Fairness.WEAK, cm.c.span)
            code = cm.beh.exit_code or 1
            fail = ir.and_(gate, up, ir.not_(mine), taken)
            b.action(ActionKind.PORT_IN_USE, (*cm.params(), ("port", str(port))), fail,
                     cm.stop_updates(code),
                     cm.label(f"`{cm.name}` cannot bind port {port}, another container of "
                              f"the pod holds it: it exits {code}"),
                     Actor.CONTAINER, ir.Fairness.WEAK, cm.c.span)
            guards += [bind, fail]
    return guards, reset


def _past_startup(cm: ContainerModel) -> ir.Expr:
    """The process has come up (it binds its ports then): past its `startup` time."""
    return ir.TRUE if cm.process is None else ir.op("!=", cm.process, STARTING)
