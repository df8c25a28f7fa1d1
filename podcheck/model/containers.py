"""One container of a pod slot: its variables and its lifecycle actions.

Stage: internal to `podcheck.model` (used by `pod.py`).  Consumes a checked
`spec.Container`, its role (init, sidecar, app) and the pod's `Scope`; declares the
container's variables and its actions on the `Builder`, its timers on the `Clock`,
and exposes IR expressions (`running`, `started`, `ready`, `restart_on`, ...) plus
update lists (`start_updates`, `stop_updates`, `kill_updates`, `fresh_updates`)
that `pod.py` combines.  Rules come from `podcheck.kube` through `kube_adapter`: restart
decisions from `container_should_restart` (pkg/api/v1/pod/util.go), back-off delays from
`podcheck.kube.backoff` (kuberuntime_manager.go doBackOff + flowcontrol.Backoff).

Variables (declared only when the container can use them, NOTE(canonical-values):
every variable that no rule can read in the current state holds its initial value,
so equivalent states coincide): `state` (Waiting / Running / Terminated /
CrashLoopBackOff), `exitCode` (of the current or last termination), `restarts`
(saturating), `process` (starting / up / hung) with its timer, `backoff` (level) with
its timer, and the crash / hang budgets used so far.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.diagnostics import Span
from podcheck.model.clock import Clock, window_distance
from podcheck.model.kube_adapter import backoff_table, reset_seconds, should_restart
from podcheck.model.layout import Builder
from podcheck.model.options import ModelOptions
from podcheck.model.probes_model import ProbeSet
from podcheck.model.updates import Updates, merge
from podcheck.vocab import ActionKind, Actor, ContainerState, RestartPolicy, words

WAITING, RUNNING, TERMINATED, BACKOFF = 0, 1, 2, 3
STATES = (*words(ContainerState), "CrashLoopBackOff")  # waiting with lastState.terminated
STARTING, UP, HUNG = 0, 1, 2
PROCESS = ("starting", "up", "hung")
KILLED = 137  # exit code reported for a container the kubelet kills (SIGKILL)

def may_settle(c: spec.Container) -> bool:
    """Whether `c` may restart and then never exit again in its pod instance
    (NOTE(settled-reset)): it may crash, it never exits by itself, and no liveness or
    startup probe can kill it."""
    return (c.behavior.crashes > 0 and c.behavior.outcome is spec.Outcome.RUNS
            and c.livenessProbe is None and c.startupProbe is None)


class Role(enum.Enum):
    """How the kubelet treats a container; the value is how a trace names it."""

    INIT = "init container"
    SIDECAR = "sidecar container"
    APP = "container"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a pod gives each of its containers."""

    slot: str
    prefix: str  # "pod web-1": starts every label, owns every variable
    gate: ir.Expr  # the kubelet (and the node's processes) may act on this pod
    pod_policy: RestartPolicy
    options: ModelOptions
    contended: frozenset[str] = frozenset()  # may fail to bind a port (model/ports.py)


def _is(var: ir.Expr, *values: int) -> ir.Expr:
    return ir.or_(*(ir.eq(var, v) for v in values))


