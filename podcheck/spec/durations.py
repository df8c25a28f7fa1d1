"""Durations of the checked spec: exact, and known only to lie in a range.

Stage: part of the contract `podcheck.spec` (re-exported by `spec/objects.py`), produced
by the front ends and consumed by `podcheck.model` and the engines' parameters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration in milliseconds (the DSL accepts ms, s, m, h)."""

    ms: int

    def __post_init__(self) -> None:
        assert self.ms >= 0

    @property
    def seconds(self) -> int:
        """Whole seconds, rounded up (the model's clock ticks in seconds)."""
        return -(-self.ms // 1000)


@dataclass(frozen=True, slots=True)
class DurationRange:
    """A duration known only to lie in [lo, hi]; lo == hi for an exact duration."""

    lo: Duration
    hi: Duration

    def __post_init__(self) -> None:
        assert self.lo.ms <= self.hi.ms
