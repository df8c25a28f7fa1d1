"""The coordinator of the frontier-partitioned BFS, whatever carries its messages.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem`, its vector encoding and a
`Transport` (the partitions of `engine/partition.py` on processes, `engine/workers.py`,
or on Dask actors, `engine/distributed/`); produces the `CheckResult` of
`engine.vector.explore_vector` (same ids, counts, depths, limits and shortest
counterexamples; no `StateGraph`) and the message volumes (`Traffic`).

The coordinator only sends commands and reads reports of a few numbers per level: the
partitions exchange successors and links among themselves.  Counterexamples are walked
back along the parent links the partitions keep (`Transport.link_of`, one round of
questions per step) and replayed on `ir.apply`, or mapped to a concrete run when a
canonicalisation reduced the states (as `vector._Explorer.trace`).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from podcheck import ir
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.packing import ExactStore, collision_probability
from podcheck.engine.partition import LevelReport
from podcheck.engine.progress import Reporter, SilentReporter
from podcheck.engine.result import CheckResult, Limit, Stats, Step, Trace
from podcheck.engine.vector import Canonicalise, Compiled, _Explorer, _Run
from podcheck.engine.vector_verdict import Outcome, path, verdicts
from podcheck.ir import TransitionSystem


@dataclass(frozen=True, slots=True)
class LevelFigures:
    """One level's counters, one entry per partition: states expanded (lent ones by
    the borrower), keys looked up in its visited set, CPU seconds computing and of
    those the lookups', wall seconds waiting for peers (NOTE(insert-weight))."""

    expanded: tuple[int, ...]
    inserted: tuple[int, ...]
    busy: tuple[float, ...]
    inserting: tuple[float, ...]
    waiting: tuple[float, ...]
    wall: tuple[float, ...] = ()  # seconds from command to report (NOTE(runqueue-accounting))
    cpu: tuple[float, ...] = ()  # CPU seconds of those
    runq: tuple[float, ...] = ()  # seconds of those runnable but not running
    round_trip: float = 0.0  # the coordinator's seconds from command to every report
    growing: tuple[float, ...] = ()  # CPU seconds rebuilding tables (NOTE(level-growth))
    resizing: tuple[float, ...] = ()  # CPU seconds growing keys, links (NOTE(array-growth))


@dataclass(frozen=True, slots=True)
class Traffic:
    """Message volumes of one run: bytes of successors and links sent between
    partitions and their count, bytes and count of the coordinator's commands and the
    reports, levels, and each partition's CPU seconds computing (its main thread), wall
    seconds waiting for peers, and CPU seconds in all (every thread of its process)."""

    workers: int
    peer_bytes: int
    peer_messages: int
    coordinator_bytes: int
    coordinator_messages: int
    levels: int
    busy_seconds: tuple[float, ...]
    waiting_seconds: tuple[float, ...]
    cpu_seconds: tuple[float, ...]
    peer_bytes_per_level: tuple[int, ...]
    per_level: tuple[LevelFigures, ...] = ()
    stamps: tuple[tuple[str, float], ...] = ()  # `time.perf_counter` of a transport's phases
    runq_seconds: tuple[float, ...] = ()  # each partition's main thread's run queue delay


class Transport(Protocol):
    """The partitions, wherever they run, as the coordinator drives them."""

    def seed(self) -> list[LevelReport]:
        """Every partition stores its initial states and numbers them; their reports."""
        ...

    def expand(self, limit: int, open_: dict[int, int]) -> list[LevelReport]:
        """One level: expand the ids below `limit`, exchange, number; the reports."""
        ...

    def link_of(self, gid: int) -> int:
        """The parent link of global state `gid` (asked of every partition)."""
        ...

    def close(self) -> tuple[int, int]:
        """Stop the partitions: the bytes their stores held and the sum of their peaks
        (their CPU seconds go to the traffic)."""
        ...

    def kill(self) -> None:
        """End every partition at once (after an error)."""
        ...

    def traffic(self) -> Traffic:
        """The message volumes so far."""
        ...


