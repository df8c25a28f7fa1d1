"""The vector engine on several processes of one machine: the frontier partitioned by hash.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and `BfsOptions` (as
`engine.vector.explore_vector`); produces the same `CheckResult` (no `StateGraph`), with
the same state ids, counts and shortest counterexamples as the one-process run, and the
message volumes (`partitioned.Traffic`).

W forked processes each run one `partition.Partition`; the calling process is the
coordinator of `engine/partitioned.py`.  Per level::

    coordinator -> every worker (its pipe): expand the ids below `limit`, open properties
    worker: a whole level: lend frontier states to the emptier peers, every worker
            computing the same moves from the frontier sizes (NOTE(lent-states))
    worker: after every chunk it expanded, put that chunk's successors owned by each peer
            on the peer's queue (one message per peer per chunk) and insert whatever
            its own queue holds by then, so exchange overlaps expansion
            then "end" to every peer; insert until every peer's "end" is in
            the sorted links of its new states to every peer; global ids from them
    worker -> coordinator: a report of a few numbers (`partition.LevelReport`)

Queues (`multiprocessing`, a pipe and a feeder thread each: two peers sending large
batches to each other never deadlock) carry numpy arrays; no RPC.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from typing import Any

from podcheck import ir
from podcheck.engine import schedstat as clock
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.graph import StateGraph
from podcheck.engine.malloc import keep_freed_memory
from podcheck.engine.npcompile import Unsupported
from podcheck.engine.ownership import Owner, choose, whole
from podcheck.engine.packing import ExactStore
from podcheck.engine.partition import LevelReport, Partition, partition_twins
from podcheck.engine.partitioned import Tally, Traffic, explore_partitioned
from podcheck.engine.peers import Peers
from podcheck.engine.progress import Reporter, SilentReporter
from podcheck.engine.result import CheckResult
from podcheck.engine.twins import Twins
from podcheck.engine.vector import (
    CHUNK,
    Canonicalise,
    Compiled,
    _Explorer,
    _Run,
    compile_vector,
    explore_vector,
)
from podcheck.engine.vsymmetry import for_system
from podcheck.ir import TransitionSystem

Adopt = Callable[[Partition], None]  # fills a partition from a one-process run
SAMPLE_STATES = 20_000  # states of the one-process search that chooses the owner function


def _serve(part: Partition, conn: Connection, inboxes: list[Queue[Any]],
           adopt: Adopt | None = None) -> None:  # fmt: skip
    """A worker's loop: obey the coordinator's commands (on `conn`) until told to stop;
    first `adopt(part)` when given (then the coordinator sends no "seed").

    Ctrl-C is the coordinator's to handle (it stops at the end of a level, as one
    process stops between chunks), so the worker ignores SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_freed_memory()  # NOTE(worker-malloc)
    peers = Peers(part, inboxes)
    first = clock.sample()
    try:
        if adopt is not None:
            adopt(part)
        ready = time.perf_counter()
        while True:
            cmd = pickle.loads(conn.recv_bytes())
            began = clock.sample()
            answer: Any
            if cmd[0] == "stop":
                answer = (*part.held(), ready, clock.since(first).runq)
            elif cmd[0] == "link":
                answer = part.link_of(cmd[1])
            else:
                answer = _level(part, peers, cmd)
                span = clock.since(began)  # NOTE(runqueue-accounting)
                answer = replace(answer, wall=span.wall, cpu=span.cpu, runq=span.runq)
            conn.send_bytes(pickle.dumps(("ok", answer)))
            if cmd[0] == "stop":
                return
    except Exception as err:  # handed to the coordinator, which raises it
        conn.send_bytes(pickle.dumps(("error", err)))


def _level(part: Partition, peers: Peers, cmd: tuple[Any, ...]) -> LevelReport:
    """One level on the coordinator's command: the seed, or the ids below a limit."""
    if cmd[0] == "seed":
        part.begin({})
        part.seed()
        return part.report(0, peers.close_level())
    part.begin(cmd[2])
    taken = peers.expand(cmd[1])
    return part.report(taken, peers.close_level())


