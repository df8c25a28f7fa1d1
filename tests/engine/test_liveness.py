"""Liveness under fairness: hand-built systems with pinned lassos, B1's DrainCompletes,
and an independent Büchi-product lasso search on random small systems."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable

import pytest

from podcheck import ir
from podcheck.engine.liveness import check_liveness
from podcheck.engine.result import Stutter, Trace, Verdict
from podcheck.ir import (
    Action,
    Expectation,
    Expr,
    Fairness,
    Property,
    StateVar,
    TransitionSystem,
    Var,
)
from tests.engine.b1_ir import b1_system
from tests.engine.reference import reference_graph

WEAK, STRONG, NONE = Fairness.WEAK, Fairness.STRONG, Fairness.NONE


explore = reference_graph


def act(name, guard, updates, fairness=WEAK, actor="controller", params=()):
    return Action(name, params, guard, tuple(updates), name, actor, fairness)


def system(vars_, init, actions, props=()):
    return TransitionSystem("t", tuple(vars_), tuple(init), tuple(actions), tuple(props))


def eventually(cond: Expr) -> Property:
    return Property("p", Expectation.EVENTUALLY, cond)


def always_eventually(cond: Expr) -> Property:
    return Property("p", Expectation.ALWAYS_EVENTUALLY, cond)


def leads_to(cond: Expr, target: Expr) -> Property:
    return Property("p", Expectation.LEADS_TO, cond, target)


def check(sys_: TransitionSystem, prop: Property, **kw):
    return check_liveness(explore(sys_), prop, **kw)


def shape(result) -> tuple[str, int | None, int | None, str | None]:
    """(verdict, prefix length, loop length (0 = stutter), closing action name)."""
    trace = result.trace
    if trace is None:
        return result.verdict.value, None, None, None
    loop = len(trace.steps) - trace.loop_start
    closing = None
    if trace.loop_action is None:
        loop = 0
    else:
        closing = trace.system.actions[trace.loop_action].name
    return result.verdict.value, trace.loop_start, loop, closing


X = Var(0)


def counter(reset_fairness=NONE, with_reset=True, stall=False):
    """x counts 0..3 (`inc`, weak); the environment may `reset` it or `stall`."""
    actions = [act("inc", ir.op("<", X, 3), [(0, ir.op("+", X, 1))])]
    if with_reset:
        actions.append(act("reset", ir.op(">", X, 0), [(0, ir.Const(0))],
                           reset_fairness, "environment"))
    if stall:
        actions.append(act("stall", ir.TRUE, [], NONE, "environment"))
    return system([StateVar("x", 0, 3)], [(0,)], actions)


def test_counter_reset_loop_violates_eventually():
    result = check(counter(), eventually(ir.eq(X, 3)))
    assert shape(result) == ("violated", 0, 2, "reset")
    assert [s.state for s in result.trace.steps] == [(0,), (1,)]


def test_counter_without_environment_reaches_the_top():
    assert check(counter(with_reset=False), eventually(ir.eq(X, 3))).verdict is Verdict.HOLDS


def test_stutter_where_only_the_environment_is_enabled():
    # x = 3 enables only the unfair reset: the run may stop there
    result = check(counter(), always_eventually(ir.eq(X, 0)))
    assert shape(result) == ("violated", 3, 0, None)
    assert result.trace.steps[-1].state == (3,)
    assert result.reason.stutter is Stutter.NO_FAIR_ACTION


def test_fairness_override_by_action_name():
    sys_ = counter()
    overridden = check(sys_, always_eventually(ir.eq(X, 0)),
                       fairness_overrides={"reset": WEAK})
    assert overridden.verdict is Verdict.HOLDS


def test_fairness_override_by_actor_and_name_precedence():
    sys_ = counter(with_reset=False, stall=True)
    assert check(sys_, eventually(ir.eq(X, 3))).verdict is Verdict.HOLDS
    stalled = check(sys_, eventually(ir.eq(X, 3)),
                    fairness_overrides={"controller": NONE})
    assert shape(stalled) == ("violated", 0, 0, None)
    # the name wins over the actor: inc stays weakly fair
    named = check(sys_, eventually(ir.eq(X, 3)),
                  fairness_overrides={"controller": NONE, "inc": WEAK})
    assert named.verdict is Verdict.HOLDS
    # a weakly fair self-loop is a fair cycle of one action
    looping = check(sys_, eventually(ir.eq(X, 3)),
                    fairness_overrides={"inc": NONE, "stall": WEAK})
    assert shape(looping) == ("violated", 0, 1, "stall")


IDLE, SENT, REFUSED, DONE = 0, 1, 2, 3
REQ, BUDGET = Var(0), Var(1)


def retry(budget: int, accept=WEAK):
    """A request is sent, may be refused and retried; accepted only with budget."""
    vars_ = [StateVar("req", 0, 3, ("Idle", "Sent", "Refused", "Done")),
             StateVar("budget", 0, 1)]
    actions = [
        act("send", ir.eq(REQ, IDLE), [(0, ir.Const(SENT))]),
        act("refuse", ir.eq(REQ, SENT), [(0, ir.Const(REFUSED))], actor="api-server"),
        act("accept", ir.and_(ir.eq(REQ, SENT), ir.op(">", BUDGET, 0)),
            [(0, ir.Const(DONE))], accept, "api-server"),
        act("retry", ir.eq(REQ, REFUSED), [(0, ir.Const(SENT))]),
    ]
    return system(vars_, [(IDLE, budget)], actions)


@pytest.mark.parametrize(("budget", "accept", "expected"), [
    (0, WEAK, ("violated", 1, 2, "retry")),
    (1, WEAK, ("violated", 1, 2, "retry")),  # accept is disabled while Refused
    (1, STRONG, ("holds", None, None, None)),
    (0, STRONG, ("violated", 1, 2, "retry")),
])
def test_retry_of_a_refused_request(budget, accept, expected):
    result = check(retry(budget, accept), eventually(ir.eq(REQ, DONE)))
    assert shape(result) == expected
    if result.trace is not None:
        assert [s.state[0] for s in result.trace.steps] == [IDLE, SENT, REFUSED]


def test_retry_leads_to():
    prop = leads_to(ir.eq(REQ, SENT), ir.eq(REQ, DONE))
    assert shape(check(retry(1, WEAK), prop)) == ("violated", 1, 2, "retry")
    assert check(retry(1, STRONG), prop).verdict is Verdict.HOLDS


B, GONE = Var(0), Var(1)


def toggle(go=WEAK):
    """`flip` toggles b forever; `go` (enabled only when b = 1) ends the game."""
    vars_ = [StateVar("b", 0, 1), StateVar("done", 0, 1)]
    actions = [
        act("flip", ir.eq(GONE, 0), [(0, ir.op("-", 1, B))]),
        act("go", ir.and_(ir.eq(B, 1), ir.eq(GONE, 0)), [(1, ir.Const(1))], go),
    ]
    return system(vars_, [(0, 0)], actions)


def test_only_strong_fairness_gives_progress():
    prop = eventually(ir.eq(GONE, 1))
    assert shape(check(toggle(WEAK), prop)) == ("violated", 0, 2, "flip")
    assert check(toggle(STRONG), prop).verdict is Verdict.HOLDS
    assert check(toggle(WEAK), prop, fairness_overrides={"go": STRONG}).verdict \
        is Verdict.HOLDS
    assert shape(check(toggle(NONE), prop)) == ("violated", 0, 2, "flip")


def test_strong_refinement_keeps_the_part_that_avoids_the_class():
    # 0 <-> 1 <-> 2, and a strong `escape` from 2 to the goal 3
    sv = [StateVar("s", 0, 3)]
    moves = [(0, 1), (1, 0), (1, 2), (2, 1)]
    actions = [act(f"m{a}{b}", ir.eq(X, a), [(0, ir.Const(b))]) for a, b in moves]
    escape = act("escape", ir.eq(X, 2), [(0, ir.Const(3))], STRONG)
    result = check(system(sv, [(0,)], [*actions, escape]), eventually(ir.eq(X, 3)))
    assert shape(result) == ("violated", 0, 2, "m10")
    # escape is weakly fair only: the whole SCC {0, 1, 2} may be fair, still violated
    weak = check(system(sv, [(0,)], [*actions, escape]), eventually(ir.eq(X, 3)),
                 fairness_overrides={"escape": WEAK})
    assert weak.verdict is Verdict.VIOLATED
    everywhere = act("escape", ir.op("<", X, 3), [(0, ir.Const(3))], STRONG)
    assert check(system(sv, [(0,)], [*actions, everywhere]),
                 eventually(ir.eq(X, 3))).verdict is Verdict.HOLDS


def deadlock(terminal=ir.FALSE):
    sys_ = system([StateVar("x", 0, 2)], [(0,)],
                  [act("step", ir.eq(X, 0), [(0, ir.Const(1))])])
    return TransitionSystem("d", sys_.vars, sys_.init, sys_.actions, (), terminal)


@pytest.mark.parametrize(("terminal", "kind"), [(ir.FALSE, Stutter.DEADLOCK),
                                                (ir.eq(X, 1), Stutter.TERMINAL)])
def test_a_deadlock_stutters_forever(terminal, kind):
    result = check(deadlock(terminal), eventually(ir.eq(X, 2)))
    assert shape(result) == ("violated", 1, 0, None)
    assert result.reason.stutter is kind
    assert shape(check(deadlock(terminal), always_eventually(ir.eq(X, 0)))) == (
        "violated", 1, 0, None)
    assert check(deadlock(terminal), eventually(ir.eq(X, 1))).verdict is Verdict.HOLDS
    assert check(deadlock(terminal),
                 leads_to(ir.eq(X, 0), ir.eq(X, 1))).verdict is Verdict.HOLDS
    assert shape(check(deadlock(terminal), leads_to(ir.eq(X, 1), ir.eq(X, 0)))) == (
        "violated", 1, 0, None)


def test_leads_to_prefix_may_leave_the_region_before_the_trigger():
    # 0 -> 1 -> 2 (trigger) -> 3 -> 2 ...; the goal holds in 1 only
    sv = [StateVar("s", 0, 3)]
    moves = [(0, 1), (1, 2), (2, 3), (3, 2)]
    actions = [act(f"m{a}{b}", ir.eq(X, a), [(0, ir.Const(b))]) for a, b in moves]
    result = check(system(sv, [(0,)], actions), leads_to(ir.eq(X, 2), ir.eq(X, 1)))
    assert shape(result) == ("violated", 2, 2, "m32")
    assert [s.state for s in result.trace.steps] == [(0,), (1,), (2,), (3,)]
    assert check(system(sv, [(0,)], actions),
                 eventually(ir.eq(X, 1))).verdict is Verdict.HOLDS


def test_safety_properties_are_refused():
    with pytest.raises(ValueError, match="always"):
        check(counter(), Property("inv", Expectation.ALWAYS, ir.TRUE))


def test_compiled_predicates_are_used():
    calls = []

    def compile_(expr):
        def pred(state):
            calls.append(state)
            return ir.evaluate(expr, state)
        return pred

    result = check(counter(), eventually(ir.eq(X, 3)), compile_predicate=compile_)
    assert result.verdict is Verdict.VIOLATED and len(calls) == 4


@pytest.mark.parametrize(("n", "m", "k", "expected"), [
    (2, 2, 2, ("violated", 1, 0, None)),  # stuck drain: minAvailable = replicas
    (3, 2, 3, ("violated", 1, 0, None)),
    (2, 2, 1, ("violated", 3, 0, None)),  # nowhere to reschedule the second pod
    (2, 2, 0, ("holds", None, None, None)),
    (3, 2, 0, ("holds", None, None, None)),
])
def test_b1_drain_completes(n, m, k, expected):
    sys_ = b1_system(n, m, k)
    graph = explore(sys_)
    drain = next(p for p in sys_.properties if p.name == "DrainCompletes(node-1)")
    result = check_liveness(graph, drain)
    assert shape(result) == expected
    if result.trace is not None:
        assert_valid_lasso(result.trace, drain)
        stuck = result.trace.steps[-1].state
        assert stuck[2 * n] == 1  # node-1 is Cordoned and still holds a pod
        assert 1 in stuck[n:2 * n]
    if (n, m, k) == (2, 2, 1):
        assert len(graph.states) == 52  # SPIN and TLC agree (RESULTS.md)


# ---------------------------------------------------------------- independent check


def key(action: Action) -> tuple:
    return action.name, action.params


def enabled_fair(sys_: TransitionSystem, state) -> set[tuple]:
    return {key(a) for a in sys_.actions
            if a.fairness is not NONE and ir.evaluate(a.guard, state)}


def assert_valid_lasso(trace: Trace, prop: Property) -> None:
    """The trace is a path of the system, its loop closes, avoids the goal, is fair."""
    sys_ = trace.system
    steps = trace.steps
    assert steps[0].state in sys_.init
    for prev, step in zip(steps, steps[1:], strict=False):
        assert (step.action, step.state) in list(ir.successors(sys_, prev.state))
    goal = prop.target if prop.target is not None else prop.condition
    bad = lambda i: not ir.evaluate(goal, steps[i].state)  # noqa: E731
    start = trace.loop_start
    assert all(bad(i) for i in range(start, len(steps)))
    if prop.expectation is Expectation.EVENTUALLY:
        assert all(bad(i) for i in range(len(steps)))
    if prop.expectation is Expectation.LEADS_TO:
        first = next(i for i, s in enumerate(steps) if ir.evaluate(prop.condition, s.state)
                     and bad(i) and all(bad(j) for j in range(i, len(steps))))
        assert first <= start
    if trace.loop_action is None:
        assert enabled_fair(sys_, steps[-1].state) == set()
        return
    closing = (trace.loop_action, steps[start].state)
    assert closing in list(ir.successors(sys_, steps[-1].state))
    loop = [s.state for s in steps[start:]]
    taken = {key(sys_.actions[s.action]) for s in steps[start + 1:]}
    taken.add(key(sys_.actions[trace.loop_action]))
    always_on = set.intersection(*(enabled_fair(sys_, s) for s in loop))
    assert always_on <= taken, "a weakly fair action is enabled all along the loop"
    strong = {key(a) for a in sys_.actions if a.fairness is STRONG}
    sometimes_on = set.union(*(enabled_fair(sys_, s) for s in loop))
    assert sometimes_on & strong <= taken


def oracle(sys_: TransitionSystem, prop: Property) -> int | None:
    """Shortest lasso prefix of a weakly fair run violating `prop`, or None.

    An explicit search over the product of the state graph with an obligation set:
    the weakly fair actions enabled in every state since the last checkpoint and
    not taken since.  When it empties, the next node is a checkpoint (accepting);
    a run is weakly fair iff it passes infinitely many checkpoints.  A run may
    stutter only where no fair action is enabled.  Counterexamples are accepting
    product nodes that reach themselves; no SCCs are computed.
    """
    adj: dict[tuple, list[tuple]] = {}
    todo = list(sys_.init)
    while todo:
        s = todo.pop()
        if s not in adj:
            adj[s] = [t for _, t in ir.successors(sys_, s)]
            todo += adj[s]
    succ_named = {s: [(key(a), ir.apply(sys_, a, s)) for a in sys_.actions
                      if ir.evaluate(a.guard, s)] for s in adj}
    goal = prop.target if prop.target is not None else prop.condition
    avoid = {s for s in adj if not ir.evaluate(goal, s)}
    if prop.expectation is Expectation.LEADS_TO:
        triggers = {s for s in avoid if ir.evaluate(prop.condition, s)}
        depth = bfs_depths(list(sys_.init), lambda s: adj[s])
    elif prop.expectation is Expectation.EVENTUALLY:
        triggers = set(sys_.init) & avoid
        depth = {s: 0 for s in triggers}
    else:
        triggers = set(avoid)
        depth = bfs_depths(list(sys_.init), lambda s: adj[s])

    def moves(node):
        s, owed, _ = node
        out = []
        for name, t in succ_named[s]:
            if t in avoid:
                rest = frozenset(owed - {name}) & enabled_fair(sys_, t)
                out.append((t, rest or frozenset(enabled_fair(sys_, t)), not rest))
        if not enabled_fair(sys_, s):
            out.append((s, frozenset(), True))  # stutter forever
        return out

    def start(s):
        return (s, frozenset(enabled_fair(sys_, s)), False)

    product = bfs_depths([start(t) for t in triggers], moves)
    on_cycle = set()  # graph states on an accepting cycle of the product
    for node in product:
        if node[2] and node in bfs_depths(moves(node), moves):
            on_cycle |= {x[0] for x in bfs_depths([node], moves)
                         if node in bfs_depths([x], moves)}
    best = None
    for t in triggers:
        reach = bfs_depths([start(t)], moves)
        hits = [d for x, d in reach.items() if x[0] in on_cycle]
        if hits and t in depth:
            total = depth[t] + min(hits)
            best = total if best is None else min(best, total)
    return best


def bfs_depths(starts: Iterable, nxt: Callable[[object], Iterable]) -> dict:
    depth = {}
    queue = deque()
    for s in starts:
        if s not in depth:
            depth[s] = 0
            queue.append(s)
    while queue:
        s = queue.popleft()
        for t in nxt(s):
            if t not in depth:
                depth[t] = depth[s] + 1
                queue.append(t)
    return depth


def random_system(rng: random.Random) -> TransitionSystem:
    n = rng.randint(2, 8)
    actions = []
    for i in range(rng.randint(1, 5)):
        sources = rng.sample(range(n), rng.randint(1, min(3, n)))
        guard = ir.or_(*(ir.eq(X, s) for s in sources))
        update: Expr = ir.Const(rng.randrange(n))
        for s in sources:
            update = ir.ite(ir.eq(X, s), rng.randrange(n), update)
        fairness = rng.choice([WEAK, WEAK, NONE])
        actions.append(act(f"a{i}", guard, [(0, update)], fairness, params=(("i", str(i)),)))
    init = [(s,) for s in sorted(rng.sample(range(n), rng.randint(1, 2)))]
    return system([StateVar("s", 0, n - 1)], init, actions)


def random_set(rng: random.Random, n: int) -> Expr:
    return ir.or_(*(ir.eq(X, s) for s in range(n) if rng.random() < 0.35))


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_explicit_lasso_search(seed):
    rng = random.Random(seed)
    violated = 0
    for _ in range(80):
        sys_ = random_system(rng)
        n = sys_.vars[0].hi + 1
        props = [eventually(random_set(rng, n)),
                 leads_to(random_set(rng, n), random_set(rng, n)),
                 always_eventually(random_set(rng, n))]
        graph = explore(sys_)
        for prop in props:
            result = check_liveness(graph, prop)
            expected = oracle(sys_, prop)
            assert (result.verdict is Verdict.VIOLATED) == (expected is not None), prop
            if expected is not None:
                violated += 1
                assert result.trace.loop_start == expected, prop
                assert_valid_lasso(result.trace, prop)
    assert violated > 40  # the generator produces both verdicts


@pytest.mark.parametrize("k", [0, 1, 2])
def test_graph_from_the_bfs_engine_gives_the_same_answers(k):
    from podcheck.engine.bfs import BfsOptions
    from podcheck.engine.bfs import explore as bfs_explore

    sys_ = b1_system(2, 2, k)
    _, fast = bfs_explore(sys_, BfsOptions(keep_graph=True))
    reference = explore(sys_)
    assert fast is not None and fast.states == reference.states
    for prop in sys_.properties[2:]:
        ours, theirs = check_liveness(fast, prop), check_liveness(reference, prop)
        assert shape(ours) == shape(theirs)
        assert (ours.trace is None) == (theirs.trace is None)
        if ours.trace is not None:
            assert ours.trace.steps == theirs.trace.steps
