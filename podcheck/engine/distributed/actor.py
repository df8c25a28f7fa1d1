"""One partition as a Dask actor: it lives on a Dask worker, talks to its peers directly.

Stage: inside `podcheck.engine.distributed`.  Wraps an `engine.partition.Partition`; the
client (`engine/distributed/cluster.py`) calls `seed`, `expand`, `link_of` and `held`.
Successors and links go from actor to actor through Dask's own communication
(`Actor` handles of the peers, `deliver`): worker to worker, not through the client.

The heavy work runs in a thread of the worker (`run_in_executor`) so that the worker's
event loop stays free to take the peers' deliveries meanwhile.  One level::

    expand (thread); after every chunk: deliver the outbox to every peer (scheduled on
        the loop) and insert the batches arrived so far, as the processes do
    -> the rest of the outbox, then "end" with the count of batches sent to each peer
    -> wait until every peer's end and all its batches are in (calls may arrive in any
       order) -> insert them (thread) -> sorted links (thread) -> deliver them to every
       peer -> wait for theirs -> global ids -> the report
"""

from __future__ import annotations

import asyncio
import pickle
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any

from podcheck.engine.bfs import BfsOptions
from podcheck.engine.partition import Batch, LevelReport, Partition, partition_twins
from podcheck.engine.vector import Canonicalise, Compiled
from podcheck.ir import TransitionSystem


class Aborted(RuntimeError):
    """The client ended the run while this partition waited for a peer."""


class PartitionActor:
    """A `Partition` on a Dask worker, with the handles of its peers."""

    def __init__(self, shared: bytes, me: int, count: int) -> None:
        """Partition `me` of `count`; `shared` pickles the system, its encoding, the
        options, fingerprints or not, the canonicalisation (as `Partition` takes them)."""
        given: tuple[TransitionSystem, Compiled, BfsOptions, bool, Canonicalise | None] = (
            pickle.loads(shared))
        system, compiled, options, fingerprinted, canonicalise = given
        self.part = Partition(system, compiled, me, count, options, fingerprinted,
                              canonicalise, partition_twins(system, canonicalise, options))
        self.peers: dict[int, Any] = {}
        self.inbox: deque[list[Batch]] = deque()  # arrived, not inserted yet (thread-safe)
        self.got: dict[int, int] = {}  # batch deliveries received this level, by sender
        self.ends: dict[int, int] = {}  # deliveries each sender says it sent this level
        self.sent: dict[int, int] = {}  # deliveries sent this level, by peer
        self.sends: list[Future[None]] = []  # deliveries scheduled from the thread
        self.links: dict[int, Any] = {}
        self.arrived = asyncio.Event()
        self.aborted = False

    def connect(self, peers: dict[int, Any]) -> int:
        """Keep the `Actor` handles of the other partitions (by number); how many."""
        self.peers = peers
        return len(peers)

    async def deliver(self, kind: str, sender: int, payload: Any) -> None:
        """A peer's batches (`kind` "batch"), the count of its batch deliveries ("end")
        or its sorted links ("links") of this level."""
        if kind == "batch":
            self.inbox.append(payload)
            self.got[sender] = self.got.get(sender, 0) + 1
        elif kind == "end":
            self.ends[sender] = payload
        else:
            self.links[sender] = payload
        self.arrived.set()

    async def abort(self) -> None:
        """End the waits of this level (the client gave up the run)."""
        self.aborted = True
        self.arrived.set()

    async def seed(self) -> LevelReport:
        """Store the own initial states; exchange links; the report."""
        self.part.begin({})
        await self._thread(self.part.seed)
        return self.part.report(0, await self._close_level())

    async def expand(self, limit: int, open_: dict[int, int]) -> LevelReport:
        """Expand the own frontier below `limit`, exchange, number; the report."""
        self.part.begin(open_)
        loop = asyncio.get_running_loop()

        def between() -> None:  # in the thread, after every chunk
            self._send_outbox(lambda c: asyncio.run_coroutine_threadsafe(c, loop))
            self._absorb()

        taken = await self._thread(lambda: self.part.expand(limit, between))
        return self.part.report(taken, await self._close_level())

    def link_of(self, gid: int) -> int | None:
        """See `Partition.link_of`."""
        return self.part.link_of(gid)

    def held(self) -> tuple[int, int, float]:
        """See `Partition.held`."""
        return self.part.held()

    def _send_outbox(self, schedule: Callable[[Coroutine[Any, Any, None]], Any]) -> None:
        """Deliver the outbox's batches to their peers (one call per peer that has any)."""
        part = self.part
        out = part.take_outbox()
        for w, peer in self.peers.items():
            if out[w]:
                part.sent_bytes += sum(sum(k.nbytes for k in b[0]) + b[1].nbytes
                                       for b in out[w])  # fmt: skip
                part.messages += 1
                self.sent[w] = self.sent.get(w, 0) + 1
                self.sends.append(schedule(self._deliver(peer, out[w])))

    async def _deliver(self, peer: Any, batches: list[Batch]) -> None:
        await peer.deliver("batch", self.part.me, batches)

    def _complete(self) -> bool:
        """Every peer's end has come, and every batch it counted in it."""
        return all(w in self.ends and self.got.get(w, 0) >= self.ends[w] for w in self.peers)

    async def _close_level(self) -> int:
        part = self.part
        tasks: list[Any] = []
        self._send_outbox(lambda c: tasks.append(asyncio.ensure_future(c)))
        sent, self.sends = self.sends, []
        await asyncio.gather(*(asyncio.wrap_future(f) for f in sent), *tasks)
        await asyncio.gather(*(peer.deliver("end", part.me, self.sent.get(w, 0))
                               for w, peer in self.peers.items()))  # fmt: skip
        part.messages += len(self.peers)
        await self._until(self._complete)
        self.got, self.ends, self.sent = {}, {}, {}
        await self._thread(self._absorb)
        links = await self._thread(part.finish)
        part.sent_bytes += links.nbytes * len(self.peers)
        part.messages += len(self.peers)
        await asyncio.gather(*(peer.deliver("links", part.me, links)
                               for peer in self.peers.values()))
        await self._until(lambda: len(self.links) == len(self.peers))
        theirs, self.links = self.links, {}
        return part.number([theirs[w] for w in sorted(theirs)])

    def _absorb(self) -> None:
        """Insert the batches arrived so far (in the thread; deliveries go on meanwhile)."""
        while self.inbox:
            for keys, links in self.inbox.popleft():
                self.part.receive(keys, links)

    async def _until(self, done: Callable[[], bool]) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not done():
            if self.aborted:
                raise Aborted("the run was ended by the client")
            self.arrived.clear()
            await self.arrived.wait()
        self.part.waiting += loop.time() - started

    async def _thread(self, work: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, work)

