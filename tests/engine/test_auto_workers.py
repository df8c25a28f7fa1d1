"""`--workers auto` (engine/auto.py, NOTE(auto-workers)): one process, then workers.

Whatever the threshold at which the run is handed to the workers, its ids, counts,
depths, limits, verdicts, traces and deadlocks equal the one-process run's, and
`Stats.workers` says how many processes explored.  The threshold and the core count are
pinned in every test (never the machine's cores, never timing).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from b1_ir import b1_system
from test_vector import assert_agree

from podcheck import ir
from podcheck.check import CheckOptions, check_file
from podcheck.engine import auto, vector
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.result import CheckResult

ROOT = Path(__file__).resolve().parents[2]


def handed(system: ir.TransitionSystem, options: BfsOptions | None = None, *,
           cores: int = 2, at: int = 1, **kw: object) -> CheckResult:  # fmt: skip
    result, graph = auto.explore(system, options, cores=cores, handoff_states=at, **kw)
    assert graph is None
    return result


@pytest.mark.parametrize(("n", "k", "symmetric", "cores", "at"), [
    (4, 3, False, 2, 1), (5, 2, False, 2, 40), (5, 5, False, 3, 60), (6, 5, True, 2, 1),
    (6, 2, True, 3, 10), (7, 6, True, 2, 30),
])  # fmt: skip
def test_a_handed_over_run_equals_one_process(n, k, symmetric, cores, at):
    system = b1_system(n, 2, k, liveness=False, symmetric=symmetric)
    one, _ = vector.explore_vector(system)
    many = handed(system, cores=cores, at=at)
    assert_agree(many, one)
    assert many.stats.workers == cores and one.stats.workers == 1
    assert many.symmetry == one.symmetry


def test_symmetry_stays_on_after_the_handoff():
    system = b1_system(7, 2, 6, liveness=False, symmetric=True)
    reduced, full = handed(system), handed(system, BfsOptions(symmetry=False))
    assert reduced.symmetry is not None and reduced.symmetry.used
    assert reduced.stats.states < full.stats.states
    assert reduced.stats.workers == full.stats.workers == 2


@pytest.mark.parametrize("options", [
    BfsOptions(max_states=100), BfsOptions(max_states=600), BfsOptions(max_depth=3),
    BfsOptions(max_depth=9), BfsOptions(check_deadlock=False), BfsOptions(),
])  # fmt: skip
@pytest.mark.parametrize("at", [1, 50])
def test_limits_and_deadlocks_end_as_one_process(options, at):
    # no terminal state: the first deadlock is found (before or after the handoff)
    system = dataclasses.replace(b1_system(5, 2, 4, liveness=False), terminal=ir.FALSE)
    one, _ = vector.explore_vector(system, options)
    assert_agree(handed(system, options, at=at), one)


@pytest.mark.parametrize("at", [1, 100])
def test_fingerprints_are_handed_over(at):
    system = b1_system(6, 2, 5, liveness=False)
    one, _ = vector.explore_vector(system, fingerprint=True)
    many = handed(system, fingerprint=True, at=at)
    assert_agree(many, one)
    assert many.stats.collision_probability == one.stats.collision_probability
    assert many.engine == "vector-fingerprint" and many.stats.workers == 2


@pytest.mark.parametrize(("options", "cores", "at"), [
    (BfsOptions(), 1, 1),  # one core: nothing to hand over to
    (BfsOptions(keep_graph=True), 2, 1),  # the liveness checker needs the graph
    (BfsOptions(), 2, 10**9),  # the space ends before the threshold
])  # fmt: skip
def test_one_process_when_workers_would_not_help(options, cores, at):
    system = b1_system(5, 2, 4, liveness=False)
    result, graph = auto.explore(system, options, cores=cores, handoff_states=at)
    assert result.stats.workers == 1
    assert (graph is not None) == options.keep_graph
    assert_agree(result, vector.explore_vector(system, options)[0])


def test_a_count_of_workers_is_obeyed():
    system = b1_system(5, 2, 4, liveness=False)
    result, _ = auto.explore(system, workers=1, cores=2, handoff_states=1)
    assert result.stats.workers == 1
    result, _ = auto.explore(system, workers=3, cores=2, handoff_states=10**9)
    assert result.stats.workers == 3


def test_check_says_how_many_processes_explored(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(auto, "HANDOFF_STATES", 1)
    monkeypatch.setattr(auto.procs, "available_cores", lambda: 2)
    path = "specs/seed/12-drain-pdb.pod"  # safety only, reduced by symmetry
    one = check_file(path, CheckOptions(engine="vector", workers=1))
    many = check_file(path, CheckOptions(engine="vector"))
    assert one.result is not None and many.result is not None
    assert_agree(many.result, one.result)
    assert many.result.stats.workers == 2 and one.result.stats.workers == 1
    assert many.result.symmetry == one.result.symmetry and many.graph is None
    from podcheck.report.itf import result_to_json
    from podcheck.report.text import render_stats

    assert json.loads(json.dumps(result_to_json(many.result)))["statistics"]["workers"] == 2
    assert "workers" not in result_to_json(one.result)["statistics"]
    assert ", on 2 processes" in render_stats(many.result)


def test_the_cli_takes_auto_and_counts():
    from podcheck.cli_options import parse_workers

    assert parse_workers("auto") == auto.AUTO and parse_workers("3") == 3
    for bad in ("0", "-1", "many"):
        with pytest.raises(Exception, match="neither auto nor"):
            parse_workers(bad)


def test_explicit_workers_skip_the_same_twins_and_agree():
    from podcheck.engine import partition, workers
    from podcheck.engine.vsymmetry import for_system

    system = b1_system(7, 2, 6, liveness=False, symmetric=True)
    canon, _ = for_system(system, vector.compile_vector(system).layout, BfsOptions(), None)
    pruned = partition.partition_twins(system, canon, BfsOptions())
    assert pruned is not None and pruned.pairs
    assert partition.partition_twins(system, canon, BfsOptions(twins=False)) is None
    many, _ = workers.explore(system, workers=2)
    assert_agree(many, vector.explore_vector(system)[0])
    assert many.stats.workers == 2 and many.symmetry is not None and many.symmetry.used


def _in_pool(_: int) -> int:
    system = b1_system(5, 2, 4, liveness=False)
    return auto.explore(system, cores=2, handoff_states=1)[0].stats.workers


def test_a_pool_worker_stays_one_process():
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:  # daemonic workers
        assert pool.map(_in_pool, [0]) == [1]
