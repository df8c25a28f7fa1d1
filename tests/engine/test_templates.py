"""Per-template symmetry verification (NOTE(slot-templates), engine/templates.py): the
groups used, the groups dropped (and why) and the generators' action maps are those of
the per-pod check, on specs and on IR that is not of template shape (the fallback)."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import templates, vacancy
from podcheck.engine.symmetry import Broken, Cause, images, prepare, verify
from podcheck.ir import Fairness, Op, SymmetryGroup, TransitionSystem, Var

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*/*.pod"))
SAMPLE = SPECS[::12]  # in CI; every spec with PODCHECK_SLOW=1
SLOW = os.environ.get("PODCHECK_SLOW") == "1"


def _compiled(path: str) -> TransitionSystem | None:
    compiled, _, _ = load_and_compile(str(ROOT / path), CheckOptions())
    return compiled.value


def _same_as_per_pod(system: TransitionSystem) -> None:
    for liveness in (False, True):
        fast, fast_use = prepare(system, liveness=liveness)
        slow, slow_use = prepare(system, liveness=liveness, templates=False)
        assert fast_use == slow_use
        assert (fast is None) == (slow is None)
        if fast is not None and slow is not None:
            assert fast.groups == slow.groups
            assert fast.maps == slow.maps


@pytest.mark.parametrize("path", SPECS)
def test_the_groups_and_maps_are_the_per_pod_ones_on_the_specs(path: str) -> None:
    if path not in SAMPLE and not SLOW:
        pytest.skip("slow: PODCHECK_SLOW=1 runs every spec")
    system = _compiled(path)
    if system is not None and system.symmetry:
        _same_as_per_pod(system)


def _drain(replicas: int) -> TransitionSystem:
    """bench/compile.py's measured spec (a PDB, a rolling drain, a node failure)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from compile import spec_text
    finally:
        sys.path.remove(str(ROOT / "bench"))
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "web.pod"
        spec.write_text(spec_text(replicas, True), encoding="utf-8")
        got, _, _ = load_and_compile(str(spec), CheckOptions())
    assert got.value is not None
    return got.value


def test_the_benchmarked_drain_spec_is_checked_per_template() -> None:
    system = _drain(12)
    pods = system.symmetry[0]
    assert pods.name == "pods of web" and len(pods.blocks) == 12
    relaxed = vacancy.relaxed(system, pods)
    conds = [p.condition for p in system.properties]
    assert templates.generator_maps(templates.SlotForms(pods), relaxed, system.terminal, conds,
                                    [[1, 0, *range(2, 12)], [*range(1, 12), 0]]) is not None
    _same_as_per_pod(system)


# Hand-built IR: three members of one variable each (0, 1, 2) and a shared counter (3).
X = (0, 1, 2)
GROUP = SymmetryGroup("xs", ((0,), (1,), (2,)))


def _system(*actions: ir.Action, prop: ir.Expr = ir.TRUE) -> TransitionSystem:
    layout = tuple(ir.StateVar(f"x{i}", 0, 2) for i in X) + (ir.StateVar("c", 0, 9),)
    always = ir.Property("p", ir.Expectation.ALWAYS, prop)
    return TransitionSystem("t", layout, ((0, 0, 0, 0),), tuple(actions), (always,),
                            symmetry=(GROUP,))


def _step(i: int) -> ir.Action:
    """Member i steps from 0 to 1 while the sum of all members is below 2."""
    total = Op("+", tuple(Var(j) for j in X))
    guard = ir.and_(ir.eq(Var(i), 0), ir.op("<", total, 2))
    updates = ((i, ir.Const(1)), (3, ir.op("+", Var(3), 1)))
    return ir.Action("step", (("x", str(i)),), guard, updates, f"x{i} steps", "kubelet")


def _pair(i: int, j: int) -> ir.Action:
    """Members i and j, when equal, both move to 2: reads two members (not a template)."""
    guard = ir.eq(Var(i), Var(j))
    return ir.Action("pair", (("x", f"{i}{j}"),), guard, ((i, ir.Const(2)), (j, ir.Const(2))),
                     f"x{i} and x{j}", "kubelet", Fairness.NONE)


def _maps(system: TransitionSystem) -> tuple[list[int], ...] | None:
    return templates.generator_maps(templates.SlotForms(GROUP), system.actions, system.terminal,
                                    [p.condition for p in system.properties],
                                    [[1, 0, 2], [1, 2, 0]])


def test_slot_actions_and_an_aggregate_are_one_template() -> None:
    system = _system(*(_step(i) for i in X))
    assert _maps(system) == ([1, 0, 2], [1, 2, 0])
    _same_as_per_pod(system)


def test_an_action_reading_two_members_falls_back_to_the_per_pod_check() -> None:
    system = _system(*(_step(i) for i in X), _pair(0, 1), _pair(1, 2), _pair(0, 2))
    assert _maps(system) is None  # not of template shape
    record: dict[str, tuple[list[int], ...]] = {}
    assert verify(system, GROUP, record=record) is None  # yet symmetric: the per-pod check
    _same_as_per_pod(system)


def test_a_missing_slot_action_is_refused_and_the_per_pod_check_says_which() -> None:
    system = _system(_step(0), _step(1))
    assert _maps(system) is None
    assert verify(system, GROUP) == Broken("xs", Cause.ACTION, "x1 steps")
    _same_as_per_pod(system)


def test_a_property_naming_one_member_falls_back() -> None:
    system = _system(*(_step(i) for i in X), prop=ir.op("<=", Var(0), 1))
    assert _maps(system) is None
    assert verify(system, GROUP) == Broken("xs", Cause.PROPERTY, "p")
    _same_as_per_pod(system)


def test_an_aggregate_over_some_members_only_falls_back() -> None:
    part = ir.op("<=", Op("+", (Var(0), Var(1))), 1)
    system = _system(*(_step(i) for i in X), prop=part)
    assert _maps(system) is None
    assert verify(system, GROUP) == Broken("xs", Cause.PROPERTY, "p")


def test_the_node_group_is_checked_on_the_pod_template() -> None:
    system = _drain(6)
    pods, nodes = system.symmetry
    assert nodes.references
    walker = templates.SlotForms(pods)
    conds = [p.condition for p in system.properties]
    gens = [[1, 0, 2], [1, 2, 0]]
    maps = templates.commuting_maps(nodes, walker, system.actions, system.terminal, conds, gens)
    assert maps is not None
    assert maps == tuple(images(nodes, system.actions, perm) for perm in gens)


def test_without_a_pod_template_the_node_group_falls_back_to_the_per_pod_check() -> None:
    system = _drain(6)
    pods, nodes = system.symmetry
    drop = next(i for i, a in enumerate(system.actions)
                if a.name == "restart" and ("pod", "web-2") in a.params)
    broken = replace(system, actions=system.actions[:drop] + system.actions[drop + 1:])
    conds = [p.condition for p in broken.properties]
    assert templates.commuting_maps(nodes, templates.SlotForms(pods), broken.actions,
                                    broken.terminal, conds, [[1, 0, 2], [1, 2, 0]]) is None
    _, use = prepare(broken)
    assert use.used == (("nodes", 3),)  # the per-pod check still verifies the nodes
    assert use.broken[0].group == "pods of web"
    _same_as_per_pod(broken)
