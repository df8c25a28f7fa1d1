"""Packed states and the visited sets of the vector engine.

Stage: inside `podcheck.engine`, used by `podcheck.engine.vector`.  A state is packed into
`words` uint64 words: each variable holds `value - lo` in a bit field of
`(hi - lo).bit_length()` bits, fields placed first-fit in layout order and never across a
word boundary (`WordLayout`).  Keys are stored word-major: `keys[w][i]` is word `w` of
state `i`.

Two visited sets, both open-addressing hash tables with linear probing, probed a whole
batch at a time (`insert` runs one vectorised round per probe step):
- `ExactStore` keeps every key (`words * 8` bytes a state) and an int32 table of state ids
  at a load of at most 1/2: membership is exact, and ids map successors to states.
- `FingerprintStore` keeps only a 64-bit fingerprint per state in the table (load at most
  3/4) and no keys: two states with the same fingerprint are taken as one, so a run may
  miss states with the probability `collision_probability` estimates.
Both assign new ids in order of the smallest `link` that reached them, so ids are BFS
discovery order exactly as `engine/bfs.py` numbers states.

NOTE(array-growth): a store's key and link arrays (`words + 1` int64 words a state)
grow when an insertion needs room.  `np.resize` copied them to 1.5x (writing 2x): up to
0.37 s a growth at 2-3 M states per worker (B1 N=17, 2 workers), made by one partition
in mid-level while its peer waited at the rendezvous, and up to 1.5x the room needed
(64.5 bytes a state at N=17 against issue 9's 64).  Now `ndarray.resize` grows them in
place by at least 1/`STEP`: numpy calls `realloc`, which for an array mapped on its own
(glibc: every store array over 32 MiB) moves the pages (`mremap`) instead of copying
them, so a growth costs the zeroing of its new part (pages a later insertion touches
anyway), and the arrays hold at most 1/8 more than the states (54.6 bytes a state at
N=17, docs/scaling.md 2026-12-03 evening).  Resizing in place is safe only for an array
nothing else refers to (no view): numpy checks its references, `_enlarge` counts them
too against an array held the same way (numpy's check missed views on Python 3.14
before numpy's fix of its issue 30265), and `_reserve` hands the arrays over in a list
of their own; where either refuses, the array is copied, by at least 1/`SPARE`, and
counted in `copies`.  Either way the first `size` items keep their values and ids and
nothing reads past `size`, so growth changes no id, count, trace or verdict, only when
memory is touched (tests/engine/test_growth.py).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podcheck.engine.npcompile import Array, Unsupported, dtype_for
from podcheck.ir import State, TransitionSystem

Keys = list[npt.NDArray[np.uint64]]
Ints = npt.NDArray[np.int64]
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_NO_LINK = np.iinfo(np.int64).max
STEP, SPARE = 8, 2  # NOTE(array-growth): grown in place by >= 1/STEP, copied by >= 1/SPARE


@dataclass(frozen=True, slots=True)
class WordLayout:
    """Where each variable lives: word, shift and width of its bit field."""

    lo: tuple[int, ...]
    hi: tuple[int, ...]
    word: tuple[int, ...]
    shift: tuple[int, ...]
    width: tuple[int, ...]
    words: int

    @staticmethod
    def of(system: TransitionSystem) -> WordLayout:
        """The layout of `system`'s variables (raises `Unsupported` for a 65-bit range)."""
        word, shift, width, at, current = [], [], [], 0, 0
        for var in system.vars:
            bits = (var.hi - var.lo).bit_length()
            if bits > 64:
                raise Unsupported(f"variable {var.name} needs {bits} bits")
            if at + bits > 64:
                current, at = current + 1, 0
            word.append(current)
            shift.append(at)
            width.append(bits)
            at += bits
        los = tuple(v.lo for v in system.vars)
        his = tuple(v.hi for v in system.vars)
        return WordLayout(los, his, tuple(word), tuple(shift), tuple(width), current + 1)

    def pack(self, states: list[State]) -> Keys:
        """The keys of `states` (word-major)."""
        keys = [np.zeros(len(states), np.uint64) for _ in range(self.words)]
        table = np.array(states, dtype=object).reshape(len(states), len(self.lo))
        for i, (lo, w, sh) in enumerate(zip(self.lo, self.word, self.shift, strict=True)):
            field = np.array([int(v) - lo for v in table[:, i]], dtype=np.uint64)
            keys[w] |= field << np.uint64(sh)
        return keys

    def column(self, keys: Keys, i: int) -> Array:
        """Variable `i` of every key, in the smallest dtype of its range."""
        dt = dtype_for(self.lo[i], self.hi[i])
        if self.width[i] == 0:
            return np.full(len(keys[0]), self.lo[i], dt)
        mask = np.uint64((1 << self.width[i]) - 1)
        field = (keys[self.word[i]] >> np.uint64(self.shift[i])) & mask
        return field.astype(dt) + dt(self.lo[i]) if self.lo[i] else field.astype(dt)

    def columns(self, keys: Keys) -> list[Array]:
        """Every variable of every key (see `column`)."""
        return [self.column(keys, i) for i in range(len(self.lo))]

    def states(self, keys: Keys) -> list[State]:
        """The keys as state tuples (slow: for traces, graphs and tests)."""
        cols = [self.column(keys, i).tolist() for i in range(len(self.lo))]
        return list(zip(*cols, strict=True)) if cols else [() for _ in keys[0]]

    def assign(self, keys: Keys, i: int, values: Array) -> None:
        """Set variable `i` of `keys` (in place) to `values` (already in its range)."""
        if self.width[i] == 0:
            return
        sh = np.uint64(self.shift[i])
        mask = np.uint64((1 << self.width[i]) - 1) << sh
        field = (values.astype(np.int64) - self.lo[i]).astype(np.uint64) << sh
        w = self.word[i]
        keys[w] = (keys[w] & ~mask) | field


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The splitmix64 finaliser: a bijection of uint64 with good avalanche."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def fingerprint(keys: Keys) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each key (never 0: 0 marks an empty slot)."""
    h = _mix(keys[0] + _GOLDEN)
    for word in keys[1:]:
        h = _mix(h ^ _mix(word))
    h[h == 0] = np.uint64(1)
    return h


