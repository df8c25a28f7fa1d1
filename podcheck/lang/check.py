"""The checker: parsed spec files to one `CheckedSpec`.

Stage: `lang/` back half.  `load(path, options)` reads and parses the file and its
imports (`podcheck.lang.imports`), then `check(spec, options, imported)` resolves
names and checks fields: it consumes `podcheck.lang.ast.SpecFile`s and produces
`StageResult[podcheck.spec.CheckedSpec]`, with every 1xx/2xx diagnostic it finds (it
keeps going after an error, so one run reports them all).  Per NOTE(stage-gating),
`check` runs only when reading and parsing produced no error, and the spec is
returned only when checking produced none.

Read `schema.py` (what blocks and fields exist) and this file's `check` first; the
parts are `fields.py`/`values.py` (generic members and values), `convert.py`
(containers, templates, workloads), `cluster.py` (nodes, PDBs, environment) and
`properties.py`/`formulas.py` (properties, checks, expects).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, StageResult
from podcheck.lang.ast import Block, CheckItem, ExpectItem, PropertyItem, SpecFile
from podcheck.lang.cluster import build_environment, build_nodes, build_pdb
from podcheck.lang.convert import Scope, build_template, build_workload, read_profile, unique
from podcheck.lang.fields import check_name, first_line, head, unknown_block
from podcheck.lang.imports import LoadOptions, bundled_models_dir, load_program
from podcheck.lang.overrides import apply_behaviors
from podcheck.lang.params import check_points, find_params
from podcheck.lang.properties import Declared, build_properties
from podcheck.lang.schema import BLOCKS, WORKLOAD_KINDS, child_spec
from podcheck.spec import CheckedSpec, Node, PodDisruptionBudget, Workload, WorkloadKind

__all__ = ["LoadOptions", "Loaded", "bundled_models_dir", "check", "load", "load_with_sources"]

Out = list[Diagnostic]
# A workload kind as the DSL's block word (`Declared` names workloads by block kind).
_KIND_WORDS = {k: k.value.lower() for k in WorkloadKind}
DEFAULT_OPTIONS = LoadOptions()
_NAMESPACES = {
    "behavior-profile": "behavior profile",
    "template-def": "template",
    "pdb": "pdb",
    "environment": "environment",
}


@dataclass(frozen=True, slots=True)
class Loaded:
    """What `load_with_sources` returns: the result plus every file's text, for rendering."""

    result: StageResult[CheckedSpec]
    sources: Mapping[str, str]


def load_with_sources(path: str, options: LoadOptions = DEFAULT_OPTIONS) -> Loaded:
    """Read, parse and check the spec at `path` and its imports; keep the source texts."""
    program = load_program(path, options)
    read: StageResult[CheckedSpec] = StageResult(None, program.diagnostics)
    if not read.ok or not program.files:  # NOTE(stage-gating)
        return Loaded(read, program.sources)
    *imported, root = program.files
    found_out: Out = []
    found = find_params(root, found_out)
    if found_out or found:  # symbolic parameters: one check per point (lang/params.py)
        checked = StageResult(None, tuple(found_out)) if found_out else check_points(
            root, found, lambda point: check(point, options, imported, program.manifests))
    else:
        checked = check(root, options, imported, program.manifests)
    return Loaded(StageResult(checked.value, program.diagnostics + checked.diagnostics),
                  program.sources)


def load(path: str, options: LoadOptions = DEFAULT_OPTIONS) -> StageResult[CheckedSpec]:
    """Read, parse and check the spec at `path` and its imports."""
    return load_with_sources(path, options).result


def check(
    spec: SpecFile, options: LoadOptions = DEFAULT_OPTIONS, imported: Sequence[SpecFile] = (),
    manifests: Sequence[CheckedSpec] = (),
) -> StageResult[CheckedSpec]:
    """Check `spec` together with the already-parsed files it imports (`imported`, in
    dependency order; `spec`'s own `import` items are not followed here) and the
    objects of the Kubernetes manifests it imports (`manifests`: their workloads come
    before the spec's, their nodes and PDBs join the spec's, under one namespace)."""
    del options  # no checking option yet; kept so every stage has the same shape
    out: Out = []
    items = [item for f in (*imported, spec) for item in f.items]
    blocks = _top_blocks([i for i in items if isinstance(i, Block)], out)
    value = _build(spec.path, blocks, items, out, _Objects.of(manifests))
    checked = StageResult(value, tuple(out))
    return checked if checked.ok else StageResult(None, checked.diagnostics)


