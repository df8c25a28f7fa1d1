"""`kubectl drain`: cordon the node, filter its pods, evict them, and uncordon it.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and the `Clock`; declares `cordon` for every node the environment drains,
`drain_refused` while a pod the filters refuse is on a cordoned node, `drain_timeout`
when `--timeout` runs out and, in one-at-a-time mode, `uncordon` once the drain is done.
The evictions themselves go through the eviction API (`eviction_api.py`, reading
`evicting` here), retried until granted.

kubectl drain (staging/src/k8s.io/kubectl/pkg/drain): cordon (spec.unschedulable: the
`node.kubernetes.io/unschedulable:NoSchedule` taint, which only pods tolerating it pass,
`scheduler.py`), then `GetPodsForDeletion` runs the pod filters (kube `pod_delete_status`
with the environment's `ignoreDaemonsets`, `force`, `deleteEmptydirData`, all on by
default): DaemonSet pods are skipped (an error without --ignore-daemonsets), bare pods
need --force, emptyDir pods --delete-emptydir-data; finished pods always go.  Any error
fails the whole drain before one eviction: the model reads the pods at every retry, so
a drain whose node holds a refused pod stays cordoned with no eviction, retried for ever
with kubectl's words (NOTE(drain-retries)).  `drainTimeout` (--timeout) is a timer armed
at the cordon and counting while the drain is not done; at 0 the drain exits with
"global timeout reached" and evicts no more (the node stays cordoned, as kubectl leaves
it).  One-at-a-time mode is real maintenance: at most `maxConcurrentDrains` nodes are
cordoned at once, the admin uncordons a drained node (state Drained, never drained
again); concurrent mode drains any subset at once and never uncordons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcheck import ir, spec
from podcheck.kube.drain import DrainFlags, DrainPod, PodDeleteStatus, Reason, pod_delete_status
from podcheck.model.clock import Clock
from podcheck.model.cluster import NODE_CORDONED, NODE_DRAINED, NODE_READY, Cluster, NodeSlot, Slot
from podcheck.vocab import ActionKind, Actor


def negate(e: ir.Expr) -> ir.Expr:
    """`not e`, folding the constants (guards stay as small as before when nothing
    blocks a drain)."""
    return ir.TRUE if e == ir.FALSE else ir.FALSE if e == ir.TRUE else ir.not_(e)


def flags(env: spec.Environment) -> DrainFlags:
    """kubectl drain's flags as the environment sets them."""
    return DrainFlags(env.ignoreDaemonsets, env.force, env.deleteEmptydirData)


def running_status(s: Slot, env: spec.Environment) -> PodDeleteStatus:
    """The filters' answer for the slot's pod while it is not finished (kube
    `pod_delete_status`; a finished pod is always deleted).  The spec has no static pods,
    so no slot is a mirror pod."""
    w = s.workload
    pod = DrainPod(s.name, controller=w.kind, local_storage=bool(w.template.volumes))
    return pod_delete_status(pod, flags(env))


def evictable(s: Slot, env: spec.Environment) -> bool:
    """The drain evicts the pod while it runs (a refused pod only once it finished)."""
    return running_status(s, env).delete


def refused(s: Slot, env: spec.Environment) -> bool:
    """The filters refuse the running pod: the drain fails while it is on the node."""
    return running_status(s, env).reason is Reason.ERROR


def waited_for(s: Slot, env: spec.Environment) -> bool:
    """The drain is not done while this pod is on the node: it evicts it or refuses it
    (a DaemonSet pod skipped under --ignore-daemonsets stays; so does a refused one
    that can never finish)."""
    return evictable(s, env) or refused(s, env)


@dataclass
class Drains:
    """The drained nodes with their optional --timeout timers; the eviction API and the
    properties read the predicates."""

    cluster: Cluster
    timeout: int | None
    timers: dict[int, ir.Var] = field(default_factory=dict)

    @property
    def nodes(self) -> list[NodeSlot]:
        """The nodes the environment drains."""
        env = self.cluster.spec.environment
        return [n for n in self.cluster.nodes if n.name in env.drain]

    def blocked(self, n: NodeSlot) -> list[tuple[Slot, ir.Expr]]:
        """Per refused slot that may be on `n`: it is there and not finished."""
        c, env = self.cluster, self.cluster.spec.environment
        return [(s, ir.and_(s.exists, ir.eq(s.node, n.index), ir.not_(s.model.terminal)))
                for s in c.slots if refused(s, env) and n in c.nodes_for(s)]

    def pending(self, n: NodeSlot) -> ir.Expr:
        """Some pod the drain waits for is bound to `n` (the drain is not done)."""
        env = self.cluster.spec.environment
        return ir.or_(*(ir.eq(s.node, n.index) for s in self.cluster.slots
                        if waited_for(s, env)))

    def gave_up(self, n: NodeSlot) -> ir.Expr:
        """kubectl drain of `n` exited on its --timeout."""
        var = self.timers.get(n.index)
        return ir.FALSE if var is None or self.timeout is None else ir.eq(var, self.timeout + 1)

    def live(self, n: NodeSlot) -> ir.Expr:
        """kubectl drain of `n` is evicting: cordoned, no refused pod, not given up."""
        stop = [b for _, b in self.blocked(n)]
        return ir.and_(ir.eq(n.state, NODE_CORDONED), negate(ir.or_(*stop)),
                       negate(self.gave_up(n)))

    def evicting(self, s: Slot) -> tuple[ir.Expr, ...]:
        """A drain is evicting pod `s` (the conjuncts; empty: never): it runs evictable,
        or finished, on a node under a live drain (only drained nodes are cordoned)."""
        env = self.cluster.spec.environment
        if not waited_for(s, env):
            return ()
        drained = {n.index for n in self.nodes}
        on = ir.or_(*(ir.and_(ir.eq(s.node, n.index),
                              self.live(n) if n.index in drained
                              else ir.eq(n.state, NODE_CORDONED))
                      for n in self.cluster.nodes_for(s)))
        ok = () if evictable(s, env) else (s.model.terminal,)
        return (s.exists, *ok, on)


