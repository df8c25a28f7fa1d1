"""Inputs are read safely (brief item 1, issue 10): regular files only, bounded in size,
never blocking; each failure has its own code and a location (NOTE(safe-reading))."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.diagnostics import codes
from podcheck.exitcodes import ExitCode
from podcheck.lang import source
from podcheck.lang.check import LoadOptions, load
from tests.reliability.helpers import run, spec_with

GOOD = spec_with("ports: [80]")


def _at(outcome_diag: dict[str, object]) -> tuple[object, object, object]:
    return outcome_diag["file"], outcome_diag["line"], outcome_diag["column"]


def test_a_directory_as_the_root_file(tmp_path: Path) -> None:
    out = run("parse", tmp_path)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.NOT_A_REGULAR_FILE])
    assert _at(out.diagnostics[0]) == (str(tmp_path), 1, 1)
    assert "it is a directory, not a regular file" in str(out.diagnostics[0]["message"])


def test_an_empty_directory_to_check_holds_no_manifests(tmp_path: Path) -> None:
    # `check DIR` reads a directory of Kubernetes manifests (issue 15); an empty one is
    # reported as such, never as a crash or as "holds".
    out = run("check", tmp_path)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.NO_MANIFESTS])


def test_a_directory_as_an_import_is_not_called_missing(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    root = tmp_path / "root.pod"
    root.write_text('import "shared"\n' + GOOD, encoding="utf-8")
    out = run("parse", root)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.NOT_A_REGULAR_FILE])
    assert _at(out.diagnostics[0]) == (str(root), 1, 1)  # the import line


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pod"
    os.mkfifo(fifo)
    root = tmp_path / "root.pod"
    root.write_text('\nimport "pipe.pod"\n' + GOOD, encoding="utf-8")
    for path, where in ((fifo, (str(fifo), 1, 1)), (root, (str(root), 2, 1))):
        out = run("parse", path)
        assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.NOT_A_REGULAR_FILE])
        assert _at(out.diagnostics[0]) == where
        assert "a FIFO (named pipe)" in str(out.diagnostics[0]["message"])


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    out = run("check", device)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.NOT_A_REGULAR_FILE])
    assert "a character device" in str(out.diagnostics[0]["message"])


def test_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.pod").symlink_to(tmp_path / "b.pod")
    (tmp_path / "b.pod").symlink_to(tmp_path / "a.pod")
    out = run("parse", tmp_path / "a.pod")
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.SYMLINK_LOOP])
    root = tmp_path / "root.pod"
    root.write_text('import "a.pod"\n' + GOOD, encoding="utf-8")
    out = run("check", root)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.SYMLINK_LOOP])
    assert _at(out.diagnostics[0]) == (str(root), 1, 1)


@pytest.mark.parametrize("target", ['"' + "a" * 300 + '.pod"', ".".join(["b" * 200] * 30)])
def test_too_long_import_paths_and_names(tmp_path: Path, target: str) -> None:
    root = tmp_path / "root.pod"
    root.write_text(f"import {target}\n" + GOOD, encoding="utf-8")
    out = run("parse", root)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.PATH_TOO_LONG])
    assert _at(out.diagnostics[0]) == (str(root), 1, 1)
    assert len(str(out.diagnostics[0]["message"])) < 300  # the path is cut for the message


def test_a_too_long_root_path(tmp_path: Path) -> None:
    out = run("parse", tmp_path / ("c" * 300 + ".pod"))
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.PATH_TOO_LONG])


def test_an_import_inside_an_unsearchable_directory(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """`Path.is_file` used to raise here; EACCES is simulated (the tests may run as root)."""
    root = tmp_path / "root.pod"
    root.write_text('import "locked/x.pod"\n' + GOOD, encoding="utf-8")
    real_stat = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if "locked" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(source.os, "stat", stat)
    monkeypatch.setattr("podcheck.lang.imports.os.stat", stat)
    out = run("parse", root)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.UNREADABLE_FILE])
    assert "permission denied" in str(out.diagnostics[0]["message"])
    assert _at(out.diagnostics[0]) == (str(root), 1, 1)


def test_a_nul_character_in_an_import_path(tmp_path: Path) -> None:
    root = tmp_path / "root.pod"
    root.write_text('import "a\x00b.pod"\n' + GOOD, encoding="utf-8")
    out = run("parse", root)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.UNREADABLE_FILE])
    assert "NUL character" in str(out.diagnostics[0]["message"])


def test_the_size_limit_applies_to_the_root_and_to_imports(tmp_path: Path) -> None:
    big = tmp_path / "big.pod"
    big.write_text(GOOD + "#" + "x" * 2000 + "\n", encoding="utf-8")
    root = tmp_path / "root.pod"
    root.write_text('import "big.pod"\n', encoding="utf-8")
    small = LoadOptions(max_input_size=1024)
    assert [d.code for d in load(str(big), small).diagnostics] == [codes.INPUT_TOO_LARGE]
    found = load(str(root), small).diagnostics
    assert [d.code for d in found] == [codes.INPUT_TOO_LARGE]
    assert found[0].span is not None and (found[0].span.file, found[0].span.line) == (
        str(root), 1)
    assert "limit of 1 KiB" in found[0].message
    assert load(str(root)).ok  # the default limit (8 MiB) lets it through


def test_the_default_size_limit_through_the_cli(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pod"
    with huge.open("wb") as f:
        f.truncate(source.DEFAULT_MAX_INPUT_SIZE + 1)  # sparse: no disk space used
    out = run("check", huge)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.INPUT_TOO_LARGE])
    assert "8 MiB" in str(out.diagnostics[0]["message"])


def test_a_file_that_grows_past_the_limit_is_cut_off(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The size from fstat is not trusted: at most limit + 1 bytes are ever read."""
    path = tmp_path / "grows.pod"
    path.write_bytes(b"#" * 5000)
    real_fstat = os.fstat

    class Lying:
        def __init__(self, info: os.stat_result) -> None:
            self.st_mode, self.st_size = info.st_mode, 10

    monkeypatch.setattr(source.os, "fstat", lambda fd: Lying(real_fstat(fd)))
    found = source.read_regular_file(str(path), 1000)
    assert isinstance(found, source.ReadFailure) and found.code == codes.INPUT_TOO_LARGE


def test_a_readable_file_still_reads() -> None:
    found = source.read_regular_file(__file__, source.DEFAULT_MAX_INPUT_SIZE)
    assert isinstance(found, bytes) and found.startswith(b'"""Inputs are read safely')


def test_fmt_reads_safely_too(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["fmt", str(tmp_path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert codes.NOT_A_REGULAR_FILE in result.output
