"""kubectl drain's pod filters: which pods on a node a drain evicts, skips or refuses.

Stage: `kube/` rule library.  Consumes a `DrainPod` (the facts about one pod the filters
read) and the command's `DrainFlags`; produces a `PodDeleteStatus` per pod and, for a
node's pods, the errors kubectl prints when it refuses to drain.

Mirrors staging/src/k8s.io/kubectl/pkg/drain/filters.go: `makeFilters` (skipDeleted,
daemonSet, mirrorPod, localStorage, unreplicated, in that order), `daemonSetFilter`,
`mirrorPodFilter`, `localStorageFilter` (`hasLocalStorage`: an emptyDir volume),
`unreplicatedFilter`, `PodDeleteList.errors`; and drain.go `GetPodsForDeletion` (the
filters short-circuit at the first that does not delete; every pod is listed, and any
Error status makes the whole drain fail before a single eviction).  The flag defaults
are kubectl's (all off); `podcheck`'s environment defaults them on.

Not modelled: `skipDeletedFilter` (`--skip-wait-for-delete-timeout`: a pod deleted long
ago; the model's deletions are immediate), the pod selector, and the lookup of a
DaemonSet controller that returns an error other than NotFound.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from podcheck.vocab import PodPhase, WorkloadKind

DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
DAEMONSET_NOT_FOUND = 'daemonsets.apps "{name}" not found'


class Reason(enum.StrEnum):
    """`PodDeleteStatus.Reason` (filters.go `PodDeleteStatusType*`)."""

    OKAY = "Okay"
    SKIP = "Skip"
    WARNING = "Warning"
    ERROR = "Error"


@dataclass(frozen=True, slots=True)
class PodDeleteStatus:
    """Whether kubectl drain deletes the pod, why, and the message it prints."""

    delete: bool
    reason: Reason
    message: str = ""


OKAY = PodDeleteStatus(True, Reason.OKAY)
SKIP = PodDeleteStatus(False, Reason.SKIP)


@dataclass(frozen=True, slots=True)
class DrainFlags:
    """`--ignore-daemonsets`, `--force`, `--delete-emptydir-data` (kubectl's defaults:
    off)."""

    ignore_daemonsets: bool = False
    force: bool = False
    delete_emptydir_data: bool = False


@dataclass(frozen=True, slots=True)
class DrainPod:
    """What the filters read of a pod: its controller's kind (POD: no controller), the
    phase, the mirror-pod annotation, an emptyDir volume, and whether its DaemonSet
    still exists (an orphaned DaemonSet pod)."""

    name: str
    controller: WorkloadKind = WorkloadKind.POD
    phase: PodPhase = PodPhase.RUNNING
    mirror: bool = False
    local_storage: bool = False
    controller_found: bool = True
    namespace: str = "default"

    @property
    def finished(self) -> bool:
        """Succeeded or Failed: "any finished pod can be removed"."""
        return self.phase in (PodPhase.SUCCEEDED, PodPhase.FAILED)


def daemonset_filter(pod: DrainPod, flags: DrainFlags) -> PodDeleteStatus:
    """`daemonSetFilter`: a running DaemonSet pod is never deleted; it is an error
    without --ignore-daemonsets, and an orphaned one is deleted under --force."""
    if pod.controller is not WorkloadKind.DAEMONSET or pod.finished:
        return OKAY
    if not pod.controller_found:
        message = DAEMONSET_NOT_FOUND.format(name=pod.name)
        return (PodDeleteStatus(True, Reason.WARNING, message) if flags.force
                else PodDeleteStatus(False, Reason.ERROR, message))
    if not flags.ignore_daemonsets:
        return PodDeleteStatus(False, Reason.ERROR, DAEMONSET_FATAL)
    return PodDeleteStatus(False, Reason.WARNING, DAEMONSET_WARNING)


def mirror_pod_filter(pod: DrainPod, flags: DrainFlags) -> PodDeleteStatus:
    """`mirrorPodFilter`: a mirror (static) pod is skipped silently."""
    return SKIP if pod.mirror else OKAY


def local_storage_filter(pod: DrainPod, flags: DrainFlags) -> PodDeleteStatus:
    """`localStorageFilter`: a running pod with an emptyDir needs --delete-emptydir-data."""
    if not pod.local_storage or pod.finished:
        return OKAY
    if not flags.delete_emptydir_data:
        return PodDeleteStatus(False, Reason.ERROR, LOCAL_STORAGE_FATAL)
    return PodDeleteStatus(True, Reason.WARNING, LOCAL_STORAGE_WARNING)


def unreplicated_filter(pod: DrainPod, flags: DrainFlags) -> PodDeleteStatus:
    """`unreplicatedFilter`: a running pod without a controller needs --force."""
    if pod.finished or pod.controller is not WorkloadKind.POD:
        return OKAY
    if flags.force:
        return PodDeleteStatus(True, Reason.WARNING, UNMANAGED_WARNING)
    return PodDeleteStatus(False, Reason.ERROR, UNMANAGED_FATAL)


FILTERS = (daemonset_filter, mirror_pod_filter, local_storage_filter, unreplicated_filter)


def pod_delete_status(pod: DrainPod, flags: DrainFlags) -> PodDeleteStatus:
    """`GetPodsForDeletion` for one pod: the filters in order, stopping at the first
    that does not delete (the last status is kept)."""
    status = OKAY
    for f in FILTERS:
        status = f(pod, flags)
        if not status.delete:
            break
    return status


def drain_errors(pods: Sequence[DrainPod], flags: DrainFlags) -> tuple[str, ...]:
    """`PodDeleteList.errors`: one message per distinct error, naming its pods
    (`namespace/name`), prefixed "cannot delete" unless it already says so; empty when
    the drain may go ahead.  Sorted (kubectl's order is a Go map's)."""
    failed: dict[str, list[str]] = {}
    for pod in pods:
        status = pod_delete_status(pod, flags)
        if status.reason is Reason.ERROR:
            failed.setdefault(status.message or "unexpected error", []).append(
                f"{pod.namespace}/{pod.name}")
    out = []
    for message, names in failed.items():
        prefix = "" if message.lower().startswith("cannot delete") else "cannot delete "
        out.append(f"{prefix}{message}: {', '.join(names)}")
    return tuple(sorted(out))


def pods_to_delete(pods: Sequence[DrainPod], flags: DrainFlags) -> tuple[str, ...]:
    """`PodDeleteList.Pods`: the names of the pods the drain evicts."""
    return tuple(p.name for p in pods if pod_delete_status(p, flags).delete)
