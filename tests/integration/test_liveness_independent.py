"""`check_liveness` against an independent fair-lasso search written here.

The independent side rebuilds the state graph with the reference enumerator
(`ir.successors`), evaluates properties with `ir.evaluate`, and decides each liveness
property by the definition in podcheck/engine/liveness.py: a property is violated iff
some fair run breaks it, where a run is an infinite path, or a finite one that then
stutters forever in a state where no weakly or strongly fair action instance is
enabled; fairness is per action instance `(name, params)` (the strongest fairness of
the actions sharing the key, after overrides by name first, then by actor):

  weak:   enabled continuously from some point on  -> taken infinitely often;
  strong: enabled infinitely often                  -> taken infinitely often.

A fair run that stays inside a region R of the graph forever exists iff R holds a
stutter state or a fair cycle; fair cycles are found with a Tarjan SCC written here
and a refinement loop: in an SCC (with at least one edge), a strong class enabled but
never taken inside removes the states enabling it (recompute the SCCs of the rest); a
weak class enabled in every state and never taken inside rules the SCC out.

Every counterexample `check_liveness` returns is also checked on its own: a real path
from an initial state, a loop that closes, a loop that is fair, and a run that breaks
the property.  Specs: the seed specs with at most 300 states and liveness properties,
and tiny specs under data/, each under its own fairness and under a few overrides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from podcheck import ir
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import LIVENESS, check_liveness
from podcheck.engine.result import PropertyResult, Trace, Verdict
from podcheck.ir import Expectation, Fairness, Property, State, TransitionSystem
from podcheck.spec import CheckedSpec
from tests.integration.test_reference_agreement import (
    DATA_DIR,
    SEEDS,
    RefGraph,
    assert_valid_path,
    compile_path,
    reference_graph,
)

TINY = 300
_RANK = {Fairness.NONE: 0, Fairness.WEAK: 1, Fairness.STRONG: 2}
_BY_NAME = {"none": Fairness.NONE, "weak": Fairness.WEAK, "strong": Fairness.STRONG}

Key = tuple[str, tuple[tuple[str, str], ...]]


# ------------------------------------------------------------------ fairness


@dataclass(frozen=True, slots=True)
class Fair:
    """The system seen through fairness: each action's class and each class's kind."""

    key_of: tuple[Key, ...]  # per action index
    kind: Mapping[Key, Fairness]

    @staticmethod
    def of(system: TransitionSystem, overrides: Mapping[str, Fairness]) -> Fair:
        kind: dict[Key, Fairness] = {}
        keys = []
        for a in system.actions:
            own = overrides.get(a.name, overrides.get(a.actor, a.fairness))
            key = (a.name, a.params)
            keys.append(key)
            if _RANK[own] >= _RANK[kind.get(key, Fairness.NONE)]:
                kind[key] = own
        return Fair(tuple(keys), kind)

    def enabled(self, ref: RefGraph, s: State) -> set[Key]:
        """The fair (weak or strong) classes with an enabled action in `s`."""
        return {k for k in (self.key_of[a] for a, _ in ref.edges[s])
                if self.kind[k] is not Fairness.NONE}


def _sccs(nodes: set[State], succ: Mapping[State, list[State]]) -> Iterator[set[State]]:
    """Tarjan's strongly connected components of the subgraph induced by `nodes`
    (iterative; deterministic order)."""
    index: dict[State, int] = {}
    low: dict[State, int] = {}
    stack: list[State] = []
    on_stack: set[State] = set()
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter([t for t in succ[root] if t in nodes]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter([t for t in succ[child] if t in nodes])))
                elif child in on_stack:
                    low[v] = min(low[v], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp: set[State] = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                yield comp


def has_fair_cycle(ref: RefGraph, fair: Fair, region: set[State]) -> bool:
    """Some cycle inside `region`, repeated forever, is a fair run."""
    succ = {s: [t for _, t in ref.edges[s]] for s in region}
    todo = [region]
    while todo:
        part = todo.pop()
        for comp in _sccs(part, succ):
            inside = [(fair.key_of[a], s) for s in comp for a, t in ref.edges[s] if t in comp]
            if not inside:
                continue  # a single state without a self-loop: no cycle
            taken = {k for k, _ in inside}
            enabled = {s: fair.enabled(ref, s) for s in comp}
            unfair_strong = {k for s in comp for k in enabled[s]
                             if fair.kind[k] is Fairness.STRONG and k not in taken}
            if unfair_strong:
                rest = {s for s in comp if not enabled[s] & unfair_strong}
                if rest:
                    todo.append(rest)
                continue
            always_on = set.intersection(*enabled.values())
            if all(k in taken for k in always_on if fair.kind[k] is Fairness.WEAK):
                return True
    return False


# ------------------------------------------------------------------ the property


def _region(ref: RefGraph, start: set[State], avoid: set[State]) -> set[State]:
    seen = set(start)
    todo = list(start)
    while todo:
        s = todo.pop()
        for _, t in ref.edges[s]:
            if t in avoid and t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def independent_violated(system: TransitionSystem, ref: RefGraph, prop: Property,
                         fair: Fair) -> bool:
    """Whether some fair run breaks `prop` (see the module docstring)."""
    if prop.expectation is Expectation.LEADS_TO:
        assert prop.target is not None
        avoid = {s for s in ref.order if not ir.evaluate(prop.target, s)}
        start = {s for s in avoid if ir.evaluate(prop.condition, s)}
    else:
        avoid = {s for s in ref.order if not ir.evaluate(prop.condition, s)}
        start = (set(system.init) & avoid if prop.expectation is Expectation.EVENTUALLY
                 else avoid)
    region = _region(ref, start, avoid)
    if any(not fair.enabled(ref, s) for s in region):
        return True
    return has_fair_cycle(ref, fair, region)


def check_lasso(system: TransitionSystem, ref: RefGraph, prop: Property, fair: Fair,
                trace: Trace) -> None:
    """`trace` is a fair run (a lasso) that breaks `prop`."""
    assert_valid_path(system, trace)
    states = [step.state for step in trace.steps]
    start = trace.loop_start
    assert start is not None
    loop = states[start:]
    if trace.loop_action is None:
        assert start == len(states) - 1 and not fair.enabled(ref, states[-1])
    else:
        action = system.actions[trace.loop_action]
        assert ir.evaluate(action.guard, states[-1])
        assert ir.apply(system, action, states[-1]) == states[start]
        taken = {fair.key_of[s.action] for s in trace.steps[start + 1:] if s.action is not None}
        taken.add(fair.key_of[trace.loop_action])
        enabled = [fair.enabled(ref, s) for s in loop]
        for key in set.union(*enabled):
            kind = fair.kind[key]
            if kind is Fairness.STRONG or all(key in e for e in enabled):
                assert key in taken, f"{key} is {kind.value} and never taken in the loop"

    def holds(expr: ir.Expr, s: State) -> bool:
        return bool(ir.evaluate(expr, s))

    if prop.expectation is Expectation.EVENTUALLY:
        assert not any(holds(prop.condition, s) for s in states)
    elif prop.expectation is Expectation.ALWAYS_EVENTUALLY:
        assert not any(holds(prop.condition, s) for s in loop)
    else:
        assert prop.target is not None
        target = prop.target
        assert any(holds(prop.condition, s) and not any(
            holds(target, t) for t in states[min(i, start):])
            for i, s in enumerate(states))


# ------------------------------------------------------------------ cases


def _liveness_specs() -> list[Path]:
    out = []
    for path in [*SEEDS, *sorted(DATA_DIR.glob("live-*.pod"))]:
        system, _ = compile_path(path)
        if not any(p.expectation in LIVENESS for p in system.properties):
            continue
        stats = explore(system, BfsOptions(max_states=TINY + 1))[0].stats
        if stats.complete and stats.states <= TINY:
            out.append(path)
    return out


SPECS = _liveness_specs()
VARIANTS: dict[str, dict[str, Fairness]] = {
    "own": {},
    "lazy-kubelet": {"kubelet": Fairness.NONE},
    "weak-environment": {"environment": Fairness.WEAK, "kubectl-drain": Fairness.WEAK},
    "strong-kubelet-weak-evictions": {"kubelet": Fairness.STRONG,
                                      "eviction-api": Fairness.WEAK},
}


def spec_overrides(sp: CheckedSpec) -> dict[str, Fairness]:
    """The spec's `environment { fairness: ... }` as overrides."""
    return {who: _BY_NAME[kind] for who, kind in sp.environment.fairness}


