"""Every bundled model under models/ loads by its dotted name, with no diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.lang.check import load
from podcheck.lang.imports import bundled_models_dir

MODELS = sorted(bundled_models_dir().rglob("*.pod"))


def test_models_are_found() -> None:
    assert len(MODELS) >= 12


@pytest.mark.parametrize("model", MODELS, ids=[m.stem for m in MODELS])
def test_model_imports_cleanly(model: Path, tmp_path: Path) -> None:
    dotted = ".".join(model.relative_to(bundled_models_dir()).with_suffix("").parts)
    spec = tmp_path / "uses.pod"
    spec.write_text(f"import {dotted}\ncluster {{ nodes: 1 }}\n", encoding="utf-8")
    result = load(str(spec))
    assert result.ok and not result.diagnostics, result.diagnostics
