"""Kubernetes' count arithmetic as IR over a symbolic replica count, shared by the
counter systems (`engine.parametric`, `engine.counter_rollout`).

Stage: `podcheck.engine`.  Consumes int-or-percent values and an IR expression for the
replica count; produces IR expressions.  The concrete rules are `podcheck.kube`'s
(`kube.disruption.desired_healthy`, `kube.rollout.resolve_fenceposts` /
`max_surge` / `max_unavailable`); an IR form is needed because the replica count is a
variable of the counter system, and tests/engine/test_parametric.py and
tests/engine/test_counter_rollout.py compare every function here with kube's at every
count 0..300 for many values.
"""

from __future__ import annotations

from podcheck import ir
from podcheck.ir import Expr
from podcheck.kube.intstr import IntOrPercent

UP, CORDONED, DOWN, DRAINED = 0, 1, 2, 3  # a counted node's states
SETUP, RUNNING = 0, 1  # the counter system's phases


def scaled(value: IntOrPercent, total: Expr, round_up: bool) -> Expr:
    """`GetScaledValueFromIntOrPercent(value, total, round_up)` as an IR expression."""
    if not value.percent:
        return ir.Const(value.value)
    product = ir.op("*", value.value, total)
    return ir.op("//", ir.op("+", product, 99), 100) if round_up else ir.op("//", product, 100)


def desired_healthy(min_available: IntOrPercent | None, max_unavailable: IntOrPercent | None,
                    replicas: Expr) -> Expr:  # fmt: skip
    """desiredHealthy of `getExpectedPodCount` for `replicas` expected pods: minAvailable
    rounded up, or replicas less maxUnavailable rounded up (never below 0)."""
    if max_unavailable is not None:
        gone = scaled(max_unavailable, replicas, True)
        return ir.op("max", ir.op("-", replicas, gone), 0)
    assert min_available is not None
    return scaled(min_available, replicas, True)


def unhealthy_goes(always_allow: bool, healthy: Expr, desired: Expr) -> Expr:
    """When the eviction API grants the eviction of a pod that is Running but not Ready:
    always under AlwaysAllow; under IfHealthyBudget when the budget is healthy
    (currentHealthy >= desiredHealthy > 0) or allows a disruption."""
    if always_allow:
        return ir.TRUE
    return ir.or_(ir.and_(ir.op(">=", healthy, desired), ir.op(">", desired, 0)),
                  ir.op(">=", ir.op("-", healthy, desired), 1))


def fenceposts(max_surge: IntOrPercent, max_unavailable: IntOrPercent,
               replicas: Expr) -> tuple[Expr, Expr]:  # fmt: skip
    """(`MaxSurge`, `MaxUnavailable`) of a RollingUpdate Deployment with `replicas >= 1`
    replicas: `ResolveFenceposts` (surge rounds up, unavailable down, both 0 makes
    unavailable 1), the unavailable capped at `replicas`."""
    surge = scaled(max_surge, replicas, True)
    floor = scaled(max_unavailable, replicas, False)
    both_zero = ir.and_(ir.eq(surge, 0), ir.eq(floor, 0))
    return surge, ir.op("min", ir.ite(both_zero, 1, floor), replicas)
