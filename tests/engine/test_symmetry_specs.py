"""Symmetry never changes a verdict on the specs of specs/ (safety properties, the part
the reduction applies to), and the model compiler's groups are verified before use."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import bfs
from podcheck.ir import Expectation

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*/*.pod"))
LIMIT = bfs.BfsOptions(max_states=40_000)


@pytest.mark.parametrize("path", SPECS)
def test_symmetry_never_changes_a_safety_verdict(path: str, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:  # fmt: skip
    monkeypatch.chdir(ROOT)
    compiled, _, _ = load_and_compile(path, CheckOptions())
    system = compiled.value
    if system is None or not system.symmetry:
        return
    safety = (Expectation.ALWAYS, Expectation.SOMETIMES)
    system = replace(system, properties=tuple(
        p for p in system.properties if p.expectation in safety))
    full = bfs.check(system, replace(LIMIT, symmetry=False))
    if not full.stats.complete:
        return  # too big for the suite (imports.pod): compared in bench/, not here
    reduced = bfs.check(system, LIMIT)
    assert reduced.stats.complete and reduced.stats.states <= full.stats.states
    assert [r.verdict for r in reduced.results] == [r.verdict for r in full.results]
    assert [r.trace.length if r.trace else None for r in reduced.results] == [
        r.trace.length if r.trace else None for r in full.results]


def test_the_pod_and_node_groups_reduce_a_spec_with_two_alike_nodes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    compiled, _, _ = load_and_compile("specs/seed/13b-node-failure.pod", CheckOptions())
    assert compiled.value is not None
    result = bfs.check(compiled.value)
    assert result.symmetry is not None
    assert result.symmetry.used == (("pods of web", 2), ("nodes", 2))
    assert result.stats.states == 54  # 181 without symmetry, 91 with the nodes only
