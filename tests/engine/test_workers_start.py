"""How `--workers N` starts (engine/workers.py, NOTE(sampled-start)) and what its
workers set up (engine/malloc.py, NOTE(worker-malloc)).

Without a given owner the run starts in this process and the workers take it over once
`SAMPLE_STATES` states are checked: its ids, counts, limits, verdicts and traces equal
the one-process run's, and a run that ends or stops before the sample is explored by
the workers from the seed, as before.  The sample size is pinned in every test.
"""

from __future__ import annotations

import dataclasses
import platform
from typing import Any

import numpy as np
import pytest
from b1_ir import b1_system
from test_vector import assert_agree

from podcheck import ir
from podcheck.engine import balance, malloc, ownership, vector, workers
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.ownership import Owner, _cross, _masks, _spread
from podcheck.engine.packing import ExactStore
from podcheck.engine.partition import Partition
from podcheck.engine.progress import SilentReporter
from podcheck.engine.result import CheckResult
from podcheck.engine.vsymmetry import for_system


def _run(system: ir.TransitionSystem, options: BfsOptions) -> tuple[CheckResult, int]:
    compiled = vector.compile_vector(system)
    canon, _ = for_system(system, compiled.layout, options, None)  # as `workers.explore`
    result, traffic = workers.explore_workers(system, compiled, options, 2,
                                              canonicalise=canon)  # fmt: skip
    assert traffic.workers == 2 and result.stats.workers == 2
    return result, traffic.levels


@pytest.mark.parametrize(("options", "symmetric", "sample", "handed"), [
    (BfsOptions(), True, 40, True), (BfsOptions(symmetry=False), False, 200, True),
    (BfsOptions(max_states=3_000), False, 200, True),
    (BfsOptions(max_states=150), False, 200, False),  # the limit before the sample
    (BfsOptions(max_depth=1), False, 200, False),
])  # fmt: skip
def test_a_sampled_start_equals_one_process(monkeypatch, options, symmetric, sample, handed):
    monkeypatch.setattr(workers, "SAMPLE_STATES", sample)
    system = b1_system(8, 2, 7, liveness=False, symmetric=symmetric)
    one, _ = vector.explore_vector(system, options)
    many, levels = _run(system, options)
    assert_agree(many, one)
    # from the seed: the seed and every level to the last (empty unless a limit cut it)
    assert (levels < one.stats.depth + 1) == handed


def test_a_deadlock_and_a_violation_found_after_the_handoff(monkeypatch):
    monkeypatch.setattr(workers, "SAMPLE_STATES", 50)
    system = dataclasses.replace(b1_system(6, 2, 5, liveness=False), terminal=ir.FALSE)
    one, _ = vector.explore_vector(system)
    assert one.deadlock is not None
    assert_agree(_run(system, BfsOptions())[0], one)


def test_a_space_under_the_sample_is_explored_by_the_workers(monkeypatch):
    monkeypatch.setattr(workers, "SAMPLE_STATES", 10**9)
    system = b1_system(5, 2, 4, liveness=False)
    one, _ = vector.explore_vector(system)
    many, levels = _run(system, BfsOptions())
    assert_agree(many, one)
    assert levels == one.stats.depth + 2  # the seed, then every level to the last (empty)


def _explored(n: int) -> vector._Explorer:
    system = b1_system(n, 2, n - 1, liveness=False, symmetric=False)
    compiled = vector.compile_vector(system)
    run = vector._Run(BfsOptions(symmetry=False), SilentReporter(), 0.0, dict(compiled.flags))
    explorer = vector._Explorer(system, compiled, run, ExactStore(compiled.layout.words),
                                None)  # fmt: skip
    explorer.explore(vector.CHUNK)
    return explorer


