"""Per-value verdicts of a symbolic run over one parameter of a merged system: at which
replica counts of a range each property fails, and at which it holds.

Stage: `podcheck.engine`.  Consumes a merged parametric system (`engine.params`), the
index of one parameter, the whole-range `CheckResult` a symbolic engine found for it and
the engine's name; produces that result with a `CountVerdicts` on every property that did
not hold for the whole range.

The parameters are frozen state variables, so the runs of the merged system that start
at value `v` are exactly those of the spec at `v` (NOTE(param-merge)): `restrict` keeps
those initial states, and one symbolic run per value decides every property there.  A
property the whole-range run proved holds at every value and needs no per-value run
(NOTE(per-count-runs) in `podcheck/replica_ranges.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from podcheck.engine.params import Parametric, restrict
from podcheck.engine.result import CheckResult, CountVerdicts, Verdict
from podcheck.engine.symbolic import SymbolicOptions, run_symbolic


def needs_counts(result: CheckResult) -> bool:
    """True when some property did not hold for the whole range."""
    return any(r.verdict is not Verdict.HOLDS for r in result.results)


def per_value(merged: Parametric, index: int, result: CheckResult, engine: str,
              should_stop: Callable[[], bool] | None = None,
              depth: int | None = None) -> CheckResult:  # fmt: skip
    """`result` with the per-value verdicts of parameter `index` (one `engine` run per
    value, `depth` its bound) on each property that did not hold; `result` itself when
    every property held.  `should_stop` is polled before every Z3 query (then the
    later values are undecided)."""
    if not needs_counts(result):
        return result
    param = merged.params[index]
    wanted = [i for i, r in enumerate(result.results) if r.verdict is not Verdict.HOLDS]
    table: dict[int, list[tuple[int, Verdict]]] = {i: [] for i in wanted}
    options = replace(SymbolicOptions.of(engine, depth, None), check_deadlock=False,
                      should_stop=should_stop)
    for value in param.values:
        system = restrict(merged, index, [value])
        if not system.init:
            continue  # a value no point of the spec takes (a bounded range)
        found = run_symbolic(system, options).results
        for i in wanted:
            table[i].append((value, found[i].verdict))
    results = list(result.results)
    for i, row in table.items():
        shown = results[i].trace
        at = None if shown is None else shown.steps[0].state[merged.param_vars[index]]
        results[i] = replace(results[i], counts=(*results[i].counts, CountVerdicts(
            param.field,
            tuple(v for v, x in row if x is Verdict.VIOLATED),
            tuple(v for v, x in row if x is Verdict.HOLDS),
            tuple(v for v in param.values if (v, Verdict.VIOLATED) not in row
                  and (v, Verdict.HOLDS) not in row), engine, at)))
    return replace(result, results=tuple(results))
