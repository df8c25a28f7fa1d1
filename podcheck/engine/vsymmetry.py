"""Symmetry reduction for the vector engine: canonicalise whole batches of packed keys.

Stage: `podcheck.engine` (the `canonicalise` hook of `engine/vector.py`).  Consumes the
verified groups (`symmetry.Symmetry`) and the key layout; `VectorCanon(keys)` returns
the keys of one representative per orbit.

The representative is the least, in the order "blocks of groups with references, then
the sorted member codes of the other groups, then everything else", of the candidates
obtained by every permutation of the groups with references (their members renamed in
the references) followed by sorting the other groups' blocks.  A block's code is its
values in mixed radix (first variable most significant), so sorting codes sorts blocks
lexicographically.  It is a function of the orbit (a minimum over the whole group), so
it is a canonical form, though not always the one `Symmetry.canon` picks; traces use
`canon_state`, this function on one state.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from podcheck.engine import canonical
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.packing import Keys, WordLayout
from podcheck.engine.symmetry import Off, Symmetry, SymmetryUse
from podcheck.ir import State, SymmetryGroup, TransitionSystem

Matrix = npt.NDArray[np.int64]
MAX_PERMUTATIONS = 720  # permutations of groups with references tried per batch at most


def for_system(
    system: TransitionSystem, layout: WordLayout, options: BfsOptions,
    given: Callable[[Keys], Keys] | None,
) -> tuple[Callable[[Keys], Keys] | None, SymmetryUse | None]:  # fmt: skip
    """The batch canonicaliser a vector run uses: `given` if any, else the verified
    symmetry (see `canonical.choose`) when the encoding fits, else None."""
    if given is not None:
        return given, None
    canon, use = canonical.choose(system, options.symmetry, options.keep_graph)
    if canon is None or not fits(canon, layout):
        return None, use if canon is None else SymmetryUse(off=Off.ENCODING)
    return VectorCanon(canon, layout), use


def fits(canon: Symmetry, layout: WordLayout) -> bool:
    """True when the groups can be canonicalised here: few enough permutations of the
    groups with references, and every block's code fits in 62 bits."""
    perms = math.prod(math.factorial(len(g.blocks)) for g in canon.renamed)
    bits = [sum((layout.hi[i] - layout.lo[i] + 1).bit_length() for i in b[0])
            for b in canon.sorted]
    return perms <= MAX_PERMUTATIONS and all(b <= 62 for b in bits)


class VectorCanon:
    """The batch canonicaliser of one system (see the module doc)."""

    def __init__(self, canon: Symmetry, layout: WordLayout) -> None:
        self.layout = layout
        self.canon = canon
        self.renamed = canon.renamed
        self.sorted = canon.sorted
        self.perms = list(itertools.product(
            *(itertools.permutations(range(len(g.blocks))) for g in self.renamed)))
        self.order = [i for g in self.renamed for b in g.blocks for i in b]
        first = set(self.order)
        self.rank = self.order + [i for i in range(len(layout.lo)) if i not in first]

    def __call__(self, keys: Keys) -> Keys:
        """The canonical keys of `keys` (new arrays; the input is not changed)."""
        if not len(keys[0]):
            return keys
        cols = np.stack([c.astype(np.int64) for c in self.layout.columns(keys)], axis=1)
        best: Matrix | None = None
        best_rank: Matrix | None = None
        for perm in self.perms:
            cand = self._rename(cols, perm)
            rank = self._rank(cand)
            if best is None or best_rank is None:
                best, best_rank = cand, rank
                continue
            better = _less(rank, best_rank)
            best[better], best_rank[better] = cand[better], rank[better]
        assert best is not None
        out = [k.copy() for k in keys]
        for i in range(best.shape[1]):
            self.layout.assign(out, i, best[:, i])
        return out

    def canon_state(self, state: State) -> State:
        """The canonical form of one state (for traces)."""
        return self.layout.states(self(self.layout.pack([state])))[0]

    def _rename(self, cols: Matrix, perm: tuple[tuple[int, ...], ...]) -> Matrix:
        """Member `order[j]` of each group with references moves to position `j`; then
        the other groups' blocks are sorted by code."""
        out = cols.copy()
        for g, order in zip(self.renamed, perm, strict=True):
            _move(out, cols, g, order)
        for blocks in self.sorted:
            self._sort(out, blocks)
        return out

    def _sort(self, out: Matrix, blocks: tuple[tuple[int, ...], ...]) -> None:
        lo, hi = self.layout.lo, self.layout.hi
        code = np.zeros((out.shape[0], len(blocks)), np.int64)
        for j, b in enumerate(blocks):
            for i in b:
                code[:, j] = code[:, j] * (hi[i] - lo[i] + 1) + (out[:, i] - lo[i])
        code.sort(axis=1)
        for j, b in enumerate(blocks):
            rest = code[:, j]
            for i in reversed(b):
                radix = hi[i] - lo[i] + 1
                out[:, i] = rest % radix + lo[i]
                rest = rest // radix

    def _rank(self, cand: Matrix) -> Matrix:
        """The columns in comparison order: referenced groups' blocks first."""
        return cand[:, self.rank]


def _move(out: Matrix, cols: Matrix, g: SymmetryGroup, order: tuple[int, ...]) -> None:
    table = np.arange(max(int(cols.max(initial=0)), g.base + len(g.blocks)) + 1)
    for j, old in enumerate(order):
        out[:, list(g.blocks[j])] = cols[:, list(g.blocks[old])]
        table[g.base + old] = g.base + j
    for r in g.references:
        values = cols[:, r]
        inside = (values >= 0) & (values < len(table))
        out[:, r] = np.where(inside, table[np.clip(values, 0, len(table) - 1)], values)


def _less(a: Matrix, b: Matrix) -> npt.NDArray[np.bool_]:
    """Row-wise lexicographic a < b."""
    diff = a != b
    first = diff.argmax(axis=1)
    rows = np.arange(a.shape[0])
    less: npt.NDArray[np.bool_] = diff.any(axis=1) & (a[rows, first] < b[rows, first])
    return less
