"""NOTE(level-growth): the partitions of `--workers` rebuild their tables at a level's
start, together (engine/growth.py, a pure function of numbers every worker has); a
table's length and fill decide no id, so a run with any rule equals one process's."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from b1_ir import b1_system
from test_vector import assert_agree

from podcheck import ir
from podcheck.engine import growth, packing, vector, workers
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.packing import ExactStore


@pytest.mark.parametrize(("stored", "lengths", "before", "now", "want"), [
    ([300, 300], [1024, 1024], [100, 100], [100, 100], [0, 0]),  # 400 of 1024: fits
    ([450, 400], [1024, 1024], [100, 100], [100, 100], [0, 0]),  # only one over half
    ([450, 440], [1024, 1024], [100, 100], [100, 100], [550, 540]),  # both: together
    ([450, 440], [1024, 1024], [100, 100], [200, 200], [850, 840]),  # 2 new per state
    ([700, 400], [1024, 1024], [100, 100], [100, 100], [800, 0]),  # over MOST_LOAD: alone
    ([450, 120], [1024, 256], [100, 100], [100, 50], [550, 145]),  # a group per length
    ([500, 500], [1024, 1024], None, [100, 100], [0, 0]),  # nothing expected: half fits
    ([600, 600], [1024, 1024], None, [100, 100], [600, 600]),  # a load above half already
    ([450, 440], [1024, 1024], [0, 100], [100, 100], [650, 540]),  # all: 200 per 100
])  # fmt: skip
def test_tables_grow_at_a_levels_start_together(stored, lengths, before, now, want):
    assert growth.rebuilds(stored, lengths, before, now, most_load=0.7, rule="late") == want


@pytest.mark.parametrize(("stored", "lengths", "now", "want"), [
    ([450, 400], [1024, 1024], [100, 100], [1024, 1024]),  # one over half: both to 2048
    ([450, 200], [1024, 1024], [100, 100], [1024, 0]),  # 300 under EARLY x 1024: waits
    ([300, 300], [1024, 1024], [100, 100], [0, 0]),  # none over half
    ([1100, 400], [1024, 1024], [100, 100], [2048, 2048]),  # to the longest: 4096
    ([450, 0], [1024, 1024], [100, 0], [1024, 0]),  # an empty partition never follows
])  # fmt: skip
def test_early_tables_follow_a_peer_that_passes_half(stored, lengths, now, want):
    """The states to make room for: a table of twice as many slots."""
    assert growth.rebuilds(stored, lengths, now, now, rule="early") == want


def test_a_store_grown_late_or_early_assigns_the_same_ids():
    """Ids follow the order of insertion, whatever the table's length and fill."""
    rng = np.random.default_rng(3)
    plain, late = ExactStore(1), ExactStore(1)
    late.most_load = 0.7
    for step in range(12):
        keys = [rng.integers(0, 6_000, 1_500, dtype=np.uint64)]
        links = np.arange(1_500, dtype=np.int64) + 1_500 * step
        if step % 3 == 0:
            late.grow(late.size + 1_500)  # ahead of the batch, as at a level's start
        a, b = plain.insert(keys, links), late.insert(keys, links)
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
        assert late.size <= 0.7 * len(late.table) and plain.size <= len(plain.table) // 2
    assert np.array_equal(plain.links[:plain.size], late.links[:late.size])
    assert late.growing > 0.0 and len(late.table) >= len(plain.table) // 2


def test_grow_leaves_a_table_that_fits():
    store = ExactStore(1)
    store.insert([np.arange(100, dtype=np.uint64)], np.arange(100, dtype=np.int64))
    table = store.table
    store.grow(store.FIRST_TABLE // 2)
    assert store.table is table
    store.grow(store.FIRST_TABLE // 2 + 1)
    assert len(store.table) == 2 * len(table)
    assert np.array_equal(store.insert([np.arange(100, dtype=np.uint64)],
                                       np.zeros(100, np.int64))[0], np.arange(100))


def test_rebuilds_at_level_starts_give_the_one_process_run(monkeypatch, tmp_path: Path):
    """Tables from 16 slots, so both partitions rebuild often, at level starts; the
    one-process run, and an insertion grows a table only past `MOST_LOAD`."""
    monkeypatch.setattr(ExactStore, "FIRST_TABLE", 16)  # the forked workers inherit it
    log = tmp_path / "grown"
    real_grow, real_reserve = ExactStore.grow, ExactStore._reserve
    inserting: list[bool] = []

    def reserve(self: ExactStore, states: int) -> None:  # runs in a worker
        inserting.append(True)
        try:
            real_reserve(self, states)
        finally:
            inserting.pop()

    def grow(self: ExactStore, states: int) -> None:
        length = len(self.table)
        real_grow(self, states)
        if len(self.table) != length:
            with log.open("a") as out:
                out.write(f"{os.getpid()} {bool(inserting)} {states} {length}\n")

    monkeypatch.setattr(ExactStore, "_reserve", reserve)
    monkeypatch.setattr(ExactStore, "grow", grow)
    system = dataclasses.replace(b1_system(6, 2, 2, liveness=False), terminal=ir.FALSE)
    one, _ = vector.explore_vector(system)
    many, traffic = workers.explore_workers(system, vector.compile_vector(system),
                                            BfsOptions(), 2)  # fmt: skip
    assert_agree(many, one)
    assert all(len(f.growing) == 2 for f in traffic.per_level)
    rows = [(flag == "True", int(states), int(length))  # the workers' (not this process's)
            for pid, flag, states, length in (line.split() for line in log.read_text().splitlines())
            if int(pid) != os.getpid()]
    assert sum(not mid for mid, _, _ in rows) >= 2
    assert all(states > growth.MOST_LOAD * length for mid, states, length in rows if mid)


def _batches(seed: int, count: int) -> list[tuple[list[np.ndarray], np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [([rng.integers(0, 1 << 40, 3_000, dtype=np.uint64) for _ in range(2)],
             np.arange(3_000, dtype=np.int64) + 3_000 * step) for step in range(count)]


def test_arrays_grow_in_place_with_little_room_to_spare():
    """NOTE(array-growth): the keys and links grow in place (no copy) by 1/STEP, so
    they hold at most 1/STEP more than the states stored, beyond the first capacity."""
    store = ExactStore(2)
    for keys, links in _batches(5, 40):
        store.insert(keys, links)
        assert store.capacity <= max(4_096, store.size + store.size // packing.STEP + 1)
        assert all(len(a) >= store.capacity for a in [*store.keys, store.links])
    assert store.copies == 0 and store.size > 100_000


def test_arrays_a_view_refers_to_are_copied_and_the_ids_are_the_same():
    """An array another object refers to is never resized under it: numpy refuses and
    the store copies it; the view still reads what it read, the ids are unchanged."""
    plain, viewed = ExactStore(2), ExactStore(2)
    views = []
    for step, (keys, links) in enumerate(_batches(6, 12)):
        if step % 4 == 1:
            views.append((viewed.keys[1][:viewed.size], viewed.keys[1][:viewed.size].copy()))
        a, b = plain.insert(keys, links), viewed.insert(keys, links)
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert viewed.copies >= 1 and plain.copies == 0
    assert all(np.array_equal(view, seen) for view, seen in views)
    assert all(np.array_equal(p[:plain.size], v[:viewed.size])
               for p, v in zip([*plain.keys, plain.links], [*viewed.keys, viewed.links],
                               strict=True))  # fmt: skip
