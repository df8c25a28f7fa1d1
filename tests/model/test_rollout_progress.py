"""NOTE(progress-deadline): the model's Progressing condition against kube's rule
(`kube.rollout.sync_progressing`) on every transition of small specs, and that nothing
is declared unless `rollout-progresses` is asked for."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from podcheck import ir
from podcheck.kube.rollout import Progressing, RolloutStatus, sync_progressing
from podcheck.lang.check import load
from podcheck.model.compile import build_model, kubelet_factory
from podcheck.model.options import ModelOptions
from podcheck.model.progress import REASONS, TIMED_OUT, _status
from podcheck.vocab import ActionKind, ProgressingReason

ROOT = Path(__file__).resolve().parents[2]
SPECS = ["rollouts/slow-starter-deadline.pod", "rollouts/anti-affinity-drain-deadlock.pod",
         "examples/rollout-progress.pod"]


def _model(name: str):
    spec = load(str(ROOT / "specs" / name)).value
    assert spec is not None
    model = build_model(spec, ModelOptions(), kubelet_factory).value
    assert model is not None
    return spec, model


@pytest.mark.parametrize("name", SPECS)
def test_every_transition_syncs_the_condition_as_kube_does(name: str) -> None:
    spec, model = _model(name)
    system, cluster = model.system, model.cluster
    (w,) = [w for w in spec.workloads if w.name in cluster.counters.progressing]
    cond = cluster.counters.progressing[w.name]
    status = _status(cluster, w)
    seen, todo, checked = set(system.init), list(system.init), 0
    while todo:
        s = todo.pop()
        for k, t in ir.successors(system, s):
            action = system.actions[k]
            if t not in seen:
                seen.add(t)
                todo.append(t)
            if action.name in (ActionKind.ROLLOUT, ActionKind.PROGRESS_DEADLINE_EXCEEDED):
                continue
            old = RolloutStatus(*(ir.evaluate(e, s) for e in status))
            new = RolloutStatus(*(ir.evaluate(e, t) for e in status))
            now = 0  # the model's timeout is its own action: no sync here times out
            before = Progressing(s[cond.index] != TIMED_OUT, ProgressingReason(
                REASONS[s[cond.index]]), now)
            got = sync_progressing(w.progressDeadlineSeconds, w.replicas, before, old, new, now)
            assert got is not None and REASONS[t[cond.index]] == got.reason.value, action.label
            checked += 1
    assert checked > 0


def test_nothing_is_declared_without_the_check() -> None:
    spec, _ = _model("rollouts/slow-starter-deadline.pod")
    plain = replace(spec, properties=tuple(d for d in spec.properties
                                           if d.builtin != "rollout-progresses"),
                    expects=tuple(e for e in spec.expects if e.property != "rollout-progresses"))
    model = build_model(plain, ModelOptions(), kubelet_factory).value
    assert model is not None and not model.cluster.counters.progressing
    assert not any(v.field in ("progressing", "progressLeft") for v in model.system.vars)