class ContainerModel:
    """The variables, expressions and actions of one container of a pod slot."""

    def __init__(
        self, b: Builder, clock: Clock, scope: Scope, c: spec.Container, role: Role
    ) -> None:
        self.b, self.clock, self.scope, self.c, self.role = b, clock, scope, c, role
        self.name = c.name
        self.beh = c.behavior
        self.delays = backoff_table()
        self.codes = self._reachable_codes()
        self.restart_codes = tuple(k for k in self.codes if self._restarts(k))
        self.state = self.new_var("state", 0, 3, labels=STATES)
        self.exit_code = self.new_var("exitCode", 0, max((*self.codes, KILLED)))
        self.restarts = self.new_var("restarts", 0, scope.options.restart_bound)
        self.process: ir.Var | None = None
        self.process_timer: ir.Var | None = None
        self._declare_process()
        self.backoff_level: ir.Var | None = None
        self.backoff_timer: ir.Var | None = None
        if self.restart_codes:
            self.backoff_level = self.new_var("backoffLevel", 0, len(self.delays) - 1)
            hi = max(max(self.delays), reset_seconds() if scope.options.backoff_reset else 0)
            self.backoff_timer = self.new_timer("backoffTimer", hi)
        beh = self.beh
        self.crashes_used = self.new_var("crashes", 0, beh.crashes) if beh.crashes else None
        self.hangs_used = self.new_var("hangs", 0, beh.hangs) if beh.hangs else None
        self.spent = self._spent()
        self.running = ir.eq(self.state, RUNNING)
        self.ok = ir.eq(self.process, UP) if self.process is not None else ir.TRUE
        self.probes = ProbeSet(self)
        self.started = ir.and_(self.running, self.probes.started_flag)
        self.ready = ir.and_(self.started, self.probes.ready_flag)
        self.urgent: list[ir.Expr] = []
        self.timers: list[ir.Expr] = []  # active conditions of this container's timers

    # ------------------------------------------------------------------ declarations

    def var_name(self, field: str) -> str:
        return f"{self.scope.slot}.{self.name}.{field}"

    def new_var(
        self, field: str, lo: int, hi: int, init: int | None = None,
        *, labels: tuple[str, ...] = (),
    ) -> ir.Var:
        """Declare a variable of this container (initially `init`, default `lo`)."""
        return self.b.var(self.var_name(field), lo, hi, lo if init is None else init,
                          labels=labels, owner=self.scope.prefix,
                          field_name=f"{self.name}.{field}")

    def new_timer(self, field: str, hi: int) -> ir.Var:
        """Declare a timer of this container (0..hi, initially 0)."""
        return self.clock.timer(self.var_name(field), hi, owner=self.scope.prefix,
                                field_name=f"{self.name}.{field}")

    def _declare_process(self) -> None:
        probes = any((self.c.startupProbe, self.c.livenessProbe, self.c.readinessProbe))
        exits = self.beh.outcome is not spec.Outcome.RUNS
        binds = self.name in self.scope.contended and self.beh.startup.hi.seconds > 0
        if not (probes or exits or self.beh.hangs or binds):
            return  # nothing ever reads whether the process is up
        self.process = self.new_var("process", 0, 2, labels=PROCESS)
        hi = max(self.beh.startup.hi.seconds, self._run_hi())
        self.process_timer = self.new_timer("processTimer", hi)

    def _spent(self) -> ir.Expr | None:
        """When this instance can no longer exit (NOTE(settled-reset)), if its reset is
        untimed: it never exits by itself, no probe kills it, no port bind fails, and
        its crash budget is used up."""
        opts = self.scope.options
        if self.backoff_timer is None or not (opts.backoff_reset and opts.settled_reset):
            return None
        if not may_settle(self.c) or self.name in self.scope.contended:
            return None
        used = self.crashes_used
        return ir.eq(used, self.beh.crashes) if used is not None else ir.TRUE

    def _reachable_codes(self) -> tuple[int, ...]:
        codes = {0}
        if self.beh.outcome is spec.Outcome.FAILS or self.beh.crashes:
            codes.add(self.beh.exit_code)
        if self.c.livenessProbe or self.c.startupProbe or self.role is Role.SIDECAR:
            codes.add(KILLED)
        if self.name in self.scope.contended:
            codes.add(self.beh.exit_code or 1)  # a failed bind (model/ports.py)
        return tuple(sorted(codes))

    def _restarts(self, code: int) -> bool:
        """Whether the kubelet restarts this container after it exits with `code`."""
        if self.role is Role.INIT and code == 0:
            return False  # a regular init container that succeeded is done
        if self.role is Role.SIDECAR:
            return True  # computeInitContainerActions restarts every exited sidecar
        return self.should_restart(code)

    def should_restart(self, code: int) -> bool:
        """kube `container_should_restart` for this container's policy and exit `code`
        (the pod's policy applies when the container sets none)."""
        return should_restart(self.c, self.scope.pod_policy, code)

    # ------------------------------------------------------------------- expressions

    def restart_on(self) -> ir.Expr:
        """The kubelet would restart the container given its last exit code."""
        return _is(self.exit_code, *self.restart_codes) if self.restart_codes else ir.FALSE

    def backoff_seconds(self) -> ir.Expr:
        """The wait the kubelet would apply before the next restart (0: at once)."""
        if self.backoff_level is None:
            return ir.Const(0)
        expr: ir.Expr = ir.Const(self.delays[-1])
        for level in range(len(self.delays) - 2, -1, -1):
            expr = ir.ite(ir.eq(self.backoff_level, level), self.delays[level], expr)
        return expr

    # ------------------------------------------------------------------ update lists

    def start_updates(self, *, restart: bool) -> Updates:
        """The kubelet starts (restart=False) or restarts the container."""
        ups: Updates = [(self.state, RUNNING)]
        if self.process is not None and self.process_timer is not None:
            startup_hi = self.beh.startup.hi.seconds
            ups.append((self.process, STARTING if startup_hi else UP))
            ups.append((self.process_timer, startup_hi if startup_hi else self._run_hi()))
        if restart:
            ups.append((self.restarts, ir.op("min", ir.op("+", self.restarts, 1), self.rc_bound())))
            if self.backoff_level is not None and self.backoff_timer is not None:
                top = len(self.delays) - 1
                level = self.backoff_level
                ups.append((level, ir.op("min", ir.op("+", level, 1), top)))
                reset: ir.Expr | int = reset_seconds() if self.scope.options.backoff_reset else 0
                if self.spent is not None:
                    reset = ir.ite(self.spent, 0, reset)  # untimed: NOTE(settled-reset)
                ups.append((self.backoff_timer, reset))
        return merge(ups, self.probes.start_updates())

    def stop_updates(self, code: int) -> Updates:
        """The container's process ends with `code` (exit, crash or kill)."""
        ups: Updates = [(self.state, TERMINATED), (self.exit_code, code)]
        ups += self._idle()
        if self.backoff_level is not None and code not in self.restart_codes:
            ups.append((self.backoff_level, 0))  # never restarted: its back-off is unreadable
        return merge(ups, self.probes.stop_updates())

    def kill_by_probe_updates(self) -> Updates:
        """A tripped liveness or startup probe: the kubelet kills the container."""
        return self.stop_updates(KILLED)

    def kill_updates(self) -> Updates:
        """The kubelet kills the container for good (deadline, pod kill): Running and
        CrashLoopBackOff become Terminated; Waiting and Terminated stay."""
        state, r = self.state, self.running
        ups: Updates = [
            (state, ir.ite(_is(state, RUNNING, BACKOFF), TERMINATED, state)),
            (self.exit_code, ir.ite(r, KILLED, self.exit_code)),
        ]
        if self.backoff_level is not None:
            ups.append((self.backoff_level, 0))  # the pod is over: no restart will read it
        return merge(ups, self._idle(), self.probes.stop_updates())

    def fresh_updates(self) -> Updates:
        """Every variable back to its initial value (the pod is re-created)."""
        ups: Updates = [(self.state, WAITING), (self.exit_code, 0), (self.restarts, 0)]
        for var in (self.backoff_level, self.crashes_used, self.hangs_used):
            if var is not None:
                ups.append((var, 0))
        return merge(ups, self._idle(), self.probes.fresh_updates())

    def _idle(self) -> Updates:
        timers = (self.process, self.process_timer, self.backoff_timer)
        return [(v, 0) for v in timers if v is not None]

    def rc_bound(self) -> int:
        """Where the restart count saturates."""
        return self.scope.options.restart_bound

    def _run_hi(self) -> int:
        return self.beh.run.hi.seconds if self.beh.outcome is not spec.Outcome.RUNS else 0

    # ---------------------------------------------------------------------- actions

    def label(self, sentence: str) -> str:
        """A trace label: the pod prefix, then the sentence."""
        return f"{self.scope.prefix}: {sentence}"

    def params(self) -> tuple[tuple[str, str], ...]:
        """The action parameters naming this container."""
        return (("pod", self.scope.slot), ("container", self.name))

    def act(
        self,
        name: ActionKind,
        guard: ir.Expr,
        updates: Updates,
        sentence: str,
        *,
        actor: Actor = Actor.KUBELET,
        fairness: ir.Fairness = ir.Fairness.WEAK,
        urgent: bool = False,
        extra: tuple[tuple[str, str], ...] = (),
        span: Span | None = None,
    ) -> None:
        """Declare an action of this container (gated on the pod's `gate`), located at
        `span` (default: the container's line)."""
        full = ir.and_(self.scope.gate, guard)
        self.b.action(name, self.params() + extra, full, updates, self.label(sentence), actor,
                      fairness, span or self.c.span)
        if urgent:
            self.urgent.append(full)
            self.clock.urgent(full)

    def timer(self, var: ir.Var, active: ir.Expr, distance: ir.Expr | None = None) -> None:
        """Register one of this container's timers (it runs only while gated)."""
        full = ir.and_(self.scope.gate, active)
        self.clock.register(var, full, distance)
        self.timers.append(full)

    def declare(self, may_start: ir.Expr, may_restart: ir.Expr) -> None:
        """Declare every action; `may_start` gates the first start (None for apps,
        which the pod starts together), `may_restart` every restart."""
        if self.role is not Role.APP:
            self.act(
                ActionKind.START_INIT, ir.and_(may_start, ir.eq(self.state, WAITING)),
                self.start_updates(restart=False),
                f"the kubelet starts {self.role.value} `{self.name}`", urgent=True,
            )
        self._declare_process_actions()
        self._declare_restarts(may_restart)
        self.probes.declare()

    def _declare_process_actions(self) -> None:
        process, timer, beh = self.process, self.process_timer, self.beh
        run_w = beh.run.hi.seconds - beh.run.lo.seconds
        if process is not None:
            assert timer is not None
            start_w = beh.startup.hi.seconds - beh.startup.lo.seconds
            starting = ir.and_(self.running, ir.eq(process, STARTING))
            exits = beh.outcome is not spec.Outcome.RUNS
            exiting = ir.and_(self.running, ir.eq(process, UP)) if exits else ir.FALSE
            distance = ir.ite(ir.eq(process, STARTING), window_distance(timer, start_w),
                              window_distance(timer, run_w))
            self.timer(timer, ir.or_(starting, exiting), distance)
            if beh.startup.hi.seconds:
                can_up = ir.and_(starting, ir.op("<=", timer, start_w))
                up: Updates = [(process, UP), (timer, self._run_hi())]
                self.act(ActionKind.PROCESS_UP, can_up, [*up, *self.probes.release_updates(up)],
                         f"the process of `{self.name}` is up", actor=Actor.CONTAINER)
                self.clock.window(ir.and_(self.scope.gate, can_up, ir.op(">", timer, 0)))
        if beh.outcome is not spec.Outcome.RUNS:
            assert process is not None
            code = 0 if beh.outcome is spec.Outcome.SUCCEEDS else beh.exit_code
            can_exit = ir.and_(self.running, ir.eq(process, UP))
            if timer is not None:
                can_exit = ir.and_(can_exit, ir.op("<=", timer, run_w))
                self.clock.window(ir.and_(self.scope.gate, can_exit, ir.op(">", timer, 0)))
            self.act(ActionKind.EXIT, can_exit, self.stop_updates(code),
                     f"`{self.name}` exits {code}", actor=Actor.CONTAINER)
        if self.crashes_used is not None:
            can = ir.and_(self.running, ir.op("<", self.crashes_used, beh.crashes))
            self.act(ActionKind.CRASH, can,
                     merge(self.stop_updates(beh.exit_code),
                           [(self.crashes_used, ir.op("+", self.crashes_used, 1))]),
                     f"`{self.name}` crashes (exit {beh.exit_code})",
                     actor=Actor.CONTAINER, fairness=ir.Fairness.NONE)
            self.clock.window(ir.and_(self.scope.gate, can))
        if self.hangs_used is not None and process is not None:
            can = ir.and_(self.running, ir.eq(process, UP), ir.op("<", self.hangs_used, beh.hangs))
            ups: Updates = [(process, HUNG), (self.hangs_used, ir.op("+", self.hangs_used, 1))]
            if timer is not None:
                ups.append((timer, 0))
            self.act(ActionKind.HANG, can, [*ups, *self.probes.release_updates(ups)],
                     f"`{self.name}` hangs (its probes fail from now on)",
                     actor=Actor.CONTAINER, fairness=ir.Fairness.NONE)
            self.clock.window(ir.and_(self.scope.gate, can))

    def _declare_restarts(self, may_restart: ir.Expr) -> None:
        if self.backoff_level is None or self.backoff_timer is None:
            return
        state, level_var, timer, n = self.state, self.backoff_level, self.backoff_timer, self.name
        exited = ir.and_(may_restart, ir.eq(state, TERMINATED), self.restart_on())
        self.act(ActionKind.RESTART, ir.and_(exited, ir.eq(level_var, 0)),
                 self.start_updates(restart=True),
                 f"the kubelet restarts `{n}` at once (no back-off recorded yet)", urgent=True)
        for level, delay in enumerate(self.delays[1:], start=1):
            at = ir.eq(level_var, level)
            extra = (("delay", f"{delay}s"),)
            self.act(ActionKind.BACK_OFF, ir.and_(exited, at), [(state, BACKOFF), (timer, delay)],
                     f"the kubelet backs off restarting `{n}` for {delay} s (CrashLoopBackOff)",
                     urgent=True, extra=extra)
            self.act(ActionKind.RESTART_AFTER_BACK_OFF,
                     ir.and_(may_restart, ir.eq(state, BACKOFF), at, ir.eq(timer, 0)),
                     self.start_updates(restart=True),
                     f"the kubelet restarts `{n}` after a {delay} s back-off", extra=extra)
        waiting = ir.and_(may_restart, ir.eq(state, BACKOFF))
        if self.scope.options.backoff_reset:
            stable = ir.and_(self.running, ir.op(">", level_var, 0))
            timed = stable if self.spent is None else ir.and_(stable, ir.not_(self.spent))
            self.timer(timer, ir.or_(waiting, timed))
            self.act(ActionKind.BACK_OFF_RESET, ir.and_(timed, ir.eq(timer, 0)), [(level_var, 0)],
                     f"`{n}` has run for over 10 min: the kubelet forgets its back-off")
            if self.spent is not None:
                self.act(ActionKind.BACK_OFF_RESET, ir.and_(stable, self.spent), [(level_var, 0)],
                         f"`{n}` runs on and cannot exit again: the kubelet forgets its "
                         "back-off once it has run 10 min (untimed, NOTE(settled-reset))")
        else:
            self.timer(timer, waiting)
