"""The settled start: a run that begins with the workload already up.

Stage: driver, between the model compiler and the engines.  Consumes a checked spec
whose environment says `start: settled`, the model options and whether symmetry is on;
produces the compiled transition system with its initial states replaced by the
settled states, and a PC307 note saying so (PC308 when no settled state exists).

NOTE(settled-start): the settled states are computed on the compiled model itself,
never written by hand: they are the states the model's own start-up reaches, with the
environment's disruptions, container exits and probe failures left out, in which every
long-running pod is bound, Ready and quiescent (no kubelet reaction enabled, no timer
running) and no start-up step is enabled any more.  The start-up search takes one pod
at a time from binding to settled (a bound pod that is not yet up is *busy*: only its
own steps and the clock move); while no pod is busy, any pending pod may be bound to
any node the scheduler's filters allow.  The scheduler's filters read only the other
pods' bindings (never their containers or probes), so every placement an interleaved
start-up reaches is reached by binding the pods one after another in the same order;
with symmetry the states are canonicalised by the system's verified groups, so the
settled states are one per orbit (docs/semantics.md "The settled start").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from podcheck import ir, spec
from podcheck.diagnostics import Diagnostic, Severity, StageResult, codes
from podcheck.engine.npcompile import Unsupported
from podcheck.engine.packing import WordLayout
from podcheck.engine.pycompile import compile_predicate, compile_system
from podcheck.engine.symmetry import Symmetry, prepare
from podcheck.engine.vsymmetry import VectorCanon, fits
from podcheck.model.cluster import Cluster, Slot
from podcheck.model.compile import Model, build_model, compile_spec, kubelet_factory
from podcheck.model.observables import walk
from podcheck.model.options import ModelOptions
from podcheck.model.progress import wanted as progress_wanted
from podcheck.model.timed import bounded
from podcheck.vocab import ActionKind, Actor

# Who disrupts: the environment block's operators and failures, and what they set off.
DISRUPTORS = frozenset({Actor.EVICTION_API, Actor.KUBECTL_DRAIN, Actor.CLUSTER_AUTOSCALER,
                        Actor.CLUSTER_ADMIN, Actor.ENVIRONMENT, Actor.TAINT_EVICTION_CONTROLLER})
# Whose pending step means the cluster has not settled yet.
CONTROLLERS = frozenset({Actor.SCHEDULER, Actor.REPLICASET_CONTROLLER,
                         Actor.STATEFULSET_CONTROLLER, Actor.DEPLOYMENT_CONTROLLER,
                         Actor.JOB_CONTROLLER, Actor.CRONJOB_CONTROLLER,
                         Actor.DAEMONSET_CONTROLLER, Actor.ENDPOINTSLICE_CONTROLLER})
LONG_RUNNING = frozenset({spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.REPLICASET,
                          spec.WorkloadKind.STATEFULSET, spec.WorkloadKind.DAEMONSET,
                          spec.WorkloadKind.POD})
MAX_SETTLE_STATES = 2_000_000  # start-up states searched at most

Successors = Callable[[ir.State], list[tuple[int, ir.State]]]
Canon = Callable[[list[ir.State]], list[ir.State]]
Predicate = Callable[[ir.State], bool]


@dataclass(frozen=True, slots=True)
class Settled:
    """The settled states of a model (canonical under `groups`, when any) and how many
    start-up states the search visited to find them."""

    states: tuple[ir.State, ...]
    searched: int
    groups: tuple[str, ...]


def compile_start(sp: spec.CheckedSpec, options: ModelOptions,
                  symmetry: bool = True) -> StageResult[ir.TransitionSystem]:
    """`model.compile_spec`, except that a spec with `start: settled` begins from its
    settled states (NOTE(settled-start)), canonicalised by the verified symmetry groups
    when `symmetry`; a note says how many, an error when there are none."""
    if sp.environment.start is not spec.Start.SETTLED:
        return compile_spec(sp, options)
    built = build_model(sp, options, kubelet_factory)
    if built.value is None:
        return StageResult(None, built.diagnostics)
    refused = _refused(sp)
    if refused is not None:
        return StageResult(None, built.diagnostics + (refused,))
    found = settle(built.value, symmetry)
    if not found.states:
        return StageResult(None, built.diagnostics + (_none(sp, found),))
    system = replace(built.value.system, init=found.states)
    return StageResult(system, built.diagnostics + (_note(sp, found),))


def settle(model: Model, symmetry: bool = True) -> Settled:
    """The settled states of `model` (NOTE(settled-start)), in the order found."""
    system, cluster = model.system, model.cluster
    sym = settling_symmetry(system) if symmetry else None
    steps = [a for a in system.actions if a.actor not in DISRUPTORS]
    slots = [s for s in cluster.slots if s.kind in LONG_RUNNING and not s.surge]
    clock = _compiled(system, [a for a in steps if a.actor == Actor.CLOCK])
    busy = [(compile_predicate(system, _busy(cluster, s, steps)),
             _moves(system, s, steps, clock)) for s in slots]
    goal = compile_predicate(system, _goal(cluster, slots, steps))
    groups = () if sym is None else tuple(g.name for g in sym.groups)
    return _search(system, _canonicaliser(system, sym), busy,
                   _Idle.of(system, cluster, steps, sym), goal, groups)


def _canonicaliser(system: ir.TransitionSystem, sym: Symmetry | None) -> Canon:
    """Canonical forms of a batch of states: the vector engine's batch canonicaliser
    where the encoding fits (one form per orbit, NOTE(member-signature)), else the
    least state of each orbit, else (no symmetry) the states themselves."""
    if sym is None:
        return list
    try:
        layout = WordLayout.of(system)
    except Unsupported:
        layout = None
    if layout is None or not fits(sym, layout):
        return lambda states: [sym.canon(s) for s in states]
    batch = VectorCanon(sym, layout)
    return lambda states: layout.states(batch(layout.pack(states))) if states else []


@dataclass(frozen=True, slots=True)
class _Idle:
    """The steps taken while no pod is busy: the controllers', the scheduler's and the
    clock's.  Of the pods of one verified group (no references) whose blocks are equal,
    only the first one's steps are taken: swapping two such pods is an automorphism
    that fixes the state and maps one's steps onto the other's, so their successors
    are in the same orbits (the argument of NOTE(twin-successors))."""

    rest: Successors
    pods: tuple[tuple[Successors, tuple[int, tuple[int, ...]] | None], ...]

    @staticmethod
    def of(system: ir.TransitionSystem, cluster: Cluster, steps: Sequence[ir.Action],
           sym: Symmetry | None) -> _Idle:
        """The idle steps of `system`, twins pruned by the groups of `sym`."""
        control = [a for a in steps if a.actor in CONTROLLERS or a.actor == Actor.CLOCK]
        blocks = {} if sym is None else {
            b[0]: (g, b) for g, group in enumerate(sym.sorted) for b in group}
        pods = []
        for s in cluster.slots:
            mine = tuple(a for a in control if _pod(a) == s.name)
            if mine:
                pods.append((_compiled(system, mine), blocks.get(s.exists.index)))
        rest = [a for a in control if _pod(a) is None]
        return _Idle(_compiled(system, rest), tuple(pods))

    def __call__(self, state: ir.State) -> list[tuple[int, ir.State]]:
        out = self.rest(state)
        twins: set[tuple[int, ...]] = set()
        for moves, member in self.pods:
            if member is not None:
                key = (member[0], *(state[i] for i in member[1]))
                if key in twins:
                    continue
                twins.add(key)
            out += moves(state)
        return out


def _search(system: ir.TransitionSystem, canon: Canon,
            busy: Sequence[tuple[Predicate, Successors]], idle: Successors,
            goal: Predicate, groups: tuple[str, ...]) -> Settled:
    """Breadth first, one layer at a time (each layer canonicalised in one batch)."""
    frontier = sorted(set(canon(list(system.init))))
    seen, found = set(frontier), []
    while frontier and len(seen) <= MAX_SETTLE_STATES:
        successors: list[ir.State] = []
        for state in frontier:
            if goal(state):
                found.append(state)
                continue
            moves = next((m for is_busy, m in busy if is_busy(state)), idle)
            successors += [nxt for _, nxt in moves(state)]
        frontier = []
        for key in canon(successors):
            if key not in seen:
                seen.add(key)
                frontier.append(key)
    complete = not frontier
    return Settled(tuple(found) if complete else (), len(seen), groups)


def _pod(a: ir.Action) -> str | None:
    return dict(a.params).get("pod")


def _busy(cluster: Cluster, s: Slot, steps: Sequence[ir.Action]) -> ir.Expr:
    """Pod `s` is bound and not yet up: not Ready, a kubelet reaction or a timer of its
    pending, or a controller's step about it (its endpoint) still to come."""
    own = [a.guard for a in steps if _pod(a) == s.name and a.actor in CONTROLLERS
           and a.name != ActionKind.BIND]
    up = ir.and_(_up(cluster, s), ir.not_(ir.or_(*own)))
    return ir.and_(s.exists, cluster.bound(s), ir.not_(up))


