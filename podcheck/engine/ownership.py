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
nodes of 4 pods: 0.9 M and 2.9 M states).  `choose` reads a sample of explored states:
it expands a few thousand of them, orders the variables that vary in the sample by how
often a transition changes them, and keeps, of the prefixes of that order and the whole
key, the one with the smallest `(1 + spread) x (1 + cross)` (`_spread`: how unevenly it
may split the space; `cross`: the part of the sampled transitions whose two ends it
puts in different partitions).  On B1 (M=2) it hashes the pods' nodes, the node states
and the failure count: at N=16, 4.05 M keys looked up by their owners (whole key: 7.46
M), and the busiest of 2 partitions holds 1.025-1.11 of an even share at N=15..17 (the
heavy classes split by the luck of the hash; docs/scaling.md).  The owner function
decides where a state is stored, never its id (the partitions number states by smallest
link whatever their owner), so any choice gives the one-process run's ids, counts and
traces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from podcheck import ir
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.packing import ExactStore, Ints, Keys, WordLayout, fingerprint
from podcheck.engine.progress import SilentReporter
from podcheck.engine.vector import _Explorer, _Run

SAMPLE = 1 << 15  # states whose balance `choose` looks at
EDGES = 1 << 12  # states (every k-th stored) whose transitions `choose` expands
SMALLEST = 1 << 10  # fewer stored states show no balance: the whole key
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


def _spread(owner: Owner, states: Keys, within: float = np.inf) -> float:
    """How unevenly `owner` may split the space, from the sample `states`: the larger of
    the busiest partition's excess share (`share x W - 1`) and `sqrt(sum p^2)` over the
    shares `p` of the sample's classes of equal hashed variables (the spread of a random
    split of those classes: a few heavy classes may split evenly in the sample and not in
    the whole space, whose weights drift level by level).  When the excess share alone
    is at least `within`, that (the classes are not counted: the caller rejects it)."""
    assert owner.masks is not None
    hashed = [k & np.uint64(m) for k, m in zip(states, owner.masks, strict=True) if m]
    size = len(states[0])
    if not hashed:
        return float(owner.count - 1)  # every state in partition 0
    prints = fingerprint(hashed)
    where = ((prints >> np.uint64(32)) % np.uint64(owner.count)).astype(np.int64)
    share = float(np.bincount(where, minlength=owner.count).max()) * owner.count / size
    if share - 1.0 >= within:
        return share - 1.0
    _, sizes = np.unique(prints, return_counts=True)
    return max(share - 1.0, float(np.sqrt(np.sum((sizes / size) ** 2))))


class _Edges(_Explorer):
    """Expands a sample of states and keeps their successors (canonicalised) instead of
    storing them: every transition of the sample, not only the tree edges."""

    caught: tuple[Keys, Ints] | None = None

    def _insert(self, keys: Keys, links: Ints) -> Keys:
        if self.canonicalise is not None:
            keys = self.canonicalise(keys)
        self.caught = (keys, links)
        return []


def _transitions(explorer: _Explorer, states: Keys) -> tuple[Keys, Keys]:
    """The two ends (parent keys, successor keys) of every transition of `states`."""
    run = _Run(BfsOptions(symmetry=False), SilentReporter(), 0.0, {})
    edges = _Edges(explorer.system, explorer.c, run, ExactStore(1), explorer.canonicalise)
    edges._expand(states, np.arange(len(states[0]), dtype=np.int64))
    if edges.caught is None:
        return [k[:0] for k in states], [k[:0] for k in states]
    succ, links = edges.caught
    return [k[links // edges.width] for k in states], succ


def _cross(owner: Owner, parent: Keys, succ: Keys) -> float:
    """The part of the transitions whose two ends `owner` puts in different partitions."""
    return float(np.mean(owner.of(parent) != owner.of(succ))) if len(succ[0]) else 0.0


def choose(explorer: _Explorer, count: int) -> Owner:
    """The owner for `count` partitions from the states `explorer` stored (an exact
    store): of the prefixes of its varying variables, ordered by how often a transition
    of the sample changes them, and of the whole key, the one with the smallest
    `(1 + spread) x (1 + cross)` (NOTE(local-owner)).  With fewer than `SMALLEST`
    states, one partition, fingerprints only, or a domain error while expanding the
    sample's last states, the whole key."""
    store = explorer.store
    size = store.size
    if count <= 1 or size < SMALLEST or not isinstance(store, ExactStore):
        return whole(count)
    keys = store.slice(0, size)
    states = [k[::max(1, size // SAMPLE)] for k in keys]
    try:
        parent, succ = _transitions(explorer, [k[::max(1, size // EDGES)] for k in keys])
    except ir.ModelError:
        return whole(count)
    layout = explorer.c.layout
    ends = layout.columns(parent), layout.columns(succ)
    changes = [float(np.mean(a != b)) if len(a) else 0.0 for a, b in zip(*ends, strict=True)]
    now = layout.columns(states)
    varied = [i for i, col in enumerate(now) if col.min() != col.max()]
    order = sorted(varied, key=lambda i: (changes[i], i))
    everything = Owner(count, _masks(layout, list(range(len(now)))))
    best = whole(count)
    score = (1 + _spread(everything, states)) * (1 + _cross(best, parent, succ))
    for stop in range(1, min(len(order), CANDIDATES) + 1):
        owner = Owner(count, _masks(layout, order[:stop]))
        cross = 1 + _cross(owner, parent, succ)
        if cross >= score:  # spread >= 0: not better, whatever it is
            continue
        mine = (1 + _spread(owner, states, score / cross - 1)) * cross
        if mine < score:
            best, score = owner, mine
    return best