def declare_drain(cluster: Cluster, clock: Clock) -> Drains:
    """Declare cordon, the refusals, the timeout and (one at a time) uncordon for every
    node the spec drains; returns what the eviction API and the properties read."""
    env, b = cluster.spec.environment, cluster.builder
    drains = Drains(cluster, env.drainTimeout)
    one_at_a_time = env.drainMode is spec.DrainMode.ONE_AT_A_TIME
    busy = ir.sum_(*(ir.ite(ir.eq(n.state, NODE_CORDONED), 1, 0) for n in drains.nodes))
    for n in drains.nodes:
        guard = ir.and_(cluster.may_disrupt(), ir.eq(n.state, NODE_READY))
        if one_at_a_time:
            guard = ir.and_(guard, ir.op("<", busy, env.maxConcurrentDrains))
        arm = _timer(drains, clock, n)
        b.action(ActionKind.CORDON, (("node", n.name),), guard, [(n.state, NODE_CORDONED), *arm],
                 f"kubectl drain {n.name}: the node is cordoned (unschedulable)",
                 Actor.KUBECTL_DRAIN, ir.Fairness.NONE, env.span)
        _refusals(drains, n)
        if one_at_a_time:
            done = ir.and_(ir.eq(n.state, NODE_CORDONED), negate(drains.pending(n)),
                           negate(drains.gave_up(n)))
            reset = [(drains.timers[n.index], 0)] if n.index in drains.timers else []
            b.action(ActionKind.UNCORDON, (("node", n.name),), done,
                     [(n.state, NODE_DRAINED), *reset],
                     f"kubectl drain {n.name} completes; the admin uncordons {n.name}",
                     Actor.CLUSTER_ADMIN, span=env.span)
    for s in cluster.slots:
        if conjuncts := drains.evicting(s):
            cluster.evictors.setdefault(s.name, []).append(conjuncts)
    for n in drains.nodes:
        cluster.drain_pending[n.index] = drains.pending(n)
    return drains


def _refusals(drains: Drains, n: NodeSlot) -> None:
    """`drain_refused`: GetPodsForDeletion reports an error for a pod on `n`."""
    env, b = drains.cluster.spec.environment, drains.cluster.builder
    for s, there in drains.blocked(n):
        words = _error_words(s, env)
        b.action(ActionKind.DRAIN_REFUSED, (("node", n.name), ("pod", s.name)),
                 ir.and_(ir.eq(n.state, NODE_CORDONED), there, negate(drains.gave_up(n))), [],
                 f"kubectl drain {n.name} fails: {words} (the admin retries)",
                 Actor.KUBECTL_DRAIN, ir.Fairness.WEAK, s.workload.span)


def _error_words(s: Slot, env: spec.Environment) -> str:
    """The error kubectl prints for the slot's pod (`PodDeleteList.errors`)."""
    message = running_status(s, env).message
    prefix = "" if message.lower().startswith("cannot delete") else "cannot delete "
    return f"{prefix}{message}: default/{s.name}"


def _timer(drains: Drains, clock: Clock, n: NodeSlot) -> list[tuple[ir.Var, ir.Expr | int]]:
    """--timeout: a timer armed at the cordon; counts while the drain is not done; at 0
    `drain_timeout` sets it to timeout + 1 (given up).  Returns the cordon's update."""
    t = drains.timeout
    if t is None:
        return []
    var = clock.timer(f"{n.name}.drainTimer", t + 1, owner=f"node {n.name}",
                      field_name="drainTimer")
    drains.timers[n.index] = var
    cordoned = ir.eq(n.state, NODE_CORDONED)
    working = ir.and_(cordoned, drains.pending(n))
    clock.register(var, ir.and_(working, ir.op(">", var, 0), ir.op("<=", var, t)))
    expired = ir.and_(working, ir.eq(var, 0))
    clock.urgent(expired)
    drains.cluster.builder.action(
        ActionKind.DRAIN_TIMEOUT, (("node", n.name),), expired, [(var, t + 1)],
        f"kubectl drain {n.name} exits: error: global timeout reached: {go_duration(t)}",
        Actor.KUBECTL_DRAIN, span=drains.cluster.spec.environment.span)
    return [(var, t)]


def go_duration(seconds: int) -> str:
    """A whole number of seconds as Go's `time.Duration.String` prints it (`5m0s`)."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m}m{s}s"
    return f"{m}m{s}s" if m else f"{s}s"

