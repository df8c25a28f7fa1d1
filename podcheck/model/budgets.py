"""PodDisruptionBudget status as IR: what the disruption controller computes.

Stage: internal to `podcheck.model` (called by `compile.build_model` after the layout).
Consumes a `Cluster`; produces one `Budget` per PDB (its status numbers as IR
expressions over the state) and the PDB's status views for traces (`budget_views`).

The constants come from `podcheck.kube` at compile time through `kube_adapter`: whether
`trySync` resolves the budget's controllers or falls back to failSafe, each controller's
scale (`getExpectedScale`), and `desired_healthy`, tabulated over every value the
expected count can take.  The state-dependent parts mirror the core functions term by
term: `currentHealthy` is an IR count of Ready pods (`countHealthyPods`),
`disruptionsAllowed` the IR form of `kube.disruption.disruptions_allowed`.
tests/model/test_cluster.py checks them against kube's `pdb_status` on every reachable
state.

Abstracted: the PDB status is always in sync with the pods (the disruption controller's
resync is instantaneous, so a stale `observedGeneration` never matters).
NOTE(disrupted-pods): `status.disruptedPods` and its 2-minute DeletionTimeout are not
state, and that is exact for the model: the eviction handler records the pod there in
the request that deletes it, and the model's eviction removes the pod, or marks it
Terminating (NOTE(graceful-deletion)), in the step that grants it, so in every state
after it the entry names a pod that is not listed or has a deletion timestamp, which
`buildDisruptedPodMap` drops at any age (and `countHealthyPods` skips).  The timeout
matters only when a delete fails after the PDB was written (the pod stays, uncounted, for
up to 2 minutes), which the model has no step for.  tests/model/test_disrupted_pods.py
checks kube's `sync_pdb` with the entry at every age against the IR after every granted
eviction.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from podcheck import ir, spec
from podcheck.model.cluster import Cluster, Slot
from podcheck.model.kube_adapter import budget_rule, desired_healthy, selects


@dataclass(frozen=True, slots=True)
class Budget:
    """One PDB's status as IR expressions over the state (see the module docstring)."""

    pdb: spec.PodDisruptionBudget
    selected: tuple[Slot, ...]
    fail_safe: str  # the sync error when the controller falls back to failSafe
    healthy: ir.Expr  # currentHealthy
    expected: ir.Expr  # expectedPods
    desired: ir.Expr  # desiredHealthy
    allowed: ir.Expr  # disruptionsAllowed

    names: frozenset[str] = frozenset()  # the selected slots' names (`covers`)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", frozenset(s.name for s in self.selected))

    def covers(self, s: Slot) -> bool:
        """The budget selects slot `s` (by its unique name: comparing slots field by
        field made every pod's budget lookup linear, compiling quadratic)."""
        return s.name in self.names

    @property
    def owner(self) -> str:
        """Who the budget's views belong to in traces: `pdb <name>`."""
        return f"pdb {self.pdb.name}"


def budgets(cluster: Cluster) -> list[Budget]:
    """Every PDB's status as IR, its constants computed by `podcheck.kube`."""
    return [_budget(cluster, pdb) for pdb in cluster.spec.pdbs]


def budget_views(found: list[Budget]) -> list[ir.Derived]:
    """Each PDB's status fields currentHealthy, desiredHealthy and disruptionsAllowed, for
    traces (display only)."""
    return [
        ir.Derived(b.owner, name, expr)
        for b in found
        for name, expr in (("currentHealthy", b.healthy), ("desiredHealthy", b.desired),
                           ("disruptionsAllowed", b.allowed))
    ]


def _budget(cluster: Cluster, pdb: spec.PodDisruptionBudget) -> Budget:
    chosen = tuple(s for s in cluster.slots if selects(pdb, s.workload.template))
    rule = budget_rule(pdb, [s.workload for s in chosen if not s.extra])
    if rule.fail_safe:
        zero = ir.Const(0)
        return Budget(pdb, chosen, rule.fail_safe, zero, zero, zero, zero)
    healthy = ir.count(*(cluster.healthy(s) for s in chosen))  # countHealthyPods
    if not rule.needs_scale:
        # NOTE(pdb-expected): an integer minAvailable expects the matched pods, and its
        # desired count is the integer itself.
        matched = ir.count(*(s.exists for s in chosen))
        desired: ir.Expr = ir.Const(desired_healthy(pdb, 0))
        return Budget(pdb, chosen, "", healthy, matched, desired,
                      allowed_ir(healthy, desired, matched))
    owners = sorted(rule.scales)
    expected = ir.sum_(*(
        ir.ite(ir.or_(*(s.exists for s in chosen if s.workload.name == o)), rule.scales[o], 0)
        for o in owners
    ))
    values = sorted({sum(rule.scales[o] for o in subset)
                     for k in range(len(owners) + 1) for subset in combinations(owners, k)})
    desired = ir.Const(desired_healthy(pdb, values[0]))
    for v in values[1:]:
        desired = ir.ite(ir.eq(expected, v), desired_healthy(pdb, v), desired)
    return Budget(pdb, chosen, "", healthy, expected, desired,
                  allowed_ir(healthy, desired, expected))


def allowed_ir(healthy: ir.Expr, desired: ir.Expr, expected: ir.Expr) -> ir.Expr:
    """`kube.disruption.disruptions_allowed` in the IR."""
    diff = ir.op("-", healthy, desired)
    return ir.ite(ir.or_(ir.op("<=", expected, 0), ir.op("<=", diff, 0)), 0, diff)
