"""The DSL's controller fields reach the checked spec: `podFailureRule` blocks (in
order, as kube `PolicyRule`s), a StatefulSet's update strategy (`maxUnavailable` is its
`rollingUpdate.maxUnavailable`, not a Deployment's), and a `cronjob` block (a Job with
`cron`)."""

from __future__ import annotations

from pathlib import Path

from podcheck.lang.check import load
from podcheck.spec import CronSchedule, IntOrPercent, PolicyRule, WorkloadKind
from podcheck.vocab import (
    ConcurrencyPolicy,
    ExitCodeOperator,
    PodFailurePolicyAction,
    StatefulSetUpdateStrategy,
)

SPEC = """
cluster { nodes: 1 }
job batch {
  podFailureRule { action: Ignore  onPodConditions: [DisruptionTarget] }
  podFailureRule { action: FailJob  operator: NotIn  onExitCodes: [1, 2]  containerName: w }
  template { restartPolicy: Never  container w { } }
}
cronjob nightly {
  schedules: 3
  concurrencyPolicy: Replace
  startingDeadlineSeconds: 20
  backoffLimit: 1
  template { restartPolicy: Never  container w { } }
}
statefulset db {
  replicas: 4
  partition: 2
  maxUnavailable: 50%
  template { container pg { } }
}
statefulset plain { template { container pg { } } }
"""


def test_controller_fields_reach_the_checked_spec(tmp_path: Path) -> None:
    path = tmp_path / "c.pod"
    path.write_text(SPEC, encoding="utf-8")
    result = load(str(path))
    assert result.value is not None, result.diagnostics
    w = {x.name: x for x in result.value.workloads}
    assert w["batch"].podFailurePolicy == (
        PolicyRule(PodFailurePolicyAction.IGNORE, conditions=(("DisruptionTarget", "True"),)),
        PolicyRule(PodFailurePolicyAction.FAIL_JOB, ExitCodeOperator.NOT_IN, (1, 2), "w"))
    assert w["batch"].cron is None
    nightly = w["nightly"]
    assert nightly.kind is WorkloadKind.JOB and nightly.backoffLimit == 1
    assert nightly.cron == CronSchedule(3, ConcurrencyPolicy.REPLACE, 20)
    db = w["db"]
    assert (db.updateStrategy, db.partition, db.setMaxUnavailable) == (
        StatefulSetUpdateStrategy.ROLLING_UPDATE, 2, IntOrPercent(50, True))
    assert db.maxUnavailable == IntOrPercent(25, True)  # the Deployment field is untouched
    assert w["plain"].setMaxUnavailable is None and w["plain"].partition == 0
