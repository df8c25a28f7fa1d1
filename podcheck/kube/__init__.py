"""podcheck.kube: Kubernetes' own rules as pure, tested functions.

Stage: a library, called by `podcheck.model` for every rule (one source of truth) and
usable on its own.  Inputs are Kubernetes-shaped dicts, as `yaml.safe_load` gives them;
every function raises `KubeInputError` (naming the bad field) on malformed input.  Each
rule is a thin validating layer over a core function on small typed values, which the
model compiler evaluates at compile time or mirrors in the IR.  docs/api.md documents the
API, docs/semantics.md cites the Kubernetes source of every rule.
"""

from podcheck.kube._views import (
    ContainerPolicy,
    ContainerRestartPolicy,
    RestartPolicy,
    container_should_restart,
    is_container_restartable,
    is_restartable_init_container,
)
from podcheck.kube.backoff import backoff_after, crashloop_delays, restart_delay
from podcheck.kube.deadline import (
    DEADLINE_EXCEEDED_MESSAGE,
    DEADLINE_EXCEEDED_REASON,
    deadline_exceeded,
)
from podcheck.kube.disruption import (
    desired_healthy,
    disruptions_allowed,
    expected_count,
    pdb_status,
    scaled_value,
)
from podcheck.kube.errors import KubeInputError
from podcheck.kube.eviction import Eviction, can_ignore_pdb, evict, eviction_core
from podcheck.kube.kuberuntime import (
    compute_init_container_actions,
    compute_pod_actions,
    should_container_be_restarted,
)
from podcheck.kube.labels import matches
from podcheck.kube.phase import phase_core, pod_phase
from podcheck.kube.probes import probe_defaults, probe_step
from podcheck.kube.resources import parse_quantity, pod_limits, pod_requests

__all__ = [
    "ContainerPolicy",
    "ContainerRestartPolicy",
    "RestartPolicy",
    "container_should_restart",
    "is_container_restartable",
    "is_restartable_init_container",
    "DEADLINE_EXCEEDED_MESSAGE",
    "DEADLINE_EXCEEDED_REASON",
    "Eviction",
    "KubeInputError",
    "backoff_after",
    "can_ignore_pdb",
    "compute_init_container_actions",
    "compute_pod_actions",
    "crashloop_delays",
    "deadline_exceeded",
    "desired_healthy",
    "disruptions_allowed",
    "evict",
    "eviction_core",
    "expected_count",
    "matches",
    "parse_quantity",
    "pdb_status",
    "phase_core",
    "pod_limits",
    "pod_phase",
    "pod_requests",
    "probe_defaults",
    "probe_step",
    "restart_delay",
    "scaled_value",
    "should_container_be_restarted",
]
