"""Twin successors (NOTE(twin-successors), engine/twins.py): the vector engine with
symmetry skips an action whose successor is, up to a swap fixing the state, the successor
of an earlier action.  Nothing observable may change: states, transitions, depth,
verdicts and every trace step are those of the run without the skip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from b1_ir import b1_system
from hypothesis import given, settings
from hypothesis import strategies as st
from test_lowest_free import _slots

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import bfs, twins, vector
from podcheck.engine.result import CheckResult
from podcheck.engine.symmetry import Symmetry, prepare

ROOT = Path(__file__).resolve().parents[2]
NO_TWINS = bfs.BfsOptions(twins=False)


def _observable(r: CheckResult) -> tuple[object, ...]:
    traces = [None if p.trace is None else [(s.action, s.state) for s in p.trace.steps]
              for p in r.results]
    deadlock = None if r.deadlock is None else [(s.action, s.state) for s in r.deadlock.steps]
    return (r.stats.states, r.stats.transitions, r.stats.depth,
            [p.verdict for p in r.results], traces, deadlock)


def _skipped(system: ir.TransitionSystem, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many enabled (state, action) pairs a vector run with twins did not expand."""
    dropped = [0]
    keep = twins.Twins.keep

    def counting(self: twins.Twins, action: int, rows: np.ndarray,
                 equal: twins.BlockEquality) -> np.ndarray:  # fmt: skip
        kept = keep(self, action, rows, equal)
        dropped[0] += rows.size - kept.size
        return kept

    with monkeypatch.context() as m:
        m.setattr(twins.Twins, "keep", counting)
        vector.explore_vector(system)
    return dropped[0]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 5), m=st.integers(1, 3), k=st.integers(0, 5), f=st.integers(0, 2))
def test_b1_runs_are_identical_with_and_without_twins(n: int, m: int, k: int, f: int) -> None:
    system = b1_system(n, m, k, f, liveness=False, symmetric=True)
    fast, slow = vector.explore_vector(system)[0], vector.explore_vector(system, NO_TWINS)[0]
    assert fast.symmetry is not None and fast.symmetry.used
    assert _observable(fast) == _observable(slow)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 4), cap=st.integers(1, 4), steps=st.integers(1, 3),
       init=st.integers(0, 4), reset=st.booleans())
def test_lowest_free_runs_are_identical_with_and_without_twins(
    n: int, cap: int, steps: int, init: int, reset: bool
) -> None:
    system = _slots(n, cap, steps, reset=reset, init=min(init, n))
    fast, slow = vector.explore_vector(system)[0], vector.explore_vector(system, NO_TWINS)[0]
    assert _observable(fast) == _observable(slow)


def test_each_pod_action_is_paired_with_the_swap_of_its_lower_neighbour() -> None:
    system = b1_system(4, 2, 3, 1, liveness=False, symmetric=True)
    canon, _ = prepare(system)
    assert canon is not None
    pods = next(g for g in canon.groups if g.name == "pods")
    found = twins.twins(system, canon).pairs
    for a, action in enumerate(system.actions):
        written = {i for i, _ in action.updates}
        owners = {i for i, b in enumerate(pods.blocks) if written & set(b)}
        if len(owners) == 1 and (i := owners.pop()) > 0:
            assert found[a] == ((pods.blocks[i - 1], pods.blocks[i]),), action.label
        else:
            assert a not in found, action.label


def test_twins_are_skipped_and_the_skip_can_be_turned_off(
        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    system = b1_system(6, 2, 5, 1, liveness=False, symmetric=True)
    assert _skipped(system, monkeypatch) > 0
    off = vector.explore_vector(system, NO_TWINS)[0]
    on = vector.explore_vector(system)[0]
    assert _observable(on) == _observable(off)


def test_the_dsl_b1_spec_is_explored_identically(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "b1.pod"
    spec.write_text((ROOT / "bench/specs/b1.pod").read_text().replace("replicas: 4",
                                                                      "replicas: 3"))
    monkeypatch.chdir(ROOT)
    compiled, _, _ = load_and_compile(str(spec), CheckOptions())
    system = compiled.value
    assert system is not None
    fast, slow = vector.explore_vector(system)[0], vector.explore_vector(system, NO_TWINS)[0]
    assert fast.symmetry is not None
    assert any(name.startswith("pods of") for name, _ in fast.symmetry.used)
    assert _observable(fast) == _observable(slow)
    assert _skipped(system, monkeypatch) > 0


def _dense_pairs(system: ir.TransitionSystem, canon: Symmetry) -> dict[int, list[object]]:
    """The twin pairs by composing every neighbouring swap over every action (the
    quadratic composition NOTE(sparse-twins) replaces), for comparison."""
    from podcheck.engine import vacancy
    out: dict[int, list[object]] = {}
    for group in canon.groups:
        if group.references or len(group.blocks) < 2:
            continue
        actions = (system.actions if group.first_free is None
                   else vacancy.relaxed(system, group))
        relaxed = [r.guard is not a.guard for r, a in zip(actions, system.actions, strict=True)]
        swap, cycle = canon.maps[group.name][0], canon.maps[group.name][-1]
        power = list(range(len(actions)))
        for j in range(len(group.blocks) - 1):
            inverse = [0] * len(actions)
            for a, p in enumerate(power):
                inverse[p] = a
            for a in range(len(actions)):
                image = power[swap[inverse[a]]]
                if image < a and not relaxed[image]:
                    out.setdefault(a, []).append((group.blocks[j], group.blocks[j + 1]))
            power = [cycle[p] for p in power]
    return out


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 6), m=st.integers(1, 3), k=st.integers(0, 4), f=st.integers(0, 2),
       slots=st.integers(2, 5), init=st.integers(0, 2))
def test_sparse_pairs_are_the_dense_composition(n: int, m: int, k: int, f: int, slots: int,
                                                init: int) -> None:
    for system in (b1_system(n, m, k, f, liveness=False, symmetric=True),
                   _slots(slots, 2, 2, init=min(init, slots))):
        canon, _ = prepare(system)
        assert canon is not None
        found = twins.twins(system, canon).pairs
        dense = _dense_pairs(system, canon)
        assert list(found) == list(dense)
        assert found == {a: tuple(p) for a, p in dense.items()}
