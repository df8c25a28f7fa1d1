"""kube.cronjob `sync_core` against the TestSyncOne_RunOrNot table of
pkg/controller/cronjob/cronjob_controller_test.go (the same rows as
TestControllerV2SyncCronJob in cronjob_controllerv2_test.go), schedule "on the hour".

Columns transcribed: concurrencyPolicy, ranPreviously/stillActive (the active Jobs),
now (justBeforeTheHour: no unmet time; justAfterTheHour: one), deadline (shortDead: the
time is past it; longDead or none: not), expectCreate, expectDelete.  Suspended and
invalid-schedule rows are left out (neither is modelled); the "long overdue" rows
(more than 100 missed times: an error event) too.
"""

from __future__ import annotations

import pytest

from podcheck.kube.cronjob import CronDecision, may_miss_deadline, sync_core
from podcheck.kube.errors import KubeInputError
from podcheck.vocab import ConcurrencyPolicy

A, F, R = ConcurrencyPolicy.ALLOW, ConcurrencyPolicy.FORBID, ConcurrencyPolicy.REPLACE
# name: (policy, active Jobs, unmet, deadline passed, create, delete)
ROWS = {
    "never ran, not time, A": (A, 0, False, False, False, False),
    "never ran, not time, F": (F, 0, False, False, False, False),
    "never ran, not time, R": (R, 0, False, False, False, False),
    "never ran, is time, A": (A, 0, True, False, True, False),
    "never ran, is time, F": (F, 0, True, False, True, False),
    "never ran, is time, R": (R, 0, True, False, True, False),
    "never ran, is time, past deadline": (A, 0, True, True, False, False),
    "never ran, is time, not past deadline": (A, 0, True, False, True, False),
    "prev ran but done, is time, A": (A, 0, True, False, True, False),
    "prev ran but done, is time, F": (F, 0, True, False, True, False),
    "prev ran but done, is time, R": (R, 0, True, False, True, False),
    "prev ran but done, is time, past deadline": (A, 0, True, True, False, False),
    "still active, not time, A": (A, 1, False, False, False, False),
    "still active, not time, F": (F, 1, False, False, False, False),
    "still active, not time, R": (R, 1, False, False, False, False),
    "still active, is time, A": (A, 1, True, False, True, False),
    "still active, is time, F": (F, 1, True, False, False, False),
    "still active, is time, R": (R, 1, True, False, True, True),
    "still active, is time, past deadline": (A, 1, True, True, False, False),
    "still active, is time, not past deadline": (A, 1, True, False, True, False),
}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_sync_one_run_or_not(name: str) -> None:
    policy, active, unmet, passed, create, delete = ROWS[name]
    got = sync_core(policy, unmet, passed, active)
    assert (got.decision is CronDecision.CREATE) == create
    assert (got.deletes > 0) == delete


def test_forbid_keeps_the_time_unmet_and_a_deadline_skips_it() -> None:
    assert sync_core(F, True, False, 1).decision is CronDecision.WAIT_FORBID
    assert sync_core(F, True, True, 1).decision is CronDecision.SKIP_MISSED_DEADLINE
    assert sync_core(R, True, False, 2).deletes == 2
    assert may_miss_deadline(F, 30) and not may_miss_deadline(F, None)
    assert not may_miss_deadline(A, 30) and not may_miss_deadline(R, 30)


def test_negative_active_count_is_rejected() -> None:
    with pytest.raises(KubeInputError):
        sync_core(A, True, False, -1)
