"""The report of one run as one self-contained HTML page.

Stage: `podcheck.report`.  Consumes a `Document` (`report/document.py`); produces an HTML
page with inline CSS and a few lines of inline script, and no reference to anything
outside it (no network, no external asset): the verdict table, each counterexample as a
timeline (one column per pod, container, node, Job or PDB; the lasso's loop marked), and
the source files with the lines the steps come from highlighted.  Clicking a step with a
source line scrolls to that line.  Deterministic: no timings, basenames only.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from podcheck.report.document import Document, Section, Source
from podcheck.report.timeline import Row, Timeline

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f24;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}code,pre{font:13px/1.35 monospace}
h1 code,h2 code,h3 code{font-size:1em;font-weight:700}.small{font-size:12px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:3px 6px;
vertical-align:top;text-align:left}th{background:#f6f8fa;position:sticky;top:0}
.violated{color:#b42318;font-weight:600}.holds{color:#1a7f37;font-weight:600}
.inconclusive{color:#9a6700;font-weight:600}.mismatch{background:#fff1f0}
.timeline td.label{min-width:20em}.timeline td.cell{min-width:11em}
.timeline td.cell div+div{border-top:1px dotted #d0d7de}.timeline td.num{white-space:nowrap}
.timeline tr.loop td{background:#fff8c5}
.timeline tr.loop td:first-child::before{content:"\\21bb  "}
.timeline tr[data-line]{cursor:pointer}.events{color:#6639ba}.note{color:#57606a}
pre.source{border:1px solid #d0d7de;background:#f6f8fa;padding:.5em;overflow:auto}
pre.source span{display:block}pre.source span.hit{background:#ffe8a3}
pre.source span.flash{outline:2px solid #bf8700}
"""

_SCRIPT = """
document.querySelectorAll("tr[data-line]").forEach(function (row) {
  row.addEventListener("click", function () {
    var line = document.getElementById(row.dataset.line);
    if (!line) { return; }
    line.scrollIntoView({block: "center"});
    line.classList.add("flash");
    setTimeout(function () { line.classList.remove("flash"); }, 1500);
  });
});
"""


def _verdicts(doc: Document, key: str) -> list[str]:
    rows = [f'<table class="verdicts" id="{key}verdicts">',
            "<tr><th>property</th><th>kind</th><th>verdict</th><th>expected</th></tr>"]
    for v in doc.verdicts:
        cls = "" if v.as_expected else ' class="mismatch"'
        rows.append(f"<tr{cls}><td><a href=\"#{key}p-{escape(v.name)}\"><code>{escape(v.name)}"
                    f"</code></a></td><td>{escape(v.kind)}</td><td class=\"{escape(v.verdict)}"
                    f"\">{escape(v.verdict)}</td><td>{escape(v.expected)}</td></tr>")
    return [*rows, "</table>"]


def _line_id(key: str, source: str, line: int) -> str:
    return f"{key}L-{source}-{line}"


def _row(row: Row, key: str) -> str:
    attrs = ' class="loop"' if row.in_loop else ""
    where = ""
    if row.location is not None:
        name = row.location.file.replace("\\", "/").rsplit("/", 1)[-1]
        attrs += f' data-line="{escape(_line_id(key, name, row.location.line))}"'
        where = f'<span title="{escape(name)}">{row.location.line}</span>'
    cells = "".join(
        '<td class="cell">' + "".join(f"<div>{escape(c)}</div>" for c in cell) + "</td>"
        for cell in row.cells)
    events = escape(", ".join(row.events))
    return (f'<tr{attrs}><td class="num">{row.number}</td>'
            f'<td class="num">{row.time}&nbsp;s</td><td class="label">{escape(row.label)}</td>'
            f'<td class="events">{events}</td>'
            f"<td>{where}</td>{cells}</tr>")


def _timeline(t: Timeline, key: str) -> list[str]:
    lanes = "".join(f"<th>{escape(lane.title)}</th>" for lane in t.lanes)
    out = ['<table class="timeline">',
           f"<tr><th>step</th><th>t</th><th>what happened</th><th>events</th><th>line</th>"
           f"{lanes}</tr>", *(_row(r, key) for r in t.rows), "</table>"]
    if t.loop_start is not None:
        last = t.rows[-1]
        out.append(f'<p class="note">Highlighted rows are the loop: after step {last.number} '
                   f"the run is back at step {t.loop_start}, and repeats forever.</p>"
                   if last.closes_loop else
                   f'<p class="note">From step {t.loop_start} the run stays in its last '
                   "state forever.</p>")
    return out


def _section(s: Section, key: str) -> list[str]:
    out = [f'<section id="{key}p-{escape(s.name)}">', f"<h2><code>{escape(s.name)}</code></h2>",
           f"<p>{escape(s.headline)}</p>"]
    if s.description:
        out.append(f"<p><em>{escape(s.description)}</em></p>")
    if s.detail:
        out.append(f'<p class="note small">{escape(s.detail)}</p>')
    link = f'<a href="#{key}p-{escape(s.same_as)}"><code>{escape(s.same_as)}</code></a>'
    if s.same_as and s.upto:
        out.append(f"<p>Steps 0 to {s.upto} are those of the run shown for {link} above.</p>")
    elif s.same_as:
        out.append(f"<p>The run is the one shown for {link} above.</p>")
    if s.timeline is not None and (s.upto or not s.same_as):
        out += _timeline(s.timeline, key)
    return [*out, "</section>"]


def _source(src: Source, key: str) -> list[str]:
    lines = src.text.splitlines()
    width = len(str(len(lines)))
    body = []
    for n, text in enumerate(lines, start=1):
        cls = ' class="hit"' if n in src.lines else ""
        body.append(f'<span id="{escape(_line_id(key, src.name, n))}"{cls}>{n:>{width}}  '
                    f"{escape(text)}</span>")
    return [f"<h3><code>{escape(src.name)}</code></h3>",
            '<pre class="source">' + "".join(body) + "</pre>"]


def _article(doc: Document, key: str) -> list[str]:
    """One document; `key` prefixes its element ids (several documents share a page)."""
    out = [f'<article id="{key}report">', f"<h1>podcheck: <code>{escape(doc.title)}</code></h1>"]
    if doc.diagnostics:
        out.append(f'<pre class="source">{escape(doc.diagnostics)}</pre>')
    if doc.verdicts:
        out += [*_verdicts(doc, key), f'<p class="note"><code>{escape(doc.stats)}</code></p>']
    for s in doc.sections:
        out += _section(s, key)
    if doc.sources:
        out.append(f'<section id="{key}source"><h2>Source</h2><p class="note">Highlighted lines '
                   "enable a step or state a property.</p>")
        for src in doc.sources:
            out += _source(src, key)
        out.append("</section>")
    if doc.reproduce:
        out.append(f"<p>Reproduce: <code>{escape(doc.reproduce)}</code></p>")
    return [*out, "</article>"]


def render_html(docs: Sequence[Document]) -> str:
    """One HTML page with the report of each document, in order."""
    title = ", ".join(d.title for d in docs)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>podcheck: {escape(title)}</title>", f"<style>{_CSS}</style>",
           "</head><body>"]
    for n, doc in enumerate(docs, start=1):
        out += _article(doc, f"d{n}-")
    out += [f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(out) + "\n"
