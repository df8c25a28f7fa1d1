"""The two PodDisruptionBudget built-ins: `budget-respected` and `always-available`.

Stage: internal to `podcheck.model` (called by `props.PropertyCompiler.builtin`).
Consumes a `Cluster` and the `Budget`s; produces each check's state condition (and,
for `always-available`, declares a monitor variable on the cluster's builder).

NOTE(budget-checks) (docs/semantics.md, "What a PDB promises"): a PDB limits voluntary
evictions only; the eviction subresource (pkg/registry/core/pod/storage/eviction.go,
`EvictionREST.Create` -> `checkAndDecrement`) is its one check.  So
`budget-respected` looks at eviction steps: in every state, every eviction the API
would grant leaves each PDB covering the pod at or above its desired healthy count,
unless the pod is not Ready (an unhealthy pod's eviction removes nothing from
currentHealthy, and the API lets it go under the unhealthyPodEvictionPolicy rules).
The count after the eviction is read from the state before it, against that state's
desiredHealthy (the status the API server compares with).  `always-available` is the
stronger, cause-blind claim (SafeEvictions vs AlwaysAvailable in the B1 scenario):
every PDB's currentHealthy >= desiredHealthy in every state once the pods it selects
have first all been Ready; node failures, direct deletes, rollouts and crashes all
count, and its counterexample's last step names the cause.
"""

from __future__ import annotations

from dataclasses import replace

from podcheck import ir
from podcheck.model.budgets import Budget
from podcheck.model.cluster import Cluster
from podcheck.model.eviction_api import eviction_decision


def chosen(budgets: list[Budget], args: tuple[str, ...]) -> list[Budget]:
    """The budgets a check applies to (the named PDBs, else all), without the ones in
    failSafe (their status is all zeros, and the API refuses every eviction)."""
    return [b for b in budgets if not b.fail_safe and (not args or b.pdb.name in args)]


def budget_respected(cluster: Cluster, budgets: list[Budget], args: tuple[str, ...]) -> ir.Expr:
    """No eviction the eviction API grants leaves a PDB below its desired healthy count
    (NOTE(budget-checks)): a condition on the state before every possible eviction."""
    mine = chosen(budgets, args)
    parts: list[ir.Expr] = []
    for s in cluster.slots:
        covering = [b for b in mine if b.covers(s)]
        if not covering:
            continue
        granted, _ = eviction_decision(cluster, s, budgets)
        # the eviction action's own guard (a Terminating pod is not evicted again:
        # `Cluster.evicting`), of a pod the budget counts as healthy
        evicts = cluster.evicting(s, granted, cluster.healthy(s))
        if evicts is None:
            continue  # never evicted (a DaemonSet pod: kubectl drain --ignore-daemonsets)
        after = [ir.op(">=", ir.op("-", b.healthy, 1), b.desired) for b in covering]
        parts.append(ir.or_(ir.not_(evicts), ir.and_(*after)))
    return ir.and_(*parts)


def always_available(cluster: Cluster, budgets: list[Budget], args: tuple[str, ...]
                     ) -> ir.Expr:
    """Every chosen PDB's currentHealthy >= desiredHealthy in every state after its
    selected pods first were all Ready (NOTE(budget-checks))."""
    parts = []
    for b in chosen(budgets, args):
        came_up = _came_up(cluster, b)
        parts.append(ir.or_(ir.not_(came_up), ir.op(">=", b.healthy, b.desired)))
    return ir.and_(*parts)


def _came_up(cluster: Cluster, b: Budget) -> ir.Var:
    """A monitor variable: 1 from the state after the first one in which every pod the
    budget selects (surge slots aside) existed and was healthy (Ready, not Terminating).
    Every action already declared sets it from the state it leaves, so a drop in the very
    step after the workload came up is seen (the state where it came up meets the budget anyway)."""
    builder = cluster.builder
    name = f"{b.owner}.cameUp"
    for i, v in enumerate(builder.vars):
        if v.name == name:
            return ir.Var(i)
    # per workload, as many healthy pods as it has desired slots, counted over its spares
    # too (a replacement in a spare slot is one of its pods; the count keeps the pod
    # symmetry group, spares included, mapping this monitor onto itself)
    up = ir.and_(*(
        ir.op(">=", ir.count(*(cluster.healthy(s) for s in b.selected
                               if s.workload.name == w and not s.surge)),
              sum(1 for s in b.selected if s.workload.name == w and not s.extra))
        for w in dict.fromkeys(s.workload.name for s in b.selected)))
    var = builder.bool_var(name, owner=b.owner, field_name="cameUp")
    update = (var.index, ir.or_(var, up))
    builder.actions[:] = [replace(a, updates=(*a.updates, update)) for a in builder.actions]
    return var