class _Processes:
    """The coordinator's end: one pipe per forked worker (a `partitioned.Transport`)."""

    def __init__(self, system: TransitionSystem, compiled: Compiled, count: int,
                 options: BfsOptions, fingerprinted: bool,
                 canonicalise: Canonicalise | None, twins: Twins | None = None,
                 adopt: Adopt | None = None, owner: Owner | None = None) -> None:  # fmt: skip
        ctx = mp.get_context("fork")
        self.tally = Tally(count)
        self.tally.stamps["fork"] = time.perf_counter()
        pipes = [ctx.Pipe() for _ in range(count)]
        self.commands: list[Connection] = [p[0] for p in pipes]
        inboxes: list[Queue[Any]] = [ctx.Queue() for _ in range(count)]
        self.procs = []
        for w in range(count):
            part = Partition(system, compiled, w, count, options, fingerprinted, canonicalise,
                             twins, owner)
            proc = ctx.Process(target=_serve, args=(part, pipes[w][1], inboxes, adopt),
                               daemon=True)
            proc.start()
            self.procs.append(proc)
        self.tally.stamps["forked"] = time.perf_counter()

    def _ask(self, *cmd: Any) -> list[Any]:
        """Send `cmd` to every worker; their answers, by worker."""
        data = pickle.dumps(cmd)
        for conn in self.commands:
            conn.send_bytes(data)
        answers = []
        for conn in self.commands:
            while not conn.poll(1.0):
                dead = [p.exitcode for p in self.procs if not p.is_alive()]
                if dead:
                    raise RuntimeError(f"a worker process ended (exit code {dead[0]})")
            raw = conn.recv_bytes()
            status, answer = pickle.loads(raw)
            if status == "error":
                raise answer
            answers.append(answer)
            self.tally.coordinator_bytes += len(data) + len(raw)
        self.tally.coordinator_messages += 2 * len(self.commands)
        return answers

    def seed(self) -> list[LevelReport]:
        """See `partitioned.Transport`."""
        return self._level("seed")

    def expand(self, limit: int, open_: dict[int, int]) -> list[LevelReport]:
        """See `partitioned.Transport`."""
        return self._level("expand", limit, open_)

    def _level(self, *cmd: Any) -> list[LevelReport]:
        started = time.perf_counter()
        self.tally.stamps.setdefault("first level", started)
        reports: list[LevelReport] = self._ask(*cmd)
        self.tally.stamps["last level"] = time.perf_counter()
        self.tally.level(reports, self.tally.stamps["last level"] - started)
        return reports

    def link_of(self, gid: int) -> int:
        """See `partitioned.Transport`."""
        link: int = next(a for a in self._ask("link", gid) if a is not None)
        return link

    def close(self) -> tuple[int, int]:
        """See `partitioned.Transport`."""
        self.tally.stamps["closing"] = time.perf_counter()
        try:
            answers = self._ask("stop")
        finally:
            self.kill()
        self.tally.stamps["closed"] = time.perf_counter()
        self.tally.stamps["ready"] = max(a[3] for a in answers)  # the last worker adopted
        self.tally.cpu = [a[2] for a in answers]
        self.tally.runq = [a[4] for a in answers]
        return sum(a[0] for a in answers), sum(a[1] for a in answers)

    def kill(self) -> None:
        """End every worker still running (after an error, they may wait on a peer)."""
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5)

    def traffic(self) -> Traffic:
        """See `partitioned.Transport`."""
        return self.tally.traffic()


def explore_workers(
    system: TransitionSystem, compiled: Compiled, options: BfsOptions, workers: int,
    reporter: Reporter | None = None, *, fingerprint: bool = False,
    canonicalise: Canonicalise | None = None, owner: Owner | None = None,
) -> tuple[CheckResult, Traffic]:  # fmt: skip
    """Check every safety property of `system` with `workers` forked processes.

    The result equals `vector.explore_vector`'s without a graph (ids, counts, traces);
    `options.keep_graph` is ignored (callers run one process when they need the graph).
    `canonicalise` runs in the workers (forked, so any callable works), and so do the
    twin successors of its groups when it is the system's `VectorCanon`
    (NOTE(twin-successors)).  The partitions own states by `owner`, any owner giving the
    same result; without one, the run starts in this process and the workers take it
    over once `SAMPLE_STATES` states are checked, the owner chosen from those
    (NOTE(sampled-start)).  Raises `ir.ModelError` (from a worker) when an action drives
    a variable outside its domain, `RuntimeError` when a worker process died.
    """
    pruned = partition_twins(system, canonicalise, options)
    if owner is None and not fingerprint and workers > 1:
        handed = _sampled_start(system, compiled, options, workers, reporter, canonicalise,
                                pruned)  # fmt: skip
        if isinstance(handed, tuple):
            return handed
        owner = handed
    if owner is None:
        owner = sample_owner(system, compiled, options, workers, canonicalise, pruned)

    def start() -> _Processes:
        return _Processes(system, compiled, workers, options, fingerprint, canonicalise,
                          pruned, owner=owner)

    return explore_partitioned(system, compiled, options, start, reporter,
                               fingerprint=fingerprint, canonicalise=canonicalise)


