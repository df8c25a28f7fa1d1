"""The DaemonSet controller: one pod per node, pinned to it, re-created when deleted.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and one DaemonSet (its slots are pinned to their nodes by `slots.py`); declares
one `create_pod` per slot (pkg/controller/daemon/daemon_controller.go `syncNodes`).
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import Cluster
from podcheck.vocab import ActionKind, Actor


def declare_daemonset(cluster: Cluster, w: spec.Workload) -> None:
    """Declare `create_pod` for every node's slot of DaemonSet `w`."""
    gone = {n.index: cluster.removed(n) for n in cluster.nodes}
    for s in cluster.slots_of(w.name):
        guard = ir.not_(s.exists)
        if gone[s.pinned] != ir.FALSE:  # no pod for a node the autoscaler deleted
            guard = ir.and_(guard, ir.not_(gone[s.pinned]))
        cluster.builder.action(
            ActionKind.CREATE_POD, (("pod", s.name),), guard,
            cluster.create_updates(s),
            f"the DaemonSet controller creates pod {s.name} for its node (a new uid)",
            Actor.DAEMONSET_CONTROLLER, span=s.workload.span)
