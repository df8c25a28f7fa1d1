"""The checked spec's environment modes: how drains proceed, when disruptions begin,
where a run starts.

Stage: part of the contract `podcheck.spec` (re-exported by `spec/objects.py`).
"""

from __future__ import annotations

import enum


class DrainMode(enum.Enum):
    """How the drained nodes are drained (docs/language.md `drainMode`)."""

    ONE_AT_A_TIME = "one-at-a-time"  # real maintenance: uncordon before the next drain
    CONCURRENT = "concurrent"  # any subset of the drainable nodes at once


class DisruptionStart(enum.Enum):
    """When the environment's disruptions may begin (docs/semantics.md NOTE(settle-first))."""

    FROM_START = "from-start"  # operators drain and nodes fail whenever they do
    ONCE_SETTLED = "once-settled"  # only after every long-running pod first came up


class Start(enum.Enum):
    """Where a run begins (docs/semantics.md NOTE(settled-start))."""

    PENDING = "pending"  # every pod created and Pending: the start-up is explored
    SETTLED = "settled"  # every long-running pod already bound, Running and Ready
