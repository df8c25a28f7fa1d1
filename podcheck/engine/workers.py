"""The vector engine on several processes: the frontier partitioned by state hash.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and `BfsOptions` (as
`engine.vector.explore_vector`); produces the same `CheckResult` (no `StateGraph`), with
the same state ids, counts and shortest counterexamples as the one-process run, and the
message volumes (`Traffic`).

Design (level-synchronous, one coordinator and W forked workers)::

    worker w owns the states whose fingerprint's high half is w (mod W): its own
    visited set (an ExactStore or FingerprintStore) and its part of the frontier
    per level:
      coordinator -> every worker: expand the ids below `limit`, open properties
      worker: expand its frontier in chunks (vector.py's code), dedup each chunk's
              successors locally, send each successor to its owner (one message
              per peer per level: key words + link), insert what it receives
      worker -> coordinator: the links of its new states (sorted), flagged ids,
              deadlock id, transitions
      coordinator: merges the links; a new state's global id is the rank of its link
              (the one-process engine numbers new states by smallest link too)
      coordinator -> worker: the global ids of its new states

The coordinator keeps the global parent-link array, so traces replay exactly as in
`vector.py`.  Messages are numpy arrays on `multiprocessing` queues (pipes; no RPC).
Limits: `max_states` and `max_depth` as in the one-process engine; the timeout is
looked at between levels.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from typing import Any

import numpy as np

from podcheck.engine.bfs import BfsOptions
from podcheck.engine.graph import StateGraph
from podcheck.engine.npcompile import Unsupported
from podcheck.engine.packing import (
    ExactStore,
    FingerprintStore,
    Ints,
    Keys,
    collision_probability,
    fingerprint,
    local_groups,
)
from podcheck.engine.progress import Reporter, SilentReporter
from podcheck.engine.result import CheckResult, Limit, Stats
from podcheck.engine.symmetry import Off, SymmetryUse
from podcheck.engine.vector import (
    CHUNK,
    Canonicalise,
    Compiled,
    _Explorer,
    _Run,
    compile_vector,
    explore_vector,
    replay,
)
from podcheck.engine.vector_verdict import Outcome, verdicts
from podcheck.ir import TransitionSystem


@dataclass(frozen=True, slots=True)
class Traffic:
    """Message volumes of one run: bytes of successors sent between workers, bytes of
    links and ids between workers and the coordinator, and messages sent in all."""

    workers: int
    peer_bytes: int
    coordinator_bytes: int
    messages: int
    levels: int


class _Shard(_Explorer):
    """One worker: its visited set, its frontier (keys and global ids), its outbox."""

    def __init__(self, system: TransitionSystem, compiled: Compiled, me: int, count: int,
                 inboxes: list[Queue[Any]], options: BfsOptions, fingerprinted: bool,
                 canonicalise: Canonicalise | None) -> None:  # fmt: skip
        run = _Run(options, SilentReporter(), 0.0, {})
        store = FingerprintStore() if fingerprinted else ExactStore(compiled.layout.words)
        super().__init__(system, compiled, run, store, canonicalise)
        self.me, self.count, self.inboxes = me, count, inboxes
        self.outbox: list[list[tuple[Keys, Ints]]] = [[] for _ in range(count)]
        self.frontier: tuple[Keys, Ints] = ([], np.zeros(0, np.int64))
        self.fresh: Keys = []
        self.sent = 0

    def _insert(self, keys: Keys, links: Ints) -> Keys:
        """Route a batch of candidates to their owners (deduplicated first)."""
        if self.canonicalise is not None:
            keys = self.canonicalise(keys)
        reps, _, best = local_groups(keys, links)  # fewer bytes to send
        keys = [k[reps] for k in keys]
        owner = (fingerprint(keys) >> np.uint64(32)) % np.uint64(self.count)
        for w in range(self.count):
            rows = np.flatnonzero(owner == w)
            if rows.size:
                self.outbox[w].append(([k[rows] for k in keys], best[rows]))
        return [np.zeros(0, np.uint64) for _ in keys]

    def expand(self, limit: int, open_: dict[int, int]) -> tuple[Any, ...]:
        """Expand the frontier's ids below `limit`, exchange, insert; the level report."""
        run = self.run
        run.open, run.found, run.deadlock, run.transitions = dict(open_), {}, None, 0
        keys, ids = self.frontier
        take = int(np.searchsorted(ids, limit))
        for at in range(0, take, CHUNK):
            stop = min(take, at + CHUNK)
            self._expand([k[at:stop] for k in keys], ids[at:stop])
        return self.exchange() + (run.found, run.deadlock, run.transitions, take)

    def exchange(self) -> tuple[Ints, int]:
        """Send each peer its candidates, take ours, insert; our new states' links."""
        words = self.c.layout.words
        parts = [self._joined(self.outbox[w], words) for w in range(self.count)]
        self.outbox = [[] for _ in range(self.count)]
        for w, part in enumerate(parts):
            if w != self.me:
                self.inboxes[w].put(part)
                self.sent += sum(k.nbytes for k in part[0]) + part[1].nbytes
        mine = [parts[self.me]] + [self.inboxes[self.me].get() for _ in range(self.count - 1)]
        keys = [np.concatenate([m[0][w] for m in mine]) for w in range(words)]
        links = np.concatenate([m[1] for m in mine])
        first = self.store.size
        _, reps = self.store.insert(keys, links)  # new states in order of smallest link
        self.fresh = [k[reps] for k in keys]
        return self.store.links[first:self.store.size].copy(), self.sent

    @staticmethod
    def _joined(batches: list[tuple[Keys, Ints]], words: int) -> tuple[Keys, Ints]:
        if not batches:
            return [np.zeros(0, np.uint64) for _ in range(words)], np.zeros(0, np.int64)
        keys = [np.concatenate([b[0][w] for b in batches]) for w in range(words)]
        return keys, np.concatenate([b[1] for b in batches])


