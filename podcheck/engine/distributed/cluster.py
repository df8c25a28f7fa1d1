"""The frontier-partitioned BFS on a Dask cluster: one partition actor per Dask worker.

Stage: inside `podcheck.engine.distributed`.  The client process is the coordinator of
`engine/partitioned.py`; `_Actors` is its `Transport`.  `connect` opens a client on a
running scheduler (`tcp://host:8786`) or starts a local cluster of processes
(`local:N`); the cluster's Dask workers are sorted by address and worker i holds
partition i, so the partition count is the worker count.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import cloudpickle  # type: ignore[import-untyped]
import dask
from distributed import Client, LocalCluster

from podcheck.engine.bfs import BfsOptions
from podcheck.engine.distributed.actor import PartitionActor
from podcheck.engine.partition import LevelReport
from podcheck.engine.partitioned import Tally, Traffic, explore_partitioned
from podcheck.engine.progress import Reporter
from podcheck.engine.result import CheckResult
from podcheck.engine.vector import Canonicalise, Compiled
from podcheck.ir import TransitionSystem

LOCAL = "local:"
# A local cluster's workers: no stack sampling every 10 ms, and glibc's own malloc
# thresholds (Dask's MALLOC_TRIM_THRESHOLD_ fixes them, so every array over 128 KiB is
# mapped and unmapped again: 2-3x the CPU time on the numpy batches of a partition).
LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1},
}


def local_workers(address: str) -> int | None:
    """N for `local:N` (raises `ValueError` unless N >= 1), None for a scheduler address."""
    if not address.startswith(LOCAL):
        return None
    count = int(address[len(LOCAL):])
    if count < 1:
        raise ValueError(f"{address}: a local cluster needs at least one worker")
    return count


@contextmanager
def connect(address: str) -> Iterator[Client]:
    """A client of the scheduler at `address`, or of a local cluster (`local:N`: N worker
    processes of one thread each, started here and closed on exit)."""
    count = local_workers(address)
    if count is None:
        with Client(address, timeout=30) as client:
            yield client
        return
    with dask.config.set(LOCAL_CONFIG), LocalCluster(
            n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR) as cluster, Client(cluster) as client:  # fmt: skip
        yield client


class _Actors:
    """One `PartitionActor` per Dask worker (a `partitioned.Transport`)."""

    def __init__(self, client: Client, system: TransitionSystem, compiled: Compiled,
                 options: BfsOptions, fingerprinted: bool,
                 canonicalise: Canonicalise | None) -> None:  # fmt: skip
        addresses = sorted(client.scheduler_info()["workers"])
        if not addresses:
            raise RuntimeError("the Dask cluster has no workers")
        count = len(addresses)
        self.tally = Tally(count)
        # the system pickled once, as bytes: Dask moves them as they are (0.06 s for a
        # 750 KB system where scattering the objects took 2 s)
        shared = cloudpickle.dumps((system, compiled, options, fingerprinted, canonicalise))
        self.tally.coordinator_bytes += count * len(shared)
        futures = [client.submit(PartitionActor, shared, w, count, actor=True,
                                 workers=[address], allow_other_workers=False, pure=False)
                   for w, address in enumerate(addresses)]  # fmt: skip
        self.futures = futures
        self.actors: list[Any] = [f.result() for f in futures]
        self._all("connect", lambda w: ({v: a for v, a in enumerate(self.actors) if v != w},))

    def _all(self, method: str, args: Any = lambda w: ()) -> list[Any]:
        """Call `method` on every actor (arguments `args(w)`); the answers, by partition.

        Raises the first error an actor raised, after ending every actor's waits."""
        calls = []
        for w, actor in enumerate(self.actors):
            given = args(w)
            self.tally.coordinator_bytes += len(pickle.dumps((method, given)))
            calls.append(getattr(actor, method)(*given))
        self.tally.coordinator_messages += 2 * len(calls)
        answers: list[Any] = [None] * len(calls)
        waiting, delay = list(range(len(calls))), 0.0002
        while waiting:
            for w in [w for w in waiting if calls[w].done()]:
                answers[w] = calls[w].result()  # raises the actor's error
                waiting.remove(w)
            if waiting:
                time.sleep(delay)
                delay = min(0.005, 2 * delay)
        return answers

    def seed(self) -> list[LevelReport]:
        """See `partitioned.Transport`."""
        reports: list[LevelReport] = self._all("seed")
        self.tally.level(reports)
        return reports

    def expand(self, limit: int, open_: dict[int, int]) -> list[LevelReport]:
        """See `partitioned.Transport`."""
        reports: list[LevelReport] = self._all("expand", lambda w: (limit, open_))
        self.tally.level(reports)
        return reports

    def link_of(self, gid: int) -> int:
        """See `partitioned.Transport`."""
        link: int = next(a for a in self._all("link_of", lambda w: (gid,)) if a is not None)
        return link

    def close(self) -> tuple[int, int]:
        """See `partitioned.Transport` (the actors are released)."""
        answers = self._all("held")
        self.tally.cpu = [a[2] for a in answers]
        self.release()
        return sum(a[0] for a in answers), sum(a[1] for a in answers)

    def kill(self) -> None:
        """End every actor's waits and release the actors."""
        for actor in self.actors:
            try:
                actor.abort().result(timeout=5)
            except Exception:  # noqa: BLE001 - an actor already gone needs no abort
                pass
        self.release()

    def release(self) -> None:
        """Let the workers drop the actors."""
        for future in self.futures:
            future.release()
        self.actors, self.futures = [], []

    def traffic(self) -> Traffic:
        """See `partitioned.Transport`."""
        return self.tally.traffic()


def explore_cluster(
    system: TransitionSystem, compiled: Compiled, options: BfsOptions, address: str,
    reporter: Reporter | None = None, *, fingerprint: bool = False,
    canonicalise: Canonicalise | None = None,
) -> tuple[CheckResult, Traffic]:  # fmt: skip
    """`explore_client` on the Dask cluster at `address` (`local:N` starts one and closes
    it after the run).  Raises `OSError` or `TimeoutError` when the scheduler cannot be
    reached."""
    with connect(address) as client:
        return explore_client(client, system, compiled, options, reporter,
                              fingerprint=fingerprint, canonicalise=canonicalise)


def explore_client(
    client: Client, system: TransitionSystem, compiled: Compiled, options: BfsOptions,
    reporter: Reporter | None = None, *, fingerprint: bool = False,
    canonicalise: Canonicalise | None = None,
) -> tuple[CheckResult, Traffic]:  # fmt: skip
    """Check every safety property of `system` with one partition per worker of
    `client`'s cluster; the result equals `vector.explore_vector`'s without a graph.

    `canonicalise` must pickle (it runs on the Dask workers).  Raises what an actor
    raised (`ir.ModelError` for a variable driven outside its domain).
    """
    def start() -> _Actors:
        return _Actors(client, system, compiled, options, fingerprint, canonicalise)

    return explore_partitioned(system, compiled, options, start, reporter,
                               fingerprint=fingerprint, canonicalise=canonicalise)
