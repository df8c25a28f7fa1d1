"""The pod eviction subresource: which evictions the API server admits.

Stage: `kube/` rule library. Consumes a pod dict and the PodDisruptionBudgets of its
namespace (with their current status); produces an `Eviction`: the HTTP status, reason
and message the API server answers with, and the PDB status write it performs.

Mirrors `EvictionREST.Create`, `canIgnorePDB`, `checkAndDecrement`,
`getPodDisruptionBudgets` and `createTooManyRequestsError` of
`pkg/registry/core/pod/storage/eviction.go`. The CORE decision `eviction_core` works on
ints, bools and enums only, for the model compiler.

Not modelled: optimistic-concurrency conflicts and their retries (the 429 returned when
the pod changed between the readiness check and the delete), a missing pod (404), the
eviction name/URL mismatch (400), dry-run propagation beyond skipping the PDB write.
A plain DELETE of a pod never reaches this code: only evictions respect budgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from podcheck.kube._objects import PdbView, PodView, parse_pdb, parse_pod
from podcheck.kube.errors import KubeInputError
from podcheck.kube.labels import InvalidSelector
from podcheck.vocab import (  # the one vocabulary; unset behaves as IfHealthyBudget
    UnhealthyPodEvictionPolicy as UnhealthyPodEvictionPolicy,
)

MAX_DISRUPTED_POD_SIZE = 2000
BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget."
MULTIPLE_PDBS_MESSAGE = (
    "This pod has more than one PodDisruptionBudget, which the eviction subresource "
    "does not support."
)
PHASES = ("", "Pending", "Running", "Succeeded", "Failed", "Unknown")


class Decision(Enum):
    """Every way `EvictionREST.Create` can end for a pod that exists."""

    DELETE_IGNORING_PDB = "delete: pod Pending, Succeeded, Failed or already terminating"
    DELETE_NO_PDB = "delete: no PodDisruptionBudget selects the pod"
    DELETE_UNHEALTHY = "delete: pod not Ready and the policy lets it go without budget"
    DELETE_DECREMENT = "delete: budget decremented"
    REJECT_MULTIPLE_PDBS = "500: more than one PodDisruptionBudget"
    REJECT_STALE_STATUS = "429: PDB status not yet observed for its generation"
    REJECT_NEGATIVE_BUDGET = "403: disruptionsAllowed is negative"
    REJECT_DISRUPTED_MAP_FULL = "403: disruptedPods has more than 2000 entries"
    REJECT_BUDGET_EXHAUSTED = "429: disruptionsAllowed is 0"

    @property
    def allowed(self) -> bool:
        """Whether the pod is deleted."""
        return self.name.startswith("DELETE")

    @property
    def status(self) -> int:
        """The HTTP status code of the answer (201 Created on success)."""
        return _STATUS[self]

    @property
    def reason(self) -> str:
        """The `metav1.Status` reason ("" on success and for the multiple-PDB answer)."""
        return _REASON.get(self.status, "")

    @property
    def decrements(self) -> bool:
        """Whether the PDB's disruptionsAllowed is decremented (and the pod recorded)."""
        return self is Decision.DELETE_DECREMENT


_STATUS = {d: 201 for d in Decision if d.name.startswith("DELETE")} | {
    Decision.REJECT_MULTIPLE_PDBS: 500,
    Decision.REJECT_STALE_STATUS: 429,
    Decision.REJECT_NEGATIVE_BUDGET: 403,
    Decision.REJECT_DISRUPTED_MAP_FULL: 403,
    Decision.REJECT_BUDGET_EXHAUSTED: 429,
}
_REASON = {429: "TooManyRequests", 403: "Forbidden"}


@dataclass(frozen=True)
class PdbUpdate:
    """The status write of `checkAndDecrement`: new disruptionsAllowed, pod recorded in
    `status.disruptedPods` (stamped with the current time by the API server)."""

    pdb_name: str
    disruptions_allowed: int
    disrupted_pod: str

    @property
    def condition_reason(self) -> str:
        """The DisruptionAllowed condition reason written with the update: reaching 0
        sets it to False/InsufficientPods; otherwise the condition is left unchanged ("")."""
        return "InsufficientPods" if self.disruptions_allowed == 0 else ""


@dataclass(frozen=True)
class Eviction:
    """The API server's answer to one eviction request."""

    allowed: bool
    status: int
    reason: str
    message: str
    decision: Decision
    cause: str = ""
    retry_after_seconds: int = 0
    pdb_update: PdbUpdate | None = None


def can_ignore_pdb(phase: str, terminating: bool) -> bool:
    """`canIgnorePDB`: Pending, Succeeded and Failed pods and pods already being deleted
    are deleted without looking at any budget."""
    return phase in ("Pending", "Succeeded", "Failed") or terminating


