"""The pod's age: `p.age`, the time since the pod object was created, as a saturating timer.

Stage: internal to `podcheck.model`.  `observables.tracking_for` reads the formulas'
durations (`age_stops`); `slots.py` declares one timer per slot (`declare_age`) when a
formula reads `age`; `cluster.py` resets it when the slot's pod is created or removed;
`props.py` reads `age_ms`.

NOTE(pod-age): like `elapsed` (NOTE(elapsed-time) in timed.py), the age is a clock timer
counting down from H, the last whole second at which a comparison of an age with one of
the formulas' durations D can change: the clock stops at floor(D / 1 s) and the second
after it after each creation, so no state at which `p.age <op> D` changes is jumped over.
At 0 the timer stops and the age saturates at H seconds, later than every D: every
comparison keeps its value from then on.  The timer runs while the pod object exists (a
Terminating pod ages too; a Down node's pods as well: the age is API-server time, not the
kubelet's), and a slot without a pod holds H, its declared initial value.
"""

from __future__ import annotations

from collections.abc import Iterable

from podcheck import ir, spec
from podcheck.model.clock import Clock
from podcheck.model.cluster import Slot

AGE_FIELD = "age"


def duration_stops(found: Iterable[spec.Expr]) -> tuple[int, ...]:
    """The whole seconds at which a comparison with one of the durations in `found` can
    change: floor(D / 1 s) and the second after it (at least 1 s), sorted."""
    stops = {s for e in found if isinstance(e, spec.DurationLit)
             for s in (e.ms // 1000, e.ms // 1000 + 1) if s > 0}
    return tuple(sorted(stops or {1}))


def stop_distance(left: ir.Expr, top: int, stops: tuple[int, ...]) -> ir.Expr:
    """The seconds until a countdown from `top` (now at `left`) reaches its next stop."""
    big = ir.Const(top + 1)
    return ir.Op("min", tuple(ir.ite(ir.op(">", left, top - t), ir.op("-", left, top - t), big)
                              for t in stops))


def declare_age(clock: Clock, s: Slot, stops: tuple[int, ...]) -> ir.Var:
    """The age timer of slot `s` (NOTE(pod-age)), registered with `clock`."""
    top = max(stops)
    owner = f"pod {s.name}"
    left = clock.timer(f"{s.name}.ageLeft", top, init=top, owner=owner, field_name="ageLeft")
    clock.register(left, ir.and_(s.exists, ir.op(">", left, 0)), stop_distance(left, top, stops))
    return left


def age_ms(clock_hi: int, left: ir.Var) -> ir.Expr:
    """`p.age` in milliseconds, from the slot's age timer whose domain is 0..`clock_hi`."""
    return ir.op("*", ir.op("-", clock_hi, left), 1000)
