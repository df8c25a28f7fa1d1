"""YAML documents to Kubernetes objects: kinds, API versions, names, owners.

Stage: the second step of `podcheck.manifests`.  Consumes `YNode` documents; produces
`KObject`s of the kinds podcheck models (Pod, Deployment, ReplicaSet, StatefulSet,
DaemonSet, Job, CronJob, PodDisruptionBudget, HorizontalPodAutoscaler, Node), with
`kind: List` expanded, wrong apiVersion/kind pairs refused as kubectl refuses them
(PC405), duplicates reported (PC413), every other kind listed once (PC409), and objects
whose controller is in the input skipped (PC416).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Note, Severity, Span
from podcheck.diagnostics import codes as c
from podcheck.manifests.options import ManifestOptions
from podcheck.manifests.yamlread import YNode

# The versions each kind is served in (Kubernetes 1.25+), the preferred one first.
SERVED: dict[str, tuple[str, ...]] = {
    "Pod": ("v1",),
    "Node": ("v1",),
    "Deployment": ("apps/v1",),
    "ReplicaSet": ("apps/v1",),
    "StatefulSet": ("apps/v1",),
    "DaemonSet": ("apps/v1",),
    "Job": ("batch/v1",),
    "CronJob": ("batch/v1",),
    "PodDisruptionBudget": ("policy/v1",),
    "HorizontalPodAutoscaler": ("autoscaling/v2", "autoscaling/v1"),
}
# Versions Kubernetes removed, with the release that removed them
# (https://kubernetes.io/docs/reference/using-api/deprecation-guide/).
REMOVED: dict[tuple[str, str], tuple[int, int]] = {
    **{("extensions/v1beta1", k): (1, 16) for k in ("Deployment", "DaemonSet", "ReplicaSet")},
    **{("apps/v1beta1", k): (1, 16) for k in ("Deployment", "StatefulSet")},
    **{("apps/v1beta2", k): (1, 16)
       for k in ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")},
    ("batch/v1beta1", "CronJob"): (1, 25),
    ("policy/v1beta1", "PodDisruptionBudget"): (1, 25),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): (1, 25),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): (1, 26),
}
CONTROLLERS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob")


@dataclass(frozen=True, slots=True)
class KObject:
    """One Kubernetes object of a modelled kind."""

    api_version: str
    kind: str
    name: str
    namespace: str
    node: YNode
    controller: tuple[str, str] | None  # (kind, name) of its controller owner reference

    @property
    def key(self) -> tuple[str, str, str]:
        """(kind, namespace, name): what the API server keeps one object per."""
        return self.kind, self.namespace, self.name

    @property
    def span(self) -> Span:
        """Where the object starts."""
        return self.node.span

    @property
    def kind_span(self) -> Span:
        """The span of the `kind` value."""
        assert isinstance(self.node.value, dict)
        kind: YNode = self.node.value["kind"]
        return kind.span


@dataclass(frozen=True, slots=True)
class Objects:
    """The modelled objects in input order, and what reading them found."""

    objects: tuple[KObject, ...]
    diagnostics: tuple[Diagnostic, ...]


def collect(documents: Sequence[YNode], options: ManifestOptions) -> Objects:
    """Every modelled object of `documents`, in order."""
    out: list[Diagnostic] = []
    found: list[KObject] = []
    ignored: dict[str, list[tuple[str, Span]]] = {}
    for doc in documents:
        for node in _expand(doc, out):
            obj = _object(node, options, out)
            if obj is None:
                continue
            if obj.kind not in SERVED:
                ignored.setdefault(obj.kind, []).append((obj.name, obj.kind_span))
            else:
                found.append(obj)
    out.extend(_ignored(ignored))
    unique = _unique(found, out)
    return Objects(tuple(_owned(unique, out)), tuple(out))


def _error(code: str, message: str, span: Span, help: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, help=help)


def _expand(doc: YNode, out: list[Diagnostic]) -> list[YNode]:
    if not doc.is_map:
        out.append(_error(c.NOT_A_KUBERNETES_OBJECT, "a YAML document that is not a "
                          "Kubernetes object (expected a mapping)", doc.span,
                          "write one object per document, or a `kind: List` with `items`"))
        return []
    assert isinstance(doc.value, dict)
    kind = doc.value.get("kind")
    if kind is None or not (isinstance(kind.value, str) and kind.value.endswith("List")):
        return [doc]
    items = doc.value.get("items")
    if items is None or items.value is None:
        return []
    if not isinstance(items.value, list):
        out.append(_error(c.NOT_A_KUBERNETES_OBJECT, f"`items` of a `kind: {kind.value}` must "
                          "be a list of objects", items.span, "list the objects under `items`"))
        return []
    return [node for item in items.value for node in _expand(item, out)]


def _string(node: YNode, key: str) -> YNode | None:
    assert isinstance(node.value, dict)
    value = node.value.get(key)
    return value if value is not None and isinstance(value.value, str) and value.value else None


def _object(node: YNode, options: ManifestOptions, out: list[Diagnostic]) -> KObject | None:
    api, kind = _string(node, "apiVersion"), _string(node, "kind")
    if api is None or kind is None:
        missing = "apiVersion" if api is None else "kind"
        out.append(_error(c.NOT_A_KUBERNETES_OBJECT, f"a YAML document without `{missing}`: "
                          "not a Kubernetes object", node.span,
                          f"add `{missing}` (e.g. `apiVersion: apps/v1`, `kind: Deployment`)"))
        return None
    assert isinstance(api.value, str) and isinstance(kind.value, str)
    if not _served(api, kind, options, out):
        return None
    meta = node.value.get("metadata") if isinstance(node.value, dict) else None
    name = _string(meta, "name") if meta is not None and meta.is_map else None
    if name is None or meta is None:
        out.append(_error(c.MISSING_REQUIRED_FIELD, f"{kind.value} is invalid: metadata.name: "
                          "Required value: name or generateName is required",
                          meta.span if meta is not None else kind.span, "add `metadata.name`"))
        return None
    namespace = _string(meta, "namespace")
    return KObject(api.value, kind.value, str(name.value),
                   str(namespace.value) if namespace else "default", node, _controller(meta))


def _served(api: YNode, kind: YNode, options: ManifestOptions, out: list[Diagnostic]) -> bool:
    version, name = str(api.value), str(kind.value)
    served = SERVED.get(name)
    if served is None or version in served:
        return True
    removed = REMOVED.get((version, name))
    if removed is not None and not options.at_least(*removed):
        return True
    detail = (f" ({version} {name} was removed in Kubernetes {removed[0]}.{removed[1]}; "
              f"checking for {options.version_text})" if removed else "")
    out.append(_error(c.UNKNOWN_API_VERSION,
                      f"no matches for kind \"{name}\" in version \"{version}\"{detail}",
                      api.span, f"use `apiVersion: {served[0]}`"))
    return False


def _controller(meta: YNode) -> tuple[str, str] | None:
    assert isinstance(meta.value, dict)
    refs = meta.value.get("ownerReferences")
    if refs is None or not isinstance(refs.value, list):
        return None
    for ref in refs.value:
        if not ref.is_map:
            continue
        assert isinstance(ref.value, dict)
        flag = ref.value.get("controller")
        kind, name = _string(ref, "kind"), _string(ref, "name")
        if flag is not None and flag.value is True and kind and name:
            return str(kind.value), str(name.value)
    return None


def _ignored(ignored: dict[str, list[tuple[str, Span]]]) -> Iterable[Diagnostic]:
    for kind in sorted(ignored):
        names = ignored[kind]
        shown = ", ".join(f"`{n}`" for n, _ in names)
        yield Diagnostic(c.IGNORED_KIND, Severity.NOTE,
                         f"ignored {len(names)} {kind} object{'s' * (len(names) > 1)} "
                         f"(not modelled): {shown}", names[0][1])


def _unique(found: list[KObject], out: list[Diagnostic]) -> list[KObject]:
    first: dict[tuple[str, str, str], KObject] = {}
    for obj in found:
        if obj.key in first:
            out.append(Diagnostic(
                c.DUPLICATE_OBJECT, Severity.ERROR,
                f"duplicate {obj.kind} `{obj.name}` in namespace `{obj.namespace}`",
                obj.span, notes=(Note("first defined here", first[obj.key].span),),
                help="rename one, or remove the stale copy"))
        else:
            first[obj.key] = obj
    return list(first.values())


def _owned(objects: list[KObject], out: list[Diagnostic]) -> list[KObject]:
    present = {(o.kind, o.namespace, o.name) for o in objects}
    kept: list[KObject] = []
    for obj in objects:
        owner = obj.controller
        if owner is not None and (owner[0], obj.namespace, owner[1]) in present:
            out.append(Diagnostic(
                c.OWNED_OBJECT_SKIPPED, Severity.NOTE,
                f"{obj.kind} `{obj.name}` is owned by {owner[0]} `{owner[1]}` of the input: "
                "counted once, as part of its owner", obj.span))
            continue
        kept.append(obj)
    return kept
