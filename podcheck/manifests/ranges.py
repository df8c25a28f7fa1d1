"""Symbolic parameters from manifest annotations (issue 12, item 1: "a spec (DSL or
manifest annotation) may leave durations and counts as ranges").

Stage: part of `podcheck.manifests` (build.py).  Consumes a workload manifest and the
workload read from it; produces its int-range annotations as `spec.Param`s, each with
the function that sets the field at one point, and PC411 for an annotation it cannot
read.

  podcheck.io/range.<container>.<probe>.<field>: "1-10"

on the pod template (next to the behaviour annotations of behavior.py) leaves one probe
field of one container as a range, as `failureThreshold: 1..10` does in the DSL: the
probe is startupProbe, livenessProbe or readinessProbe, the field failureThreshold,
periodSeconds, timeoutSeconds or initialDelaySeconds (the *Seconds fields in seconds),
and the container must declare that probe.  The parameter is named as the DSL names it,
`<workload>.<container>.<probe>.<field>` (`tune --param failureThreshold` finds it), and
build.py checks one point spec per value of the product, as for a HorizontalPodAutoscaler's
replica range (`_ranged`).  A single value (`"8"`) is the range 8-8, so the patch `tune`
prints (the annotation's value at the chosen point) keeps the manifest readable; the
patch also sets the probe field itself when the manifest writes it, or says to add it
(NOTE(tune-field-patch) in spec/params.py).

  podcheck.io/startup-seconds: "fixed 20-120"    (or `.<container>`)

is one start time for the whole run (`startup: fixed 20s..120s` in the DSL): a parameter
in seconds named `<workload>.behavior.startup` (`<workload>.<container>.behavior.startup`
for one container's annotation), each point the manifest written with that single value
(`read_fixed_startups`; behavior.py reads the annotation's range and reports PC411).
A PodDisruptionBudget's range annotations are read by budgets.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from podcheck.diagnostics import Diagnostic, Severity, Span
from podcheck.diagnostics import codes as c
from podcheck.manifests.behavior import FIXED, RANGE, STARTUP, without_fixed
from podcheck.manifests.objects import KObject
from podcheck.manifests.yamlread import YNode
from podcheck.spec import CheckedSpec, Container, Duration, DurationRange, Probe, Workload
from podcheck.spec.params import Param

PROBES = ("startupProbe", "livenessProbe", "readinessProbe")
LOWEST = {"failureThreshold": 1, "periodSeconds": 1, "timeoutSeconds": 1,
          "initialDelaySeconds": 0}  # the smallest value each field takes (validation)
Setter = Callable[[Workload, int], Workload]
ANNOTATED = '"{}"'  # the patch of an annotation's value at one point: `"8"`


@dataclass(frozen=True, slots=True)
class Ranged:
    """One annotation's parameter and how a point sets it on the spec."""

    param: Param
    set: Callable[[CheckedSpec, int], CheckedSpec]


def on_workload(name: str, setter: Setter) -> Callable[[CheckedSpec, int], CheckedSpec]:
    """A spec setter applying `setter` to the workload `name`."""
    def set_spec(spec: CheckedSpec, v: int) -> CheckedSpec:
        return replace(spec, workloads=tuple(setter(w, v) if w.name == name else w
                                             for w in spec.workloads))  # fmt: skip
    return set_spec


def child(node: YNode | None, *keys: str) -> YNode | None:
    """The node at `keys` below `node` (mappings only), None when absent."""
    for key in keys:
        if node is None or not isinstance(node.value, dict):
            return None
        node = node.value.get(key)
    return node


def template_annotations(obj: KObject) -> list[tuple[str, str, Span, Span]]:
    """The pod template's string annotations of `obj` (a Pod's own; a PodDisruptionBudget's
    own), with each key's span and each value's."""
    path = {"Pod": ("metadata",), "PodDisruptionBudget": ("metadata",),
            "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata")}.get(
        obj.kind, ("spec", "template", "metadata"))  # fmt: skip
    node = child(obj.node, *path, "annotations")
    if node is None or not isinstance(node.value, dict):
        return []
    keys = node.keys or {}
    return [(k, v.value, keys.get(k, v.span), v.span) for k, v in node.value.items()
            if isinstance(v.value, str)]  # fmt: skip


def read_ranges(obj: KObject, w: Workload, out: list[Diagnostic]) -> list[Ranged]:
    """Every `podcheck.io/range.` annotation of `obj`'s template as a parameter of `w`
    (module doc); PC411 naming the problem for one it cannot read."""
    found = []
    for key, value, span, value_span in template_annotations(obj):
        if not key.startswith(RANGE + "."):
            continue
        got = _read(key[len(RANGE) + 1:], value.strip(), w)
        if isinstance(got, tuple):
            out.append(Diagnostic(c.INVALID_BEHAVIOR_ANNOTATION, Severity.ERROR,
                                  f"{obj.kind} `{obj.name}`: annotation `{key}`: {got[0]}",
                                  span, help=got[1]))  # fmt: skip
        else:
            field = _probe_field(obj, key[len(RANGE) + 1:])
            param = replace(got.param, span=value_span, patch=ANNOTATED,
                            field_span=field.span if field else value_span,
                            field_patch="{}" if field else "",
                            unset="" if field else _field_words(key[len(RANGE) + 1:]))
            found.append(Ranged(param, got.set))
    return found + read_fixed_startups(obj, w)