def _serve(shard: _Shard, conn: Connection) -> None:
    """A worker's loop: obey the coordinator's commands (on `conn`) until told to stop."""
    results = _Answers(conn)
    try:
        while True:
            cmd = conn.recv()
            if cmd[0] == "stop":
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
                results.put((shard.me, "done", shard.store.nbytes(), peak))
                return
            if cmd[0] == "init":
                shard._insert(shard.c.layout.pack(shard.init), cmd[1])
                results.put((shard.me, "level", *shard.exchange(), {}, None, 0, 0))
            elif cmd[0] == "expand":
                results.put((shard.me, "level", *shard.expand(cmd[1], cmd[2])))
            elif cmd[0] == "ids":
                shard.frontier = (shard.fresh, cmd[1])
    except Exception as err:  # handed to the coordinator, which raises it
        results.put((shard.me, "error", err))


class _Answers:
    """A worker's end of its pipe to the coordinator, spelled like a queue."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def put(self, answer: tuple[Any, ...]) -> None:
        """Send one answer."""
        self.conn.send(answer)


class _Coordinator:
    """Drives the workers level by level and keeps the global parent links."""

    def __init__(self, system: TransitionSystem, compiled: Compiled, count: int,
                 options: BfsOptions, fingerprinted: bool,
                 canonicalise: Canonicalise | None) -> None:  # fmt: skip
        ctx = mp.get_context("fork")
        self.count = count
        # control: one duplex pipe per worker (small messages, low latency); successors:
        # one queue per worker (a feeder thread, so two peers sending never deadlock)
        pipes = [ctx.Pipe() for _ in range(count)]
        self.commands: list[Connection] = [p[0] for p in pipes]
        inboxes: list[Queue[Any]] = [ctx.Queue() for _ in range(count)]
        self.procs = []
        for w in range(count):
            shard = _Shard(system, compiled, w, count, inboxes, options, fingerprinted,
                           canonicalise)
            proc = ctx.Process(target=_serve, args=(shard, pipes[w][1]),
                               daemon=True)  # fmt: skip
            proc.start()
            self.procs.append(proc)
        self.links: list[Ints] = []
        self.up = self.messages = self.levels = 0
        self.peer = [0] * count

    def broadcast(self, *cmd: Any) -> list[tuple[Any, ...]]:
        """Send `cmd` to every worker; their answers, by worker."""
        for conn in self.commands:
            conn.send(cmd)
        self.messages += self.count
        answers: list[tuple[Any, ...]] = [()] * self.count
        for conn in self.commands:
            answer = self._answer(conn)
            if answer[1] == "error":
                raise answer[2]
            answers[answer[0]] = answer[2:]
        self.messages += self.count * self.count  # peers' messages and the answers
        return answers

    def _answer(self, conn: Connection) -> tuple[Any, ...]:
        """The worker's next answer; raises `RuntimeError` if a worker died meanwhile."""
        while not conn.poll(1.0):
            dead = [p.exitcode for p in self.procs if not p.is_alive()]
            if dead:
                raise RuntimeError(f"a worker process ended (exit code {dead[0]})")
        answer: tuple[Any, ...] = conn.recv()
        return answer

    def level(self, *cmd: Any) -> tuple[int, list[tuple[Any, ...]]]:
        """One level: the workers' reports; new states get global ids by their links."""
        answers = self.broadcast(*cmd)
        self.levels += 1
        parts = [a[0] for a in answers]
        self.peer = [a[1] for a in answers]
        links = np.concatenate(parts)
        order = np.argsort(links, kind="stable")
        base = sum(len(x) for x in self.links)
        rank = np.empty(len(links), np.int64)
        rank[order] = np.arange(base, base + len(links))
        self.links.append(links[order])
        at = 0
        for w, part in enumerate(parts):
            self.commands[w].send(("ids", rank[at:at + len(part)]))
            self.up += 2 * part.nbytes
            at += len(part)
        self.messages += self.count
        return len(links), answers

    def close(self) -> tuple[int, int]:
        """Stop the workers; the bytes their stores held and the sum of their peaks."""
        held = peak = 0
        try:
            for answer in self.broadcast("stop"):
                held, peak = held + answer[0], peak + answer[1]
        finally:
            self.kill()
        return held, peak

    def kill(self) -> None:
        """End every worker still running (after an error, they may wait on a peer)."""
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5)

    def traffic(self) -> Traffic:
        """The message volumes so far."""
        return Traffic(self.count, sum(self.peer), self.up, self.messages, self.levels)


