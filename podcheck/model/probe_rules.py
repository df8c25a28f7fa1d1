"""The prober worker's threshold rule as a table, computed by `kube.probes.probe_step`.

Stage: internal to `podcheck.model` (used by `probes_model.py`).  Consumes one probe (its
kind and thresholds); produces, for every value of the model's worker variables and
both probe outcomes, what one probe tick does (`Tick`), by running kube's `probe_step`
(pkg/kubelet/prober/worker.go doProbe) on the worker state those values stand for;
and the IR of a table (`table_expr`, `member`), so the probe actions' guards and updates
are generated from kube's function instead of being written a second time.

The abstraction of a worker (`worker_state` / `abstract`): the model keeps the published
result as a flag (`started` for a startup probe, `readyResult` for readiness; a liveness
probe publishes Success until it trips) and one counter: for readiness the signed
`readyRun` (> 0 consecutive successes saturated at successThreshold, < 0 consecutive
failures while ready, 0 otherwise: failures while unready are not counted, as no rule
reads them), for liveness and startup the consecutive failures.  The timing (ticks,
initialDelaySeconds, the worker's phase, skipping until started) is the model clock's
(NOTE(probe-ticks) in `probe_clock.py`);
a table entry is one tick that probes.  tests/model/test_pod.py checks the generated
actions against `probe_step` on every reachable state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.kube import probes as kp
from podcheck.model.kube_adapter import probe_kind, probe_spec
from podcheck.vocab import ProbeKind

SUCCESS, FAILURE = kp.ProbeResult.SUCCESS, kp.ProbeResult.FAILURE


def worker_state(kind: ProbeKind, published: bool, run: int) -> kp.WorkerState:
    """The kube worker state that (published, signed run) stands for: run > 0 successes,
    run < 0 failures in a row; an unpublished result is the kind's initial one (Failure
    for readiness, which publishes it at once)."""
    if published:
        result = SUCCESS
    else:
        result = FAILURE if kind is ProbeKind.READINESS else kp.initial_result(kind)
    last = SUCCESS if run > 0 else FAILURE
    return kp.WorkerState(1, result, last if run else None, abs(run))


def abstract(ws: kp.WorkerState, kind: ProbeKind, success_threshold: int) -> tuple[bool, int]:
    """(published, signed run) of a kube worker state (the inverse of `worker_state` up
    to what no rule reads)."""
    published = ws.result is SUCCESS
    if ws.last_result is SUCCESS:
        counted = min(ws.result_run, success_threshold) if kind is ProbeKind.READINESS else 0
        return published, counted
    if kind is ProbeKind.READINESS and not published:
        return published, 0  # failures while unready are not counted (canonical)
    return published, -ws.result_run


@dataclass(frozen=True, slots=True)
class Tick:
    """What one probe tick does: the container is killed, or the worker's new values
    (published flag and the model's counter: readiness signed, else failures)."""

    kills: bool
    published: bool
    run: int


def tick(p: spec.Probe, published: bool, run: int, outcome: kp.ProbeResult) -> Tick:
    """One probing tick of `p` from the model values (published, run), by kube's
    `probe_step`; `run` is the model's counter (failures, for liveness and startup)."""
    kind, kspec = probe_kind(p), probe_spec(p)
    signed = run if kind is ProbeKind.READINESS else -run
    seen = kp.ContainerObservation(1, True, started=kind is not ProbeKind.STARTUP,
                                   seconds_since_start=kspec.initial_delay_seconds)
    step = kp.probe_step(worker_state(kind, published, signed), kind, kspec, seen, outcome)
    assert step.probed, (kind, published, run)
    kills = kp.kills_container(kind, step.state.result)
    now, counted = abstract(step.state, kind, kspec.success_threshold)
    return Tick(kills, now, counted if kind is ProbeKind.READINESS else -counted)


def table(p: spec.Probe, flags: Iterable[bool], runs: Iterable[int],
          outcome: kp.ProbeResult) -> dict[tuple[bool, int], Tick]:
    """`tick` for every (published, run) pair of the model's domains."""
    runs = list(runs)
    return {(f, r): tick(p, f, r, outcome) for f in flags for r in runs}


def member(flag: ir.Expr | None, run: ir.Expr, keys: Iterable[tuple[bool, int]]) -> ir.Expr:
    """The worker's (flag, run) is one of `keys` (`flag` None: the flag is always set)."""
    by_flag: dict[bool, list[int]] = {}
    for f, r in sorted(keys):
        by_flag.setdefault(f, []).append(r)
    parts = []
    for f, rs in sorted(by_flag.items()):
        runs = ir.or_(*(ir.eq(run, r) for r in rs))
        parts.append(runs if flag is None else ir.and_(ir.eq(flag, int(f)), runs))
    return ir.or_(*parts)


def table_expr(flag: ir.Expr | None, run: ir.Expr,
               values: Mapping[tuple[bool, int], int]) -> ir.Expr:
    """The value `values` gives the worker's (flag, run), as IR: one constant when all
    agree, else a choice between the distinct values (the most common is the default)."""
    groups: dict[int, list[tuple[bool, int]]] = {}
    for key, value in sorted(values.items()):
        groups.setdefault(value, []).append(key)
    ordered = sorted(groups, key=lambda v: (len(groups[v]), v))
    expr: ir.Expr = ir.Const(ordered[-1])
    for value in reversed(ordered[:-1]):
        expr = ir.ite(member(flag, run, groups[value]), value, expr)
    return expr
