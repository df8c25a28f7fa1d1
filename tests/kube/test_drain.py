"""kubectl drain's pod filters against the rows of `TestDrain`
(staging/src/k8s.io/kubectl/pkg/cmd/drain/drain_test.go), by description: `expectFatal`
is "the drain reports an error", `expectDelete` "the pod is evicted", and the warning
where the row pins one.  The test's pods: rcPod / rsPod / jobPod are controlled by an
RC / RS / Job (the RC is a ReplicaSet here: the filters read only "has a controller"),
dsPod by a DaemonSet that exists, orphanedDsPod by one that does not, nakedPod and
emptydirPod by nothing.
"""

from __future__ import annotations

import pytest

from podcheck.kube.drain import (
    DAEMONSET_WARNING,
    LOCAL_STORAGE_FATAL,
    UNMANAGED_FATAL,
    UNMANAGED_WARNING,
    DrainFlags,
    DrainPod,
    Reason,
    drain_errors,
    pod_delete_status,
    pods_to_delete,
)
from podcheck.vocab import PodPhase, WorkloadKind

RS, DS, JOB, NONE = (WorkloadKind.REPLICASET, WorkloadKind.DAEMONSET, WorkloadKind.JOB,
                     WorkloadKind.POD)
FAILED = PodPhase.FAILED


def _flags(*args: str) -> DrainFlags:
    return DrainFlags(ignore_daemonsets="--ignore-daemonsets" in args,
                      force="--force" in args,
                      delete_emptydir_data="--delete-emptydir-data=true" in args)


ROWS = [
    ("RC-managed pod", DrainPod("bar", RS), (), False, True),
    ("DS-managed pod", DrainPod("bar", DS), (), True, False),
    ("DS-managed terminated pod", DrainPod("bar", DS, FAILED), (), False, True),
    ("orphaned DS-managed pod", DrainPod("bar", DS, controller_found=False), (), True, False),
    ("orphaned DS-managed pod with --force", DrainPod("bar", DS, controller_found=False),
     ("--force",), False, True),
    ("DS-managed pod with --ignore-daemonsets", DrainPod("bar", DS), ("--ignore-daemonsets",),
     False, False),
    ("DS-managed pod with emptyDir with --ignore-daemonsets",
     DrainPod("bar", DS, local_storage=True), ("--ignore-daemonsets",), False, False),
    ("Job-managed pod with local storage", DrainPod("bar", JOB, local_storage=True),
     ("--force", "--delete-emptydir-data=true"), False, True),
    ("Job-managed terminated pod", DrainPod("bar", JOB, FAILED, local_storage=True), (),
     False, True),
    ("RS-managed pod", DrainPod("bar", RS), (), False, True),
    ("naked pod", DrainPod("bar", NONE), (), True, False),
    ("naked pod with --force", DrainPod("bar", NONE), ("--force",), False, True),
    ("pod with EmptyDir", DrainPod("bar", NONE, local_storage=True), ("--force",), True, False),
    ("terminated pod with emptyDir", DrainPod("bar", RS, FAILED, local_storage=True), (),
     False, True),
    ("pod with EmptyDir and --delete-emptydir-data", DrainPod("bar", NONE, local_storage=True),
     ("--force", "--delete-emptydir-data=true"), False, True),
]


@pytest.mark.parametrize(("description", "pod", "args", "fatal", "delete"), ROWS,
                         ids=[r[0] for r in ROWS])
def test_drain_rows(description: str, pod: DrainPod, args: tuple[str, ...], fatal: bool,
                    delete: bool) -> None:
    flags = _flags(*args)
    assert bool(drain_errors([pod], flags)) is fatal
    # a fatal drain evicts nothing (GetPodsForDeletion errors before any eviction)
    assert (pods_to_delete([pod], flags) == ("bar",) and not fatal) is delete


def test_empty_node() -> None:
    """TestDrain "empty node": no error, nothing deleted."""
    assert drain_errors([], DrainFlags()) == ()
    assert pods_to_delete([], DrainFlags()) == ()


def test_warnings_pinned_by_test_drain() -> None:
    """The rows' `expectWarning`: "ignoring DaemonSet-managed Pods: default/bar" and
    "deleting Pods that declare no controller: default/bar"."""
    ds = pod_delete_status(DrainPod("bar", DS, local_storage=True), _flags("--ignore-daemonsets"))
    assert (ds.reason, ds.message) == (Reason.WARNING, DAEMONSET_WARNING)
    naked = pod_delete_status(DrainPod("bar", NONE), _flags("--force"))
    assert (naked.reason, naked.message) == (Reason.WARNING, UNMANAGED_WARNING)


def test_error_words_as_kubectl_prints_them() -> None:
    """`PodDeleteList.errors`: "cannot delete" is added unless the message has it."""
    pods = [DrainPod("a", NONE), DrainPod("b", NONE), DrainPod("c", RS, local_storage=True)]
    assert drain_errors(pods, DrainFlags()) == (
        f"{UNMANAGED_FATAL}: default/a, default/b",
        f"cannot delete {LOCAL_STORAGE_FATAL}: default/c",
    )


def test_mirror_pods_are_skipped() -> None:
    """`mirrorPodFilter`: skipped without a message, whatever the flags."""
    status = pod_delete_status(DrainPod("etcd", NONE, mirror=True), DrainFlags())
    assert (status.delete, status.reason) == (False, Reason.SKIP)
    assert drain_errors([DrainPod("etcd", NONE, mirror=True)], DrainFlags()) == ()
