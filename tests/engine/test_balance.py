"""The lending decision of `--workers` (engine/balance.py, NOTE(lent-states),
NOTE(insert-weight)): pure functions of the partitions' frontier sizes and expected
insertions, the same in every worker.  That lending changes no result is
tests/engine/test_workers_start.py's."""

from __future__ import annotations

import random

import pytest

from podcheck.engine import balance


@pytest.mark.parametrize(("sizes", "inserts", "weight", "want"), [
    ([10, 2], None, None, [6, 6]),  # by count alone
    ([10, 2], [0, 0], None, [6, 6]),
    ([5, 4], None, None, [5, 4]),  # the remainder to the first partition
    ([10, 2], [4, 0], 1.0, [4, 8]),  # 4 + 4 = 8 + 0
    ([10, 2], [4, 0], 0.0, [6, 6]),  # weight 0: expansions alone
    ([10, 2], [4, 0], 0.5, [5, 7]),  # 5 + 2 = 7 + 0
    ([10, 2], [30, 0], 1.0, [0, 12]),  # inserts more than all the rest: expands none
    ([5, 4], [1, 0], 1.0, [4, 5]),
    ([5, 5], [1, 0], 1.0, [5, 5]),  # 11 to share: the odd one to partition 0
    ([9, 0, 0], [0, 3, 30], 1.0, [6, 3, 0]),  # partition 2 drops out, 6 = 3 + 3
    ([0, 0], [0, 0], None, [0, 0]),
    ([0, 0], [7, 0], 1.0, [0, 0]),
    ([100, 100], [100, 0], None, [80, 120]),  # INSERT_WEIGHT 0.4: 80 + 40 = 120
])  # fmt: skip
def test_targets_even_out_expansions_plus_weighted_insertions(sizes, inserts, weight, want):
    assert balance.targets(sizes, inserts, weight) == want


@pytest.mark.parametrize(("sizes", "inserts", "least", "want"), [
    ([10, 2], None, 1, [(0, 1, 4)]),
    ([10, 2], [4, 0], 1, [(0, 1, 6)]),
    ([10, 2], [30, 0], 1, [(0, 1, 10)]),  # all of a frontier may be lent
    ([6, 6], [4, 0], 1, [(0, 1, 2)]),  # even frontiers, uneven insertions
    ([6, 6], [4, 0], 3, []),  # under `least`
    ([2, 10], [0, 8], 1, [(1, 0, 8)]),  # 10 + 0 = 2 + 8
])  # fmt: skip
def test_moves_reach_the_targets(sizes, inserts, least, want):
    assert balance.moves(sizes, inserts, least=least, weight=1.0) == want


def test_targets_share_every_state_and_level_the_work():
    rng = random.Random(7)
    for _ in range(500):
        count = rng.randint(1, 5)
        sizes = [rng.randint(0, 50) for _ in range(count)]
        inserts = [rng.randint(0, 120) for _ in range(count)]
        weight = rng.choice([0.0, 0.5, 1.0, 2.0])
        got = balance.targets(sizes, inserts, weight)
        assert sum(got) == sum(sizes) and min(got) >= 0
        load = [round(weight * i) for i in inserts]
        work = [g + a for g, a in zip(got, load, strict=True)]
        busy = [w for w, g in enumerate(got) if g > 0]
        if busy:  # the expanding ones within one state; an idle one has no less work
            top = max(work[w] for w in busy)
            assert top - min(work[w] for w in busy) <= 1
            assert all(work[w] >= top - 1 for w in range(count) if got[w] == 0)


@pytest.mark.parametrize(("before", "inserted", "now", "want"), [
    ([100, 50], [300, 100], [200, 60], [600, 120]),  # per partition: 3 and 2 a state
    ([0, 50], [0, 100], [10, 60], [20, 120]),  # an empty frontier: the whole ratio
    ([0, 0], [0, 0], [4, 4], [0, 0]),
])  # fmt: skip
def test_expected_insertions_scale_the_last_level(before, inserted, now, want):
    assert balance.expected(before, inserted, now) == want
