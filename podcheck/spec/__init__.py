"""The checked spec: the contract between the front ends and the model compiler.

Stage: produced by `podcheck.lang` (the DSL, after parsing, imports, name resolution
and field checks) and by `podcheck.manifests` (Kubernetes YAML); consumed by
`podcheck.model`.  Owned by none of them.  Everything here is already validated: names
resolve, numbers are in range, defaults are filled in with Kubernetes' own defaults.
Spans point into the source the value came from and never take part in equality.

Two halves: `objects` (the cluster description) and `formulas` (the property language).
This module holds the whole, `CheckedSpec`, and re-exports both halves.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck.spec.formulas import (
    BINARY_OPS,
    BOUNDED_TEMPORAL,
    BUILTIN_CHECKS,
    CONTAINER_FIELDS,
    DOMAINS,
    ENUMS,
    EXPECT_OUTCOMES,
    JOB_FIELDS,
    NODE_FIELDS,
    POD_FIELDS,
    QUANTIFIERS,
    TEMPORAL_ARITY,
    UNARY_OPS,
    Attr,
    Binary,
    BoolLit,
    ContainerOf,
    Count,
    Domain,
    DurationLit,
    Elapsed,
    EnumLit,
    Expect,
    Expr,
    IntLit,
    PropertyDecl,
    Quant,
    Ref,
    Temporal,
    Unary,
)
from podcheck.spec.objects import (
    Behavior,
    Container,
    CronSchedule,
    DisruptionStart,
    DrainMode,
    Duration,
    DurationRange,
    Environment,
    FairnessTarget,
    IntOrPercent,
    Node,
    Outcome,
    PodDisruptionBudget,
    PodTemplate,
    PolicyRule,
    PreStop,
    Probe,
    Start,
    Volume,
    Workload,
)
from podcheck.spec.params import Param
from podcheck.spec.placement import (
    HOSTNAME_KEY,
    NO_SPAN,
    ZONE_KEY,
    LabelRequirement,
    PodAffinityTerm,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    span_field,
)
from podcheck.vocab import ProbeKind, WorkloadKind

__all__ = [
    "Attr",
    "BINARY_OPS",
    "BUILTIN_CHECKS",
    "Behavior",
    "Binary",
    "BoolLit",
    "CONTAINER_FIELDS",
    "CheckedSpec",
    "Container",
    "CronSchedule",
    "ContainerOf",
    "DurationLit",
    "Elapsed",
    "Count",
    "DOMAINS",
    "Domain",
    "DisruptionStart",
    "Start",
    "DrainMode",
    "Duration",
    "DurationRange",
    "ENUMS",
    "EXPECT_OUTCOMES",
    "EnumLit",
    "Environment",
    "Expect",
    "Expr",
    "FairnessTarget",
    "HOSTNAME_KEY",
    "IntLit",
    "IntOrPercent",
    "LabelRequirement",
    "JOB_FIELDS",
    "NODE_FIELDS",
    "NO_SPAN",
    "Node",
    "Outcome",
    "POD_FIELDS",
    "Param",
    "PodAffinityTerm",
    "PodDisruptionBudget",
    "PodTemplate",
    "PolicyRule",
    "PreStop",
    "Probe",
    "ProbeKind",
    "PropertyDecl",
    "QUANTIFIERS",
    "Quant",
    "Ref",
    "BOUNDED_TEMPORAL",
    "TEMPORAL_ARITY",
    "Temporal",
    "UNARY_OPS",
    "Unary",
    "Taint",
    "Toleration",
    "TopologySpreadConstraint",
    "Volume",
    "Workload",
    "ZONE_KEY",
    "WorkloadKind",
    "span_field",
]


@dataclass(frozen=True, slots=True)
class CheckedSpec:
    """A whole, valid spec: what `podcheck.model.compile_spec` consumes."""

    path: str
    workloads: tuple[Workload, ...] = ()
    nodes: tuple[Node, ...] = ()
    pdbs: tuple[PodDisruptionBudget, ...] = ()
    environment: Environment = Environment()
    properties: tuple[PropertyDecl, ...] = ()
    expects: tuple[Expect, ...] = ()
    # symbolic parameters (spec/params.py): each point's values and its own checked spec;
    # the fields above are those of the first point
    params: tuple[Param, ...] = ()
    instances: tuple[tuple[tuple[int, ...], CheckedSpec], ...] = ()

    def __post_init__(self) -> None:
        for kind, names in (
            ("workload", tuple(w.name for w in self.workloads)),
            ("node", tuple(n.name for n in self.nodes)),
            ("pdb", tuple(p.name for p in self.pdbs)),
            ("property", tuple(p.name for p in self.properties)),
        ):
            assert len(set(names)) == len(names), (kind, names)
        nodes = {n.name for n in self.nodes}
        assert set(self.environment.drain) <= nodes, self.environment.drain
        declared = {p.name for p in self.properties}
        assert all(e.property in declared for e in self.expects)
        assert bool(self.params) == bool(self.instances)
        assert all(len(v) == len(self.params) and not s.params for v, s in self.instances)
