"""When the partitions of `engine/workers.py` rebuild their visited sets' tables.

Stage: inside `podcheck.engine`, used by `engine/peers.py`.  Consumes, after a level's
numbering, every partition's store size and table length and its frontier sizes of
the level before and now (every worker has them all: they come with the links);
produces the states each partition's table is rebuilt for at the next level's start.

NOTE(level-growth): an `ExactStore` rebuilds its hash table at twice the length when an
insertion would fill it over half: every stored key placed again, 0.3-0.55 s at 4-5 M
states (B1 N=17).  One process pays that once per doubling; two partitions pay it each,
and with a table growing in the middle of a level the other partition waits for it at
the level's end (the rendezvous), and since their stores differ by the hash's luck
they double at different levels, so the waits add up (docs/scaling.md, 2026-12-03).
So the partitions grow their tables at a level's start, together: every partition
expects its store to end the level with its size plus its new states per state of
its frontier in the level before, times its frontier now (`balance.expected`).  Rule
"early" (`RULE`): at the start of the first level in which any partition of one table
length is expected to pass half of it, every one of them expected to fill at least
`EARLY` of it rebuilds to the longest table of the group (the others when they pass
half themselves).  Rule "late": the group waits until every one of them is expected to
pass half, its tables filling up to `MOST_LOAD` meanwhile (one expected to pass that
grows alone); measured worse on B1 N=17 (the fullest partition's lookups and rebuild
dearer, docs/scaling.md).  Under both, an insertion passing `MOST_LOAD`
(`ExactStore.most_load`) in the middle of a level (the estimate was short) rebuilds
the table there, as one process does at half.  Memory: under "early" a table follows
a peer's from an expected fill of `EARLY`, so it may hold 4 / (EARLY / 2) = 23 bytes per
state against one process's at most 16, from the peer's rebuild until its own store
passes half the old length; a table is longer than one process's also when a level
makes fewer new states than expected (`bench/workers.py` prints the peak).  Where a
key's id lies in the table decides no id, count or trace: ids are assigned in the
store's order of insertion whatever the table's length, and a lookup finds a stored
key at any load under 1, so neither the estimate nor the rule can change a verdict;
they only move the rebuilds between levels (tests/engine/test_growth.py: tables from
16 slots, rebuilt at level starts, give the one-process run).
"""

from __future__ import annotations

from podcheck.engine.balance import expected

MOST_LOAD = 0.7  # the fill past which an insertion rebuilds a partition's table
EARLY = 0.35  # the least expected fill of a table rebuilt early, with a peer's
RULE = "early"  # "early", "late" (NOTE(level-growth)); "mid-level": as one process's


def _fit(states: int, length: int) -> int:
    """The table length, from `length` doubled, at most half full with `states`."""
    while 2 * states > length:
        length *= 2
    return length


def rebuilds(stored: list[int], lengths: list[int], before: list[int] | None,
             now: list[int], most_load: float | None = None,
             rule: str | None = None) -> list[int]:  # fmt: skip
    """The states each partition's table is rebuilt for at the next level's start, 0
    for none (NOTE(level-growth)): `stored` its store size and `lengths` its table's
    length after this level, `before` and `now` every partition's frontier size of this
    level and the next (no expected new states without `before`)."""
    most = MOST_LOAD if most_load is None else most_load
    early = (RULE if rule is None else rule) == "early"
    coming = expected(before, now, now) if before is not None else [0] * len(now)
    ends = [s + c for s, c in zip(stored, coming, strict=True)]
    fit = [_fit(e, n) for e, n in zip(ends, lengths, strict=True)]
    out = []
    for w, length in enumerate(lengths):
        group = [u for u, n in enumerate(lengths) if n == length]
        if early:  # the group's longest table, for every member filling it enough
            joins = any(fit[u] > length for u in group) and ends[w] >= EARLY * length
            longest = max(fit[u] for u in group)
            out.append(max(ends[w], longest // 2) if joins else 0)
            continue
        together = all(fit[u] > lengths[u] for u in group)
        alone = ends[w] > most * length
        out.append(ends[w] if fit[w] > length and (together or alone) else 0)
    return out
