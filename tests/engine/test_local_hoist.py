"""NOTE(local-hoist): where the chunked expander computes the guard parts it shares.

A shared part is computed by the first part (chunk of actions) whose guards read it, and
stored for later parts only when one reads it; the `expand` function computes none, so
no generated function grows with the number of pods.  (Agreement of the chunked
expander with the reference semantics: tests/reliability/test_codegen_shapes.py.)
"""

from __future__ import annotations

from pathlib import Path

from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import pycompile
from podcheck.engine.pybody import placed_parts
from podcheck.ir import Const, Op, Var


def _big(v: int) -> Op:
    """A shared part (at least `HOIST_FROM` nodes) reading variable `v`."""
    return Op("and", tuple(Op("==", (Var(v), Const(c))) for c in range(4)))


def test_parts_go_to_the_first_chunk_reading_them() -> None:
    inner, alone, across = _big(0), _big(1), _big(2)
    outer = Op("or", (inner, Var(3), Op("not", (Var(4),))))
    chunks = [
        [Op("and", (across, alone)), Op("or", (alone, Var(5)))],  # alone: chunk 0 only
        [Op("and", (outer, Var(6))), Op("and", (outer, Var(7)))],  # outer (inner in it)
        [Op("or", (across, outer))],  # across and outer read again
    ]
    local, exported = placed_parts(chunks)
    placed = [{id(p) for p in part} for part in local]
    assert placed[0] == {id(alone), id(across)}
    assert placed[1] == {id(outer)}  # inner is read by outer only, once: not shared
    assert placed[2] == set()
    assert exported == {id(across), id(outer)}


def test_an_inner_part_goes_where_its_outer_part_is() -> None:
    inner = _big(0)
    outer = Op("or", (inner, Op("==", (Var(1), Const(2))), Var(3), Var(4), Var(5)))
    chunks = [[Var(9)], [Op("and", (outer, inner))], [Op("not", (outer,))]]
    local, exported = placed_parts(chunks)
    assert [len(part) for part in local] == [0, 2, 0]
    assert [id(p) for p in local[1]] == [id(inner), id(outer)]  # inner first
    assert exported == {id(outer)}


def test_expand_computes_no_guard_part(tmp_path: Path) -> None:
    spec = tmp_path / "web.pod"
    spec.write_text("cluster { nodes: 2 }\ndeployment web { replicas: 40\n"
                    "  template { container app { } } }\n", encoding="utf-8")
    system = load_and_compile(str(spec), CheckOptions())[0].value
    assert system is not None and len(system.actions) > pycompile.CHUNK
    sources = pycompile._chunked_sources(system, pycompile.Packing.of(system), (), False, {})
    expand = sources[-1].splitlines()
    assert expand[0] == "def expand(s, x, link):"
    assert not [line for line in expand if line.lstrip().startswith("g") and "[0] *" not in line]
    assert any("g[" in src and "] = g" in src for src in sources[:-1])  # parts store some
