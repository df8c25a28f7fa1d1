"""File-level operations behind the CLI's `parse` and `fmt` commands.

Stage: the front-end driver.  Consumes a path; produces values the CLI hands to a
renderer: `Loaded` (checked spec + diagnostics + source texts) for `parse`,
`Formatted` (original and canonical text, or diagnostics) for `fmt`, and one-line
descriptions of a checked spec.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from podcheck.diagnostics import Diagnostic
from podcheck.lang.check import Loaded, LoadOptions, load_with_sources
from podcheck.lang.imports import read_bytes, shown_text
from podcheck.spec import CheckedSpec


def parse_file(path: str, options: LoadOptions) -> Loaded:
    """Read, parse and check `path` with its imports (what `podcheck parse` shows)."""
    return load_with_sources(path, options)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def describe(spec: CheckedSpec) -> str:
    """`1 deployment, 1 job, 3 nodes, 1 pdb, 2 properties, 1 expect` (zero counts omitted)."""
    kinds = Counter(w.kind.value.lower() for w in spec.workloads)
    parts = [_plural(n, kind) for kind, n in sorted(kinds.items())]
    parts += [
        _plural(len(spec.nodes), "node"),
        _plural(len(spec.pdbs), "pdb"),
        _plural(len(spec.properties), "property").replace("propertys", "properties"),
        _plural(len(spec.expects), "expect"),
    ]
    shown = [p for p in parts if not p.startswith("0 ")]
    return ", ".join(shown) if shown else "no workloads, nodes or properties"


def ok_line(path: str, spec: CheckedSpec) -> str:
    """`specs/web.pod: OK (1 deployment, 3 nodes, ...)`."""
    return f"{path}: OK ({describe(spec)})\n"


@dataclass(frozen=True, slots=True)
class Formatted:
    """`fmt`'s result: the text as read and in canonical form (None after errors)."""

    path: str
    original: str | None
    formatted: str | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]

    @property
    def changed(self) -> bool:
        """True when the file is not in canonical form."""
        return self.formatted is not None and self.formatted != self.original

    def diff(self) -> str:
        """A unified diff from the file to its canonical form (empty when canonical)."""
        assert self.original is not None and self.formatted is not None
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True),
            self.formatted.splitlines(keepends=True),
            fromfile=self.path,
            tofile=f"{self.path} (formatted)",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def format_file(path: str) -> Formatted:
    """Parse `path` (imports are not followed) and print it in canonical form."""
    from podcheck.lang.parse import parse_bytes
    from podcheck.lang.printer import format_spec

    data, problem = read_bytes(Path(path), path, None)
    if data is None:
        assert problem is not None
        return Formatted(path, None, None, (problem,), {})
    text = shown_text(data)
    result = parse_bytes(data, path)
    if not result.ok or result.value is None:
        return Formatted(path, text, None, result.diagnostics, {path: text})
    return Formatted(path, text, format_spec(result.value), result.diagnostics, {path: text})


def write_formatted(result: Formatted) -> str:
    """Write the canonical text back when it differs; say what happened."""
    if not result.changed:
        return f"{result.path}: already formatted\n"
    assert result.formatted is not None
    Path(result.path).write_text(result.formatted, encoding="utf-8")
    return f"{result.path}: reformatted\n"
