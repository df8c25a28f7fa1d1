"""Normal forms of IR expressions and actions under a renaming of a symmetry group.

Stage: `podcheck.engine` (used by `engine/symmetry.py` and `engine/templates.py`).  A
`Renaming` is one permutation of one group (variables moved, member numbers held by
references renamed); `Normal` writes each expression as a hash-consed form in which
commutative arguments are sorted, so that equal forms are expressions equal under the
renaming (NOTE(symmetry-verified) in `engine/symmetry.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from podcheck.ir import Action, Const, Expr, Op, SymmetryGroup, Var

COMMUTATIVE = frozenset({"+", "*", "min", "max", "and", "or", "==", "!="})


class Unsupported(Exception):
    """A reference is used in a way the normal form cannot rename."""


@dataclass(frozen=True, slots=True)
class Renaming:
    """One permutation of one group: variable map and member-number map."""

    var: dict[int, int]
    refs: frozenset[int]
    value: dict[int, int]


class Normal:
    """The normal form of expressions under one renaming (memoised per node).  Forms are
    hash-consed in `table`, which the renamings compared with each other share: a node's
    form is `#k`, the number of its (operator, argument forms) in the table, so equal
    forms are equal structures and a form is as short as its node's own arguments.  A
    big model's guards share sums over every pod (a PDB's healthy count); spelled out
    as text, each guard's form held the whole sum (1 000 replicas: 8.8 GB)."""

    def __init__(self, r: Renaming, table: dict[tuple[str, ...], str] | None = None) -> None:
        self.r = r
        self.memo: dict[int, str] = {}
        self.table: dict[tuple[str, ...], str] = {} if table is None else table

    def expr(self, e: Expr) -> str:
        """The normal form of `e`; raises `Unsupported` for a bare reference."""
        key = id(e)
        got = self.memo.get(key)
        if got is None:
            got = self.memo[key] = self._expr(e)
        return got

    def _expr(self, e: Expr) -> str:
        if isinstance(e, Const):
            return str(e.value)
        if isinstance(e, Var):
            if e.index in self.r.refs:
                raise Unsupported
            return f"v{self.r.var.get(e.index, e.index)}"
        if e.op in ("==", "!=") and any(self._is_ref(a) for a in e.args):
            args = sorted(self.value(a) for a in e.args)
        else:
            args = [self.expr(a) for a in e.args]
            if e.op in COMMUTATIVE:
                args.sort()
        key = (e.op, *args)
        form = self.table.get(key)
        if form is None:
            form = self.table[key] = f"#{len(self.table)}"
        return form

    def _is_ref(self, e: Expr) -> bool:
        if isinstance(e, Var):
            return e.index in self.r.refs
        return isinstance(e, Op) and e.op == "ite" and any(self._is_ref(a) for a in e.args[1:])

    def value(self, e: Expr) -> str:
        """The normal form of `e` read as a member number (renamed)."""
        if isinstance(e, Const):
            return str(self.r.value.get(e.value, e.value))
        if isinstance(e, Var) and e.index in self.r.refs:
            return f"v{self.r.var.get(e.index, e.index)}"
        if isinstance(e, Op) and e.op == "ite":
            cond, then, other = e.args
            return f"(ite {self.expr(cond)} {self.value(then)} {self.value(other)})"
        raise Unsupported

    def action(self, a: Action) -> str:
        """The normal form of an action: guard, updates in renamed order, fairness."""
        ups = sorted(
            f"v{self.r.var.get(i, i)}:="
            + (self.value(e) if i in self.r.refs else self.expr(e))
            for i, e in a.updates
        )
        return f"{self.expr(a.guard)}|{' '.join(ups)}|{a.fairness}"


def renaming(group: SymmetryGroup, perm: Sequence[int], refs: frozenset[int]) -> Renaming:
    """Member `i` goes to `perm[i]`."""
    var = {v: group.blocks[perm[i]][j] for i, b in enumerate(group.blocks) for j, v in enumerate(b)}
    value = {group.base + i: group.base + p for i, p in enumerate(perm)}
    return Renaming(var, refs, value if group.references else {})


def pair(forms: Sequence[str], image: Sequence[str]) -> list[int]:
    """Per action, the index of an action whose form is its image (equal forms paired
    in order: such actions are interchangeable)."""
    where: dict[str, list[int]] = {}
    for i, form in enumerate(forms):
        where.setdefault(form, []).append(i)
    taken: Counter[str] = Counter()
    out = []
    for form in image:
        out.append(where[form][taken[form]])
        taken[form] += 1
    return out
