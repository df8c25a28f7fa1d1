"""Issue 9 item 3: the reference BFS, the vector engine on 2 worker processes and on a
2-worker local Dask cluster give the same verdicts, state counts, depths and
counterexample lengths on every spec in specs/ that the vector engine can encode.

Kept fast: every spec is explored unreduced to 1 000 states or depth 10 (a round of
messages per level); full depths are compared on B1 in test_workers.py and
test_distributed.py.  A Dask run costs about a second whatever the spec (the system is
shipped to the workers), so the cluster runs one spec per folder of specs/, and every
spec with PODCHECK_SLOW=1 (the others are marked `slow`); it is skipped when Dask
distributed is not installed.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from test_vector import SPECS

from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import bfs, vector, workers
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.result import CheckResult

ROOT = Path(__file__).resolve().parents[2]
SHALLOW = BfsOptions(max_states=1000, max_depth=10, symmetry=False)
HAVE_DASK = importlib.util.find_spec("distributed") is not None
SLOW = os.environ.get("PODCHECK_SLOW") == "1"
FIRST = {str(Path(p).parent): p for p in reversed(SPECS)}  # one spec per folder
CLUSTER_SPECS = [p if p in FIRST.values() else pytest.param(p, marks=pytest.mark.slow)
                 for p in SPECS]


@pytest.fixture(scope="module")
def client():
    if not HAVE_DASK:
        yield None
        return
    from podcheck.engine.distributed.cluster import connect

    with connect("local:2") as opened:
        yield opened


def summary(result: CheckResult) -> tuple[object, ...]:
    """What every engine must agree on."""
    return (result.stats.states, result.stats.transitions, result.stats.depth,
            result.stats.complete, result.limit,
            tuple((r.name, r.verdict, None if r.trace is None else r.trace.length)
                  for r in result.results),
            None if result.deadlock is None else result.deadlock.length)


def encoded(path: str) -> tuple[object, object]:
    """The spec's system and its vector encoding (skips what the engine cannot run)."""
    system = load_and_compile(path, CheckOptions())[0].value
    if system is None:
        pytest.skip("a rejection spec: nothing to explore")
    try:
        return system, vector.compile_vector(system)
    except vector.Unsupported:
        pytest.skip("the vector engine hands this system to bfs")


@pytest.mark.parametrize("path", SPECS)
def test_reference_and_workers_agree(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    system, compiled = encoded(path)
    reference = summary(bfs.check(system, SHALLOW))
    assert summary(workers.explore_workers(system, compiled, SHALLOW, 2)[0]) == reference


@pytest.mark.parametrize("path", CLUSTER_SPECS)
def test_reference_and_cluster_agree(path, client, monkeypatch, request):
    if client is None:
        pytest.skip("Dask distributed is not installed (pip install 'podcheck[distributed]')")
    if request.node.get_closest_marker("slow") and not SLOW:
        pytest.skip("slow: PODCHECK_SLOW=1 runs every spec on the cluster")
    from podcheck.engine.distributed.cluster import explore_client

    monkeypatch.chdir(ROOT)
    system, compiled = encoded(path)
    reference = summary(bfs.check(system, SHALLOW))
    assert summary(explore_client(client, system, compiled, SHALLOW)[0]) == reference
