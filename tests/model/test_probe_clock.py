"""The probe clock (NOTE(probe-ticks)) and probe timeoutSeconds, on one pod slot.

pkg/kubelet/prober/worker.go: the ticker runs from the worker's creation and doProbe skips
until the container has run initialDelaySeconds, so the first probe after a start lands in
[initialDelay, initialDelay + period).  The model explores the window's two ends by
default and every second of it with `exact_windows`.  prober.go runProbe: a handler
slower than timeoutSeconds is a Failure (`kube.probe_timeout.probe_outcome`).
"""

from __future__ import annotations

from podcheck import ir
from podcheck.model.containers import PROCESS
from podcheck.model.options import ModelOptions
from podcheck.model.probe_clock import RELEASED
from podcheck.spec import Behavior, Container, PodTemplate, Probe, ProbeKind
from podcheck.vocab import ActionKind
from tests.model.test_pod import build, explore, secs, val


def _first_tick_times(probe: Probe, exact: bool) -> set[int]:
    """Seconds after the start at which the first liveness tick can happen (a running
    process that never comes up, so the first tick is a failure)."""
    template = PodTemplate("p", restartPolicy="Never", containers=(
        Container("app", behavior=Behavior(startup=secs(500)), livenessProbe=probe),))
    system, pod = build(template, ModelOptions(exact_windows=exact))
    cm = pod.containers["app"]
    assert cm.process_timer is not None
    parents = explore(system)
    times: set[int] = set()
    for link in parents.values():
        if link is None:
            continue
        before, index = link
        action = system.actions[index]
        flag = cm.probes.phases[ProbeKind.LIVENESS]
        if action.name == ActionKind.LIVENESS_PROBE_FAILS and val(flag, before) == 1:
            times.add(500 - val(cm.process_timer, before))
    return times


LIVENESS = Probe(ProbeKind.LIVENESS, initialDelaySeconds=10, periodSeconds=10)


def test_first_tick_lands_at_either_end_of_the_window_by_default() -> None:
    assert _first_tick_times(LIVENESS, exact=False) == {10, 19}


def test_exact_windows_land_the_first_tick_at_every_second_of_the_window() -> None:
    assert _first_tick_times(LIVENESS, exact=True) == set(range(10, 20))


def test_a_one_second_period_has_a_single_phase() -> None:
    probe = Probe(ProbeKind.LIVENESS, initialDelaySeconds=3, periodSeconds=1)
    template = PodTemplate("p", containers=(Container("app", livenessProbe=probe),))
    _, pod = build(template)
    assert pod.containers["app"].probes.phases == {}


def _killed(startup: int) -> tuple[bool, bool]:
    """(some run kills the starter, some run never kills it) under LIVENESS x 3."""
    probe = Probe(ProbeKind.LIVENESS, initialDelaySeconds=10, periodSeconds=10)
    template = PodTemplate("p", restartPolicy="Never", containers=(
        Container("app", behavior=Behavior(startup=secs(startup)), livenessProbe=probe),))
    system, pod = build(template)
    parents = explore(system)
    kills = ActionKind.LIVENESS_PROBE_KILLS
    killed = any(system.actions[link[1]].name == kills for link in parents.values() if link)
    # under Never a killed starter stays down: a state with the process up is a run
    # that was never killed
    process = pod.containers["app"].process
    assert process is not None
    up = any(val(ir.eq(process, PROCESS.index("up")), state) for state in parents)
    return killed, up


def test_a_late_phase_lets_a_35s_starter_live_and_an_early_one_kills_it() -> None:
    # ticks at 10/20/30 (kill at 30 < 35) or 19/29/39 (up at 35 before the third)
    assert _killed(35) == (True, True)


def test_a_45s_starter_is_killed_whatever_the_phase() -> None:
    # the third failure falls in [30, 40) < 45 at every phase
    assert _killed(45) == (True, False)


def _outcomes(latency: tuple[int, int], timeout: int) -> set[ActionKind]:
    probe = Probe(ProbeKind.READINESS, periodSeconds=10, timeoutSeconds=timeout)
    beh = Behavior(probe_latency=secs(*latency))
    template = PodTemplate("p", containers=(
        Container("app", behavior=beh, readinessProbe=probe),))
    system, _ = build(template)
    names = {system.actions[link[1]].name for link in explore(system).values() if link}
    return {ActionKind(n) for n in names} & {ActionKind.READINESS_PROBE_SUCCEEDS,
                                             ActionKind.READINESS_PROBE_FAILS}


def test_a_handler_slower_than_the_timeout_always_fails() -> None:
    assert _outcomes((3, 3), 1) == {ActionKind.READINESS_PROBE_FAILS}


def test_a_handler_within_the_timeout_succeeds() -> None:
    assert _outcomes((1, 1), 1) == {ActionKind.READINESS_PROBE_SUCCEEDS}


def test_a_latency_range_across_the_timeout_goes_either_way() -> None:
    assert _outcomes((0, 2), 1) == {ActionKind.READINESS_PROBE_SUCCEEDS,
                                    ActionKind.READINESS_PROBE_FAILS}


