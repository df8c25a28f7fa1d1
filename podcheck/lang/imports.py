"""Reading spec files and following their imports.

Stage: the front of `podcheck.lang.check.load`.  Consumes a path on disk; produces a
`Program`: every file's text (for rendering), every parsed `SpecFile` in dependency
order (imported files before their importers, the root last), and diagnostics —
PC110 missing imports, PC111 import cycles (one note per hop), files that cannot be
read (PC112 unreadable, PC117 not a regular file, PC118 over `max_input_size`, PC119
path too long, PC120 symlink loop: NOTE(safe-reading) in `podcheck.lang.source`),
plus whatever `podcheck.lang.parse.parse_bytes` reports (encoding, syntax, nesting).
Every diagnostic has a location: the `import` line for an import, 1:1 of the root file
for the root.

Quoted imports are paths relative to the importing file; dotted imports name bundled
models: `env.rolling-drain` is `<models>/env/rolling-drain.pod` (`bundled_models_dir`).
A quoted import of Kubernetes YAML (`import "k8s/app.yaml"`, a `.yml` file or a folder)
is read by `podcheck.manifests` (objects only: its workloads, Node objects and PDBs,
`Program.manifests`), with the manifests' own diagnostics.
"""

from __future__ import annotations

import importlib.resources
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from podcheck.diagnostics import Diagnostic, Note, Span, codes
from podcheck.lang import messages as m
from podcheck.lang.ast import Import, SpecFile
from podcheck.lang.source import (
    DEFAULT_MAX_INPUT_SIZE,
    ReadFailure,
    read_regular_file,
    shown_path,
)
from podcheck.manifests import is_manifest_path, load_inputs
from podcheck.spec import CheckedSpec

MAX_IMPORT_DEPTH = 100


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to load a spec: `models_dir` overrides where dotted imports are looked up;
    `max_input_size` is the largest file, in bytes, that is read (each file alike)."""

    models_dir: Path | None = None
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE


@dataclass(frozen=True, slots=True)
class Program:
    """A root file and everything it imports, with the source texts and diagnostics;
    `manifests`: the objects of every imported Kubernetes YAML file or folder."""

    files: tuple[SpecFile, ...]
    sources: Mapping[str, str]
    diagnostics: tuple[Diagnostic, ...]
    manifests: tuple[CheckedSpec, ...] = ()


def bundled_models_dir() -> Path:
    """Where dotted imports live: the installed `podcheck/_models`, else `<repo>/models`."""
    try:
        installed = importlib.resources.files("podcheck") / "_models"
        if installed.is_dir():
            return Path(str(installed))
    except (ModuleNotFoundError, NotADirectoryError):
        pass
    return Path(__file__).resolve().parents[2] / "models"


@dataclass(slots=True)
class _Loader:
    options: LoadOptions
    sources: dict[str, str] = field(default_factory=dict)
    done: dict[Path, SpecFile | None] = field(default_factory=dict)
    order: list[SpecFile] = field(default_factory=list)
    out: list[Diagnostic] = field(default_factory=list)
    manifests: list[CheckedSpec] = field(default_factory=list)

    def visit(self, path: Path, display: str, stack: list[tuple[Path, str, Span]]) -> None:
        key = _key(path)
        data = self.read(path, display, stack[-1][2] if stack else None)
        self.done[key] = None
        if data is None:
            return
        spec = self.parse(data, display)
        if spec is None:
            return
        for item in spec.items:
            if isinstance(item, Import):
                self.follow(item, path, display, key, stack)
        self.done[key] = spec
        self.order.append(spec)

    def follow(self, item: Import, path: Path, display: str, key: Path,
               stack: list[tuple[Path, str, Span]]) -> None:
        target, shown = self.resolve(item, path, display)
        if target is None:
            return
        if item.quoted and _is_manifests(target):
            self.manifest(target, shown)
            return
        hop = stack + [(key, display, item.span)]
        target_key = _key(target)
        cycle_start = next((i for i, (k, _, _) in enumerate(hop) if k == target_key), None)
        if cycle_start is not None:
            self.out.append(_cycle(hop[cycle_start:], shown))
        elif len(hop) > MAX_IMPORT_DEPTH:
            self.out.append(m.error(codes.IMPORT_NOT_FOUND, f"imports nested deeper than "
                                    f"{MAX_IMPORT_DEPTH} files", item.span))
        elif target_key not in self.done:
            self.visit(target, shown, hop)

    def resolve(self, item: Import, path: Path, display: str) -> tuple[Path | None, str]:
        if item.quoted:
            shown = os.path.normpath(os.path.join(os.path.dirname(display), item.target))
            target = path.parent / item.target
            where = f"relative to `{display}`"
        else:
            models = self.options.models_dir or bundled_models_dir()
            target = models.joinpath(*item.target.split(".")[:-1],
                                     item.target.split(".")[-1] + ".pod")
            shown, where = str(target), "among the bundled models"
        if not _missing(target):
            return target, shown
        self.out.append(_not_found(item, target, where))
        return None, shown

    def manifest(self, target: Path, shown: str) -> None:
        """`import "k8s/app.yaml"` (or a folder): the manifests' objects, each file once,
        read under the name the import shows, which their diagnostics and spans use."""
        key = _key(target)
        if key in self.done:
            return
        self.done[key] = None
        loaded = load_inputs([shown], objects_only=True)
        self.sources.update(loaded.sources)
        self.out.extend(loaded.result.diagnostics)
        if loaded.result.ok and loaded.result.value is not None:
            self.manifests.append(loaded.result.value)

    def read(self, path: Path, display: str, span: Span | None) -> bytes | None:
        data, problem = read_bytes(path, display, span, self.options.max_input_size)
        if problem is not None:
            self.out.append(problem)
            return None
        assert data is not None
        self.sources[display] = shown_text(data)
        return data

    def parse(self, data: bytes, display: str) -> SpecFile | None:
        from podcheck.lang.parse import parse_bytes

        result = parse_bytes(data, display)
        self.out.extend(result.diagnostics)
        return result.value if result.ok else None


def read_bytes(
    path: Path, display: str, span: Span | None, max_size: int = DEFAULT_MAX_INPUT_SIZE
) -> tuple[bytes | None, Diagnostic | None]:
    """The file's bytes, or why it cannot be read (NOTE(safe-reading)); `span` is where
    it was named (None for the root file: the diagnostic then points at its 1:1)."""
    found = read_regular_file(str(path), max_size)
    if not isinstance(found, ReadFailure):
        return found, None
    where = span if span is not None else Span(display, 1, 1, 1, 1)
    message = f"cannot read `{shown_path(display)}`: {found.reason}"
    return None, m.error(found.code, message, where)


def _key(path: Path) -> Path:
    """The identity of a file for cycle and once-only checks: its resolved path when the
    system can resolve it, else its absolute path (its read then fails with a code)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def _is_manifests(target: Path) -> bool:
    """A YAML file, or a folder holding one (any other folder is PC117 when read)."""
    if target.suffix in (".yaml", ".yml"):
        return True
    try:
        return target.is_dir() and is_manifest_path(str(target)) and any(
            p.suffix in (".yaml", ".yml") for p in target.rglob("*"))
    except OSError:
        return False


