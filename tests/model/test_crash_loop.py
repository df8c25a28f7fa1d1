"""`no-crash-loop` and exit 0 (issue 14 item 3, NOTE(crash-loop) in model/crash_loop.py).

The restart decision after an exit 0 is Kubernetes' ShouldContainerBeRestarted
(pkg/api/v1/pod/util.go; its table TestContainerShouldRestart): Always restarts every
exit, OnFailure and Never do not restart exit 0.  A container the kubelet restarts
after exit 0 is restarted with back-off, so completing again and again is a crash loop.
"""

from __future__ import annotations

import pytest

from podcheck import spec
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import check_liveness
from podcheck.engine.result import Verdict
from podcheck.model.compile import compile_spec
from podcheck.model.crash_loop import finishes_on_exit_zero
from podcheck.vocab import RestartPolicy
from tests.model.test_cluster import W, build, nodes
from tests.model.test_props import with_props

FIVE_S = spec.Duration(5000)
SUCCEEDS = spec.Behavior(outcome=spec.Outcome.SUCCEEDS, run=spec.DurationRange(FIVE_S, FIVE_S))


def pod(policy: RestartPolicy) -> spec.CheckedSpec:
    t = spec.PodTemplate("once", (("app", "once"),), containers=(
        spec.Container("task", behavior=SUCCEEDS),), restartPolicy=policy)
    kind = W.DEPLOYMENT if policy is RestartPolicy.ALWAYS else W.POD
    return spec.CheckedSpec("t.pod", (spec.Workload(kind, "once", t, replicas=1),), nodes("n1"))


@pytest.mark.parametrize(("policy", "finishes"), [
    (RestartPolicy.ALWAYS, False),  # TestContainerShouldRestart: Always, exit 0 -> restart
    (RestartPolicy.ON_FAILURE, True),  # OnFailure, exit 0 -> no restart
    (RestartPolicy.NEVER, True),  # Never -> no restart
])
def test_exit_zero_finishes_only_without_a_restart(policy: RestartPolicy, finishes: bool):
    m = build(pod(policy))
    s = m.cluster.slots[0]
    assert finishes_on_exit_zero(s, s.workload.template.containers[0], init=False) is finishes


@pytest.mark.parametrize(("policy", "verdict"), [
    (RestartPolicy.ALWAYS, Verdict.VIOLATED),
    (RestartPolicy.ON_FAILURE, Verdict.HOLDS),
])
def test_no_crash_loop_counts_exit_zero_under_always(policy: RestartPolicy, verdict: Verdict):
    decl = spec.PropertyDecl("no-crash-loop", None, builtin="no-crash-loop")
    system = compile_spec(with_props(pod(policy), decl)).value  # the kubelet's pod model
    assert system is not None
    _, graph = explore(system, BfsOptions(keep_graph=True))
    assert graph is not None
    assert check_liveness(graph, system.properties[0]).verdict is verdict
