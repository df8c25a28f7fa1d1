"""The owner function of the partitions (engine/ownership.py, NOTE(local-owner)).

Whatever owner the partitions use, even one that puts every state in one partition, the
run's ids, counts, depths, verdicts and traces equal the one-process run's; `choose`
hashes the variables that tree edges change least (on B1 the pods' nodes first), and the whole
key when the sample is too small to show a balanced split.
"""

from __future__ import annotations

import numpy as np
import pytest
from b1_ir import b1_system
from test_vector import assert_agree

from podcheck.engine import auto, ownership, vector, workers
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.ownership import Owner, choose, whole
from podcheck.engine.packing import ExactStore
from podcheck.engine.progress import SilentReporter


def _store(n: int, limit: int | None = None) -> tuple[vector.Compiled, vector._Explorer]:
    system = b1_system(n, 2, n - 1, liveness=False)
    compiled = vector.compile_vector(system)
    run = vector._Run(BfsOptions(max_states=limit, symmetry=False), SilentReporter(), 0.0,
                      dict(compiled.flags))  # fmt: skip
    explorer = vector._Explorer(system, compiled, run, ExactStore(compiled.layout.words),
                                None)  # fmt: skip
    explorer.explore(vector.CHUNK)
    return compiled, explorer


def _hashed(compiled: vector.Compiled, explorer: vector._Explorer, owner: Owner) -> list[str]:
    layout, names = compiled.layout, [v.name for v in explorer.system.vars]
    assert owner.masks is not None
    return [names[i] for i in range(len(names))
            if owner.masks[layout.word[i]] >> layout.shift[i] & ((1 << layout.width[i]) - 1)]


def _owners(system_words: int, count: int) -> list[Owner]:
    return [whole(count), Owner(count, (0,) * system_words),  # every state in partition 0
            Owner(count, (0b11,) + (0,) * (system_words - 1))]  # pod1.status only


@pytest.mark.parametrize(("n", "count"), [(5, 2), (6, 3), (4, 4)])
def test_any_owner_gives_the_one_process_run(n, count):
    system = b1_system(n, 2, n - 1, liveness=False)
    compiled = vector.compile_vector(system)
    one, _ = vector.explore_vector(system)
    for owner in _owners(compiled.layout.words, count):
        many, traffic = workers.explore_workers(system, compiled, BfsOptions(), count,
                                                owner=owner)  # fmt: skip
        assert_agree(many, one)
        assert traffic.workers == count


def test_an_owner_with_no_hashed_variable_sends_nothing():
    system = b1_system(5, 2, 4, liveness=False)
    compiled = vector.compile_vector(system)
    nothing = Owner(2, (0,) * compiled.layout.words)
    _, traffic = workers.explore_workers(system, compiled, BfsOptions(), 2, owner=nothing)
    # only the links of the new states go to the peer (8 bytes each, none from partition 1)
    assert traffic.peer_bytes == 8 * vector.explore_vector(system)[0].stats.states


def test_owner_masks_select_the_hashed_words():
    keys = [np.array([1, 2, 3, 1], np.uint64), np.array([7, 7, 8, 9], np.uint64)]
    first = Owner(4, (0xFF, 0)).of(keys)
    assert first[0] == first[3]  # equal first words, different second words
    assert list(Owner(3, (0, 0)).of(keys)) == [0, 0, 0, 0]
    assert list(whole(2).of(keys)) == list(
        ((ownership.fingerprint(keys) >> np.uint64(32)) % np.uint64(2)).astype(np.int64))


def test_choose_hashes_the_pods_nodes_on_b1():
    compiled, explorer = _store(9)
    store = explorer.store
    owner = choose(explorer, 2)
    hashed = _hashed(compiled, explorer, owner)
    # a pod's node changes on evict, schedule and fail, its status on every pod action:
    # every node is hashed (they change least), hardly any status
    assert {f"pod{p}.node" for p in range(1, 10)} <= set(hashed)
    assert sum(h.endswith(".status") for h in hashed) < 3
    where = owner.of(store.slice(0, store.size))
    assert np.bincount(where, minlength=2).max() * 2 / store.size <= 1.05


@pytest.mark.parametrize("size", [0, 1, 30, 1000])
def test_choose_takes_the_whole_key_from_a_tiny_sample(size):
    _, explorer = _store(4, limit=size or None)
    explorer.store.size = min(size, explorer.store.size)  # the first `size` states only
    assert choose(explorer, 2) == whole(2)
    assert choose(_store(9)[1], 1) == whole(1)


def test_one_partition_or_a_small_space_uses_the_whole_key():
    system = b1_system(4, 2, 3, liveness=False)
    compiled = vector.compile_vector(system)
    assert workers.sample_owner(system, compiled, BfsOptions(), 1, None, None) == whole(1)
    # the space (a few hundred states) is smaller than the sample
    assert workers.sample_owner(system, compiled, BfsOptions(), 2, None, None) == whole(2)


def test_a_sampled_owner_is_used_beyond_the_sample(monkeypatch):
    monkeypatch.setattr(workers, "SAMPLE_STATES", 10_000)
    system = b1_system(10, 2, 9, liveness=False)
    compiled = vector.compile_vector(system)
    owner = workers.sample_owner(system, compiled, BfsOptions(symmetry=False), 2, None, None)
    assert owner.masks is not None
    many, _ = workers.explore_workers(system, compiled, BfsOptions(symmetry=False), 2)
    assert_agree(many, vector.explore_vector(system, BfsOptions(symmetry=False))[0])


def test_a_handed_over_run_uses_the_chosen_owner(monkeypatch):
    chosen: list[Owner] = []

    def spy(explorer: vector._Explorer, count: int) -> Owner:
        chosen.append(choose(explorer, count))
        return chosen[-1]

    monkeypatch.setattr(auto, "choose", spy)
    system = b1_system(9, 2, 8, liveness=False)
    options = BfsOptions(symmetry=False)
    many, _ = auto.explore(system, options, cores=2, handoff_states=2_000)
    assert_agree(many, vector.explore_vector(system, options)[0])
    assert len(chosen) == 1 and chosen[0].masks is not None and many.stats.workers == 2
