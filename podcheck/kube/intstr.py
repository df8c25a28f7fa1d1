"""Kubernetes' IntOrString as podcheck uses it: a count (`2`) or a percentage (`50%`).

Stage: part of the `podcheck.kube` library (k8s.io/apimachinery/pkg/util/intstr).  The
checked spec (`podcheck.spec`) re-exports it, so the front ends, the model and the kube
rules share one type; kube imports nothing of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IntOrPercent:
    """Kubernetes' IntOrString for budgets and surge: `2` or `50%`."""

    value: int
    percent: bool = False

    def __post_init__(self) -> None:
        assert self.value >= 0, self.value
