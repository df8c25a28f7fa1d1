"""Time-bounded properties (`within`): syntax, checks, the observer and step times.

The verdicts are decided by BFS on small specs whose times are known exactly, so each
bound is tested at the last second it holds and the first second it is missed
(NOTE(bounded-time-observer) in podcheck/model/timed.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.diagnostics import codes
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.result import Verdict
from podcheck.lang.check import LoadOptions, load
from podcheck.lang.driver import format_file
from podcheck.lang.print_formula import format_duration_ms
from podcheck.model.timed import substitute
from podcheck.report.clock import step_times
from podcheck.report.itf import trace_to_itf
from podcheck.spec import Temporal

JOB = """cluster { node n1 { } }
pod api {
  restartPolicy: Never
  container app {
    behavior { outcome: succeeds  run: 30s }
  }
}
"""


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.pod"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _verdicts(tmp_path: Path, props: str) -> dict[str, Verdict]:
    compiled, _, _ = load_and_compile(_write(tmp_path, JOB + props), CheckOptions())
    assert compiled.value is not None, compiled.diagnostics
    result, _ = explore(compiled.value, BfsOptions())
    assert result.stats.complete
    return {r.name: r.verdict for r in result.results}


def test_within_parses_onto_the_top_operator(tmp_path: Path) -> None:
    result = load(_write(tmp_path, JOB + "property a: eventually api.ready within 2m\n"
                         "property b: api.ready ~> not api.ready within 1.5s\n"
                         "property c: always (api.ready implies eventually api.exists) "
                         "within 90s\n"), LoadOptions())
    assert result.ok and result.value is not None
    found = {p.name: p.formula for p in result.value.properties}
    assert all(isinstance(f, Temporal) for f in found.values())
    assert [(f.op, f.within) for f in found.values()] == [  # type: ignore[union-attr]
        ("eventually", 120_000), ("leadsto", 1500), ("leadsto", 90_000)]


@pytest.mark.parametrize("formula", ["always api.ready", "api.ready",
                                     "always eventually api.ready"])
def test_within_on_other_shapes_is_pc210(tmp_path: Path, formula: str) -> None:
    result = load(_write(tmp_path, JOB + f"property a: {formula} within 2m\n"), LoadOptions())
    assert not result.ok
    assert [d.code for d in result.diagnostics] == [codes.UNSUPPORTED_TEMPORAL_SHAPE]


def test_fmt_prints_the_bound_back(tmp_path: Path) -> None:
    text = JOB + "property a: eventually api.ready within 120s\n"
    formatted = format_file(_write(tmp_path, text))
    assert formatted.formatted is not None
    assert "property a: eventually api.ready within 2m\n" in formatted.formatted
    assert [format_duration_ms(ms) for ms in (0, 1500, 90_000, 120_000, 7_200_000)] == [
        "0s", "1500ms", "90s", "2m", "2h"]


def test_bounds_are_exact_to_the_second(tmp_path: Path) -> None:
    found = _verdicts(tmp_path, "\n".join([
        "property e30: eventually api.phase == Succeeded within 30s",
        "property e29: eventually api.phase == Succeeded within 29s",
        "property e29ms: eventually api.phase == Succeeded within 29999ms",
        "property l30: api.phase == Running ~> api.phase == Succeeded within 30s",
        "property l29: api.phase == Running ~> api.phase == Succeeded within 29s",
        "property now: eventually api.exists within 0s", ""]))
    assert found == {"e30": Verdict.HOLDS, "e29": Verdict.VIOLATED,
                     "e29ms": Verdict.VIOLATED, "l30": Verdict.HOLDS,
                     "l29": Verdict.VIOLATED, "now": Verdict.HOLDS}


def test_a_goal_never_reached_misses_the_bound_as_time_runs_out(tmp_path: Path) -> None:
    found = _verdicts(tmp_path, "property never: eventually api.phase == Failed within 10m\n")
    assert found == {"never": Verdict.VIOLATED}


def test_trace_times_sum_the_clock_steps(tmp_path: Path) -> None:
    path = _write(tmp_path, JOB + "property e: eventually api.phase == Failed within 45s\n")
    compiled, _, _ = load_and_compile(path, CheckOptions())
    assert compiled.value is not None
    result, _ = explore(compiled.value, BfsOptions())
    trace = result.results[0].trace
    assert trace is not None
    times = step_times(trace)
    assert times[0] == 0 and times[-1] == 46 and times == sorted(times)
    states = trace_to_itf(trace)["states"]
    assert [s["#meta"]["time"] for s in states] == times
    assert "clock.next" not in trace_to_itf(trace)["vars"]


def test_substitute_reads_the_post_state() -> None:
    x, y = ir.Var(0), ir.Var(1)
    e = ir.op("+", x, ir.op("*", y, x))
    after = substitute(e, ((0, ir.op("+", y, 1)),))
    assert ir.evaluate(after, (2, 3)) == ir.evaluate(e, (4, 3)) == 16
