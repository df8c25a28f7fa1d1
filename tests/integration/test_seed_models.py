"""Pinned state spaces and counterexamples of the seed specs (STYLE rule 14).

For every seed spec: the distinct states, transitions and BFS depth, the length of the
shortest counterexample of each violated property (for a liveness lasso, its length
and the step where its loop starts) and of the shortest deadlock.  A change to the
model that changes a state space shows up here, in review.  The values were read off
the traces (`podcheck.report.text.render_result`), e.g.:

  02 strict-never-fails, 3 steps: bind, start init `migrate`, it crashes under Never.
  05 abandoned-never-fails, 8 steps: bind, start, hang, 3 liveness failures 10 s apart
     (the liveness phase is placed at the hang: NOTE(lazy-phase)).
  07 killed-becomes-ready: a 65-step prefix (both pods started, `protected` Ready),
     then an 8-action fair loop in which `killed` is restarted after a 300 s back-off
     and killed by its liveness probe again.
  09 web-may-lose, 5 steps: bind, start both containers, `metrics` binds 8080 first,
     `web` fails to bind it and exits 1 (the race the other way round is also reachable).
  08 backoff-below-cap, 30 steps: five exits with back-offs 10, 20, 40, 80, 160 s; the
     next back-off is the 300 s cap.
  04 the deadlock, 1 step: the only node fails before `batch` is bound; the pod stays
     Pending forever (disruptions start from the first state, issue 14 item 1).
  10 data-never-lost, 2 steps: a direct delete of cache-1, and its replacement (a new uid).
  11 lonely-ready-again: the bare pod is bound to n1, n1 fails before it starts, the
     300 s of its unreachable toleration pass, the taint eviction controller deletes it
     (6 steps), and the run stutters forever.
  13 / 13b always-available, 5 steps: both replicas Running on one node, then a direct
     delete (13) or the node's failure (13b) leaves fewer Ready pods than minAvailable 2;
     budget-respected (no granted eviction goes below it) holds.
  14 heavy-eventually-runs and the deadlock: `light` runs (2 steps); `warmup-heavy`,
     whose init container asks for 4 cpu of a 2-cpu node, stays Pending forever.

The exploration is deterministic: a second run in a fresh interpreter with another
hash seed gives the same counts and the same traces, step by step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest

from podcheck.check import CheckOptions, CheckRun, check_file
from podcheck.engine.result import Trace, Verdict
from tests.integration.test_reference_agreement import ROOT, SEED_DIR, SEEDS


@dataclass(frozen=True, slots=True)
class Pin:
    """What one seed spec must explore: counts, and counterexample lengths by name
    (an int for a finite trace, `(length, loop_start)` for a lasso)."""

    states: int
    transitions: int
    depth: int
    violated: dict[str, int | tuple[int, int]] = field(default_factory=dict)
    deadlock: int | None = None


PINS = {
    "01-init-order": Pin(14, 14, 10),
    "02-init-failure": Pin(135, 230, 14, {"strict-never-fails": 3}),
    "03-deadline": Pin(21, 20, 20),
    "04-phase": Pin(18, 22, 6, {"never-failed": 3, "no-deadlock": 1}, deadlock=1),
    "05-liveness-restart": Pin(138, 219, 18, {"abandoned-never-fails": 8}),
    "06-readiness-traffic": Pin(22, 35, 10, {"no-unready-traffic": 9}),
    "07-slow-starter": Pin(3974, 5038, 82, {"killed-becomes-ready": (73, 65)}),
    "08-backoff": Pin(35, 35, 34, {"backoff-below-cap": 30, "no-crash-loop": (34, 30)}),
    "08b-backoff-reset": Pin(16, 17, 10),
    "09-port-conflict": Pin(55, 56, 28, {"no-crash-loop": (28, 25), "web-may-lose": 5}),
    "09b-port-init-and-app": Pin(6, 5, 5),
    "09c-port-listed-twice": Pin(3, 2, 2),
    "09d-port-sidecar-and-app": Pin(45, 46, 43, {"no-crash-loop": (43, 38)}),
    # 10: a deleted pod is Terminating for its grace period (issue 14 item 7); 12, 13:
    # nothing observes it, so it is removed at its delete (NOTE(termination-unobserved))
    "10-emptydir": Pin(271, 533, 21, {"data-never-lost": 2, "first-pod-never-restarts": 4}),
    "11-bare-vs-deployment": Pin(129, 238, 6, {"lonely-ready-again": (6, 6)}),
    "12-drain-pdb": Pin(59208, 234517, 20),
    "13-direct-delete": Pin(80, 168, 8, {"always-available": 5}),
    "13b-node-failure": Pin(181, 326, 12, {"always-available": 5}),
    "14-init-request": Pin(3, 2, 2, {"heavy-eventually-runs": (2, 2)}, deadlock=2),
}


@pytest.fixture(scope="module")
def runs() -> dict[str, CheckRun]:
    """One full check of every seed spec (liveness included), shared by the tests."""
    return {p.stem: check_file(str(p), CheckOptions(symmetry=False)) for p in SEEDS}


def _length(trace: Trace) -> int | tuple[int, int]:
    return trace.length if trace.loop_start is None else (trace.length, trace.loop_start)


def test_every_seed_spec_is_pinned():
    assert sorted(PINS) == [p.stem for p in SEEDS]


@pytest.mark.parametrize("name", ["09-port-conflict", "09b-port-init-and-app",
                                  "09c-port-listed-twice", "09d-port-sidecar-and-app"])
def test_a_repeated_port_is_a_warning_and_the_spec_is_checked(name: str):
    # pkg/api/pod/warnings.go: the API server admits the pod with a warning
    run = check_file(str(SEED_DIR / f"{name}.pod"), CheckOptions())
    assert run.result is not None
    assert [(d.code, d.severity.value) for d in run.diagnostics] == [("PC206", "warning")]


@pytest.mark.parametrize("name", sorted(PINS))
def test_seed_state_space_and_counterexamples_are_pinned(name: str, runs: dict[str, CheckRun]):
    run, pin = runs[name], PINS[name]
    assert run.result is not None, [d.message for d in run.diagnostics]
    stats = run.result.stats
    assert (stats.states, stats.transitions, stats.depth) == (
        pin.states, pin.transitions, pin.depth)
    assert stats.complete
    violated = {r.name: _length(r.trace) for r in run.result.results
                if r.verdict is Verdict.VIOLATED and r.trace is not None}
    assert violated == pin.violated
    no_trace = [r.name for r in run.result.results
                if r.verdict is Verdict.VIOLATED and r.trace is None]
    assert no_trace == []  # every seed violation comes with a counterexample
    deadlock = run.result.deadlock
    assert (deadlock.length if deadlock is not None else None) == pin.deadlock


@pytest.mark.parametrize("name", sorted(PINS))
def test_seed_verdicts_match_their_expect_lines(name: str, runs: dict[str, CheckRun]):
    run = runs[name]
    assert run.result is not None
    assert all(r.expected is not None for r in run.result.results), "every claim is expected"
    wrong = [(r.name, r.verdict.value, r.expected) for r in run.result.results
             if not r.as_expected]
    assert wrong == []


# ------------------------------------------------------------------ determinism


def _trace_digest(trace: Trace | None) -> Any:
    if trace is None:
        return None
    steps = [[list(s.state), s.action] for s in trace.steps]
    return {"steps": steps, "loop_start": trace.loop_start, "loop_action": trace.loop_action}


def digest(run: CheckRun) -> dict[str, Any]:
    """Counts, verdicts, details and every trace of one run, as plain JSON values."""
    assert run.result is not None
    stats = run.result.stats
    return {
        "counts": [stats.states, stats.transitions, stats.depth],
        "results": [[r.name, r.verdict.value, repr(r.reason), _trace_digest(r.trace)]
                    for r in run.result.results],
        "deadlock": _trace_digest(run.result.deadlock),
    }


def digest_all() -> str:
    """`digest` of every seed spec, as one JSON text (run by the subprocess below)."""
    off = CheckOptions(symmetry=False)
    return json.dumps({p.stem: digest(check_file(str(p), off)) for p in SEEDS})


def test_bfs_is_deterministic_across_interpreters(runs: dict[str, CheckRun]):
    here = {name: digest(run) for name, run in runs.items()}
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    code = "from tests.integration.test_seed_models import digest_all; print(digest_all())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    there = json.loads(out)
    assert sorted(there) == sorted(here)
    for name in here:
        assert there[name] == here[name], name
