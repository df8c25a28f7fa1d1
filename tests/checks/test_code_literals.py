"""Diagnostic codes are spelled once: as named constants in podcheck/diagnostics/codes.py.

Every other module uses the constants (`codes.SYNTAX_ERROR`), so a renumbering or a typo
cannot hide in a string.  The scan reads string constants through `ast`, so it sees
literals however they are quoted and ignores codes mentioned in prose (docstrings and
messages that merely contain `PC204`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from podcheck.diagnostics import codes

PACKAGE = Path(__file__).resolve().parents[2] / "podcheck"
REGISTRY_FILE = PACKAGE / "diagnostics" / "codes.py"
CODE = re.compile(r"PC\d{3}")


def code_literals(source: str) -> list[tuple[int, str]]:
    """(line, value) of every string constant in `source` that is exactly a code."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE.fullmatch(node.value)
    ]


def test_scanner_finds_literals_in_every_quoting() -> None:
    source = "A = 'PC101'\nB = \"\"\"PC102\"\"\"\nC = f'{x}' + r\"PC103\"\nD = 'see PC104'\n"
    assert code_literals(source) == [(1, "PC101"), (2, "PC102"), (3, "PC103")]


def test_no_code_literal_outside_the_registry() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {value}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != REGISTRY_FILE
        for line, value in code_literals(path.read_text(encoding="utf-8"))
    ]
    assert not found, "use the named constants of podcheck.diagnostics.codes:\n" + "\n".join(
        found
    )


def test_every_registered_code_has_exactly_one_constant() -> None:
    constants = [v for k, v in vars(codes).items() if k.isupper() and isinstance(v, str)]
    constants = [v for v in constants if CODE.fullmatch(v)]
    assert sorted(constants) == sorted(codes.REGISTRY)
