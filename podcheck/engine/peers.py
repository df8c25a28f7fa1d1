"""A worker process's queues to its peers (engine/workers.py): batches of successors,
lent frontier states, the level's end and the links that number new states.

Stage: inside `podcheck.engine`, used only by `engine/workers.py`'s forked workers.
"""

from __future__ import annotations

import queue
import time
from multiprocessing.queues import Queue
from typing import Any

import numpy as np

from podcheck.engine import growth
from podcheck.engine.balance import expected, moves
from podcheck.engine.partition import Batch, Partition


class Peers:
    """A worker's queues: its own inbox and its peers'."""

    def __init__(self, part: Partition, inboxes: list[Queue[Any]]) -> None:
        self.part, self.inboxes = part, inboxes
        self.ends = 0
        self.links: dict[int, np.ndarray] = {}
        self.inserted: dict[int, int] = {}  # the level's insertions of each peer
        self.lent: dict[int, Batch] = {}  # frontier states lent by a peer, by lender
        self.stores: dict[int, tuple[int, int]] = {}  # each peer's store size, table length
        self.room = 0  # the states to rebuild the own table for at the next level's start
        if growth.RULE != "mid-level":  # NOTE(level-growth)
            part.owned.most_load = growth.MOST_LOAD

    def flush(self) -> None:
        """Send the outbox (one message per peer), insert what has arrived."""
        part = self.part
        for w, batches in enumerate(part.take_outbox()):
            if batches:
                self._send(w, ("batch", part.me, batches))
                part.sent_bytes += sum(sum(k.nbytes for k in b[0]) + b[1].nbytes
                                       for b in batches)  # fmt: skip
        while True:
            try:
                message = self.inboxes[part.me].get_nowait()
            except queue.Empty:
                return
            self._take(message)

    def _send(self, w: int, message: tuple[Any, ...]) -> None:
        self.inboxes[w].put(message)
        self.part.messages += 1

    def _take(self, message: tuple[Any, ...]) -> None:
        kind, sender = message[0], message[1]
        if kind == "batch":
            for keys, links in message[2]:
                self.part.receive(keys, links)
        elif kind == "end":
            self.ends += 1
        elif kind == "lend":
            self.lent[sender] = message[2]
        else:
            self.links[sender] = message[2]
            self.inserted[sender] = message[3]
            self.stores[sender] = message[4]

    def _wait(self, done: Any) -> None:
        """Insert arriving batches until `done()`; the time waited counts as waiting."""
        inbox = self.inboxes[self.part.me]
        while not done():
            started = time.perf_counter()
            message = inbox.get()
            self.part.waiting += time.perf_counter() - started
            self._take(message)

    def close_level(self) -> int:
        """End the level with every peer: exchange ends, links and insertion counts; new
        states numbered, every partition's next frontier and expected insertions known
        (NOTE(insert-weight)), and the own table's rebuild (NOTE(level-growth))."""
        part, peers = self.part, [w for w in range(self.part.count) if w != self.part.me]
        self.flush()
        for w in peers:
            self._send(w, ("end", part.me))
        self._wait(lambda: self.ends == len(peers))
        links = part.finish()
        store = (part.owned.size, len(part.owned.table))
        for w in peers:
            self._send(w, ("links", part.me, links, part.inserted, store))
            part.sent_bytes += links.nbytes
        self._wait(lambda: len(self.links) == len(peers))
        new = part.number([self.links[w] for w in peers])
        before = part.sizes
        part.sizes = [new if w == part.me else len(self.links[w]) for w in range(part.count)]
        inserted = [part.inserted if w == part.me else self.inserted[w]
                    for w in range(part.count)]  # fmt: skip
        part.inserts = expected(before, inserted, part.sizes) if before is not None else None
        if growth.RULE != "mid-level":
            stores = [store if w == part.me else self.stores[w] for w in range(part.count)]
            self.room = growth.rebuilds([s[0] for s in stores], [s[1] for s in stores],
                                        before, part.sizes)[part.me]  # fmt: skip
        self.ends, self.links, self.inserted, self.stores = 0, {}, {}, {}
        return new

    def expand(self, limit: int) -> int:
        """Expand the own frontier below `limit`, evened out with the peers' when the
        whole level is expanded (NOTE(lent-states), NOTE(insert-weight)); how many states."""
        part = self.part
        if self.room:  # NOTE(level-growth)
            started = time.thread_time()
            part.owned.grow(self.room)
            part.busy += time.thread_time() - started
            self.room = 0
        sizes = part.sizes if limit >= part.total else None  # a level expanded whole
        plan = moves(sizes, part.inserts) if sizes is not None else []
        for lender, borrower, states in plan:
            if lender == part.me:
                lent = part.lend(states)
                self._send(borrower, ("lend", part.me, lent))
                part.sent_bytes += sum(k.nbytes for k in lent[0]) + lent[1].nbytes
        taken = part.expand(limit, self.flush)
        for lender in sorted({m[0] for m in plan if m[1] == part.me}):
            self._wait(lambda: lender in self.lent)  # noqa: B023 (called at once)
            taken += part.expand_lent(self.lent.pop(lender), self.flush)
        return taken
