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
parents of most diamonds; but too few variables unbalance the partitions (on B1, the
nodes of 4 pods: 0.9 M and 2.9 M states).  `choose` picks those variables from a sample
of explored states: it orders the variables that vary in the sample by how often a tree
edge (a state and its parent) changes them, and keeps the shortest prefix of that order
whose `_spread` on the sample is at most `SPREAD` (else the whole key).  On B1 (M=2) it
hashes the pods' nodes and the failure count: N=15..17, a 50 000-state sample: the
busiest partition holds at most 1.011 of an even share, 0.6-5 % of the tree edges cross
partitions (whole key: 50 %).  The owner function decides where a state is stored, never its id
(the partitions number states by smallest link whatever their owner), so any choice gives
the one-process run's ids, counts and traces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from podcheck.engine.packing import Ints, Keys, WordLayout, fingerprint

SAMPLE = 1 << 15  # tree edges and states looked at by `choose`
CANDIDATES = 64  # variables hashed at most
SPREAD = 0.02  # the imbalance `choose` accepts (NOTE(local-owner))


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


def _spread(owner: Owner, states: Keys) -> float:
    """How unevenly `owner` may split the space, from the sample `states`: the larger of
    the busiest partition's excess share (`share x W - 1`) and `sqrt(sum p^2)` over the
    shares `p` of the sample's classes of equal hashed variables (the spread of a random
    split of those classes: a few heavy classes may split evenly in the sample and not in
    the whole space, whose weights drift level by level)."""
    where = owner.of(states)
    share = float(np.bincount(where, minlength=owner.count).max()) * owner.count / len(where)
    assert owner.masks is not None
    hashed = [k & np.uint64(m) for k, m in zip(states, owner.masks, strict=True) if m]
    _, sizes = np.unique(fingerprint(hashed), return_counts=True)
    return max(share - 1.0, float(np.sqrt(np.sum((sizes / len(where)) ** 2))))


def choose(layout: WordLayout, keys: Keys, links: Ints, width: int, count: int) -> Owner:
    """The owner for `count` partitions from explored states (`keys`, their parent links
    `links`, `width` actions per link): the shortest prefix of the varying variables,
    ordered by how often a tree edge changes them, whose spread is at most `SPREAD`, or
    the whole key (NOTE(local-owner)).  With fewer than two states, or one partition,
    the whole key."""
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
    best = whole(count)
    for stop in range(1, min(len(order), CANDIDATES) + 1):  # the shortest spread prefix
        owner = Owner(count, _masks(layout, order[:stop]))
        if _spread(owner, states) <= SPREAD:
            best = owner
            break
    return best
