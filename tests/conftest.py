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
