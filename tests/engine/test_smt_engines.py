"""The symbolic engines against BFS: a differential test over every spec in specs/.

BMC must find exactly BFS's verdict and shortest counterexample (or witness, or
deadlock) length for every safety goal within its depth; PDR must agree with BFS on
the full verdict for the small specs and for B1; a disagreement is a bug.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file, load_and_compile
from podcheck.engine import bfs
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic
from podcheck.ir import Expectation
from podcheck.report import words
from podcheck.report.invariant import render_invariant
from tests.engine.b1_ir import b1_system

ROOT = Path(__file__).resolve().parents[2]
# Specs whose replica range `check` runs one count at a time (podcheck.replica_ranges)
# are left out: their merged system of every count has no symmetry and is far beyond an
# unbounded BFS (specs/replicas/hpa-range-pdb.pod: over 18 GB); the per-count runs are
# compared with fixed-count runs in tests/integration/test_replica_ranges.py.
PER_COUNT = " run per count"
SPECS = sorted(p for p in (ROOT / "specs").glob("*/*.pod")
               if "# PODCHECK: check" in p.read_text().splitlines()[0]
               and not p.with_suffix(".expected").read_text().endswith("exit: 2\n")
               and PER_COUNT not in p.with_suffix(".expected").read_text())
SAFETY = (Expectation.ALWAYS, Expectation.SOMETIMES)
PDR_SPECS = ["seed/01-init-order", "seed/03-deadline", "seed/04-phase", "seed/10-emptydir",
             "seed/13-direct-delete", "seed/14-init-request"]


def system_of(path):
    compiled = load_and_compile(str(path), CheckOptions())[0]
    assert compiled.value is not None, path
    return compiled.value


def depth_for(system) -> int:
    """A BMC depth the test can afford: deeper for smaller systems."""
    size = len(system.vars) * len(system.actions)
    return 6 if size <= 700 else 4 if size <= 1500 else 2


def length(trace):
    return None if trace is None else trace.length


def test_the_spec_list_is_not_empty():
    assert len(SPECS) >= 25


@pytest.mark.parametrize("path", SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_bmc_agrees_with_bfs(path):
    system = system_of(path)
    k = depth_for(system)
    explicit = bfs.check(system)
    symbolic = run_symbolic(system, SymbolicOptions(SymbolicEngine.BMC, k))
    for prop, want, got in zip(system.properties, explicit.results, symbolic.results,
                               strict=True):
        if prop.expectation not in SAFETY:
            assert got.verdict is Verdict.UNKNOWN and "liveness" in words.detail(got)
            continue
        if want.trace is not None and want.trace.length <= k:
            assert (got.verdict, length(got.trace)) == (want.verdict, want.trace.length), prop
        else:
            assert (got.verdict, got.trace) == (Verdict.UNKNOWN, None), prop
            assert f"within {k} steps" in words.detail(got)
    dead = length(explicit.deadlock)
    assert length(symbolic.deadlock) == (dead if dead is not None and dead <= k else None)


def check_pdr(system):
    explicit = bfs.check(system)
    symbolic = run_symbolic(system, SymbolicOptions(SymbolicEngine.PDR))
    for prop, want, got in zip(system.properties, explicit.results, symbolic.results,
                               strict=True):
        if prop.expectation not in SAFETY:
            continue
        assert got.verdict is want.verdict, prop.name
        assert length(got.trace) == length(want.trace), prop.name
        if got.trace is None and prop.expectation is Expectation.ALWAYS:
            assert got.invariant is not None, prop.name  # re-checked by NOTE(pdr-invariant)
            assert render_invariant(system, got.invariant)
    assert length(symbolic.deadlock) == length(explicit.deadlock)


@pytest.mark.parametrize("name", PDR_SPECS)
def test_pdr_agrees_with_bfs_on_small_specs(name):
    check_pdr(system_of(ROOT / "specs" / f"{name}.pod"))


@pytest.mark.parametrize(("n", "m", "k"), [(2, 2, 1), (3, 2, 2)])
def test_pdr_agrees_with_bfs_on_b1(n, m, k):
    check_pdr(b1_system(n, m, k, liveness=False))


def test_pdr_invariant_in_the_spec_words():
    system = b1_system(2, 2, 1, liveness=False)
    result = run_symbolic(system, SymbolicOptions(SymbolicEngine.PDR, check_deadlock=False))
    safe = result.results[0]
    assert safe.verdict is Verdict.HOLDS and safe.invariant is not None
    text = "\n".join(render_invariant(system, safe.invariant))
    assert "pod-" in text or "violated" in text


def test_kind_proves_and_refutes_the_phase_claims():
    system = system_of(ROOT / "specs/seed/04-phase.pod")
    explicit = bfs.check(system)
    result = run_symbolic(system, SymbolicOptions(SymbolicEngine.KIND, 3, check_deadlock=False))
    for want, got in zip(explicit.results, result.results, strict=True):
        assert got.verdict is want.verdict, got.name
        assert length(got.trace) == length(want.trace)
    assert "k-induction, k = 0" in words.detail(result.results[0])


def test_kind_says_when_a_property_is_not_k_inductive():
    system = b1_system(2, 2, 1, liveness=False)
    result = run_symbolic(system, SymbolicOptions(SymbolicEngine.KIND, 1, check_deadlock=False,
                                                  simple_path=False))
    available = result.results[1]  # violated, but only after more than 2 steps
    assert bfs.check(system).results[1].trace.length > 2
    assert available.verdict is Verdict.UNKNOWN and available.trace is None
    assert words.detail(available) == "no violation found: not k-inductive for k <= 1"


def test_liveness_is_unknown_with_the_reason():
    result = run_symbolic(b1_system(2, 2, 1), SymbolicOptions(SymbolicEngine.BMC, 2))
    leads = [r for r in result.results if r.name.startswith("DrainCompletes")]
    assert leads and all(r.verdict is Verdict.UNKNOWN for r in leads)
    assert all("liveness property" in words.detail(r) and "bmc" in words.detail(r) for r in leads)


def test_check_file_runs_the_symbolic_engine():
    run = check_file(str(ROOT / "specs/seed/13-direct-delete.pod"),
                     CheckOptions(engine="bmc", max_depth=5))
    assert run.result is not None and run.result.engine == "bmc"
    verdicts = {r.name: r.verdict for r in run.result.results}
    assert verdicts["always-available"] is Verdict.VIOLATED
    assert run.exit_code == 1
