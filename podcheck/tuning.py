"""The driver behind `podcheck tune SPEC --param NAME`.

Stage: a driver, like `podcheck.check`.  Loads and compiles the spec or the manifests
(`check`'s front ends and their `ManifestOptions`; every point of its
parameters, `engine.params`), picks the parameter `NAME` names (its full dotted name or
a dotted suffix such as `failureThreshold`), runs `engine.tune.tune` and returns a
`TuneRun` the renderer `report.tune` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podcheck.check import CheckOptions, load_and_compile
from podcheck.diagnostics import Diagnostic, Severity, codes
from podcheck.engine.params import parametric_of
from podcheck.engine.result import Limit
from podcheck.engine.smt_values import Deadline
from podcheck.engine.tune import TuneOptions, Tuning, tune
from podcheck.exitcodes import ExitCode
from podcheck.limits import Stopped, Watch, watching
from podcheck.manifests import ManifestOptions
from podcheck.spec.params import matches


@dataclass(frozen=True, slots=True)
class TuneRun:
    """One `tune` run: the spec's diagnostics, its sources, and the tuning (None after
    errors)."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]
    tuning: Tuning | None = None
    stopped: Limit | None = None  # a limit stopped the load or the compile (PC502)

    @property
    def exit_code(self) -> ExitCode:
        """OK when some value makes every property hold, VIOLATED when none does,
        INCONCLUSIVE when none does but a value was left undecided or when the budget
        (`--timeout`) ran out with values left, INPUT_ERROR without a tuning."""
        if self.tuning is None:
            return ExitCode.INPUT_ERROR if self.stopped is None else ExitCode.INCONCLUSIVE
        if self.tuning.stopped is not None:  # the set of holding values is not complete
            return ExitCode.INCONCLUSIVE
        if self.tuning.holding():
            return ExitCode.OK
        undecided = any(v.undecided for v in self.tuning.values)
        return ExitCode.INCONCLUSIVE if undecided else ExitCode.VIOLATED


def _no_param(name: str, known: list[str]) -> Diagnostic:
    listed = ", ".join(f"`{k}`" for k in known) or "none (write an int field as `lo..hi`)"
    return Diagnostic(codes.UNKNOWN_OBJECT_FIELD, Severity.ERROR,
                      f"no parameter `{name}` in the spec (or more than one)",
                      help=f"the spec's parameters are {listed}")  # fmt: skip


def tune_file(path: str, name: str, options: TuneOptions,
              manifests: ManifestOptions | None = None) -> TuneRun:
    """Tune the parameter `name` of the spec or manifests at `path` (module doc; the
    manifests read with `manifests`, the defaults of `check` without)."""
    watch = Watch.of(_seconds(options.deadline), None)
    try:
        with watching(watch):  # the load and the compile stop at the budget
            compiled, sources, spec = load_and_compile(
                path, CheckOptions(manifests=manifests or ManifestOptions()), watch)
    except Stopped as stop:
        return TuneRun(path, (stopped_before(stop.limit, "tune"),), {}, stopped=stop.limit)
    if not compiled.ok or compiled.value is None or spec is None:
        return TuneRun(path, compiled.diagnostics, sources)
    chosen = [i for i, p in enumerate(spec.params) if matches(p, name)]
    if len(chosen) != 1:
        problem = _no_param(name, [p.name for p in spec.params])
        return TuneRun(path, (*compiled.diagnostics, problem), sources)
    merged = parametric_of(compiled.value, spec.params)
    return TuneRun(path, compiled.diagnostics, sources, tune(merged, chosen[0], options))


def _seconds(deadline: Deadline | None) -> float | None:
    left = None if deadline is None else deadline.left()
    return None if left is None else max(0.0, left)


def stopped_before(limit: Limit, command: str) -> Diagnostic:
    """PC502 for a `tune`, `fit` or `counts` run a limit stopped before any verdict."""
    return Diagnostic(codes.RUN_STOPPED, Severity.WARNING,
                      f"the run stopped ({limit.value}) while loading the spec, before any "
                      "verdict", help=f"raise `podcheck {command} --timeout`")  # fmt: skip
