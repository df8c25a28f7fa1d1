"""No limited run ever reports "holds" where the full run does not (issue 10).

Every small spec in specs/ is run in full once, then under several `--max-states`,
`--max-depth` and `--timeout` values: a limited run may exit 0 only when the full run
does, and a limited `podcheck test` may pass a spec only when the full suite does.  The
longer variant, over every spec and many more values, is `python bench/limits.py`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file
from podcheck.exitcodes import ExitCode
from podcheck.run import CheckRun, Status
from podcheck.suite import discover, outcome, parse_only, target

ROOT = Path(__file__).resolve().parents[2]
SMALL = 2_000  # states: specs above this are left to bench/limits.py
LIMITS = {f"max-states={n}": CheckOptions(max_states=n) for n in (1, 2, 7, 60)} | {
    f"max-depth={d}": CheckOptions(max_depth=d) for d in (0, 1, 3)} | {
    "timeout=0": CheckOptions(timeout_seconds=0.0)}


@cache
def full(path: str) -> CheckRun:
    """The full run of a small spec.  Bounded at SMALL + 1 states so that a large spec
    stops early instead of being explored to its end: a run that completes under that
    bound explored everything the unbounded run would (`small_specs` keeps only those)."""
    return check_file(path, CheckOptions(max_states=SMALL + 1))


def small_specs() -> list[str]:
    # data/deadlock.pod: no property, a deadlock after 2 steps (issue 10's false "holds")
    specs = [t.path for t in discover([str(ROOT / "specs")])
             if t.path.endswith(".pod") and not parse_only(t.path)]
    specs.append(str(Path(__file__).parent / "data" / "deadlock.pod"))
    return [p for p in specs
            if full(p).complete and (r := full(p).result) is not None and r.stats.states <= SMALL]


def test_enough_specs_are_small() -> None:
    assert len(small_specs()) >= 20


@pytest.mark.parametrize("name", LIMITS)
def test_no_limited_run_claims_more_than_the_full_run(name: str) -> None:
    options = LIMITS[name]
    for path in small_specs():
        limited, whole = check_file(path, options), full(path)
        assert whole.complete
        if limited.exit_code is ExitCode.OK:
            assert whole.exit_code is ExitCode.OK, path
        if outcome(target(path), limited).status is Status.PASS:
            assert outcome(target(path), whole).status is Status.PASS, path
        if not limited.complete:
            assert limited.exit_code in (ExitCode.VIOLATED, ExitCode.INCONCLUSIVE), path
