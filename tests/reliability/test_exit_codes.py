"""Exit codes that cannot lie (issue 10): limits, deadlocks in `test`, Ctrl-C, crashes.

Each case pins the exit status and, where there is one, the diagnostic code.
"""

from __future__ import annotations

import hashlib
import re
import signal
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck import __version__, check
from podcheck.check import CheckOptions, check_file
from podcheck.cli import app
from podcheck.engine.result import Limit, Pending, Verdict
from podcheck.exitcodes import ExitCode
from podcheck.limits import Watch
from podcheck.suite import run_suite

ROOT = Path(__file__).resolve().parents[2]

# Two pods on one node: `light` is scheduled and runs, `heavy` (an init container asking
# for more CPU than the node has) stays Pending: a deadlock after 2 steps, 3 states, and
# no property at all.
DEADLOCK = """\
cluster {
  node n1 {
    capacity: { cpu: 2, memory: 4Gi }
  }
}

pod heavy {
  initContainer warmup {
    resources {
      requests: { cpu: 4 }
    }
  }
  container app {}
}

pod light {
  container app {}
}
"""


@pytest.fixture
def deadlock_spec(tmp_path: Path) -> Path:
    path = tmp_path / "deadlock.pod"
    path.write_text(DEADLOCK)
    return path


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}")
    return result.exit_code, result.stdout, result.stderr


def test_the_full_run_finds_the_deadlock(deadlock_spec: Path) -> None:
    code, out, _ = cli("check", str(deadlock_spec))
    assert code == ExitCode.VIOLATED
    assert "deadlock in 2 steps" in out
    assert "3 states, 2 transitions, depth 2, complete" in out


@pytest.mark.parametrize("limit", [
    ("--max-depth", "0"), ("--max-depth", "1"), ("--max-states", "1"), ("--max-states", "2"),
    ("--timeout", "0"),
])
def test_a_limit_before_the_deadlock_is_inconclusive_never_holds(
    deadlock_spec: Path, limit: tuple[str, str]
) -> None:
    code, _, _ = cli("check", str(deadlock_spec), *limit)
    assert code == ExitCode.INCONCLUSIVE  # it was 0 (issue 10)


def test_the_run_says_whether_it_was_complete(deadlock_spec: Path) -> None:
    full = check_file(str(deadlock_spec), CheckOptions())
    cut = check_file(str(deadlock_spec), CheckOptions(max_states=2))
    assert full.complete and full.limit is None
    assert not cut.complete and cut.limit is Limit.MAX_STATES


def test_a_limit_after_a_violation_is_still_violated() -> None:
    spec = ROOT / "specs/seed/05-liveness-restart.pod"  # 138 states, violated early
    run = check_file(str(spec), CheckOptions(max_states=69))
    assert run.limit is Limit.MAX_STATES
    assert run.exit_code is ExitCode.VIOLATED


def test_test_counts_an_unexplained_deadlock(deadlock_spec: Path) -> None:
    (outcome,) = run_suite([str(deadlock_spec)], CheckOptions()).outcomes
    assert outcome.status.name == "FAIL"
    code, out, _ = cli("test", str(deadlock_spec))
    assert code == ExitCode.VIOLATED
    assert "deadlock in 2 steps" in out


def test_test_accepts_a_deadlock_an_expected_violation_ends_in() -> None:
    # 14-init-request expects `heavy-eventually-runs violated`; its lasso ends in the
    # deadlocked state, so the deadlock is that finding.
    code, out, _ = cli("test", str(ROOT / "specs/seed/14-init-request.pod"))
    assert code == ExitCode.OK, out


def test_test_under_a_limit_is_inconclusive(deadlock_spec: Path) -> None:
    code, out, _ = cli("test", str(deadlock_spec), "--max-states", "2")
    assert code == ExitCode.INCONCLUSIVE
    assert "1 inconclusive" in out


def test_an_undecided_expectation_is_inconclusive_not_failed() -> None:
    code, out, _ = cli("test", str(ROOT / "specs/seed/12-drain-pdb.pod"), "--max-states", "50")
    assert code == ExitCode.INCONCLUSIVE, out


def _interrupt_first(real):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        signal.raise_signal(signal.SIGINT)
        return real(*args, **kwargs)
    return wrapper


