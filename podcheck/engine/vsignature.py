"""Member orders by signature: the vector canonicaliser's shortcut for a group whose
references all lie in the blocks of one sorted group (nodes, named by each pod's `node`).

Stage: `podcheck.engine` (used by `engine/vsymmetry.py`).  Consumes the verified groups
and the key layout; `Signature.apply(cols)` renames every row's members into signature
order, after which sorting the other groups' blocks gives a canonical form.

NOTE(member-signature): for a group R (nodes) with references only inside the blocks of
one sorted group S (pods), one per block at the same position, the signature of member
q in a state is its own block followed by the sorted codes of the S-blocks that name q
(each code leaving the reference out; blocks naming another member count as a sentinel
above every code).  Renaming the members in order of signature (ties kept in index
order), then sorting S's blocks, is a canonical form: a permutation of S leaves every
signature as it is, and a permutation of R moves each signature with its member, so
members are placed by signature alike in every state of an orbit; members with equal
signatures are interchangeable, since exchanging them keeps R's blocks (equal) and the
multiset of S's blocks (the blocks naming one become blocks naming the other, with
equal codes).  It costs |R| + 1 sorts of the S-codes per batch instead of one per
permutation of R (|R|!).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from podcheck.engine.packing import WordLayout
from podcheck.engine.symmetry import Symmetry
from podcheck.ir import SymmetryGroup

Matrix = npt.NDArray[np.int64]


class Signature:
    """The shortcut for one group with references (see the module doc)."""

    def __init__(self, group: SymmetryGroup, pods: tuple[tuple[int, ...], ...], at: int,
                 layout: WordLayout) -> None:  # fmt: skip
        self.base, self.size = group.base, len(group.blocks)
        self.own = np.array(group.blocks, np.intp)  # member x position -> column
        self.refs = np.array([b[at] for b in pods], np.intp)
        rest = [k for k in range(len(pods[0])) if k != at]
        self.rest = [np.array([b[k] for b in pods], np.intp) for k in rest]
        first = pods[0]
        self.lo = [layout.lo[first[k]] for k in rest]
        self.radix = [layout.hi[first[k]] - layout.lo[first[k]] + 1 for k in rest]
        self.sentinel = int(np.prod(self.radix, dtype=np.int64)) if rest else 1

    @staticmethod
    def of(canon: Symmetry, layout: WordLayout) -> Signature | None:
        """The shortcut when the system's groups have its shape, else None."""
        if len(canon.renamed) != 1:
            return None
        group = canon.renamed[0]
        refs = set(group.references)
        own = {v for b in group.blocks for v in b}
        for blocks in canon.sorted:
            at = [k for k, v in enumerate(blocks[0]) if v in refs]
            if (len(at) == 1 and all(b[at[0]] in refs for b in blocks)
                    and {b[at[0]] for b in blocks} == refs
                    and not own & {v for b in blocks for v in b}):
                return Signature(group, blocks, at[0], layout)
        return None

    def apply(self, cols: Matrix) -> Matrix:
        """`cols` with each row's members renamed into signature order."""
        rank = self._ranks(cols)
        order = np.argsort(rank, axis=1)  # position j <- old member order[:, j]
        out = cols.copy()
        for j in range(self.size):
            src = self.own[order[:, j]]  # rows x block width
            out[:, self.own[j]] = np.take_along_axis(cols, src, axis=1)
        values = cols[:, self.refs]
        inside = (values >= self.base) & (values < self.base + self.size)
        offset = np.clip(values - self.base, 0, self.size - 1)
        renamed = np.take_along_axis(rank, offset, axis=1) + self.base
        out[:, self.refs] = np.where(inside, renamed, values)
        return out

    def _ranks(self, cols: Matrix) -> npt.NDArray[np.intp]:
        """Per row, the new position of each member (stable order of signatures)."""
        code = np.zeros((cols.shape[0], len(self.refs)), np.int64)
        for where, lo, radix in zip(self.rest, self.lo, self.radix, strict=True):
            code *= radix
            code += cols[:, where] - lo
        values = cols[:, self.refs]
        sigs = []
        for q in range(self.size):
            mine = np.where(values == self.base + q, code, self.sentinel)
            mine.sort(axis=1)
            sigs.append(np.concatenate([cols[:, self.own[q]], mine], axis=1))
        rank = np.zeros((cols.shape[0], self.size), np.intp)
        for q in range(self.size):
            for r in range(q + 1, self.size):
                less = _less(sigs[r], sigs[q])
                rank[:, q] += less  # r before q
                rank[:, r] += ~less  # q before r (equal signatures: the lower index first)
        return rank


def _less(a: Matrix, b: Matrix) -> npt.NDArray[np.bool_]:
    """Row-wise lexicographic a < b."""
    diff = a != b
    first = diff.argmax(axis=1)
    rows = np.arange(a.shape[0])
    less: npt.NDArray[np.bool_] = diff.any(axis=1) & (a[rows, first] < b[rows, first])
    return less
