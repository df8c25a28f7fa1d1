"""cluster-autoscaler's removal simulation as IR: can a node's pods all move elsewhere?

Stage: internal to `podcheck.model` (called by `autoscaler.declare_scale_down`).  Consumes
a `Cluster`, the parsed `Placements`, the node `n` being removed and the slots whose pod
would be moved off it; produces the guard "`findPlaceFor` succeeds" over the state.

kubernetes/autoscaler cluster-autoscaler/simulator/cluster.go `findPlaceFor`: every pod
to move is unscheduled from `n` first, `n` stays in the snapshot as a pod-less ghost
(tainted ToBeDeletedByClusterAutoscaler: still a topology domain, no pod of its own
counted, DaemonSet pods included), and simulator/scheduling
`HintingSimulator.TrySchedulePods` places the pods one after another, each seeing the
earlier ones in the snapshot (kube `try_schedule_pods`).  The node a pod lands on
depends on state the model does not keep (the round-robin `lastIndex`, hints, the
parallel filter race), so the guard is kube's `some_placement`: some node per pod
passing the scheduler's filters (the `bind` guards: capacity, NodeAffinity,
InterPodAffinity, PodTopologySpread) given the earlier choices, in some order of the
pods where the order can matter (`_orders`).  NOTE(scale-down) in
docs/semantics.md.

The guard is a disjunction over the choices, built by substituting the slots' `node`
variables (`_fold`, which folds the constants it creates).  Movers whose guards read
none of each other's `node` are independent and are placed separately (a conjunction),
so the choice tree only grows with pods that constrain each other.
"""

from __future__ import annotations

from podcheck import ir
from podcheck.model.cluster import NODE_DRAINED, NODE_READY, Cluster, NodeSlot, Slot
from podcheck.model.placement import Placements, node_fits, placement_guard
from podcheck.model.scheduler import fits

Table = dict[int, ir.Expr]


def all_placed(cluster: Cluster, pl: Placements, n: NodeSlot, movers: list[Slot],
               here: dict[str, ir.Expr]) -> ir.Expr:
    """Every mover that is on `n` (`here[slot]`) gets a node, one after another in slot
    order, in the snapshot where `n`'s pods are gone: kube `some_placement` as IR."""
    ghost: Table = {s.node.index: ir.ite(ir.eq(s.node, n.index), 0, s.node)
                    for s in cluster.slots if n in cluster.nodes_for(s)}
    guards = {s.name: _guards(cluster, pl, s, n) for s in movers}
    out = []
    for group in _groups(movers, guards):
        out.append(ir.or_(*(_place(list(order), 0, ghost, guards, here)
                            for order in _orders(pl, group))))
    return ir.and_(*out)


def _orders(pl: Placements, group: list[Slot]) -> list[tuple[Slot, ...]]:
    """The orders the group's pods may be placed in.  CA's order is the node's pod list,
    which the model does not keep; whether a placement exists does not depend on it
    when no pod of the group has a required pod-affinity term or a spread constraint
    (capacity and anti-affinity only get harder with more pods placed), nor between
    pods of one workload (they are alike): slot order then, else every order of the
    workloads' pods (pods of one workload kept in slot order)."""
    free = all(not pl.pods[s.name].pod.affinity and not pl.pods[s.name].spread
               for s in group)
    kinds = list(dict.fromkeys(s.workload.name for s in group))
    if free or len(kinds) == 1:
        return [tuple(group)]
    counts = {k: sum(s.workload.name == k for s in group) for k in kinds}
    out = []
    for seq in _sequences(counts):
        queues = {k: [s for s in group if s.workload.name == k] for k in kinds}
        out.append(tuple(queues[k].pop(0) for k in seq))
    return out


def _guards(cluster: Cluster, pl: Placements, s: Slot,
            n: NodeSlot) -> list[tuple[int, ir.Expr]]:
    """Per other node the pod could go to: the node's index and the `bind` filters."""
    out = []
    for m in cluster.nodes_for(s):
        if m is n or not node_fits(pl, s, m):
            continue
        ready = ir.or_(ir.eq(m.state, NODE_READY), ir.eq(m.state, NODE_DRAINED))
        out.append((m.index, ir.and_(ready, *fits(cluster, s, m),
                                     *placement_guard(cluster, pl, s, m))))
    return out


def _groups(movers: list[Slot],
            guards: dict[str, list[tuple[int, ir.Expr]]]) -> list[list[Slot]]:
    """The movers split into groups that read each other's `node` (union-find over
    "a guard of one reads the other's node"), each in slot order."""
    root = {s.name: s.name for s in movers}

    def find(x: str) -> str:
        while root[x] != x:
            x = root[x]
        return x

    by_var = {s.node.index: s.name for s in movers}
    for s in movers:
        read: set[int] = set()
        for _, g in guards[s.name]:
            read |= ir.reads(g)
        for v in read & by_var.keys():
            root[find(by_var[v])] = find(s.name)
    groups: dict[str, list[Slot]] = {}
    for s in movers:
        groups.setdefault(find(s.name), []).append(s)
    return list(groups.values())


def _place(group: list[Slot], i: int, table: Table,
           guards: dict[str, list[tuple[int, ir.Expr]]], here: dict[str, ir.Expr]) -> ir.Expr:
    """Movers `i..` of the group placed, given the choices so far in `table`."""
    if i == len(group):
        return ir.TRUE
    s = group[i]
    absent = ir.and_(ir.not_(here[s.name]), _place(group, i + 1, table, guards, here))
    options = []
    for index, guard in guards[s.name]:
        now = _fold(guard, table)
        if now == ir.FALSE:
            continue
        rest = _place(group, i + 1, {**table, s.node.index: ir.Const(index)}, guards, here)
        options.append(ir.and_(now, rest))
    return ir.or_(absent, ir.and_(here[s.name], ir.or_(*options)))


def _fold(e: ir.Expr, table: Table) -> ir.Expr:
    """`e` with the variables of `table` replaced, constant comparisons, `ite`s, `and`s
    and `or`s folded."""
    memo: dict[int, ir.Expr] = {}

    def go(x: ir.Expr) -> ir.Expr:
        key = id(x)
        if key not in memo:
            if isinstance(x, ir.Var):
                memo[key] = table.get(x.index, x)
            elif isinstance(x, ir.Op):
                memo[key] = _simplify(x.op, tuple(go(y) for y in x.args))
            else:
                memo[key] = x
        return memo[key]

    return go(e)


def _simplify(name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """One operator over folded arguments, folded where its constants decide it."""
    consts = [a.value for a in args if isinstance(a, ir.Const)]
    if name == "ite" and isinstance(args[0], ir.Const):
        return args[1] if args[0].value else args[2]
    if name == "and":
        if 0 in consts:
            return ir.FALSE
        return ir.and_(*args)
    if name == "or":
        if any(c != 0 for c in consts):
            return ir.TRUE
        return ir.or_(*args)
    if name == "not" and consts:
        return ir.Const(int(not consts[0]))
    if name in ("==", "!=") and len(consts) == 2:
        return ir.Const(int((consts[0] == consts[1]) == (name == "==")))
    return ir.Op(name, args)


def _sequences(counts: dict[str, int]) -> list[tuple[str, ...]]:
    """Every distinct sequence with `counts[k]` copies of each `k`."""
    if not any(counts.values()):
        return [()]
    return [(k, *rest) for k, c in counts.items() if c
            for rest in _sequences({**counts, k: c - 1})]
