"""Every spec under specs/examples/ loads with no diagnostics at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.lang.check import load

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "specs" / "examples").rglob("*.pod"))


def test_there_are_enough_examples() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_loads_cleanly(path: Path) -> None:
    result = load(str(path))
    assert result.diagnostics == (), result.diagnostics
    assert result.value is not None


def test_examples_cover_every_block_kind_and_field() -> None:
    from podcheck.lang import schema

    text = "\n".join(p.read_text(encoding="utf-8") for p in EXAMPLES)
    blocks = [b for b in schema.BLOCKS.values() if b.key != "file"]
    missing = [b.kind for b in blocks if f"{b.kind} " not in text]
    missing += [f.name for b in blocks for f in b.fields if f"{f.name}:" not in text]
    assert missing == []
    for form in ("~>", "always eventually", "eventually", "count(", "forall", "exists",
                 "containers(", "initContainers(", "implies", "import \"", "import env."):
        assert form in text, form
