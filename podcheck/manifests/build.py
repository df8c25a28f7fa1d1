"""Kubernetes objects to one checked spec, with the zero-config cluster around them.

Stage: the last step of `podcheck.manifests`.  Consumes the `KObject`s of every input
and `ManifestOptions`; produces `StageResult[spec.CheckedSpec]`: the workloads (HPAs
applied), the Node objects or `--nodes` default nodes, the PDBs, the default
environment (rolling maintenance, `--failures` node failures) and the built-in checks,
with a PC414 note that prints those assumptions first.  Per NOTE(stage-gating) the spec
is returned only when no error was found.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from podcheck.diagnostics import Diagnostic, Note, Severity
from podcheck.diagnostics import codes as c
from podcheck.kube.resources import aggregate_containers, parse_quantity, parse_resource_list
from podcheck.manifests.budgets import read_budget_ranges
from podcheck.manifests.cluster import Scaling, read_hpa, read_node, read_pdb
from podcheck.manifests.groups import applies
from podcheck.manifests.objects import CONTROLLERS, KObject
from podcheck.manifests.options import ManifestOptions
from podcheck.manifests.ranges import Ranged, on_workload, read_ranges
from podcheck.manifests.workloads import name_of, read_workload
from podcheck.spec import (
    BUILTIN_CHECKS,
    NO_SPAN,
    CheckedSpec,
    DrainMode,
    Environment,
    Node,
    Param,
    PodDisruptionBudget,
    PodTemplate,
    PropertyDecl,
    Workload,
)
from podcheck.spec.params import MAX_POINTS

Out = list[Diagnostic]
NAMESPACE_LABEL = "podcheck.io/namespace"


def build_spec(path: str, objects: Sequence[KObject], options: ManifestOptions,
               out: Out, *, objects_only: bool = False) -> CheckedSpec | None:
    """The checked spec of `objects`, or None when an error was found (in `out`).
    `objects_only` (a `.pod` spec's `import "app.yaml"`): the workloads, the Node
    objects and the PDBs alone, with no assumed nodes, environment or checks (the
    importing spec says those)."""
    multi = len({o.namespace for o in objects if o.kind != "Node"}) > 1
    label = NAMESPACE_LABEL if multi else None
    scaling = [s for o in objects if o.kind == "HorizontalPodAutoscaler"
               for s in [read_hpa(o, out)] if s is not None]
    workloads: list[Workload] = []
    ranges: list[Ranged] = []  # a replica range per HPA target; annotated probe ranges
    for obj in objects:
        if obj.kind in CONTROLLERS or obj.kind == "Pod":
            w = read_workload(obj, name_of(obj, multi), options, out)
            if w is not None:
                workloads.append(_scaled(_namespaced(w, obj, label), obj, scaling, ranges, out,
                                         options.every_count))
                ranges += read_ranges(obj, workloads[-1], out)
    _unscaled_targets(scaling, objects, out)
    nodes = [read_node(o, out) for o in objects if o.kind == "Node"]
    pdbs = _budgets(objects, options, label, workloads, ranges, out)
    if _points([r.param for r in ranges]) > MAX_POINTS and not options.every_count:
        out.append(Diagnostic(c.INVALID_BEHAVIOR_ANNOTATION, Severity.ERROR,
                              f"the ranges have more than {MAX_POINTS} points together",
                              ranges[-1].param.span, help="narrow a range"))
    if not workloads and not objects_only and not any(d.severity is Severity.ERROR
                                                      for d in out):
        out.append(Diagnostic(c.NO_MANIFESTS, Severity.ERROR,
                              f"`{path}` holds no Pod, Deployment, ReplicaSet, StatefulSet, "
                              "DaemonSet, Job or CronJob", help="give the workload manifests"))
    if any(d.severity is Severity.ERROR for d in out):
        return None
    if objects_only:
        return _ranged(CheckedSpec(path=path, workloads=tuple(workloads), nodes=tuple(nodes),
                                   pdbs=tuple(pdbs)), ranges)
    given = bool(nodes)
    nodes = nodes or [Node(f"n{i}") for i in range(1, options.nodes + 1)]
    _fits(workloads, nodes, out)
    environment = _environment(nodes, pdbs, workloads, options)
    checks = _checks(options, workloads, pdbs, environment, out)
    out.insert(0, _defaults_note(nodes, given, environment, checks, options))
    if any(d.severity is Severity.ERROR for d in out):
        return None
    return _ranged(CheckedSpec(path=path, workloads=tuple(workloads), nodes=tuple(nodes),
                               pdbs=tuple(pdbs), environment=environment,
                               properties=tuple(PropertyDecl(n, None, builtin=n)
                                                for n in checks)), ranges)  # fmt: skip


def _budgets(objects: Sequence[KObject], options: ManifestOptions, label: str | None,
             workloads: list[Workload], ranges: list[Ranged],
             out: Out) -> list[PodDisruptionBudget]:  # fmt: skip
    """The PodDisruptionBudgets; their range annotations appended to `ranges`."""
    pdbs = []
    for obj in objects:
        pdb = read_pdb(obj, options, label, out) if obj.kind == "PodDisruptionBudget" else None
        if pdb is not None:
            pdbs.append(pdb)
            ranges += read_budget_ranges(obj, pdb, workloads, ranges, out)
    return pdbs


def _namespaced(w: Workload, obj: KObject, label: str | None) -> Workload:
    if label is None:
        return w
    labels = tuple(sorted((*w.template.labels, (label, obj.namespace))))
    return replace(w, template=replace(w.template, labels=labels))


def _scaled(w: Workload, obj: KObject, scaling: list[Scaling], ranges: list[Ranged],
            out: Out, every_count: bool = False) -> Workload:  # fmt: skip
    """`w` at its HPA's minReplicas; the range `minReplicas..maxReplicas` becomes a
    replica-count parameter (every count checked, NOTE(per-count-runs)) unless the
    product of the ranges has more than `MAX_POINTS` points (and not `every_count`)."""
    for s in scaling:
        if s.target != obj.key:
            continue
        points = (s.high - s.low + 1) * _points([r.param for r in ranges])
        every = s.high > s.low and (points <= MAX_POINTS or every_count)
        said = (f"every count from {s.low} to {s.high} is checked, each as a fixed count"
                if every else f"checked at minReplicas ({s.low})")
        notes = (Note("the autoscaler's metrics and behavior (when and how far it scales) "
                      "are not modelled: no run changes the count"),) if every else (
            Note(f"more than {MAX_POINTS} points: fewer replicas leave a budget the least "
                 f"room; check the upper end with an edited copy (`replicas: {s.high}`)"),)
        out.append(Diagnostic(
            c.APPROXIMATED_KIND, Severity.WARNING,
            f"{obj.kind} `{obj.name}` is scaled by a HorizontalPodAutoscaler between "
            f"{s.low} and {s.high} replicas: {said}", s.span, notes=notes))
        if every:
            ranges.append(Ranged(Param(f"{w.name}.replicas", s.low, s.high,
                                       s.value_span or s.span),  # tune patches minReplicas
                                 on_workload(w.name, lambda x, v: replace(x, replicas=v))))
        return replace(w, replicas=s.low)
    return w


def _points(params: Sequence[Param]) -> int:
    out = 1
    for p in params:
        out *= p.hi - p.lo + 1
    return out


def _ranged(spec: CheckedSpec, ranges: Sequence[Ranged]) -> CheckedSpec:
    """`spec` with its HPA ranges and annotated ranges as parameters: one point spec per
    combination of values (each set on its workload), as `lang/params.py` builds them
    for the DSL; beyond `MAX_POINTS` (`every_count`) at the ranges' ends only."""
    if not ranges:
        return spec
    params = tuple(r.param for r in ranges)
    where = {p.name: i for i, p in enumerate(params)}
    instances = []
    every = _points(params) <= MAX_POINTS  # else `every_count`: the two ends only
    for point in itertools.product(*(p.values if every else sorted({p.lo, p.hi})
                                     for p in params)):  # fmt: skip
        if any(p.upto and point[i] > point[where[p.upto]] for i, p in enumerate(params)):
            continue  # a budget's range bounded by its target's replica range
        at = spec
        for r, v in zip(ranges, point, strict=True):
            at = r.set(at, v)
        instances.append((tuple(point), at))
    return replace(instances[0][1], params=params, instances=tuple(instances))


def _unscaled_targets(scaling: list[Scaling], objects: Sequence[KObject], out: Out) -> None:
    keys = {o.key for o in objects}
    for s in scaling:
        if s.target not in keys:
            out.append(Diagnostic(c.APPROXIMATED_KIND, Severity.WARNING,
                                  f"the HorizontalPodAutoscaler's target {s.target[0]} "
                                  f"`{s.target[2]}` is not in the input: ignored", s.span))


def _fits(workloads: list[Workload], nodes: list[Node], out: Out) -> None:
    """PC417 when a pod's requests exceed every node's allocatable resources."""
    for w in workloads:
        needs = _effective_requests(w.template)
        for resource, amount in sorted(needs.items()):
            limits = [dict(n.capacity).get(resource) for n in nodes]
            if any(x is None for x in limits) or not limits:
                continue
            if all(amount > parse_quantity(x) for x in limits if x is not None):
                out.append(_no_fit(w, resource, amount, nodes))


def _effective_requests(t: PodTemplate) -> dict[str, Decimal]:
    """The pod's effective requests (kube `aggregate_containers`: PodRequests without
    pod-level resources or overhead, which manifests here do not carry)."""
    apps = [parse_resource_list(dict(x.requests), x.name) for x in t.containers]
    inits = [(parse_resource_list(dict(x.requests), x.name), x.is_sidecar)
             for x in t.initContainers]
    return dict(aggregate_containers(apps, inits))


def _no_fit(w: Workload, resource: str, amount: Decimal, nodes: list[Node]) -> Diagnostic:
    culprit = next((x for x in (*w.template.initContainers, *w.template.containers)
                    if resource in dict(x.requests)
                    and parse_quantity(dict(x.requests)[resource]) == amount), None)
    span = culprit.span if culprit is not None else w.span
    where = ""
    if culprit is not None:
        where = f" {dict(culprit.requests)[resource]} (container `{culprit.name}`)"
    largest = max(nodes, key=lambda n: parse_quantity(dict(n.capacity)[resource]))
    return Diagnostic(c.FITS_NO_NODE, Severity.WARNING,
                      f"pods of `{w.name}` request {resource}{where}, more than any "
                      f"node has allocatable: they can never be scheduled", span,
                      notes=(Note(f"the largest is `{largest.name}` with "
                                  f"{dict(largest.capacity)[resource]}", largest.span
                                  if largest.span != NO_SPAN else None),),
                      help="lower the request, or add a node that fits it")


def _environment(nodes: list[Node], pdbs: list[PodDisruptionBudget],
                 workloads: list[Workload], options: ManifestOptions) -> Environment:
    drains = options.concurrent_drains
    span = pdbs[0].span if pdbs else workloads[0].span
    return Environment(
        drain=tuple(n.name for n in nodes) if drains else (),
        drainMode=DrainMode.ONE_AT_A_TIME if drains <= 1 else DrainMode.CONCURRENT,
        nodeFailures=options.failures, span=span)


def _checks(options: ManifestOptions, workloads: list[Workload],
            pdbs: list[PodDisruptionBudget], env: Environment, out: Out) -> tuple[str, ...]:
    for name in options.checks:
        if name not in BUILTIN_CHECKS:
            out.append(Diagnostic(c.UNKNOWN_BUILTIN_CHECK, Severity.ERROR,
                                  f"unknown built-in check `{name}`",
                                  help=f"use one of {', '.join(sorted(BUILTIN_CHECKS))}"))
    if options.checks:
        return tuple(n for n in options.checks if n in BUILTIN_CHECKS)
    return tuple(n for n in options.chosen_checks if applies(n, workloads, pdbs, env))


def _defaults_note(nodes: list[Node], given: bool, env: Environment,
                   checks: tuple[str, ...], options: ManifestOptions) -> Diagnostic:
    shown = ", ".join(n.name for n in nodes)
    where = "from the Node objects" if given else "assumed (`--nodes`)"
    if not env.drain:
        drains = "no drains"
    elif env.drainMode is DrainMode.ONE_AT_A_TIME:
        drains = "rolling maintenance: any node drained, one at a time, uncordoned once empty"
    else:
        drains = "concurrent drains: any set of nodes drained at once"
    failures = f"at most {env.nodeFailures} node failure{'s' * (env.nodeFailures != 1)}"
    return Diagnostic(c.ZERO_CONFIG_DEFAULTS, Severity.NOTE,
                      f"checking for Kubernetes {options.version_text} with {len(nodes)} "
                      f"node{'s' * (len(nodes) != 1)} {where} ({shown}); {drains}; {failures}",
                      notes=(Note(f"checks: {', '.join(checks)}"),
                             Note("without a `podcheck.io/outcome` annotation, a Job's app "
                                  "containers and regular init containers succeed, a Job's "
                                  "sidecars run, every other container runs and may crash "
                                  "once")),
                      help="adjust with --nodes, --failures, --concurrent-drains, --check, "
                      "--kubernetes-version")
