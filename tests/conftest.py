"""Shared pytest options: `--update-goldens` rewrites every golden file a test compares."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files (specs/**/*.expected, tests/**/golden/*) instead of comparing",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when goldens should be rewritten (flag or PODCHECK_UPDATE_GOLDENS=1)."""
    flag = bool(request.config.getoption("--update-goldens"))
    return flag or os.environ.get("PODCHECK_UPDATE_GOLDENS") == "1"


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--update-goldens"):
        os.environ["PODCHECK_UPDATE_GOLDENS"] = "1"


# The heaviest parameters of tests that run every spec, or every count, in one process:
# each is several seconds to a minute of CPU, their neighbours (the other specs, the
# other counts) cover the same code, and CI has 15 minutes on 2 cores.  They run with
# PODCHECK_SLOW=1, like the tests marked `slow` in their own files.
HEAVY = {
    "tests/engine/test_vector.py::test_every_spec_agrees_with_bfs[specs/symbolic/fit-drain.pod]",
    "tests/engine/test_vector.py::test_every_spec_agrees_with_bfs"
    "[specs/symbolic/tune-min-available.pod]",
    "tests/engine/test_vector.py::test_every_spec_agrees_with_bfs[specs/examples/deployment-drain.pod]",
    "tests/engine/test_vector.py::test_every_spec_agrees_with_bfs"
    "[specs/rollouts/anti-affinity-drain-deadlock.pod]",
    "tests/engine/test_smt_engines.py::test_bmc_agrees_with_bfs[rollouts/anti-affinity-drain-deadlock]",
    "tests/engine/test_symmetry_specs.py::test_symmetry_never_changes_a_safety_verdict"
    "[specs/rollouts/anti-affinity-drain-deadlock.pod]",
    "tests/engine/test_bfs_twins.py::test_a_dsl_spec_agrees[specs/examples/deployment-drain.pod]",
    "tests/engine/test_counter_rollout.py::test_range_proofs_agree_with_bfs_at_every_count[25-25-min50]",
    "tests/reliability/test_limits_differential.py::test_no_limited_run_claims_more_than_the_full_run"
    "[max-depth=3]",
    "tests/engine/test_por.py::test_por_never_changes_a_verdict_or_a_trace_of_a_small_spec"
    "[specs/replicas/hpa-range-pdb.pod]",
    "tests/manifests/test_param_annotations.py::"
    "test_the_printed_patch_applied_makes_every_property_hold[tune-fixed-startup.pod]",
    "tests/engine/test_pdr_agreement.py::test_pdr_agrees_with_bfs[seed/10-emptydir]",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = os.environ.get("PODCHECK_SLOW") == "1"
    for item in items:
        if item.nodeid in HEAVY:
            item.add_marker(pytest.mark.slow)
            if not slow:
                item.add_marker(pytest.mark.skip(reason="slow: PODCHECK_SLOW=1 runs it"))
