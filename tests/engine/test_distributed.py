"""The partitioned BFS on a 2-worker local Dask cluster equals the one-process run.

Ids, counts, depths, limits, verdicts and traces of `engine/distributed/` must be those
of `engine/vector.py` (and so of `engine/bfs.py`); the cluster is started once for the
module (2 worker processes).  Skipped when Dask distributed is not installed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="Dask distributed is not installed "
                    "(pip install 'podcheck[distributed]')")

from b1_ir import b1_system  # noqa: E402
from test_vector import SPECS, _tiny, assert_agree  # noqa: E402
from test_workers import PARTITIONED  # noqa: E402

from podcheck import ir  # noqa: E402
from podcheck.check import CheckOptions, check_file, load_and_compile  # noqa: E402
from podcheck.engine import bfs, vector, vsymmetry  # noqa: E402
from podcheck.engine.bfs import BfsOptions  # noqa: E402
from podcheck.engine.distributed import missing  # noqa: E402
from podcheck.engine.distributed.cluster import (  # noqa: E402
    connect,
    explore_client,
    local_workers,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client():
    with connect("local:2") as opened:
        yield opened


def run(client, system, options=None, **kw):
    result, traffic = explore_client(client, system, vector.compile_vector(system),
                                     options or BfsOptions(symmetry=False), **kw)
    assert traffic.workers == 2 and traffic.levels >= 1
    return result, traffic


@pytest.mark.parametrize(("m", "n", "k"), [(2, 4, 3), (2, 6, 2), (3, 3, 0)])
def test_b1_counts_ids_and_traces_equal_one_process(client, m, n, k):
    system = b1_system(n, m, k, liveness=False, symmetric=False)
    one, _ = vector.explore_vector(system, BfsOptions(symmetry=False))
    result, traffic = run(client, system)
    assert_agree(result, one)
    assert_agree(result, bfs.check(system, BfsOptions(symmetry=False)))
    # every new state but the seeds' is sent once at most; per level each actor sends
    # its end and its links to the one peer, and a batch after its one chunk if it has any
    assert 0 < traffic.peer_bytes and 4 * traffic.levels <= traffic.peer_messages
    assert traffic.peer_messages <= 6 * traffic.levels


# one round of messages per level: a few specs, shallow (test_workers.py has them all)
@pytest.mark.parametrize("path", [p for p in SPECS if "deployment-drain" in p
                                  or "statefulset" in p][:4])
def test_specs_agree_with_one_process(client, path, monkeypatch):
    monkeypatch.chdir(ROOT)
    system = load_and_compile(path, CheckOptions())[0].value
    assert system is not None
    shallow = BfsOptions(max_depth=12, symmetry=False)
    assert_agree(run(client, system, shallow)[0], vector.explore_vector(system, shallow)[0])


@pytest.mark.parametrize("options", [
    BfsOptions(max_states=1, symmetry=False), BfsOptions(max_states=300, symmetry=False),
    BfsOptions(max_depth=4, symmetry=False),
])  # fmt: skip
def test_limits_end_as_one_process(client, options):
    system = dataclasses.replace(b1_system(5, 2, 4, liveness=False, symmetric=False),
                                 terminal=ir.FALSE)
    assert_agree(run(client, system, options)[0], vector.explore_vector(system, options)[0])


def test_fingerprints_and_symmetry_run_on_the_workers(client):
    system = b1_system(6, 2, 5, liveness=False, symmetric=True)
    options = BfsOptions()
    reduced, _ = vector.explore_vector(system, options)
    canon, _ = vsymmetry.for_system(system, vector.compile_vector(system).layout, options,
                                    None)
    assert canon is not None  # pickled to the workers, traces mapped back to real runs
    assert reduced.stats.states < vector.explore_vector(system, BfsOptions(symmetry=False))[
        0].stats.states
    assert_agree(run(client, system, options, canonicalise=canon)[0], reduced)
    flat = BfsOptions(symmetry=False)
    one, _ = vector.explore_vector(system, flat, fingerprint=True)
    many, _ = run(client, system, flat, fingerprint=True)
    assert_agree(many, one)
    assert many.stats.collision_probability == one.stats.collision_probability


def test_a_domain_error_on_a_worker_is_raised_and_the_cluster_stays_usable(client):
    with pytest.raises(ir.ModelError, match=r"x = 4 is outside 0..3"):
        run(client, _tiny(((0, ir.op("+", ir.Var(0), 1)),)))
    system = b1_system(3, 2, 2, liveness=False, symmetric=False)
    assert_agree(run(client, system)[0], vector.explore_vector(system)[0])


def test_check_file_on_a_local_cluster_matches_one_process(monkeypatch):
    monkeypatch.chdir(ROOT)
    one = check_file(PARTITIONED, CheckOptions(engine="vector"))
    many = check_file(PARTITIONED, CheckOptions(engine="vector", cluster="local:2"))
    assert one.result is not None and many.result is not None
    assert many.result.stats.workers == 2  # explored on the cluster, not left to one process
    assert_agree(many.result, one.result)
    assert many.result.symmetry == one.result.symmetry


def test_addresses():
    assert local_workers("local:3") == 3 and local_workers("tcp://10.0.0.1:8786") is None
    with pytest.raises(ValueError, match="at least one worker"):
        local_workers("local:0")
    assert missing() is None


def test_the_cli_option_gives_the_same_report(monkeypatch):
    from typer.testing import CliRunner

    from podcheck.cli import app

    monkeypatch.chdir(ROOT)
    path = PARTITIONED
    one, two = (CliRunner().invoke(app, ["check", path, "--engine", "vector", *extra])
                for extra in ([], ["--cluster", "local:2"]))  # fmt: skip
    assert one.exit_code == two.exit_code
    assert ", complete, on 2 processes\n" in two.stdout  # on the cluster, and it says so
    assert one.stdout == two.stdout.replace(" --cluster local:2", "").replace(
        ", on 2 processes", "")
    refused = CliRunner().invoke(app, ["check", path, "--cluster", "local:2"])
    assert refused.exit_code != 0 and "add --engine vector" in refused.stderr
