"""Independent workload groups and the back-off reset (NOTE(independent-workloads)).

The split must never change a verdict: `test_groups_agree_with_one_exploration` checks
every built-in verdict of a multi-workload input against the single exploration of the
whole cluster with the back-off reset on (the model as it is without the split).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from podcheck.check import CheckOptions, check_file, check_path
from podcheck.engine.result import Verdict
from podcheck.manifests import ManifestOptions, load_inputs
from podcheck.manifests.export import to_pod
from podcheck.manifests.groups import (
    CRASH_LOOP,
    backoff_reset_matters,
    explorations,
    independent_groups,
    restarts_at_all,
    splittable,
)
from podcheck.model.options import ModelOptions
from podcheck.run import CheckRun, RowStatus
from podcheck.spec import CheckedSpec
from podcheck.suite import outcome
from podcheck.suitefile import Target

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "specs" / "manifests" / "shop"


def _deployment(name: str, labels: str, extra: str = "", containers: str = "") -> str:
    body = containers or "      - {name: app, image: example/app:1}\n"
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 1
  selector: {{matchLabels: {labels}}}
  template:
    metadata: {{labels: {labels}}}
    spec:
{extra}      containers:
{body}"""


def _pdb(name: str, selector: str) -> str:
    return f"""---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}}}
spec: {{minAvailable: 1, selector: {{matchLabels: {selector}}}}}
"""


def _spec(tmp_path: Path, text: str, **options: int) -> CheckedSpec:
    path = tmp_path / "in.yaml"
    path.write_text(text, encoding="utf-8")
    spec = load_inputs([str(path)], ManifestOptions(**options)).result.value
    assert spec is not None
    return spec


def _names(groups: tuple[CheckedSpec, ...]) -> list[list[str]]:
    return [[w.name for w in g.workloads] + [p.name for p in g.pdbs] for g in groups]


def test_the_shop_splits_into_its_three_workloads() -> None:
    spec = load_inputs([str(SHOP)]).result.value
    assert spec is not None
    groups = independent_groups(spec)
    assert _names(groups) == [["db", "db"], ["migrate"], ["web", "web"]]
    assert "job-completes" in [p.name for p in groups[1].properties]
    assert "budget-respected" not in [p.name for p in groups[1].properties]
    assert all(g.nodes == spec.nodes and g.environment.drain == spec.environment.drain
               for g in groups)


def test_a_budget_over_two_workloads_links_them(tmp_path: Path) -> None:
    text = (_deployment("a", "{app: a, tier: web}") + _deployment("b", "{app: b, tier: web}")
            + _deployment("c", "{app: c}") + _pdb("web", "{tier: web}"))
    assert _names(independent_groups(_spec(tmp_path, text))) == [["a", "b", "web"], ["c"]]


def test_anti_affinity_towards_another_workload_links_them(tmp_path: Path) -> None:
    anti = """      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app: b}}
"""
    text = _deployment("a", "{app: a}", anti) + _deployment("b", "{app: b}") + \
        _deployment("c", "{app: c}")
    assert _names(independent_groups(_spec(tmp_path, text))) == [["a", "b"], ["c"]]


def test_requests_on_bounded_nodes_link_the_workloads(tmp_path: Path) -> None:
    node = """---
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {allocatable: {cpu: "2", memory: 4Gi}}
"""
    asks = "      - name: app\n        image: x\n        resources: {requests: {cpu: 500m}}\n"
    text = node + _deployment("a", "{app: a}", containers=asks) + \
        _deployment("b", "{app: b}", containers=asks) + _deployment("c", "{app: c}")
    assert _names(independent_groups(_spec(tmp_path, text))) == [["a", "b"], ["c"]]


def test_one_group_is_the_spec_itself(tmp_path: Path) -> None:
    spec = _spec(tmp_path, _deployment("a", "{app: a}") + _pdb("a", "{app: a}"))
    assert independent_groups(spec) == (spec,)


def test_the_reset_matters_only_when_a_container_restarts_twice(tmp_path: Path) -> None:
    crash_once = _spec(tmp_path, _deployment("a", "{app: a}"))
    assert not backoff_reset_matters(crash_once) and restarts_at_all(crash_once)
    live = "      - name: app\n        image: x\n        livenessProbe: {exec: {command: [x]}}\n"
    assert backoff_reset_matters(_spec(tmp_path, _deployment("a", "{app: a}",
                                                              containers=live)))
    fails = _deployment("a", "{app: a}").replace(
        "    metadata: {labels: {app: a}}",
        "    metadata:\n      labels: {app: a}\n"
        "      annotations: {podcheck.io/outcome.app: fails}")
    assert backoff_reset_matters(_spec(tmp_path, fails))
    runs = fails.replace("outcome.app: fails", "outcome.app: runs")
    assert not restarts_at_all(_spec(tmp_path, runs))


def test_no_crash_loop_is_explored_with_the_reset(tmp_path: Path) -> None:
    ways = explorations(_spec(tmp_path, _deployment("a", "{app: a}") + _pdb("a", "{app: a}")))
    assert [(w.backoff_reset, [p.name for p in w.spec.properties]) for w in ways] == [
        (False, ["budget-respected", "drain-completes", "eventually-ready", "no-deadlock"]),
        (True, [CRASH_LOOP])]


def _verdicts(runs: list) -> dict[str, set[Verdict]]:
    found: dict[str, set[Verdict]] = {}
    for run in runs:
        assert run.result is not None and run.result.stats.complete
        for prop, res in zip(run.result.system.properties, run.result.results, strict=True):
            found.setdefault(prop.name, set()).add(res.verdict)
    return found


