"""One pod slot's kubelet model (podcheck/model/pod.py) explored exhaustively.

Each test builds a Builder with one PodModel, explores it with the reference
semantics (`ir.successors`), and checks the model against `podcheck.kube`.
"""

from __future__ import annotations

import pytest

from podcheck import ir
from podcheck.kube import probes as kp
from podcheck.kube.backoff import crashloop_delays
from podcheck.kube.phase import pod_phase
from podcheck.model.clock import Clock
from podcheck.model.layout import Builder
from podcheck.model.manifests import pod_with_status
from podcheck.model.options import ModelOptions
from podcheck.model.pod import PodContext, PodModel
from podcheck.model.podstatus import PHASES
from podcheck.model.probe_rules import abstract, worker_state
from podcheck.spec import (
    Behavior,
    Container,
    Duration,
    DurationRange,
    Outcome,
    PodTemplate,
    Probe,
    ProbeKind,
    Volume,
)
from tests.engine.reference import reachable_parents

Seen = dict[ir.State, tuple[ir.State, int] | None]


def secs(lo: int, hi: int | None = None) -> DurationRange:
    return DurationRange(Duration(lo * 1000), Duration((lo if hi is None else hi) * 1000))


def build(
    template: PodTemplate, options: ModelOptions | None = None, *, switch: bool = False
) -> tuple[ir.TransitionSystem, PodModel]:
    """One slot; with `switch`, ctx.active is a variable the environment toggles."""
    options = options or ModelOptions()
    b = Builder("pod")
    clock = Clock(b, options)
    active: ir.Expr = ir.TRUE
    if switch:
        up = b.bool_var("node.up", True)
        b.action("toggle", (), ir.TRUE, [(up, ir.op("-", 1, up))], "node", "environment",
                 ir.Fairness.NONE)
        active = ir.eq(up, 1)
    pod = PodModel(b, clock, "p", template, PodContext(active, "pod p"), options)
    clock.build()
    return b.build(), pod


explore = reachable_parents


def val(expr: ir.Expr, state: ir.State) -> int:
    return ir.evaluate(expr, state)


READINESS = Probe(ProbeKind.READINESS, periodSeconds=5)
LIVENESS = Probe(ProbeKind.LIVENESS, initialDelaySeconds=10, periodSeconds=10)
STARTUP = Probe(ProbeKind.STARTUP, periodSeconds=10, failureThreshold=30)
MIGRATE = Container("migrate", behavior=Behavior(outcome=Outcome.SUCCEEDS, run=secs(5)))
SLOW = Behavior(startup=secs(60))

APP_ONLY = PodTemplate("p", containers=(Container("app"),))
INIT_READINESS = PodTemplate(
    "p", initContainers=(MIGRATE,), containers=(Container("app", readinessProbe=READINESS),)
)
SLOW_LIVENESS = PodTemplate(
    "p", containers=(Container("app", behavior=SLOW, livenessProbe=LIVENESS),)
)


# NOTE: pinned state counts: a change here is a change of the abstraction; review it.
# The probe clock (NOTE(probe-ticks)) took INIT_READINESS 7 -> 8 and SLOW_LIVENESS 62 -> 97;
# its reductions (NOTE(lazy-phase), NOTE(quiet-probes)) took INIT_READINESS back to 7.
@pytest.mark.parametrize(
    ("template", "states"), [(APP_ONLY, 2), (INIT_READINESS, 7), (SLOW_LIVENESS, 97)]
)
def test_pinned_state_counts(template: PodTemplate, states: int) -> None:
    system, _ = build(template)
    assert len(explore(system)) == states


SIDECAR = Container("proxy", restartPolicy="Always", behavior=Behavior(startup=secs(0, 12)),
                    startupProbe=Probe(ProbeKind.STARTUP, periodSeconds=5, failureThreshold=2))
