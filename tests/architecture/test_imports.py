"""Import rules between the stages of podcheck, read from the source with `ast`.

Every module under `podcheck/` is parsed (never imported).  Two kinds of import are
counted:

- *all* imports: every `import` / `from ... import` statement anywhere in the file,
  function bodies included.  The layering rules use these: a stage must not reach a
  later or a driving stage even lazily.
- *module-level* imports: the statements that run when the module is imported (at the
  top level, or nested in a top-level `if` / `try` / `with`).  The cycle rule uses
  these: a function-level import runs later and does not make an import cycle.
  Imports under `if TYPE_CHECKING:` never run; they are counted separately, as
  *type-only* imports, and the cycles they close are held to a fixed list that may
  only shrink.

`from a.b import c` counts as an import of the module `a.b.c` when that is a module
of podcheck, else of `a.b`.  Relative imports are resolved against the importing
module's package.  Modules are discovered, not listed, so the rules keep holding while
`lang/` and `model/` are restructured.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "podcheck"

# Stages that engines and renderers must never import: the front end, the compiler,
# the drivers and the shell.
DRIVING = ("podcheck.lang", "podcheck.model", "podcheck.check", "podcheck.suite", "podcheck.cli")


@dataclass(frozen=True)
class Import:
    """One imported podcheck module: does the import run at module level, or is it
    under `if TYPE_CHECKING:` (type-only, never run)."""

    target: str
    module_level: bool
    line: int
    type_only: bool = False


# Cycles closed only by type-only imports.  NOTE: this list may only shrink.
TYPE_ONLY_CYCLES = [["podcheck.model.containers", "podcheck.model.probes_model"]]


def module_name(path: Path, root: Path = ROOT) -> str:
    """`podcheck/engine/bfs.py` -> `podcheck.engine.bfs`; a package is its `__init__`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(package: Path = PACKAGE, root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package (by dotted name), `__init__` files included."""
    return {module_name(p, root): p for p in sorted(package.rglob("*.py"))}


def _resolve(name: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = name.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(node: ast.stmt, name: str, is_package: bool, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    source = _resolve(name, is_package, node)
    found = []
    for alias in node.names:
        sub = f"{source}.{alias.name}"
        found.append(sub if sub in known else source)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level(tree: ast.Module) -> dict[int, bool]:
    """The ids of the module-level import statements, each mapped to whether it is
    type-only (inside `if TYPE_CHECKING:`)."""
    found: dict[int, bool] = {}
    todo: list[tuple[ast.stmt | ast.ExceptHandler, bool]] = [(s, False) for s in tree.body]
    while todo:
        stmt, typing_only = todo.pop()
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            found[id(stmt)] = typing_only
        elif isinstance(stmt, ast.If):
            guarded = typing_only or _is_type_checking(stmt.test)
            todo += [(s, guarded) for s in stmt.body]
            todo += [(s, typing_only) for s in stmt.orelse]
        elif isinstance(stmt, ast.Try | ast.With | ast.ExceptHandler):
            for block in ("body", "orelse", "finalbody", "handlers"):
                todo += [(s, typing_only) for s in getattr(stmt, block, [])]
    return found


def imports_of(name: str, source: str, is_package: bool, known: set[str]) -> list[Import]:
    """The podcheck modules that module `name` (with text `source`) imports."""
    tree = ast.parse(source)
    top = _module_level(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, name, is_package, known):
                if target == "podcheck" or target.startswith("podcheck."):
                    found.append(Import(target, id(node) in top, node.lineno,
                                        top.get(id(node), False)))
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, list[Import]]:
    """Every module's podcheck imports."""
    known = set(modules)
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py",
                         known)
        for name, path in modules.items()
    }


def within(target: str, prefix: str) -> bool:
    """True when module `target` is `prefix` or inside it."""
    return target == prefix or target.startswith(prefix + ".")


def violations(graph: dict[str, list[Import]], stage: str, forbidden: tuple[str, ...]) -> list[str]:
    """`module:line imports target` for every import from `stage` into `forbidden`."""
    return [
        f"{name}:{imp.line} imports {imp.target}"
        for name, imps in sorted(graph.items())
        if within(name, stage)
        for imp in imps
        if any(within(imp.target, f) for f in forbidden)
    ]


