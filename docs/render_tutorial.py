"""Render docs/tutorial.src.md into docs/tutorial.md with every command's real output.

Run from anywhere: `python docs/render_tutorial.py`.  In a ```console block of the
source, a `$ podcheck ...` line may be followed by one `@@ SPEC` line saying which lines
of the real output to show; SPEC items are separated by ` ; `:

    all            every line
    ...            an elision line (tests/docs/test_tutorial.py matches it to any run)
    N-M            lines N to M, 1-based (M may be `$`, the last line)
    /re/           the first line matching `re` at or after the cursor
    /re1/../re2/   from the first line matching re1 to the next matching re2
    /re/..$/       from the first line matching re to the end

tests/docs/test_tutorial.py checks that the rendered tutorial still matches reality, so
after a change to podcheck's output, re-run this script and review the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

from typer.testing import CliRunner

from podcheck.cli import app

ROOT = Path(__file__).resolve().parents[1]


def run(command: str) -> list[str]:
    """The stdout lines of one `podcheck ...` command, trailing blank lines dropped."""
    lines = CliRunner().invoke(app, shlex.split(command)[1:]).stdout.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _range(item: str, lines: list[str], cur: int) -> tuple[int, int]:
    """The inclusive line range `item` selects, searching from `cur`."""
    if item.endswith("/..$/"):
        first, last = item[1:-5], "$"
    else:
        match = re.fullmatch(r"/(.*?)/(?:\.\./(.*)/)?", item)
        assert match is not None, item
        first, last = match.group(1), match.group(2)
    start = next(k for k in range(cur, len(lines)) if re.search(first, lines[k]))
    if last is None:
        return start, start
    if last == "$":
        return start, len(lines) - 1
    return start, next(k for k in range(start + 1, len(lines)) if re.search(last, lines[k]))


def select(spec: str, lines: list[str]) -> list[str]:
    """The lines of `lines` that `spec` asks for, in order."""
    out: list[str] = []
    cur = 0
    for item in (part.strip() for part in spec.split(" ; ")):
        if item == "all":
            out.extend(lines)
            cur = len(lines)
        elif item == "...":
            out.append("...")
        elif item.startswith("/"):
            start, end = _range(item, lines, cur)
            out.extend(lines[start : end + 1])
            cur = end + 1
        else:
            a, b = item.split("-")
            end = len(lines) if b == "$" else int(b)
            out.extend(lines[int(a) - 1 : end])
            cur = end
    return out


def render(source: list[str]) -> list[str]:
    """The tutorial text: `source` with every `@@` line replaced by real output."""
    out: list[str] = []
    i = 0
    while i < len(source):
        line = source[i]
        if line.startswith("$ ") and i + 1 < len(source) and source[i + 1].startswith("@@ "):
            out.append(line)
            out.extend(select(source[i + 1][3:].strip(), run(line[2:])))
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def main() -> int:
    """Rewrite docs/tutorial.md from docs/tutorial.src.md."""
    os.chdir(ROOT)
    source = (ROOT / "docs" / "tutorial.src.md").read_text(encoding="utf-8").splitlines()
    (ROOT / "docs" / "tutorial.md").write_text("\n".join(render(source)) + "\n", encoding="utf-8")
    sys.stdout.write("wrote docs/tutorial.md\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