FLAKY_INIT = Container("migrate", behavior=Behavior(outcome=Outcome.SUCCEEDS, crashes=1))
FAILING = Behavior(outcome=Outcome.FAILS, run=secs(2), exit_code=2)
DONE = Behavior(outcome=Outcome.SUCCEEDS, run=secs(5))
HANGER = Behavior(crashes=1, hangs=1, startup=secs(3, 8))
AGREEMENT = [
    PodTemplate("p", restartPolicy=policy, initContainers=(FLAKY_INIT, SIDECAR),
                containers=(Container("app", behavior=DONE),))
    for policy in ("Always", "OnFailure", "Never")
] + [
    PodTemplate("p", restartPolicy=policy,
                containers=(Container("a", behavior=FAILING), Container("b", behavior=DONE)))
    for policy in ("OnFailure", "Never")
] + [
    PodTemplate("p", restartPolicy="OnFailure", activeDeadlineSeconds=30, containers=(
        Container("app", behavior=HANGER, livenessProbe=Probe(ProbeKind.LIVENESS, 10, 10, 1, 2),
                  readinessProbe=Probe(ProbeKind.READINESS, periodSeconds=5,
                                       successThreshold=2)),)),
    PodTemplate("p", restartPolicy="Never",
                initContainers=(Container("migrate", behavior=FAILING), SIDECAR),
                containers=(Container("app"),)),
]


@pytest.mark.parametrize("template", AGREEMENT, ids=lambda t: t.restartPolicy)
def test_ir_phase_agrees_with_kube_pod_phase_on_every_reachable_state(
    template: PodTemplate,
) -> None:
    system, pod = build(template)
    for state in explore(system):
        expected = "Failed" if val(pod.deadline_exceeded, state) else pod_phase(
            pod_with_status(pod, state),
            pod_has_initialized=any(val(c.running, state) for c in pod.apps),
        )
        assert PHASES[val(pod.phase, state)] == expected, pod_with_status(pod, state)["status"]


@pytest.mark.parametrize("template", AGREEMENT, ids=lambda t: t.restartPolicy)
def test_init_order_terminal_phases_and_quiescence(template: PodTemplate) -> None:
    system, pod = build(template)
    seen = explore(system)
    for state in seen:
        assert val(pod.init_order_ok, state)
        nexts = [n for _, n in ir.successors(system, state)]
        if val(pod.terminal, state):  # a terminal phase never changes
            assert all(val(pod.phase, n) == val(pod.phase, state) for n in nexts)
        if not nexts:  # no successor means the kubelet is done with the pod
            assert val(pod.quiescent, state)


def test_init_order_check_can_fail() -> None:
    system, pod = build(INIT_READINESS)
    app = pod.containers["app"]
    broken = list(system.init[0])
    broken[app.state.index] = 1  # app Running while `migrate` is still Waiting
    assert not val(pod.init_order_ok, tuple(broken))


SLOW_PROBED = Container("app", behavior=SLOW, livenessProbe=LIVENESS,
                        readinessProbe=Probe(ProbeKind.READINESS, periodSeconds=10))


def test_slow_starter_is_killed_forever_by_its_liveness_probe() -> None:
    system, pod = build(PodTemplate("p", containers=(SLOW_PROBED,)))
    seen = explore(system)
    app = pod.containers["app"]
    assert not any(val(pod.ready, s) for s in seen)
    assert not any(val(app.ok, s) for s in seen)  # its process never comes up
    assert max(val(pod.pod_field("restarts"), s) for s in seen) == 3  # saturated
    kills = {system.actions[p[1]].name for p in seen.values() if p is not None}
    assert "liveness_probe_kills" in kills


def test_slow_starter_with_a_startup_probe_becomes_ready() -> None:
    app = Container("app", behavior=SLOW, startupProbe=STARTUP, livenessProbe=LIVENESS,
                    readinessProbe=Probe(ProbeKind.READINESS, periodSeconds=10))
    system, pod = build(PodTemplate("p", containers=(app,)))
    seen = explore(system)
    assert any(val(pod.ready, s) for s in seen)
    assert max(val(pod.pod_field("restarts"), s) for s in seen) == 0


def test_never_with_a_failing_init_container_fails_the_pod() -> None:
    failing = Container("migrate", behavior=FAILING)
    system, pod = build(PodTemplate("p", restartPolicy="Never", initContainers=(failing,),
                                    containers=(Container("app"),)))
    seen = explore(system)
    ends = [s for s in seen if not list(ir.successors(system, s))]
    assert ends and all(PHASES[val(pod.phase, s)] == "Failed" for s in ends)
    app = pod.containers["app"]
    assert all(s[app.state.index] == 0 for s in seen)  # the app container never starts


def test_back_off_delays_follow_crashloop_delays() -> None:
    crasher = Container("app", behavior=Behavior(outcome=Outcome.FAILS))
    system, pod = build(PodTemplate("p", containers=(crasher,)),
                        ModelOptions(restart_bound=10))
    app = pod.containers["app"]
    assert app.backoff_timer is not None
    state, waits = system.init[0], []
    for _ in range(60):  # the run is deterministic: follow it
        (i, nxt), = ir.successors(system, state)
        name = system.actions[i].name
        if name == "restart":
            waits.append(0)
        elif name == "back_off":
            waits.append(nxt[app.backoff_timer.index])
        state = nxt
    assert waits[:9] == [int(d) for d in crashloop_delays(9)]


