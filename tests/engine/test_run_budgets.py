"""NOTE(whole-run-budget): `tune`, `fit` and `counts` stop at their `--timeout`, end
inconclusive (exit 3) and say what they decided and what they left.

No wall time is measured: the budget reads a clock that moves only when the test moves
it (`Hand`), each time one unit of work (a BFS point, a scenario, a cross-check count)
ends, so where a run stops depends only on how much work it did; `--timeout 0` on the
command line is spent before any work starts, whatever the machine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import podcheck.counting as counting
import podcheck.engine.binpack as binpack
import podcheck.engine.tune as tune_engine
import podcheck.tuning as tuning
from podcheck.cli import app
from podcheck.counting import CountOptions, counts_file
from podcheck.diagnostics import codes
from podcheck.engine.binpack import check_all, scenarios
from podcheck.engine.result import Limit, Verdict
from podcheck.engine.smt_values import TIMEOUT, Deadline
from podcheck.engine.tune import Method, TuneOptions
from podcheck.exitcodes import ExitCode
from podcheck.lang.check import load
from podcheck.report.binpack import render_fits
from podcheck.report.counts import render_counts
from podcheck.report.tune import render_tuning
from podcheck.schedulability import problem_of
from podcheck.tuning import tune_file

ROOT = Path(__file__).resolve().parents[2]
SYMBOLIC = ROOT / "specs" / "symbolic"


class Hand:
    """A clock that moves only when told (`now`)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def advancing(hand: Hand, seconds: float, work: Callable[..., Any]) -> Callable[..., Any]:
    """`work`, after which `hand` is `seconds` later."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        out = work(*args, **kwargs)
        hand.now += seconds
        return out

    return timed


def test_a_capped_deadline_ends_at_its_cap_or_at_the_whole() -> None:
    hand = Hand()
    whole = Deadline(10.0, 0.0, clock=hand)
    query = whole.capped(3.0)
    assert query.remaining_ms() == 3000 and whole.capped(None).remaining_ms() == 10000
    hand.now = 8.0
    assert whole.capped(3.0).remaining_ms() == 2000  # the whole's end comes first
    assert whole.stop() is None
    hand.now = 10.0
    assert whole.capped(None).expired() and whole.stop() is Limit.TIMEOUT


def test_tune_stops_between_bfs_points_and_names_the_values_left(monkeypatch) -> None:
    # tune-replicas: drain-completes is liveness, so each count is one BFS run and one
    # liveness check, 5 s each of the hand's 18: the counts 1 and 2 are decided by 20 s,
    # the one at 3 does not start.
    hand = Hand()
    monkeypatch.setattr(tune_engine, "explore", advancing(hand, 5.0, tune_engine.explore))
    monkeypatch.setattr(tune_engine, "check_liveness",
                        advancing(hand, 5.0, tune_engine.check_liveness))  # fmt: skip
    budget = Deadline(18.0, 0.0, clock=hand)
    run = tune_file(str(SYMBOLIC / "tune-replicas.pod"), "replicas",
                    TuneOptions(deadline=budget))  # fmt: skip
    assert run.tuning is not None and run.tuning.stopped is Limit.TIMEOUT
    got = {v.value: (v.holds, v.undecided, v.method) for v in run.tuning.values}
    assert got == {1: (False, False, Method.BFS), 2: (True, False, Method.BFS),
                   3: (False, True, Method.NONE)}  # the golden: fails at 1, holds at 2..3
    assert run.exit_code is ExitCode.INCONCLUSIVE  # 2 holds, but 3 was never decided
    text = render_tuning(run.tuning, run.sources)
    assert ("stopped by timeout: 2 of 3 values of replicas decided (holding: 2; failing: 1), "
            "left undecided: 3") in text
    assert "smallest holding value: 2" in text  # nothing below 2 is undecided


def test_tune_starts_no_spacer_run_past_the_budget(monkeypatch) -> None:
    def never(*_: object, **__: object) -> None:
        raise AssertionError("a run started past the budget")

    hand = Hand()  # the merge of the points takes the whole budget
    monkeypatch.setattr(tuning, "parametric_of", advancing(hand, 20.0, tuning.parametric_of))
    monkeypatch.setattr(tune_engine, "run_symbolic", never)
    monkeypatch.setattr(tune_engine, "explore", never)
    run = tune_file(str(SYMBOLIC / "tune-startup-z3.pod"), "failureThreshold",
                    TuneOptions(deadline=Deadline(10.0, 0.0, clock=hand)))  # fmt: skip
    assert run.tuning is not None and run.exit_code is ExitCode.INCONCLUSIVE
    assert all(v.undecided and v.method is Method.NONE for v in run.tuning.values)
    assert "0 of 3 values of failureThreshold decided" in render_tuning(run.tuning, {})


def _fit_problem():  # fit-failures: 4 nodes, up to 2 failures: 11 scenarios
    spec = load(str(SYMBOLIC / "fit-failures.pod")).value
    assert spec is not None
    return problem_of(spec), scenarios([], 2, 4)


def test_fit_stops_between_scenarios_and_names_the_scenarios_left(monkeypatch) -> None:
    hand = Hand()
    monkeypatch.setattr(binpack, "_solved", advancing(hand, 10.0, binpack._solved))
    problem, sets = _fit_problem()
    fits = check_all(problem, sets, Deadline(25.0, 0.0, clock=hand), query_seconds=5.0)
    decided = [f for f in fits if f.fits is not None]
    assert [f.removed for f in decided] == sets[:3]  # started at 0, 10 and 20 s
    assert all(f.fits is None and f.reason == TIMEOUT for f in fits[3:])
    text = render_fits(problem, fits, stopped=Limit.TIMEOUT)
    assert "stopped by timeout: 3 of 11 scenarios decided, 8 left undecided (without" in text


def test_fit_encodes_no_scenario_the_rest_cannot_afford(monkeypatch) -> None:
    # each encoding takes 4 s of the hand's clock (the estimate for the next one): with
    # 10 s, the second starts at 4 s (6 s left > 4), the third would need 4 of the 2 left
    hand = Hand()
    monkeypatch.setattr(binpack, "_encoded", advancing(hand, 4.0, binpack._encoded))
    problem, sets = _fit_problem()
    fits = check_all(problem, sets, Deadline(10.0, 0.0, clock=hand))
    assert [f.fits is not None for f in fits[:3]] == [True, True, False]
    assert all(f.reason == TIMEOUT for f in fits[2:])


SPEC = """cluster { nodes: 2 }
deployment web {
  replicas: 1..6
  template { labels: { app: web }  container app { image: "nginx:1.27" } }
}
pdb web-pdb { selector: { app: web }  maxUnavailable: 1 }
environment { drain: [n1] }
check budget-respected
check drain-completes
"""


@pytest.fixture
def counted(tmp_path: Path) -> str:
    path = tmp_path / "counts.pod"
    path.write_text(SPEC, encoding="utf-8")
    return str(path)


def test_counts_cut_in_the_cross_check_reports_no_verdict(counted, monkeypatch) -> None:
    # each BFS takes 5 s of the hand's 15: count 1 is compared (the full model's BFS and
    # the counter system's), count 2's full model ends the budget
    hand = Hand()
    monkeypatch.setattr(counting, "explore", advancing(hand, 5.0, counting.explore))
    run = counts_file(counted, CountOptions(deadline=Deadline(15.0, 0.0, clock=hand)))
    c = run.counted
    assert c is not None and run.exit_code is ExitCode.INCONCLUSIVE
    assert c.cross_checked == (1,) and c.not_cross_checked == (2, 3) and c.stopped
    assert all(v.verdict is Verdict.UNKNOWN and v.reason == TIMEOUT for _, v in c.verdicts)
    text = render_counts(c)
    assert "stopped by timeout: left open: `budget-respected`, `drain-completes`" in text
    assert "the explicit cross-check did not reach replicas 2..3" in text


def test_counts_names_what_it_proved_before_the_budget_ran_out(counted, monkeypatch) -> None:
    # `budget-respected` takes two runs (BMC's probe, then Spacer's proof) and the budget
    # is spent once they end: `drain-completes` starts no query
    import podcheck.engine.parametric as parametric

    hand, runs = Hand(), [0]
    run_symbolic = parametric.run_symbolic

    def spending(*args: Any, **kwargs: Any) -> Any:
        out = run_symbolic(*args, **kwargs)
        runs[0] += 1
        hand.now = 100.0 if runs[0] == 2 else hand.now
        return out

    monkeypatch.setattr(parametric, "run_symbolic", spending)
    options = CountOptions(cross_check=1, deadline=Deadline(50.0, 0.0, clock=hand))
    run = counts_file(counted, options)
    c = run.counted
    assert c is not None and c.stopped and run.exit_code is ExitCode.INCONCLUSIVE
    (_, first), (_, second) = c.verdicts
    assert first.verdict is Verdict.HOLDS and first.reason == "" and runs[0] == 2
    assert second.verdict is Verdict.UNKNOWN and second.reason == TIMEOUT
    assert ("stopped by timeout: proved: `budget-respected`; left open: `drain-completes`"
            in render_counts(c))


def test_each_command_past_a_spent_timeout_is_inconclusive(counted) -> None:
    runner = CliRunner()
    fit = runner.invoke(app, ["fit", str(SYMBOLIC / "fit-failures.pod"), "--timeout", "0"])
    assert fit.exit_code == 3 and "0 of 11 scenarios decided" in fit.stdout
    counts = runner.invoke(app, ["counts", counted, "--timeout", "0"])
    assert counts.exit_code == 3 and "did not reach replicas 1..3" in counts.stdout
    tune = runner.invoke(app, ["tune", str(SYMBOLIC / "tune-replicas.pod"), "--param",
                               "replicas", "--timeout", "0"])  # fmt: skip
    assert tune.exit_code == 3 and codes.RUN_STOPPED in tune.output  # before the compile


def test_check_names_counts_for_a_range_it_decides_and_repeats_it(counted) -> None:
    runner = CliRunner()
    told = f"note[{codes.COUNTS_DECIDES_RANGE}]: `podcheck counts {counted}` decides"
    stopped = runner.invoke(app, ["check", counted, "--timeout", "0"])  # stopped loading
    assert stopped.exit_code == 3 and codes.RUN_STOPPED in stopped.stdout
    assert told in stopped.stdout and "inconclusive here, but" in stopped.stdout
    cut = runner.invoke(app, ["check", counted, "--max-states", "50", "--quiet"])
    assert cut.exit_code == 3 and "inconclusive here, but `podcheck counts" in cut.stdout
    timed = Path(counted).with_name("timed.pod")  # a drain with --timeout: PC504 for counts
    timed.write_text(SPEC.replace("drain: [n1]", "drain: [n1]  drainTimeout: 5m"), "utf-8")
    outside = runner.invoke(app, ["check", str(timed), "--max-states", "50"])
    assert outside.exit_code == 3 and codes.COUNTS_DECIDES_RANGE not in outside.stdout


def test_a_budget_range_cut_short_names_each_class_decided_and_left() -> None:
    from podcheck.engine.counter_budget import BudgetClass, BudgetedRange, BudgetRange
    from podcheck.engine.parametric import CountedRange, CounterScenario, CountVerdict
    from podcheck.kube.intstr import IntOrPercent
    from podcheck.report.counts import render_budgeted

    def at(b: int, *verdicts: CountVerdict) -> tuple[BudgetClass, CountedRange]:
        s = CounterScenario(b, 3, min_available=IntOrPercent(b), max_unavailable=None)
        names = ("budget-respected", "drain-completes")
        return BudgetClass((b,), b, 3), CountedRange("web", s, "n1", tuple(zip(names, verdicts,
                                                                                strict=True)))

    proved, failed = CountVerdict("SafeEvictions", Verdict.HOLDS), CountVerdict(
        "DrainNeverStuck", Verdict.VIOLATED, smallest=1, steps=1)
    left = [CountVerdict(n, Verdict.UNKNOWN, reason=TIMEOUT)
            for n in ("SafeEvictions", "DrainNeverStuck")]
    r = BudgetedRange("web-pdb", BudgetRange("minAvailable", 1, 3, upto=True),
                      (at(1, proved, failed), at(2, proved, failed), at(3, *left)))
    assert r.stopped
    text = render_budgeted(r)
    assert ("stopped by timeout: the --timeout budget ran out\n"
            "  `budget-respected`: proved for minAvailable 1, 2; left open for minAvailable 3\n"
            "  `drain-completes`: failed for minAvailable 1, 2; left open for minAvailable 3\n"
            ) in text
    assert "minAvailable 3: inconclusive (the --timeout budget ran out first)" in text


def test_counts_left_out_by_a_limit_never_read_holds(tmp_path: Path, monkeypatch) -> None:
    # NOTE(per-count-runs): a limit reached in the liveness check of one count (its safety
    # pass complete) ends the runs there; the properties that held at every count run
    # are undecided over the range, not `holds`
    import podcheck.replica_ranges as replica_ranges
    from podcheck.check import CheckOptions, check_file

    seen: dict[str, Any] = {}
    combined = replica_ranges.combined

    def capture(spec: Any, runs: Any) -> Any:
        seen["spec"], seen["runs"] = spec, runs
        return combined(spec, runs)

    monkeypatch.setattr(replica_ranges, "combined", capture)
    path = tmp_path / "three.pod"
    path.write_text(SPEC.replace("1..6", "1..3"), encoding="utf-8")
    run = check_file(str(path), CheckOptions())
    assert run.result is not None and run.exit_code is ExitCode.OK
    spec, runs = seen["spec"], seen["runs"]
    assert len(runs) == 3 and all(r.verdict is Verdict.HOLDS for r in run.result.results)
    cut = combined(spec, runs[:2])  # as if the run at 2 had stopped in its liveness check
    assert not cut.stats.complete
    assert all(r.verdict is Verdict.UNKNOWN for r in cut.results)
    assert all(c.holding == (1, 2) and c.undecided == (3,) for r in cut.results for c in r.counts)
