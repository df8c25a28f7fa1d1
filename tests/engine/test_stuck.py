"""Liveness violations found on the fly (engine/stuck.py) agree with the full checker.

Whenever the scan reports a stuck state, `liveness.check_liveness` on the complete graph
says VIOLATED and the scan's lasso is a valid one (tests/engine/test_liveness.py's
independent `assert_valid_lasso`); a property the full checker proves is never reported.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest
from b1_ir import b1_system
from test_liveness import (
    always_eventually,
    assert_valid_lasso,
    eventually,
    leads_to,
    random_set,
    random_system,
)
from test_vector import SPECS

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import stuck
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import check_liveness
from podcheck.engine.npcompile import Unsupported
from podcheck.engine.result import LIVENESS, Stutter, Verdict
from podcheck.ir import Expectation

ROOT = Path(__file__).resolve().parents[2]


def assert_agrees(system: ir.TransitionSystem) -> int:
    """The scan's findings are violations of the full checker; how many it found."""
    scan = stuck.scan_liveness(system)
    _, graph = explore(system, BfsOptions(keep_graph=True))
    assert graph is not None
    for i, prop in enumerate(system.properties):
        if prop.expectation not in LIVENESS:
            assert i not in scan.results
            continue
        full = check_liveness(graph, prop)
        found = scan.results.get(i)
        if found is not None:
            assert full.verdict is Verdict.VIOLATED, prop.name
            assert found.verdict is Verdict.VIOLATED and found.trace is not None
            assert_valid_lasso(found.trace, prop)
            assert found.trace.loop_action is None  # a stuck state: the run stutters
        elif scan.complete and prop.expectation is Expectation.ALWAYS_EVENTUALLY:
            # no stuck not-P state anywhere: a violation, if any, is a fair cycle
            assert full.verdict is Verdict.HOLDS or full.trace.loop_action is not None
    return len(scan.results)


@pytest.mark.parametrize("path", [p for p in SPECS if "liveness" in p])
def test_every_liveness_spec_agrees_with_the_full_checker(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    system = load_and_compile(path, CheckOptions())[0].value
    assert system is not None
    try:
        assert_agrees(system)
    except Unsupported:
        pytest.skip("the vector engine cannot encode this system")


@pytest.mark.parametrize("seed", range(4))
def test_random_systems_agree_with_the_full_checker(seed):
    rng = random.Random(seed)
    found = 0
    for _ in range(40):
        base = random_system(rng)
        n = base.vars[0].hi + 1
        props = (eventually(random_set(rng, n)), leads_to(random_set(rng, n), random_set(rng, n)),
                 always_eventually(random_set(rng, n)))  # fmt: skip
        found += assert_agrees(dataclasses.replace(base, properties=props))
    assert found > 10  # the generator produces stuck states


@pytest.mark.parametrize(("n", "k"), [(2, 2), (3, 3), (4, 4), (3, 2), (2, 0), (3, 0)])
def test_b1_drain_completes(n, k):
    system = b1_system(n, 2, k)
    assert_agrees(system)


def test_a_stuck_drain_is_found_before_the_space_is_explored():
    system = b1_system(6, 2, 6)
    scan = stuck.scan_liveness(system)
    drains = [i for i, p in enumerate(system.properties) if p.name.startswith("DrainCompletes")]
    assert set(drains) <= set(scan.results) and not scan.complete
    total, _ = explore(system, BfsOptions())
    assert scan.checked < total.stats.states
    result = scan.results[drains[0]]
    assert result.reason.stutter is Stutter.NO_FAIR_ACTION and result.trace.length == 1


def test_a_held_drain_explores_everything_and_reports_nothing():
    system = b1_system(3, 2, 0)
    scan = stuck.scan_liveness(system)
    assert scan.complete and not any(
        system.properties[i].name.startswith("DrainCompletes") for i in scan.results)


def test_eventually_is_left_to_the_full_checker():
    system = dataclasses.replace(b1_system(2, 2, 2), properties=(eventually(ir.FALSE),))
    assert stuck.stuck_condition(system, system.properties[0]) is None
    assert stuck.scan_liveness(system).results == {}
