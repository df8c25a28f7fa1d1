"""A fixed duration range (`startup: fixed 5s..30s`, issue 12 item 1): one start time for
the whole run, a parameter in whole seconds.

At every point the merged system restricted to the point has the state count and the
verdicts of the spec written with that single duration (`startup: 17s`); per-start
(`startup: 5s..30s`) and fixed agree where NOTE(duration-ranges) says they do (a
violation in the first start) and differ on specs/symbolic/two-starts.pod, which needs
two starts with two different durations.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.diagnostics import codes
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.params import compile_points, restrict
from podcheck.engine.result import Verdict
from podcheck.lang.check import load
from podcheck.lang.parse import parse
from podcheck.lang.printer import format_spec
from podcheck.model.compile import compile_spec
from podcheck.report.params import param_line

ROOT = Path(__file__).resolve().parents[2]
SYMBOLIC = ROOT / "specs" / "symbolic"
NO_SYMMETRY = BfsOptions(symmetry=False, check_deadlock=True)


def _explore_text(tmp_path: Path, text: str, name: str = "spec.pod"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    spec = load(str(path)).value
    assert spec is not None
    if spec.params:
        compiled = compile_points(spec, compile_spec)
        assert compiled.ok and compiled.value is not None
        return spec, compiled.value
    system = compile_spec(spec).value
    assert system is not None
    return spec, explore(system, NO_SYMMETRY)[0]


def _summary(result):
    return [(r.verdict, None if r.trace is None else r.trace.length) for r in result.results]


def test_a_fixed_duration_is_a_parameter_in_seconds_each_point_a_single_duration():
    spec = load(str(SYMBOLIC / "two-starts-fixed.pod")).value
    assert spec is not None
    (param,) = spec.params
    assert (param.name, param.lo, param.hi, param.unit) == (
        "app.app.behavior.startup", 5, 30, "s")
    assert param.shown(17) == "17 s"
    startups = [s.workloads[0].template.containers[0].behavior.startup
                for _, s in spec.instances]
    assert [(d.lo.ms, d.hi.ms) for d in startups] == [(v * 1000, v * 1000) for v in range(5, 31)]


def test_the_fixed_run_at_every_point_is_the_spec_written_with_that_duration(tmp_path):
    text = (SYMBOLIC / "two-starts-fixed.pod").read_text(encoding="utf-8")
    spec, merged = _explore_text(tmp_path, text)
    for (value,), _ in spec.instances:
        single = text.replace("startup: fixed 5s..30s", f"startup: {value}s")
        _, alone = _explore_text(tmp_path, single, "single.pod")
        together, _ = explore(restrict(merged, 0, [value]), NO_SYMMETRY)
        assert _summary(together) == _summary(alone), value
        assert together.stats.states == alone.stats.states, value


def test_per_start_and_fixed_differ_where_two_starts_need_two_durations():
    per_start = load(str(SYMBOLIC / "two-starts.pod")).value
    assert per_start is not None and not per_start.params
    (r,) = explore(compile_spec(per_start).value, NO_SYMMETRY)[0].results
    assert r.verdict is Verdict.VIOLATED
    spec = load(str(SYMBOLIC / "two-starts-fixed.pod")).value
    fixed = compile_points(spec, compile_spec).value
    (f,) = explore(fixed.system, NO_SYMMETRY)[0].results
    assert f.verdict is Verdict.HOLDS
    assert param_line(fixed.system, f) == "for every startup in 5 s..30 s"


SLOW = """
cluster { nodes: 1 }
pod app {
  container app {
    startupProbe { periodSeconds: 10  failureThreshold: 6 }
    behavior { startup: START }
  }
}
property never-restarted: always forall p in pods(app): p.restarts == 0
"""


def test_per_start_and_fixed_agree_on_a_first_start_violation(tmp_path):
    """NOTE(duration-ranges): killed before ready happens in the first start, so the
    per-start range is violated exactly when some fixed value is, with the same shortest
    run, and holds exactly when every fixed value holds."""
    verdicts = []
    for lo, hi in ((30, 70), (30, 45)):
        _, per_start = _explore_text(tmp_path, SLOW.replace("START", f"{lo}s..{hi}s"))
        _, merged = _explore_text(tmp_path, SLOW.replace("START", f"fixed {lo}s..{hi}s"))
        fixed, _ = explore(merged.system, NO_SYMMETRY)
        assert _summary(fixed) == _summary(per_start), (lo, hi)
        verdicts += [r.verdict for r in fixed.results]
    # the 6th failure at 50 s: 30..70 s has starts killed, 30..45 s none
    assert verdicts == [Verdict.VIOLATED, Verdict.HOLDS]


def test_a_fixed_range_must_be_whole_seconds(tmp_path):
    path = tmp_path / "spec.pod"
    path.write_text(SLOW.replace("START", "fixed 500ms..2s"), encoding="utf-8")
    result = load(str(path))
    assert not result.ok
    assert [d.code for d in result.diagnostics] == [codes.VALUE_OUT_OF_RANGE]
    assert "fixed 500ms..2s" in result.diagnostics[0].message


def test_fixed_is_a_name_elsewhere_and_the_printer_keeps_it():
    text = SLOW.replace("START", "fixed 30s..45s").replace("pod app", "pod fixed")
    tree = parse(text, "spec.pod").value
    assert tree is not None
    printed = format_spec(tree)
    assert "startup: fixed 30s..45s" in printed
    assert "pod fixed {" in printed


def test_tune_names_the_start_time_and_patches_the_line(tmp_path, monkeypatch):
    path = tmp_path / "spec.pod"
    path.write_text(SLOW.replace("START", "fixed 45s..52s"), encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "200")
    out = CliRunner().invoke(app, ["tune", str(path), "--param", "startup", "--bfs"])
    assert out.exit_code == 0, out.output
    assert "every property holds for startup in 45 s..49 s" in out.output
    assert "`never-restarted` fails for startup in 50 s..52 s" in out.output
    assert "smallest holding value: 45 s" in out.output
    assert "+    behavior { startup: 45s }" in out.output


def test_a_fixed_range_in_an_imported_file_is_refused(tmp_path):
    """Only the checked file's ranges are parameters (`find_params` reads the root); a
    `fixed` range elsewhere is PC202, not silently a per-start range."""
    (tmp_path / "slow.pod").write_text("behavior slow { startup: fixed 20s..30s }\n")
    path = tmp_path / "spec.pod"
    text = SLOW.replace("behavior { startup: START }", "behavior: slow")
    path.write_text('import "slow.pod"\n' + text)
    result = load(str(path))
    assert not result.ok
    assert any(d.code == codes.VALUE_OUT_OF_RANGE and "fixed 20s..30s" in d.message
               for d in result.diagnostics), result.diagnostics
