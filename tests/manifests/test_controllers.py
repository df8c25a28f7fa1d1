"""The YAML front end reads a Job's podFailurePolicy, a CronJob's concurrencyPolicy,
startingDeadlineSeconds and `podcheck.io/schedules`, and a StatefulSet's updateStrategy
(manifests/controllers.py), and rejects what the API server rejects."""

from __future__ import annotations

from pathlib import Path

from podcheck.diagnostics import codes as c
from podcheck.manifests import load_inputs
from podcheck.spec import CronSchedule, IntOrPercent, PolicyRule
from podcheck.vocab import (
    ConcurrencyPolicy,
    ExitCodeOperator,
    PodFailurePolicyAction,
    StatefulSetUpdateStrategy,
)

CRON = """apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  annotations: {podcheck.io/schedules: "3"}
spec:
  schedule: "0 3 * * *"
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 100
  jobTemplate:
    spec:
      podFailurePolicy:
        rules:
        - action: Ignore
          onPodConditions: [{type: DisruptionTarget}]
        - action: FailJob
          onExitCodes: {containerName: w, operator: In, values: [42]}
      template:
        spec:
          restartPolicy: Never
          containers: [{name: w, image: x}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1, maxUnavailable: 2}}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: pg}]
"""


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "in.yaml"
    path.write_text(text, encoding="utf-8")
    return load_inputs([str(path)]).result


def test_cronjob_policy_and_statefulset_strategy_are_read(tmp_path: Path) -> None:
    result = _load(tmp_path, CRON)
    assert result.value is not None, result.diagnostics
    assert not [d for d in result.diagnostics if d.code == c.UNMODELLED_FIELD]
    w = {x.name: x for x in result.value.workloads}
    assert w["nightly"].cron == CronSchedule(3, ConcurrencyPolicy.FORBID, 100)
    assert w["nightly"].podFailurePolicy == (
        PolicyRule(PodFailurePolicyAction.IGNORE, conditions=(("DisruptionTarget", "True"),)),
        PolicyRule(PodFailurePolicyAction.FAIL_JOB, ExitCodeOperator.IN, (42,), "w"))
    db = w["db"]
    assert (db.updateStrategy, db.partition, db.setMaxUnavailable) == (
        StatefulSetUpdateStrategy.ROLLING_UPDATE, 1, IntOrPercent(2))


def test_what_validate_pod_failure_policy_rejects_is_pc407(tmp_path: Path) -> None:
    bad = CRON.replace("values: [42]", "values: [0, 42]").replace("containerName: w",
                                                                   "containerName: main")
    result = _load(tmp_path, bad)
    messages = [d.message for d in result.diagnostics if d.code == c.INVALID_FIELD_VALUE]
    assert any("must not be 0 for the In operator" in m for m in messages), messages
    assert any("must be one of the container or initContainer names" in m for m in messages)


def test_rolling_update_under_on_delete_is_rejected(tmp_path: Path) -> None:
    bad = CRON.replace("type: RollingUpdate,", "type: OnDelete,")
    result = _load(tmp_path, bad)
    assert any("only allowed for updateStrategy 'RollingUpdate'" in d.message
               for d in result.diagnostics if d.code == c.INVALID_FIELD_VALUE)


def test_the_default_schedule_count_is_two(tmp_path: Path) -> None:
    result = _load(tmp_path, CRON.replace('  annotations: {podcheck.io/schedules: "3"}\n', ""))
    assert result.value is not None
    nightly = next(w for w in result.value.workloads if w.name == "nightly")
    assert nightly.cron is not None and nightly.cron.schedules == 2


def test_import_keeps_the_controller_fields(tmp_path: Path) -> None:
    """`podcheck import` writes a CronJob as a `cronjob` block with its schedule fields,
    the podFailureRule blocks and the update strategy, and the DSL reads them back."""
    from podcheck.lang.check import load
    from podcheck.manifests import ManifestOptions
    from podcheck.manifests.export import import_text

    path = tmp_path / "in.yaml"
    path.write_text(CRON, encoding="utf-8")
    text = import_text([str(path)], ManifestOptions()).text
    pod = tmp_path / "out.pod"
    pod.write_text(text, encoding="utf-8")
    back = load(str(pod))
    assert back.value is not None, back.diagnostics
    direct = {w.name: w for w in _load(tmp_path, CRON).value.workloads}
    for w in back.value.workloads:
        assert (w.cron, w.podFailurePolicy, w.updateStrategy, w.partition,
                w.setMaxUnavailable) == (direct[w.name].cron, direct[w.name].podFailurePolicy,
                                         direct[w.name].updateStrategy, direct[w.name].partition,
                                         direct[w.name].setMaxUnavailable)
