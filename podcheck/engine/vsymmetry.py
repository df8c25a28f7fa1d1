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
`canon_state`, this function on one state.  When the one group with references is named
only from the blocks of one sorted group (nodes named by pods), its members are instead
put in order of signature (NOTE(member-signature), engine/vsignature.py): one renaming
per row instead of one candidate per permutation.  Batches are canonicalised in slices
of `SLICE` rows.
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
from podcheck.engine.vsignature import Signature
from podcheck.ir import State, SymmetryGroup, TransitionSystem

Matrix = npt.NDArray[np.int64]
MAX_PERMUTATIONS = 720  # permutations of groups with references tried per batch at most
SLICE = 1 << 12  # rows canonicalised at a time


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
        self.rest = np.array([i for i in range(len(layout.lo)) if i not in first], np.intp)
        self.fields = _Fields(layout)
        self.signature = Signature.of(canon, layout)  # NOTE(member-signature)

    def __call__(self, keys: Keys) -> Keys:
        """The canonical keys of `keys` (new arrays; the input is not changed), in slices
        of `SLICE` rows (the matrices of a slice stay small)."""
        size = len(keys[0])
        if size <= SLICE:
            return self._slice(keys) if size else keys
        parts = [self._slice([k[at:at + SLICE] for k in keys]) for at in range(0, size, SLICE)]
        return [np.concatenate([p[w] for p in parts]) for w in range(len(keys))]

    def _slice(self, keys: Keys) -> Keys:
        cols = self.fields.unpack(keys)
        if self.signature is not None:
            out = self.signature.apply(cols)
            for blocks in self.sorted:
                self._sort(out, blocks)
            return self.fields.pack(out)
        best: Matrix | None = None
        for perm in self.perms:
            cand = self._rename(cols, perm)
            if best is None:
                best = cand
                continue
            better = self._less(cand, best)
            best[better] = cand[better]
        assert best is not None
        return self.fields.pack(best)

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
        """Sort the blocks of each row by code (one gather per block position: the
        blocks of a verified group have equal ranges position by position)."""
        lo, hi = self.layout.lo, self.layout.hi
        where = np.array(blocks, np.intp)  # member x position -> column
        first = blocks[0]
        code = np.zeros((out.shape[0], len(blocks)), np.int64)
        for k, i in enumerate(first):
            code *= hi[i] - lo[i] + 1
            code += out[:, where[:, k]] - lo[i]
        code.sort(axis=1)
        for k in reversed(range(len(first))):
            i = first[k]
            radix = hi[i] - lo[i] + 1
            out[:, where[:, k]] = code % radix + lo[i]
            code //= radix

    def _less(self, a: Matrix, b: Matrix) -> npt.NDArray[np.bool_]:
        """Row-wise a < b comparing the referenced groups' blocks first, then the other
        columns in index order (those only on the rows where the first part ties)."""
        head = self.order
        less, tie = _less(a[:, head], b[:, head])
        rows = np.flatnonzero(tie)
        if rows.size and self.rest.size:
            less[rows] = _less(a[np.ix_(rows, self.rest)], b[np.ix_(rows, self.rest)])[0]
        return less


class _Fields:
    """The bit fields of a key layout as index arrays: whole matrices in and out."""

    def __init__(self, layout: WordLayout) -> None:
        self.layout = layout
        self.lo = np.array(layout.lo, np.int64)
        self.words = []
        for w in range(layout.words):
            idx = [i for i in range(len(layout.lo)) if layout.word[i] == w and layout.width[i]]
            shift = np.array([layout.shift[i] for i in idx], np.uint64)
            mask = np.array([(1 << layout.width[i]) - 1 for i in idx], np.uint64)
            self.words.append((np.array(idx, np.intp), shift, mask))

    def unpack(self, keys: Keys) -> Matrix:
        """Rows of keys -> rows of variable values (int64)."""
        out = np.repeat(self.lo[None, :], len(keys[0]), axis=0)
        for word, (idx, shift, mask) in zip(keys, self.words, strict=True):
            if idx.size:
                out[:, idx] += ((word[:, None] >> shift) & mask).astype(np.int64)
        return out

    def pack(self, values: Matrix) -> Keys:
        """Rows of variable values -> keys (the inverse of `unpack`)."""
        keys = []
        for idx, shift, _ in self.words:
            fields = (values[:, idx] - self.lo[idx]).astype(np.uint64) << shift
            keys.append(np.bitwise_or.reduce(fields, axis=1) if idx.size
                        else np.zeros(len(values), np.uint64))
        return keys


def _move(out: Matrix, cols: Matrix, g: SymmetryGroup, order: tuple[int, ...]) -> None:
    table = np.arange(max(int(cols.max(initial=0)), g.base + len(g.blocks)) + 1)
    for j, old in enumerate(order):
        out[:, list(g.blocks[j])] = cols[:, list(g.blocks[old])]
        table[g.base + old] = g.base + j
    if g.references:
        refs = list(g.references)
        values = cols[:, refs]
        inside = (values >= 0) & (values < len(table))
        out[:, refs] = np.where(inside, table[np.clip(values, 0, len(table) - 1)], values)


def _less(a: Matrix, b: Matrix) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Row-wise lexicographic a < b, and where a == b."""
    diff = a != b
    first = diff.argmax(axis=1)
    rows = np.arange(a.shape[0])
    some = diff.any(axis=1)
    less: npt.NDArray[np.bool_] = some & (a[rows, first] < b[rows, first])
    return less, ~some
