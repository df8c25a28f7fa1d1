"""The vector engine on several processes equals the one-process run exactly.

Ids, counts, depths, limits, verdicts, traces and deadlocks of `engine/workers.py` must be
those of `engine/vector.py` (and so of `engine/bfs.py`), whatever the number of workers.
Every spec of specs/: test_engine_agreement.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from b1_ir import b1_system
from test_vector import SPECS, _tiny, assert_agree

from podcheck import ir
from podcheck.check import CheckOptions, check_file
from podcheck.engine import bfs, vector, workers
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.result import CheckResult, Verdict

ROOT = Path(__file__).resolve().parents[2]
# A spec whose run is partitioned: 10 723 states over 32 levels, a violated property with
# its trace, no graph kept.  (examples/deployment-drain, used before, has a liveness
# property that holds: its graph is kept, so `--workers 2` explored it on one process.)
PARTITIONED = "specs/time/elapsed-drain.pod"


def run(system: ir.TransitionSystem, count: int, options: BfsOptions | None = None,
        **kw: object) -> CheckResult:  # fmt: skip
    result, traffic = workers.explore_workers(
        system, vector.compile_vector(system), options or BfsOptions(), count, **kw)
    assert traffic.workers == count and traffic.levels >= 1
    return result


@pytest.mark.parametrize(("m", "n", "k", "count"), [
    (2, 4, 3, 2), (2, 5, 5, 3), (2, 6, 2, 2), (3, 3, 0, 2), (2, 7, 6, 4),
])  # fmt: skip
def test_b1_counts_ids_and_traces_equal_one_process(m, n, k, count):
    system = b1_system(n, m, k, liveness=False)
    one, _ = vector.explore_vector(system)
    assert_agree(run(system, count), one)
    assert_agree(run(system, count), bfs.check(system))


@pytest.mark.parametrize("options", [
    BfsOptions(max_states=1), BfsOptions(max_states=100), BfsOptions(max_states=600),
    BfsOptions(max_depth=0), BfsOptions(max_depth=5), BfsOptions(check_deadlock=False),
])  # fmt: skip
def test_limits_end_as_one_process(options):
    system = dataclasses.replace(b1_system(5, 2, 4, liveness=False), terminal=ir.FALSE)
    one, _ = vector.explore_vector(system, options)
    assert_agree(run(system, 2, options), one)


def test_timeout_ends_inconclusive():
    system = b1_system(5, 2, 4, liveness=False)
    result = run(system, 2, BfsOptions(timeout_seconds=0.0))
    assert result.limit == "timeout" and not result.stats.complete
    assert all(r.verdict is not Verdict.HOLDS for r in result.results)


def test_fingerprint_workers_count_the_same_states():
    system = b1_system(6, 2, 5, liveness=False)
    one, _ = vector.explore_vector(system, fingerprint=True)
    many = run(system, 2, fingerprint=True)
    assert_agree(many, one)
    assert many.stats.collision_probability == one.stats.collision_probability


def test_a_canonicalisation_runs_in_the_workers():
    system = b1_system(4, 2, 3, liveness=False)
    assert_agree(run(system, 2, canonicalise=lambda keys: keys), vector.explore_vector(system)[0])


def test_a_domain_error_in_a_worker_is_raised_by_the_coordinator():
    system = _tiny(((0, ir.op("+", ir.Var(0), 1)),))
    with pytest.raises(ir.ModelError, match=r"x = 4 is outside 0..3"):
        run(system, 2)


def test_check_file_with_workers_matches_one_process(monkeypatch):
    monkeypatch.chdir(ROOT)
    runs = [check_file(PARTITIONED, CheckOptions(engine="vector", workers=w)) for w in (1, 2)]
    assert runs[0].result is not None and runs[1].result is not None
    assert runs[1].result.stats.workers == 2  # partitioned, not left to one process
    assert_agree(runs[1].result, runs[0].result)


def test_liveness_runs_on_one_process_with_the_graph(monkeypatch):
    # a property that holds: the stuck-state scan cannot decide it, the graph is needed
    monkeypatch.chdir(ROOT)
    path = next(p for p in SPECS if "liveness/deployment-node-failure" in p)
    one = check_file(path, CheckOptions(engine="vector"))
    many = check_file(path, CheckOptions(engine="vector", workers=2))
    assert many.graph is not None
    assert [r.verdict for r in many.result.results] == [r.verdict for r in one.result.results]


def test_available_cores_is_positive():
    assert workers.available_cores() >= 1


def test_the_cli_option_gives_the_same_report(monkeypatch):
    from typer.testing import CliRunner

    from podcheck.cli import app

    monkeypatch.chdir(ROOT)
    path = PARTITIONED
    one, two = (CliRunner().invoke(app, ["check", path, "--engine", "vector", "--workers", w])
                for w in ("1", "2"))  # fmt: skip
    assert one.exit_code == two.exit_code
    assert ", complete, on 2 processes\n" in two.stdout  # partitioned, and it says so
    assert one.stdout == two.stdout.replace(" --workers 2", "").replace(", on 2 processes", "")
    assert CliRunner().invoke(app, ["check", path, "--workers", "0"]).exit_code != 0


def test_the_bfs_engine_ignores_workers(monkeypatch):
    # bfs runs on one process whatever --workers says, liveness on the quotient included
    from typer.testing import CliRunner

    from podcheck.cli import app

    monkeypatch.chdir(ROOT)
    path = "specs/liveness/deployment-node-failure.pod"
    one, two = (CliRunner().invoke(app, ["check", path, "--workers", w]) for w in ("1", "2"))
    assert one.exit_code == two.exit_code == 0 and "symmetry: one state per orbit" in one.stdout
    assert one.stdout == two.stdout.replace(" --workers 2", "")
