"""Which partition owns a state: a hash of the variables that change least.

Stage: inside `podcheck.engine`, used by `engine/partition.py`, `engine/workers.py` and
`engine/auto.py`.  Consumes packed keys (`packing.Keys`) and a sample of explored states
with their parent links; produces an `Owner`, the function from keys to partitions.

NOTE(local-owner): hashing the whole state spreads a level's states evenly, but it sends
about (W-1)/W of every level's successors to a peer, and the parents of a "diamond" (a
state reached by two interleavings of independent actions) land in different partitions
(W-1)/W of the time, so the owner looks the state up once per partition that reached
it: on B1 N=16 with 2 partitions, 7.46 M lookups for 3.84 M states (one process: 3.91
M).  Hashing only the variables that most transitions leave alone keeps a successor in
its parent's partition whenever the action changed none of them, and with it both
parents of most diamonds.  `choose` picks those variables from a sample of explored
states: it orders the variables by how often a tree edge (a state and its parent)
changes them, and of the prefixes of that order (and the whole key) keeps the one that
minimises `share x (1 + cross)`, with `share` the busiest partition's part of the sample
times W (1 when balanced) and `cross` the part of the sample's tree edges whose two ends
have different owners.  The owner function decides where a state is stored, never its id
(the partitions number states by smallest link whatever their owner), so any choice gives
the one-process run's ids, counts and traces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from podcheck.engine.packing import Ints, Keys, WordLayout, fingerprint

SAMPLE = 1 << 15  # tree edges and states looked at by `choose`
CANDIDATES = 64  # prefixes of the variable order tried at most


@dataclass(frozen=True, slots=True)
class Owner:
    """The partition of each key: the high 32 bits of the fingerprint of the key's words
    masked by `masks` (one mask per word; None: the whole key), modulo `count`."""

    count: int
    masks: tuple[int, ...] | None = None

    def of(self, keys: Keys) -> Ints:
        """The owning partition of each key."""
        if self.masks is not None:
            size = len(keys[0])
            keys = [k & np.uint64(m) for k, m in zip(keys, self.masks, strict=True) if m]
            if not keys:
                return np.zeros(size, np.int64)
        high = fingerprint(keys) >> np.uint64(32)
        return (high % np.uint64(self.count)).astype(np.int64)


def whole(count: int) -> Owner:
    """The owner hashing the whole key (the partitioning of a Dask run, and of a run that
    keeps only fingerprints when it is handed over: `engine/auto.py`)."""
    return Owner(count)


def _masks(layout: WordLayout, chosen: list[int]) -> tuple[int, ...]:
    masks = [0] * layout.words
    for i in chosen:
        masks[layout.word[i]] |= ((1 << layout.width[i]) - 1) << layout.shift[i]
    return tuple(masks)


def _score(owner: Owner, states: Keys, child: Keys, parent: Keys) -> float:
    """`share x (1 + cross)` of `owner` on the sample (NOTE(local-owner))."""
    where = owner.of(states)
    share = float(np.bincount(where, minlength=owner.count).max()) * owner.count / len(where)
    cross = float(np.mean(owner.of(child) != owner.of(parent))) if len(child[0]) else 0.0
    return share * (1.0 + cross)


def choose(layout: WordLayout, keys: Keys, links: Ints, width: int, count: int) -> Owner:
    """The owner for `count` partitions from explored states (`keys`, their parent links
    `links`, `width` actions per link): the best prefix of the variables ordered by how
    often a tree edge changes them, or the whole key (NOTE(local-owner)).  With fewer
    than two states, or one partition, the whole key."""
    size = len(links)
    if count <= 1 or size < 2:
        return whole(count)
    step = max(1, size // SAMPLE)
    states = [k[::step] for k in keys]
    tree = np.flatnonzero(links >= 0)[::max(1, len(links) // SAMPLE)]
    child = [k[tree] for k in keys]
    parent = [k[links[tree] // width] for k in keys]
    kid, dad, now = layout.columns(child), layout.columns(parent), layout.columns(states)
    changes = [float(np.mean(a != b)) if len(a) else 0.0 for a, b in zip(kid, dad, strict=True)]
    varied = [i for i, col in enumerate(now) if len(col) and col.min() != col.max()]
    order = sorted(varied, key=lambda i: (changes[i], i))
    best, score = whole(count), _score(whole(count), states, child, parent)
    for stop in range(1, min(len(order), CANDIDATES) + 1):
        owner = Owner(count, _masks(layout, order[:stop]))
        mine = _score(owner, states, child, parent)
        if mine < score:
            best, score = owner, mine
    return best