class Tally:
    """The volumes a transport counts as the levels go (see `Traffic`)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.coordinator_bytes = self.coordinator_messages = 0
        self.peer_bytes = self.peer_messages = self.levels = 0
        self.busy = [0.0] * count
        self.waiting = [0.0] * count
        self.per_level: list[int] = []
        self.figures: list[LevelFigures] = []
        self.cpu: list[float] = []
        self.runq: list[float] = []
        self.stamps: dict[str, float] = {}

    def level(self, reports: list[LevelReport], round_trip: float = 0.0) -> None:
        """Add one level's reports (and the coordinator's seconds waiting for them)."""
        self.levels += 1
        sent = sum(r.sent_bytes for r in reports)
        self.peer_bytes += sent
        self.per_level.append(sent)
        self.peer_messages += sum(r.messages for r in reports)
        for w, r in enumerate(reports):
            self.busy[w] += r.busy
            self.waiting[w] += r.waiting
        self.figures.append(LevelFigures(
            tuple(r.expanded for r in reports), tuple(r.inserted for r in reports),
            tuple(round(r.busy, 4) for r in reports),
            tuple(round(r.inserting, 4) for r in reports),
            tuple(round(r.waiting, 4) for r in reports),
            tuple(round(r.wall, 4) for r in reports), tuple(round(r.cpu, 4) for r in reports),
            tuple(round(r.runq, 4) for r in reports), round(round_trip, 4),
            tuple(round(r.growing, 4) for r in reports),
            tuple(round(r.resizing, 4) for r in reports)))

    def traffic(self) -> Traffic:
        """The totals so far."""
        return Traffic(self.count, self.peer_bytes, self.peer_messages,
                       self.coordinator_bytes, self.coordinator_messages, self.levels,
                       tuple(round(b, 3) for b in self.busy),
                       tuple(round(w, 3) for w in self.waiting),
                       tuple(round(c, 3) for c in self.cpu), tuple(self.per_level),
                       tuple(self.figures), tuple(sorted(self.stamps.items(), key=lambda x: x[1])),
                       tuple(round(q, 3) for q in self.runq))


def _levels(transport: Transport, run: _Run, size: int | None = None) -> None:
    """The BFS loop of `vector._Explorer.explore`, one round of messages per level:
    from the seed, or from a level of `size` states the partitions already hold."""
    limit = run.options.max_states
    size = sum(r.new for r in transport.seed()) if size is None else size
    while size and run.stop is None:
        take = size
        if limit is not None and run.checked + take > limit:
            take, run.stop = limit - run.checked, Limit.MAX_STATES
        new = 0
        if take:
            reports = transport.expand(run.checked + take, dict(run.open))
            new = sum(r.new for r in reports)
            _merge(run, reports)
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


def _merge(run: _Run, reports: list[LevelReport]) -> None:
    """Fold the partitions' findings of one level into `run` (the lowest id wins)."""
    for report in reports:
        run.transitions += report.transitions
        for i, sid in report.found.items():
            run.found[i] = min(sid, run.found.get(i, sid))
        if report.deadlock is not None and run.options.check_deadlock:
            run.deadlock = (report.deadlock if run.deadlock is None
                            else min(report.deadlock, run.deadlock))
    for i in run.found:
        run.open.pop(i, None)


def walk(system: TransitionSystem, link_of: Callable[[int], int], sid: int,
         ) -> tuple[int, list[int]]:  # fmt: skip
    """The initial state's index and the actions of the path to `sid` along the links."""
    link, actions = path(link_of, sid, max(1, len(system.actions)))
    return link + len(list(dict.fromkeys(system.init))), actions


def _tracer(system: TransitionSystem, compiled: Compiled, run: _Run, transport: Transport,
            canonicalise: Canonicalise | None) -> Callable[[int], Trace]:  # fmt: skip
    """The trace to a state: replayed, or a concrete run along the reduced path."""
    init = list(dict.fromkeys(system.init))
    concrete = _Explorer(system, compiled, run, ExactStore(1), canonicalise)

    def trace(sid: int) -> Trace:
        start, actions = walk(system, transport.link_of, sid)
        if canonicalise is not None:
            return concrete._concrete(init[start], actions)
        state, steps = init[start], [Step(init[start])]
        for a in actions:
            state = ir.apply(system, system.actions[a], state)
            steps.append(Step(state, a))
        return Trace(system, tuple(steps))

    return trace


def explore_partitioned(
    system: TransitionSystem, compiled: Compiled, options: BfsOptions,
    open_transport: Callable[[], Transport], reporter: Reporter | None = None, *,
    fingerprint: bool = False, canonicalise: Canonicalise | None = None,
    resume: tuple[_Run, int] | None = None,
) -> tuple[CheckResult, Traffic]:  # fmt: skip
    """Check every safety property of `system` on the partitions `open_transport` starts.

    The result equals `vector.explore_vector`'s without a graph (module doc); the
    partitions are stopped before this returns.  `resume` continues a one-process run
    (its `_Run` and the size of the level the partitions were handed: `engine/auto.py`)
    instead of seeding.  Raises what a partition raised (an `ir.ModelError` when an
    action drives a variable outside its domain).
    """
    reporter = reporter if reporter is not None else SilentReporter()
    start = time.perf_counter() if resume is None else resume[0].start
    run = (_Run(options, reporter, start, dict(compiled.flags), start)
           if resume is None else resume[0])
    transport = open_transport()
    try:
        _levels(transport, run, None if resume is None else resume[1])
        if run.stop is None:
            run.complete_depth = run.depth
        fp = collision_probability(run.checked, run.transitions) if fingerprint else None
        outcome = Outcome(run.checked, run.complete_depth, run.stop, run.found, fp)
        trace = _tracer(system, compiled, run, transport, canonicalise)
        results = verdicts(system, outcome, trace, False)
        deadlock = None if run.deadlock is None else trace(run.deadlock)
    except BaseException:
        transport.kill()
        raise
    held, peak = transport.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    stats = Stats(
        states=run.checked, transitions=run.transitions, depth=run.depth,
        seconds=time.perf_counter() - start, peak_bytes=own + peak, complete=run.stop is None,
        bytes_per_state=held / max(1, run.checked), collision_probability=fp,
        workers=transport.traffic().workers,
    )  # fmt: skip
    reporter.on_done(stats)
    engine = "vector-fingerprint" if fingerprint else "vector"
    return CheckResult(system, engine, results, stats, deadlock, run.stop), transport.traffic()