def _levels(co: _Coordinator, run: _Run, n_init: int) -> None:
    """The BFS loop of `vector._Explorer.explore`, one level per round of messages."""
    limit = run.options.max_states
    size, _ = co.level("init", np.arange(n_init, dtype=np.int64) - n_init)
    while size and run.stop is None:
        take = size
        if limit is not None and run.checked + take > limit:
            take, run.stop = limit - run.checked, Limit.MAX_STATES
        new = 0
        if take:
            new, answers = co.level("expand", run.checked + take, dict(run.open))
            _merge(run, answers)
            run.checked += take
        stopped = run.stop
        run.queue = new
        run.tick()
        run.stop = stopped or run.stop
        if run.stop is not None:
            run.depth -= 1 if not take and run.depth else 0
            break
        run.complete_depth = run.depth
        if new and run.options.max_depth is not None and run.depth >= run.options.max_depth:
            run.stop = Limit.MAX_DEPTH
        elif new:
            run.depth += 1
        size = new


def _merge(run: _Run, answers: list[tuple[Any, ...]]) -> None:
    """Fold the workers' findings of one level into `run` (the lowest id wins)."""
    for _, _, found, deadlock, transitions, _ in answers:
        run.transitions += transitions
        for i, sid in found.items():
            run.found[i] = min(sid, run.found.get(i, sid))
        if deadlock is not None and run.options.check_deadlock:
            run.deadlock = deadlock if run.deadlock is None else min(deadlock, run.deadlock)
    for i in run.found:
        run.open.pop(i, None)


