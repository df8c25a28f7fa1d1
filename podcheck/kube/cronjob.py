"""CronJob controller rules: what one sync does with the most recent unmet schedule time.

Stage: `kube/` rule library.  Consumes the CronJob's concurrencyPolicy and
startingDeadlineSeconds and what the controller sees (an unmet schedule time, whether
its starting deadline has passed, the active Jobs); produces the sync's decision.
Mirrors `syncCronJob` (pkg/controller/cronjob/cronjob_controllerv2.go) and
`mostRecentScheduleTime` (pkg/controller/cronjob/utils.go) of Kubernetes v1.35:

* the controller looks only at the most recent schedule time since
  `status.lastScheduleTime`: several missed times start at most one Job;
* with `startingDeadlineSeconds`, a schedule time older than the deadline is skipped
  (event MissedSchedule / "Missed starting window") and counts as handled;
* `Forbid` with an active Job (`status.active` non-empty) starts nothing and keeps the
  time unmet (event JobAlreadyActive): the run starts late, once no Job is active, if
  its deadline allows;
* `Replace` deletes every active Job (background propagation: its pods go with it),
  then creates the new one; `Allow` creates it beside the active ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from podcheck.kube.errors import KubeInputError
from podcheck.vocab import ConcurrencyPolicy


class CronDecision(StrEnum):
    """What one sync does."""

    NOTHING = "nothing"  # no unmet schedule time
    SKIP_MISSED_DEADLINE = "skip-missed-deadline"  # too late to start: the time is handled
    WAIT_FORBID = "wait-forbid"  # Forbid with an active Job: the time stays unmet
    CREATE = "create"  # creates the Job (after deleting the active ones under Replace)


@dataclass(frozen=True)
class CronSync:
    """The decision and, for CREATE under Replace, how many active Jobs it deletes."""

    decision: CronDecision
    deletes: int = 0


def sync_core(policy: ConcurrencyPolicy, unmet: bool, deadline_passed: bool,
              active_jobs: int) -> CronSync:
    """`syncCronJob` on typed values: `unmet` (a schedule time since lastScheduleTime),
    `deadline_passed` (startingDeadlineSeconds is set and that time is older than it),
    `active_jobs` (len(status.active))."""
    if active_jobs < 0:
        raise KubeInputError("status.active: a count cannot be negative")
    if not unmet:
        return CronSync(CronDecision.NOTHING)
    if deadline_passed:
        return CronSync(CronDecision.SKIP_MISSED_DEADLINE)
    if policy is ConcurrencyPolicy.FORBID and active_jobs > 0:
        return CronSync(CronDecision.WAIT_FORBID)
    deletes = active_jobs if policy is ConcurrencyPolicy.REPLACE else 0
    return CronSync(CronDecision.CREATE, deletes)


def may_miss_deadline(policy: ConcurrencyPolicy, deadline: int | None) -> bool:
    """Whether a schedule time can outlive its starting deadline in a model where the
    controller acts at once when it may: only while Forbid holds it back, and only with
    a `startingDeadlineSeconds`."""
    return deadline is not None and policy is ConcurrencyPolicy.FORBID
