"""`podcheck counts` with rolling updates (NOTE(counter-rollout), issue 12 item 3): the
rollout counter system against explicit BFS of the full model (model/deployment.py,
model/replicaset.py) at replicas 1, 2 and 3, the Deployment's fenceposts and the PDB
rounding among the cases, and the rollouts the counts refuse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podcheck.counting import counts_file
from podcheck.diagnostics import codes
from tests.engine.test_counts import agree, write


def rolling(tmp_path: Path, surge: str, unavailable: str, rollouts: int = 1,
            kind: str = "deployment", strategy: str = "", **edit: object) -> str:  # fmt: skip
    path = Path(write(tmp_path, mode=f"rollouts: {rollouts}", **edit))  # type: ignore[arg-type]
    fields = f"  maxSurge: {surge}\n  maxUnavailable: {unavailable}\n{strategy}  template {{"
    text = path.read_text().replace("  template {", fields, 1)
    path.write_text(text.replace("deployment web", f"{kind} web"))
    return str(path)


# (maxSurge, maxUnavailable, PDB, node failures): 0 / 25% resolves to unavailable 1 at
# 1..3 replicas (ResolveFenceposts); a PDB's 50% rounds up
CASES = [("0", "25%", "minAvailable: 50%", 0), ("0", "25%", "minAvailable: 50%", 1),
         ("0", "25%", "maxUnavailable: 1", 1), ("0", "1", "minAvailable: 2", 0),
         ("0", "1", "maxUnavailable: 50%", 1), ("1", "0", "maxUnavailable: 1", 0),
         ("1", "0", "minAvailable: 50%", 0)]  # fmt: skip


SLOW = os.environ.get("PODCHECK_SLOW") == "1"
# the first two cases in CI (each full-model run at replicas 1..3 takes 10-40 s); every
# case with PODCHECK_SLOW=1
MARKED = [c if i < 2 else pytest.param(*c, marks=pytest.mark.slow) for i, c in enumerate(CASES)]


@pytest.mark.parametrize(("surge", "unavailable", "budget", "failures"), MARKED)
def test_rollout_counts_agree_with_the_full_model_at_every_small_count(
        tmp_path, request, surge, unavailable, budget, failures):  # fmt: skip
    if request.node.get_closest_marker("slow") and not SLOW:
        pytest.skip("slow: PODCHECK_SLOW=1 compares every rollout case with the full model")
    agree(rolling(tmp_path, surge, unavailable, budget=budget, failures=failures))


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="slow: PODCHECK_SLOW=1 compares two rollouts")
def test_two_rollouts_agree_with_the_full_model(tmp_path):
    agree(rolling(tmp_path, "0", "1", rollouts=2, budget="maxUnavailable: 1"))


@pytest.mark.parametrize(("kind", "strategy"), [("deployment", "  strategy: Recreate\n"),
                                                ("replicaset", "")])  # fmt: skip
def test_rollouts_other_than_rolling_updates_are_refused(tmp_path, kind, strategy):
    path = rolling(tmp_path, "1", "0", kind=kind, strategy=strategy)
    if kind == "replicaset":  # a ReplicaSet has no strategy fields
        text = Path(path).read_text()
        Path(path).write_text(text.replace("  maxSurge: 1\n  maxUnavailable: 0\n", ""))
    run = counts_file(path)
    assert run.counted is None and run.exit_code == 2
    (problem,) = [d for d in run.diagnostics if d.code == codes.OUTSIDE_COUNTER_ABSTRACTION]
    assert "rollouts other than a Deployment's RollingUpdate" in problem.message