def test_choose_skips_only_prefixes_that_cannot_win():
    """`choose` skips counting classes of prefixes that cannot beat the best so far; it
    picks what scoring every prefix in full picks."""
    explorer = _explored(9)
    keys = explorer.store.slice(0, explorer.store.size)
    size = explorer.store.size
    states = [k[::max(1, size // ownership.SAMPLE)] for k in keys]
    parent, succ = ownership._transitions(explorer, [k[::max(1, size // ownership.EDGES)]
                                                     for k in keys])  # fmt: skip
    layout = explorer.c.layout
    ends = layout.columns(parent), layout.columns(succ)
    changes = [float(np.mean(a != b)) for a, b in zip(*ends, strict=True)]
    varied = [i for i, c in enumerate(layout.columns(states)) if c.min() != c.max()]
    order = sorted(varied, key=lambda i: (changes[i], i))
    everything = Owner(2, _masks(layout, list(range(len(explorer.system.vars)))))
    best = ownership.whole(2)
    score = (1 + _spread(everything, states)) * (1 + _cross(best, parent, succ))
    for stop in range(1, min(len(order), ownership.CANDIDATES) + 1):
        owner = Owner(2, _masks(layout, order[:stop]))
        mine = (1 + _spread(owner, states)) * (1 + _cross(owner, parent, succ))
        if mine < score:
            best, score = owner, mine
    assert ownership.choose(explorer, 2) == best and best.masks is not None
    heavy = Owner(2, _masks(layout, order[:1]))
    full = _spread(heavy, states)
    assert _spread(heavy, states, within=0.0) <= full  # the excess share only
    assert _spread(heavy, states, within=np.inf) == full


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")  # fmt: skip
def test_a_worker_keeps_freed_memory_on_glibc():
    assert malloc.keep_freed_memory()


def test_moves_even_out_the_frontiers():
    assert balance.moves([10, 2], least=1) == [(0, 1, 4)]
    assert balance.moves([0, 9, 0], least=1) == [(1, 0, 3), (1, 2, 3)]
    assert balance.moves([7, 1, 1], least=1) == [(0, 1, 2), (0, 2, 2)]
    assert balance.moves([5, 4], least=1) == []  # 5 is the first partition's share
    assert balance.moves([100, 90], least=6) == [] and balance.moves([0, 0], least=1) == []
    sizes = [13, 0, 5, 30]
    after = list(sizes)
    for lender, borrower, states in balance.moves(sizes, least=1):
        after[lender] -= states
        after[borrower] += states
    assert max(after) - min(after) <= 1 and sum(after) == sum(sizes)


@pytest.mark.parametrize(("count", "lopsided"), [(2, False), (3, True)])
def test_lent_states_give_the_one_process_run(monkeypatch, tmp_path, count, lopsided):
    """NOTE(lent-states): lending at every level (even all of one partition's states,
    with an owner that puts every state in partition 0) changes no id, count, first
    flagged state, deadlock or trace."""
    monkeypatch.setattr(balance, "LEAST", 1)
    log = tmp_path / "lent"
    real = Partition.expand_lent

    def spy(self: Partition, batch: Any, between: Any) -> int:  # runs in a worker
        taken = real(self, batch, between)
        with log.open("a") as out:
            out.write(f"{taken}\n")
        return taken

    monkeypatch.setattr(Partition, "expand_lent", spy)
    system = dataclasses.replace(b1_system(6, 2, 2, liveness=False), terminal=ir.FALSE)
    compiled = vector.compile_vector(system)
    one, _ = vector.explore_vector(system)
    assert one.deadlock is not None and any(r.trace is not None for r in one.results)
    owner = Owner(count, (0,) * compiled.layout.words) if lopsided else None
    many, _ = workers.explore_workers(system, compiled, BfsOptions(), count, owner=owner)
    assert_agree(many, one)
    assert sum(int(line) for line in log.read_text().split()) > 0


def test_level_figures_count_every_expansion_and_insertion():
    """The per-level counters of NOTE(insert-weight): every state expanded once (lent
    ones by the borrower), every new state among the keys inserted."""
    system = b1_system(6, 2, 5, liveness=False)
    compiled = vector.compile_vector(system)
    one, _ = vector.explore_vector(system)
    many, traffic = workers.explore_workers(system, compiled, BfsOptions(), 2,
                                            owner=ownership.whole(2))  # fmt: skip
    assert_agree(many, one)
    figures = traffic.per_level
    assert len(figures) == traffic.levels and all(len(f.inserted) == 2 for f in figures)
    assert sum(sum(f.expanded) for f in figures) == one.stats.states
    assert sum(sum(f.inserted) for f in figures) >= one.stats.states
    after = figures[1:]  # the seed's insertions are not in its busy seconds
    assert all(0 <= i <= b + 1e-3 for f in after for i, b in zip(f.inserting, f.busy,
                                                                   strict=True))  # fmt: skip