def _up(cluster: Cluster, s: Slot) -> ir.Expr:
    return ir.and_(s.exists, cluster.ready(s), s.model.quiescent)


def _compiled(system: ir.TransitionSystem, actions: Sequence[ir.Action]) -> Successors:
    """The successors of `system` by `actions` only, compiled."""
    return compile_system(replace(system, actions=tuple(actions), terminal=ir.TRUE)).successors


def _moves(system: ir.TransitionSystem, s: Slot, steps: Sequence[ir.Action],
           clock: Successors) -> Successors:
    """The steps of pod `s` (its kubelet, its containers, its endpoint; not its
    binding), then the clock's (`clock`, compiled once for every pod)."""
    own = _compiled(system, [a for a in steps if _pod(a) == s.name and a.name != ActionKind.BIND])
    return lambda state: own(state) + clock(state)


def _goal(cluster: Cluster, slots: Sequence[Slot], steps: Sequence[ir.Action]) -> ir.Expr:
    """Every long-running pod is up and no controller's or the scheduler's step is
    enabled: per workload, as many slots up as it wants pods and its other slots (the
    spare slots for Terminating pods' replacements) empty, which is symmetric in the
    workload's slots (a canonical state may hold its empty slot anywhere)."""
    pending = [a.guard for a in steps if a.actor in CONTROLLERS]
    per: dict[str, list[Slot]] = {}
    for s in slots:
        per.setdefault(s.workload.name, []).append(s)
    whole = [ir.and_(ir.eq(ir.count(*(_up(cluster, s) for s in mine)),
                           sum(1 for s in mine if not s.extra)),
                     *(ir.or_(_up(cluster, s), ir.not_(s.exists)) for s in mine))
             for mine in per.values()]
    return ir.and_(*whole, ir.not_(ir.or_(*pending)))


