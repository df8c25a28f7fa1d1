"""cluster-autoscaler scale-down: which pods keep a node from being removed.

Stage: `kube/` rule library.  Consumes a `CAPod` (what the drainability rules read of one
pod) and the `NodeDeleteOptions`; produces a drainability `Status` per pod and, for a
node's pods, whether the autoscaler may remove it.

Mirrors kubernetes/autoscaler cluster-autoscaler/simulator/drainability/rules:
`rules.go` `Default` (the rules in order, the first defined outcome wins: mirror,
longterminating, daemonset, safetoevict, terminal, then the blocking checks replicated,
notsafetoevict, localstorage, pdb) and each rule's `Drainable`: `mirror` (Skip),
`daemonset` / `safetoevict` (annotation "true") / `terminal` (Succeeded or Failed:
Drainable), `replicated` (no controller: BlockDrain NotReplicated), `notsafetoevict`
(annotation "false": BlockDrain NotSafeToEvictAnnotation), `localstorage` (an emptyDir,
with --skip-nodes-with-local-storage, CA's default: BlockDrain LocalStorageRequested),
`pdb` (a matching PDB with disruptionsAllowed < 1: BlockDrain NotEnoughPdb).  The
actuator's timing: core/scaledown/actuation (`MaxPodEvictionTime` 2 min of eviction
retries every `EvictionRetryTime` 10 s, then the node is untainted and kept).

Not modelled: the `system` rule (kube-system pods without a PDB: the spec has no
namespaces), `longterminating` (deletions are immediate), the custom-controller legacy
check and `safe-to-evict-local-volumes`, the utilization threshold and the
scale-down-unneeded-time (any removable node may be chosen at any time).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from podcheck.vocab import PodPhase, WorkloadKind

MAX_POD_EVICTION_TIME = 120  # seconds: core/scaledown/actuation MaxPodEvictionTime
EVICTION_RETRY_TIME = 10  # seconds between retries of a refused eviction


class Outcome(enum.StrEnum):
    """`drainability.OutcomeType`."""

    UNDEFINED = "Undefined"
    DRAINABLE = "Drainable"
    BLOCK_DRAIN = "BlockDrain"
    SKIP_DRAIN = "SkipDrain"


class BlockingReason(enum.StrEnum):
    """`drain.BlockingPodReason` (the ones these rules give)."""

    NONE = ""
    NOT_REPLICATED = "NotReplicated"
    NOT_SAFE_TO_EVICT_ANNOTATION = "NotSafeToEvictAnnotation"
    LOCAL_STORAGE_REQUESTED = "LocalStorageRequested"
    NOT_ENOUGH_PDB = "NotEnoughPdb"


@dataclass(frozen=True, slots=True)
class Status:
    """A rule's answer: the outcome, the blocking reason and its error text."""

    outcome: Outcome
    reason: BlockingReason = BlockingReason.NONE
    message: str = ""

    @property
    def blocks(self) -> bool:
        """The pod keeps its node from being removed."""
        return self.outcome is Outcome.BLOCK_DRAIN


UNDEFINED = Status(Outcome.UNDEFINED)
DRAINABLE = Status(Outcome.DRAINABLE)


@dataclass(frozen=True, slots=True)
class CAPod:
    """What the rules read of a pod: its controller's kind (POD: none), the phase, the
    mirror annotation, `cluster-autoscaler.kubernetes.io/safe-to-evict` (None: unset),
    an emptyDir volume, and the disruptionsAllowed of every PDB that selects it."""

    name: str
    controller: WorkloadKind = WorkloadKind.POD
    phase: PodPhase = PodPhase.RUNNING
    mirror: bool = False
    safe_to_evict: bool | None = None
    local_storage: bool = False
    pdb_disruptions_allowed: tuple[int, ...] = ()
    namespace: str = "default"


@dataclass(frozen=True, slots=True)
class NodeDeleteOptions:
    """The flags the rules read (CA's defaults)."""

    skip_nodes_with_local_storage: bool = True


def drainable(pod: CAPod, options: NodeDeleteOptions = NodeDeleteOptions()) -> Status:
    """`Rules.Drainable` with the `Default` rules: the first defined outcome."""
    if pod.mirror:
        return Status(Outcome.SKIP_DRAIN)
    if pod.controller is WorkloadKind.DAEMONSET or pod.safe_to_evict is True:
        return DRAINABLE
    if pod.phase in (PodPhase.SUCCEEDED, PodPhase.FAILED):
        return DRAINABLE
    for rule in (_replicated, _not_safe_to_evict, _local_storage, _pdb):
        status = rule(pod, options)
        if status.outcome is not Outcome.UNDEFINED:
            return status
    return UNDEFINED


def _replicated(pod: CAPod, options: NodeDeleteOptions) -> Status:
    if pod.controller is not WorkloadKind.POD:
        return UNDEFINED
    return Status(Outcome.BLOCK_DRAIN, BlockingReason.NOT_REPLICATED,
                  f"{pod.namespace}/{pod.name} is not replicated")


def _not_safe_to_evict(pod: CAPod, options: NodeDeleteOptions) -> Status:
    if pod.safe_to_evict is not False:
        return UNDEFINED
    return Status(Outcome.BLOCK_DRAIN, BlockingReason.NOT_SAFE_TO_EVICT_ANNOTATION,
                  f"pod annotated as not safe to evict present: {pod.name}")


def _local_storage(pod: CAPod, options: NodeDeleteOptions) -> Status:
    if not (pod.local_storage and options.skip_nodes_with_local_storage):
        return UNDEFINED
    return Status(Outcome.BLOCK_DRAIN, BlockingReason.LOCAL_STORAGE_REQUESTED,
                  f"pod with local storage present: {pod.name}")


def _pdb(pod: CAPod, options: NodeDeleteOptions) -> Status:
    if all(allowed >= 1 for allowed in pod.pdb_disruptions_allowed):
        return UNDEFINED
    return Status(Outcome.BLOCK_DRAIN, BlockingReason.NOT_ENOUGH_PDB,
                  f"not enough pod disruption budget to move {pod.namespace}/{pod.name}")


def needs_new_home(pod: CAPod, status: Status) -> bool:
    """The pod is rescheduled elsewhere in the simulation and evicted by the drain
    (`GetPodsToMove`): not blocked, not skipped (mirror), not a DaemonSet's pod (those
    are evicted best effort, never rescheduled), not finished."""
    return (status.outcome in (Outcome.UNDEFINED, Outcome.DRAINABLE)
            and pod.controller is not WorkloadKind.DAEMONSET
            and pod.phase not in (PodPhase.SUCCEEDED, PodPhase.FAILED))


def removable(pods: Sequence[CAPod], fits_elsewhere: Sequence[bool],
              options: NodeDeleteOptions = NodeDeleteOptions()) -> bool:
    """The scale-down simulation for one node (simulator `RemovalSimulator`): no pod
    blocks it and every pod to move fits on another node (`fits_elsewhere`, per pod, as
    the scheduler's filters decide)."""
    statuses = [drainable(p, options) for p in pods]
    if any(s.blocks for s in statuses):
        return False
    return all(fit for p, s, fit in zip(pods, statuses, fits_elsewhere, strict=True)
               if needs_new_home(p, s))