def test_the_tiny_specs_are_there():
    names = {p.stem for p in SPECS}
    assert {"live-stuck-drain", "live-lazy-kubelet", "11-bare-vs-deployment"} <= names


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_liveness_verdicts_agree_with_an_independent_search(path: Path, variant: str):
    system, sp = compile_path(path)
    overrides = {**spec_overrides(sp), **VARIANTS[variant]}
    ref = reference_graph(system)
    result, graph = explore(system, BfsOptions(keep_graph=True))
    assert graph is not None and result.stats.complete
    fair = Fair.of(system, overrides)
    for prop in system.properties:
        if prop.expectation not in LIVENESS:
            continue
        got: PropertyResult = check_liveness(graph, prop, fairness_overrides=overrides)
        mine = independent_violated(system, ref, prop, fair)
        assert got.verdict is (Verdict.VIOLATED if mine else Verdict.HOLDS), prop.name
        if mine:
            assert got.trace is not None
            check_lasso(system, ref, prop, fair, got.trace)
        else:
            assert got.trace is None


def test_every_verdict_and_lasso_kind_is_exercised():
    kinds = set()
    for path in SPECS:
        system, sp = compile_path(path)
        _, graph = explore(system, BfsOptions(keep_graph=True))
        assert graph is not None
        for variant in VARIANTS.values():
            overrides = {**spec_overrides(sp), **variant}
            for prop in system.properties:
                if prop.expectation in LIVENESS:
                    got = check_liveness(graph, prop, fairness_overrides=overrides)
                    loop = None if got.trace is None else got.trace.loop_action is None
                    kinds.add((prop.expectation, got.verdict, loop))
    for expectation in LIVENESS:
        assert (expectation, Verdict.HOLDS, None) in kinds, expectation
        assert {(expectation, Verdict.VIOLATED, stutter) for stutter in (True, False)} & kinds
    assert any(v is Verdict.VIOLATED and stutter is False for _, v, stutter in kinds), (
        "some counterexample is a real fair loop, not only stuttering")