def _sampled_start(system: TransitionSystem, compiled: Compiled, options: BfsOptions,
                   count: int, reporter: Reporter | None, canonicalise: Canonicalise | None,
                   twins: Twins | None) -> tuple[CheckResult, Traffic] | Owner | None:  # fmt: skip
    """NOTE(sampled-start): the search in this process until a whole level is done with
    `SAMPLE_STATES` states checked, then on `count` workers adopting its store and next
    level (as `engine/auto.py` hands over, the owner chosen from that store), the
    run's result and traffic; when the run ends or meets a limit or a domain error
    first, the owner the workers explore it again with (None: `sample_owner`'s)."""
    from podcheck.engine.auto import _Handoff  # auto imports this module

    start = time.perf_counter()
    run = _Run(options, reporter or SilentReporter(), start, dict(compiled.flags), start)
    explorer = _Explorer(system, compiled, run, ExactStore(compiled.layout.words),
                         canonicalise, twins)  # fmt: skip
    taker = _Handoff(options, count, SAMPLE_STATES)
    explorer.pause = taker.wanted
    try:
        explorer.explore(CHUNK)
    except ir.ModelError:
        return whole(count)  # the workers meet it again
    if explorer.next_level is None:  # a space under the sample: as `sample_owner`
        return whole(count) if run.stop is None else None
    return taker.take(explorer, explorer.next_level), taker.traffic[-1]


def sample_owner(system: TransitionSystem, compiled: Compiled, options: BfsOptions,
                 count: int, canonicalise: Canonicalise | None,
                 twins: Twins | None) -> Owner:  # fmt: skip
    """The owner function of `count` partitions (NOTE(local-owner)), chosen from the first
    `SAMPLE_STATES` states of a one-process search in this process (canonicalised and
    pruned as the partitions will); the whole key when the space is smaller, or when that
    search meets a domain error (the partitioned run then meets it, or stops before)."""
    if count <= 1:
        return whole(count)
    bare = BfsOptions(max_states=SAMPLE_STATES, symmetry=options.symmetry, twins=options.twins)
    run = _Run(bare, SilentReporter(), time.perf_counter(), dict(compiled.flags))
    explorer = _Explorer(system, compiled, run, ExactStore(compiled.layout.words),
                         canonicalise, twins)  # fmt: skip
    try:
        explorer.explore(CHUNK)
    except ir.ModelError:
        return whole(count)
    return choose(explorer, count) if run.stop is not None else whole(count)


def explore(
    system: TransitionSystem, options: BfsOptions | None = None,
    reporter: Reporter | None = None, *, workers: int = 1, fingerprint: bool = False,
    canonicalise: Canonicalise | None = None, cluster: str | None = None,
) -> tuple[CheckResult, StateGraph | None]:  # fmt: skip
    """`vector.explore_vector` on `workers` processes, or on the Dask cluster at
    `cluster` (`engine/distributed/`, `local:N` starts one), when that is possible.

    The partitions canonicalise as one process would (the verified symmetry of `system`
    unless `options.symmetry` is off, or `canonicalise`).  One process runs when
    `workers <= 1` and no cluster is given, when the liveness checker needs the graph
    (`options.keep_graph`), or when the vector encoding cannot express the system (then
    `explore_vector` falls back to `bfs` and says why).  Raises `ImportError` for a
    cluster when Dask distributed is not installed.
    """
    options = options if options is not None else BfsOptions()
    if (workers > 1 or cluster) and not options.keep_graph:
        try:
            compiled = compile_vector(system)
        except Unsupported:
            compiled = None
        if compiled is not None:
            canon, use = for_system(system, compiled.layout, options, canonicalise)
            if cluster:
                from podcheck.engine.distributed.cluster import explore_cluster

                result, _ = explore_cluster(system, compiled, options, cluster, reporter,
                                            fingerprint=fingerprint, canonicalise=canon)
            else:
                result, _ = explore_workers(system, compiled, options, workers, reporter,
                                            fingerprint=fingerprint, canonicalise=canon)
            return replace(result, symmetry=use), None
    return explore_vector(system, options, reporter, fingerprint=fingerprint,
                          canonicalise=canonicalise)


def available_cores() -> int:
    """The cores this process may run on (`os.sched_getaffinity`, else `os.cpu_count`)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
