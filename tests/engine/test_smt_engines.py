"""The symbolic engines against BFS: a differential test over every spec in specs/.

BMC must find exactly BFS's verdict and shortest counterexample (or witness, or
deadlock) length for every safety goal within its depth; PDR must agree with BFS on
the full verdict for B1 (every spec: test_pdr_agreement.py); a disagreement is a bug.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file, load_and_compile
from podcheck.engine import bfs
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic
from podcheck.ir import Expectation
from podcheck.lang.check import load
from podcheck.model.compile import compile_spec
from podcheck.report import words
from podcheck.report.invariant import render_invariant
from podcheck.suitefile import options_of, target
from tests.engine.b1_ir import b1_system

ROOT = Path(__file__).resolve().parents[2]
# Which specs of specs/ the agreement tests read, and why the others are left out:
# - the commands that compile a spec to one transition system are read: `check` (every
#   option), `tune` (the merged system of every point of its parameter, NOTE(param-merge))
#   and `fit` (the same spec as `check` compiles it; `fit` itself asks Z3 about the
#   placement, tests/engine/test_binpack.py);
# - an expected exit 2 (an input error) has no system to check;
# - `counts` specs write `replicas` as a range beyond the 256 points `check` enumerates
#   (PC202: no merged system); their counter systems are compared with explicit BFS of
#   the full model at every count of a small range in tests/engine/test_counts.py and
#   with per-count BFS in tests/engine/test_parametric.py;
# - `parse` (specs/examples/imports.pod) is a golden of the import resolution: its system
#   has more than 300 000 states (an unbounded BFS of it is beyond a test);
# - specs whose replica range `check` runs one count at a time (podcheck.replica_ranges)
#   are left out of the merged comparison: their merged system of every count has no
#   symmetry and is far beyond an unbounded BFS (specs/replicas/hpa-range-pdb.pod: over
#   18 GB); `test_bmc_agrees_with_bfs_per_count` compares each of their first counts.
PER_COUNT = " run per count"
COMMANDS = ("# PODCHECK: check", "# PODCHECK: tune", "# PODCHECK: fit")


def _read(p: Path) -> bool:
    expected = p.with_suffix(".expected").read_text()
    return (p.read_text().splitlines()[0].startswith(COMMANDS)
            and not expected.endswith("exit: 2\n") and PER_COUNT not in expected)


SPECS = sorted(p for p in (ROOT / "specs").glob("*/*.pod") if _read(p))
PER_COUNT_SPECS = sorted(p for p in (ROOT / "specs").glob("*/*.pod")
                         if PER_COUNT in p.with_suffix(".expected").read_text())
# Manifests (`*.yaml` with a `# PODCHECK: check` header) are specs too: each compiled with
# its header's options (`suitefile.options_of`, as `podcheck test` reads it), every one
# under a second of CPU (20 in all, about 8 s of CPU, measured 2026-12-03 at load 4).
MANIFESTS = sorted(p for p in (ROOT / "specs").rglob("*.yaml")
                   if p.with_suffix(".expected").exists() and _read(p)
                   and p.read_text().startswith("# PODCHECK: check"))
FIRST_COUNTS = 3  # the later counts of hpa-range-pdb take 10-30 s of BFS each
SAFETY = (Expectation.ALWAYS, Expectation.SOMETIMES)


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
    assert {p.stem for p in SPECS} >= {"tune-startup", "fit-spread"}


@pytest.mark.parametrize("path", SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_bmc_agrees_with_bfs(path):
    bmc_agrees(system_of(path))


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bmc_agrees_with_bfs_on_manifests(path):
    options = options_of(target(str(path)), CheckOptions())
    assert isinstance(options, CheckOptions), options
    compiled = load_and_compile(str(path), options)[0]
    assert compiled.value is not None, path
    bmc_agrees(compiled.value)


def test_the_manifest_list_is_read():
    assert len(MANIFESTS) >= 15
    assert {p.stem for p in MANIFESTS} >= {"startup-threshold-range", "pdb-min-available-range"}


def per_count_systems():
    for path in PER_COUNT_SPECS:
        spec = load(str(path)).value
        assert spec is not None and spec.instances, path
        for point, instance in spec.instances[:FIRST_COUNTS]:
            yield pytest.param(path, instance, id=f"{path.stem}{list(point)}")


@pytest.mark.parametrize(("path", "instance"), list(per_count_systems()))
def test_bmc_agrees_with_bfs_per_count(path, instance):
    """A replica range `check` runs per count: BMC and BFS agree at each count."""
    system = compile_spec(instance).value
    assert system is not None, path
    bmc_agrees(system)


def test_every_per_count_spec_is_read():
    assert {p.stem for p in PER_COUNT_SPECS} >= {"hpa-range-pdb", "replicas-drain"}


def bmc_agrees(system) -> None:
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