def settling_symmetry(system: ir.TransitionSystem) -> Symmetry | None:
    """The verified groups the settled states are canonical under: those the run may
    use for every property of `system` (liveness ones too, when it has any)."""
    live = any(p.expectation not in (ir.Expectation.ALWAYS, ir.Expectation.SOMETIMES)
               for p in system.properties)
    return prepare(system, liveness=live)[0]


def _refused(sp: spec.CheckedSpec) -> Diagnostic | None:
    """PC308 for a spec whose workloads do not all run for ever (Jobs finish), or whose
    properties read how long the start-up took (a `within` bound, `elapsed`, the
    Deployment's progress deadline): the start-up search brings pods up one after
    another, so its clock is not the one of a start-up in parallel."""
    finite = [f"`{w.name}` runs to completion" for w in sp.workloads
              if w.kind not in LONG_RUNNING]
    timed = [f"`{d.name}` reads the time since the start" for d in sp.properties
             if bounded(d) is not None or d.formula is not None
             and any(isinstance(e, spec.Elapsed) for e in walk(d.formula))]
    if progress_wanted(sp):
        timed.append("a property reads the progress deadline")
    if not finite + timed:
        return None
    return Diagnostic(codes.NO_SETTLED_STATE, Severity.ERROR,
                      f"`start: settled` does not apply here: {'; '.join(finite + timed)}",
                      sp.environment.span,
                      help="drop `start: settled`, or check that part in a spec of its own")


def _none(sp: spec.CheckedSpec, found: Settled) -> Diagnostic:
    limit = found.searched > MAX_SETTLE_STATES
    why = (f"the start-up search stopped after {MAX_SETTLE_STATES:,} states" if limit
           else "no start-up brings every pod up (bound, Running and Ready)")
    return Diagnostic(codes.NO_SETTLED_STATE, Severity.ERROR,
                      f"`start: settled` found no settled state: {why}", sp.environment.span,
                      help="drop `start: settled` to see why a pod never comes up")


def _note(sp: spec.CheckedSpec, found: Settled) -> Diagnostic:
    orbits = f", one per orbit of {', '.join(found.groups)}" if found.groups else ""
    count = len(found.states)
    return Diagnostic(codes.SETTLED_START, Severity.NOTE,
                      f"the run starts settled: {count} initial state{'s' * (count != 1)} "
                      f"(every pod bound, Running and Ready{orbits}); the start-up itself "
                      "is not explored", sp.environment.span)


__all__ = ["Settled", "compile_start", "settle", "settling_symmetry"]
