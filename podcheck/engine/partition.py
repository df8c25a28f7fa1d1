"""One partition of the frontier-partitioned BFS: the states one worker owns.

Stage: inside `podcheck.engine`, used by `engine/workers.py` (processes on one machine)
and `engine/distributed/` (Dask actors).  It computes and never talks: the transports
carry what it hands them (numpy arrays) and hand it what peers sent.

A partition owns the states its `ownership.Owner` gives it: the fingerprint's high half,
modulo the partition count, of the whole key (`owner`) or of the variables that change
least (NOTE(local-owner)).  One level, in the transport's order::

    begin(open)                      properties still open, counters reset
    expand(limit, between)           expand the own frontier's ids below `limit` in
                                     chunks (vector.py's code); each chunk's successors
                                     are made distinct (smallest link per key), the own
                                     part inserted at once, the others put in `outbox`;
                                     `between()` after every chunk (the transport sends
                                     the outbox and hands over what arrived)
    lend(states) / expand_lent(...)  (workers only) the highest-id frontier states a
                                     fuller partition lends to an emptier one, expanded
                                     by the borrower after its own (NOTE(lent-states))
    receive(keys, links)             insert a peer's batch (distinct keys)
    finish() -> sorted links         every peer's batches are in: this level's new states
    number(peers' sorted links)      global ids: the rank of a state's link among every
                                     partition's new links (vector.py numbers new states
                                     by smallest link too), so ids equal one process's

A state reached again within the level by a smaller link keeps the smaller one (batches
arrive in any order), so every new state's link is its smallest, as in one process.
Parent links (global) stay here; `link_of` answers for the states owned.
"""

from __future__ import annotations

import bisect
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from podcheck.engine.bfs import BfsOptions
from podcheck.engine.ownership import Owner, whole
from podcheck.engine.packing import ExactStore, Ints, Keys, fingerprint, local_groups
from podcheck.engine.progress import SilentReporter
from podcheck.engine.twins import Twins, twins
from podcheck.engine.vector import CHUNK, Canonicalise, Compiled, _Explorer, _Run
from podcheck.engine.vsymmetry import VectorCanon
from podcheck.ir import TransitionSystem

Batch = tuple[Keys, Ints]


def partition_twins(system: TransitionSystem, canonicalise: Canonicalise | None,
                    options: BfsOptions) -> Twins | None:  # fmt: skip
    """The twin successors partitions skip, as one process does: those of the system's
    groups when `canonicalise` is its `VectorCanon` (NOTE(twin-successors))."""
    if isinstance(canonicalise, VectorCanon) and options.twins:
        return twins(system, canonicalise.canon)
    return None


def owner(keys: Keys, count: int) -> Ints:
    """The partition owning each key when the whole key is hashed: its fingerprint's high
    32 bits modulo `count` (the low bits index the stores' hash tables)."""
    return whole(count).of(keys)


class OwnedStore(ExactStore):
    """An `ExactStore` that inserts batches of distinct keys and lowers the links of
    states of the current level that a batch reaches by a smaller link."""

    def add(self, keys: Keys, links: Ints, first: int) -> Ints:
        """Insert `keys` (distinct) reached by `links`; the rows that are new states.

        States with ids from `first` on (this level's) keep the smallest link seen."""
        ids = self._lookup(keys)
        again = ids[ids >= first]
        if again.size:
            self.links[again] = np.minimum(self.links[again], links[ids >= first])
        new = np.flatnonzero(ids < 0)
        count = new.size
        if count:
            start = self.size
            self._reserve(start + count)
            fresh = [k[new] for k in keys]
            self._place(fresh, np.arange(start, start + count))
            for w in range(self.words):
                self.keys[w][start:start + count] = fresh[w]
            self.links[start:start + count] = links[new]
            self.size += count
        return new


@dataclass(frozen=True, slots=True)
class LevelReport:
    """What a partition tells the coordinator after a level."""

    new: int  # its new states
    found: dict[int, int]  # property index -> lowest global id flagged
    deadlock: int | None  # lowest global id without an enabled action
    transitions: int
    expanded: int  # states expanded (ids below the limit)
    busy: float  # CPU seconds spent computing this level (this thread's)
    waiting: float  # seconds spent waiting for peers this level
    sent_bytes: int  # bytes of keys and links sent to peers this level
    messages: int  # messages sent to peers this level
    inserted: int = 0  # keys looked up in its visited set this level (own and peers')
    inserting: float = 0.0  # CPU seconds of those lookups (part of `busy`)
    growing: float = 0.0  # CPU seconds rebuilding its table (part of `busy`: level-growth)
    resizing: float = 0.0  # CPU seconds growing its keys and links (NOTE(array-growth))
    wall: float = 0.0  # seconds from the command to the report (set by the transport)
    cpu: float = 0.0  # CPU seconds of those (the main thread's: NOTE(runqueue-accounting))
    runq: float = 0.0  # seconds of those runnable but not running


