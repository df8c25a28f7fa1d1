"""`podcheck check --report FILE`: which renderer writes a report file, by its suffix.

Stage: `podcheck.report`.  Consumes the `CheckRun`s of a `check` (their `Document`s,
`report/document.py`); produces the text of each file, `.html` a self-contained page
(`report/html.py`), `.md` Markdown (`report/markdown.py`), and writes it: the one
renderer module that writes files, so that the shell stays one line per option.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from podcheck.report.document import Document, document
from podcheck.report.html import render_html
from podcheck.report.markdown import render_markdown
from podcheck.report.view import Detail
from podcheck.run import CheckRun

REPORT_KINDS: dict[str, Callable[[Sequence[Document]], str]] = {
    ".html": render_html,
    ".htm": render_html,
    ".md": render_markdown,
}


def write_reports(paths: Sequence[Path], runs: Sequence[CheckRun], commands: Sequence[str],
                  detail: Detail = Detail.PEOPLE) -> None:
    """Write the report of `runs` (reproduced by `commands`, traces at `detail`) to each of
    `paths`, in the format its suffix names (a key of `REPORT_KINDS`)."""
    if not paths:
        return
    docs = [document(run, reproduce=cmd, detail=detail)
            for run, cmd in zip(runs, commands, strict=True)]
    for path in paths:
        path.write_text(REPORT_KINDS[path.suffix.lower()](docs), encoding="utf-8")
