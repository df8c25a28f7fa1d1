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


def test_a_long_junction_is_split_with_the_same_truth_and_order() -> None:
    # `and`/`or` of 10 terms in functions of 3: same truthiness on every state, and the
    # same first deciding term (a division by zero after it is never reached).
    from podcheck.engine.pybody import split_condition

    terms = [Op("==", (Var(i % 2), Const(1))) for i in range(9)]
    trap = Op("==", (Op("//", (Const(1), Var(2))), Const(7)))  # raises when v2 == 0
    raised = 0
    names = [f"v{i}" for i in range(3)]
    for op in ("and", "or"):
        e = Op(op, (*terms, trap))
        sources, call = split_condition(e, names, 3, 0)
        assert len(sources) == 4
        namespace: dict[str, object] = {}
        for src in sources:
            exec(compile(src + "\n", "<cond>", "exec"), namespace)  # noqa: S102
        for state in [(a, b, c) for a in range(2) for b in range(2) for c in range(2)]:
            here = dict(namespace, s=state, f=[])
            try:
                want: object = bool(ir_evaluate(e, state))
            except ZeroDivisionError:
                want = ZeroDivisionError
            try:
                got: object = bool(eval(call, here))  # noqa: S307
            except ZeroDivisionError:
                got = ZeroDivisionError
            assert got == want, (op, state)
            raised += got is ZeroDivisionError
    assert raised == 2  # (1, 1, 0) for `and`, (0, 0, 0) for `or`


def ir_evaluate(e: Op, state: tuple[int, ...]) -> int:
    """The reference semantics (`ir.evaluate`)."""
    from podcheck.ir import evaluate

    return evaluate(e, state)