def test_active_deadline_fails_the_pod_with_deadline_exceeded() -> None:
    template = PodTemplate("p", activeDeadlineSeconds=30,
                           containers=(Container("app", readinessProbe=READINESS),))
    system, pod = build(template)
    seen = explore(system)
    over = [s for s in seen if val(pod.deadline_exceeded, s)]
    assert over
    for s in over:
        assert PHASES[val(pod.phase, s)] == "Failed" and not val(pod.ready, s)
        assert not any(val(c.running, s) for c in pod.containers.values())
        assert val(pod.quiescent, s)


def test_empty_dir_data_survives_restarts_and_changes_with_a_new_pod() -> None:
    app = Container("app", behavior=Behavior(outcome=Outcome.FAILS, run=secs(1)),
                    volumeMounts=("cache",))
    template = PodTemplate("p", containers=(app,), volumes=(Volume("cache"),))
    system, pod = build(template)
    seen = explore(system)
    data = pod.container_field("app", "data")
    assert {val(data, s) for s in seen} == {0}  # restarts never touch it
    assert max(val(pod.pod_field("restarts"), s) for s in seen) == 3
    fresh = ir.Action("reset", (), ir.TRUE,
                      tuple((v.index, ir.Const(e) if isinstance(e, int) else e)
                            for v, e in pod.reset_updates()), "reset", "test")
    assert pod.gen is not None
    expected = list(system.init[0])
    expected[pod.gen.index] = 1
    for s in seen:  # from anywhere: a fresh pod that sees new data
        assert ir.apply(system, fresh, s) == tuple(expected)


def test_an_inactive_pod_neither_acts_nor_keeps_time() -> None:
    system, pod = build(SLOW_LIVENESS, switch=True)
    for state in explore(system):
        if state[0] == 0:  # the node is down
            names = {system.actions[i].name for i, _ in ir.successors(system, state)}
            assert names == {"toggle"}
            assert val(pod.quiescent, state)


def test_fields_have_the_property_vocabulary() -> None:
    system, pod = build(INIT_READINESS)
    seen = explore(system)
    states = {val(pod.container_field("app", "state"), s) for s in seen}
    assert states == {0, 1}  # Waiting, Running
    assert {val(pod.container_field("migrate", "exitCode"), s) for s in seen} == {0}
    assert {val(pod.pod_field("initialized"), s) for s in seen} == {0, 1}
    with pytest.raises(KeyError):
        pod.pod_field("node")  # the cluster side owns it


# ----------------------------------------------------- probe workers vs kube.probes

WORKER = Container("app", behavior=Behavior(startup=secs(0, 8), hangs=1), startupProbe=Probe(
    ProbeKind.STARTUP, periodSeconds=5, failureThreshold=2), livenessProbe=Probe(
    ProbeKind.LIVENESS, periodSeconds=5, failureThreshold=2), readinessProbe=Probe(
    ProbeKind.READINESS, periodSeconds=5, successThreshold=2, failureThreshold=2))


@pytest.fixture(scope="module")
def worker_steps() -> tuple[ir.TransitionSystem, PodModel, list[tuple[ir.State, int, ir.State]]]:
    # the back-off reset timer is irrelevant to probes and costs 20x the states here
    system, pod = build(PodTemplate("p", containers=(WORKER,)), ModelOptions(backoff_reset=False))
    steps = [(s, i, n) for s in explore(system) for i, n in ir.successors(system, s)]
    return system, pod, steps


