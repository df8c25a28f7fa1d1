"""The text renderer: a golden report for B1, lassos, mismatches, determinism.

Regenerate the goldens with `PODCHECK_UPDATE_GOLDENS=1 pytest tests/report`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from pathlib import Path

from podcheck import ir
from podcheck.diagnostics import Span
from podcheck.engine import bfs
from podcheck.engine.result import CheckResult, PropertyResult, Stats, Step, Trace, Verdict
from podcheck.ir import Action, Expectation, Property, StateVar, Var
from podcheck.report import text
from podcheck.report.view import Detail

GOLDEN = Path(__file__).parent / "golden"
REPRODUCE = "podcheck check specs/bench/b1.pod --engine bfs"


def load_b1():
    path = Path(__file__).parents[1] / "engine" / "b1_ir.py"
    spec = importlib.util.spec_from_file_location("b1_ir", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def b1_check() -> CheckResult:
    """B1 with 2 pods on 2 nodes, minAvailable 1, no terminal states (so a deadlock)."""
    system = load_b1().b1_system(2, 2, 1)
    return bfs.check(dataclasses.replace(system, terminal=ir.FALSE))


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PODCHECK_UPDATE_GOLDENS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"golden {name} differs"


def test_b1_report_golden():
    assert_golden("b1_n2_m2.txt", text.render_result(b1_check(), reproduce=REPRODUCE))


def test_report_is_deterministic_and_has_no_timing():
    one = text.render_result(b1_check())
    assert one == text.render_result(b1_check())
    assert " s," not in one and "MiB" not in one and "reproduce" not in one
    timed = text.render_result(b1_check(), show_timing=True)
    assert "states/s" in timed and "MiB" in timed


def test_trace_shows_changes_only_and_spans_by_basename():
    check = b1_check()
    trace = next(r for r in check.results if r.name == "AlwaysAvailable").trace
    out = text.render_trace(trace, Detail.FULL)
    assert "node-1  state: Up -> Cordoned" in out
    assert "action cordon(node=node-1) at b1.pod:10" in out
    assert "specs/bench" not in out
    step1 = out.split("step 1")[1].split("step 2")[0]
    assert "pod-1" not in step1  # unchanged fields are not repeated


def toy_system():
    """A pod whose container crash-loops: the lasso of `Finishes`."""
    vars_ = (
        StateVar("phase", 0, 2, ("Pending", "Running", "Succeeded"), "pod web-1", "phase"),
        StateVar("app", 0, 2, ("Waiting", "Running", "BackOff"), "container app", "state"),
    )

    def act(name, label, guard, updates):
        return Action(
            name,
            (("container", "app"),),
            guard,
            tuple((i, ir.Const(v)) for i, v in updates),
            label,
            "kubelet",
            span=Span("specs/toy.pod", 4 + len(name), 3, 4, 9),
        )

    start = act("start", "the kubelet starts container `app`", ir.eq(Var(1), 0), [(0, 1), (1, 1)])
    crash = act("crash", "container `app` crashes", ir.eq(Var(1), 1), [(1, 2)])
    restart = act(
        "restart",
        "the kubelet restarts container `app` after a back-off",
        ir.eq(Var(1), 2),
        [(1, 1)],
    )
    prop = Property("Finishes", Expectation.EVENTUALLY, ir.eq(Var(0), 2), expected="holds")
    return ir.TransitionSystem("toy", vars_, ((0, 0),), (start, crash, restart), (prop,))


def lasso() -> Trace:
    steps = (Step((0, 0)), Step((1, 1), 0), Step((1, 2), 1))
    return Trace(toy_system(), steps, loop_start=1, loop_action=2)


def lasso_check(trace: Trace) -> CheckResult:
    result = PropertyResult("Finishes", Verdict.VIOLATED, trace, expected="holds")
    return CheckResult(trace.system, "bfs+liveness", (result,), Stats(states=5, depth=3))


def test_lasso_golden():
    assert_golden("lasso.txt", text.render_result(lasso_check(lasso())))


def test_stutter_lasso_stays_in_last_state():
    system = toy_system()
    trace = Trace(system, (Step((0, 0)), Step((1, 1), 0)), loop_start=1)
    out = text.render_trace(trace)
    assert out.endswith("from step 1 the run stays in its last state forever\n")
    assert "repeats" not in out


def test_summary_marks_mismatches():
    system = toy_system()
    check = CheckResult(
        system,
        "bfs",
        (PropertyResult("Finishes", Verdict.UNKNOWN, None, "not checked", "holds"),),
        Stats(),
    )
    summary = text.render_summary(check)
    assert "<< MISMATCH" in summary and "1 verdict differs" in summary
    ok = dataclasses.replace(
        check, results=(PropertyResult("Finishes", Verdict.HOLDS, None, "", "holds"),)
    )
    assert "MISMATCH" not in text.render_summary(ok)


def test_count_uses_space_separators():
    assert text.count(1204) == "1 204" and text.count(12) == "12"
    assert text.count(1699552) == "1 699 552"
