"""A container's `preStop { ... }` block: the lifecycle hook run before SIGTERM.

Stage: part of the front end (`podcheck.lang`, called by `convert.build_container`).
Consumes the `preStop` block and the container's behaviour fields as written; produces a
`spec.PreStop` (its handler and duration) with PC207 / PC214 when the block names more
than one handler or none.  A `sleep` hook lasts its own duration; an exec or httpGet hook
lasts the behaviour's `preStop` (default 0 s): what the command does is behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping

from podcheck.diagnostics import Diagnostic, Note, codes
from podcheck.lang import messages as m
from podcheck.lang.ast import Block
from podcheck.lang.fields import Members, head, read_block
from podcheck.lang.schema import BLOCKS, BlockSpec
from podcheck.spec import DurationRange, PreStop
from podcheck.vocab import LifecycleHandler, words

HANDLERS = words(LifecycleHandler)


def build_prestop(block: Block, spec: BlockSpec, behavior: Mapping[str, object],
                  out: list[Diagnostic]) -> PreStop | None:
    """The hook of `block`, or None after reporting a missing or second handler."""
    members = read_block(block, spec, out)
    given = [h for h in HANDLERS if members.given(h)]
    if not given:
        out.append(m.error(codes.MISSING_REQUIRED, "`preStop` names no handler", head(block),
                           help="add `exec: \"...\"`, `httpGet: \"/path\"` or `sleep: 5s`"))
        return None
    if len(given) > 1:
        first, second = given[0], given[1]
        out.append(m.error(codes.CONFLICTING_FIELDS,
                           f"`preStop` sets both `{first}` and `{second}`",
                           members.spans[second], help="a hook has exactly one handler",
                           notes=(Note(f"`{first}` is here", members.spans[first]),)))
        return None
    handler = LifecycleHandler(given[0])
    if handler is LifecycleHandler.SLEEP:
        duration = members.values.get(handler.value)
    else:
        duration = behavior.get("preStop", PreStop(handler).duration)
    if not isinstance(duration, DurationRange):
        return None  # the value was rejected and reported
    return PreStop(handler, duration, span=block.span)


def prestop_field(members: Members, behavior: Mapping[str, object],
                  out: list[Diagnostic]) -> dict[str, PreStop | None]:
    """The container's `preStop` keyword (`build_prestop` of its block), or nothing when
    the container has no `preStop` block."""
    hook = members.child("preStop")
    if hook is None:
        return {}
    return {"preStop": build_prestop(hook, BLOCKS["preStop"], behavior, out)}
