"""The state-space estimate PC303 warns with (NOTE(state-estimate) in podcheck/estimate.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from podcheck import estimate
from podcheck.check import CheckOptions, load_and_compile
from podcheck.diagnostics import codes
from podcheck.spec import NO_SPAN

ROOT = Path(__file__).resolve().parents[2]
# Reachable states of bundled specs (the default run, symmetry on; see their goldens).
STATES = {
    "specs/seed/04-phase.pod": 13,
    "specs/disruptions/delete-once-settled-json.pod": 3,
    "specs/placement/anti-affinity-node-failure.pod": 136,
    "specs/seed/07-slow-starter.pod": 6730,
    "specs/seed/12-drain-pdb.pod": 71001,
    "specs/time/ready-within.pod": 729,
    "specs/placement/spread-zone-failure.pod": 13931,
    "specs/examples/bare-pod.pod": 1211,
}


def system_of(path: str):  # type: ignore[no-untyped-def]
    compiled = load_and_compile(str(ROOT / path), CheckOptions())[0]
    assert compiled.value is not None
    return compiled.value


@pytest.mark.parametrize("path", sorted(STATES))
def test_the_estimate_is_within_the_documented_factors(path: str) -> None:
    system = system_of(path)
    found = estimate.estimate(system)
    bound = sum(math.log10(v.hi - v.lo + 1) for v in system.vars)
    assert found.log10 <= found.unreduced_log10 <= bound
    assert -1.5 <= found.log10 - math.log10(STATES[path]) <= 5.0  # docs/reliability.md


def test_no_bundled_spec_warns_under_the_default_limits() -> None:
    for path in STATES:
        assert estimate.warning(system_of(path), estimate.Limits(), NO_SPAN) is None


def test_the_warning_names_the_binding_limit_and_what_helps() -> None:
    system = system_of("specs/seed/12-drain-pdb.pod")
    found = estimate.warning(system, estimate.Limits(max_states=100, symmetry=False),
                             NO_SPAN)
    assert found is not None and found.code == codes.LARGE_STATE_SPACE
    assert "--max-states 100" in found.message
    assert found.help is not None
    assert "--no-symmetry" in found.help and "fewer nodes" in found.help
    assert "--fingerprint" in found.help and "--max-states" in found.help
    assert estimate.warning(system, estimate.Limits(max_states=10**9), NO_SPAN) is None


def test_the_budget_follows_the_engine_and_the_memory() -> None:
    mib = 2**20
    assert estimate.budget(estimate.Limits(max_states=10, max_memory=mib)) == (
        10, "--max-states 10")
    most, what = estimate.budget(estimate.Limits(max_memory=160 * mib))
    assert most == mib and "160 MiB" in what
    assert estimate.budget(estimate.Limits(max_memory=16 * mib, fingerprint=True))[0] == mib


def test_symmetry_counts_interchangeable_pods_once_per_orbit() -> None:
    # k members of L local states: C(L + k - 1, k) multisets instead of L^k.
    assert estimate._log10_multisets(10, 3) == pytest.approx(math.log10(220))
    assert estimate._log10_multisets(10, 1) == pytest.approx(1.0)
