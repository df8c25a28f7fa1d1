"""Evening out a level's expansion among the partitions of `engine/workers.py`.

Stage: inside `podcheck.engine`.  Consumes the frontier sizes of the partitions (every
worker knows them all after a level's numbering); produces the moves of frontier states
from the fuller partitions to the emptier ones.

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
"""

from __future__ import annotations

LEAST = 2_048  # states: smaller moves cost more than the wait they save

Move = tuple[int, int, int]  # (lender, borrower, states)


def moves(sizes: list[int], least: int | None = None) -> list[Move]:
    """The moves that leave every partition `total // W` or one more states to expand
    (the first `total % W` partitions the one more), lenders and borrowers matched in
    partition order; none when no partition is `least` (default `LEAST`) states over
    its share."""
    least = LEAST if least is None else least
    count, total = len(sizes), sum(sizes)
    share = [total // count + (1 if w < total % count else 0) for w in range(count)]
    excess = [s - t for s, t in zip(sizes, share, strict=True)]
    if max(excess, default=0) < least:
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