def eviction_core(
    *,
    phase: str,
    terminating: bool,
    ready: bool,
    pdb_count: int,
    policy: UnhealthyPodEvictionPolicy | None = None,
    current_healthy: int = 0,
    desired_healthy: int = 0,
    disruptions_allowed: int = 0,
    generation_fresh: bool = True,
    disrupted_pod_count: int = 0,
) -> Decision:
    """The decision of `EvictionREST.Create` on plain values.

    `pdb_count` counts the PDBs whose selector matches the pod; the other PDB arguments
    describe the single matching one. `generation_fresh` is
    `status.observedGeneration >= metadata.generation`.
    """
    if phase not in PHASES:
        raise KubeInputError(f"phase: unknown pod phase {phase!r}")
    if can_ignore_pdb(phase, terminating):
        return Decision.DELETE_IGNORING_PDB
    if pdb_count > 1:
        return Decision.REJECT_MULTIPLE_PDBS
    if pdb_count == 0:
        return Decision.DELETE_NO_PDB
    if not ready:
        if policy is UnhealthyPodEvictionPolicy.ALWAYS_ALLOW:
            return Decision.DELETE_UNHEALTHY
        if current_healthy >= desired_healthy and desired_healthy > 0:
            return Decision.DELETE_UNHEALTHY
    if not generation_fresh:
        return Decision.REJECT_STALE_STATUS
    if disruptions_allowed < 0:
        return Decision.REJECT_NEGATIVE_BUDGET
    if disrupted_pod_count > MAX_DISRUPTED_POD_SIZE:
        return Decision.REJECT_DISRUPTED_MAP_FULL
    if disruptions_allowed == 0:
        return Decision.REJECT_BUDGET_EXHAUSTED
    return Decision.DELETE_DECREMENT


def matching_pdbs(pod: object, pdbs: Sequence[object]) -> tuple[PdbView, ...]:
    """`getPodDisruptionBudgets`: PDBs of the pod's namespace whose selector matches.

    A PDB with a selector `LabelSelectorAsSelector` rejects matches nothing; a missing
    selector matches nothing; an empty selector (`{}`) matches every pod.
    """
    view = parse_pod(pod)
    return _matching(view, _pdb_views(pdbs))


def evict(pod: object, pdbs: Sequence[object], *, dry_run: bool = False) -> Eviction:
    """Answer an eviction request for `pod`, given every PDB in the cluster (or namespace).

    On a decrement the returned `pdb_update` is the status write the API server makes;
    with `dry_run` the check is the same but nothing is written.
    """
    view = parse_pod(pod)
    if view.phase not in PHASES:
        raise KubeInputError(f"pod.status.phase: unknown pod phase {view.phase!r}")
    matched = _matching(view, _pdb_views(pdbs))
    pdb = matched[0] if len(matched) == 1 else None
    decision = eviction_core(
        phase=view.phase,
        terminating=view.terminating,
        ready=view.ready,
        pdb_count=len(matched),
        policy=_policy(pdb),
        current_healthy=pdb.current_healthy if pdb else 0,
        desired_healthy=pdb.desired_healthy if pdb else 0,
        disruptions_allowed=pdb.disruptions_allowed if pdb else 0,
        generation_fresh=pdb.observed_generation >= pdb.generation if pdb else True,
        disrupted_pod_count=len(pdb.disrupted_pods) if pdb else 0,
    )
    return _answer(decision, view, pdb, dry_run)


def _answer(decision: Decision, pod: PodView, pdb: PdbView | None, dry_run: bool) -> Eviction:
    message, cause, retry_after = _message(decision, pdb)
    update = None
    if decision.decrements and pdb is not None and not dry_run:
        update = PdbUpdate(pdb.name, pdb.disruptions_allowed - 1, pod.name)
    return Eviction(
        allowed=decision.allowed,
        status=decision.status,
        reason=decision.reason,
        message=message,
        decision=decision,
        cause=cause,
        retry_after_seconds=retry_after,
        pdb_update=update,
    )


def _message(decision: Decision, pdb: PdbView | None) -> tuple[str, str, int]:
    """(message, DisruptionBudget cause, Retry-After seconds) of the API server's Status."""
    name = pdb.name if pdb else ""
    if decision is Decision.REJECT_MULTIPLE_PDBS:
        return MULTIPLE_PDBS_MESSAGE, "", 0
    if decision is Decision.REJECT_STALE_STATUS:
        cause = f"The disruption budget {name} is still being processed by the server."
        return BUDGET_MESSAGE, cause, 10
    if decision is Decision.REJECT_BUDGET_EXHAUSTED:
        assert pdb is not None
        cause = (
            f"The disruption budget {name} needs {pdb.desired_healthy} healthy pods "
            f"and has {pdb.current_healthy} currently"
        )
        return BUDGET_MESSAGE, cause, 0
    if decision is Decision.REJECT_NEGATIVE_BUDGET:
        return _forbidden(name, "pdb disruptions allowed is negative"), "", 0
    if decision is Decision.REJECT_DISRUPTED_MAP_FULL:
        detail = "DisruptedPods map too big - too many evictions not confirmed by PDB controller"
        return _forbidden(name, detail), "", 0
    return "", "", 0


def _forbidden(name: str, detail: str) -> str:
    """`errors.NewForbidden(policy.Resource("poddisruptionbudget"), name, err)` text."""
    resource = "poddisruptionbudget.policy"
    if not name:
        return f"{resource} is forbidden: {detail}"
    return f'{resource} "{name}" is forbidden: {detail}'


def _pdb_views(pdbs: Sequence[object]) -> list[PdbView]:
    if not isinstance(pdbs, (list, tuple)):
        raise KubeInputError(f"pdbs: must be a list, got {type(pdbs).__name__}")
    return [parse_pdb(p, f"pdbs[{i}]") for i, p in enumerate(pdbs)]


def _matching(pod: PodView, pdbs: Sequence[PdbView]) -> tuple[PdbView, ...]:
    return tuple(
        pdb
        for pdb in pdbs
        if pdb.namespace == pod.namespace
        and not isinstance(pdb.selector, InvalidSelector)
        and pdb.selector.matches(pod.labels)
    )


def _policy(pdb: PdbView | None) -> UnhealthyPodEvictionPolicy | None:
    if pdb is None or pdb.unhealthy_pod_eviction_policy is None:
        return None
    return UnhealthyPodEvictionPolicy(pdb.unhealthy_pod_eviction_policy)
