"""One pod slot as the kubelet runs it: containers, probes, back-off, deadline, emptyDir.

Stage: part of the model compiler (`podcheck.model`).  Consumes a checked
`spec.PodTemplate`, the shared `Builder` and `Clock`, and a `PodContext` from the
cluster side; declares the slot's variables and kubelet / container actions and
exposes the IR the cluster side and the property compiler read.  Every Kubernetes
rule comes from `podcheck.kube` (restart decisions, back-off, phase, probes); where
a rule must live inside a guard it is written in IR next to the `podcheck.kube`
function it mirrors, and tests/model/test_pod.py checks the two agree on every
reachable state.

API (the contract with slots.py / cluster.py / compile.py / props.py):

    ctx = PodContext(active=<ir.Expr>, label_prefix="pod web-1")
    pod = PodModel(builder, clock, "web-1", template, ctx, options)
    pod.phase            IR 0..3: Pending, Running, Succeeded, Failed (getPhase;
                         DeadlineExceeded forces Failed; the cluster adds Unknown)
    pod.ready            IR bool: the Ready condition
    pod.initialized      IR bool: the Initialized condition
    pod.terminal         IR bool: phase is Succeeded or Failed
    pod.quiescent        IR bool: no kubelet reaction is enabled and no timer runs
    pod.init_order_ok    IR bool: the `init-order` built-in check holds now
    pod.deadline_exceeded IR bool: failed with reason DeadlineExceeded
    pod.data             IR int: emptyDir data generation (0 without emptyDir)
    pod.reset_updates()  updates making the slot a fresh pod (data generation bumped)
    pod.pod_field(name)  IR for POD_FIELDS phase/ready/initialized/restarts/deadlineExceeded
    pod.container_field(container, name)  IR for every CONTAINER_FIELDS entry
    pod.containers       name -> ContainerModel (init containers first, in order)

`ctx.active` must hold exactly when the kubelet may act on the pod (it exists, is
bound, its node is up, it is not being deleted); while it is false every action of
this slot is disabled and its timers pause.  The caller runs `clock.build()` once,
after every component has been created.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.model.clock import Clock
from podcheck.model.containers import (
    BACKOFF,
    RUNNING,
    TERMINATED,
    WAITING,
    ContainerModel,
    Role,
    Scope,
)
from podcheck.model.kube_adapter import is_sidecar, pod_policy
from podcheck.model.layout import Builder
from podcheck.model.options import ModelOptions
from podcheck.model.podstatus import (
    SUCCEEDED,
    init_done,
    init_failed,
    initialized_expr,
    phase_expr,
    ready_expr,
)
from podcheck.model.ports import contention, declare_ports
from podcheck.model.updates import Updates, merge
from podcheck.vocab import ActionKind, Actor


@dataclass(frozen=True, slots=True)
class PodContext:
    """What the cluster side tells a pod slot.

    `active`: the pod object exists, is bound to a node, the node is not Down and the
    pod is not being deleted — the kubelet may act.  `label_prefix`: how traces name
    the pod ("pod web-1"); it starts every action label and owns every variable.
    """

    active: ir.Expr
    label_prefix: str


class PodModel:
    """The kubelet-side model of one pod slot (see the module docstring for the API)."""

    def __init__(
        self,
        builder: Builder,
        clock: Clock,
        slot: str,
        template: spec.PodTemplate,
        ctx: PodContext,
        options: ModelOptions,
    ) -> None:
        self.b, self.clock, self.slot, self.template, self.ctx = (
            builder, clock, slot, template, ctx,
        )
        self.options = options
        self.contended = contention(template)
        self.scope = Scope(slot, ctx.label_prefix, ctx.active, pod_policy(template), options,
                           frozenset(n for names in self.contended.values() for n in names))
        self.inits = [self._container(c, Role.SIDECAR if is_sidecar(c) else Role.INIT)
                      for c in template.initContainers]
        self.apps = [self._container(c, Role.APP) for c in template.containers]
        self.containers = {c.name: c for c in (*self.inits, *self.apps)}
        self._declare_pod_vars()
        exceeded = self.deadline_var
        self.deadline_exceeded = ir.eq(exceeded, 1) if exceeded is not None else ir.FALSE
        self.phase = phase_expr(self.inits, self.apps, self.deadline_exceeded)
        self.ready = ready_expr(self.inits, self.apps, self.phase)
        self.initialized = initialized_expr(self.inits, self.apps, self.phase)
        self.terminal = ir.op(">=", self.phase, SUCCEEDED)
        self.data: ir.Expr = self.gen if self.gen is not None else ir.Const(0)
        self._urgent: list[ir.Expr] = []
        self._timers: list[ir.Expr] = []
        self._declare_actions()
        self.init_order_ok = self._init_order()
        self.quiescent = self._quiescent()

    def _container(self, c: spec.Container, role: Role) -> ContainerModel:
        return ContainerModel(self.b, self.clock, self.scope, c, role)

    def _declare_pod_vars(self) -> None:
        own = self.ctx.label_prefix
        self.deadline_var: ir.Var | None = None
        self.deadline_timer: ir.Var | None = None
        deadline = self.template.activeDeadlineSeconds
        if deadline is not None:
            self.deadline_var = self.b.bool_var(f"{self.slot}.deadlineExceeded", owner=own,
                                      field_name="deadlineExceeded")
            self.deadline_timer = self.clock.timer(f"{self.slot}.deadlineTimer", deadline,
                                                   init=deadline,
                                       owner=own, field_name="deadlineTimer")
        self.gen: ir.Var | None = None
        if self.template.volumes:
            self.gen = self.b.var(f"{self.slot}.dataGeneration", 0, self.options.uid_bound, 0,
                                  owner=own, field_name="dataGeneration")

    # ---------------------------------------------------------------------- actions

    def _declare_actions(self) -> None:
        not_dl = ir.not_(self.deadline_exceeded)
        failed = ir.or_(*(init_failed(c) for c in self.inits))
        done = [init_done(c) for c in self.inits]
        for i, cm in enumerate(self.inits):
            may_start = ir.and_(not_dl, ir.not_(failed), *done[:i])
            may_restart = not_dl if cm.role is Role.INIT else ir.and_(not_dl, ir.not_(self._over()))
            cm.declare(may_start, may_restart)
        for cm in self.apps:
            cm.declare(ir.FALSE, not_dl)
        self._start_apps(ir.and_(not_dl, *done[-1:]))
        self._kill_sidecars()
        self._deadline()
        guards, self._ports_free = declare_ports(self.b, self.containers, self.contended,
                                                 self.ctx.active)
        for guard in guards:  # NOTE(port-contention): bind or fail as the process starts
            self._urgent.append(guard)
            self.clock.urgent(guard)
        for cm in self.containers.values():
            self._urgent += cm.urgent
            self._timers += cm.timers

    def _over(self) -> ir.Expr:
        """Nothing is left to run: an init container failed for good, or every app
        container exited and will not be restarted (computePodActions' KillPod)."""
        failed = ir.or_(*(init_failed(c) for c in self.inits))
        apps_done = ir.and_(*(
            ir.and_(ir.eq(c.state, TERMINATED), ir.not_(c.restart_on())) for c in self.apps
        ))
        return ir.or_(failed, apps_done)

    def _act(self, name: ActionKind, guard: ir.Expr, updates: Updates, sentence: str) -> None:
        full = ir.and_(self.ctx.active, guard)
        self.b.action(name, (("pod", self.slot),), full, updates,
                      f"{self.ctx.label_prefix}: {sentence}", Actor.KUBELET, ir.Fairness.WEAK,
                      self.template.span)
        self._urgent.append(full)
        self.clock.urgent(full)

    def _start_apps(self, may_start: ir.Expr) -> None:
        fresh = ir.and_(*(ir.eq(c.state, WAITING) for c in self.apps))
        names = ", ".join(f"`{c.name}`" for c in self.apps)
        noun = "container" if len(self.apps) == 1 else "containers"
        self._act(ActionKind.START_CONTAINERS, ir.and_(may_start, fresh),
                  merge(*(c.start_updates(restart=False) for c in self.apps)),
                  f"the kubelet starts {noun} {names}")

    def _kill_sidecars(self) -> None:
        sidecars = [c for c in self.inits if c.role is Role.SIDECAR]
        if not sidecars:
            return
        alive = ir.or_(*(ir.or_(ir.eq(c.state, RUNNING), ir.eq(c.state, BACKOFF))
                         for c in sidecars))
        names = ", ".join(f"`{c.name}`" for c in sidecars)
        self._act(ActionKind.STOP_SIDECARS, ir.and_(self._over(), alive),
                  merge(*(c.kill_updates() for c in sidecars)),
                  f"nothing else is left to run: the kubelet stops sidecars {names}")

    def _deadline(self) -> None:
        if self.deadline_var is None or self.deadline_timer is None:
            return
        live = ir.and_(ir.not_(self.deadline_exceeded), ir.not_(self.terminal))
        timer_on = ir.and_(self.ctx.active, live)
        self.clock.register(self.deadline_timer, timer_on)
        self._timers.append(timer_on)
        seconds = self.template.activeDeadlineSeconds
        self._act(ActionKind.DEADLINE_EXCEEDED, ir.and_(live, ir.eq(self.deadline_timer, 0)),
                  merge([(self.deadline_var, 1)],
                        *(c.kill_updates() for c in self.containers.values())),
                  f"activeDeadlineSeconds ({seconds} s) has passed: the kubelet kills every "
                  "container and the pod fails (DeadlineExceeded)")

    # ------------------------------------------------------------------ expressions

    def _init_order(self) -> ir.Expr:
        regular = [c for c in self.inits if c.role is Role.INIT]
        succeeded = {c.name: ir.and_(ir.eq(c.state, TERMINATED), ir.eq(c.exit_code, 0))
                     for c in regular}
        claims = []
        for i, cm in enumerate(self.inits):
            earlier = [succeeded[c.name] for c in self.inits[:i] if c.role is Role.INIT]
            claims.append(ir.or_(ir.not_(cm.running), ir.and_(*earlier)))
        every = ir.and_(*succeeded.values())
        claims += [ir.or_(ir.not_(c.running), every) for c in self.apps]
        return ir.and_(*claims)

    def _quiescent(self) -> ir.Expr:
        return ir.not_(ir.or_(*self._urgent, *self._timers))

    def reset_updates(self) -> Updates:
        """Updates that make this slot a fresh pod: every container Waiting, counters
        0, timers off, deadline cleared, and a new emptyDir data generation."""
        ups = merge(*(c.fresh_updates() for c in self.containers.values()), self._ports_free)
        if self.deadline_var is not None and self.deadline_timer is not None:
            seconds = self.template.activeDeadlineSeconds or 0
            ups += [(self.deadline_var, 0), (self.deadline_timer, seconds)]
        if self.gen is not None:
            ups.append((self.gen, ir.op("%", ir.op("+", self.gen, 1), self.options.uid_bound + 1)))
        return ups

    def pod_field(self, name: str) -> ir.Expr:
        """IR for a POD_FIELDS entry this side owns; KeyError for the cluster's fields."""
        fields = {
            "phase": self.phase,
            "ready": self.ready,
            "initialized": self.initialized,
            "restarts": ir.sum_(*(c.restarts for c in self.containers.values())),
            "deadlineExceeded": self.deadline_exceeded,
        }
        return fields[name]

    def container_field(self, container: str, name: str) -> ir.Expr:
        """IR for a CONTAINER_FIELDS entry of `container` (state is 0..2 as in spec)."""
        cm = self.containers[container]
        if name == "state":
            return ir.ite(cm.running, 1, ir.ite(ir.eq(cm.state, TERMINATED), 2, 0))
        mounts = bool(set(cm.c.volumeMounts) & {v.name for v in self.template.volumes})
        fields = {
            "ready": cm.ready,
            "started": cm.started,
            "restarts": cm.restarts,
            "exitCode": cm.exit_code,
            "crashLoop": ir.eq(cm.state, BACKOFF),
            "backoff": cm.backoff_seconds(),
            "data": self.data if mounts else ir.Const(0),
        }
        return fields[name]
