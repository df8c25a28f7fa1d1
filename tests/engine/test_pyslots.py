"""The slot-table expander (NOTE(slot-table), engine/pyslots.py) and its loops over the
members (NOTE(slot-loops), engine/pyloops.py): the same states, transitions, verdicts,
traces and graph edges as the per-action code, on specs small enough to run both (the
thresholds lowered so that every run and loop is generated as at 10 000 replicas)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from drain_spec import drain_spec

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import bfs, copies, pychunked, pycompile, pyloops, pyslots
from podcheck.engine.bfs import BfsOptions
from podcheck.ir import TransitionSystem

ROOT = Path(__file__).resolve().parents[2]
SLOW = os.environ.get("PODCHECK_SLOW") == "1"
FAST = ["specs/examples/controllers.pod"]
ALL = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*/*.pod"))
PARAMS = [*FAST, *(pytest.param(p, marks=pytest.mark.slow) for p in ALL if p not in FAST)]


def _drain(tmp_path: Path, replicas: int) -> TransitionSystem:
    spec = drain_spec(tmp_path, replicas)
    system = load_and_compile(spec, CheckOptions())[0].value
    assert system is not None
    return system


def _lowered(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setattr(pycompile, "CHUNK", 16)
    monkeypatch.setattr(pyslots, "SLOTS_FROM", 0 if on else 10**9)
    monkeypatch.setattr(pyloops, "MIN_LOOP", 3)


def _summary(system: TransitionSystem, options: BfsOptions) -> tuple[object, ...]:
    result, graph = bfs.explore(system, options)
    stats = result.stats
    traces = tuple((r.name, r.verdict, None if r.trace is None else
                    tuple((s.action, s.state) for s in r.trace.steps))
                   for r in result.results)  # fmt: skip
    edges = None if graph is None else [list(graph.edges[i]) for i in range(len(graph.states))]
    return stats.states, stats.transitions, stats.complete, traces, edges


@pytest.mark.parametrize("options", [
    BfsOptions(max_states=300), BfsOptions(max_states=300, symmetry=False),
    BfsOptions(max_states=300, keep_graph=True, symmetry=False),
])  # fmt: skip
def test_the_slot_table_explores_what_the_per_action_code_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: BfsOptions) -> None:
    system = _drain(tmp_path, 5)
    with monkeypatch.context() as m:
        _lowered(m, False)
        expected = _summary(system, options)
    _lowered(monkeypatch, True)
    assert _summary(system, options) == expected


def test_a_violation_found_through_the_table_has_the_same_trace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "specs/disruptions/node-failure-from-start.pod").read_text("utf-8")
    spec = tmp_path / "three.pod"
    spec.write_text(text.replace("replicas: 1", "replicas: 3"), encoding="utf-8")
    system = load_and_compile(str(spec), CheckOptions())[0].value
    assert system is not None
    for options in (BfsOptions(max_states=3000), BfsOptions(max_states=3000, symmetry=False)):
        with monkeypatch.context() as m:
            _lowered(m, False)
            expected = _summary(system, options)
        assert any(trace for _, _, trace in expected[3])  # no-deadlock is violated
        with monkeypatch.context() as m:
            _lowered(m, True)
            assert pyslots.plan(system) is not None
            assert _summary(system, options) == expected


def test_a_pod_action_unlike_its_template_explores_as_per_action(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = _drain(tmp_path, 4)  # web-3's restart also reads web-1's `exists`: no copy
    at = next(i for i, a in enumerate(system.actions)
              if a.name == "restart" and ("pod", "web-3") in a.params)
    guard = ir.and_(system.actions[at].guard, ir.Var(system.symmetry[0].blocks[0][0]))
    actions = (*system.actions[:at], replace(system.actions[at], guard=guard),
               *system.actions[at + 1:])
    changed = replace(system, actions=actions)
    assert at not in copies.copies(changed, changed.symmetry[0]).of
    options = BfsOptions(max_states=200, symmetry=False)
    with monkeypatch.context() as m:
        _lowered(m, False)
        expected = _summary(changed, options)
    _lowered(monkeypatch, True)
    plan = pyslots.plan(changed)
    assert plan is not None and not any(r.first <= at < r.stop for r in plan.runs)
    assert _summary(changed, options) == expected


def test_the_plan_covers_every_pod_action_but_the_creations(tmp_path: Path) -> None:
    system = _drain(tmp_path, 4)
    plan = pyslots.plan(system)
    assert plan is not None
    # per pod: 15 kubelet steps, 3 binds, 2 evictions, 1 taint eviction; the create
    # guards compare with each slot's own ordinal and stay per action
    assert [(r.width, r.members) for r in plan.runs] == [
        (15, (0, 1, 2, 3)), (3, (0, 1, 2, 3)), (2, (0, 1, 2, 3)), (1, (0, 1, 2, 3))]
    assert plan.covered == 4 * 21
    labels = {system.actions[a].name for a in range(len(system.actions))
              if not any(r.first <= a < r.stop for r in plan.runs)}
    assert "create_pod" in labels and "time_passes" in labels


def test_the_generated_source_no_longer_grows_with_the_pod_actions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _lowered(monkeypatch, True)
    sizes = []
    for n in (10, 40):
        system = _drain(tmp_path, n)
        plan = pyslots.plan(system)
        flagged = [p.condition for p in system.properties if p.condition is not None]
        sizes.append(sum(map(len, pycompile._chunked_sources(
            system, pycompile.Packing.of(system), flagged, False, {}, plan))))
    assert sizes[1] < 2.5 * sizes[0]  # 4x the pods; per action it is 4x the source


def test_loop_shape_finds_stretches_of_one_width_per_member(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyloops, "MIN_LOOP", 3)
    parts = [(-1, 7), (0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2), (-1, 9)]
    assert pyloops.shape("or", parts) == ((1, 7, (0, 1, 2), 2),)
    assert pyloops.shape("-", parts) is None  # not associative and commutative
    assert pyloops.shape("+", [(0, 1), (1, 1), (2, 5), (3, 1)]) is None  # keys differ
    assert pyloops.shape("+", [(0, 1), (1, 1), (0, 1)]) is None  # a member twice
    two = [(0, 1), (1, 1), (2, 1), (-1, 4), (0, 3), (1, 3), (2, 3)]
    assert pyloops.shape("and", two) == ((0, 3, (0, 1, 2), 1), (4, 7, (0, 1, 2), 1))


@pytest.mark.parametrize("path", PARAMS)
def test_every_spec_explores_the_same_through_the_table(
        path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if path not in FAST and not SLOW:
        pytest.skip("PODCHECK_SLOW=1")
    monkeypatch.chdir(ROOT)
    compiled = load_and_compile(path, CheckOptions())[0]
    if compiled.value is None:
        pytest.skip("does not compile (a diagnostics spec)")
    system = compiled.value
    for options in (BfsOptions(max_states=400), BfsOptions(max_states=400, symmetry=False)):
        with monkeypatch.context() as m:
            _lowered(m, False)
            expected = _summary(system, options)
        with monkeypatch.context() as m:
            _lowered(m, True)
            assert _summary(system, options) == expected, options


def test_the_actions_code_is_kept_between_expanders_of_one_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(code-cache): an expander built again with fewer flagged conditions (as
    `bfs._search` does when one is met) reuses the plan and the actions' code; another
    system builds its own."""
    _lowered(monkeypatch, True)
    system = _drain(tmp_path, 4)
    packing = pycompile.Packing.of(system)
    flagged = [p.condition for p in system.properties if p.condition is not None]
    built: list[object] = []
    real = pychunked._action_codes
    monkeypatch.setattr(pychunked, "_action_codes",
                        lambda *a: built.append(a) or real(*a))  # type: ignore[func-returns-value]
    first = pycompile._expander_factory(system, packing, flagged, False)
    again = pycompile._expander_factory(system, packing, (), False)
    assert len(built) == 1 and first is not again
    pycompile._expander_factory(replace(system), packing, (), False)
    assert len(built) == 2  # an equal system, another object: built again
