"""A container's `lifecycle` in a manifest: the preStop hook, read; postStart, warned.

Stage: part of the YAML front end (`podcheck.manifests`, called by `pods.py`).  Consumes
a container's `Fields`; produces a `spec.PreStop` (its handler and duration) or None, with
PC408 for what the model does not run (postStart, the tcpSocket handler the kubelet never
runs) and PC415 for unknown keys.  A `sleep` hook lasts `sleep.seconds`; an exec or
httpGet hook lasts 0 s (what the command does is behaviour the manifest does not say).
"""

from __future__ import annotations

from podcheck.manifests.fields import Fields
from podcheck.spec import Duration, DurationRange, PreStop
from podcheck.vocab import LifecycleHandler, words

_HANDLERS = words(LifecycleHandler)


def read_prestop(x: Fields) -> PreStop | None:
    """The container's `lifecycle.preStop`, or None without one."""
    life = x.mapping("lifecycle")
    x.read.add("lifecycle")
    if life is None:
        return None
    life.unmodelled("postStart", "a postStart hook runs right after the container starts")
    stop = life.mapping("preStop")
    life.read.add("preStop")
    life.finish()
    if stop is None:
        return None
    stop.unmodelled("tcpSocket", "the kubelet accepts a tcpSocket preStop hook but never "
                    "runs it")
    given = [h for h in _HANDLERS if stop.has(h)]
    hook: PreStop | None = None
    if given:
        handler = LifecycleHandler(given[0])
        seconds = 0
        if handler is LifecycleHandler.SLEEP:
            sleep = stop.mapping("sleep")
            seconds = (sleep.integer("seconds", 0) or 0) if sleep is not None else 0
            if sleep is not None:
                sleep.finish()
        exact = Duration(seconds * 1000)
        hook = PreStop(handler, DurationRange(exact, exact), span=stop.span)
    stop.read.update(_HANDLERS)
    stop.finish()
    return hook
