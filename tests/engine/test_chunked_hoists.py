"""The chunked expander's hoisted values (NOTE(chunked-hoists), engine/pyhoist.py): every
read of a hoisted value is dominated by its computation (asserted when generating), no
generated function grows with the pods, and a run through the split hoists explores
exactly what the default expander does (states, transitions, verdicts), with the bfs and
vector engines and with and without --por.  All specs of specs/ with PODCHECK_SLOW=1."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from drain_spec import drain_spec

from podcheck.check import CheckOptions, check_file, load_and_compile
from podcheck.engine import pybody, pycompile
from podcheck.engine.pyhoist import split_hoists

ROOT = Path(__file__).resolve().parents[2]
SLOW = os.environ.get("PODCHECK_SLOW") == "1"
FAST = ["specs/drain/two-pdbs-stuck.pod", "specs/examples/controllers.pod"]
ALL = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*/*.pod"))
PARAMS = [*FAST, *(pytest.param(p, marks=pytest.mark.slow) for p in ALL if p not in FAST)]
MODES = [("bfs", False), ("bfs", True), ("vector", False)]


def _run(lines: list[str], chunk: int) -> list[int]:
    functions, calls = split_hoists(lines, "g", "hoist", chunk)
    source = "\n".join([*functions, "def expand(s):", *calls, "        return g"])
    namespace: dict[str, object] = {}
    exec(compile(source + "\n", "<test>", "exec"), namespace)  # noqa: S102 - test source
    expand = namespace["expand"]
    assert callable(expand)
    return list(expand((3, 4)))


def test_split_hoists_compute_the_inline_values_in_any_chunk() -> None:
    lines = ["        g0 = v0 + v1", "        g1 = g0 * 2", "        g2 = v1 - g0",
             "        g3 = g1 + g2 + g0", "        g4 = g3 * v0"]
    expected = [7, 14, -3, 18, 54]
    for chunk in (1, 2, 3, 5, 8):
        assert _run(lines, chunk) == expected, chunk


def test_a_read_of_a_value_not_yet_computed_is_refused_when_generating() -> None:
    with pytest.raises(AssertionError):
        split_hoists(["        g0 = v0", "        g1 = g2 + 1", "        g2 = v1"], "g", "h", 2)


def _spec(tmp_path: Path, replicas: int) -> str:
    return drain_spec(tmp_path, replicas)


def _sources(path: str) -> list[str]:
    system = load_and_compile(path, CheckOptions())[0].value
    assert system is not None
    flagged = [p.condition for p in system.properties if p.condition is not None]
    return pycompile._chunked_sources(system, pycompile.Packing.of(system), flagged,
                                      False, {})


COMPUTED = re.compile(r"^ +[gf]\d+ = (?![gf]\[)")  # a hoisted value computed, not read


def test_no_hoist_function_grows_with_the_pods(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(pycompile, "CHUNK", 16)
    small, large = (_sources(_spec(tmp_path, n)) for n in (6, 24))
    for sources in (small, large):
        expand = sources[-1].splitlines()
        assert expand[0].startswith("def expand(")
        assert not any(COMPUTED.match(line) for line in expand)  # all in hoist functions
        hoists = [s for s in sources if s.startswith(("def hoist", "def flags"))]
        assert hoists and any(s.startswith("def flags") for s in hoists)
        assert all(sum(bool(COMPUTED.match(x)) for x in s.splitlines()) <= 16 for s in hoists)
    assert sum(map(len, large)) < 4 * 1.4 * sum(map(len, small))  # linear: 4x the pods


def _summary(path: str, engine: str, por: bool) -> tuple[object, ...]:
    run = check_file(path, CheckOptions(engine=engine, por=por, max_states=1500))
    if run.result is None:
        return tuple(d.code for d in run.diagnostics)
    stats = run.result.stats
    return (stats.states, stats.transitions, stats.complete,
            tuple((r.name, r.verdict) for r in run.result.results))


@pytest.mark.parametrize("path", PARAMS)
def test_split_hoists_explore_the_same_states(path: str, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:  # fmt: skip
    if path not in FAST and not SLOW:
        pytest.skip("PODCHECK_SLOW=1")
    monkeypatch.chdir(ROOT)
    for engine, por in MODES if SLOW else MODES[:1]:
        expected = _summary(path, engine, por)
        with monkeypatch.context() as m:
            m.setattr(pycompile, "CHUNK", 2)
            m.setattr(pybody, "HOIST_FROM", 1)
            assert _summary(path, engine, por) == expected, (engine, por)
