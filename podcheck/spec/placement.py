"""The checked spec, placement half: label requirements, node taints, pod tolerations,
pod (anti-)affinity terms and topology spread constraints, and the well-known labels.

Stage: part of the contract `podcheck.spec` (re-exported by `spec.objects` and
`spec`), produced by the front ends and consumed by `podcheck.model` (placement.py,
taint_eviction.py through kube_adapter.py).  NOTE(spec-invariants) as in `objects`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcheck.diagnostics import Span
from podcheck.vocab import SelectorOperator, TaintEffect, TolerationOperator

NO_SPAN = Span("<none>", 1, 1, 1, 1)


def span_field() -> Span:
    """A dataclass field for a source span: defaults to `NO_SPAN`, never compared."""
    return field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LabelRequirement:
    """One matchExpressions entry."""

    key: str
    operator: SelectorOperator
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # In and NotIn need values, Exists and DoesNotExist take none
        # (apimachinery pkg/apis/meta/v1/validation ValidateLabelSelectorRequirement)
        needs = self.operator in (SelectorOperator.IN, SelectorOperator.NOT_IN)
        assert needs == bool(self.values), (self.operator, self.values)


@dataclass(frozen=True, slots=True)
class Taint:
    """A node taint (static: the spec's taints are there from the start)."""

    key: str
    effect: TaintEffect
    value: str = ""
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.key


@dataclass(frozen=True, slots=True)
class Toleration:
    """A pod toleration; `effect` None tolerates every effect, `tolerationSeconds` None
    tolerates a NoExecute taint forever.  Kubernetes' validation (an empty key needs
    Exists, Exists takes no value, seconds need NoExecute) is kube's, at compile time."""

    key: str = ""
    operator: TolerationOperator = TolerationOperator.EQUAL
    value: str = ""
    effect: TaintEffect | None = None
    tolerationSeconds: int | None = None
    span: Span = span_field()


HOSTNAME_KEY = "kubernetes.io/hostname"  # the well-known node labels (k8s.io/api/core/v1
ZONE_KEY = "topology.kubernetes.io/zone"  # well_known_labels.go), set on every node


@dataclass(frozen=True, slots=True)
class PodAffinityTerm:
    """A required `podAffinity` / `podAntiAffinity` term in the pod's own namespace:
    pods whose labels `matchLabels` selects, counted per `topologyKey` domain."""

    topologyKey: str
    matchLabels: tuple[tuple[str, str], ...] = ()
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.topologyKey


@dataclass(frozen=True, slots=True)
class TopologySpreadConstraint:
    """A `topologySpreadConstraints` entry with `whenUnsatisfiable: DoNotSchedule`."""

    maxSkew: int
    topologyKey: str
    matchLabels: tuple[tuple[str, str], ...] = ()
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.maxSkew >= 1 and self.topologyKey
