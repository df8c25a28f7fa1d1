"""The CronJob controller (model/cronjob.py) against kube's `sync_core`.

`starts` (the `create_job` guard's policy part) agrees with kube on both values of
"some Job is active" for every concurrencyPolicy; and in a compiled CronJob of three
schedule times, every reachable state's enabled `create_job` / `missed_deadline`
actions are the ones `sync_core` allows for that state (unmet time, active Jobs).
"""

from __future__ import annotations

import pytest

from podcheck import ir, spec
from podcheck.kube.cronjob import CronDecision, may_miss_deadline, sync_core
from podcheck.model.compile import build_model, kubelet_factory
from podcheck.model.cronjob import CREATED, starts
from podcheck.model.job import job_active
from podcheck.model.options import ModelOptions
from podcheck.vocab import ActionKind, ConcurrencyPolicy, RestartPolicy


@pytest.mark.parametrize("policy", list(ConcurrencyPolicy))
def test_starts_agrees_with_kube(policy: ConcurrencyPolicy) -> None:
    for active in (0, 1):
        want = sync_core(policy, True, False, active).decision is CronDecision.CREATE
        assert bool(ir.evaluate(starts(policy, ir.Const(active)), [])) == want


def _cronjob(policy: ConcurrencyPolicy, deadline: int | None) -> spec.CheckedSpec:
    app = spec.Container("work", behavior=spec.Behavior(
        outcome=spec.Outcome.SUCCEEDS, run=spec.DurationRange(spec.Duration(5000),
                                                              spec.Duration(5000))))
    template = spec.PodTemplate("nightly", restartPolicy=RestartPolicy.NEVER,
                                containers=(app,))
    job = spec.Workload(spec.WorkloadKind.JOB, "nightly", template,
                        cron=spec.CronSchedule(3, policy, deadline))
    return spec.CheckedSpec("cron.pod", workloads=(job,), nodes=(spec.Node("n1"),))


@pytest.mark.parametrize("policy", list(ConcurrencyPolicy))
@pytest.mark.parametrize("deadline", [None, 30])
def test_enabled_actions_agree_with_kube(policy: ConcurrencyPolicy,
                                         deadline: int | None) -> None:
    model = build_model(_cronjob(policy, deadline), ModelOptions(), kubelet_factory).value
    assert model is not None
    system, cluster = model.system, model.cluster
    runs = cluster.runs["nightly"]
    unmet = cluster.crons["nightly"].unmet
    active = [ir.and_(ir.eq(cluster.run_state[r.name], CREATED), job_active(cluster, r))
              for r in runs]
    seen, frontier = {system.init[0]}, [system.init[0]]
    while frontier:
        state = frontier.pop()
        n_active = sum(ir.evaluate(a, state) for a in active)
        enabled = {a.name for a in system.actions if ir.evaluate(a.guard, state)}
        is_unmet = bool(state[unmet.index])
        free_run = any(state[cluster.run_state[r.name].index] == 0 for r in runs)
        create = sync_core(policy, is_unmet, False, n_active).decision is CronDecision.CREATE
        assert (ActionKind.CREATE_JOB in enabled) == (create and free_run), state
        skip = (is_unmet and may_miss_deadline(policy, deadline) and
                sync_core(policy, True, False, n_active).decision is CronDecision.WAIT_FORBID)
        assert (ActionKind.MISSED_DEADLINE in enabled) == skip, state
        for _, nxt in ir.successors(system, state):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert len(seen) > 10