def _field_words(dotted: str) -> str:
    """`startupProbe.failureThreshold` of container `app` (from the annotation's
    `app.startupProbe.failureThreshold`)."""
    name, _, rest = dotted.partition(".")
    return f"`{rest}` of container `{name}`"


def _probe_field(obj: KObject, dotted: str) -> YNode | None:
    """The probe field `<container>.<probe>.<field>` as written in `obj`'s pod template
    (NOTE(tune-field-patch) in spec/params.py), None when the manifest leaves it to its
    default."""
    name, _, rest = dotted.partition(".")
    probe, _, field = rest.partition(".")
    path = {"Pod": ("spec",), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec")}
    pod = child(obj.node, *path.get(obj.kind, ("spec", "template", "spec")))
    for key in ("containers", "initContainers"):
        listed = child(pod, key)
        entries = listed.value if listed is not None and isinstance(listed.value, list) else []
        for entry in entries:
            named = child(entry, "name")
            if named is not None and named.value == name:
                return child(entry, probe, field)
    return None


def int_range(value: str) -> tuple[int, int] | None:
    """`"1-10"` as (1, 10), `"8"` as (8, 8); None when unreadable or reversed."""
    lo, dash, hi = value.partition("-")
    hi = hi if dash else lo
    if not (lo.isdigit() and hi.isdigit()) or int(lo) > int(hi):
        return None
    return int(lo), int(hi)


def read_fixed_startups(obj: KObject, w: Workload) -> list[Ranged]:
    """Every `podcheck.io/startup-seconds` annotation of `obj`'s template written `"fixed
    LO-HI"` as a parameter of `w` in seconds (module doc); behavior.py reports the
    unreadable ones, skipped here."""
    found = []
    own = {k[len(STARTUP) + 1:] for k, *_ in template_annotations(obj)
           if k.startswith(STARTUP + ".")}  # fmt: skip
    for key, value, _, value_span in template_annotations(obj):
        bounds = int_range(without_fixed(value))
        if not value.strip().startswith(FIXED) or bounds is None or not (
                key == STARTUP or key.startswith(STARTUP + ".")):  # fmt: skip
            continue
        container = key[len(STARTUP) + 1:]
        name = f"{w.name}.{container + '.' if container else ''}behavior.startup"
        param = Param(name, *bounds, value_span, unit="s", patch=ANNOTATED)
        found.append(Ranged(param, on_workload(w.name, _startup_setter(container, own))))
    return found


def _startup_setter(container: str, own: set[str]) -> Setter:
    """Set the start time of `container` (app, init or sidecar), or without a container
    of every app container that has no annotation of its own."""
    def set_value(workload: Workload, v: int) -> Workload:
        t = workload.template
        exact = DurationRange(Duration(v * 1000), Duration(v * 1000))

        def one(x: Container, app: bool) -> Container:
            chosen = x.name == container if container else app and x.name not in own
            return replace(x, behavior=replace(x.behavior, startup=exact)) if chosen else x
        return replace(workload, template=replace(
            t, containers=tuple(one(x, True) for x in t.containers),
            initContainers=tuple(one(x, False) for x in t.initContainers)))  # fmt: skip
    return set_value


def _read(path: str, value: str, w: Workload) -> Ranged | tuple[str, str]:
    container, _, rest = path.partition(".")
    probe, _, name = rest.partition(".")
    names = [x.name for x in w.template.containers]
    if container not in names:
        return (f"the pod has no app container `{container}`",
                f"containers are {', '.join(f'`{n}`' for n in names)}")
    if probe not in PROBES or name not in LOWEST:
        return (f"`{rest}` is not a probe field that takes a range",
                f"write <container>.<probe>.<field> with a probe of {', '.join(PROBES)} "
                f"and a field of {', '.join(LOWEST)}")
    target = next(x for x in w.template.containers if x.name == container)
    if getattr(target, probe) is None:
        return (f"container `{container}` has no {probe}", "declare the probe in the container")
    bounds = int_range(value)
    if bounds is None:
        return f"`{value}` is not a range", 'write the range as "LO-HI", e.g. "1-10"'
    lo, hi = bounds
    if lo < LOWEST[name]:
        return f"{name} is at least {LOWEST[name]}", f'start the range at {LOWEST[name]}'

    def set_value(workload: Workload, v: int) -> Workload:
        t = workload.template
        return replace(workload, template=replace(t, containers=tuple(
            _set(x, probe, name, v) if x.name == container else x
            for x in t.containers)))  # fmt: skip

    param = Param(f"{w.name}.{container}.{probe}.{name}", lo, hi)
    return Ranged(param, on_workload(w.name, set_value))


def _set(x: Container, probe: str, name: str, v: int) -> Container:
    """Container `x` with field `name` of its probe `probe` set to `v`."""
    if probe == "startupProbe":
        assert x.startupProbe is not None
        return replace(x, startupProbe=_field(x.startupProbe, name, v))
    if probe == "livenessProbe":
        assert x.livenessProbe is not None
        return replace(x, livenessProbe=_field(x.livenessProbe, name, v))
    assert x.readinessProbe is not None
    return replace(x, readinessProbe=_field(x.readinessProbe, name, v))


def _field(p: Probe, name: str, v: int) -> Probe:
    if name == "failureThreshold":
        return replace(p, failureThreshold=v)
    if name == "periodSeconds":
        return replace(p, periodSeconds=v)
    if name == "timeoutSeconds":
        return replace(p, timeoutSeconds=v)
    return replace(p, initialDelaySeconds=v)