def _blinker() -> TransitionSystem:
    """x toggles 0/1 for ever (weakly fair); `go`, enabled only when x == 1, sets the
    goal g.  Weak fairness on `go` allows the blinking run; strong fairness does not."""
    x, g = ir.Var(0), ir.Var(1)
    goal = ir.eq(g, 1)
    tick = ir.Action("tick", (), ir.not_(goal), ((0, ir.op("-", 1, x)),), "tick", "clock")
    go = ir.Action("go", (), ir.and_(ir.eq(x, 1), ir.not_(goal)), ((1, ir.Const(1)),), "go",
                   "kubelet")
    props = (Property("done", Expectation.EVENTUALLY, goal),
             Property("often", Expectation.ALWAYS_EVENTUALLY, goal),
             Property("answer", Expectation.LEADS_TO, ir.eq(x, 1), goal))
    return TransitionSystem("blinker", (ir.StateVar("x", 0, 1), ir.StateVar("g", 0, 1)),
                            ((0, 0),), (tick, go), props, terminal=goal)


@pytest.mark.parametrize("kind", list(Fairness), ids=lambda f: f.value)
def test_strong_and_weak_fairness_differ_on_an_intermittent_action(kind: Fairness):
    system = _blinker()
    ref = reference_graph(system)
    _, graph = explore(system, BfsOptions(keep_graph=True))
    assert graph is not None
    overrides = {"go": kind}
    fair = Fair.of(system, overrides)
    for prop in system.properties:
        got = check_liveness(graph, prop, fairness_overrides=overrides)
        mine = independent_violated(system, ref, prop, fair)
        assert mine == (kind is not Fairness.STRONG), prop.name
        assert got.verdict is (Verdict.VIOLATED if mine else Verdict.HOLDS), prop.name
        if got.trace is not None:
            check_lasso(system, ref, prop, fair, got.trace)