def cycles(graph: dict[str, list[Import]], *, type_only: bool = False) -> list[list[str]]:
    """The import cycles among module-level imports (each strongly connected set of
    modules with more than one member, or a module importing itself), sorted; with
    `type_only`, type-only imports count too."""
    dg: nx.DiGraph[str] = nx.DiGraph()
    dg.add_nodes_from(graph)
    dg.add_edges_from(
        (name, imp.target)
        for name, imps in graph.items()
        for imp in imps
        if imp.module_level and imp.target in graph and (type_only or not imp.type_only)
    )
    found = [sorted(c) for c in nx.strongly_connected_components(dg)
             if len(c) > 1 or any(dg.has_edge(n, n) for n in c)]
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Import]]:
    return import_graph(discover())


def test_every_module_is_seen(graph):
    assert "podcheck.engine.bfs" in graph and "podcheck.report.text" in graph
    assert "podcheck.ir" in graph and "podcheck.cli" in graph
    assert any(imp.target == "podcheck.engine.result" for imp in graph["podcheck.report.text"])


@pytest.mark.parametrize("stage", ["podcheck.engine", "podcheck.report"])
def test_engines_and_renderers_never_import_the_front_end_compiler_or_drivers(graph, stage):
    assert violations(graph, stage, DRIVING) == []


def test_engines_never_import_renderers(graph):
    assert violations(graph, "podcheck.engine", ("podcheck.report",)) == []


def test_engines_leave_the_terminal_to_renderers():
    for name, path in discover().items():
        if within(name, "podcheck.engine"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                     for a in n.names}
            roots |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                      if isinstance(n, ast.ImportFrom) and n.level == 0}
            assert not roots & {"rich", "typer"}, name


def _external_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names}
    return roots | {(n.module or "").split(".")[0] for n in ast.walk(tree)
                    if isinstance(n, ast.ImportFrom) and n.level == 0}


def test_exactly_one_module_talks_to_z3():
    # STYLE rule 9: podcheck/engine/smt.py owns every Z3 call.
    talking = sorted(name for name, path in discover().items() if "z3" in _external_roots(path))
    assert talking == ["podcheck.engine.smt"]


def test_the_ir_imports_nothing_of_podcheck_outside_itself(graph):
    outside = [
        f"{name}:{imp.line} imports {imp.target}"
        for name, imps in graph.items()
        if within(name, "podcheck.ir")
        for imp in imps
        if not within(imp.target, "podcheck.ir")
    ]
    assert outside == []


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_type_only_cycles_do_not_grow(graph):
    extra = [c for c in cycles(graph, type_only=True) if c not in TYPE_ONLY_CYCLES]
    assert extra == []


# ------------------------------------------------------------- the rules can fail


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, list[Import]]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(discover(tmp_path / "podcheck", tmp_path))


def test_a_lazy_import_of_a_driver_is_a_violation_but_not_a_cycle(tmp_path):
    graph = _tree(tmp_path, {
        "podcheck/__init__.py": "",
        "podcheck/check.py": "from podcheck.report import text\n",
        "podcheck/report/__init__.py": "",
        "podcheck/report/text.py": "def f():\n    from podcheck import check\n",
    })  # fmt: skip
    assert violations(graph, "podcheck.report", DRIVING) == [
        "podcheck.report.text:2 imports podcheck.check"
    ]
    assert cycles(graph) == []


def test_relative_and_guarded_imports_make_cycles(tmp_path):
    graph = _tree(tmp_path, {
        "podcheck/__init__.py": "",
        "podcheck/engine/__init__.py": "",
        "podcheck/engine/a.py": "from . import b\n",
        "podcheck/engine/b.py": "import sys\nif sys.version_info >= (3, 11):\n"
                                "    from .a import x\n",
        "podcheck/engine/c.py": "from . import d\n",
        "podcheck/engine/d.py": "from typing import TYPE_CHECKING\n"
                                "if TYPE_CHECKING:\n    from .c import x\n",
    })  # fmt: skip
    assert cycles(graph) == [["podcheck.engine.a", "podcheck.engine.b"]]
    assert cycles(graph, type_only=True) == [
        ["podcheck.engine.a", "podcheck.engine.b"], ["podcheck.engine.c", "podcheck.engine.d"]
    ]


def test_a_package_resolves_relative_imports_against_itself(tmp_path):
    graph = _tree(tmp_path, {
        "podcheck/__init__.py": "",
        "podcheck/ir/__init__.py": "from .expr import Var\nfrom ..model import compile\n",
        "podcheck/ir/expr.py": "",
        "podcheck/model/__init__.py": "",
    })  # fmt: skip
    assert [i.target for i in graph["podcheck.ir"]] == ["podcheck.ir.expr", "podcheck.model"]