def explore_workers(
    system: TransitionSystem, compiled: Compiled, options: BfsOptions, workers: int,
    reporter: Reporter | None = None, *, fingerprint: bool = False,
    canonicalise: Canonicalise | None = None,
) -> tuple[CheckResult, Traffic]:  # fmt: skip
    """Check every safety property of `system` with `workers` processes.

    The result equals `vector.explore_vector`'s without a graph (ids, counts, traces);
    `options.keep_graph` is ignored (callers run one process when they need the graph).
    `canonicalise` runs in the workers (forked, so any callable works).  Raises
    `ir.ModelError` (from a worker) when an action drives a variable outside its domain.
    """
    reporter = reporter if reporter is not None else SilentReporter()
    start = time.perf_counter()
    run = _Run(options, reporter, start, dict(compiled.flags), start)
    init = list(dict.fromkeys(system.init))
    co = _Coordinator(system, compiled, workers, options, fingerprint, canonicalise)
    try:
        _levels(co, run, len(init))
    except BaseException:
        co.kill()
        raise
    held, peak = co.close()
    if run.stop is None:
        run.complete_depth = run.depth
    links = np.concatenate(co.links) if co.links else np.zeros(0, np.int64)
    fp = collision_probability(run.checked, run.transitions) if fingerprint else None
    outcome = Outcome(run.checked, run.complete_depth, run.stop, run.found, fp)

    def trace(sid: int) -> Any:
        return replay(system, init, links, sid)

    results = verdicts(system, outcome, trace, False)
    deadlock = None if run.deadlock is None else trace(run.deadlock)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    stats = Stats(
        states=run.checked, transitions=run.transitions, depth=run.depth,
        seconds=time.perf_counter() - start, peak_bytes=own + peak, complete=run.stop is None,
        bytes_per_state=(held + links.nbytes) / max(1, len(links)), collision_probability=fp,
    )  # fmt: skip
    reporter.on_done(stats)
    engine = "vector-fingerprint" if fingerprint else "vector"
    return CheckResult(system, engine, results, stats, deadlock, run.stop), co.traffic()


def explore(
    system: TransitionSystem, options: BfsOptions | None = None,
    reporter: Reporter | None = None, *, workers: int = 1, fingerprint: bool = False,
    canonicalise: Canonicalise | None = None,
) -> tuple[CheckResult, StateGraph | None]:  # fmt: skip
    """`vector.explore_vector` on `workers` processes when that is possible.

    Several processes store concrete states: the run is not reduced by symmetry (the
    result says so).  One process runs when `workers <= 1`, when the liveness checker
    needs the graph (`options.keep_graph`), or when the vector encoding cannot express
    the system (then `explore_vector` falls back to `bfs` and says why).
    """
    options = options if options is not None else BfsOptions()
    if workers > 1 and not options.keep_graph:
        try:
            compiled = compile_vector(system)
        except Unsupported:
            compiled = None
        if compiled is not None:
            result, _ = explore_workers(system, compiled, options, workers, reporter,
                                        fingerprint=fingerprint, canonicalise=canonicalise)
            off = None if not system.symmetry or canonicalise is not None else Off.WORKERS
            return (result if off is None else replace(result, symmetry=SymmetryUse(off=off))
                    ), None
    return explore_vector(system, options, reporter, fingerprint=fingerprint,
                          canonicalise=canonicalise)


def available_cores() -> int:
    """The cores this process may run on (`os.sched_getaffinity`, else `os.cpu_count`)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
