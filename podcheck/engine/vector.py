"""Frontier-at-a-time breadth-first search over packed states, in numpy.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and `BfsOptions` (the same
as `engine.bfs.explore`); produces the same `CheckResult` (and, when `keep_graph`, the
same `StateGraph`), so renderers and the liveness checker read it unchanged.

The loop, one numpy operation over a whole chunk of the frontier at a time::

    level = packed(init)                       # uint64 keys, word-major (packing.py)
    while level:
        for chunk in level (in id order):      # ids are BFS discovery order
            columns = unpack(chunk)            # one array per variable
            flags / deadlocks on the chunk     # first row = lowest id = nearest
            for action in actions:             # guards and updates: npcompile.py
                rows = where(guard(columns))
                successors += update(keys[rows]), link = id * len(actions) + action
            store.insert(successors)           # visited set: new states get ids in
                                               # order of their smallest link
        level = the new states

Ids, parent links, `transitions` (enabled action instances), deadlocks (no enabled action
and `terminal` false), the first state flagged for each property and the limits are
exactly `engine/bfs.py`'s, so both engines report the same counts and the same shortest
counterexamples.  A system the encoding cannot express (see `npcompile.Unsupported`) is
handed to `engine.bfs.explore`, and `CheckResult.fallback` says why.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from podcheck import ir
from podcheck.engine import bfs
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.graph import CsrEdges, StateGraph
from podcheck.engine.npcompile import Frame, Program, Unsupported
from podcheck.engine.packing import (
    ExactStore,
    FingerprintStore,
    Ints,
    Keys,
    WordLayout,
    collision_probability,
)
from podcheck.engine.progress import Progress, Reporter, SilentReporter
from podcheck.engine.result import (
    CheckResult,
    Fallback,
    FallbackKind,
    Limit,
    Stats,
    Step,
    Trace,
)
from podcheck.engine.symmetry import concretise
from podcheck.engine.twins import BlockEquality, Twins, twins
from podcheck.engine.vector_verdict import Outcome, verdicts
from podcheck.engine.vsymmetry import VectorCanon, for_system
from podcheck.ir import Expectation, State, TransitionSystem

CHUNK = 1 << 16  # states expanded per numpy batch: bounds the transient memory
Canonicalise = Callable[[Keys], Keys]


@dataclass(frozen=True, slots=True)
class Compiled:
    """A system encoded for the vector engine: node ids of every expression used."""

    layout: WordLayout
    program: Program
    guards: tuple[int, ...]
    updates: tuple[tuple[tuple[int, int, bool], ...], ...]  # (var, node, range check?)
    terminal: int
    flags: dict[int, int]  # property index -> node of its flag condition


def compile_vector(system: TransitionSystem) -> Compiled:
    """Encode `system`; raises `Unsupported` (with the reason) when it cannot."""
    layout = WordLayout.of(system)
    program = Program(system)
    guards = tuple(program.add(a.guard) for a in system.actions)
    updates = []
    for action in system.actions:
        row = []
        for index, rhs in action.updates:
            nid = program.add(rhs)
            node, var = program.nodes[nid], system.vars[index]
            row.append((index, nid, not var.lo <= node.lo <= node.hi <= var.hi))
        updates.append(tuple(row))
    flags = {}
    for i, prop in enumerate(system.properties):
        if prop.expectation is Expectation.ALWAYS:
            flags[i] = program.add(ir.not_(prop.condition))
        elif prop.expectation is Expectation.SOMETIMES:
            flags[i] = program.add(prop.condition)
    terminal = program.add(system.terminal)
    return Compiled(layout, program, guards, tuple(updates), terminal, flags)


@dataclass(slots=True)
class _Run:
    """Counters, findings and limits of one run (as `bfs._Progress` and `bfs._Checks`)."""

    options: BfsOptions
    reporter: Reporter
    start: float
    open: dict[int, int]
    last_report: float = 0.0
    checked: int = 0
    transitions: int = 0
    depth: int = 0
    complete_depth: int = -1
    stop: str | None = None
    found: dict[int, int] = field(default_factory=dict)
    deadlock: int | None = None
    queue: int = 0  # states found but not yet checked, as of the last tick

    def tick(self) -> None:
        """Look at the clock: report progress, enforce the timeout."""
        now = time.perf_counter()
        timeout = self.options.timeout_seconds
        if timeout is not None and now - self.start >= timeout:
            self.stop = Limit.TIMEOUT
        should_stop = self.options.should_stop  # a whole-run limit (limits.py), as bfs
        if should_stop is not None:
            self.stop = should_stop() or self.stop
        if now - self.last_report >= 1.0:
            self.last_report = now
            self.reporter.on_progress(Progress(
                self.checked, self.transitions, self.depth, self.queue, now - self.start))


class _Explorer:
    """One BFS run of a compiled system over a store."""

    def __init__(
        self, system: TransitionSystem, compiled: Compiled, run: _Run,
        store: ExactStore | FingerprintStore, canonicalise: Canonicalise | None,
        twins: Twins | None = None,
    ) -> None:  # fmt: skip
        self.system, self.c, self.run, self.store = system, compiled, run, store
        self.width = max(1, len(system.actions))
        self.canonicalise = canonicalise
        self.twins = twins  # NOTE(twin-successors): only with `canonicalise` of its groups
        self.edges: list[tuple[Ints, Ints]] | None = None
        self.init = list(dict.fromkeys(system.init))

    def explore(self, chunk: int) -> None:
        """Run the BFS to the end or to a limit."""
        run, limit = self.run, self.run.options.max_states
        level = self._insert(self.c.layout.pack(self.init),
                             np.arange(len(self.init), dtype=np.int64) - len(self.init))
        while len(level[0]) and run.stop is None:
            parts: list[Keys] = []
            before = run.checked
            for at in range(0, len(level[0]), chunk):
                piece = [k[at:at + chunk] for k in level]
                if limit is not None and run.checked + len(piece[0]) > limit:
                    piece = [k[:limit - run.checked] for k in piece]
                    run.stop = Limit.MAX_STATES
                if len(piece[0]):
                    ids = np.arange(run.checked, run.checked + len(piece[0]))
                    parts.append(self._expand(piece, ids))
                    run.checked += len(piece[0])
                stopped = run.stop
                run.queue = (len(level[0]) - (run.checked - before)
                             + sum(len(p[0]) for p in parts))
                run.tick()
                run.stop = stopped or run.stop
                if run.stop is not None:
                    # `depth` is the deepest level of which a state was checked (as bfs)
                    run.depth -= 1 if run.checked == before and run.depth else 0
                    break
            else:
                run.complete_depth = run.depth
                more = sum(len(p[0]) for p in parts) > 0
                if more and self._last_level():
                    run.stop = Limit.MAX_DEPTH
                elif more:
                    run.depth += 1
            level = [np.concatenate([p[w] for p in parts]) if parts
                     else np.zeros(0, np.uint64) for w in range(len(level))]

    def _last_level(self) -> bool:
        limit = self.run.options.max_depth
        return limit is not None and self.run.depth >= limit

    def _insert(self, keys: Keys, links: Ints) -> Keys:
        """Add candidates to the store; the keys of the new states, in id order."""
        if self.canonicalise is not None:
            keys = self.canonicalise(keys)
        ids, reps = self.store.insert(keys, links)
        if self.edges is not None and links.size and links[0] >= 0:
            self.edges.append((links, ids))
        return [k[reps] for k in keys]

    def _expand(self, keys: Keys, ids: Ints) -> Keys:
        """Check and expand one chunk of states with ids `ids` (ascending); the new states."""
        c, run = self.c, self.run
        size = len(keys[0])
        columns = c.layout.columns(keys)
        frame = Frame(c.program, columns, size)
        equal = BlockEquality(columns)
        self.watch(frame, ids)
        for i in sorted(run.open):
            hit = frame.truth(run.open[i])
            first = int(np.argmax(hit))
            if hit[first]:
                run.found[i] = int(ids[first])
                del run.open[i]
        enabled = np.zeros(size, bool)
        out: list[list[np.ndarray]] = [[] for _ in keys]
        links: list[Ints] = []
        for a, guard in enumerate(c.guards):
            on = frame.truth(guard)
            rows = np.flatnonzero(on)
            if not rows.size:
                continue
            enabled |= on
            run.transitions += rows.size
            if self.twins is not None:
                rows = self.twins.keep(a, rows, equal)
                if not rows.size:
                    continue
            succ = self._successors(a, frame.subset(rows), [k[rows] for k in keys])
            for w, word in enumerate(succ):
                out[w].append(word)
            links.append(ids[rows] * self.width + a)
        if run.options.check_deadlock and run.deadlock is None:
            stuck = ~enabled & np.logical_not(frame.truth(c.terminal))
            first = int(np.argmax(stuck))
            if stuck[first]:
                run.deadlock = int(ids[first])
        if not links:
            return [np.zeros(0, np.uint64) for _ in keys]
        return self._insert([np.concatenate(o) for o in out], np.concatenate(links))

    def watch(self, frame: Frame, ids: Ints) -> None:
        """Look at a chunk before it is expanded (subclasses: `engine/stuck.py`)."""

    def _successors(self, a: int, sub: Frame, keys: Keys) -> Keys:
        """The keys after action `a` on the rows of `sub` (updates read the pre-state)."""
        values = []
        for index, nid, check in self.c.updates[a]:
            value = np.asarray(sub.value(nid)).astype(np.int64)
            if check:
                self._domain(a, index, np.broadcast_to(value, (sub.size,)))
            values.append((index, value))
        for index, value in values:
            self.c.layout.assign(keys, index, value)
        return keys

    def _domain(self, a: int, index: int, value: np.ndarray) -> None:
        var = self.system.vars[index]
        bad = np.flatnonzero((value < var.lo) | (value > var.hi))
        if bad.size:
            label = self.system.actions[a].label
            raise ir.ModelError(
                f"{label}: {var.name} = {int(value[bad[0]])} is outside {var.lo}..{var.hi}"
            )

    def trace(self, sid: int) -> Trace:
        """The trace to state `sid` along the parent links, replayed on `ir.apply`."""
        if self.canonicalise is None:
            return replay(self.system, self.init, self.store.links, sid)
        links, actions = self.store.links, []
        while (link := int(links[sid])) >= 0:
            sid, a = divmod(link, self.width)
            actions.append(a)
        state = self.init[link + len(self.init)]
        return self._concrete(state, actions[::-1])  # a real run along the reduced path

    def _concrete(self, start: State, actions: list[int]) -> Trace:
        layout, canonicalise = self.c.layout, self.canonicalise
        assert canonicalise is not None

        def canon(s: State) -> State:
            return layout.states(canonicalise(layout.pack([s])))[0]

        steps = concretise(self.system, canon, start, actions,
                           lambda s: ir.successors(self.system, s))
        return Trace(self.system, (Step(start), *(Step(s, a) for a, s in steps)))

    def graph(self) -> StateGraph:
        """The explored graph, as `bfs.explore(keep_graph=True)` builds it."""
        assert isinstance(self.store, ExactStore) and self.edges is not None
        graph = StateGraph(self.system)
        size = self.store.size
        graph.states = self.c.layout.states(self.store.slice(0, size))
        graph.index = {s: i for i, s in enumerate(graph.states)}
        graph.edges = [[] for _ in range(size)]
        width, n_init = self.width, len(self.init)
        links = self.store.links[:size].tolist()
        graph.parent = [None if x < 0 else divmod(x, width) for x in links]
        graph.init = list(range(n_init))
        for chunk_links, ids in self.edges:
            order = np.argsort(chunk_links, kind="stable")
            for link, target in zip(chunk_links[order].tolist(), ids[order].tolist(),
                                    strict=True):
                parent, a = divmod(link, width)
                graph.edges[parent].append((a, target))
        graph.edges = CsrEdges.of(graph.edges)
        return graph


def replay(system: TransitionSystem, init: list[ir.State], links: Ints, sid: int) -> Trace:
    """The trace to state `sid` along parent `links` (`parent id * actions + action`,
    or `i - len(init)` for the i-th initial state), replayed on `ir.apply`."""
    width, actions = max(1, len(system.actions)), []
    while (link := int(links[sid])) >= 0:
        sid, a = divmod(link, width)
        actions.append(a)
    state = init[link + len(init)]
    steps = [Step(state)]
    for a in reversed(actions):
        state = ir.apply(system, system.actions[a], state)
        steps.append(Step(state, a))
    return Trace(system, tuple(steps))


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _store(fingerprint: bool, keep_graph: bool, words: int
           ) -> tuple[ExactStore | FingerprintStore, bool, Fallback | None]:
    """The store of a run, whether it keeps fingerprints, and why not if asked for."""
    if fingerprint and keep_graph:
        return ExactStore(words), False, Fallback(FallbackKind.FINGERPRINTS_OFF)
    return (FingerprintStore() if fingerprint else ExactStore(words)), fingerprint, None


def explore_vector(
    system: TransitionSystem,
    options: BfsOptions | None = None,
    reporter: Reporter | None = None,
    *,
    fingerprint: bool = False,
    chunk: int = CHUNK,
    canonicalise: Canonicalise | None = None,
) -> tuple[CheckResult, StateGraph | None]:
    """Check every safety property of `system` as `bfs.explore` does, frontier-at-a-time.

    `fingerprint` stores 64-bit hashes instead of states (not with `keep_graph`: the
    graph needs exact states, so such a run stores them and `fallback` says so);
    `canonicalise` maps every batch of successor keys to representatives before they are
    stored (default: the verified symmetry of `system` unless `options.symmetry` is off;
    traces are mapped back to concrete runs).  A system the vector encoding
    cannot express runs on `bfs.explore`, with the reason in `CheckResult.fallback`.
    Raises `ir.ModelError` when an action drives a variable outside its domain.
    """
    options = options if options is not None else BfsOptions()
    try:
        compiled = compile_vector(system)
    except Unsupported as why:
        result, graph = bfs.explore(system, options, reporter)
        return replace(result, fallback=Fallback(FallbackKind.CANNOT_ENCODE, str(why))), graph
    reporter = reporter if reporter is not None else SilentReporter()
    start = time.perf_counter()
    run = _Run(options, reporter, start, dict(compiled.flags), start)
    store, fingerprint, note = _store(fingerprint, options.keep_graph, compiled.layout.words)
    canonicalise, use = for_system(system, compiled.layout, options, canonicalise)
    pruned = (twins(system, canonicalise.canon)
              if isinstance(canonicalise, VectorCanon) and options.twins else None)
    explorer = _Explorer(system, compiled, run, store, canonicalise, pruned)
    explorer.edges = [] if options.keep_graph else None
    explorer.explore(chunk)
    run.complete_depth = run.depth if run.stop is None else run.complete_depth
    fp = collision_probability(run.checked, run.transitions) if fingerprint else None
    outcome = Outcome(run.checked, run.complete_depth, run.stop, run.found, fp)
    results = verdicts(system, outcome, explorer.trace, options.keep_graph)
    deadlock = None if run.deadlock is None else explorer.trace(run.deadlock)
    stats = Stats(
        states=run.checked, transitions=run.transitions, depth=run.depth,
        seconds=time.perf_counter() - start, peak_bytes=_peak_bytes(),
        complete=run.stop is None, bytes_per_state=store.nbytes() / max(1, store.size),
        collision_probability=fp,
    )  # fmt: skip
    reporter.on_done(stats)
    graph = explorer.graph() if options.keep_graph else None
    engine = "vector-fingerprint" if fingerprint else "vector"
    return CheckResult(system, engine, results, stats, deadlock, run.stop, note, use), graph
