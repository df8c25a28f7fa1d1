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
    INCONCLUSIVE = 3  # solver `unknown` or a bound was reached