def _missing(target: Path) -> bool:
    """True when nothing exists at `target` (PC110); anything else that makes it
    unreadable is reported when it is read, with its own code."""
    try:
        os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False


def shown_text(data: bytes) -> str:
    """The text diagnostics show for a file (undecodable bytes replaced)."""
    return data.decode("utf-8-sig", errors="replace")


def load_program(path: str, options: LoadOptions) -> Program:
    """Read `path`, parse it and every file it imports, transitively (each file once)."""
    loader = _Loader(options)
    loader.visit(Path(path), path, [])
    return Program(tuple(loader.order), dict(loader.sources), tuple(loader.out),
                   tuple(loader.manifests))


def _not_found(item: Import, target: Path, where: str) -> Diagnostic:
    shown = f'"{item.target}"' if item.quoted else item.target
    return m.error(
        codes.IMPORT_NOT_FOUND,
        f"cannot find imported file `{shown_path(shown)}`",
        item.span,
        help=m.did_you_mean(target.name, _siblings(target)),
        notes=(Note(f"looked for `{shown_path(str(target))}` {where}"),),
    )


def _siblings(target: Path) -> list[str]:
    """The `.pod` files next to `target` (for a suggestion), none if unlistable."""
    try:
        return sorted(p.name for p in target.parent.glob("*.pod") if p.is_file())
    except (OSError, ValueError):
        return []


def _cycle(hops: list[tuple[Path, str, Span]], back_to: str) -> Diagnostic:
    names = [shown for _, shown, _ in hops] + [back_to]
    notes = tuple(
        Note(f"`{a}` imports `{b}` here", span)
        for (_, a, span), b in zip(hops, names[1:], strict=True)
    )
    chain = " -> ".join(f"`{n}`" for n in names)
    return m.error(codes.IMPORT_CYCLE, f"import cycle: {chain}", hops[-1][2],
                   help="move the shared declarations into a file that both import",
                   notes=notes)
