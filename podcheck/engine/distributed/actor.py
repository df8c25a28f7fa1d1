"""One partition as a Dask actor: it lives on a Dask worker, talks to its peers directly.

Stage: inside `podcheck.engine.distributed`.  Wraps an `engine.partition.Partition`; the
client (`engine/distributed/cluster.py`) calls `seed`, `expand`, `link_of` and `held`.
Successors and links go from actor to actor through Dask's own communication
(`Actor` handles of the peers, `deliver`): worker to worker, not through the client.

The heavy work runs in a thread of the worker (`run_in_executor`) so that the worker's
event loop stays free to take the peers' deliveries meanwhile.  One level::

    expand (thread) -> deliver the outbox to every peer (they store it and answer)
    -> wait for every peer's batches -> insert them (thread) -> sorted links (thread)
    -> deliver them to every peer -> wait for theirs -> global ids -> the report
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from typing import Any

from podcheck.engine.bfs import BfsOptions
from podcheck.engine.partition import Batch, LevelReport, Partition
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
                              canonicalise)
        self.peers: dict[int, Any] = {}
        self.batches: dict[int, list[Batch]] = {}
        self.links: dict[int, Any] = {}
        self.arrived = asyncio.Event()
        self.aborted = False

    def connect(self, peers: dict[int, Any]) -> int:
        """Keep the `Actor` handles of the other partitions (by number); how many."""
        self.peers = peers
        return len(peers)

    async def deliver(self, kind: str, sender: int, payload: Any) -> None:
        """A peer's batches (`kind` "batch") or sorted links ("links") of this level."""
        (self.batches if kind == "batch" else self.links)[sender] = payload
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
        taken = await self._thread(lambda: self.part.expand(limit, _nothing))
        return self.part.report(taken, await self._close_level())

    def link_of(self, gid: int) -> int | None:
        """See `Partition.link_of`."""
        return self.part.link_of(gid)

    def held(self) -> tuple[int, int, float]:
        """See `Partition.held`."""
        return self.part.held()

    async def _close_level(self) -> int:
        part = self.part
        out = part.take_outbox()
        sends = []
        for w, peer in self.peers.items():
            part.sent_bytes += sum(sum(k.nbytes for k in b[0]) + b[1].nbytes for b in out[w])
            sends.append(peer.deliver("batch", part.me, out[w]))
        part.messages += len(sends)
        await asyncio.gather(*sends)
        await self._until(lambda: len(self.batches) == len(self.peers))
        batches, self.batches = self.batches, {}
        await self._thread(lambda: self._absorb(batches))
        links = await self._thread(part.finish)
        part.sent_bytes += links.nbytes * len(self.peers)
        part.messages += len(self.peers)
        await asyncio.gather(*(peer.deliver("links", part.me, links)
                               for peer in self.peers.values()))
        await self._until(lambda: len(self.links) == len(self.peers))
        theirs, self.links = self.links, {}
        return part.number([theirs[w] for w in sorted(theirs)])

    def _absorb(self, batches: dict[int, list[Batch]]) -> None:
        for w in sorted(batches):
            for keys, links in batches[w]:
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


def _nothing() -> None:
    """Between chunks: the batches go out at the end of the level."""
