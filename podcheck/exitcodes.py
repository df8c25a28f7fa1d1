"""The process exit codes of the `podcheck` command, documented once.

Stage: shared.  Consumes nothing; produces the named codes, which `podcheck.run`
derives from a run's verdicts and `podcheck.cli` returns to the shell.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What `podcheck` returns to the shell."""

    OK = 0  # the input is fine / every property holds within the bounds
    VIOLATED = 1  # a property is violated (or `fmt --check`: the file is not canonical)
    INPUT_ERROR = 2  # the spec has errors, a file is unreadable, or the invocation is wrong
    INCONCLUSIVE = 3  # a property is undecided, or a limit cut the run short
    INTERNAL_ERROR = 4  # a bug in podcheck: one line on stderr and a crash report file
    INTERRUPTED = 130  # Ctrl-C (SIGINT) stopped the run; what was found is printed


def describe() -> str:
    """Every exit code with its meaning, one per line (for `--help` and the README)."""
    return "\n".join(f"{int(c)} {_MEANING[c]}" for c in ExitCode)


_MEANING = {
    ExitCode.OK: "every property holds and the exploration was complete (fmt: canonical)",
    ExitCode.VIOLATED: "a property is violated or a deadlock was found "
                       "(fmt --check: not canonical)",
    ExitCode.INPUT_ERROR: "the spec has errors, a file is unreadable or too large, "
                          "or the invocation is wrong",
    ExitCode.INCONCLUSIVE: "inconclusive: a property is undecided, or a limit "
                           "(--max-states, --max-depth, --timeout, --max-memory) cut the run "
                           "short before anything was found violated",
    ExitCode.INTERNAL_ERROR: "internal error (a bug in podcheck): a one-line message and a "
                             "crash report file",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C): the statistics and verdicts found so far "
                          "are printed",
}
