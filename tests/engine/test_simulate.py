"""Random walks (`podcheck check --simulate N --seed S`, engine/simulate.py): real runs,
checked on the way, reproducible from the seed, never a claim that a property holds
(issue 13)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck import ir
from podcheck.cli import app
from podcheck.engine import bfs
from podcheck.engine.result import Goal, Limit, SimulationSearch, Trace, Verdict
from podcheck.engine.simulate import NOT_EXHAUSTIVE, SimulateOptions, simulate
from podcheck.exitcodes import ExitCode
from podcheck.ir import Action, Const, Expectation, Op, Property, StateVar, Var
from podcheck.report.words import detail
from tests.engine.b1_ir import PENDING, b1_system


def result_of(check, name):
    return next(r for r in check.results if r.name == name)


def assert_real_run(trace: Trace) -> None:
    system = trace.system
    assert trace.steps[0].state in system.init
    for before, after in zip(trace.steps, trace.steps[1:], strict=False):
        assert after.action is not None
        action = system.actions[after.action]
        assert ir.evaluate(action.guard, before.state)
        assert ir.apply(system, action, before.state) == after.state


def test_a_violation_is_a_real_run_that_breaks_the_property_and_bfs_agrees() -> None:
    system = b1_system(3, 2, 2)
    check = simulate(system, SimulateOptions(walks=200, seed=7, max_depth=30))
    found = result_of(check, "AlwaysAvailable")
    assert found.verdict is Verdict.VIOLATED and found.trace is not None
    assert_real_run(found.trace)
    prop = next(p for p in system.properties if p.name == "AlwaysAvailable")
    assert not ir.evaluate(prop.condition, found.trace.steps[-1].state)
    assert all(ir.evaluate(prop.condition, s.state) for s in found.trace.steps[:-1])
    shortest = result_of(bfs.check(system), "AlwaysAvailable").trace
    assert shortest is not None and found.trace.length >= shortest.length
    reason = found.reason
    assert isinstance(reason, SimulationSearch) and reason.walk is not None
    assert reason.goal is Goal.COUNTEREXAMPLE and reason.seed == 7


def test_never_holds_for_lack_of_a_counterexample() -> None:
    system = b1_system(3, 2, 2)
    assert result_of(bfs.check(system), "SafeEvictions").verdict is Verdict.HOLDS
    check = simulate(system, SimulateOptions(walks=50, seed=1, max_depth=20))
    safe = result_of(check, "SafeEvictions")
    assert safe.verdict is Verdict.UNKNOWN and safe.trace is None
    assert not check.stats.complete and check.limit == NOT_EXHAUSTIVE
    assert detail(safe) == ("no violation in 50 random walks of at most 20 steps from seed 1: "
                            "not exhaustive")
    live = [r for r in check.results if r.name not in ("SafeEvictions", "AlwaysAvailable")]
    assert live and all(r.verdict is Verdict.UNKNOWN for r in live)
    assert all(isinstance(r.reason, SimulationSearch) and r.reason.goal is None for r in live)


def test_a_sometimes_witness_is_a_verdict_and_walks_stop_once_all_is_decided() -> None:
    system = dataclasses.replace(b1_system(2, 2, 1, liveness=False), properties=(
        Property("SomePending", Expectation.SOMETIMES, ir.eq(Var(0), PENDING)),))
    check = simulate(system, SimulateOptions(walks=1000, seed=0, max_depth=10))
    witness = result_of(check, "SomePending")
    assert witness.verdict is Verdict.HOLDS and witness.trace is not None
    assert ir.evaluate(system.properties[0].condition, witness.trace.steps[-1].state)
    assert isinstance(witness.reason, SimulationSearch) and witness.reason.walks < 1000


def test_the_same_seed_gives_the_same_run_and_a_walk_replays_alone() -> None:
    system = b1_system(3, 2, 2)
    options = SimulateOptions(walks=100, seed=11, max_depth=25)
    first, again = simulate(system, options), simulate(system, options)
    assert first.results == again.results and first.stats.states == again.stats.states
    found = result_of(first, "AlwaysAvailable")
    assert isinstance(found.reason, SimulationSearch) and found.reason.walk is not None
    alone = simulate(system, SimulateOptions(walks=1, seed=11 + found.reason.walk,
                                             max_depth=25))
    assert result_of(alone, "AlwaysAvailable").trace == found.trace
    other = simulate(system, dataclasses.replace(options, seed=12))
    assert other.stats.transitions != first.stats.transitions or (
        other.results != first.results)


def test_walks_are_bounded_by_the_depth() -> None:
    system = b1_system(3, 2, 2)
    check = simulate(system, SimulateOptions(walks=40, seed=3, max_depth=5))
    assert check.stats.depth <= 5 and check.stats.transitions <= 40 * 5
    assert all(r.trace is None or r.trace.length <= 5 for r in check.results)


def _counter(hi: int, terminal: ir.Expr = ir.FALSE) -> ir.TransitionSystem:
    x = StateVar("x", 0, hi, owner="counter", field="value")
    inc = Action("inc", (), ir.op("<", Var(0), hi), ((0, Op("+", (Var(0), Const(1)))),),
                 "the counter goes up", "env")
    return ir.TransitionSystem("counter", (x,), ((0,),), (inc,), (), terminal)


def test_a_stuck_walk_is_a_deadlock_unless_terminal() -> None:
    stuck = simulate(_counter(4), SimulateOptions(walks=3, max_depth=10))
    assert stuck.deadlock is not None and stuck.deadlock.length == 4
    done = simulate(_counter(4, ir.eq(Var(0), 4)), SimulateOptions(walks=3, max_depth=10))
    assert done.deadlock is None
    short = simulate(_counter(4), SimulateOptions(walks=3, max_depth=3))
    assert short.deadlock is None  # the walks stopped before the counter got stuck


def test_a_limit_stops_the_walks() -> None:
    check = simulate(b1_system(3, 2, 2), SimulateOptions(
        walks=10_000, seed=0, max_depth=50, should_stop=lambda: Limit.TIMEOUT))
    assert check.limit == "timeout" and result_of(check, "SafeEvictions").verdict is (
        Verdict.UNKNOWN)


SPEC = """\
cluster { nodes: 1 }
pod a { restartPolicy: Never  container app { behavior { outcome: fails } } }
property never-failed: always forall p in pods: p.phase != Failed
property no-unknown: always forall p in pods: p.phase != Unknown
"""


def test_check_simulate_prints_the_trace_and_the_seed_to_reproduce_it(tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(SPEC, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(spec), "--simulate", "20", "--seed", "5",
                                      "--max-depth", "8"])
    assert result.exit_code == ExitCode.VIOLATED
    out = result.stdout
    assert "property `never-failed` (always) violated in 3 steps" in out and "step 3" in out
    assert "property `no-unknown` (always) inconclusive: no violation in " in out
    assert "holds" not in out.split("summary")[1]
    assert f"reproduce: podcheck check {spec} --simulate 20 --seed 5 --max-depth 8" in out
    again = CliRunner().invoke(app, ["check", str(spec), "--simulate", "20", "--seed", "5",
                                     "--max-depth", "8"])
    assert again.stdout == out


def test_check_simulate_without_a_violation_is_inconclusive(tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(SPEC.replace("p.phase != Failed", "p.phase != Unknown"), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(spec), "--simulate", "5"])
    assert result.exit_code == ExitCode.INCONCLUSIVE, result.stdout
    assert NOT_EXHAUSTIVE in result.stdout


@pytest.mark.parametrize("engine", ["vector", "bmc"])
def test_simulate_takes_no_engine(engine: str, tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(SPEC, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(spec), "--simulate", "5", "--engine", engine])
    assert result.exit_code == ExitCode.INPUT_ERROR and "--simulate" in result.stderr
