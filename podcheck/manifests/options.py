"""The options of the manifest front end: the zero-config defaults and their overrides.

Stage: an input of `podcheck.manifests` (built by the CLI from `--nodes`, `--failures`,
`--concurrent-drains`, `--check` and `--kubernetes-version`).
"""

from __future__ import annotations

from dataclasses import dataclass

# The built-in checks run when `--check` names none (spec.BUILTIN_CHECKS has them all).
DEFAULT_CHECKS = (
    "init-order",
    "budget-respected",
    "drain-completes",
    "eventually-ready",
    "no-crash-loop",
    "job-completes",
    "no-deadlock",
)
DEFAULT_KUBERNETES_VERSION = (1, 31)


# The releases whose rules podcheck knows: apps/v1 workloads exist from 1.9, and the
# kubelet and controller rules are transcribed from v1.35 (docs/semantics.md).
OLDEST_KUBERNETES_VERSION = (1, 9)
NEWEST_KUBERNETES_VERSION = (1, 35)


def parse_version(text: str) -> tuple[int, int] | None:
    """`1.29` or `v1.29.3` as (1, 29); None when it is not such a version or not one of
    the releases from OLDEST_KUBERNETES_VERSION to NEWEST_KUBERNETES_VERSION."""
    parts = text.strip().removeprefix("v").split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        return None
    version = int(parts[0]), int(parts[1])
    if not OLDEST_KUBERNETES_VERSION <= version <= NEWEST_KUBERNETES_VERSION:
        return None
    return version


@dataclass(frozen=True, slots=True)
class ManifestOptions:
    """What the manifests do not say.

    `nodes`: how many nodes to assume when the input holds no Node object.
    `failures`: at most this many involuntary node failures.  `concurrent_drains`: 1 for
    rolling maintenance (one node at a time), more for concurrent drains, 0 for none.
    `checks`: the built-in checks to run (empty: `DEFAULT_CHECKS`).
    `kubernetes_version`: (major, minor) whose API and rules apply.  `every_count`
    (`podcheck counts`): an autoscaler's whole minReplicas..maxReplicas is the replica
    parameter whatever its size, its point specs only at the range's two ends.
    """

    nodes: int = 3
    failures: int = 1
    concurrent_drains: int = 1
    checks: tuple[str, ...] = ()
    kubernetes_version: tuple[int, int] = DEFAULT_KUBERNETES_VERSION
    every_count: bool = False

    def __post_init__(self) -> None:
        assert self.nodes >= 1 and self.failures >= 0 and self.concurrent_drains >= 0

    @property
    def chosen_checks(self) -> tuple[str, ...]:
        """The checks to run: `checks`, or the defaults."""
        return self.checks or DEFAULT_CHECKS

    def at_least(self, major: int, minor: int) -> bool:
        """True when the Kubernetes version checked is `major.minor` or later."""
        return self.kubernetes_version >= (major, minor)

    @property
    def version_text(self) -> str:
        """The Kubernetes version as `1.31`."""
        return "{}.{}".format(*self.kubernetes_version)

    def flags(self) -> tuple[str, ...]:
        """The command-line flags that give these options (the defaults left out), as
        `podcheck check`, `counts`, `tune` and `fit` spell them."""
        out = [] if self.nodes == 3 else [f"--nodes {self.nodes}"]
        out += [] if self.failures == 1 else [f"--failures {self.failures}"]
        out += [] if self.concurrent_drains == 1 else [
            f"--concurrent-drains {self.concurrent_drains}"]
        out += [f"--check {c}" for c in self.checks]
        if self.kubernetes_version != DEFAULT_KUBERNETES_VERSION:
            out.append(f"--kubernetes-version {self.version_text}")
        return tuple(out)
