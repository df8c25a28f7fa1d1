"""The model's own bookkeeping variables in the spec's words (an invariant's vocabulary).

Stage: `podcheck.report`.  Consumes a `TransitionSystem`'s variable layout
(`StateVar.owner`, `StateVar.field`); produces the name a person reads for one
variable: a container's timers and counters by what they count, with the spec's field
names (`startupProbe` -> "startup probe failures of app", `behavior { startup }` ->
"startup time left of app"), a field the spec itself names (`state`, `restarts`,
`node`, `exists`) as `<owner> <field>`, as before.

NOTE(invariant-words): the phrases say what the model's variable is, in every state, not
what it means in some: the model's timers count *down* to an event
(NOTE(time-abstraction)), so a timer reads "seconds to ..." or "... time left", never
"time since ...", which no state variable holds (`processTimer` is the startup's time
left while the process starts and the run's once it is up).  A container named by one
pod only is named alone (`app`), else `app of pod web-0`.
"""

from __future__ import annotations

from collections.abc import Mapping

from podcheck.ir import StateVar, TransitionSystem
from podcheck.vocab import ActionKind

# field kind (`app.<kind>`) -> the phrase, `{c}` the container; the probe-phase labels
# (model/probe_clock.py: PLACED, FIRST, RELEASED) are `PHASES`.
CONTAINER: Mapping[str, str] = {
    "process": "process of {c}",
    "processTimer": "startup time left of {c}",  # or `_RUN` when the container exits
    "backoffLevel": "back-off level of {c}",
    "backoffTimer": "back-off time left of {c}",
    "crashes": "crashes of {c} so far",
    "hangs": "hangs of {c} so far",
    "startupFailures": "startup probe failures of {c}",
    "startupTimer": "seconds to the next startup probe of {c}",
    "startupPhase": "first startup probe of {c}",
    "livenessFailures": "liveness probe failures of {c}",
    "livenessTimer": "seconds to the next liveness probe of {c}",
    "livenessPhase": "first liveness probe of {c}",
    "readinessTimer": "seconds to the next readiness probe of {c}",
    "readinessPhase": "first readiness probe of {c}",
    "readyRun": "readiness run of {c} (successes > 0, failures < 0)",
    "readyResult": "last readiness result of {c} is ready",
}  # fmt: skip
_RUN = "startup or run time left of {c}"  # `behavior { run }`: the time left until it exits
PHASES = ("done", "pending", "released")
_PHASE_KINDS = frozenset({"startupPhase", "livenessPhase", "readinessPhase"})


def _split(var: StateVar) -> tuple[str, str] | None:
    """(container, kind) of a container's variable (`app.startupTimer`), else None."""
    if not var.owner.startswith("pod ") or var.field.count(".") != 1:
        return None
    container, kind = var.field.split(".")
    return (container, kind) if kind in CONTAINER else None


def names(system: TransitionSystem) -> list[str]:
    """The name of every variable of `system`, by index (module doc)."""
    pods: dict[str, set[str]] = {}
    for var in system.vars:
        split = _split(var)
        if split is not None:
            pods.setdefault(split[0], set()).add(var.owner)
    out, exits = [], _exits(system)
    for var in system.vars:
        split = _split(var)
        if split is None:
            out.append(f"{var.owner} {var.field}" if var.owner and var.field else var.name)
            continue
        container, kind = split
        alone = len(pods[container]) == 1
        who = container if alone else f"{container} of {var.owner}"
        runs = kind == "processTimer" and (var.owner, container) in exits
        out.append((_RUN if runs else CONTAINER[kind]).format(c=who))
    return out


def _exits(system: TransitionSystem) -> set[tuple[str, str]]:
    """(owner, container) of every container that may exit by itself (an `exit` action):
    its process timer holds the run's time left once the process is up."""
    out = set()
    for action in system.actions:
        params = dict(action.params)
        if action.name == ActionKind.EXIT and "pod" in params and "container" in params:
            out.add((f"pod {params['pod']}", params["container"]))
    return out


def label(var: StateVar, value: int) -> str:
    """`value` of `var` as a person reads it: its label, a probe phase's word, the number."""
    split = _split(var)
    if split is not None and split[1] in _PHASE_KINDS and 0 <= value < len(PHASES):
        return PHASES[value]
    return var.show(value)


def labelled(var: StateVar) -> bool:
    """True when `var`'s values are words (labels or a probe phase), not numbers."""
    split = _split(var)
    return bool(var.labels) or (split is not None and split[1] in _PHASE_KINDS)
