"""Manifest paths to texts: files, directories (recursive) and stdin.

Stage: the entry of `podcheck.manifests`.  Consumes the paths given on the command line;
produces (display name, text) pairs in a fixed order (each directory's `*.yaml` and
`*.yml` files sorted by relative path) and PC412 diagnostics for paths that cannot be
read.  stdin is `-` and is shown as `<stdin>`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from podcheck.diagnostics import Diagnostic, Severity
from podcheck.diagnostics import codes as c
from podcheck.manifests.yamlread import MAX_BYTES

STDIN = "-"
STDIN_NAME = "<stdin>"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Texts:
    """The texts read, in order, and the paths that could not be read."""

    texts: tuple[tuple[str, str], ...]
    diagnostics: tuple[Diagnostic, ...]


def is_manifest_path(path: str) -> bool:
    """True for `-`, a directory, or a `.yaml` / `.yml` / `.json` file."""
    return path == STDIN or Path(path).is_dir() or path.endswith((*SUFFIXES, ".json"))


def read_texts(paths: Sequence[str], stdin: TextIO | None = None) -> Texts:
    """Read every path (`-` from `stdin`, default `sys.stdin`)."""
    texts: list[tuple[str, str]] = []
    out: list[Diagnostic] = []
    for path in paths:
        if path == STDIN:
            stream = stdin if stdin is not None else sys.stdin
            texts.append((STDIN_NAME, stream.read(MAX_BYTES + 1)))
            continue
        target = Path(path)
        if target.is_dir():
            files = sorted(p for p in target.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not files:
                out.append(_unreadable(path, "holds no `*.yaml` or `*.yml` file"))
            for file in files:
                _read(str(file), texts, out)
        else:
            _read(path, texts, out)
    return Texts(tuple(texts), tuple(out))


def _read(path: str, texts: list[tuple[str, str]], out: list[Diagnostic]) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            texts.append((path, handle.read(MAX_BYTES + 1)))
    except FileNotFoundError:
        out.append(_unreadable(path, "does not exist"))
    except UnicodeDecodeError:
        out.append(_unreadable(path, "is not UTF-8 text"))
    except OSError as err:
        out.append(_unreadable(path, f"cannot be read ({err.strerror})"))


def _unreadable(path: str, why: str) -> Diagnostic:
    return Diagnostic(c.NO_MANIFESTS, Severity.ERROR, f"`{path}` {why}",
                      help="give a YAML file, a directory of them, or `-` for stdin")
