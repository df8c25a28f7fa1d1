"""The pod status the kubelet derives from its containers, as IR expressions.

Stage: internal to `podcheck.model` (used by `pod.py`).  Consumes the `ContainerModel`s
of one pod slot; produces IR for the phase (pkg/kubelet/kubelet_pods.go getPhase,
mirrored from `podcheck.kube.phase.phase_core` branch by branch), the Ready condition
(pkg/kubelet/status/generate.go GeneratePodReadyCondition) and the Initialized
condition (GeneratePodInitializedCondition).  `manifests.pod_with_status` builds the
Kubernetes pod dict of a concrete state, so tests can check the IR against
`podcheck.kube.phase.pod_phase` on every reachable state.
"""

from __future__ import annotations

from collections.abc import Sequence

from podcheck import ir
from podcheck.model.containers import (
    BACKOFF,
    KILLED,
    RUNNING,
    TERMINATED,
    WAITING,
    ContainerModel,
    Role,
)
from podcheck.vocab import PodPhase, words

PENDING, RUNNING_PHASE, SUCCEEDED, FAILED = 0, 1, 2, 3
PHASES = words(PodPhase)[:4]  # getPhase never returns Unknown


def _count(conds: Sequence[ir.Expr]) -> ir.Expr:
    live = [c for c in conds if c != ir.FALSE]
    return ir.count(*live) if live else ir.Const(0)


def _positive(expr: ir.Expr) -> ir.Expr:
    return ir.FALSE if expr == ir.Const(0) else ir.op(">", expr, 0)


def _st(cm: ContainerModel, *states: int) -> ir.Expr:
    return ir.or_(*(ir.eq(cm.state, s) for s in states))


def _codes(cm: ContainerModel) -> tuple[int, ...]:
    return tuple(sorted({*cm.codes, KILLED}))


def _code_in(cm: ContainerModel, codes: Sequence[int]) -> ir.Expr:
    return ir.or_(*(ir.eq(cm.exit_code, k) for k in codes))


def init_done(cm: ContainerModel) -> ir.Expr:
    """The next init container may start: a regular one exited 0, a sidecar started."""
    if cm.role is Role.SIDECAR:
        return cm.started
    return ir.and_(ir.eq(cm.state, TERMINATED), ir.eq(cm.exit_code, 0))


def init_failed(cm: ContainerModel) -> ir.Expr:
    """A regular init container exited non-zero and will not be restarted."""
    if cm.role is not Role.INIT:
        return ir.FALSE
    final = [k for k in _codes(cm) if k != 0 and not cm.should_restart(k)]
    return ir.and_(_st(cm, TERMINATED, BACKOFF), _code_in(cm, final)) if final else ir.FALSE


def phase_expr(
    inits: Sequence[ContainerModel], apps: Sequence[ContainerModel], deadline: ir.Expr
) -> ir.Expr:
    """getPhase over the slot's containers; DeadlineExceeded forces Failed."""
    regular = [c for c in inits if c.role is Role.INIT]
    sidecars = [c for c in inits if c.role is Role.SIDECAR]
    failed_init = _count([init_failed(c) for c in regular])
    pending_init = _count([_st(c, WAITING, RUNNING) for c in regular])
    pending_sidecar = _count(
        [ir.or_(ir.eq(c.state, WAITING), ir.and_(c.running, ir.not_(c.started))) for c in sidecars]
    )
    waiting = _count([ir.eq(c.state, WAITING) for c in (*sidecars, *apps)])
    running = _count([c.running for c in (*sidecars, *apps)])
    stopped = _count([_st(c, TERMINATED, BACKOFF) for c in apps])
    final = _count([
        ir.and_(_st(c, TERMINATED, BACKOFF),
                _code_in(c, [k for k in _codes(c) if not c.should_restart(k)]))
        for c in apps
    ])
    succeeded = _count([ir.and_(ir.eq(c.state, TERMINATED), ir.eq(c.exit_code, 0)) for c in apps])
    has_initialized = ir.or_(*(c.running for c in apps))
    all_stopped = ir.ite(
        ir.op("!=", stopped, final), RUNNING_PHASE,
        ir.ite(ir.eq(stopped, succeeded), SUCCEEDED, FAILED),
    )
    pending = ir.or_(
        _positive(pending_init),
        ir.and_(_positive(pending_sidecar), ir.not_(has_initialized)),
        _positive(waiting),
    )
    phase = ir.ite(_positive(running), RUNNING_PHASE,
                   ir.ite(_positive(stopped), all_stopped, PENDING))
    phase = ir.ite(pending, PENDING, phase)
    return ir.ite(ir.or_(deadline, _positive(failed_init)), FAILED, phase)


def ready_expr(
    inits: Sequence[ContainerModel], apps: Sequence[ContainerModel], phase: ir.Expr
) -> ir.Expr:
    """The Ready condition: every sidecar and app container ready, phase not terminal."""
    sidecars = [c.ready for c in inits if c.role is Role.SIDECAR]
    return ir.and_(ir.op("<", phase, SUCCEEDED), *sidecars, *(c.ready for c in apps))


def initialized_expr(
    inits: Sequence[ContainerModel], apps: Sequence[ContainerModel], phase: ir.Expr
) -> ir.Expr:
    """The Initialized condition (GeneratePodInitializedCondition)."""
    if not inits:
        return ir.TRUE
    each = [
        c.started if c.role is Role.SIDECAR
        else ir.and_(ir.eq(c.state, TERMINATED), ir.eq(c.exit_code, 0))
        for c in inits
    ]
    any_app = ir.or_(*(_st(c, RUNNING, TERMINATED) for c in apps))
    return ir.or_(ir.eq(phase, SUCCEEDED), any_app, ir.and_(*each))