def test_groups_agree_with_one_exploration(tmp_path: Path) -> None:
    """Deployment `a` (PDB minAvailable 1 on one replica: its drain never completes),
    Deployment `b` (no budget) and a Job: the verdicts of the groups, combined, are
    those of the whole cluster explored at once with the back-off reset."""
    job = """---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: x}]
"""
    path = tmp_path / "three.yaml"
    # grace 0: the whole-cluster exploration stays small (graceful termination multiplies
    # the two Deployments' interleavings; the grouping, not termination, is tested here)
    atonce = "      terminationGracePeriodSeconds: 0\n"
    path.write_text(_deployment("a", "{app: a}", atonce) + _pdb("a", "{app: a}")
                    + _deployment("b", "{app: b}", atonce) + job, encoding="utf-8")
    options = CheckOptions(manifests=ManifestOptions(nodes=2, failures=0))
    split = check_path(str(path), options)
    assert len(split) == 5  # a (two explorations), b (two), the Job (no restart: one)
    whole = _verdicts([check_file(str(path), options)])
    parts = _verdicts(split)
    assert parts.keys() == whole.keys()
    for name, verdicts in whole.items():
        combined = Verdict.VIOLATED if Verdict.VIOLATED in parts[name] else Verdict.HOLDS
        assert verdicts == {combined}, name
    assert whole["drain-completes"] == {Verdict.VIOLATED}


def test_the_timeout_bounds_every_group_together() -> None:
    """`--timeout` is one budget for the whole input: once spent, the groups left stop
    at once (PC502), never run with a fresh budget each."""
    runs = check_path(str(SHOP), CheckOptions(timeout_seconds=0.0))
    assert len(runs) == 5 and all(run.stopped is not None for run in runs)
    assert all(run.exit_code == 3 for run in runs)


SMALL = """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: x}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: x}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db}
spec: {minAvailable: 1, selector: {matchLabels: {app: db}}}
"""

SMALL_OPTIONS = CheckOptions(manifests=ManifestOptions(nodes=2, failures=0))


def _verdict_list(runs: list[CheckRun]) -> list[list[tuple[str, Verdict]]]:
    return [[(r.name, r.verdict) for r in run.result.results] for run in runs
            if run.result is not None]


def test_an_imported_spec_is_checked_in_the_groups_of_its_manifests(tmp_path: Path) -> None:
    """Item 3 of issue 15: `podcheck import` output (built-in checks only) is split as
    `podcheck check` splits the YAML, with the same explorations and verdicts."""
    (tmp_path / "app.yaml").write_text(SMALL, encoding="utf-8")
    yaml_runs = check_path(str(tmp_path / "app.yaml"), SMALL_OPTIONS)
    pod = tmp_path / "app.pod"
    pod.write_text(to_pod(load_inputs([str(tmp_path / "app.yaml")],
                                      SMALL_OPTIONS.manifests).result.value), "utf-8")
    pod_runs = check_path(str(pod), SMALL_OPTIONS)
    assert len(pod_runs) == len(yaml_runs) == 4  # two groups, each split for no-crash-loop
    assert _verdict_list(pod_runs) == _verdict_list(yaml_runs)
    assert any("group 2 of 2" in d.message for r in pod_runs for d in r.diagnostics)


def test_a_spec_with_expectations_is_checked_whole(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(SMALL, encoding="utf-8")
    spec = load_inputs([str(tmp_path / "app.yaml")], SMALL_OPTIONS.manifests).result.value
    assert spec is not None and splittable(spec)
    pod = tmp_path / "app.pod"
    pod.write_text(to_pod(spec) + "expect drain-completes violated\n", "utf-8")
    assert len(check_path(str(pod), SMALL_OPTIONS)) == 1


def test_the_suite_judges_a_check_of_several_groups_as_the_whole(tmp_path: Path) -> None:
    """`podcheck test` runs a manifest target group by group: `drain-completes` holds for
    `web` and is violated for `db` (its budget refuses every eviction), so one row,
    violated, as one exploration of the whole says."""
    path = tmp_path / "app.yaml"
    path.write_text(SMALL, encoding="utf-8")
    runs = check_path(str(path), SMALL_OPTIONS)
    judged = outcome(Target(str(path), expect=(("drain-completes", "violated"),)), runs)
    rows = {r.name: r for r in judged.rows}
    assert len(judged.rows) == len(rows)
    assert rows["drain-completes"].result.verdict is Verdict.VIOLATED
    assert rows["drain-completes"].status is RowStatus.PASS
    whole = check_file(str(path), replace(SMALL_OPTIONS, model=ModelOptions()))
    assert whole.result is not None
    assert {r.name: r.verdict for r in whole.result.results} == {
        name: row.result.verdict for name, row in rows.items()}


def test_check_narrows_a_pod_spec_to_the_checks_it_names(tmp_path: Path) -> None:
    """`--check` (a manifest option) also narrows a `.pod` spec, e.g. `podcheck import`
    output, to the properties it names."""
    (tmp_path / "app.yaml").write_text(SMALL, encoding="utf-8")
    spec = load_inputs([str(tmp_path / "app.yaml")], SMALL_OPTIONS.manifests).result.value
    pod = tmp_path / "app.pod"
    pod.write_text(to_pod(spec), "utf-8")
    options = replace(SMALL_OPTIONS, manifests=ManifestOptions(nodes=2, failures=0,
                                                                checks=("drain-completes",)))
    runs = check_path(str(pod), options)
    assert {name for run in _verdict_list(runs) for name, _ in run} == {"drain-completes"}
