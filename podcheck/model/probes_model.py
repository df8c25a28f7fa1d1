"""The kubelet's probe workers for one container: startup, liveness, readiness.

Stage: internal to `podcheck.model` (used by `containers.py`).  Consumes the
container's probes and its lifecycle expressions; declares one timer and the
counters of each probe worker, the probe actions, and exposes `started_flag` /
`ready_flag` plus the update lists the container applies when it starts, stops or
is re-created.

Rules (pkg/kubelet/prober/worker.go doProbe, prober_manager.go UpdatePodStatus): a probe
succeeds iff the process is up and not hung and its handler answers within
timeoutSeconds (prober.go runProbe, `kube.probe_timeout.probe_outcome` on the behaviour's
`probeLatency`: a latency range across the timeout lets each tick go either way).  What
one tick does to the worker's variables is not written here: `probe_rules.table` computes it with
`podcheck.kube.probes.probe_step` for every value of their domains, and the actions'
guards and updates are generated from that table.  The worker counts consecutive
identical outcomes and publishes a result once the run reaches the threshold; the
count survives container restarts (only the published result is reset, to the
probe's initial value), and a liveness or startup failure resets it when it trips.
Liveness and readiness ticks are skipped until the container has started; startup
ticks stop once it has.  A tripped liveness or startup probe makes the kubelet kill
the container (computePodActions).

The timing of the ticks (the first tick's window after each start, the phase placed
lazily, quiet workers whose ticker stops) is `probe_clock.Ticker`'s: NOTE(probe-ticks),
NOTE(lazy-phase), NOTE(quiet-probes) in `probe_clock.py`.

Readiness keeps one signed counter `readyRun`: > 0 consecutive successes (saturated
at successThreshold), < 0 consecutive failures while ready, 0 otherwise; failures
while unready are not counted because no rule reads them (NOTE(canonical-values)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podcheck import ir, spec
from podcheck.kube.probe_timeout import probe_outcome
from podcheck.model.kube_adapter import probe_kind
from podcheck.model.probe_clock import RELEASED, Ticker
from podcheck.model.probe_rules import FAILURE, SUCCESS, Tick, member, table, table_expr
from podcheck.model.timed import substitute
from podcheck.model.updates import Updates, merge
from podcheck.vocab import ActionKind, ProbeKind

if TYPE_CHECKING:
    from podcheck.model.containers import ContainerModel

_SKIPPED = {
    ProbeKind.LIVENESS: ActionKind.LIVENESS_PROBE_SKIPPED,
    ProbeKind.READINESS: ActionKind.READINESS_PROBE_SKIPPED,
    ProbeKind.STARTUP: ActionKind.STARTUP_PROBE_SKIPPED,
}
_FAILS = {
    ProbeKind.LIVENESS: ActionKind.LIVENESS_PROBE_FAILS,
    ProbeKind.READINESS: ActionKind.READINESS_PROBE_FAILS,
    ProbeKind.STARTUP: ActionKind.STARTUP_PROBE_FAILS,
}
_KILLS = {
    ProbeKind.LIVENESS: ActionKind.LIVENESS_PROBE_KILLS,
    ProbeKind.STARTUP: ActionKind.STARTUP_PROBE_KILLS,
}


def _timer_hi(p: spec.Probe) -> int:
    return max(p.initialDelaySeconds + p.periodSeconds - 1, p.periodSeconds)


_PHASE_FIELD = {
    ProbeKind.LIVENESS: "livenessPhase",
    ProbeKind.READINESS: "readinessPhase",
    ProbeKind.STARTUP: "startupPhase",
}


class ProbeSet:
    """The probe workers of one container."""

    def __init__(self, cm: ContainerModel) -> None:
        self.cm = cm
        c = cm.c
        self.startup, self.liveness, self.readiness = (
            c.startupProbe, c.livenessProbe, c.readinessProbe,
        )
        self.vars: list[tuple[ir.Var, int]] = []  # (variable, initial value)
        self.phases: dict[ProbeKind, ir.Var] = {}
        self.st_flag = self.s_run = self.s_t = None
        self.l_run = self.l_t = self.r_flag = self.r_run = self.r_t = None
        if self.startup is not None:
            self.st_flag = self._var("started", 0, 1)
            self.s_run = self._var("startupFailures", 0, self.startup.failureThreshold - 1)
            self.s_t = self._timer("startupTimer", self.startup)
        if self.liveness is not None:
            self.l_run = self._var("livenessFailures", 0, self.liveness.failureThreshold - 1)
            self.l_t = self._timer("livenessTimer", self.liveness)
        if self.readiness is not None:
            r = self.readiness
            self.r_flag = self._var("readyResult", 0, 1)
            self.r_run = self._var("readyRun", 1 - r.failureThreshold, r.successThreshold)
            self.r_t = self._timer("readinessTimer", r)
        self.started_flag = ir.eq(self.st_flag, 1) if self.st_flag is not None else ir.TRUE
        self.ready_flag = ir.eq(self.r_flag, 1) if self.r_flag is not None else ir.TRUE
        self.tickers: dict[int, Ticker] = {}  # timer index -> its ticker (filled lazily)

    def _var(self, field: str, lo: int, hi: int) -> ir.Var:
        init = max(lo, 0)
        var = self.cm.new_var(field, lo, hi, init)
        self.vars.append((var, init))
        return var

    def _timer(self, field: str, p: spec.Probe) -> ir.Var:
        var = self.cm.new_timer(field, _timer_hi(p))
        self.vars.append((var, 0))
        if p.periodSeconds > 1:
            self.phases[probe_kind(p)] = self._var(_PHASE_FIELD[probe_kind(p)], 0, RELEASED)
        return var

    def _workers(self) -> list[tuple[ir.Var, spec.Probe]]:
        return [(t, p) for t, p in ((self.s_t, self.startup), (self.l_t, self.liveness),
                                    (self.r_t, self.readiness))
                if t is not None and p is not None]

    def ticker(self, t: ir.Var) -> Ticker:
        """The ticker of timer `t` (NOTE(probe-ticks), NOTE(lazy-phase),
        NOTE(quiet-probes) in `probe_clock.py`)."""
        if t.index not in self.tickers:
            p = dict((v.index, q) for v, q in self._workers())[t.index]
            self.tickers[t.index] = Ticker(
                p, t, self.phases.get(probe_kind(p)), self.cm.running, self._waits(p),
                self._settled(p), self.cm.scope.options.exact_windows)
        return self.tickers[t.index]

    def _waits(self, p: spec.Probe) -> ir.Expr | None:
        """NOTE(lazy-phase): when a tick of `p` would change nothing, or None."""
        if p is self.startup:
            return None
        waits = [ir.not_(self.started_flag)] if self.startup is not None else []
        if p is self.liveness and self.l_run is not None and not self._answers(p)[1]:
            waits.append(ir.and_(self.cm.ok, ir.eq(self.l_run, 0)))
        if p is self.readiness and self.r_flag is not None and self.r_run is not None:
            waits.append(ir.and_(ir.not_(self.cm.ok), ir.eq(self.r_flag, 0),
                                 ir.eq(self.r_run, 0)))
        return ir.or_(*waits) if waits else None

    def _settled(self, p: spec.Probe) -> ir.Expr | None:
        """NOTE(quiet-probes): the counters are where a success leaves a steady worker
        whose process is up, or None."""
        if not self._steady(p) or p is self.startup:
            return None
        parts = [self.cm.ok, self.started_flag]
        if p is self.liveness and self.l_run is not None:
            parts.append(ir.eq(self.l_run, 0))
        elif p is self.readiness and self.r_run is not None and self.r_flag is not None:
            parts += [ir.eq(self.r_flag, 1), ir.eq(self.r_run, p.successThreshold)]
        return ir.and_(*parts)

    def _steady(self, p: spec.Probe) -> bool:
        """Every tick of `p` succeeds while the process is up: the behaviour never hangs
        and its handler always answers within timeoutSeconds."""
        return self.cm.beh.hangs == 0 and not self._answers(p)[1]

    # ------------------------------------------------------------------ update lists

    def start_updates(self) -> Updates:
        """A new container instance: results back to their initial values, each ticker
        armed with its first tick unplaced (NOTE(probe-ticks))."""
        ups: Updates = self._unpublish()
        for t, _ in self._workers():
            ups += self.ticker(t).arm()
        return ups

    def stop_updates(self) -> Updates:
        """The container stopped: nothing is probed, readiness publishes Failure."""
        ups = self._unpublish()
        for t, _ in self._workers():
            ups += self.ticker(t).disarm()
        return ups

    def release_updates(self, event: Updates) -> Updates:
        """Updates joining `event` (process up, hang, startup success): every waiting
        worker whose tick matters after it places its first tick from now
        (NOTE(lazy-phase))."""
        after = tuple((v.index, e if isinstance(e, ir.Expr) else ir.Const(e)) for v, e in event)
        ups: Updates = []
        for t, _ in self._workers():
            ticker = self.ticker(t)
            if ticker.waits is not None:
                ups += ticker.release(substitute(ticker.waits, after))
        return ups

    def fresh_updates(self) -> Updates:
        """A re-created pod: every worker variable back to its initial value."""
        return [(var, init) for var, init in self.vars]

    def _unpublish(self) -> Updates:
        ups: Updates = []
        if self.st_flag is not None:
            ups.append((self.st_flag, 0))
        if self.r_flag is not None and self.r_run is not None:
            ups += [(self.r_flag, 0), (self.r_run, ir.op("max", self.r_run, 0))]
        return ups

    # ---------------------------------------------------------------------- actions

    def declare(self) -> None:
        """Declare the probe actions and register the tickers with the clock."""
        cm = self.cm
        if self.startup is not None and self.s_t is not None:
            self._register(self.s_t, ir.and_(cm.running, ir.not_(self.started_flag)))
            self._startup()
        if self.liveness is not None and self.l_t is not None:
            self._register(self.l_t, cm.running)
            self._liveness()
        if self.readiness is not None and self.r_t is not None:
            self._register(self.r_t, cm.running)
            self._readiness()

    def _register(self, t: ir.Var, active: ir.Expr) -> None:
        """Register a probe ticker with the clock (`Ticker.registration`)."""
        full, distance, open_ = self.ticker(t).registration(active)
        self.cm.timer(t, full, distance)
        if open_ is not None:
            self.cm.clock.window(ir.and_(self.cm.scope.gate, open_))
            self.cm.clock.may_wait(t, ir.and_(open_, ir.op(">", t, 0)))

    def _next(self, t: ir.Var, value: int | ir.Expr) -> Updates:
        """A tick happened: the ticker's next value, and its first tick is placed."""
        return self.ticker(t).next(value)

    def _answers(self, p: spec.Probe) -> tuple[bool, bool]:
        """(the handler can answer in time, it can time out): kube's `probe_outcome` at
        the quickest and the slowest handler latency of the container's behaviour."""
        latency = self.cm.beh.probe_latency
        quick = probe_outcome(latency.lo.ms / 1000, p.timeoutSeconds, SUCCESS)
        slow = probe_outcome(latency.hi.ms / 1000, p.timeoutSeconds, SUCCESS)
        return quick is SUCCESS, slow is FAILURE

    def _succeeds(self, p: spec.Probe) -> ir.Expr:
        """A tick of `p` may succeed: the process is up and not hung, and the handler
        can answer within timeoutSeconds (prober.go runProbe)."""
        in_time, _ = self._answers(p)
        return self.cm.ok if in_time else ir.FALSE

    def _fails(self, p: spec.Probe) -> ir.Expr:
        """A tick of `p` may fail: the process is not up or hung, or the handler can
        take longer than timeoutSeconds."""
        _, times_out = self._answers(p)
        return ir.TRUE if times_out else ir.not_(self.cm.ok)

    def _tick(self, t: ir.Var) -> ir.Expr:
        """The ticker of `t` ticks now (`Ticker.ticks`)."""
        return self.ticker(t).ticks()

    def _skip(self, p: spec.Probe, t: ir.Var) -> None:
        if self.startup is None:
            return  # without a startup probe a running container has started
        kind = probe_kind(p)
        self.cm.act(_SKIPPED[kind], ir.and_(self._tick(t), ir.not_(self.started_flag)),
                    self._next(t, p.periodSeconds),
                    f"{kind} probe of `{self.cm.name}` waits: not started yet", span=p.span)

    def _failures(self, p: spec.Probe, t: ir.Var, run: ir.Var, due: ir.Expr,
                  published: bool) -> None:
        """Failure k/threshold below the threshold, then the trip that kills: one action
        per counter value, each from kube's `probe_step` (`probe_rules.table`)."""
        cm, ft, kind = self.cm, p.failureThreshold, probe_kind(p)
        failing = ir.and_(due, self._fails(p))
        ticks = table(p, [published], range(ft), FAILURE)
        for (_, before), step in ticks.items():
            if step.kills:
                continue
            k = step.run
            cm.act(_FAILS[kind], ir.and_(failing, ir.eq(run, before)),
                   [(run, k), *self._next(t, p.periodSeconds)],
                   f"{kind} probe of `{cm.name}` fails ({k}/{ft})", extra=(("count", str(k)),),
                   span=p.span)
        trips = {key: step.run for key, step in ticks.items() if step.kills}
        cm.act(_KILLS[kind], ir.and_(failing, member(None, run, trips)),
               merge(cm.kill_by_probe_updates(), [(run, table_expr(None, run, trips))]),
               f"{kind} probe of `{cm.name}` fails ({ft}/{ft}) and the kubelet kills it",
               span=p.span)

    def _startup(self) -> None:
        p, t, run, flag, cm = self.startup, self.s_t, self.s_run, self.st_flag, self.cm
        assert p is not None and t is not None and run is not None and flag is not None
        due = ir.and_(self._tick(t), ir.eq(flag, 0))
        ok = _successes(p, [False], range(p.failureThreshold))
        ups: Updates = [
            (flag, table_expr(None, run, {k: int(v.published) for k, v in ok.items()})),
            (run, table_expr(None, run, {k: v.run for k, v in ok.items()})), *self._next(t, 0)]
        cm.act(ActionKind.STARTUP_PROBE_SUCCEEDS, ir.and_(due, self._succeeds(p)),
               [*ups, *self.release_updates(ups)],
               f"startup probe of `{cm.name}` succeeds: it has started", span=p.span)
        self._failures(p, t, run, due, published=False)

    def _liveness(self) -> None:
        p, t, run, cm = self.liveness, self.l_t, self.l_run, self.cm
        assert p is not None and t is not None and run is not None
        self._skip(p, t)
        due = ir.and_(self._tick(t), self.started_flag)
        ok = _successes(p, [True], range(p.failureThreshold))
        settles = self._steady(p) and all(v.run == 0 for v in ok.values())
        cm.act(ActionKind.LIVENESS_PROBE_SUCCEEDS, ir.and_(due, self._succeeds(p)),
               [(run, table_expr(None, run, {k: v.run for k, v in ok.items()})),
                *self._next(t, 0 if settles else p.periodSeconds)],
               f"liveness probe of `{cm.name}` succeeds", span=p.span)
        self._failures(p, t, run, due, published=True)

    def _readiness(self) -> None:
        p, t, run, flag, cm = self.readiness, self.r_t, self.r_run, self.r_flag, self.cm
        assert p is not None and t is not None and run is not None and flag is not None
        self._skip(p, t)
        due = ir.and_(self._tick(t), self.started_flag)
        ok, bad = ir.and_(due, self._succeeds(p)), ir.and_(due, self._fails(p))
        ft, n, period = p.failureThreshold, cm.name, p.periodSeconds
        runs = range(1 - ft, p.successThreshold + 1)
        up = _successes(p, [False, True], runs)
        down = table(p, [False, True], runs, FAILURE)
        assert not any(step.kills for step in down.values()), "readiness never kills"
        ready = {k: v.run for k, v in up.items() if v.published and not k[0]}
        unready = {k: v.run for k, v in down.items() if not v.published and k[0]}
        same_up = {k: v.run for k, v in up.items() if k not in ready and v.published == k[0]}
        same_down = {k: v.run for k, v in down.items()
                     if k not in unready and v.published == k[0]}
        assert len(same_up) + len(ready) == len(same_down) + len(unready) == len(up)
        becomes_ready, becomes_unready = member(flag, run, ready), member(flag, run, unready)
        succeeds, fails, below = (ActionKind.READINESS_PROBE_SUCCEEDS,
                                  ActionKind.READINESS_PROBE_FAILS, (("count", "below"),))
        cm.act(succeeds, ir.and_(ok, becomes_ready),
               [(flag, 1), (run, table_expr(flag, run, ready)),
                *self._next(t, self._after_success(p, flag, run, ready, True))],
               f"readiness probe of `{n}` succeeds: it is ready", span=p.span)
        cm.act(succeeds, ir.and_(ok, ir.not_(becomes_ready)),
               [(run, table_expr(flag, run, same_up)),
                *self._next(t, self._after_success(p, flag, run, same_up, False))],
               f"readiness probe of `{n}` succeeds", extra=below, span=p.span)
        cm.act(fails, ir.and_(bad, becomes_unready),
               [(flag, 0), (run, table_expr(flag, run, unready)), *self._next(t, period)],
               f"readiness probe of `{n}` fails ({ft}/{ft}): it is not ready", span=p.span)
        cm.act(fails, ir.and_(bad, ir.not_(becomes_unready)),
               [(run, table_expr(flag, run, same_down)), *self._next(t, period)],
               f"readiness probe of `{n}` fails", extra=below, span=p.span)


    def _after_success(self, p: spec.Probe, flag: ir.Var, run: ir.Var,
                       runs: dict[tuple[bool, int], int], becomes_ready: bool) -> ir.Expr:
        """The readiness ticker after a success: 0 (quiet) where a steady worker ends
        published Ready with a saturated run, else one period (NOTE(quiet-probes))."""
        st, steady = p.successThreshold, self._steady(p)
        return table_expr(flag, run, {
            k: 0 if steady and v == st and (becomes_ready or k[0]) else p.periodSeconds
            for k, v in runs.items()})


def _successes(p: spec.Probe, flags: list[bool], runs: range) -> dict[tuple[bool, int], Tick]:
    """The succeeding ticks of `p` over the model's domains (a success never kills)."""
    ticks = table(p, flags, runs, SUCCESS)
    assert not any(step.kills for step in ticks.values()), "a success never kills"
    return ticks
