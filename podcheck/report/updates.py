"""Render what `podcheck test --update` wrote.

Stage: `podcheck.report`.  Consumes the `podcheck.run.Change` values that
`podcheck.suiteupdate` returns; produces one line per expectation written and a closing
count, for a person to review (with the version-control diff of the files named).
"""

from __future__ import annotations

from collections.abc import Sequence

from podcheck.run import Change


def render_changes(changes: Sequence[Change]) -> str:
    """One `updated FILE: expect NAME VERDICT (was ...)` line per change, then a count."""
    if not changes:
        return "\nno expectation to update\n"
    lines = [f"updated {c.file}: expect {c.name} {c.new} "
             f"({'had none' if c.old is None else 'was ' + c.old})" for c in changes]
    files = len({c.file for c in changes})
    noun = "expectation" if len(changes) == 1 else "expectations"
    return ("\n" + "\n".join(lines) + f"\n{len(changes)} {noun} updated in {files} "
            f"file{'' if files == 1 else 's'}: review the diff\n")
