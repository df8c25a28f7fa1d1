"""`podcheck tune`: the values of one parameter for which every property holds.

Stage: `podcheck.engine`.  Consumes a merged parametric system (`engine.params`) and
the index of the parameter to tune; produces a `Tuning`: per value whether every
property of the spec holds there (for every value of the other parameters), which
property fails otherwise, and which engine decided it.  Expectations (`expect`) are not
read: the question is where the properties hold.

NOTE(tune-method): when every property is a safety property (`always`), Z3 answers
first: Spacer (`pdr`) runs on the system restricted to the values still in doubt; a run
it finds names a failing value (its first state's parameter), which is dropped, and
Spacer runs again; a proof covers every value left.  A `sometimes` or liveness property,
or a Spacer answer of unknown, leaves the values to per-point BFS (the explicit
reference, with the liveness check on its complete graph).  Each value records which.

NOTE(whole-run-budget) (`TuneOptions.deadline`: `--timeout`, from the start of the
process): every Spacer run and every BFS point runs within what is left of it (Spacer
also within `z3_seconds`, `--query-timeout`); once it is spent no run starts, and the
values not decided by then are `undecided` with `Method.NONE`, the tuning `stopped`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from podcheck.engine import pycompile
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import check_liveness
from podcheck.engine.params import Parametric, restrict
from podcheck.engine.result import Limit, Trace, Verdict
from podcheck.engine.smt_values import Deadline
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic
from podcheck.ir import Expectation, Expr, State, TransitionSystem
from podcheck.spec.params import Param


class Method(enum.StrEnum):
    """Which engine decided a value."""

    Z3 = "z3 (pdr)"
    BFS = "bfs per point"
    NONE = "none (the --timeout budget ran out first)"


@dataclass(frozen=True, slots=True)
class ValueVerdict:
    """One value: every property holds there, or the first that does not (by name)."""

    value: int
    holds: bool
    method: Method
    failing: str | None = None
    undecided: bool = False  # a limit stopped BFS at this value: neither holds nor fails
    trace: Trace | None = None  # the failing property's run (the witness), when kept


@dataclass(frozen=True, slots=True)
class Tuning:
    """The answer of `tune`: per value of `param`, in increasing order."""

    param: Param
    values: tuple[ValueVerdict, ...]
    stopped: Limit | None = None  # the budget ran out with values left (NOTE(whole-run-budget))

    def holding(self) -> tuple[tuple[int, int], ...]:
        """The values where everything holds, as maximal intervals `(lo, hi)`."""
        return intervals([v.value for v in self.values if v.holds])


def intervals(values: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Sorted integers as maximal runs of consecutive values."""
    runs: list[tuple[int, int]] = []
    for v in sorted(values):
        if runs and runs[-1][1] == v - 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    return tuple(runs)


@dataclass(frozen=True, slots=True)
class TuneOptions:
    """The budget of one Spacer run (seconds), of one BFS point (states), and of the
    whole run (NOTE(whole-run-budget); None: none)."""

    z3_seconds: float | None = 300.0
    max_states: int | None = None
    use_z3: bool = True
    deadline: Deadline | None = None


def tune(merged: Parametric, index: int, options: TuneOptions = TuneOptions()) -> Tuning:
    """Decide every value of parameter `index` (NOTE(tune-method))."""
    param = merged.params[index]
    decided: dict[int, ValueVerdict] = {}
    safety = all(p.expectation is Expectation.ALWAYS for p in merged.system.properties)
    budget = options.deadline or Deadline()
    if safety and options.use_z3:
        decided = _by_z3(merged, index, options, budget)
    for value in param.values:
        if value not in decided:
            decided[value] = (ValueVerdict(value, False, Method.NONE, undecided=True)
                              if budget.expired() else
                              _by_bfs(restrict(merged, index, [value]), value, options, budget))
    values = tuple(decided[v] for v in param.values)
    stopped = any(v.undecided for v in values) and budget.expired()
    return Tuning(param, values, Limit.TIMEOUT if stopped else None)


def _by_z3(merged: Parametric, index: int, options: TuneOptions,
           budget: Deadline) -> dict[int, ValueVerdict]:  # fmt: skip
    left = list(merged.params[index].values)
    out: dict[int, ValueVerdict] = {}
    symbolic = SymbolicOptions(SymbolicEngine.PDR, timeout_seconds=options.z3_seconds,
                               check_deadlock=False, within=budget)  # fmt: skip
    var = merged.param_vars[index]
    while left and not budget.expired():
        result = run_symbolic(restrict(merged, index, left), symbolic)
        runs = [r for r in result.results if r.trace is not None]
        dropped = 0
        for r in runs:
            value = r.trace.steps[0].state[var] if r.trace is not None else None
            if value in left:
                out[value] = ValueVerdict(value, False, Method.Z3, r.name, trace=r.trace)
                left.remove(value)
                dropped += 1
        if runs and not dropped:
            return out  # cannot happen (the runs start in `left`); the rest goes to BFS
        if not runs:
            if all(r.verdict is Verdict.HOLDS for r in result.results):
                out.update({v: ValueVerdict(v, True, Method.Z3) for v in left})
            return out  # proved, or unknown: the rest goes to BFS
    return out


def _by_bfs(system: TransitionSystem, value: int, options: TuneOptions,
            budget: Deadline) -> ValueVerdict:  # fmt: skip
    live = any(p.expectation is not Expectation.ALWAYS
               and p.expectation is not Expectation.SOMETIMES for p in system.properties)
    result, graph = explore(system, BfsOptions(max_states=options.max_states, keep_graph=live,
                                               check_deadlock=False, should_stop=budget.stop))
    if not result.stats.complete:
        return ValueVerdict(value, False, Method.BFS, undecided=True)

    def compile_(e: Expr) -> Callable[[State], bool]:
        return pycompile.compile_predicate(system, e)

    for prop, res in zip(system.properties, result.results, strict=True):
        if graph is not None and res.verdict is Verdict.UNKNOWN:
            if budget.expired():  # no liveness check starts past the budget
                return ValueVerdict(value, False, Method.BFS, undecided=True)
            res = check_liveness(graph, prop, compile_predicate=compile_)
        if res.verdict is not Verdict.HOLDS:
            return ValueVerdict(value, False, Method.BFS, prop.name, trace=res.trace)
    return ValueVerdict(value, True, Method.BFS)
