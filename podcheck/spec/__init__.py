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
    BUILTIN_CHECKS,
    CONTAINER_FIELDS,
    ENUMS,
    NODE_FIELDS,
    POD_FIELDS,
    Attr,
    Binary,
    BoolLit,
    Count,
    Domain,
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
    NO_SPAN,
    Behavior,
    Container,
    DrainMode,
    Duration,
    DurationRange,
    Environment,
    IntOrPercent,
    LabelRequirement,
    Node,
    Outcome,
    PodDisruptionBudget,
    PodTemplate,
    Probe,
    ProbeKind,
    Volume,
    Workload,
    WorkloadKind,
)

__all__ = [
    "Attr",
    "BUILTIN_CHECKS",
    "Behavior",
    "Binary",
    "BoolLit",
    "CONTAINER_FIELDS",
    "CheckedSpec",
    "Container",
    "Count",
    "Domain",
    "DrainMode",
    "Duration",
    "DurationRange",
    "ENUMS",
    "EnumLit",
    "Environment",
    "Expect",
    "Expr",
    "IntLit",
    "IntOrPercent",
    "LabelRequirement",
    "NODE_FIELDS",
    "NO_SPAN",
    "Node",
    "Outcome",
    "POD_FIELDS",
    "PodDisruptionBudget",
    "PodTemplate",
    "Probe",
    "ProbeKind",
    "PropertyDecl",
    "Quant",
    "Ref",
    "Temporal",
    "Unary",
    "Volume",
    "Workload",
    "WorkloadKind",
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
