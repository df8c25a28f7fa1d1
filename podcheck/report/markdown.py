"""The report of one run as GitHub-flavoured Markdown, for pull-request comments.

Stage: `podcheck.report`.  Consumes a `Document` (`report/document.py`); produces
Markdown: the verdict table, each counterexample as a timeline table (one column per pod,
container, node, Job or PDB; loop rows marked), and the source lines the steps come from.
Deterministic: no timings, basenames only.
"""

from __future__ import annotations

from collections.abc import Sequence

from podcheck.report.document import Document, Section, Source
from podcheck.report.timeline import Row, Timeline

LOOP = "\u21bb"  # marks the rows of a lasso's loop
CONTEXT = 1  # source lines shown around each involved line
FOLD = 41  # a timeline with more rows is folded into a <details> block


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`"


def _verdicts(doc: Document) -> list[str]:
    lines = ["| property | kind | verdict | expected |", "|---|---|---|---|"]
    for v in doc.verdicts:
        verdict = f"**{v.verdict}**" if v.verdict == "violated" else v.verdict
        mark = "" if v.as_expected else " (differs from `expect`)"
        lines.append(f"| {_code(v.name)} | {v.kind} | {verdict}{mark} | {v.expected} |")
    return lines


def _row(t: Timeline, row: Row) -> str:
    number = f"{LOOP} {row.number}" if row.in_loop else str(row.number)
    where = f"{row.location.line}" if row.location is not None else ""
    cells = ["<br>".join(_cell(c) for c in cell) for cell in row.cells]
    parts = [number, f"{row.time} s", _cell(row.label), ", ".join(row.events), where, *cells]
    return "| " + " | ".join(parts) + " |"


def _timeline(t: Timeline) -> list[str]:
    lanes = [_cell(lane.title) for lane in t.lanes]
    head = ["step", "t", "what happened", "events", "line", *lanes]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(
        ["---:", "---:", "---", "---", "---:", *("---" for _ in lanes)]) + "|"]
    lines += [_row(t, row) for row in t.rows]
    if t.loop_start is not None:
        closing = t.rows[-1]
        if closing.closes_loop:
            lines += ["", f"Rows marked {LOOP} are the loop: after step {closing.number} the "
                      f"run is back at step {t.loop_start}, and repeats forever."]
        else:
            lines += ["", f"From step {t.loop_start} the run stays in its last state forever."]
    return lines


def _section(s: Section) -> list[str]:
    lines = [f"## {_code(s.name)}", "", _cell(s.headline)]
    if s.description:
        lines += ["", f"_{_cell(s.description)}_"]
    if s.detail:
        lines += ["", f"<sub>{_cell(s.detail)}</sub>"]
    if s.same_as and not s.upto:
        return [*lines, "", f"The run is the one shown for {_code(s.same_as)} above.", ""]
    if s.upto:
        lines += ["", f"Steps 0 to {s.upto} are those of the run shown for {_code(s.same_as)} "
                  "above."]
    if s.timeline is not None:
        rows = s.timeline.rows
        table = _timeline(s.timeline)
        if len(rows) > FOLD:
            table = [f"<details><summary>steps {rows[0].number} to {rows[-1].number}</summary>",
                     "", *table, "", "</details>"]
        lines += ["", *table]
    return lines + [""]


def _source(src: Source) -> list[str]:
    total = src.text.splitlines()
    keep = sorted({n for line in src.lines for n in range(line - CONTEXT, line + CONTEXT + 1)
                   if 1 <= n <= len(total)})
    keep = sorted({*keep, *(n + 1 for n, m in zip(keep, keep[1:], strict=False) if m == n + 2)})
    width = len(str(len(total)))
    body, last = [], 0
    for n in keep:
        if last and n > last + 1:
            body.append(" " * (width + 2) + "...")
        mark = ">" if n in src.lines else " "
        body.append(f"{mark} {n:>{width}} | {total[n - 1]}".rstrip())
        last = n
    return [f"### {_code(src.name)}", "", "Lines marked `>` enable a step or state a "
            "property.", "", "```text", *body, "```", ""]


def render_markdown(docs: Sequence[Document]) -> str:
    """The reports of `docs` as one Markdown text, separated by rules."""
    return "\n---\n\n".join(_document(doc) for doc in docs)


def _document(doc: Document) -> str:
    lines = [f"# podcheck: {_code(doc.title)}", ""]
    if doc.diagnostics:
        lines += ["```text", doc.diagnostics.rstrip("\n"), "```", ""]
    if doc.verdicts:
        lines += [*_verdicts(doc), "", _code(doc.stats.replace("\n", "; ")), ""]
    for s in doc.sections:
        lines += _section(s)
    if any(src.lines for src in doc.sources):
        lines += ["## Source", ""]
        for src in doc.sources:
            lines += _source(src) if src.lines else []
    if doc.reproduce:
        lines += ["Reproduce:", "", "```sh", doc.reproduce, "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