@pytest.mark.parametrize("kind", list(kp.ProbeKind))
def test_probe_ticks_agree_with_kube_probe_step(
    kind: kp.ProbeKind,
    worker_steps: tuple[ir.TransitionSystem, PodModel, list[tuple[ir.State, int, ir.State]]],
) -> None:
    system, pod, steps = worker_steps
    app = pod.containers["app"]
    probes = app.probes
    flag, run, spec_probe = {
        kp.ProbeKind.STARTUP: (probes.st_flag, probes.s_run, WORKER.startupProbe),
        kp.ProbeKind.LIVENESS: (None, probes.l_run, WORKER.livenessProbe),
        kp.ProbeKind.READINESS: (probes.r_flag, probes.r_run, WORKER.readinessProbe),
    }[kind]
    assert run is not None and spec_probe is not None
    kspec = kp.ProbeSpec(spec_probe.initialDelaySeconds, spec_probe.periodSeconds, 1,
                         spec_probe.successThreshold, spec_probe.failureThreshold)
    checked = 0
    for state, i, nxt in steps:
        name = system.actions[i].name
        if not name.startswith(kind.value) or name.endswith("skipped"):
            continue
        published = bool(state[flag.index]) if flag is not None else True
        signed = state[run.index] if kind is kp.ProbeKind.READINESS else -state[run.index]
        step = kp.probe_step(
            worker_state(kind, published, signed), kind, kspec,
            kp.ContainerObservation(1, True, started=bool(val(app.started, state)),
                                    seconds_since_start=spec_probe.initialDelaySeconds),
            kp.ProbeResult.SUCCESS if val(app.ok, state) else kp.ProbeResult.FAILURE)
        assert step.probed
        killed = kp.kills_container(kind, step.state.result)
        assert killed == (nxt[app.state.index] != 1), (name, state)
        if killed:
            continue
        now = (bool(nxt[flag.index]) if flag is not None else True,
               nxt[run.index] if kind is kp.ProbeKind.READINESS else -nxt[run.index])
        assert abstract(step.state, kind, kspec.success_threshold) == now, name
        checked += 1
    assert checked > 10


def _worker_vars(pod: PodModel, kind: kp.ProbeKind) -> tuple[ir.Var | None, ir.Var, Probe]:
    probes = pod.containers["app"].probes
    flag, run, probe = {
        kp.ProbeKind.STARTUP: (probes.st_flag, probes.s_run, WORKER.startupProbe),
        kp.ProbeKind.LIVENESS: (None, probes.l_run, WORKER.livenessProbe),
        kp.ProbeKind.READINESS: (probes.r_flag, probes.r_run, WORKER.readinessProbe),
    }[kind]
    assert run is not None and probe is not None
    return flag, run, probe


@pytest.mark.parametrize("kind", list(kp.ProbeKind))
def test_probe_actions_agree_with_kube_probe_step_on_every_worker_value(
    kind: kp.ProbeKind,
    worker_steps: tuple[ir.TransitionSystem, PodModel, list[tuple[ir.State, int, ir.State]]],
) -> None:
    """Beyond the reachable states: a state where the probe is due, with the worker's
    variables set to every value of their domains and either outcome."""
    system, pod, steps = worker_steps
    app = pod.containers["app"]
    flag, run, probe = _worker_vars(pod, kind)
    mine = [i for i, a in enumerate(system.actions)
            if a.name.startswith(kind.value) and not a.name.endswith("skipped")]
    base = next(s for s, i, _ in steps if i in mine)
    kspec = kp.ProbeSpec(probe.initialDelaySeconds, probe.periodSeconds, 1,
                         probe.successThreshold, probe.failureThreshold)
    process = app.process
    assert process is not None
    flags = [0] if kind is kp.ProbeKind.STARTUP else ([0, 1] if flag is not None else [1])
    var = system.vars[run.index]
    checked = 0
    for published in flags:
        for value in range(var.lo, var.hi + 1):
            for outcome in (kp.ProbeResult.SUCCESS, kp.ProbeResult.FAILURE):
                state = list(base)
                state[run.index] = value
                if flag is not None:
                    state[flag.index] = published
                state[process.index] = 1 if outcome is kp.ProbeResult.SUCCESS else 2  # up/hung
                fired = [(i, n) for i, n in ir.successors(system, tuple(state)) if i in mine]
                assert len(fired) == 1, (published, value, outcome)
                nxt = fired[0][1]
                signed = value if kind is kp.ProbeKind.READINESS else -value
                step = kp.probe_step(
                    worker_state(kind, bool(published), signed), kind, kspec,
                    kp.ContainerObservation(1, True, started=kind is not kp.ProbeKind.STARTUP,
                                            seconds_since_start=probe.initialDelaySeconds),
                    outcome)
                killed = kp.kills_container(kind, step.state.result)
                assert killed == (nxt[app.state.index] != 1), (published, value, outcome)
                if not killed:
                    now = (bool(nxt[flag.index]) if flag is not None else True,
                           nxt[run.index] if kind is kp.ProbeKind.READINESS else -nxt[run.index])
                    assert abstract(step.state, kind, kspec.success_threshold) == now
                checked += 1
    assert checked == len(flags) * (var.hi - var.lo + 1) * 2
