"""docs/tutorial.md shows real commands with their real output.

Every ```console block holds `$ podcheck ...` lines, each followed by that command's
output.  This test runs each command from the repository root (in-process, through the
Typer app) and checks the shown output against the real stdout.  A line holding only
`...` in the shown output stands for any number of lines (zero included).  It also
checks that every spec under specs/seed and specs/liveness is mentioned.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial.md"
ELLIPSIS = "..."
FENCE = re.compile(r"^(`{3,})(\S*)\s*$")


@dataclass(frozen=True)
class Example:
    """One `$ podcheck ...` command of a console block and the output shown under it."""

    line: int  # 1-based line of the `$ ` line in the tutorial
    command: str
    shown: tuple[str, ...]


def console_examples(text: str) -> list[Example]:
    """Every `$ ` command of every ```console block, with the lines shown below it."""
    examples: list[Example] = []
    fence: str | None = None
    current: tuple[int, str, list[str]] | None = None

    def flush() -> None:
        nonlocal current
        if current is not None:
            line, command, shown = current
            examples.append(Example(line, command, tuple(shown)))
            current = None

    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if fence is None:
            if match and match.group(2) == "console":
                fence = match.group(1)
            continue
        if match and not match.group(2) and len(match.group(1)) >= len(fence):
            flush()
            fence = None
            continue
        if line.startswith("$ "):
            flush()
            current = (number, line[2:].strip(), [])
        elif current is not None:
            current[2].append(line)
        else:
            raise AssertionError(f"tutorial.md:{number}: console block must start with `$ `")
    assert fence is None, "tutorial.md ends inside a console block"
    flush()
    return examples


def _trim(lines: list[str] | tuple[str, ...]) -> list[str]:
    """Drop trailing blank lines (a block's last line and the output's final newline)."""
    out = list(lines)
    while out and not out[-1].strip():
        out.pop()
    return out


def _find(block: list[str], actual: list[str], start: int) -> int:
    """The first index >= start where `block` occurs in `actual`, or -1."""
    for i in range(start, len(actual) - len(block) + 1):
        if actual[i : i + len(block)] == block:
            return i
    return -1


def matches(shown: list[str] | tuple[str, ...], actual: list[str]) -> bool:
    """Whether `actual` is `shown` with each `...` line standing for any run of lines."""
    segments: list[list[str]] = [[]]
    for line in _trim(shown):
        if line == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    actual = _trim(actual)
    if len(segments) == 1:
        return segments[0] == actual
    first, *middle, last = segments
    if actual[: len(first)] != first:
        return False
    pos = len(first)
    for block in middle:
        # Leftmost placement of each fixed block leaves the most room for the rest.
        found = _find(block, actual, pos)
        if found < 0:
            return False
        pos = found + len(block)
    return len(actual) - pos >= len(last) and (not last or actual[-len(last) :] == last)


def test_matcher() -> None:
    assert matches(["a", "b"], ["a", "b", ""])
    assert not matches(["a"], ["a", "b"])
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert matches(["...", "c", "..."], ["a", "c", "d"])
    assert not matches(["a", "...", "c", "...", "c"], ["a", "c"])
    assert matches(["a", "...", "x", "...", "x"], ["a", "x", "y", "x", "x"])
    assert not matches(["a", "...", "b", "c"], ["a", "c", "b"])


def test_console_parser() -> None:
    text = "x\n```console\n$ podcheck a\nout\n...\n\n$ podcheck b\n```\n```sh\n$ no\n```\n"
    found = console_examples(text)
    assert [(e.command, e.shown) for e in found] == [
        ("podcheck a", ("out", "...", "")),
        ("podcheck b", ()),
    ]


EXAMPLES = console_examples(TUTORIAL.read_text(encoding="utf-8"))


def test_tutorial_has_examples() -> None:
    assert len(EXAMPLES) >= 20
    for example in EXAMPLES:
        assert example.command.startswith("podcheck "), (
            f"tutorial.md:{example.line}: only `podcheck` commands belong in console blocks"
        )
        assert "--svg" not in example.command and "--write" not in example.command, (
            f"tutorial.md:{example.line}: commands that write files belong in a ```sh block"
        )


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"line{e.line}:{e.command[9:]}" for e in EXAMPLES]
)
def test_console_example(example: Example, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = shlex.split(example.command)[1:]
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    actual = result.stdout.splitlines()
    assert matches(example.shown, actual), (
        f"tutorial.md:{example.line}: `{example.command}` printed:\n{result.stdout}"
    )


def test_every_seed_and_liveness_spec_is_mentioned() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    specs = sorted((ROOT / "specs" / "seed").glob("*.pod"))
    specs += sorted((ROOT / "specs" / "liveness").glob("*.pod"))
    assert specs
    missing = [str(s.relative_to(ROOT)) for s in specs if str(s.relative_to(ROOT)) not in text]
    assert not missing, f"docs/tutorial.md does not mention {missing}"
