"""`elapsed` in formulas: syntax, types, printing, and exact verdicts at the boundary.

NOTE(elapsed-time) (podcheck/spec/formulas.py, podcheck/model/timed.py): the verdicts
are decided by BFS on a pod whose container runs for exactly 30 s, so each comparison is
checked at the last second it holds and the first second it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, load_and_compile
from podcheck.diagnostics import codes
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.result import Verdict
from podcheck.lang.check import LoadOptions, load
from podcheck.lang.driver import format_file
from podcheck.spec import Binary, DurationLit, Elapsed

POD = """cluster { node n1 { } }
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


def _verdict(tmp_path: Path, formula: str) -> Verdict:
    compiled, _, _ = load_and_compile(_write(tmp_path, POD + f"property p: {formula}\n"),
                                      CheckOptions())
    assert compiled.value is not None, compiled.diagnostics
    result, _ = explore(compiled.value, BfsOptions())
    assert result.stats.complete
    return result.results[0].verdict


def test_elapsed_and_durations_parse_to_their_nodes(tmp_path: Path) -> None:
    result = load(_write(tmp_path, POD + "property p: always elapsed < 1.5m\n"), LoadOptions())
    assert result.ok and result.value is not None
    formula = result.value.properties[0].formula
    assert formula is not None
    body = formula.args[0]  # type: ignore[union-attr]
    assert isinstance(body, Binary)
    assert isinstance(body.left, Elapsed) and body.right == DurationLit(90_000)


def test_fmt_prints_durations_in_their_shortest_unit(tmp_path: Path) -> None:
    path = _write(tmp_path, POD + "property p: always (elapsed <= 90000ms or api.ready)\n")
    text = format_file(path).formatted
    assert text is not None and "always elapsed <= 90s or api.ready" in text


def test_a_pod_may_still_be_named_elapsed(tmp_path: Path) -> None:
    text = POD.replace("pod api", "pod elapsed") + \
        "property p: always (elapsed.ready or elapsed < 5s)\n"
    result = load(_write(tmp_path, text), LoadOptions())
    assert not result.ok  # inside a formula `elapsed` is the time: `.ready` of a duration
    assert {d.code for d in result.diagnostics} == {codes.FORMULA_TYPE_MISMATCH}
    ok = load(_write(tmp_path, POD.replace("pod api", "pod elapsed")), LoadOptions())
    assert ok.ok


@pytest.mark.parametrize(
    "formula",
    ["always elapsed < 90",  # a duration compared with an int
     "always elapsed + 1s > 2s",  # no arithmetic on durations
     "always api.restarts < 5s"],
)
def test_durations_compare_only_with_durations(tmp_path: Path, formula: str) -> None:
    result = load(_write(tmp_path, POD + f"property p: {formula}\n"), LoadOptions())
    assert not result.ok
    assert codes.FORMULA_TYPE_MISMATCH in {d.code for d in result.diagnostics}


@pytest.mark.parametrize(
    ("formula", "want"),
    [
        ("always (api.phase != Succeeded or elapsed >= 30s)", Verdict.HOLDS),
        ("always (api.phase != Succeeded or elapsed > 30s)", Verdict.VIOLATED),
        ("always (elapsed <= 30s or api.phase == Succeeded)", Verdict.HOLDS),
        ("always (elapsed < 30s or api.phase == Succeeded)", Verdict.VIOLATED),  # the instant
        ("always (elapsed <= 29s or api.phase == Succeeded)", Verdict.VIOLATED),
        ("always (elapsed < 29500ms or api.phase == Succeeded)", Verdict.VIOLATED),
        ("always (elapsed <= 29999ms or api.phase != Running)", Verdict.VIOLATED),
        ("always (elapsed == 30s implies api.phase != Pending)", Verdict.HOLDS),
        ("always (elapsed > 10m implies api.phase == Succeeded)", Verdict.HOLDS),
        ("always elapsed <= 1h", Verdict.VIOLATED),  # time goes on after the pod is done
    ],
)
def test_verdicts_are_exact_to_the_second(tmp_path: Path, formula: str, want: Verdict) -> None:
    assert _verdict(tmp_path, formula) is want, formula


def test_no_clock_variable_unless_a_formula_reads_elapsed(tmp_path: Path) -> None:
    without, _, _ = load_and_compile(_write(tmp_path, POD + "property p: always api.exists\n"),
                                     CheckOptions())
    with_, _, _ = load_and_compile(_write(tmp_path, POD + "property p: always elapsed < 2m\n"),
                                   CheckOptions())
    assert without.value is not None and with_.value is not None
    names = [v.name for v in with_.value.vars]
    assert "clock.elapsedLeft" in names
    assert "clock.elapsedLeft" not in [v.name for v in without.value.vars]
    left = next(v for v in with_.value.vars if v.name == "clock.elapsedLeft")
    assert left.hi == 121  # the last stop: the second after 2 minutes
