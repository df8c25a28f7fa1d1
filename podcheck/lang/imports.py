"""Reading spec files and following their imports.

Stage: the front of `podcheck.lang.check.load`.  Consumes a path on disk; produces a
`Program`: every file's text (for rendering), every parsed `SpecFile` in dependency
order (imported files before their importers, the root last), and diagnostics —
PC112 unreadable files, PC110 missing imports, PC111 import cycles (one note per hop),
plus whatever `podcheck.lang.parse.parse_bytes` reports (encoding, syntax, nesting).

Quoted imports are paths relative to the importing file; dotted imports name bundled
models: `env.rolling-drain` is `<models>/env/rolling-drain.pod` (`bundled_models_dir`).
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

MAX_IMPORT_DEPTH = 100


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to load a spec: `models_dir` overrides where dotted imports are looked up."""

    models_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class Program:
    """A root file and everything it imports, with the source texts and diagnostics."""

    files: tuple[SpecFile, ...]
    sources: Mapping[str, str]
    diagnostics: tuple[Diagnostic, ...]


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

    def visit(self, path: Path, display: str, stack: list[tuple[Path, str, Span]]) -> None:
        key = path.resolve()
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
        hop = stack + [(key, display, item.span)]
        target_key = target.resolve()
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
        if target.is_file():
            return target, shown
        self.out.append(_not_found(item, target, where))
        return None, shown

    def read(self, path: Path, display: str, span: Span | None) -> bytes | None:
        data, problem = read_bytes(path, display, span)
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


def read_bytes(path: Path, display: str, span: Span | None) -> tuple[bytes | None,
                                                                 Diagnostic | None]:
    """The file's bytes, or why it cannot be read (PC112); `span` is where it was named."""
    try:
        return path.read_bytes(), None
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else (
            exc.strerror or type(exc).__name__).lower()
        return None, m.error(codes.UNREADABLE_FILE, f"cannot read `{display}`: {reason}", span)


def shown_text(data: bytes) -> str:
    """The text diagnostics show for a file (undecodable bytes replaced)."""
    return data.decode("utf-8-sig", errors="replace")


def load_program(path: str, options: LoadOptions) -> Program:
    """Read `path`, parse it and every file it imports, transitively (each file once)."""
    loader = _Loader(options)
    loader.visit(Path(path), path, [])
    return Program(tuple(loader.order), dict(loader.sources), tuple(loader.out))


def _not_found(item: Import, target: Path, where: str) -> Diagnostic:
    shown = f'"{item.target}"' if item.quoted else item.target
    siblings = sorted(p.name for p in target.parent.glob("*.pod")) if target.parent.is_dir() \
        else []
    return m.error(
        codes.IMPORT_NOT_FOUND,
        f"cannot find imported file `{shown}`",
        item.span,
        help=m.did_you_mean(target.name, siblings),
        notes=(Note(f"looked for `{target}` {where}"),),
    )


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
