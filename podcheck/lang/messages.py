"""Message texts of the 1xx (names, imports) and 2xx (fields, types) diagnostics.

Stage: helpers of `podcheck.lang.check` and its parts.  Consumes names, values and
spans; produces `Diagnostic` values whose codes are in `podcheck.diagnostics.codes`.
Messages are lower-case, without a trailing period, with spec identifiers in
backticks; suggestions go in `help`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from podcheck.diagnostics import Diagnostic, Fix, Note, Severity, Span, codes
from podcheck.vocab import ActionKind, Actor, words


def error(
    code: str,
    message: str,
    span: Span | None,
    *,
    help: str | None = None,
    notes: Iterable[Note] = (),
) -> Diagnostic:
    """An error-severity diagnostic."""
    return Diagnostic(code, Severity.ERROR, message, span, tuple(notes), help)


def backticked(names: Iterable[str]) -> str:
    """`a`, `b`, `c` for a note listing allowed values."""
    return ", ".join(f"`{n}`" for n in names)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word` (difflib, then case-insensitive), if any is close."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {c.lower(): c for c in pool}
    return lowered.get(word.lower())


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """`did you mean `X`?` for the closest candidate, or None when nothing is close."""
    best = closest(word, candidates)
    return f"did you mean `{best}`?" if best else None


def first_defined(span: Span) -> Note:
    """The note pointing at an earlier declaration."""
    return Note("first defined here", span)


def unknown_reference(what: str, name: str, span: Span, known: Iterable[str]) -> Diagnostic:
    """PC105 `unknown behavior profile `slow``, with did-you-mean over `known`."""
    return error(
        codes.UNKNOWN_REFERENCE, f"unknown {what} `{name}`", span, help=did_you_mean(name, known)
    )


def wrong_type(
    field: str,
    expected: str,
    found: str,
    text: str,
    span: Span,
    help: str | None = None,
    fix: Fix | None = None,
) -> Diagnostic:
    """PC201 `expected an int for `periodSeconds`, found a duration `10s``."""
    message = f"expected {expected} for `{field}`, found {found} `{text}`"
    return Diagnostic(codes.WRONG_VALUE_TYPE, Severity.ERROR, message, span, (), help, fix)


def out_of_range(field: str, text: str, bound: str, span: Span) -> Diagnostic:
    """PC202 `periodSeconds` must be at least 1, found `0`."""
    return error(codes.VALUE_OUT_OF_RANGE, f"`{field}` must be {bound}, found `{text}`", span)


def unknown_fairness_target(word: str, allowed: tuple[str, ...], span: Span) -> Diagnostic:
    """PC217 `unknown actor or action `evction-api` in `fairness``, with did-you-mean."""
    return error(
        codes.UNKNOWN_FAIRNESS_TARGET,
        f"unknown actor or action `{word}` in `fairness`",
        span,
        help=did_you_mean(word, allowed),
        notes=(
            Note(f"actors are {backticked(words(Actor))}"),
            Note(f"actions are {backticked(words(ActionKind))}"),
        ),
    )


def unknown_enum(label: str, word: str, allowed: tuple[str, ...], span: Span) -> Diagnostic:
    """PC203 `unknown restart policy `Sometimes``, listing the allowed values."""
    best = closest(word, allowed)
    return Diagnostic(
        codes.UNKNOWN_ENUM_VALUE,
        Severity.ERROR,
        f"unknown {label} `{word}`",
        span,
        (Note(f"allowed values are {backticked(allowed)}"),),
        did_you_mean(word, allowed),
        Fix(span, best) if best else None,
    )
