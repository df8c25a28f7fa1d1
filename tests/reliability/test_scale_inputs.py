"""The large inputs of issue 10, each pinned with its expected code and exit status, as a
user runs them (`podcheck check FILE --format json`); the memory and time they take are
measured by bench/compile.py and written in docs/reliability.md, never asserted here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from podcheck import check, ir
from podcheck.check import CheckOptions, check_file
from podcheck.diagnostics import Span, StageResult, codes
from podcheck.exitcodes import ExitCode
from podcheck.ir import Action, Const, Op, StateVar, Var
from tests.reliability.helpers import run

NODE = "cluster {\n  node n1 { }\n}\n"


def deployment(replicas: int) -> str:
    """One Deployment of `replicas` pods on one node."""
    return (NODE + f"deployment web {{ replicas: {replicas}\n"
            "  template { container app { } } }\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def located(out_diagnostics: list[dict[str, object]], code: str) -> dict[str, object]:
    """The one diagnostic with `code`, asserted to have a file and a line."""
    found = [d for d in out_diagnostics if d["code"] == code]
    assert len(found) == 1, out_diagnostics
    assert found[0]["file"] and found[0]["line"], found[0]
    return found[0]


@pytest.mark.parametrize("replicas", [100, 300])
def test_many_replicas_under_max_states(tmp_path: Path, replicas: int) -> None:
    # Issue 10: replicas 300 with --max-states 10 exhausted 8 GB; replicas 100 took 1.65 GB.
    out = run("check", write(tmp_path, "r.pod", deployment(replicas)), "--max-states", "10")
    assert out.exit_code == ExitCode.INCONCLUSIVE
    assert "--max-states 10" in str(located(out.diagnostics, codes.LARGE_STATE_SPACE)["message"])


def test_a_pod_of_a_thousand_containers(tmp_path: Path) -> None:
    # Issue 10: exhausted memory; then a RecursionError compiling a 1 000-term sum.
    pod = "pod big {\n" + "".join(f"  container c{i} {{ }}\n" for i in range(1000)) + "}\n"
    out = run("check", write(tmp_path, "c.pod", NODE + pod))
    assert (out.exit_code, out.codes) == (ExitCode.OK, [])  # 3 states, complete


def test_a_thousand_bare_pods(tmp_path: Path) -> None:
    pods = "".join(f"pod p{i} {{ container app {{ }} }}\n" for i in range(1000))
    out = run("check", write(tmp_path, "p.pod", NODE + pods), "--max-states", "10")
    assert out.exit_code == ExitCode.INCONCLUSIVE
    located(out.diagnostics, codes.LARGE_STATE_SPACE)


def test_a_job_of_parallelism_256(tmp_path: Path) -> None:
    job = ("job big {\n  completions: 256\n  parallelism: 256\n  template {\n"
           "    restartPolicy: Never\n    container app { }\n  }\n}\n")
    out = run("check", write(tmp_path, "j.pod", NODE + job), "--max-states", "10")
    assert out.exit_code == ExitCode.INCONCLUSIVE
    located(out.diagnostics, codes.LARGE_STATE_SPACE)


def test_ten_thousand_replicas_stop_at_the_timeout(tmp_path: Path) -> None:
    # Issue 10: hung in the model compiler (quadratic checks) and ignored --timeout.
    out = run("check", write(tmp_path, "r.pod", deployment(10_000)), "--timeout", "3")
    assert out.exit_code == ExitCode.INCONCLUSIVE
    assert codes.RUN_STOPPED in out.codes


def test_parse_warns_before_any_exploration(tmp_path: Path) -> None:
    out = run("parse", write(tmp_path, "r.pod", deployment(300)))
    assert out.exit_code == ExitCode.OK
    warning = located(out.diagnostics, codes.LARGE_STATE_SPACE)
    assert "--max-memory" in str(warning["message"]) and "fingerprint" in str(warning["help"])


def test_out_of_bounds_has_the_action_location(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    # PC501 had no location; it points at the action that left its domain.
    where = Span("model.pod", 7, 3, 7, 9)
    x = StateVar("x", 0, 3, owner="counter", field="value")
    inc = Action("inc", (), ir.op("<", Var(0), 9), ((0, Op("+", (Var(0), Const(1)))),),
                 "the counter goes up", "env", span=where)
    system = ir.TransitionSystem("counter", (x,), ((0,),), (inc,), (), ir.FALSE)
    monkeypatch.setattr(check, "compile_spec", lambda *_: StageResult(system, ()))
    done = check_file(str(write(tmp_path, "s.pod", NODE)), CheckOptions())
    assert [(d.code, d.span) for d in done.diagnostics] == [(codes.MODEL_OUT_OF_BOUNDS, where)]
    assert done.exit_code is ExitCode.INPUT_ERROR
    other = dataclasses.replace(system, actions=(dataclasses.replace(inc, span=None),))
    monkeypatch.setattr(check, "compile_spec", lambda *_: StageResult(other, ()))
    done = check_file(str(write(tmp_path, "s.pod", NODE)), CheckOptions())
    assert [d.span is not None for d in done.diagnostics] == [True]  # the spec's environment


def test_an_unreadable_root_file_has_a_location(tmp_path: Path) -> None:
    out = run("check", tmp_path / "missing.pod")
    assert out.exit_code == ExitCode.INPUT_ERROR
    assert located(out.diagnostics, codes.UNREADABLE_FILE)["line"] == 1
