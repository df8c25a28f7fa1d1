"""Hoisted subexpressions of a big expander, computed by functions of bounded length.

Stage: inside `podcheck.engine`, used by `podcheck.engine.pycompile`'s chunked expander.

NOTE(chunked-hoists): the chunked expander computes, once per state, every guard part
several guards share (`pycompile._guards`: lines `g{K} = ...` in increasing K) and the
flagged conditions' shared parts (`f{K} = ...`).  Inline in `expand`, they made it one
function growing with the pods (1 000 replicas: 3.9 MB of source, 14 000 locals), and
CPython compiles one long function at a higher cost per byte than the same lines cut in
functions.  So they are computed by functions of `CHUNK` lines each,
`{name}{c}(s, {prefix})`, called in order by `expand`; each appends its values to the
list `{prefix}`, which the parts then read as before.  Nothing moves across a line: the
lines run in the same order, each exactly once per state, before the same code as
before, and none can raise (`pybody.shared_parts` takes no `//` or `%`).  Sound by
construction: a line `{prefix}{d} = ...` reads only `{prefix}{K}` with K < d (inner parts
first; asserted here at generation time), so a value a function reads from the list was
appended by an earlier function, and one it defines itself is a local assigned earlier in
the same function.  tests/engine/test_chunked_hoists.py checks the split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_VAR = re.compile(r"\bv(\d+)\b")


def _defined(line: str, prefix: str) -> int:
    head = line.lstrip()
    name, _, _ = head.partition(" = ")
    assert name.startswith(prefix) and name[len(prefix):].isdigit(), line
    return int(name[len(prefix):])


def split_hoists(lines: Sequence[str], prefix: str, name: str, chunk: int
                 ) -> tuple[list[str], list[str]]:  # fmt: skip
    """The functions computing the hoist `lines` (`{prefix}{K} = ...`, K = 0, 1, ... in
    order) in groups of `chunk` lines, and the lines of `expand` that call them, leaving
    the values in the list `{prefix}` (NOTE(chunked-hoists))."""
    used = re.compile(rf"\b{prefix}(\d+)\b")
    functions: list[str] = []
    calls = [f"        {prefix} = []"] if lines else []
    for c, first in enumerate(range(0, len(lines), chunk)):
        body = list(lines[first:first + chunk])
        reads: set[int] = set()
        for at, line in enumerate(body):
            d = _defined(line, prefix)
            assert d == first + at, (d, first + at)  # the K-th line defines {prefix}K
            refs = {int(m) for m in used.findall(line)} - {d}
            assert all(r < d for r in refs), (line, refs)  # dominated by its computation
            reads |= {r for r in refs if r < first}
        values = "".join(f"{prefix}{first + at}, " for at in range(len(body)))
        functions.append("\n".join([
            f"def {name}{c}(s, {prefix}):", *_var_reads(body),
            *(f"        {prefix}{r} = {prefix}[{r}]" for r in sorted(reads)),
            *body, f"        {prefix}.extend(({values}))"]))
        calls.append(f"        {name}{c}(s, {prefix})")
    return functions, calls


def list_reads(lines: Sequence[str], prefix: str) -> list[str]:
    """`{prefix}K = {prefix}[K]` for every hoisted value the generated `lines` read."""
    used = re.compile(rf"\b{prefix}(\d+)\b")
    found = sorted({int(m) for line in lines for m in used.findall(line)})
    return [f"        {prefix}{i} = {prefix}[{i}]" for i in found]


def _var_reads(lines: Sequence[str]) -> list[str]:
    used = sorted({int(m) for line in lines for m in _VAR.findall(line)})
    return [f"        v{i} = s[{i}]" for i in used]
