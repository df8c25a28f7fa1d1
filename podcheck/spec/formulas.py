"""The checked spec, formulas half: the property language (`Expr` trees over pods,
containers and nodes, with temporal operators on top), its observable vocabulary, the
built-in checks, property declarations and expectations.

Stage: part of the contract `podcheck.spec`, produced by the front ends and consumed by
`podcheck.model`.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck.diagnostics import Span
from podcheck.spec.placement import span_field
from podcheck.vocab import ContainerState, NodeState, PodPhase, Reason, words

UNARY_OPS = frozenset({"not", "-"})
BINARY_OPS = frozenset(
    {"+", "-", "*", "==", "!=", "<", "<=", ">", ">=", "and", "or", "implies"}
)
QUANTIFIERS = frozenset({"forall", "exists"})
DOMAINS = frozenset({"pods", "nodes", "containers", "initContainers"})
# Temporal operator -> its number of arguments.
TEMPORAL_ARITY = {"always": 1, "eventually": 1, "always_eventually": 1, "leadsto": 2}
# The temporal operators a `within` bound may follow.
BOUNDED_TEMPORAL = frozenset({"eventually", "leadsto"})
EXPECT_OUTCOMES = ("holds", "violated")

# ---------------------------------------------------------------- property language


@dataclass(frozen=True, slots=True)
class IntLit:
    value: int
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class BoolLit:
    value: bool
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class EnumLit:
    """A state name (one of ENUMS), compared with a field that takes it.  The parser
    never builds one: the checker resolves a bare name to a state (see docs/language.md,
    "Names in formulas")."""

    name: str
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.name in ENUMS, self.name


@dataclass(frozen=True, slots=True)
class Ref:
    """A bare name.  As the parser builds it, any word; in a checked spec, a bound
    variable (from a quantifier) or a declared object (pod, node)."""

    name: str
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Attr:
    """`obj.field`, e.g. `p.phase`, `c.restarts`, `web.ready`."""

    obj: Expr
    field: str
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class ContainerOf:
    """`p.container(app)`: the container named `name` (an app or init container) of the
    pod `obj`; its fields are `CONTAINER_FIELDS`.  The model compiler reports a pod whose
    template has no such container (PC302)."""

    obj: Expr
    name: str
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class DurationLit:
    """A duration in a formula (`90s`, `1.5m`), in milliseconds; compared with `elapsed`."""

    ms: int
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.ms >= 0, self.ms


@dataclass(frozen=True, slots=True)
class Elapsed:
    """`elapsed`: the time since the run started (the initial state), a duration.

    NOTE(elapsed-time): the model's clock counts whole seconds; `elapsed` is compared in
    milliseconds (whole seconds times 1000), so `elapsed < 1.5s` holds at 0 s and 1 s.
    """

    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # one of UNARY_OPS
    arg: Expr
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.op in UNARY_OPS, self.op


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # one of BINARY_OPS
    left: Expr
    right: Expr
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.op in BINARY_OPS, self.op


@dataclass(frozen=True, slots=True)
class Domain:
    """What a quantifier ranges over: `pods`, `pods(web)` (of a workload), `nodes`,
    `containers(p)` / `initContainers(p)` (of a bound pod variable)."""

    kind: str  # one of DOMAINS
    of: str | None = None
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.kind in DOMAINS, self.kind
        assert self.kind != "nodes" or self.of is None
        assert self.kind not in ("containers", "initContainers") or self.of is not None


@dataclass(frozen=True, slots=True)
class Quant:
    kind: str  # one of QUANTIFIERS
    var: str
    domain: Domain
    body: Expr
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.kind in QUANTIFIERS, self.kind


@dataclass(frozen=True, slots=True)
class Count:
    """`count(p in pods(web) where p.ready)`."""

    var: str
    domain: Domain
    where: Expr | None = None
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Temporal:
    """always P, eventually P, always eventually P, P ~> Q (args = (P, Q)); `within`, the
    time bound of `eventually P within D` / `P ~> Q within D` in milliseconds.

    NOTE(bounded-time): `within D` asks for the target within D of the start (the initial
    state for `eventually`, each state where P holds for `~>`).  The model's clock counts
    whole seconds, so the bound it checks is D rounded down to whole seconds: an elapsed
    whole number of seconds is <= D exactly when it is <= floor(D).
    """

    op: str  # one of TEMPORAL_ARITY
    args: tuple[Expr, ...]
    span: Span = span_field()
    within: int | None = None

    def __post_init__(self) -> None:
        assert TEMPORAL_ARITY.get(self.op) == len(self.args), (self.op, len(self.args))
        assert self.within is None or self.within >= 0, self.within


Expr = (IntLit | BoolLit | EnumLit | Ref | Attr | ContainerOf | Unary | Binary | Quant | Count
        | Temporal | DurationLit | Elapsed)

# The observable vocabulary of the property language: fields per object kind and the
# state names they take.  The front end checks every `Attr` against this table.
POD_FIELDS = {
    # Unknown is accepted but never reached: see NOTE(unknown-phase) in podcheck.vocab.
    "phase": words(PodPhase),
    "ready": "bool",  # the Ready condition
    "scheduled": "bool",  # bound to a node
    "exists": "bool",  # the API object exists (not deleted, not yet re-created)
    "terminating": "bool",  # deletionTimestamp set (NOTE(graceful-deletion))
    "disrupted": "bool",  # condition DisruptionTarget: evicted through the eviction API
    "age": "duration",  # time since the pod object was created (NOTE(pod-age))
    "endpoint": "bool",  # listed in its Service's ready endpoints
    "initialized": "bool",  # all init containers done
    "restarts": "int",  # sum of container restart counts
    "uid": "int",  # generation of the pod object; a re-created pod has a new uid
    "node": "node",  # the node it is bound to
    "evicted": "bool",  # it was removed through the eviction API
    "nodeLost": "bool",  # its node stopped reporting: not Ready, reason NodeLost
    #                      (`kubectl get pods` shows STATUS Unknown)
    "deadlineExceeded": "bool",  # failed with reason DeadlineExceeded
    "updated": "bool",  # exists at its controller's latest template (rollouts)
    "reason": words(Reason),  # NOTE(pod-reason) in model/props.py
}
CONTAINER_FIELDS = {
    "state": words(ContainerState),
    "ready": "bool",
    "started": "bool",
    "restarts": "int",
    "exitCode": "int",
    "crashLoop": "bool",  # waiting with reason CrashLoopBackOff
    "backoff": "int",  # the current back-off delay in seconds
    "data": "int",  # generation of the emptyDir contents it sees
}
NODE_FIELDS = {
    "state": words(NodeState),
    "pods": "int",  # pods bound to it (not terminal)
}
JOB_FIELDS = {
    # a Job named in a formula (`migrate.failed`): its status, pkg/controller/job
    "complete": "bool",  # condition Complete: status.succeeded reached completions
    "failed": "bool",  # condition Failed (reason BackoffLimitExceeded)
    "succeeded": "int",  # status.succeeded (saturates at completions)
    "failures": "int",  # status.failed, failed or deleted pods (saturates at backoffLimit + 1)
    "active": "int",  # status.active: its pods that exist and are not yet counted
    "reason": words(Reason),  # of its Failed condition (BackoffLimitExceeded), else none
}
ENUMS = frozenset(
    v
    for table in (POD_FIELDS, CONTAINER_FIELDS, NODE_FIELDS, JOB_FIELDS)
    for v in table.values()
    if isinstance(v, tuple)
    for v in v
)

BUILTIN_CHECKS = {
    "init-order": "no app container runs unless every init container succeeded, and "
    "no init container runs unless every earlier one succeeded (always)",
    "budget-respected": "no eviction the eviction API grants leaves a PDB's healthy pods "
    "below its desired healthy count (always, on eviction steps)",
    "always-available": "every PDB's healthy pods stay at or above its desired healthy "
    "count, whatever the cause, once its pods first were all Ready (always)",
    "drain-completes": "every cordoned node eventually holds no pod (liveness)",
    "eventually-ready": "after the last disruption, every desired replica is eventually "
    "Ready (liveness)",
    "no-crash-loop": "no container restarts forever: every crashing container eventually "
    "runs long enough (10 min) for its back-off to reset, or completes (liveness)",
    "job-completes": "every Job eventually reaches its completions (liveness)",
    "recovers-after-failure": "after a node failure, the workload eventually has its "
    "desired ready replicas again (liveness)",
    "no-unready-traffic": "no pod that is not Ready is a Service endpoint (always)",
    "no-deadlock": "the cluster never gets stuck in a non-terminal state (always)",
    "rollout-progresses": "no Deployment's Progressing condition turns False with reason "
    "ProgressDeadlineExceeded: every rollout progresses within progressDeadlineSeconds "
    "(always)",
}


@dataclass(frozen=True, slots=True)
class PropertyDecl:
    """A named property: a user formula, or a built-in check (`builtin` set, `formula`
    None) with optional arguments such as the workload it applies to."""

    name: str
    formula: Expr | None
    builtin: str | None = None
    args: tuple[str, ...] = ()
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert (self.formula is None) == (self.builtin is not None)
        assert self.builtin is None or self.builtin in BUILTIN_CHECKS, self.builtin


@dataclass(frozen=True, slots=True)
class Expect:
    """`expect NAME holds|violated`: the spec is also a regression test."""

    property: str
    outcome: str  # one of EXPECT_OUTCOMES
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.outcome in EXPECT_OUTCOMES, self.outcome
