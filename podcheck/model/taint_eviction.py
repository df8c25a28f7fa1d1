"""The taint eviction controller: deletes pods from a node that stopped reporting.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster`; declares one `taint_evict` per slot that is not a DaemonSet's.

pkg/controller/tainteviction/taint_eviction.go: a pod without a toleration of the
not-ready/unreachable taints gets the default 300 s ones (DefaultTolerationSeconds
admission); once that expires the pod is deleted.  DaemonSet pods tolerate those taints
forever and stay (not Ready, reason NodeLost).  The 300 s are abstracted: the delete may
happen at any time after the node went Down.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import Cluster
from podcheck.vocab import ActionKind, Actor


def declare_taint_eviction(cluster: Cluster) -> None:
    """Declare `taint_evict` for every pod slot that is not a DaemonSet's."""
    b = cluster.builder
    for s in cluster.slots:
        if s.kind is spec.WorkloadKind.DAEMONSET:
            continue
        b.action(
            ActionKind.TAINT_EVICT, (("pod", s.name),), ir.and_(s.exists, cluster.node_down(s)),
            cluster.delete_updates(s),
            f"the taint eviction controller deletes pod {s.name} from its unreachable node "
            "(the 300s node.kubernetes.io/unreachable toleration expired)",
            Actor.TAINT_EVICTION_CONTROLLER, span=cluster.spec.environment.span)
