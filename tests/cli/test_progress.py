"""Progress on every phase over 2 s (issue 13): the drivers name each phase, the
engines hand over `Progress` values (queue included), and the rich reporter shows a
phase only once it has lasted 2 s, on stderr."""

from __future__ import annotations

import io
import itertools
import threading
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from podcheck.check import CheckOptions, Phase, check_file
from podcheck.cli import app
from podcheck.engine import bfs
from podcheck.engine.progress import Progress
from podcheck.engine.result import Stats
from podcheck.report.progress import RichReporter, status_line
from podcheck.suite import RUNNING, run_suite
from tests.engine.b1_ir import b1_system

LIVE_SPEC = """\
cluster { nodes: 1 }
pod a { restartPolicy: Always  container app { behavior { outcome: fails } } }
property never-failed: always forall p in pods: p.phase != Failed
property comes-up: eventually forall p in pods: p.ready
"""


class Recorder:
    def __init__(self) -> None:
        self.phases: list[tuple[str, str]] = []
        self.progress: list[Progress] = []
        self.done: list[Stats] = []

    def on_phase(self, phase: str, detail: str = "") -> None:
        self.phases.append((phase, detail))

    def on_progress(self, progress: Progress) -> None:
        self.progress.append(progress)

    def on_done(self, stats: Stats) -> None:
        self.done.append(stats)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_status_line_has_states_queue_depth_and_rate() -> None:
    counts = Progress(states=12040, transitions=30000, depth=14, queue=3100, seconds=2.0)
    assert status_line("exploring the states", "web.pod", counts, 2.4) == (
        "podcheck: exploring the states web.pod: 12 040 states, queue 3 100, depth 14, "
        "6 020 states/s, 2 s")
    assert status_line("checking liveness", "`comes-up`", None, 21.0) == (
        "podcheck: checking liveness `comes-up`, 21 s")


def test_a_phase_shows_only_once_it_has_lasted_two_seconds() -> None:
    clock = Clock()
    reporter = RichReporter(Console(file=io.StringIO()), live=False, clock=clock)
    reporter._stop.set()  # no display thread output in this test: `line` alone
    reporter.on_phase(Phase.COMPILE.value, "a.pod")
    clock.now = 1.9
    assert reporter.line() is None
    clock.now = 2.5
    assert reporter.line() == "podcheck: compiling the model a.pod, 2 s"
    reporter.on_phase(Phase.LIVENESS.value, "`x`")
    assert reporter.line() is None  # a new phase starts its own clock
    clock.now = 5.0
    reporter.on_phase(Phase.LIVENESS.value, "`y`")  # the same phase: the clock goes on
    assert reporter.line() == "podcheck: checking liveness `y`, 2 s"
    reporter.close()


def test_off_a_terminal_a_plain_line_is_printed_on_stderr_s_console() -> None:
    out = io.StringIO()
    clock = Clock()
    reporter = RichReporter(Console(file=out, width=200), live=False, clock=clock)
    reporter.on_phase(RUNNING, "3/12 specs done, 1 failed")
    clock.now = 30.0
    printed = threading.Event()
    for _ in range(200):  # the display thread looks every 0.25 s
        if out.getvalue():
            printed.set()
            break
        printed.wait(0.05)
    reporter.close()
    assert out.getvalue().splitlines()[0] == (
        "podcheck: running the suite 3/12 specs done, 1 failed, 30 s")


def test_check_file_names_every_phase_in_order(tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(LIVE_SPEC, encoding="utf-8")
    recorder = Recorder()
    run = check_file(str(spec), CheckOptions(), recorder)
    assert run.result is not None
    assert recorder.phases == [
        (Phase.LOAD.value, str(spec)), (Phase.COMPILE.value, str(spec)),
        (Phase.EXPLORE.value, str(spec)), (Phase.LIVENESS.value, "`comes-up`")]
    assert recorder.done == [run.result.stats]


def test_the_suite_reports_specs_done(tmp_path: Path) -> None:
    for name in ("a.pod", "b.pod"):
        (tmp_path / name).write_text(LIVE_SPEC, encoding="utf-8")
    for jobs in (1, 2):
        recorder = Recorder()
        run_suite([str(tmp_path)], CheckOptions(), jobs=jobs, reporter=recorder)
        details = [d for phase, d in recorder.phases if phase == RUNNING]
        assert details[0] == "0/2 specs done, 0 failed"
        assert details[-1] == "2/2 specs done, 0 failed"


def test_bfs_progress_counts_the_queue(monkeypatch) -> None:
    ticks = itertools.count(0.0, 2.0)  # every look at the clock is 2 s later
    monkeypatch.setattr(bfs.time, "perf_counter", lambda: next(ticks))
    system = b1_system(3, 2, 2)
    recorder = Recorder()
    total = bfs.check(system).stats.states
    bfs.check(system, reporter=recorder)
    assert recorder.progress
    for p in recorder.progress:
        assert p.queue >= 0 and p.states + p.queue <= total
    assert any(p.queue > 0 for p in recorder.progress)
    assert recorder.progress[-1].queue == 0 and recorder.progress[-1].states == total


def test_progress_can_be_asked_for_or_turned_off(tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(LIVE_SPEC, encoding="utf-8")
    for flag in ("--progress", "--no-progress"):
        result = CliRunner().invoke(app, ["check", str(spec), flag])
        assert result.exit_code == 0 and result.stderr == ""  # a short run stays quiet
