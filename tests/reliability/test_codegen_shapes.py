"""The linear code generator (NOTE(linear-codegen)) agrees with the spelled-out one.

With the thresholds at their smallest every system takes the big-system path (spliced
successors, hoisted shared subexpressions, chunked expanders); states, transitions and
verdicts must be exactly those of the default path, on every seed and liveness spec.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file, load_and_compile
from podcheck.engine import pybody, pycompile
from podcheck.model.layout import Builder
from podcheck.suite import discover, parse_only

ROOT = Path(__file__).resolve().parents[2]
SPECS = [t.path for t in discover([str(ROOT / "specs/seed"), str(ROOT / "specs/liveness")])
         if t.path.endswith(".pod") and not parse_only(t.path)]


def summary(path: str) -> tuple[object, ...]:
    run = check_file(path, CheckOptions(max_states=3000))
    if run.result is None:  # a spec that must be rejected
        return tuple(d.code for d in run.diagnostics)
    stats = run.result.stats
    verdicts = tuple((r.name, r.verdict, None if r.trace is None else r.trace.length)
                     for r in run.result.results)
    dead = run.result.deadlock
    return stats.states, stats.transitions, stats.depth, verdicts, dead and dead.length


@pytest.mark.parametrize("path", SPECS, ids=lambda p: Path(p).name)
def test_the_big_system_path_agrees(monkeypatch, path: str) -> None:
    expected = summary(path)
    monkeypatch.setattr(pycompile, "CHUNK", 2)
    monkeypatch.setattr(pybody, "SPLICE_FROM", 1)
    monkeypatch.setattr(pybody, "HOIST_FROM", 1)
    assert summary(path) == expected


def source_size(tmp_path: Path, replicas: int) -> int:
    spec = tmp_path / f"r{replicas}.pod"
    spec.write_text(f"deployment web {{\n  replicas: {replicas}\n"
                    "  template { container app {} }\n}\n")
    compiled, _, _ = load_and_compile(str(spec), CheckOptions())
    system = compiled.value
    assert system is not None
    packing = pycompile.Packing.of(system)
    return len(pycompile.expander_source(system, packing, ()))


def test_generated_code_grows_about_linearly(tmp_path: Path) -> None:
    # Before: every successor spelled out every variable and the clock's delta was
    # repeated in every timer update (replicas: 100 gave 2.5 MB per 1 800 actions).
    small, large = source_size(tmp_path, 40), source_size(tmp_path, 160)
    assert large < 4 * small * 1.6  # quadratic growth would be 16x


def test_the_builder_still_refuses_a_duplicate_variable() -> None:
    builder = Builder("b")
    builder.bool_var("x")
    with pytest.raises(AssertionError, match="duplicate variable x"):
        builder.bool_var("x")
