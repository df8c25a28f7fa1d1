"""Per-value verdicts of a symbolic run (`engine.counts.per_value`) on a tiny merged
system, checked against the verdict at each value found by BFS on that value's own
system (NOTE(per-count-runs))."""

from __future__ import annotations

from podcheck import ir
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.counts import needs_counts, per_value
from podcheck.engine.params import merge_points
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import SymbolicOptions, run_symbolic
from podcheck.ir import Action, Expectation, Property, StateVar, TransitionSystem
from podcheck.spec.params import Param

X = ir.Var(0)


def counter(limit: int) -> TransitionSystem:
    """x counts up to `limit`; `small` says x stays below 3, `bounded` below 10."""
    return TransitionSystem(
        f"counter{limit}", (StateVar("x", 0, 10, owner="c", field="x"),), ((0,),),
        (Action("inc", (), ir.op("<", X, limit), ((0, ir.op("+", X, 1)),), "x += 1", "c"),),
        (Property("small", Expectation.ALWAYS, ir.op("<", X, 3)),
         Property("bounded", Expectation.ALWAYS, ir.op("<", X, 10))),
        terminal=ir.TRUE)


def test_per_value_names_the_failing_and_holding_values():
    param = Param("c.replicas", 1, 5)
    merged = merge_points([param], [(v,) for v in param.values],
                          [counter(v) for v in param.values])
    whole = run_symbolic(merged.system, SymbolicOptions.of("kind", 12, None))
    assert [r.verdict for r in whole.results] == [Verdict.VIOLATED, Verdict.HOLDS]
    assert needs_counts(whole)
    got = per_value(merged, 0, whole, "kind", depth=12)
    (small,) = got.results[0].counts
    assert got.results[1].counts == ()  # held for the whole range
    assert (small.failing, small.holding, small.undecided) == ((3, 4, 5), (1, 2), ())
    assert small.shown == whole.results[0].trace.steps[0].state[merged.param_vars[0]]
    for v in param.values:  # each value's own system by BFS agrees
        own, _ = explore(counter(v), BfsOptions())
        assert (own.results[0].verdict is Verdict.VIOLATED) == (v in small.failing)


def test_a_range_that_holds_needs_no_per_value_run():
    param = Param("c.replicas", 1, 2)
    merged = merge_points([param], [(1,), (2,)], [counter(1), counter(2)])
    whole = run_symbolic(merged.system, SymbolicOptions.of("kind", 8, None))
    assert not needs_counts(whole)
    assert per_value(merged, 0, whole, "kind") is whole