def _same(keys: Keys, a: Ints, b: Ints) -> npt.NDArray[np.bool_]:
    """Whether key `a[i]` equals key `b[i]` of the same batch."""
    same = keys[0][a] == keys[0][b]
    for word in keys[1:]:
        same &= word[a] == word[b]
    return np.asarray(same, dtype=bool)


def local_groups(keys: Keys, links: Ints) -> tuple[Ints, Ints, Ints]:
    """The distinct keys of one batch, exactly, by a hash table of the batch's size.

    Returns one candidate per distinct key (`reps`), ordered by the smallest link that
    reached the key; the rank in `reps` of each candidate's key; and those smallest links.
    """
    size = len(links)
    bits = max(4, (2 * size - 1).bit_length())
    mask = np.int64((1 << bits) - 1)
    table = np.full(1 << bits, -1, np.int64)
    slot = (fingerprint(keys) & np.uint64(mask)).astype(np.int64)
    owner = np.empty(size, np.int64)
    pending = np.arange(size)
    while pending.size:
        s = slot[pending]
        free = table[s] == -1
        table[s[free]] = pending[free]
        seen = table[s]
        same = _same(keys, seen, pending)
        owner[pending[same]] = seen[same]
        pending = pending[~same]
        slot[pending] = (slot[pending] + 1) & mask
    best = np.full(size, _NO_LINK, np.int64)
    np.minimum.at(best, owner, links)
    groups = np.flatnonzero(best != _NO_LINK)
    reps = groups[np.argsort(best[groups], kind="stable")]
    rank = np.empty(size, np.int64)
    rank[reps] = np.arange(len(reps))
    return reps, rank[owner], best[reps]


def _references() -> int:
    """The references `sys.getrefcount` counts for an array `_enlarge` holds alone."""
    arrays = [np.zeros(1)]
    array = arrays.pop(0)
    return sys.getrefcount(array)


_ALONE = _references()


