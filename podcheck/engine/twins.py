"""Twin successors: actions the symmetry-reduced vector search need not take.

Stage: `podcheck.engine` (used by `engine/vector.py` with symmetry).  Consumes a system
and its verified groups (`symmetry.Symmetry`); produces `Twins`, per action the pairs
of blocks whose equality in a state makes the action's successor redundant there.

NOTE(twin-successors): let `s` be a state and `t` the swap of adjacent members j, j+1
of a verified group without references.  When blocks j and j+1 of `s` hold equal
values, `t` fixes `s`.  If `t` maps action `a` onto action `b` (their normal forms
agree, `symmetry.images`), then `b` is enabled at `t(s) = s` whenever `a` is, and
`b(s) = t(a(s))`: both successors lie in one orbit, so they have one canonical form.
When `b` comes before `a` in action order, the search loses nothing by not computing
`a(s)`: the canonical successor is reached through `(s, b)` anyway, and since the store
numbers new states by the least `parent * actions + action` that reached them, and
`(s, b)` is less than `(s, a)`, no state id, parent link, count or trace changes
(`transitions` still counts `a`).  For a group filled lowest-free-first the images are
taken over the relaxed actions (NOTE(lowest-free)), and a pair is used only when `b`'s
guard is not relaxed, so that `b`'s real guard is its relaxed one.  The swaps of
adjacent members are `c^j (0 1) c^-j` for the cycle `c`; their action maps are
composed from the two generators' maps, so only two normal forms per action are built.

NOTE(sparse-twins): the swap `c^j (0 1) c^-j` fixes every action that `c^j` does not
carry from the set M the swap (0 1) moves: for `a = c^j(m)` its image is
`c^j((0 1)(m))`, and any other action is its own image, which `image < a` never
selects.  So only the |M| actions `c^j(M)` are looked at per j, and `c^j(M)` is carried
from `c^(j-1)(M)` by one lookup each: O(actions + members x |M|), where |M| is the
actions of two members (an action reading every member alike, such as the clock's, is
fixed by the swap), instead of O(members x actions), quadratic in the replicas.  The
same pairs come out, in the same order (tests/engine/test_twins.py compares with the
dense composition).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podcheck.engine import vacancy
from podcheck.engine.gcpause import pausing
from podcheck.engine.symmetry import Symmetry, images
from podcheck.ir import Action, SymmetryGroup, TransitionSystem

Block = tuple[int, ...]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Twins:
    """Per action index, the (block, block) pairs that make it redundant when equal."""

    pairs: dict[int, tuple[tuple[Block, Block], ...]]

    def keep(self, action: int, rows: npt.NDArray[np.intp], equal: BlockEquality
             ) -> npt.NDArray[np.intp]:  # fmt: skip
        """The rows of `rows` (enabled rows of `action`) whose successor is not a twin."""
        pairs = self.pairs.get(action)
        if not pairs or not rows.size:
            return rows
        drop = np.zeros(rows.size, np.bool_)
        for left, right in pairs:
            drop |= equal(left, right)[rows]
        return rows[~drop]


class BlockEquality:
    """Which rows of a chunk hold equal values in two blocks (memoised per pair)."""

    def __init__(self, columns: Sequence[npt.NDArray[np.generic]]) -> None:
        self.columns = columns
        self.memo: dict[tuple[int, int], Bools] = {}

    def __call__(self, left: Block, right: Block) -> Bools:
        """Rows where every variable of `left` equals its counterpart in `right`."""
        key = (left[0], right[0])
        got = self.memo.get(key)
        if got is None:
            cols = self.columns
            got = np.logical_and.reduce([cols[u] == cols[v] for u, v in zip(left, right,
                                                                           strict=True)])
            self.memo[key] = got
        return got


@pausing
def twins(system: TransitionSystem, canon: Symmetry) -> Twins:
    """The twin pairs of every verified group without references (module doc)."""
    pairs: dict[int, list[tuple[Block, Block]]] = {}
    for group in canon.groups:
        if group.references or len(group.blocks) < 2:
            continue
        for a, found in _group_pairs(system, group, canon.maps.get(group.name),
                                     canon.relaxed.get(group.name)).items():
            pairs.setdefault(a, []).extend(found)
    return Twins({a: tuple(p) for a, p in pairs.items()})


def _group_pairs(system: TransitionSystem, group: SymmetryGroup,
                 known: tuple[list[int], ...] | None,
                 relaxed_actions: tuple[Action, ...] | None = None,
                 ) -> dict[int, list[tuple[Block, Block]]]:  # fmt: skip
    """The pairs of one group; `relaxed_actions`: its relaxed actions when the verifier
    kept them (`vacancy.relaxed` of the same system and group, not computed twice)."""
    actions = system.actions
    if group.first_free is not None:
        actions = relaxed_actions or vacancy.relaxed(system, group)
    relaxed = np.array([r.guard is not a.guard for r, a in zip(actions, system.actions,
                                                               strict=True)], np.bool_)
    k = len(group.blocks)
    if known is None:  # the verifier's maps of the swap (0 1) and the cycle
        known = (images(group, actions, [1, 0, *range(2, k)]),
                 images(group, actions, [*range(1, k), 0]))
    swap = np.array(known[0], np.intp)
    cycle = np.array(known[-1], np.intp)  # k == 2: the swap is the cycle
    moved = np.flatnonzero(swap != np.arange(len(actions), dtype=np.intp))
    where = np.full(len(actions), -1, np.intp)
    where[moved] = np.arange(moved.size, dtype=np.intp)
    partner = where[swap[moved]]  # closed: a bijection maps no moved action to a fixed one
    assert (partner >= 0).all()
    power = moved.copy()  # c^j of each action the swap moves (NOTE(sparse-twins))
    out: dict[int, list[tuple[Block, Block]]] = {}
    for j in range(k - 1):
        image = power[partner]  # c^j (0 1) c^-j at the actions c^j moves: j and j+1 swapped
        for a in np.sort(power[(image < power) & ~relaxed[image]]).tolist():
            out.setdefault(a, []).append((group.blocks[j], group.blocks[j + 1]))
        power = cycle[power]
    return out
