"""The eviction API (the pod `eviction` subresource), as kubectl drain calls it.

Stage: internal to `podcheck.model` (called by `compile.build_model` after `drain.py`).
Consumes a `Cluster` and the `Budget`s; declares, for every pod a drain or the
autoscaler evicts (`Cluster.evictors`: the drain's filters pass it, its node is being
drained or scaled down), `evict` (granted: the pod is deleted) and,
when a budget can refuse, `evict_refused` (the API's answer as typed `Refusal` data).

`eviction_decision` is `kube.eviction.eviction_core` in the IR, term by term: a pod that
is Pending, Succeeded or Failed is deleted without any budget; with no matching PDB it
is deleted; with more than one the API answers 500; with one, a pod that is not Ready
goes if the policy is AlwaysAllow or the budget is healthy (currentHealthy >=
desiredHealthy > 0), else the budget must allow a disruption (429 otherwise).
tests/model/test_cluster.py checks it against kube's `evict` on every reachable state.
Eviction steps point at the budget's minAvailable / maxUnavailable line.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck import ir
from podcheck.diagnostics import Span
from podcheck.kube.eviction import BUDGET_MESSAGE, MULTIPLE_PDBS_MESSAGE, Decision
from podcheck.model.budgets import Budget
from podcheck.model.cluster import FAILED, PENDING, SUCCEEDED, Cluster, Slot
from podcheck.model.termination import Delete, declare_delete
from podcheck.spec import NO_SPAN
from podcheck.vocab import ActionKind, Actor, UnhealthyPodEvictionPolicy


@dataclass(frozen=True, slots=True)
class Refusal:
    """The API server's answer when it refuses an eviction: HTTP status and message."""

    status: int
    message: str

    def sentence(self, pod: str) -> str:
        """The trace label of the refused eviction of `pod`."""
        return (f"the eviction API refuses ({self.status}) the eviction of {pod}: "
                f"{self.message} (kubectl drain retries)")


MULTIPLE_PDBS = Refusal(Decision.REJECT_MULTIPLE_PDBS.status, MULTIPLE_PDBS_MESSAGE)
BUDGET_EXHAUSTED = Refusal(Decision.REJECT_BUDGET_EXHAUSTED.status, BUDGET_MESSAGE)


def eviction_decision(cluster: Cluster, s: Slot, all_budgets: list[Budget]) -> tuple[
    ir.Expr, Refusal | None
]:
    """(granted, the refusal otherwise) for an eviction of pod `s` (module docstring)."""
    phase = cluster.phase(s)  # canIgnorePDB: these phases, or a deletion timestamp
    ignore = ir.or_(*(ir.eq(phase, p) for p in (PENDING, SUCCEEDED, FAILED)),
                    cluster.terminating(s))
    mine = [b for b in all_budgets if b.covers(s)]
    if not mine:
        return ir.TRUE, None
    if len(mine) > 1:
        return ignore, MULTIPLE_PDBS
    b = mine[0]
    if b.pdb.unhealthyPodEvictionPolicy == UnhealthyPodEvictionPolicy.ALWAYS_ALLOW:
        unhealthy_ok: ir.Expr = ir.TRUE
    else:
        unhealthy_ok = ir.and_(ir.op(">=", b.healthy, b.desired), ir.op(">", b.desired, 0))
    unready = ir.and_(ir.not_(cluster.ready(s)), unhealthy_ok)
    return ir.or_(ignore, unready, ir.op(">", b.allowed, 0)), BUDGET_EXHAUSTED


def _where(cluster: Cluster, s: Slot, all_budgets: list[Budget]) -> Span:
    """The line an eviction step points at: the budget of the first PDB selecting the
    pod, else the environment block that asks for the drain."""
    mine = [b for b in all_budgets if b.covers(s)]
    if mine and mine[0].pdb.budget_span != NO_SPAN:
        return mine[0].pdb.budget_span
    return cluster.spec.environment.span


def declare_evictions(cluster: Cluster, all_budgets: list[Budget]) -> None:
    """Declare `evict` and `evict_refused` for every pod a drain or the autoscaler may
    evict (`Cluster.evictors`)."""
    b = cluster.builder
    for s in cluster.slots:
        granted, refusal = eviction_decision(cluster, s, all_budgets)
        grant = cluster.evicting(s, granted)
        if grant is None:
            continue  # e.g. a DaemonSet pod: kubectl drain --ignore-daemonsets
        on_cordoned = cluster.evicting(s)
        assert on_cordoned is not None
        where = _where(cluster, s, all_budgets)
        declare_delete(cluster, s, Delete(
            ActionKind.EVICT, f"the eviction API grants the eviction of {s.name}: the pod is "
            "deleted", Actor.EVICTION_API, ir.Fairness.STRONG, where, evicted=True), grant)
        if refusal is not None and granted != ir.TRUE:
            # NOTE(eviction-fairness): a refusal is its own action class.  kubectl drain
            # retries every 5 s, so a grant that is enabled infinitely often is taken
            # (STRONG on `evict`); if refusals shared that class, a run retrying only in
            # the moments the budget says no would count as fair.  The refusal itself is
            # weakly fair so that a hung drain shows its loop of 429s.
            b.action(ActionKind.EVICT_REFUSED, (("pod", s.name),),
                     ir.and_(on_cordoned, ir.not_(granted)), [], refusal.sentence(s.name),
                     Actor.EVICTION_API, ir.Fairness.WEAK, where)
