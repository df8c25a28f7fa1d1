"""PDR (Spacer, seeded by NOTE(houdini)) against BFS on every spec the symbolic agreement
test reads (tests/engine/test_smt_engines.SPECS; issue 12 item 2).

Every safety goal PDR decides must have BFS's verdict and shortest counterexample /
witness / deadlock length: a disagreement is a bug.  Every invariant a proof carries is
re-checked here as inductive and safe, from the IR, by a query of its own
(`smt.check_invariant`), and it must print.  The specs in `FAST` (PDR decides each of
their goals in about a second: bench/bench_pdr.py) run in CI and must be decided in
full; every other spec is marked `slow` and runs with PODCHECK_SLOW=1 under
`SLOW_TIMEOUT` seconds, where a goal left undecided (Z3's unknown, the budget) is
allowed and every decided one must agree.
"""

from __future__ import annotations

import os

import pytest

from podcheck.engine import bfs, smt
from podcheck.engine.pdr import prove
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import DEADLOCK, goals_of
from podcheck.ir import Expectation, TransitionSystem
from podcheck.report.invariant import render_invariant
from tests.engine.test_smt_engines import SPECS, system_of

SLOW = os.environ.get("PODCHECK_SLOW") == "1"
SLOW_TIMEOUT = 120.0
FAST_TIMEOUT = 60.0  # a hang guard only: these take about a second
FAST = {
    "crash-loop/exit-zero-on-failure", "drain/bare-pod-with-force", "drain/emptydir-refused",
    "drain/two-pdbs-stuck", "examples/daemonset-node-failure", "examples/job-backoff",
    "jobs/never-pods-listed", "placement/tolerate-unreachable-forever",
    "probes/readiness-first-tick", "probes/starter-killed-every-phase", "seed/01-init-order",
    "seed/03-deadline", "seed/04-phase", "seed/10-emptydir", "seed/13-direct-delete",
    "seed/14-init-request",
}  # fmt: skip


def _name(path) -> str:
    return f"{path.parent.name}/{path.stem}"


CASES = [pytest.param(p, id=_name(p), marks=() if _name(p) in FAST else pytest.mark.slow)
         for p in SPECS]  # fmt: skip


def test_every_fast_spec_is_read():
    assert FAST <= {_name(p) for p in SPECS}


def bfs_answers(system: TransitionSystem) -> dict[int, int | None]:
    """Per safety goal (property index, `DEADLOCK`): BFS's shortest run to it, or None."""
    explicit = bfs.check(system)
    out: dict[int, int | None] = {}
    for i, (prop, r) in enumerate(zip(system.properties, explicit.results, strict=True)):
        if prop.expectation in (Expectation.ALWAYS, Expectation.SOMETIMES):
            out[i] = None if r.trace is None else r.trace.length
    out[DEADLOCK] = None if explicit.deadlock is None else explicit.deadlock.length
    return out


def pdr_agrees(system: TransitionSystem, timeout: float, *, complete: bool) -> int:
    """Compare PDR with BFS goal by goal (module doc); the number of goals decided."""
    want = bfs_answers(system)
    goals = goals_of(system, check_deadlock=True)
    decided = 0
    for g, proof in prove(system, goals, smt.Deadline(timeout)).items():
        if proof.reach is not None and proof.reach.trace is not None:
            assert proof.reach.trace.length == want[g], (g, "a run BFS does not have")
        elif proof.proved:
            assert want[g] is None, (g, f"proved unreachable, BFS reaches it in {want[g]}")
            always = g == DEADLOCK or system.properties[g].expectation is Expectation.ALWAYS
            assert proof.invariant is not None or not always, g
            if proof.invariant is not None:
                again = smt.check_invariant(system, proof.invariant, goals[g], smt.Deadline())
                assert again is Verdict.HOLDS, g
                assert all(line and "None" not in line
                           for line in render_invariant(system, proof.invariant))
        else:
            assert not complete, (g, "undecided", proof.unknown)
            continue
        decided += 1
    return decided


@pytest.mark.parametrize("path", CASES)
def test_pdr_agrees_with_bfs(path, request):
    if request.node.get_closest_marker("slow") and not SLOW:
        pytest.skip("slow: PODCHECK_SLOW=1 runs PDR on every spec")
    fast = _name(path) in FAST
    system = system_of(path)
    decided = pdr_agrees(system, FAST_TIMEOUT if fast else SLOW_TIMEOUT, complete=fast)
    assert decided or not fast
