"""Twin successors in the bfs engine (NOTE(twin-successors), `canonical.recorder`).

The reduced bfs search skips the canonical lookup of a successor whose twin blocks are
equal; its counts, verdicts, traces and deadlocks must equal the search that looks
every successor up, while it canonicalises fewer states.  Both shapes of the generated
expander (one function, and one per `CHUNK` actions: NOTE(linear-codegen)) are covered.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from b1_ir import b1_system
from test_vector import assert_agree

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import bfs, pycompile
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.result import CheckResult
from podcheck.engine.symmetry import Symmetry

ROOT = Path(__file__).resolve().parents[2]


def counted(system: ir.TransitionSystem, options: BfsOptions,
            monkeypatch: pytest.MonkeyPatch) -> tuple[CheckResult, int]:  # fmt: skip
    """The run, and how many states it canonicalised."""
    calls = [0]
    canon = Symmetry.canon

    def counting(self: Symmetry, state: ir.State) -> ir.State:
        calls[0] += 1
        return canon(self, state)

    with monkeypatch.context() as patch:
        patch.setattr(Symmetry, "canon", counting)
        result = bfs.check(system, options)
    return result, calls[0]


@pytest.mark.parametrize(("n", "m", "k"), [(4, 2, 3), (6, 2, 5), (6, 2, 2), (5, 3, 4), (8, 2, 0)])
@pytest.mark.parametrize("chunk", [pycompile.CHUNK, 4])
def test_twins_change_no_count_verdict_or_trace(n, m, k, chunk, monkeypatch):
    monkeypatch.setattr(pycompile, "CHUNK", chunk)
    system = b1_system(n, m, k, liveness=False, symmetric=True)
    every, looked_up = counted(system, BfsOptions(twins=False), monkeypatch)
    pruned, fewer = counted(system, BfsOptions(), monkeypatch)
    assert_agree(pruned, every)
    assert pruned.symmetry == every.symmetry and pruned.symmetry is not None
    assert fewer < looked_up


def test_deadlocks_and_limits_are_unchanged():
    system = dataclasses.replace(b1_system(6, 2, 5, liveness=False, symmetric=True),
                                 terminal=ir.FALSE)  # fmt: skip
    for options in (BfsOptions(), BfsOptions(max_states=40), BfsOptions(max_depth=4)):
        with_twins = bfs.check(system, options)
        without = bfs.check(system, dataclasses.replace(options, twins=False))
        assert_agree(with_twins, without)
    assert bfs.check(system).deadlock is not None  # the whole search finds one


@pytest.mark.parametrize("path", ["specs/seed/12-drain-pdb.pod",
                                  "specs/examples/deployment-drain.pod"])
def test_a_dsl_spec_agrees(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    compiled, _, _ = load_and_compile(path, CheckOptions())
    system = compiled.value
    assert system is not None and system.symmetry
    assert_agree(bfs.check(system), bfs.check(system, BfsOptions(twins=False)))


def test_the_generated_expander_tests_the_twin_blocks():
    system = b1_system(3, 2, 2, liveness=False, symmetric=True)
    packing = pycompile.Packing.of(system)
    plain = pycompile.expander_source(system, packing, ())
    skipped = pycompile.expander_source(system, packing, (), skip={0: (((0, 3), (1, 4)),)})
    assert "not ((v0 == v1 and v3 == v4)) and y not in seen" in skipped
    assert "not (" not in plain
