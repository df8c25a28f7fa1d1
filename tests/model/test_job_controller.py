"""The Job controller's backoffLimit under OnFailure, against `podcheck.kube.job`.

`restarts_past_limit` (model/job.py) is the IR of kube `past_backoff_limit_on_failure`;
here the two are compared on every reachable state of small Jobs built with the real pod
model (NOTE(restart-saturation) keeps the saturated counts exact).  The rows of
`TestJobBackoffForOnFailure` themselves are in tests/kube/test_job.py.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from podcheck import ir
from podcheck.kube.job import past_backoff_limit_on_failure
from podcheck.lang.check import LoadOptions, load
from podcheck.model.compile import Model, build_model, kubelet_factory
from podcheck.model.job import restarts_past_limit
from podcheck.model.manifests import pod_with_status
from podcheck.model.observables import restart_bound
from podcheck.model.options import ModelOptions
from podcheck.model.pod import PodModel
from podcheck.vocab import PodPhase

JOB = """cluster {{ node n1 {{ }} }}
job j {{
  completions: {completions}
  parallelism: {parallelism}
  backoffLimit: {limit}
  template {{
    restartPolicy: {policy}
    {init}
    container app {{ behavior {{ {behavior} }} }}
  }}
}}
"""
FAILS = "outcome: fails  run: 1s  exitCode: 1"
CRASHES = "outcome: succeeds  run: 5s  crashes: 2  exitCode: 1"
INIT_CRASHES = "initContainer setup { behavior { outcome: succeeds  run: 1s  crashes: 2 } }"


def _model(tmp_path: Path, props: str = "", **kw: object) -> Model:
    fields = {"completions": 1, "parallelism": 1, "limit": 2, "policy": "OnFailure",
              "init": "", "behavior": FAILS, **kw}
    path = tmp_path / "j.pod"
    path.write_text(JOB.format(**fields) + props, encoding="utf-8")
    loaded = load(str(path), LoadOptions())
    assert loaded.value is not None, loaded.diagnostics
    options = ModelOptions()
    result = build_model(loaded.value, options, kubelet_factory)
    assert result.value is not None, result.diagnostics
    return result.value


def _reachable(system: ir.TransitionSystem, limit: int = 50_000) -> list[ir.State]:
    seen = dict.fromkeys(system.init)
    queue = deque(system.init)
    while queue:
        for _, nxt in ir.successors(system, queue.popleft()):
            if nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
                assert len(seen) <= limit
    return list(seen)


def _kube_verdict(m: Model, state: ir.State) -> bool:
    w = m.cluster.spec.workloads[0]
    job = {"spec": {"backoffLimit": w.backoffLimit,
                    "template": {"spec": {"restartPolicy": str(w.template.restartPolicy)}}}}
    pods = []
    for s in m.cluster.slots:  # syncJob passes its active pods (FilterActivePods)
        if not state[s.exists.index] or ir.evaluate(m.cluster.terminating(s), state):
            continue
        assert isinstance(s.model, PodModel)
        obj = pod_with_status(s.model, state)
        phase = ("Pending", "Running", "Succeeded", "Failed")[ir.evaluate(s.model.phase, state)]
        obj["status"]["phase"] = PodPhase(phase).value
        pods.append(obj)
    return past_backoff_limit_on_failure(job, pods)


@pytest.mark.parametrize(
    ("case", "kw"),
    [
        ("one pod reaches the limit by itself", {"limit": 2}),
        ("limit 0: the first restart fails the Job", {"limit": 0}),
        ("two pods reach it together", {"limit": 3, "parallelism": 2, "completions": 2,
                                        "behavior": CRASHES}),
        ("not reached", {"limit": 3, "behavior": CRASHES}),
        ("init container restarts count", {"limit": 2, "init": INIT_CRASHES,
                                           "behavior": "outcome: succeeds  run: 1s"}),
        ("above the default saturation", {"limit": 5}),
        ("restartPolicy Never reads no restart", {"limit": 1, "policy": "Never"}),
    ],
)
def test_ir_agrees_with_kube_on_every_reachable_state(tmp_path: Path, case: str,
                                                       kw: dict[str, object]) -> None:
    m = _model(tmp_path, **kw)
    w = m.cluster.spec.workloads[0]
    guard = restarts_past_limit(m.cluster, w)
    states = _reachable(m.system)
    verdicts = [_kube_verdict(m, st) for st in states]
    assert [bool(ir.evaluate(guard, st)) for st in states] == verdicts, case
    reachable_true = any(verdicts)
    reaches = {"not reached": False, "restartPolicy Never reads no restart": False}
    assert reachable_true is reaches.get(case, True), case


def test_a_failed_on_failure_job_deletes_its_pods_and_says_why(tmp_path: Path) -> None:
    m = _model(tmp_path, "property p: eventually j.failed\n", limit=2)
    exceeded = m.cluster.counters.job_backoff_exceeded["j"]
    finals = [st for st in _reachable(m.system) if not list(ir.successors(m.system, st))]
    assert finals and all(st[exceeded.index] == 1 for st in finals)
    assert all(not st[s.exists.index] for st in finals for s in m.cluster.slots)


def test_counted_pods_stay_listed_as_failed_under_never(tmp_path: Path) -> None:
    m = _model(tmp_path, limit=1, policy="Never")
    slot = m.cluster.slots[0]
    assert slot.counted is not None
    finals = [st for st in _reachable(m.system) if not list(ir.successors(m.system, st))]
    assert finals
    for st in finals:
        assert st[slot.exists.index] == 1 and st[slot.counted.index] == 1
        assert ir.evaluate(slot.model.phase, st) == 3  # Failed
        assert st[m.cluster.counters.job_failed["j"].index] == 2


@pytest.mark.parametrize(
    ("props", "limit", "want"),
    [
        ("", 2, 3),  # the default (ModelOptions.restart_bound) when nothing reads more
        ("", 5, 5),  # backoffLimit under OnFailure
        ("property p: always forall p in pods(j): p.restarts < 7\n", 2, 8),
        ("property p: always forall p in pods(j): 4 == p.container(app).restarts\n", 2, 5),
    ],
)
def test_restart_bound_covers_every_value_read(tmp_path: Path, props: str, limit: int,
                                               want: int) -> None:
    m = _model(tmp_path, props, limit=limit)
    formulas = restart_bound(m.cluster.spec, ModelOptions().restart_bound)
    assert max(formulas, limit) == want
    restarts = next(v for v in m.system.vars if v.name.endswith(".app.restarts"))
    assert restarts.hi == want


def test_only_the_job_s_pods_saturate_at_its_backoff_limit(tmp_path: Path) -> None:
    text = JOB.format(completions=1, parallelism=1, limit=6, policy="OnFailure", init="",
                      behavior=FAILS)
    text += "pod web {\n  container srv { behavior { outcome: fails  run: 1s } }\n}\n"
    path = tmp_path / "two.pod"
    path.write_text(text, encoding="utf-8")
    loaded = load(str(path), LoadOptions())
    assert loaded.value is not None, loaded.diagnostics
    result = build_model(loaded.value, ModelOptions(), kubelet_factory)
    assert result.value is not None
    his = {v.name: v.hi for v in result.value.system.vars if v.name.endswith(".restarts")}
    assert his == {"j-1.app.restarts": 6, "web.srv.restarts": 3}
