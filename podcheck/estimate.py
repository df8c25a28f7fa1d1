"""The state-space estimate PC303 warns with, before any state is explored.

Stage: joins the pipeline after the model compiler.  Consumes a `TransitionSystem`
(its variables' ranges, owners and declared symmetry groups) and the run's limits;
produces an `Estimate` and, when it exceeds the limits, a PC303 warning naming the
options that would help.  `check.py` adds it before exploring; `podcheck parse`
compiles the model to add it too.

NOTE(state-estimate): the product of every variable's range is a sound upper bound on
the states but useless as an estimate (a bundled spec with 71 001 reachable states has
a product of 10^32: timers and counters range widely, and almost every combination is
unreachable).  So the estimate groups the variables by owner (a pod slot with its
containers, a node, a controller's counters, the clock) and counts each owner's own
states as the product of its ranges capped at `LOCAL_STATES`; the estimate is the
product of those (capped at 10^`MAX_EXPONENT`, an exponent kept exact).  With
symmetry on, the owners of a declared group of k interchangeable members with L local
states each count C(L + k - 1, k) (multisets: one state per orbit), not L^k.  On the
bundled specs (`tests/reliability/test_estimate.py`) the estimate is within a factor of
30 below and 10^5 above the real number of states.  The limits: `--max-states`, and the
states that fit in `--max-memory` (default: the machine's RAM share) at
`BYTES_PER_STATE` of the engine.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Severity, Span, StageResult, codes
from podcheck.ir import TransitionSystem
from podcheck.lang.check import Loaded
from podcheck.limits import default_max_memory
from podcheck.model.compile import compile_spec
from podcheck.spec import NO_SPAN, CheckedSpec

LOCAL_STATES = 10  # states counted per owner at most (see NOTE(state-estimate))
MAX_EXPONENT = 10**6  # the estimate is capped at 10^MAX_EXPONENT
# Bytes a stored state costs: the BFS keeps a packed key in a set, a parent link and the
# frontier tuple (about 133 bytes on B1, docs/performance.md); the vector engine a
# packed row and a link; --fingerprint an 8-byte hash and a link.
BYTES_PER_STATE = {"bfs": 160, "vector": 48, "fingerprint": 16}


@dataclass(frozen=True, slots=True)
class Estimate:
    """The estimated number of states (as log10), with and without symmetry."""

    log10: float  # with the symmetry groups the run would use
    unreduced_log10: float  # every owner counted on its own
    variables: int
    nodes: int  # owners that are nodes
    groups: int  # declared symmetry groups


def estimate(system: TransitionSystem, symmetry: bool = True) -> Estimate:
    """The estimate of NOTE(state-estimate) for `system` (`symmetry`: count the declared
    groups' owners as multisets)."""
    local: dict[str, float] = defaultdict(float)
    for v in system.vars:
        local[v.owner] += math.log10(v.hi - v.lo + 1)
    capped = {o: min(x, math.log10(LOCAL_STATES)) for o, x in local.items()}
    unreduced = sum(capped.values())
    reduced = unreduced
    if symmetry:
        for group in system.symmetry:
            owners = {system.vars[b[0]].owner for b in group.blocks if b}
            if len(owners) != len(group.blocks):
                continue  # a member spans several owners: not counted as a multiset
            each = max(capped[o] for o in owners)
            reduced += _log10_multisets(10**each, len(owners)) - sum(capped[o] for o in owners)
    nodes = sum(1 for o in local if o.startswith("node "))
    return Estimate(min(reduced, MAX_EXPONENT), min(unreduced, MAX_EXPONENT),
                    len(system.vars), nodes, len(system.symmetry))


def _log10_multisets(kinds: float, k: int) -> float:
    """log10 of C(kinds + k - 1, k): multisets of k members over `kinds` local states."""
    n = kinds + k - 1
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(10)


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits a run explores under, as the estimate compares them."""

    max_states: int | None = None
    max_memory: int | None = None  # bytes; None: the default share of the machine
    engine: str = "bfs"
    fingerprint: bool = False
    symmetry: bool = True


def budget(limits: Limits) -> tuple[int | None, str]:
    """The most states the run can store, and the option that sets it."""
    memory = limits.max_memory if limits.max_memory is not None else default_max_memory()
    kind = "fingerprint" if limits.fingerprint else "vector" if limits.engine == "vector" else "bfs"
    by_memory = None if memory is None else memory // BYTES_PER_STATE[kind]
    if limits.max_states is not None and (by_memory is None or limits.max_states <= by_memory):
        return limits.max_states, f"--max-states {limits.max_states}"
    return by_memory, f"the {memory // 2**20 if memory else 0} MiB of --max-memory"


def warning(system: TransitionSystem, limits: Limits, where: Span) -> Diagnostic | None:
    """PC303 when the estimate exceeds what `limits` let the run store, else None."""
    most, what = budget(limits)
    found = estimate(system, limits.symmetry)
    if most is None or found.log10 <= math.log10(max(most, 1)):
        return None
    return Diagnostic(
        codes.LARGE_STATE_SPACE, Severity.WARNING,
        f"the model's {found.variables} state variables allow an estimated "
        f"10^{found.log10:.0f} states, more than {what} allows (about "
        f"{_rounded(most)}): the run will likely stop inconclusive",
        where, help=_help(found, limits, estimate(system, True).log10))


def _rounded(n: int) -> str:
    return f"{n:,}".replace(",", " ") if n < 10**6 else f"10^{math.log10(n):.1f}"


def _help(found: Estimate, limits: Limits, reduced: float) -> str:
    """Which options would help, most effective first (`reduced`: the estimate with
    symmetry)."""
    ways = []
    if not limits.symmetry and found.groups:
        ways.append(f"drop --no-symmetry (about 10^{reduced:.0f} states up to renaming "
                    "interchangeable pods and nodes)")
    ways.append("fewer replicas" + (f" or fewer nodes ({found.nodes} now)"
                                    if found.nodes > 1 else ""))
    if not limits.fingerprint:
        ways.append("`--engine vector --fingerprint` (about 16 bytes a state)")
    if limits.max_states is not None:
        ways.append("a larger --max-states")
    return "try " + "; ".join(ways)



def location(sp: CheckedSpec) -> Span:
    """Where PC303 points: the spec's environment, else its first workload, else the
    first line of the file."""
    spans = [sp.environment.span, *(w.span for w in sp.workloads)]
    return next((s for s in spans if s != NO_SPAN), Span(sp.path, 1, 1, 1, 1))


def spec_warning(sp: CheckedSpec, limits: Limits) -> Diagnostic | None:
    """`warning` for a checked spec, compiling its model (what `podcheck parse` adds;
    a spec the model compiler rejects gets none: `check` reports why)."""
    compiled = compile_spec(sp)
    if compiled.value is None:
        return None
    return warning(compiled.value, limits, location(sp))


def with_warning(loaded: Loaded) -> Loaded:
    """`loaded` (what `podcheck parse` read) with PC303 added when its model's estimate
    exceeds the default limits."""
    sp = loaded.result.value
    large = None if not loaded.result.ok or sp is None else spec_warning(sp, Limits())
    if sp is None or large is None:
        return loaded
    return Loaded(StageResult(sp, loaded.result.diagnostics + (large,)), loaded.sources)
