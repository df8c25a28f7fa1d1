"""docs/diagnostics.md is generated from the registry; every 1xx/2xx example fails as shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.diagnostics import codes
from podcheck.diagnostics.gendocs import DOC_PATH, generate
from podcheck.lang import schema
from podcheck.lang.check import load
from podcheck.spec import (
    BUILTIN_CHECKS,
    Behavior,
    PodDisruptionBudget,
    PodTemplate,
    Probe,
    Workload,
)

ROOT = Path(__file__).resolve().parents[2]
# need several files, a binary one or a special one: tested in test_load.py, tests/reliability
MULTI_FILE = {"PC111", "PC112", "PC118", "PC119", "PC120"}


def test_diagnostics_md_is_up_to_date() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == generate(), (
        "docs/diagnostics.md is stale: run `python -m podcheck.diagnostics.gendocs`"
    )


MINE = sorted(c for c in codes.REGISTRY if c[2] in "12" and c not in MULTI_FILE)


@pytest.mark.parametrize("code", MINE)
def test_registry_example_triggers_its_code(code: str, tmp_path: Path) -> None:
    spec = tmp_path / "example.pod"
    spec.write_text(codes.REGISTRY[code].example + "\n", encoding="utf-8")
    found = {d.code for d in load(str(spec)).diagnostics}
    assert code in found, f"{code} example gives {sorted(found)}"


def test_registry_entries_follow_the_message_rules() -> None:
    for entry in (codes.REGISTRY[c] for c in MINE):
        assert not entry.summary[0].isupper() and not entry.summary.endswith("."), entry.code


def test_builtin_argument_table_covers_every_builtin() -> None:
    assert set(schema.BUILTIN_ARGS) == set(BUILTIN_CHECKS)


def _default(block: str, name: str) -> str | None:
    spec = schema.BLOCKS[block].field(name)
    assert spec is not None
    return spec.default


def test_schema_defaults_agree_with_the_spec_dataclasses() -> None:
    probe = Probe.__dataclass_fields__
    for name in ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold",
                 "successThreshold"):
        assert _default("livenessProbe", name) == str(probe[name].default)
    template = PodTemplate.__dataclass_fields__
    assert _default("template-inline", "restartPolicy") == template["restartPolicy"].default
    assert _default("template-inline", "terminationGracePeriodSeconds") == "30"
    workload = Workload.__dataclass_fields__
    for name in ("completions", "parallelism", "backoffLimit"):
        assert _default("job", name) == str(workload[name].default)
    assert _default("deployment", "maxSurge") == "25%"
    assert _default("pdb", "unhealthyPodEvictionPolicy") == (
        PodDisruptionBudget.__dataclass_fields__["unhealthyPodEvictionPolicy"].default
    )
    assert _default("behavior-inline", "exitCode") == str(Behavior().exit_code)


def test_language_reference_mentions_every_block_and_field() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for block in schema.BLOCKS.values():
        if block.key != "file":
            assert f"`{block.kind}" in text, block.kind
        for field in block.fields:
            assert f"`{field.name}`" in text, (block.kind, field.name)
    for name in BUILTIN_CHECKS:
        assert f"`{name}`" in text, name
