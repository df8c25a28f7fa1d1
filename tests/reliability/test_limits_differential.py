"""No limited run ever reports "holds" where the full run does not (issue 10).

Every small spec in specs/ is run in full once, then under several `--max-states`,
`--max-depth` and `--timeout` values: a limited run may exit 0 only when the full run
does, and a limited `podcheck test` may pass a spec only when the full suite does.  The
longer variant, over every spec and many more values, is `python bench/limits.py`.
"""

from __future__ import annotations

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


def full(path: str) -> CheckRun:
    """The full run of a small spec.  Bounded at SMALL + 1 states so that a large spec
    stops early instead of being explored to its end: a run that completes under that
    bound explored everything the unbounded run would."""
    return check_file(path, CheckOptions(max_states=SMALL + 1))


def small(run: CheckRun) -> bool:
    return run.complete and run.result is not None and run.result.stats.states <= SMALL


# data/deadlock.pod: no property, a deadlock after 2 steps (issue 10's false "holds")
SPECS = [t.path for t in discover([str(ROOT / "specs")])
         if t.path.endswith(".pod") and not parse_only(t.path)]
SPECS.append(str(Path(__file__).parent / "data" / "deadlock.pod"))


def test_enough_specs_are_small() -> None:
    # the tutorial's seed and liveness specs alone (27 of them were small): the test
    # below skips the specs that are not, so enough must be or it would check nothing
    tutorial = [p for p in SPECS if "/specs/seed/" in p or "/specs/liveness/" in p]
    assert sum(small(full(p)) for p in tutorial) >= 20


@pytest.mark.parametrize("path", SPECS, ids=[str(Path(p).relative_to(ROOT.parent))
                                             for p in SPECS])  # fmt: skip
def test_no_limited_run_claims_more_than_the_full_run(path: str) -> None:
    # one test per spec, so that each spec's full run is made once in the whole suite
    whole = full(path)
    if not small(whole):
        pytest.skip(f"over {SMALL} states: bench/limits.py checks it")
    for name, options in LIMITS.items():
        limited = check_file(path, options)
        if limited.exit_code is ExitCode.OK:
            assert whole.exit_code is ExitCode.OK, name
        if outcome(target(path), limited).status is Status.PASS:
            assert outcome(target(path), whole).status is Status.PASS, name
        if not limited.complete:
            assert limited.exit_code in (ExitCode.VIOLATED, ExitCode.INCONCLUSIVE), name
