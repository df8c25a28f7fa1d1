"""The `.pod` schema's tables for Job-like controllers: a Job's counts, a CronJob's
schedule fields and a Job's `podFailurePolicy` rules.

Stage: data for `podcheck.lang.schema` (which assembles the blocks), split from it by
size; consumes the vocabulary only.
"""

from __future__ import annotations

from podcheck.lang.fieldspec import FieldSpec, vocab_field
from podcheck.vocab import ConcurrencyPolicy, ExitCodeOperator, PodFailurePolicyAction

# One `podFailurePolicy` rule of a Job (batch/v1 `PodFailurePolicyRule`), in order.
POD_FAILURE_RULE_FIELDS = (
    vocab_field("action", PodFailurePolicyAction, doc="FailJob, Ignore or Count (required)"),
    FieldSpec("onExitCodes", "int-list", min=0, max=255,
              doc="exit codes of a terminated container (onExitCodes.values)"),
    vocab_field("operator", ExitCodeOperator, "In", doc="In or NotIn the exit codes"),
    FieldSpec("containerName", "text", doc="only this container's exit code counts"),
    FieldSpec("onPodConditions", "name-list",
              doc="pod conditions with status True: `DisruptionTarget`"),
)
JOB_FIELDS = (
    FieldSpec("completions", "int", "1", min=1, doc="successful pods needed"),
    FieldSpec("parallelism", "int", "1", min=0, doc="pods running at once"),
    FieldSpec("backoffLimit", "int", "6", min=0, doc="failed pods before the Job fails"),
)
CRON_FIELDS = (
    FieldSpec("schedules", "int", "1", min=1, doc="schedule times that may arrive"),
    vocab_field("concurrencyPolicy", ConcurrencyPolicy, "Allow",
                doc="what a schedule time does while a Job is active"),
    FieldSpec("startingDeadlineSeconds", "int", min=0,
              doc="a late schedule time may be skipped (Forbid)"),
)