# ---- NOTE(lazy-phase): a tick that would change nothing waits, then (now, now + period]

def _released_offsets(container: Container, kind: ProbeKind, exact: bool) -> set[int]:
    """Seconds after the release (process up, or startup success) at which the first
    effective tick of `kind` happens: period - the ticker before that tick."""
    template = PodTemplate("p", containers=(container,))
    system, pod = build(template, ModelOptions(exact_windows=exact))
    probes = pod.containers["app"].probes
    phase = probes.phases[kind]
    ticker = probes.r_t if kind is ProbeKind.READINESS else probes.l_t
    assert ticker is not None
    succeeds = {ProbeKind.READINESS: ActionKind.READINESS_PROBE_SUCCEEDS,
                ProbeKind.LIVENESS: ActionKind.LIVENESS_PROBE_SUCCEEDS}[kind]
    out: set[int] = set()
    for state, name in _transitions(system):
        if name == succeeds and val(phase, state) == RELEASED:
            out.add(10 - val(ticker, state))
    return out


def _transitions(system: ir.TransitionSystem) -> list[tuple[ir.State, str]]:
    """Every reachable (state, action name) transition."""
    return [(state, system.actions[index].name) for state in explore(system)
            for index, _ in ir.successors(system, state)]


READINESS = Probe(ProbeKind.READINESS, periodSeconds=10)
SLOW = Container("app", behavior=Behavior(startup=secs(35)), readinessProbe=READINESS)
GATED = Container("app", startupProbe=Probe(ProbeKind.STARTUP, periodSeconds=10),
                  livenessProbe=Probe(ProbeKind.LIVENESS, periodSeconds=10),
                  readinessProbe=READINESS)


def test_a_readiness_worker_waits_for_the_process_then_ticks_within_a_period() -> None:
    # TestInitialDelay / doProbe: failures while unready change nothing, so the first
    # tick that matters is the first after the process is up: (up, up + period]
    assert _released_offsets(SLOW, ProbeKind.READINESS, exact=False) == {0, 10}
    assert _released_offsets(SLOW, ProbeKind.READINESS, exact=True) == set(range(11))


def test_gated_workers_place_their_phase_after_the_startup_probe_succeeds() -> None:
    # doProbe skips liveness and readiness until started: no skipped tick is explored;
    # readiness ticks within a period of the startup success
    assert _released_offsets(GATED, ProbeKind.READINESS, exact=True) == set(range(11))
    system, _ = build(PodTemplate("p", containers=(GATED,)))
    names = {a.name for a in system.actions}
    skipped = {ActionKind.READINESS_PROBE_SKIPPED, ActionKind.LIVENESS_PROBE_SKIPPED}
    fired = {name for _, name in _transitions(system)}
    assert skipped <= names and not skipped & fired


def test_a_liveness_worker_waits_while_a_success_would_change_nothing() -> None:
    # an up process and no failures: every tick would succeed and change nothing, so the
    # phase is placed only when the process hangs, within a period of the hang
    hangs = Container("app", behavior=Behavior(hangs=1), livenessProbe=LIVENESS)
    assert _released_offsets(GATED, ProbeKind.LIVENESS, exact=True) == set()
    system, _ = build(PodTemplate("p", containers=(hangs,)))
    assert ActionKind.LIVENESS_PROBE_SUCCEEDS not in {n for _, n in _transitions(system)}
    fails = ActionKind.LIVENESS_PROBE_FAILS
    for exact, offsets in ((False, {0, 10}), (True, set(range(11)))):
        system, pod = build(PodTemplate("p", containers=(hangs,)), ModelOptions(
            exact_windows=exact))
        probes = pod.containers["app"].probes
        phase, ticker = probes.phases[ProbeKind.LIVENESS], probes.l_t
        assert ticker is not None
        found = {10 - val(ticker, s) for s, n in _transitions(system)
                 if n == fails and val(phase, s) == RELEASED}
        assert found == offsets, exact


# ---- NOTE(quiet-probes): a steady worker that can change nothing stops ticking

def test_a_steady_readiness_worker_is_quiet_once_ready() -> None:
    template = PodTemplate("p", containers=(Container("app", readinessProbe=READINESS),))
    system, pod = build(template)
    fired = [name for _, name in _transitions(system)]
    assert fired.count(ActionKind.READINESS_PROBE_SUCCEEDS) == 2  # at 0 s or at 9 s
    ready = pod.containers["app"].probes.ready_flag
    assert not any(a.name == ActionKind.TIME_PASSES and ir.evaluate(a.guard, s)
                   for s in explore(system) for a in system.actions if val(ready, s))


def test_a_worker_that_can_hang_keeps_ticking() -> None:
    beh = Behavior(hangs=1)
    template = PodTemplate("p", containers=(Container("app", behavior=beh,
                                                      livenessProbe=LIVENESS),))
    system, _ = build(template)
    fired = {system.actions[link[1]].name for link in explore(system).values() if link}
    assert ActionKind.LIVENESS_PROBE_KILLS in fired
