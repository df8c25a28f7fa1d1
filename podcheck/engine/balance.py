"""Evening out a level's work among the partitions of `engine/workers.py`.

Stage: inside `podcheck.engine`.  Consumes the frontier sizes of the partitions (every
worker knows them all after a level's numbering) and, from the level before, the
insertions each is expected to make; produces the moves of frontier states from the
fuller partitions to the emptier ones.

NOTE(lent-states): an owner that keeps successors local (NOTE(local-owner)) splits a
level unevenly, by the luck of its heavy classes (on B1 up to 17 % between the two
frontiers of a level), and every level ends at a rendezvous, so the fuller partition's
excess is waited for.  A partition may lend states of its frontier (the highest ids) to
a peer, which expands them after its own: the successors go to their owners as every
successor does, so the visited sets, parent links and global ids are those of any
other run (ids are ranks of smallest links, whoever expanded the parent); the
borrower looks the level's properties and deadlocks up in the lent states afresh and
keeps the lowest id of each (`Partition.expand_lent`).  Only a level expanded whole
(no `--max-states` cut inside it) is evened out, and moves under `LEAST` states are not
made (a chunk's fixed cost).

NOTE(insert-weight): lending moves expansions, never insertions: a successor is looked
up in (inserted into) its owner's visited set whoever expanded its parent, and with a
local owner the partition owning more of a level owns more of the next one too.  So
the moves even out `expansions + INSERT_WEIGHT x expected insertions` rather than
expansions alone: a partition expected to insert more expands fewer states (down to
none).  The expected insertions of partition `w` are its insertions of the level just
done, per state of its frontier then, times its frontier now (`expected`): every
worker has those numbers (exchanged with the links), so all compute the same moves.
The weight is measured (bench/workers.py, per level: CPU seconds of the lookups per
key inserted against the rest of the busy seconds per state expanded): 0.47 against
1.25 us on B1 N=16 (0.37), 0.70 against 1.30 us at N=17 (0.54, larger stores); of
the weights 0, 0.4 and 1 run there, 0.4 leaves the smallest gap between the two
workers' modelled work per level, and 1 (an insertion as dear as an expansion) lends
too much (docs/scaling.md).  Which states a partition expands decides no id, count or
trace (NOTE(lent-states)), so neither the weight nor the estimate can change a
verdict; they only move waiting.
"""

from __future__ import annotations

LEAST = 2_048  # states: smaller moves cost more than the wait they save
INSERT_WEIGHT = 0.4  # an insertion's CPU cost in expansions' (NOTE(insert-weight))

Move = tuple[int, int, int]  # (lender, borrower, states)


def expected(before: list[int], inserted: list[int], now: list[int]) -> list[int]:
    """Each partition's expected insertions of the next level (NOTE(insert-weight)): its
    `inserted` per state of its frontier `before`, times its frontier `now`; the ratio of
    all partitions for one whose frontier was empty."""
    whole = sum(inserted) / sum(before) if sum(before) else 0.0
    return [round((i / b if b else whole) * n) for b, i, n in zip(before, inserted, now,
                                                                  strict=True)]  # fmt: skip


def targets(sizes: list[int], inserts: list[int] | None = None,
            weight: float | None = None) -> list[int]:  # fmt: skip
    """How many states each partition should expand: all `sum(sizes)` states shared so
    that `expansions + weight x inserts` is as even as it can be (a partition whose
    insertions alone exceed the others' work expands none), ties and remainders to the
    first partitions; without `inserts`, `total // W` each, the first `total % W` one
    more.  `weight` defaults to `INSERT_WEIGHT`."""
    weight = INSERT_WEIGHT if weight is None else weight
    count, total = len(sizes), sum(sizes)
    load = [round(weight * i) for i in inserts] if inserts is not None else [0] * count
    order = sorted(range(count), key=lambda w: (load[w], w))
    active, level = 0, 0  # the partitions that expand, and the work each is levelled to
    for k in range(count, 0, -1):
        level = total + sum(load[w] for w in order[:k])
        if load[order[k - 1]] * k <= level:  # each of the k lightest gets >= 0 states
            active = k
            break
    chosen = sorted(order[:active])
    out = [0] * count
    for rank, w in enumerate(chosen):
        out[w] = level // active - load[w] + (1 if rank < level % active else 0)
    return out


def moves(sizes: list[int], inserts: list[int] | None = None, least: int | None = None,
          weight: float | None = None) -> list[Move]:  # fmt: skip
    """The moves that leave every partition its `targets` states to expand, lenders and
    borrowers matched in partition order; none when no partition is `least` (default
    `LEAST`) states over its target."""
    least = LEAST if least is None else least
    if not sizes:
        return []
    excess = [s - t for s, t in zip(sizes, targets(sizes, inserts, weight), strict=True)]
    if max(excess) < least:
        return []
    lenders = [[w, e] for w, e in enumerate(excess) if e > 0]
    borrowers = [[w, -e] for w, e in enumerate(excess) if e < 0]
    out: list[Move] = []
    while lenders and borrowers:
        give = min(lenders[0][1], borrowers[0][1])
        out.append((lenders[0][0], borrowers[0][0], give))
        lenders[0][1] -= give
        borrowers[0][1] -= give
        lenders = [x for x in lenders if x[1]]
        borrowers = [x for x in borrowers if x[1]]
    return out