def _interrupt_in_search(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C at the search's first clock check (the loop is running)."""
    real = Watch.searching

    def searching(self: Watch):  # type: ignore[no-untyped-def]
        real(self)
        signal.raise_signal(signal.SIGINT)
        return real(self)

    monkeypatch.setattr(Watch, "searching", searching)


def test_ctrl_c_during_the_search_prints_what_was_found(monkeypatch, deadlock_spec) -> None:
    _interrupt_in_search(monkeypatch)
    code, out, _ = cli("check", str(deadlock_spec))
    assert code == ExitCode.INTERRUPTED
    assert "stopped by interrupt" in out  # the partial statistics
    assert "summary" in out


@pytest.mark.parametrize("phase", ["compile_spec", "explore"])
def test_ctrl_c_before_the_search_is_interrupted_with_pc502(
    monkeypatch, deadlock_spec, phase: str
) -> None:
    monkeypatch.setattr(check, phase, _interrupt_first(getattr(check, phase)))
    code, out, _ = cli("check", str(deadlock_spec))
    assert code == ExitCode.INTERRUPTED
    assert "PC502" in out


def test_ctrl_c_keeps_the_verdicts_known_so_far(monkeypatch) -> None:
    spec = ROOT / "specs/seed/07-slow-starter.pod"
    _interrupt_in_search(monkeypatch)
    run = check_file(str(spec), CheckOptions())
    assert run.limit is Limit.INTERRUPT
    assert run.exit_code in (ExitCode.INTERRUPTED, ExitCode.VIOLATED)
    assert run.result is not None and run.result.stats.states >= 1


def _slow(real, seconds: float, finished: list[bool]):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        for _ in range(int(seconds / 0.01)):
            time.sleep(0.01)
        finished.append(True)
        return real(*args, **kwargs)
    return wrapper


def test_the_timeout_stops_the_model_compiler(monkeypatch, deadlock_spec) -> None:
    finished: list[bool] = []
    monkeypatch.setattr(check, "compile_spec", _slow(check.compile_spec, 30, finished))
    run = check_file(str(deadlock_spec), CheckOptions(timeout_seconds=0.3))
    assert not finished  # the compiler was stopped, not waited for
    assert run.limit is Limit.TIMEOUT and run.result is None
    assert [d.code for d in run.diagnostics] == ["PC502"]
    assert run.exit_code is ExitCode.INCONCLUSIVE


def test_the_timeout_stops_the_liveness_checker(monkeypatch) -> None:
    finished: list[bool] = []
    monkeypatch.setattr(check, "check_liveness", _slow(check.check_liveness, 30, finished))
    spec = ROOT / "specs/liveness/job-native-sidecar.pod"
    run = check_file(str(spec), CheckOptions(timeout_seconds=0.3))
    assert not finished
    assert run.result is not None and run.limit is Limit.TIMEOUT
    pending = [r for r in run.result.results if r.verdict is Verdict.UNKNOWN]
    assert pending and all(r.reason.why is Pending.STOPPED for r in pending)  # type: ignore[union-attr]
    assert run.exit_code is ExitCode.INCONCLUSIVE


def test_max_memory_stops_the_run_inconclusive(monkeypatch, deadlock_spec) -> None:
    monkeypatch.setattr(check, "compile_spec", _slow(check.compile_spec, 30, []))
    code, out, _ = cli("check", str(deadlock_spec), "--max-memory", "1")
    assert code == ExitCode.INCONCLUSIVE
    assert "PC502" in out and "max-memory" in out


def test_the_watch_sees_memory_and_the_clock() -> None:
    assert Watch(max_memory=1).poll() is Limit.MAX_MEMORY
    assert Watch.of(0.0, None).poll() is Limit.TIMEOUT
    assert Watch.of(3600.0, None).poll() is None


def test_an_internal_error_has_its_own_code_and_a_crash_report(
    monkeypatch, tmp_path, deadlock_spec
) -> None:
    import podcheck.cli

    def boom(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(podcheck.cli, "check_file", boom)
    monkeypatch.setattr(podcheck.cli, "check_path", boom)
    monkeypatch.setenv("PODCHECK_CRASH_DIR", str(tmp_path / "crashes"))
    code, out, err = cli("check", str(deadlock_spec))
    assert code == ExitCode.INTERNAL_ERROR
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("podcheck: internal error (RuntimeError: boom);")
    (report,) = (tmp_path / "crashes").iterdir()
    assert str(report) in line
    text = report.read_text()
    assert f"podcheck {__version__}" in text
    assert hashlib.sha256(deadlock_spec.read_bytes()).hexdigest() in text
    assert "Traceback" in text and "RuntimeError: boom" in text


@pytest.mark.parametrize("command", ["parse", "check"])
def test_max_input_size_is_a_flag(tmp_path: Path, command: str) -> None:
    path = tmp_path / "big.pod"
    path.write_text(DEADLOCK)
    code, out, _ = cli(command, str(path), "--max-input-size", "100", "--format", "json")
    assert code == ExitCode.INPUT_ERROR
    assert "PC118" in out
    code, _, _ = cli(command, str(path), "--max-input-size", "100000")
    assert code in (ExitCode.OK, ExitCode.VIOLATED)


def test_every_exit_code_is_in_help_and_readme() -> None:
    _, help_text, _ = cli("--help")
    readme = (ROOT / "README.md").read_text()
    for c in ExitCode:
        assert re.search(rf"(^|\s){int(c)} ", help_text), c
        assert re.search(rf"\b{int(c)}\b", readme.split("Exit codes", 1)[1][:1500]), c


def test_a_limit_after_the_search_keeps_its_result(monkeypatch) -> None:
    # The deadline passes after the search has ended: the partial result is kept, not
    # replaced by PC502 (the timer only records the limit once a result exists).
    finished: list[bool] = []
    monkeypatch.setattr(check, "_undecided_liveness",
                        _slow(check._undecided_liveness, 3.0, finished))
    spec = ROOT / "specs/seed/12-drain-pdb.pod"
    # 2.5 s leaves loading and a 10-state search room on a loaded machine (0.3 s did not).
    run = check_file(str(spec), CheckOptions(max_states=10, timeout_seconds=2.5))
    assert finished and run.result is not None
    assert run.exit_code is ExitCode.INCONCLUSIVE


def test_a_bounded_symbolic_run_is_inconclusive() -> None:
    # bmc says "depth" for its bound: the run is cut short (`--max-depth`), never `holds`.
    run = check_file(str(ROOT / "specs/seed/13-direct-delete.pod"),
                     CheckOptions(engine="bmc", max_depth=3))
    assert run.limit is Limit.MAX_DEPTH
    assert run.exit_code is ExitCode.INCONCLUSIVE
