"""Partial-order reduction for the safety pass: a BFS that expands stubborn sets.

Stage: `podcheck.engine` (called by `bfs.explore` with `BfsOptions(por=True)`).
Consumes an `ir.TransitionSystem` and `BfsOptions`; produces the same `CheckResult` as
`bfs.explore`: ALWAYS invariants, SOMETIMES goals (every condition `bfs` flags) and the
first deadlock.  Liveness is never reduced: a run that keeps the graph is a plain BFS.

In each state `s` the search follows only the enabled actions of a *stubborn set*
`T(s)` (Valmari), built by closure (`Reducer.stubborn`):
- the necessary enabling set of every open goal (a violation condition, a witness
  condition; all false in `s`): actions one of which must occur before it can hold;
- at least one enabled action (C0: `T(s)` has an enabled action iff `s` has one);
- for every enabled action in `T(s)`, every action dependent on it (C1: no action
  outside `T(s)` can disable it or fail to commute with it);
- for every disabled action in `T(s)`, a necessary enabling set of its guard.
Every path from `s` to a goal state or a deadlock then holds an action of `T(s)`, the
first of which is enabled in `s` and can be moved to the front: the reduced graph
reaches a goal state (a deadlock) iff the full graph does, and no proviso is needed
(NOTE(por-reduction) in docs/performance.md gives the proof, and why it makes the
visibility condition C2 and the cycle proviso C3 unnecessary for reachability).  With
symmetry the search runs on canonical states (Emerson, Jha and Peled 1997).

Traces of the reduced graph are real runs but may be longer than the shortest ones:
`explore` re-runs the unreduced BFS bounded to the depth found and reports its traces
(NOTE(por-shortest)).
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, replace

from podcheck import ir
from podcheck.engine import bfs, canonical, pycompile, smt
from podcheck.engine.effects import may_leave
from podcheck.engine.independence import Gate, Independence, analyse, bits
from podcheck.engine.progress import Reporter, SilentReporter
from podcheck.engine.result import (
    CheckResult,
    Limit,
    PropertyResult,
    SafetySearch,
    Stats,
    Verdict,
)
from podcheck.engine.symmetry import Symmetry
from podcheck.ir import Expr, State, TransitionSystem

_SMT_SECONDS = 5.0  # for all the domain-error queries of a run (unknown: kept as goals)
_SEEDS = 4  # enabled actions tried as the seed of a stubborn set (the smallest wins)


@dataclass(slots=True)
class Reducer:
    """Chooses the actions to follow in a state (`ample`); counts what it did."""

    deps: Independence
    goals: dict[int, Gate]  # open property -> its flag condition's gate
    reduced: int = 0  # states expanded with fewer actions than enabled
    full: int = 0  # states with more than one enabled action, fully expanded

    def stubborn(self, start: int, state: State, enabled: int, memo: dict[int, int]) -> int:
        """The closure of the action mask `start` in `state` (see the module doc); stops
        early once it holds every enabled action."""
        deps = self.deps.dependent
        done, todo = 0, start
        while todo:
            low = todo & -todo
            todo ^= low
            done |= low
            a = low.bit_length() - 1
            more = deps[a] if enabled & low else self.deps.guard_enabling(a, state, memo)
            todo |= more & ~done
            if enabled & done == enabled:
                return done | todo
        return done

    def ample(self, state: State, enabled: int) -> int:
        """The enabled actions of a stubborn set of `state` (`enabled` has two or more)
        that write a variable: a step that writes none is a self-loop, which reaches no
        new state, and is left out of the reduced graph (C0 for the rest: `state` is a
        deadlock only when `enabled` is empty, which `_loop` checks)."""
        all_enabled, enabled = enabled, enabled & self.deps.writing
        if enabled.bit_count() <= 1:
            self.reduced += enabled != all_enabled
            return enabled
        memo: dict[int, int] = {}
        base = 0
        for gate in self.goals.values():
            base |= self.deps.enabling(gate, state, memo)
        best = self.stubborn(base, state, enabled, memo) & enabled if base else 0
        if not best:
            seeds = sorted(bits(enabled), key=lambda a: self.deps.dependent[a].bit_count())
            for a in seeds[:_SEEDS]:
                got = self.stubborn(base | 1 << a, state, enabled, memo) & enabled
                if not best or got.bit_count() < best.bit_count():
                    best = got
                if best.bit_count() == 1:
                    break
        if best == enabled:
            self.full += 1
        else:
            self.reduced += 1
        return best


@dataclass(slots=True)
class _Search:
    """The state of one reduced BFS: visited keys, states in id order, parent links."""

    system: TransitionSystem
    canon: Symmetry | None
    packing: pycompile.Packing
    seen: set[int]
    states: list[State]
    links: array[int]

    def push(self, state: State, link: int) -> None:
        """Add `state` (canonicalised under symmetry) if it is new."""
        if self.canon is not None:
            state = self.canon.canon(state)
        key = self.packing.pack(state)
        if key not in self.seen:
            self.seen.add(key)
            self.states.append(state)
            self.links.append(link)


def _loop(search: _Search, reducer: Reducer, checks: bfs._Checks, run: bfs._Progress) -> None:
    """The BFS over the reduced graph: level by level, ids in discovery order."""
    system = search.system
    successors = pycompile.compile_system(system)
    flags = {i: pycompile.compile_predicate(system, c) for i, c in checks.open.items()}
    width = max(1, len(system.actions))
    limit = run.options.max_states
    deadlocks, sid, level_end = run.options.check_deadlock, 0, len(search.states)
    while sid < len(search.states) and run.stop is None:
        if limit is not None and sid >= limit:
            run.stop = Limit.MAX_STATES
            break
        s = search.states[sid]
        for i in [i for i in checks.open if flags[i](s)]:
            checks.found[i] = sid
            del checks.open[i]
            del reducer.goals[i]
        succ = successors.successors(s)
        if not succ and deadlocks and not successors.terminal(s):
            checks.deadlock, deadlocks = sid, False
        if len(succ) > 1:
            enabled = 0
            for a, _ in succ:
                enabled |= 1 << a
            chosen = reducer.ample(s, enabled)
            succ = [(a, t) for a, t in succ if chosen >> a & 1]
        for a, t in succ:
            search.push(t, sid * width + a)
        run.transitions += len(succ)
        sid += 1
        if sid == level_end:
            run.complete_depth, level_end = run.depth, len(search.states)
            run.depth += 1 if sid < level_end else 0
        if not sid & 255:
            run.checked = sid
            run.tick(len(search.states) - sid)
    run.checked = sid


def reduced(system: TransitionSystem, options: bfs.BfsOptions,
            reporter: Reporter | None = None) -> tuple[CheckResult, Reducer]:
    """The safety pass over the reduced graph (traces not yet shortest: see `explore`)."""
    start = time.perf_counter()
    reporter = reporter if reporter is not None else SilentReporter()
    run = bfs._Progress(options, reporter, start, start)
    checks = bfs._Checks.of(system)
    canon, use = canonical.choose(system, options.symmetry, False)
    deps = analyse(system)
    reducer = Reducer(deps, {i: deps.gate(c) for i, c in checks.open.items()})
    for k, bad in enumerate(domain_goals(system)):  # never decided: they raise
        reducer.goals[-1 - k] = deps.gate(bad)
    init = list(dict.fromkeys(system.init))
    search = _Search(system, canon, pycompile.Packing.of(system), set(), [], array("q"))
    for i, s in enumerate(canonical.starts(canon, init)):
        search.push(s, -1 - i)
    _loop(search, reducer, checks, run)
    traces = bfs._Traces(system, init, search.links, canon)
    run.complete_depth = -1  # a depth of the reduced graph bounds no depth of the real one
    results = tuple(bfs._verdict(i, checks, run, traces, False)
                    for i in range(len(system.properties)))
    deadlock = None if checks.deadlock is None else traces.to(checks.deadlock)
    stats = Stats(states=run.checked, transitions=run.transitions, depth=run.depth,
                  seconds=time.perf_counter() - start, peak_bytes=bfs._peak_bytes(),
                  complete=run.stop is None)
    reporter.on_done(stats)
    return CheckResult(system, "bfs", results, stats, deadlock, run.stop, symmetry=use), reducer


def domain_goals(system: TransitionSystem) -> list[Expr]:
    """Per update that may leave its variable's domain, the condition "the action is
    enabled and the value is outside": a goal of the reduced search, so that it reaches
    every state whose expansion raises `ir.ModelError`, as the unreduced search does
    (NOTE(por-reduction), "Domain errors").  An update is left out when its bounds fit
    (`effects.may_leave`) or when Z3 finds the condition unsatisfiable in every
    valuation of the domains (time passing by the smallest running timer)."""
    found: list[Expr] = []
    memo: dict[int, tuple[int, int] | None] = {}
    for action in system.actions:
        for v, rhs in action.updates:
            if may_leave(system, action, v, rhs, memo):
                var = system.vars[v]
                outside = ir.or_(ir.op("<", rhs, var.lo), ir.op(">", rhs, var.hi))
                found.append(ir.and_(action.guard, ir.ite(action.guard, outside, 0)))
    if not found:
        return found
    encoder = smt.Encoder(system)
    box = encoder.state("s")
    session = smt.Session(encoder, smt.Deadline(_SMT_SECONDS))
    session.add(box.domain)
    return [bad for bad in found
            if session.check(encoder.formula(bad, box)).verdict is not Verdict.HOLDS]


# NOTE(por-shortest): a trace of the reduced graph is a real run, but the reduction may
# have postponed an action a shorter run takes first.  So when the reduced search finds
# a violation, a witness or a deadlock at depth d, the unreduced BFS runs again bounded
# to depth d (every real shortest trace is at most d steps long) and its traces are the
# ones reported; a verdict without a trace (`holds` of an invariant) carries over.
def explore(system: TransitionSystem, options: bfs.BfsOptions,
            reporter: Reporter | None = None) -> CheckResult:
    """Check every safety property of `system` over the reduced graph; the traces of
    what it finds are the shortest ones (NOTE(por-shortest))."""
    result, _ = reduced(system, options, reporter)
    traces = [r.trace for r in result.results if r.trace is not None]
    traces += [result.deadlock] if result.deadlock is not None else []
    if not traces:
        return result
    depth = max(len(t.steps) - 1 for t in traces)
    again = bfs.explore(system, replace(options, por=False, max_depth=depth))[0]
    return _merged(result, again)


def _merged(reduced_run: CheckResult, again: CheckResult) -> CheckResult:
    """`reduced_run` with the traces (and their verdicts) of the bounded unreduced run
    `again` wherever it found one: the same ones where the reduced run found one, and
    real traces besides (a reduced run stopped at a limit)."""
    results: list[PropertyResult] = []
    for mine, theirs in zip(reduced_run.results, again.results, strict=True):
        if theirs.trace is not None:
            assert mine.trace is None or mine.verdict is theirs.verdict, (
                mine.name, mine.verdict, theirs.verdict)
            reason = mine.reason
            mine = replace(theirs, reason=reason if isinstance(reason, SafetySearch)
                           else theirs.reason)
        results.append(mine)
    deadlock = reduced_run.deadlock
    if again.deadlock is not None:
        deadlock = again.deadlock
    return replace(reduced_run, results=tuple(results), deadlock=deadlock)
