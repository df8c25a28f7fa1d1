"""The manifest front end: Kubernetes YAML to the checked spec.

Stage: a front end, beside `podcheck.lang`.  `load_inputs(paths, options)` reads files,
directories (recursively, `*.yaml` / `*.yml`, sorted) and stdin (`-`)
(`inputs.py`), composes the YAML safely with positions (`yamlread.py`), picks out the
objects podcheck models (`objects.py`), reads their fields (`fields.py`, `pods.py`,
`behavior.py`, `workloads.py`, `cluster.py`) and builds one `spec.CheckedSpec` with the
zero-config defaults (`build.py`).  `export.py` writes that spec as `.pod` text
(`podcheck import`).  Produces PC4xx diagnostics; never prints, never raises on input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from podcheck.diagnostics import Diagnostic, StageResult
from podcheck.manifests.build import build_spec
from podcheck.manifests.inputs import STDIN_NAME, is_manifest_path, read_texts
from podcheck.manifests.objects import collect
from podcheck.manifests.options import DEFAULT_CHECKS, ManifestOptions, parse_version
from podcheck.manifests.yamlread import YNode, read_yaml
from podcheck.spec import CheckedSpec

__all__ = [
    "DEFAULT_CHECKS",
    "Loaded",
    "ManifestOptions",
    "is_manifest_path",
    "load_inputs",
    "parse_version",
]


@dataclass(frozen=True, slots=True)
class Loaded:
    """The checked spec (or diagnostics) and every input's text, for rendering."""

    result: StageResult[CheckedSpec]
    sources: Mapping[str, str]


def load_inputs(paths: Sequence[str], options: ManifestOptions | None = None,
                stdin: TextIO | None = None, *, objects_only: bool = False) -> Loaded:
    """Read every manifest path and build the checked spec of all their objects (with
    `objects_only`, those objects alone: `build.build_spec`)."""
    texts = read_texts(paths, stdin)
    out: list[Diagnostic] = list(texts.diagnostics)
    documents: list[YNode] = []
    for name, text in texts.texts:
        docs = read_yaml(text, name)
        documents.extend(docs.documents)
        out.extend(docs.diagnostics)
    sources = dict(texts.texts)
    if any(d.severity.value == "error" for d in out):  # NOTE(stage-gating)
        return Loaded(StageResult(None, tuple(out)), sources)
    options = options or ManifestOptions()
    objects = collect(documents, options)  # errors here do not stop reading the rest
    out.extend(objects.diagnostics)
    path = paths[0] if len(paths) == 1 and paths[0] != "-" else STDIN_NAME
    if len(paths) > 1:
        path = ", ".join(paths)
    spec = build_spec(path, objects.objects, options, out, objects_only=objects_only)
    return Loaded(StageResult(spec, tuple(out)), sources)