def _top_blocks(blocks: Sequence[Block], out: Out) -> dict[str, list[Block]]:
    by_key: dict[str, list[Block]] = {key: [] for key in BLOCKS["file"].children}
    for block in blocks:
        spec = child_spec(BLOCKS["file"], block.kind)
        if spec is None:
            unknown_block(block, BLOCKS["file"], out)
            continue
        if spec.naming == "required" and not block.name:
            check_name(block, spec, out)  # unnamed: not read further
        else:
            by_key[spec.key].append(block)
    return by_key


@dataclass(frozen=True, slots=True)
class _Objects:
    """The objects of imported manifests (already checked by `podcheck.manifests`)."""

    workloads: tuple[Workload, ...] = ()
    nodes: tuple[Node, ...] = ()
    pdbs: tuple[PodDisruptionBudget, ...] = ()

    @staticmethod
    def of(manifests: Sequence[CheckedSpec]) -> _Objects:
        return _Objects(tuple(w for m in manifests for w in m.workloads),
                        tuple(n for m in manifests for n in m.nodes),
                        tuple(p for m in manifests for p in m.pdbs))


def _build(path: str, blocks: dict[str, list[Block]], items: Sequence[object],
           out: Out, given: _Objects) -> CheckedSpec | None:
    position = {id(item): i for i, item in enumerate(items)}
    workload_blocks = [b for kind in WORKLOAD_KINDS for b in blocks[kind]]
    workload_blocks.sort(key=lambda b: position[id(b)])
    unique([*((w.name, first_line(w.span, w.name)) for w in given.workloads),
            *((b.name or "", head(b)) for b in workload_blocks)], "workload", out)
    for key, what in _NAMESPACES.items():
        imported = [(p.name, first_line(p.span, p.name)) for p in given.pdbs] * (key == "pdb")
        unique([*imported, *((b.name, head(b)) for b in blocks[key] if b.name)], what, out)
    profiles = {b.name or "": read_profile(b, BLOCKS[b.kind + "-profile"], out)
                for b in reversed(blocks["behavior-profile"])}
    scope = Scope(profiles, {})
    templates = {
        b.name or "": build_template(b, BLOCKS["template-def"], b.name or "", scope, out)
        for b in reversed(blocks["template-def"])
    }
    scope = Scope(profiles, templates)
    behaved = apply_behaviors(blocks["behavior-of"], given.workloads,
                              [b.name or "" for b in workload_blocks], out)
    workloads = [*behaved, *(build_workload(b, scope, out) for b in workload_blocks)]
    nodes = [*given.nodes, *build_nodes(blocks["cluster"], out)]
    unique([(n.name, first_line(n.span, "node")) for n in nodes], "node", out)
    pdbs = [*given.pdbs, *(build_pdb(b, out) for b in blocks["pdb"])]
    environment = build_environment(blocks["environment"], nodes, out)
    declared = Declared(
        {**{w.name: _KIND_WORDS[w.kind] for w in given.workloads},
         **{b.name or "": b.kind for b in workload_blocks}},
        tuple(n.name for n in nodes),
        tuple(p.name for p in pdbs if p is not None),
    )
    props = [i for i in items if isinstance(i, PropertyItem | CheckItem | ExpectItem)]
    properties, expects = build_properties(props, declared, out)
    if not StageResult(None, tuple(out)).ok:
        return None  # the parts are incomplete: NOTE(spec-invariants) holds only for valid specs
    return CheckedSpec(
        path=path,
        workloads=tuple(w for w in workloads if w is not None),
        nodes=tuple(nodes),
        pdbs=tuple(p for p in pdbs if p is not None),
        environment=environment,
        properties=properties,
        expects=expects,
    )

