"""The taint eviction controller: deletes pods from nodes with NoExecute taints they do
not tolerate (for ever).

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster`; declares one `taint_evict` per slot that is not a DaemonSet's (pods on a
node that stopped reporting) and one per (slot, node) whose static NoExecute taints the
pod tolerates only for a while.

pkg/controller/tainteviction/taint_eviction.go `getPodEvictionDecision` (kube
`no_execute_decision`, through `kube_adapter.eviction_on`): a Down node carries the
`node.kubernetes.io/unreachable` NoExecute taint; a pod without a toleration of it gets
the default 300 s one (DefaultTolerationSeconds admission), a pod tolerating it without
`tolerationSeconds` stays for ever.  Once the smallest toleration expires the pod is
deleted; the seconds are abstracted: the delete may happen at any time after the taint
appeared.  DaemonSet pods tolerate the unreachable taint for ever and stay (not Ready,
reason NodeLost).
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.kube.taints import EvictionKind, NoExecuteDecision
from podcheck.model.cluster import NODE_DOWN, Cluster, NodeSlot, Slot
from podcheck.model.kube_adapter import eviction_on, untolerated
from podcheck.vocab import ActionKind, Actor


def declare_taint_eviction(cluster: Cluster) -> None:
    """Declare `taint_evict` for every pod slot that is not a DaemonSet's."""
    nodes = {n.name: n for n in cluster.spec.nodes}
    memo: dict[tuple[str, str, bool], NoExecuteDecision | None] = {}

    def decide(w: spec.Workload, n: NodeSlot, down: bool) -> NoExecuteDecision | None:
        """kube's decision for a pod of `w` on `n` (None: a taint not tolerated keeps the
        pod off the node), once per workload (its slots share the template)."""
        key = (w.name, n.name, down)
        if key not in memo:
            memo[key] = (None if untolerated(nodes[n.name], w.template)
                         else eviction_on(nodes[n.name], w.template, down))
        return memo[key]

    for s in cluster.slots:
        if s.kind is spec.WorkloadKind.DAEMONSET:
            continue
        # a node whose NoSchedule / NoExecute taints the pod does not tolerate never has it
        decisions = {n.name: d for n in cluster.nodes_for(s)
                     if (d := decide(s.workload, n, True)) is not None}
        bindable = [n for n in cluster.nodes_for(s) if n.name in decisions]
        down = [n for n in bindable if decisions[n.name].kind is not EvictionKind.NONE]
        seconds = {decisions[n.name].seconds for n in down}
        _unreachable(cluster, s, down, len(down) == len(bindable),
                     seconds.pop() if len(seconds) == 1 else None)
        for n in bindable:
            decision = decide(s.workload, n, False)
            assert decision is not None  # bindable: tolerated
            if decision.kind is not EvictionKind.NONE:
                _tainted(cluster, s, n, decision.seconds)


def _unreachable(cluster: Cluster, s: Slot, down: list[NodeSlot], everywhere: bool,
                 seconds: int | None) -> None:
    if not down:
        return
    why = ("its node.kubernetes.io/unreachable toleration expired" if seconds is None else
           f"the {seconds}s node.kubernetes.io/unreachable toleration expired" if seconds else
           "it does not tolerate the node's NoExecute taints")
    where = (cluster.node_down(s) if everywhere else
             ir.or_(*(ir.and_(ir.eq(s.node, n.index), ir.eq(n.state, NODE_DOWN))
                      for n in down)))
    cluster.builder.action(
        ActionKind.TAINT_EVICT, (("pod", s.name),), ir.and_(s.exists, where),
        cluster.delete_updates(s),
        f"the taint eviction controller deletes pod {s.name} from its unreachable node ({why})",
        Actor.TAINT_EVICTION_CONTROLLER, span=cluster.spec.environment.span)


def _tainted(cluster: Cluster, s: Slot, n: NodeSlot, seconds: int) -> None:
    guard = ir.and_(s.exists, ir.eq(s.node, n.index), ir.op("!=", n.state, NODE_DOWN))
    cluster.builder.action(
        ActionKind.TAINT_EVICT, (("pod", s.name), ("node", n.name)), guard,
        cluster.delete_updates(s),
        f"the taint eviction controller deletes pod {s.name} from node {n.name} "
        f"(its {seconds}s toleration of the node's NoExecute taint expired)",
        Actor.TAINT_EVICTION_CONTROLLER, span=s.workload.span)