class Partition(_Explorer):
    """One partition's visited set, frontier, parent links and outbox."""

    def __init__(self, system: TransitionSystem, compiled: Compiled, me: int, count: int,
                 options: BfsOptions, fingerprinted: bool,
                 canonicalise: Canonicalise | None,
                 twins: Twins | None = None, owner: Owner | None = None) -> None:  # fmt: skip
        run = _Run(options, SilentReporter(), 0.0, {})
        words = 1 if fingerprinted else compiled.layout.words
        self.owned = OwnedStore(words)
        super().__init__(system, compiled, run, self.owned, canonicalise, twins)
        self.me, self.count, self.fingerprinted = me, count, fingerprinted
        self.owner = owner if owner is not None else whole(count)
        self.outbox: list[list[Batch]] = [[] for _ in range(count)]
        self.first = 0  # local id of this level's first new state
        self.fresh: list[Keys] = []  # new states' keys (fingerprinted: the store has none)
        self.frontier: Batch = ([np.zeros(0, np.uint64)] * compiled.layout.words,
                                np.zeros(0, np.int64))
        self.pending: Batch | None = None
        self.total = 0  # global states numbered so far
        self.sizes: list[int] | None = None  # every partition's frontier (its transport)
        self.inserts: list[int] | None = None  # every partition's expected insertions
        self.opened: dict[int, int] = {}  # the properties open at the level's start
        self.starts: list[int] = []  # first global id of each level's numbering
        self.levels: list[tuple[Ints, Ints]] = []  # (gids, links) of each level, ascending
        self.chunk = CHUNK * count  # a chunk of one process's, cut in `count` parts
        self.cpu0 = 0.0
        self.busy = self.waiting = 0.0  # this level's counters, kept by the transports too
        self.sent_bytes = self.messages = 0
        self.inserted, self.inserting = 0, 0.0
        self.grown = self.resized = 0.0  # the store's `growing`, `resizing` at the start

    def seed(self) -> None:
        """Insert the own initial states (links `i - len(init)`, as one process)."""
        self.cpu0 = _cpu()  # where the partition runs: `held` counts from here
        n = len(self.init)
        self._insert(self.c.layout.pack(self.init), np.arange(n, dtype=np.int64) - n)
        self.outbox = [[] for _ in range(self.count)]  # every partition seeds its own

    def adopt(self, known: Keys, frontier: Keys, ids: Ints, total: int) -> None:
        """Take over a one-process run instead of `seed` (`engine/auto.py`): `known` the
        own states of its store (keys, or fingerprints when fingerprinted), `frontier`
        and `ids` the own part of its next level, `total` the states it numbered.  Their
        parent links stay with the coordinator (`link_of` answers None for them)."""
        self.cpu0 = _cpu()
        self.owned.add(known, np.full(len(known[0]), -1, np.int64), 0)
        self.first, self.total = self.owned.size, total
        self.frontier = (frontier, ids)

    def begin(self, open_: dict[int, int]) -> None:
        """Start a level: the properties still open; counters reset."""
        run = self.run
        run.open, run.found, run.deadlock, run.transitions = dict(open_), {}, None, 0
        self.opened = dict(open_)
        self.busy = self.waiting = 0.0
        self.sent_bytes = self.messages = 0
        self.inserted, self.inserting = 0, 0.0
        self.grown, self.resized = self.owned.growing, self.owned.resizing

    def expand(self, limit: int, between: Callable[[], None]) -> int:
        """Expand the frontier's states with global ids below `limit`; how many."""
        keys, ids = self.frontier
        take = int(np.searchsorted(ids, limit))
        self._chunks([k[:take] for k in keys], ids[:take], between)
        return take

    def _chunks(self, keys: Keys, ids: Ints, between: Callable[[], None]) -> None:
        for at in range(0, len(ids), self.chunk):
            stop = min(len(ids), at + self.chunk)
            started = time.thread_time()
            self._expand([k[at:stop] for k in keys], ids[at:stop])
            self.busy += time.thread_time() - started
            between()

    def lend(self, states: int) -> Batch:
        """Take the last `states` states off the frontier, for a peer to expand
        (NOTE(lent-states)); their keys and global ids."""
        keys, ids = self.frontier
        cut = len(ids) - states
        self.frontier = ([k[:cut] for k in keys], ids[:cut])
        return [k[cut:] for k in keys], ids[cut:]

    def expand_lent(self, batch: Batch, between: Callable[[], None]) -> int:
        """Expand states a peer lent (after the own frontier): the level's properties
        and deadlocks looked up afresh in them, the lowest id of each kept; how many."""
        run = self.run
        found, deadlock = run.found, run.deadlock
        run.open, run.found, run.deadlock = dict(self.opened), {}, None
        self._chunks(batch[0], batch[1], between)
        for i, sid in found.items():
            run.found[i] = min(sid, run.found.get(i, sid))
        if deadlock is not None:
            run.deadlock = deadlock if run.deadlock is None else min(deadlock, run.deadlock)
        run.open = {i: n for i, n in self.opened.items() if i not in run.found}
        return len(batch[1])

    def _insert(self, keys: Keys, links: Ints) -> Keys:
        """Route a chunk's successors: distinct first, the own part stored at once."""
        if self.canonicalise is not None:
            keys = self.canonicalise(keys)
        reps, _, best = local_groups(keys, links)  # fewer bytes to send
        keys = [k[reps] for k in keys]
        if self.count == 1:
            self._add(keys, best)
            return []
        where = self.owner.of(keys)
        for w in range(self.count):
            rows = np.flatnonzero(where == w)
            if not rows.size:
                continue
            part = ([k[rows] for k in keys], best[rows])
            if w == self.me:
                self._add(*part)
            else:
                self.outbox[w].append(part)
        return []  # successors are kept here, not handed back to `_expand`

    def take_outbox(self) -> list[list[Batch]]:
        """The batches waiting for each peer (emptied)."""
        out, self.outbox = self.outbox, [[] for _ in range(self.count)]
        return out

    def receive(self, keys: Keys, links: Ints) -> None:
        """Insert a peer's batch of distinct keys."""
        started = time.thread_time()
        self._add(keys, links)
        self.busy += time.thread_time() - started

    def _add(self, keys: Keys, links: Ints) -> None:
        started = time.thread_time()
        ident = [fingerprint(keys)] if self.fingerprinted else keys
        new = self.owned.add(ident, links, self.first)
        if self.fingerprinted and new.size:
            self.fresh.append([k[new] for k in keys])
        self.inserted += len(links)
        self.inserting += time.thread_time() - started

    def finish(self) -> Ints:
        """Every batch of the level is in: the links of the new states, ascending."""
        started = time.thread_time()
        store, first = self.owned, self.first
        links = store.links[first:store.size]
        # distinct (one successor per parent and action), and sorted runs (one per batch)
        order = np.argsort(links, kind="stable")
        if self.fingerprinted:
            words = self.c.layout.words
            fresh = [np.concatenate([b[w] for b in self.fresh]) if self.fresh
                     else np.zeros(0, np.uint64) for w in range(words)]
        else:
            fresh = store.slice(first, store.size)
        self.pending = ([k[order] for k in fresh], links[order])
        self.busy += time.thread_time() - started
        return self.pending[1]

    def number(self, others: list[Ints]) -> int:
        """Global ids for the new states, given every peer's sorted links; how many."""
        assert self.pending is not None
        keys, links = self.pending
        rank = np.arange(len(links), dtype=np.int64)
        for other in others:
            rank += np.searchsorted(other, links)
        ids = self.total + rank
        self.starts.append(self.total)
        self.levels.append((ids, links))
        self.total += len(links) + sum(len(o) for o in others)
        self.frontier, self.pending = (keys, ids), None
        self.first, self.fresh = self.owned.size, []
        return len(links)

    def report(self, expanded: int, new: int) -> LevelReport:
        """The level's findings (global ids) for the coordinator."""
        run = self.run
        return LevelReport(new, dict(run.found), run.deadlock, run.transitions, expanded,
                           self.busy, self.waiting, self.sent_bytes, self.messages,
                           self.inserted, self.inserting, self.owned.growing - self.grown,
                           resizing=self.owned.resizing - self.resized)

    def link_of(self, gid: int) -> int | None:
        """The parent link of global state `gid` if this partition owns it, else None."""
        at = bisect.bisect_right(self.starts, gid) - 1
        if at < 0:
            return None
        ids, links = self.levels[at]  # the one level whose numbering covers `gid`
        pos = int(np.searchsorted(ids, gid))
        return int(links[pos]) if pos < len(ids) and ids[pos] == gid else None

    def held(self) -> tuple[int, int, float]:
        """Bytes held (store and parent links), this process's peak RSS, and its CPU
        seconds (every thread's) since `seed`."""
        links = sum(a.nbytes + b.nbytes for a, b in self.levels)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return self.owned.nbytes() + links, peak, _cpu() - self.cpu0


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime
