"""Behaviour the YAML does not say, from `podcheck.io/` annotations on the pod template.

Stage: part of `podcheck.manifests` (pods.py).  Consumes the template's annotations;
produces, per container, a `spec.Behavior`, and PC411 for annotations it cannot read.

  podcheck.io/startup-seconds: "60-90"           every app container takes 60 to 90 s
  podcheck.io/startup-seconds.<container>: "20"  one container (app, init or sidecar)
  podcheck.io/startup-seconds: "fixed 20-120"    one start time for the whole run, a
                                                 parameter (ranges.py `read_fixed_startups`)
  podcheck.io/outcome.<container>: runs | succeeds | fails | crashes-once | hangs
  podcheck.io/range.<container>.<probe>.<field>: "1-10"   a parameter (ranges.py)

Defaults: a Job's app containers succeed; a regular init container succeeds; every other
container (app containers of other workloads, sidecars) runs and may crash once, except
that a Job's sidecars only run.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from podcheck.diagnostics import Diagnostic, Severity, Span
from podcheck.diagnostics import codes as c
from podcheck.manifests.fields import Fields, Owner
from podcheck.spec import Behavior, Duration, DurationRange, Outcome

PREFIX = "podcheck.io/"
STARTUP = PREFIX + "startup-seconds"
FIXED = "fixed "  # `"fixed 20-120"`: one start time per run (a parameter, ranges.py)
OUTCOME = PREFIX + "outcome"
RANGE = PREFIX + "range"  # int ranges of probe fields: manifests/ranges.py
OUTCOMES = ("runs", "succeeds", "fails", "crashes-once", "hangs")
_KNOWN = (STARTUP, OUTCOME + ".<container>", STARTUP + ".<container>",
          RANGE + ".<container>.<probe>.<field>")


class _Named(Protocol):
    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Given:
    """One annotation's value and where it is written."""

    value: str
    span: Span


@dataclass(slots=True)
class Behaviors:
    """The behaviour annotations of one template, ready to apply per container."""

    is_job: bool
    startup: Given | None = None
    startups: dict[str, Given] = field(default_factory=dict)
    outcomes: dict[str, Given] = field(default_factory=dict)

    def of(self, name: str, is_init: bool, restart_policy: str | None) -> Behavior:
        """The behaviour of container `name` (defaults per the module docstring)."""
        sidecar = is_init and restart_policy is not None
        startup = self.startups.get(name) or (self.startup if not is_init else None)
        given = self.outcomes.get(name)
        if given is not None:
            outcome = given.value
        elif (is_init and not sidecar) or (self.is_job and not is_init):
            outcome = "succeeds"
        else:
            outcome = "runs" if self.is_job else "crashes-once"
        where = given or startup
        kwargs: dict[str, object] = {"span": where.span} if where is not None else {}
        if startup is not None:
            kwargs["startup"] = _range(startup.value)
        return _behavior(outcome, kwargs)


def _behavior(outcome: str, kwargs: dict[str, object]) -> Behavior:
    if outcome == "crashes-once":
        return Behavior(outcome=Outcome.RUNS, crashes=1, **kwargs)  # type: ignore[arg-type]
    if outcome == "hangs":
        return Behavior(outcome=Outcome.RUNS, hangs=1, **kwargs)  # type: ignore[arg-type]
    return Behavior(outcome=Outcome(outcome), **kwargs)  # type: ignore[arg-type]


def _range(text: str) -> DurationRange:
    lo, _, hi = text.partition("-")
    low = Duration(int(lo) * 1000)
    return DurationRange(low, Duration(int(hi) * 1000) if hi else low)


def without_fixed(text: str) -> str:
    """The range of a startup annotation without its `fixed ` word (`"fixed 20-120"`)."""
    text = text.strip()
    return text[len(FIXED):].strip() if text.startswith(FIXED) else text


def _valid_range(text: str) -> bool:
    lo, dash, hi = without_fixed(text).partition("-")
    if not lo.isdigit() or (dash and not hi.isdigit()):
        return False
    return not dash or int(lo) <= int(hi)


def read_behaviors(annotations: tuple[tuple[str, str], ...], meta: Fields | None,
                   containers: Sequence[_Named], is_job: bool, owner: Owner,
                   out: list[Diagnostic]) -> Behaviors:
    """The template's behaviour annotations; PC411 for anything it cannot read."""
    names = [x.name for x in containers]
    found = Behaviors(is_job)
    spans = _spans(meta)
    for key, value in annotations:
        if not key.startswith(PREFIX) or key.startswith(RANGE + "."):
            continue  # a range is a parameter, read by manifests/ranges.py
        span = spans.get(key, meta.span if meta is not None else None)
        assert span is not None
        problem = _read_one(found, key, value.strip(), span, names)
        if problem is not None:
            out.append(Diagnostic(c.INVALID_BEHAVIOR_ANNOTATION, Severity.ERROR,
                                  f"{owner}: annotation `{key}`: {problem[0]}", span,
                                  help=problem[1]))
    return found


def _spans(meta: Fields | None) -> dict[str, Span]:
    if meta is None:
        return {}
    node = meta.node.value.get("annotations") if isinstance(meta.node.value, dict) else None
    if node is None or node.keys is None:
        return {}
    return dict(node.keys)


def _read_one(found: Behaviors, key: str, value: str, span: Span,
              names: list[str]) -> tuple[str, str] | None:
    base, container = "", ""
    for known in (OUTCOME, STARTUP):
        if key.startswith(known + ".") and len(key) > len(known) + 1:
            base, container = known, key[len(known) + 1:]
    if key == STARTUP:
        base = STARTUP
    if not base:
        near = difflib.get_close_matches(key, _KNOWN, 1)
        return ("not a podcheck annotation",
                f"did you mean `{near[0]}`?" if near else f"use one of {', '.join(_KNOWN)}")
    if container and container not in names:
        return (f"the pod has no container `{container}`",
                f"containers are {', '.join(f'`{n}`' for n in names)}")
    if base == OUTCOME:
        if value not in OUTCOMES:
            return (f"unknown outcome `{value}`", f"use one of {' | '.join(OUTCOMES)}")
        found.outcomes[container] = Given(value, span)
        return None
    if not _valid_range(value):
        return (f"`{value}` is not a number of seconds or a range `LO-HI`",
                "write seconds, e.g. \"60\" or \"60-90\"")
    given = Given(without_fixed(value).replace(" ", ""), span)
    if container:
        found.startups[container] = given
    else:
        found.startup = given
    return None