def _enlarge(arrays: list[npt.NDArray[np.generic]], states: int,
             copies: int) -> tuple[int, int]:  # fmt: skip
    """Grow every one of `arrays` (each referred to by the list alone) to room for
    `states` items (NOTE(array-growth)): in place by at least 1/`STEP`, or, when numpy
    refuses (another reference to the array), as a copy by at least 1/`SPARE`.  The
    least room of them, and `copies` plus the arrays copied."""
    grown = []
    while arrays:
        array = arrays.pop(0)
        length = len(array)
        try:
            if sys.getrefcount(array) > _ALONE:  # numpy's own check missed views on 3.14
                raise ValueError("another object refers to the array")
            array.resize(max(states, length + length // STEP))  # `array` alone refers to it
        except ValueError:
            copy = np.zeros(max(states, length + length // SPARE), array.dtype)
            copy[:length] = array
            array, copies = copy, copies + 1
        grown.append(array)
        del array
    arrays.extend(grown)
    return min(len(a) for a in arrays), copies


class ExactStore:
    """Every visited key, a table of ids, and the parent link of every state."""

    FIRST_TABLE = 1 << 13  # the table's length when empty

    def __init__(self, words: int, capacity: int = 1 << 12) -> None:
        """An empty store for keys of `words` words."""
        self.words = words
        self.size = 0
        self.keys: Keys = [np.zeros(capacity, np.uint64) for _ in range(words)]
        self.links: Ints = np.zeros(capacity, np.int64)
        self.capacity = capacity  # the states the keys and links have room for
        self.table = np.full(self.FIRST_TABLE, -1, np.int32)
        self.most_load = 0.5  # an insertion that would fill the table more grows it
        self.growing = 0.0  # CPU seconds spent rebuilding the table so far
        self.resizing = 0.0  # CPU seconds spent growing the keys and links so far
        self.copies = 0  # arrays grown by a copy, not in place (NOTE(array-growth))

    def nbytes(self) -> int:
        """Bytes held by keys, links and the table."""
        return sum(k.nbytes for k in self.keys) + self.links.nbytes + self.table.nbytes

    def slice(self, start: int, stop: int) -> Keys:
        """The keys of states `start..stop-1` (views, not copies)."""
        return [k[start:stop] for k in self.keys]

    def insert(self, keys: Keys, links: Ints) -> tuple[Ints, Ints]:
        """Add the batch (candidate keys and links).

        Returns the id of each candidate's state, and the candidates (one per new state)
        whose keys the new states have, in id order.
        """
        reps, rank, best = local_groups(keys, links)
        distinct = [k[reps] for k in keys]
        ids = self._lookup(distinct)
        new = np.flatnonzero(ids < 0)
        first, count = self.size, new.size
        if count:
            self._reserve(first + count)
            ids[new] = np.arange(first, first + count)
            fresh = [k[new] for k in distinct]
            self._place(fresh, ids[new])
            for w in range(self.words):
                self.keys[w][first:first + count] = fresh[w]
            self.links[first:first + count] = best[new]
            self.size += count
        return ids[rank], reps[new]

    def _lookup(self, keys: Keys) -> Ints:
        """Ids of the keys already stored, -1 for the others."""
        mask = len(self.table) - 1
        ids = np.full(len(keys[0]), -1, np.int64)
        slot = (fingerprint(keys) & np.uint64(mask)).astype(np.int64)
        pending = np.arange(len(ids))
        while pending.size:
            found = self.table[slot[pending]].astype(np.int64)
            live = found >= 0
            pending, found = pending[live], found[live]
            same = np.ones(pending.size, bool)
            for w in range(self.words):
                same &= self.keys[w][found] == keys[w][pending]
            ids[pending[same]] = found[same]
            pending = pending[~same]
            slot[pending] = (slot[pending] + 1) & mask
        return ids

    def _place(self, keys: Keys, ids: Ints) -> None:
        """Put ids of distinct keys, none in the table yet, into free slots."""
        mask = len(self.table) - 1
        slot = (fingerprint(keys) & np.uint64(mask)).astype(np.int64)
        marks = ids.astype(np.int32)
        pending = np.arange(len(ids))
        while pending.size:
            s = slot[pending]
            free = self.table[s] == -1
            self.table[s[free]] = marks[pending[free]]
            pending = pending[self.table[s] != marks[pending]]
            slot[pending] = (slot[pending] + 1) & mask

    def _reserve(self, states: int) -> None:
        """Room for `states` keys and links (NOTE(array-growth)), and a table at most
        `most_load` full (when more, rebuilt at most half full)."""
        if states > self.capacity:
            started = time.thread_time()
            arrays: list[npt.NDArray[np.generic]] = [*self.keys, self.links]
            self.keys, self.links = [], np.zeros(0, np.int64)  # `arrays` alone holds them
            self.capacity, self.copies = _enlarge(arrays, states, self.copies)
            self.keys = [np.asarray(a, np.uint64) for a in arrays[:-1]]
            self.links = np.asarray(arrays[-1], np.int64)
            self.resizing += time.thread_time() - started
        if states <= self.most_load * len(self.table):
            return
        self.grow(states)

    def grow(self, states: int) -> None:
        """Rebuild the table, if needed, at most half full with `states` states (the
        ids it maps are unchanged: only where they lie in the table moves)."""
        if 2 * states <= len(self.table):
            return
        if states >= np.iinfo(np.int32).max // 2:
            raise Unsupported("more than 10^9 states")
        started = time.thread_time()
        size = len(self.table)
        while 2 * states > size:
            size *= 2
        self.table = np.full(size, -1, np.int32)
        self._place(self.slice(0, self.size), np.arange(self.size))
        self.growing += time.thread_time() - started


class FingerprintStore:
    """A table of 64-bit fingerprints and the parent link of every state (no keys)."""

    def __init__(self, capacity: int = 1 << 12) -> None:
        """An empty store."""
        self.size = 0
        self.links: Ints = np.zeros(capacity, np.int64)
        self.table = np.zeros(1 << 13, np.uint64)

    def nbytes(self) -> int:
        """Bytes held by links and the table."""
        return self.links.nbytes + self.table.nbytes

    def insert(self, keys: Keys, links: Ints) -> tuple[Ints, Ints]:
        """Add the batch, as `ExactStore.insert` (-1 for the id of an already known state)."""
        reps, rank, best = local_groups(keys, links)
        fps = fingerprint([k[reps] for k in keys])
        _, found = self._probe(fps, claim=False)
        new = np.flatnonzero(~found)
        ids = np.full(len(reps), -1, np.int64)
        if new.size:
            self._reserve(self.size + new.size)
            self._probe(fps[new], claim=True)
            count = new.size
            self.links[self.size:self.size + count] = best[new]
            ids[new] = np.arange(self.size, self.size + count)
            self.size += count
        return ids[rank], reps[new]

    def _probe(
        self, fps: npt.NDArray[np.uint64], *, claim: bool
    ) -> tuple[Ints, npt.NDArray[np.bool_]]:
        """Each fingerprint's slot and whether it is in the table; `claim` adds the
        missing ones (equal fingerprints of one batch end in one slot)."""
        mask = np.int64(len(self.table) - 1)
        slot = (fps & np.uint64(mask)).astype(np.int64)
        found = np.zeros(len(fps), bool)
        pending = np.arange(len(fps))
        while pending.size:
            s = slot[pending]
            mine = fps[pending]
            if claim:
                free = self.table[s] == 0
                self.table[s[free]] = mine[free]
            seen = self.table[s]
            hit = seen == mine
            found[pending[hit]] = True
            pending = pending[~hit & (seen != 0)]
            slot[pending] = (slot[pending] + 1) & mask
        return slot, found

    def _reserve(self, states: int) -> None:
        if states > len(self.links):  # NOTE(array-growth)
            arrays: list[npt.NDArray[np.generic]] = [self.links]
            self.links = np.zeros(0, np.int64)
            _enlarge(arrays, states, 0)
            self.links = np.asarray(arrays[0], np.int64)
        if 4 * states <= 3 * len(self.table):
            return
        size = len(self.table)
        while 4 * states > 3 * size:
            size *= 2
        old = self.table[self.table != 0]
        self.table = np.zeros(size, np.uint64)
        self._probe(old, claim=True)


def collision_probability(states: int, generated: int) -> float:
    """TLC's optimistic estimate that fingerprinting merged two distinct states.

    `states * (generated - states) / 2**64`: each of the `generated - states` successor
    computations that hit a known fingerprint could have been a distinct state with the
    same 64-bit fingerprint as one of `states` stored ones.
    """
    return states * max(0, generated - states) / 2.0**64
