"""The pod slots' actions checked as copies of one member's (NOTE(slot-copies),
engine/copies.py): a copy has exactly the slot form and ordered key its walk gives; an
action that differs from its template in one node is no copy, and the symmetry
verification, which then walks it, says what the per-pod check says."""

from __future__ import annotations

from dataclasses import replace

import pytest
from drain_spec import drain_spec

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import copies, pyslots, templates
from podcheck.engine.symmetry import Cause, prepare
from podcheck.ir import TransitionSystem

PER_POD = 21  # the drain spec's actions per pod in runs (test_pyslots: 15 + 3 + 2 + 1)


@pytest.fixture(scope="module")
def drain(tmp_path_factory: pytest.TempPathFactory) -> TransitionSystem:
    spec = drain_spec(tmp_path_factory.mktemp("copies"), 6)
    system = load_and_compile(spec, CheckOptions())[0].value
    assert system is not None
    return system


def _same_as_per_pod(system: TransitionSystem) -> tuple[object, ...]:
    fast, fast_use = prepare(system)
    slow, slow_use = prepare(system, templates=False)
    assert fast_use == slow_use
    assert (None if fast is None else fast.maps) == (None if slow is None else slow.maps)
    return fast_use.broken


def test_every_copy_has_the_form_and_key_its_walk_gives(drain: TransitionSystem) -> None:
    pods = drain.symmetry[0]
    found = copies.copies(drain, pods).of
    assert len(found) == 5 * PER_POD  # every member but the first, every run action
    walker = templates.SlotForms(pods)
    owned = walker.owned(drain.actions, copies.Copies(found))
    keys = pyslots._Keys(pods)
    for c, (t, m) in found.items():
        assert owned[c] == walker.action(drain.actions[c])  # walked, not memoised
        assert owned[c][0] == m and owned[c][1] == owned[t][1]
        walked = keys.action(drain.actions[c].guard, drain.actions[c].updates)
        template = keys.action(drain.actions[t].guard, drain.actions[t].updates)
        assert walked == (m, template[1])


def _replaced(system: TransitionSystem, index: int, guard: ir.Expr) -> TransitionSystem:
    actions = list(system.actions)
    actions[index] = replace(actions[index], guard=guard)
    return replace(system, actions=tuple(actions))


def _restart_of(system: TransitionSystem, pod: str) -> int:
    return next(i for i, a in enumerate(system.actions)
                if a.name == "restart" and ("pod", pod) in a.params)


def test_a_copy_reading_another_members_variable_is_no_copy(drain: TransitionSystem) -> None:
    pods = drain.symmetry[0]
    at = _restart_of(drain, "web-4")
    other = ir.Var(pods.blocks[0][0])  # web-1's `exists`
    broken = _replaced(drain, at, ir.and_(drain.actions[at].guard, other))
    found = copies.copies(broken, pods).of
    assert at not in found  # nor are web-4's other kubelet steps: its run is walked
    assert len(found) == 5 * PER_POD - 15
    why = _same_as_per_pod(broken)
    assert [(b.group, b.cause) for b in why] == [("pods of web", Cause.ACTION)]


def test_a_copy_with_another_constant_is_no_copy(drain: TransitionSystem) -> None:
    pods = drain.symmetry[0]
    at = _restart_of(drain, "web-3")
    own = ir.Var(pods.blocks[2][0])  # web-3's `exists` != 2: true, yet another form
    broken = _replaced(drain, at, ir.and_(drain.actions[at].guard, ir.op("!=", own, 2)))
    assert at not in copies.copies(broken, pods).of
    why = _same_as_per_pod(broken)
    assert [(b.group, b.cause) for b in why] == [("pods of web", Cause.ACTION)]


def test_a_property_naming_one_pod_still_breaks_the_group(drain: TransitionSystem) -> None:
    pods = drain.symmetry[0]
    one = ir.Property("web-2 exists", ir.Expectation.ALWAYS, ir.Var(pods.blocks[1][0]))
    named = replace(drain, properties=(*drain.properties, one))
    assert len(copies.copies(named, pods).of) == 5 * PER_POD  # the actions are copies
    why = _same_as_per_pod(named)
    assert ("pods of web", Cause.PROPERTY, "web-2 exists") in [
        (b.group, b.cause, b.name) for b in why]
