"""Internal errors: never a bare traceback, never exit 1 (NOTE(exit-codes-cannot-lie)).

Stage: the top, beside `podcheck.cli`.  `guarded` wraps a command: an unexpected
exception becomes one line on stderr, a crash report file (the version, the command
line, the SHA-256 of every input file, the traceback) and `ExitCode.INTERNAL_ERROR`;
Ctrl-C outside a run's own handling becomes `ExitCode.INTERRUPTED`; running out of
memory outside a run becomes `ExitCode.INCONCLUSIVE`.  The report goes to
`$PODCHECK_CRASH_DIR`, else the system's temporary directory.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer

from podcheck import __version__
from podcheck.exitcodes import ExitCode
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.limits import Stopped

P = ParamSpec("P")
R = TypeVar("R")
CRASH_DIR_ENV = "PODCHECK_CRASH_DIR"


def _paths(values: Iterable[object]) -> list[Path]:
    found: list[Path] = []
    for v in values:
        if isinstance(v, Path):
            found.append(v)
        elif isinstance(v, list):
            found.extend(p for p in v if isinstance(p, Path))
    return found


def input_hashes(values: Iterable[object]) -> list[str]:
    """`sha256  path` of every regular file among `values` (Paths or lists of them;
    at most the input size limit of each is read)."""
    lines = []
    for path in _paths(values):
        try:
            if path.is_file():
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read(DEFAULT_MAX_INPUT_SIZE + 1)).hexdigest()
                lines.append(f"{digest}  {path}")
        except OSError as err:
            lines.append(f"(unreadable: {err.strerror})  {path}")
    return lines


def write_report(error: BaseException, inputs: list[str]) -> Path | None:
    """Write a crash report for `error`; its path, or None if it could not be written."""
    text = "\n".join([
        f"podcheck {__version__} internal error",
        f"python {platform.python_version()} on {platform.platform()}",
        f"command: {' '.join(sys.argv)}",
        "inputs:", *(f"  {line}" for line in inputs or ["(none)"]),
        "", *traceback.format_exception(error),
    ])
    folder = Path(os.environ.get(CRASH_DIR_ENV) or tempfile.gettempdir())
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    tag = hashlib.sha256(text.encode()).hexdigest()[:8]
    target = folder / f"podcheck-crash-{stamp}-{tag}.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return target


def _fail(line: str, code: ExitCode) -> typer.Exit:
    typer.echo(f"podcheck: {line}", err=True)
    return typer.Exit(int(code))


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """`command`, with internal errors, Ctrl-C and memory exhaustion turned into their
    documented exit codes (typer's and click's own exits pass through)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (KeyboardInterrupt, Stopped):
            raise _fail("interrupted", ExitCode.INTERRUPTED) from None
        except MemoryError:
            raise _fail("out of memory; the run is inconclusive (try --max-memory, or a "
                        "smaller spec)", ExitCode.INCONCLUSIVE) from None
        except Exception as err:  # noqa: BLE001 - the one place that catches everything
            report = write_report(err, input_hashes([*args, *kwargs.values()]))
            where = f"crash report: {report}" if report else "no crash report could be written"
            first = (str(err).splitlines() or [""])[0][:200]
            raise _fail(f"internal error ({type(err).__name__}: {first}); {where}; please "
                        "report it", ExitCode.INTERNAL_ERROR) from None

    return run
