"""Checking a spec group by group, exploration by exploration.

Stage: a driver helper of `podcheck.check.check_path`.  Consumes a loaded spec (from
manifests or a `.pod` file), the run's options and the function that runs one
exploration; produces one `CheckRun` per exploration: one per independent group of
workloads (NOTE(independent-workloads) in `podcheck/manifests/groups.py`), and within a
group one without the kubelet's back-off reset and one for `no-crash-loop` with it when
only that check reads it.  `--timeout` bounds them all together.

NOTE(settled-reset): an exploration that keeps the reset compiles the reset of a
container that can no longer exit in its pod instance untimed (`ModelOptions.
settled_reset`, docs/semantics.md "The back-off reset of a settled container").  Every
run of the exact model is then a run of the reduced one, so `holds` carries over; a
`violated` `no-crash-loop` might not, and the exploration is then run again exactly,
whose verdicts are the ones reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from podcheck.diagnostics import Diagnostic, Severity, StageResult
from podcheck.diagnostics import codes as c
from podcheck.engine.result import Verdict
from podcheck.lang.check import Loaded as LangLoaded
from podcheck.lang.check import LoadOptions, load_with_sources
from podcheck.limits import Stopped, Watch, watching
from podcheck.manifests import Loaded
from podcheck.manifests.groups import (
    CRASH_LOOP,
    Exploration,
    explorations,
    group_note,
    independent_groups,
)
from podcheck.model.containers import may_settle
from podcheck.run import CheckRun
from podcheck.spec import CheckedSpec

RunOne = Callable[[float | None, bool, bool, Loaded], CheckRun]
"""Runs one exploration: (seconds left or None, back-off reset, settled reset, spec)."""


def check_groups(spec: CheckedSpec, head: Sequence[Diagnostic], sources: Mapping[str, str],
                 checks: tuple[str, ...] | None, timeout: float | None,
                 backoff_reset: bool, run: RunOne) -> list[CheckRun]:
    """Every exploration of every group of `spec`, in order; `head` (the loader's
    diagnostics) goes with the first, each group's PC414 note with its first;
    the `sources` texts with each; `checks` narrows the built-in checks (None: the spec's
    properties)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    groups = independent_groups(spec, checks)
    runs: list[CheckRun] = []
    for i, group in enumerate(groups):
        notes: tuple[Diagnostic, ...] = (group_note(i, groups),) if len(groups) > 1 else ()
        ways = explorations(group) if backoff_reset else (Exploration(group, False),)
        for way in ways:
            told = (*head, *notes, *(() if way.note is None else (way.note,)))
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            part = Loaded(StageResult(way.spec, told), sources)
            runs.append(_exploration(way, part, left, run, deadline))
            head = notes = ()
    return runs


def _exploration(way: Exploration, part: Loaded, left: float | None, run: RunOne,
                 deadline: float | None) -> CheckRun:
    """One exploration; with the settled reset, again exactly when `no-crash-loop`
    is violated (NOTE(settled-reset))."""
    settled = way.settled_reset and _settles(way.spec)
    found = run(left, way.backoff_reset, settled, part)
    if not (settled and _loop_violated(found)):
        return found
    again = Loaded(StageResult(part.result.value, (*part.result.diagnostics, exact_note())),
                   part.sources)
    left = None if deadline is None else max(0.0, deadline - time.monotonic())
    return run(left, way.backoff_reset, False, again)


def _settles(spec: CheckedSpec) -> bool:
    return any(may_settle(x) for w in spec.workloads
               for x in (*w.template.initContainers, *w.template.containers))


def _loop_violated(found: CheckRun) -> bool:
    result = found.result
    return result is not None and any(
        r.name == CRASH_LOOP and r.verdict is Verdict.VIOLATED for r in result.results)


def exact_note() -> Diagnostic:
    """The PC414 note of an exploration run again with the reset timed everywhere."""
    return Diagnostic(
        c.ZERO_CONFIG_DEFAULTS, Severity.NOTE,
        f"`{CRASH_LOOP}` was violated with the back-off reset of settled containers "
        "untimed: explored again with every reset 10 minutes after its restart, as the "
        "kubelet does")


def narrowed(loaded: LangLoaded, checks: Sequence[str]) -> LangLoaded:
    """A loaded `.pod` spec with only the properties `checks` names (`--check`; all of
    them when it names none) and their expectations."""
    spec = loaded.result.value
    if not checks or spec is None:
        return loaded
    kept = tuple(p for p in spec.properties if p.name in checks)
    expects = tuple(e for e in spec.expects if e.property in checks)
    value = replace(spec, properties=kept, expects=expects)
    return LangLoaded(StageResult(value, loaded.result.diagnostics), loaded.sources)


def preload(path: str, max_input_size: int, timeout: float | None,
            max_memory: int | None) -> LangLoaded | None:
    """The `.pod` spec at `path` loaded within the run's limits, to see whether it
    splits; None when a limit or Ctrl-C stopped the load (the run then loads it again
    and reports the stop as every run does)."""
    try:
        with watching(Watch.of(timeout, max_memory)):
            return load_with_sources(path, LoadOptions(max_input_size=max_input_size))
    except (Stopped, MemoryError):
        return None
