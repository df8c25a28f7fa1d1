"""Every spec under tests/checks/data/ produces exactly the errors its `# E:` comments
name (files starting with `_` are only imported by others, never loaded as roots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.diagnostics.expectations import collect, mismatches
from podcheck.lang.check import load_with_sources

DATA = Path(__file__).parent / "data"
ROOTS = sorted(p.name for p in DATA.glob("*.pod") if not p.name.startswith("_"))


def test_corpus_is_not_empty() -> None:
    assert len(ROOTS) >= 5


@pytest.mark.parametrize("name", ROOTS)
def test_inline_expectations(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    loaded = load_with_sources(name)
    expected = collect(loaded.sources)
    assert expected, f"{name} has no `# E:` expectations"
    assert loaded.result.value is None
    problems = mismatches(expected, loaded.result.diagnostics)
    assert not problems, "\n".join(problems)


def test_every_1xx_and_2xx_code_is_exercised() -> None:
    from podcheck.diagnostics.codes import REGISTRY

    used = set()
    for path in DATA.glob("*.pod"):
        used |= {e.code for e in collect({path.name: path.read_text(encoding="utf-8")})}
    mine = {c for c in REGISTRY if c[2] in "12"}
    # PC112 (unreadable files): see test_load.py; PC118, PC120: tests/reliability; PC206 is
    # a warning (`# E:` names errors): test_cli.py and tests/integration/test_seed_models.py
    untested = mine - used - {"PC112", "PC118", "PC120", "PC206"}
    assert not untested, sorted(untested)


def test_expectation_collector_catches_both_directions() -> None:
    from podcheck.diagnostics import Diagnostic, Severity, Span

    expected = collect({"f.pod": "a\nb  # E: PC203 unknown restart\n"})
    message = "unknown restart policy"
    wrong_line = Diagnostic("PC203", Severity.ERROR, message, Span("f.pod", 1, 1, 1, 2))
    assert len(mismatches(expected, [wrong_line])) == 2
    right = Diagnostic("PC203", Severity.ERROR, message, Span("f.pod", 2, 1, 2, 2))
    assert mismatches(expected, [right]) == []
