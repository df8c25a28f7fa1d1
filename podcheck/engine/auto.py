"""`--workers auto`: one process for small runs, the cores available for large ones.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and `BfsOptions` (as
`engine.workers.explore`); produces the same `CheckResult` as one process (same ids,
counts, depths, limits and shortest counterexamples), with `Stats.workers` saying how
many processes explored.

NOTE(auto-workers): starting worker processes costs every run (forking, the queues,
the per-level rendezvous), which the thousands of small specs a suite checks should not
pay.  So `auto` starts the vector search in this process, and once a whole level is
done with at least `HANDOFF_STATES` states checked and a next level to expand, hands
the run to `available_cores()` forked workers (`engine/workers.py`): each worker keeps
the states of the one-process store it owns (`ownership.Owner`) as its visited set and
its part of the next level as its frontier (the owner function chosen from that store:
NOTE(local-owner)); the one-process `_Run` (counters, findings,
open properties, depth) becomes the coordinator's, and the parent links of the states
numbered before the handoff stay in this process's store (the tracer reads them here).
The partitioned BFS numbers states exactly as one process does, so the handoff changes
no id, count or trace.  Symmetry stays on: the workers canonicalise with the same
`VectorCanon` and skip the same twin successors.  One process runs when one core is
available, in a daemonic process (a worker of `podcheck test`'s pool may start no
processes), when the liveness checker needs the graph (`keep_graph`), or when the space
ends before the threshold.
"""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass, field

import numpy as np

from podcheck.engine import workers as procs
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.graph import StateGraph
from podcheck.engine.ownership import Owner, choose
from podcheck.engine.packing import ExactStore, FingerprintStore, Keys
from podcheck.engine.partition import LevelReport, Partition
from podcheck.engine.partitioned import Traffic, explore_partitioned
from podcheck.engine.progress import Reporter
from podcheck.engine.result import CheckResult
from podcheck.engine.vector import Canonicalise, _Explorer, _Run, explore_vector
from podcheck.ir import TransitionSystem

AUTO = 0  # `--workers auto`
HANDOFF_STATES = 400_000  # states checked in this process before workers take over


def explore(
    system: TransitionSystem, options: BfsOptions | None = None,
    reporter: Reporter | None = None, *, workers: int = AUTO, fingerprint: bool = False,
    canonicalise: Canonicalise | None = None, cluster: str | None = None,
    cores: int | None = None, handoff_states: int | None = None,
) -> tuple[CheckResult, StateGraph | None]:  # fmt: skip
    """The vector search on `workers` processes (`engine.workers.explore`), or, with
    `workers=AUTO` and no cluster, in this process until `handoff_states` states are
    checked (default `HANDOFF_STATES`) and then on `cores` processes (default:
    `available_cores()`), as NOTE(auto-workers) says.  Raises what
    `engine.workers.explore` raises."""
    options = options if options is not None else BfsOptions()
    count = procs.available_cores() if cores is None else cores
    if mp.current_process().daemon:  # a pool's worker (`podcheck test`): no children
        count = 1
    if workers != AUTO or cluster or count <= 1 or options.keep_graph:
        return procs.explore(system, options, reporter, workers=max(1, workers),
                             fingerprint=fingerprint, canonicalise=canonicalise,
                             cluster=cluster)
    at = HANDOFF_STATES if handoff_states is None else handoff_states
    taker = _Handoff(options, count, at)
    return explore_vector(system, options, reporter, fingerprint=fingerprint,
                          canonicalise=canonicalise, handoff=(taker.wanted, taker.take))


@dataclass(frozen=True, slots=True)
class _Handoff:
    """Hand over to `count` forked workers once `threshold` states are checked (the
    two halves of a `vector.Handoff`); `traffic` gets the workers' message volumes."""

    options: BfsOptions
    count: int
    threshold: int
    traffic: list[Traffic] = field(default_factory=list)

    def wanted(self, run: _Run) -> bool:
        """Whether to hand the run over now (a whole level done, a next one to expand)."""
        return run.checked >= self.threshold

    def take(self, explorer: _Explorer, level: Keys) -> CheckResult:
        """Finish the run from `explorer` and the next `level` on the workers, which
        adopt the store and the level (NOTE(auto-workers)); the whole run's result."""
        run, store = explorer.run, explorer.store
        fingerprinted = isinstance(store, FingerprintStore)
        count, base = self.count, store.size

        owner = _owner(explorer, count)

        def adopt(part: Partition) -> None:  # runs in the forked worker
            known = _known(store)
            where = _owners(known, count) if fingerprinted else owner.of(known)
            mine = np.flatnonzero(where == part.me)
            ids = np.arange(run.checked, base, dtype=np.int64)
            ahead = np.flatnonzero(owner.of(level) == part.me)
            part.adopt([k[mine] for k in known], [k[ahead] for k in level], ids[ahead], base)

        def start() -> _Resumed:
            inner = procs._Processes(explorer.system, explorer.c, count, self.options,
                                     fingerprinted, explorer.canonicalise, explorer.twins,
                                     adopt, owner)  # fmt: skip
            return _Resumed(inner, store, base)

        result, traffic = explore_partitioned(
            explorer.system, explorer.c, self.options, start, run.reporter,
            fingerprint=fingerprinted, canonicalise=explorer.canonicalise,
            resume=(run, len(level[0])))  # fmt: skip
        self.traffic.append(traffic)
        return result


def _known(store: ExactStore | FingerprintStore) -> Keys:
    """What identifies the stored states: their keys, or their fingerprints."""
    if isinstance(store, FingerprintStore):
        return [store.table[store.table != 0]]
    return store.slice(0, store.size)


def _owner(explorer: _Explorer, count: int) -> Owner:
    """The owner function of the handed-over run: chosen from the one-process store
    (NOTE(local-owner)), or the whole key when it holds fingerprints only (the owners of
    the known states must be computed from them)."""
    return choose(explorer, count)


def _owners(known: Keys, count: int) -> np.ndarray:
    """The partition owning each state known by its fingerprint only (`ownership.whole`,
    from the fingerprint)."""
    return ((known[0] >> np.uint64(32)) % np.uint64(count)).astype(np.int64)


class _Resumed:
    """The workers' transport, answering the links of states numbered before the
    handoff from this process's store (`partitioned.Transport`)."""

    def __init__(self, inner: procs._Processes, store: ExactStore | FingerprintStore,
                 base: int) -> None:  # fmt: skip
        self.inner, self.store, self.base = inner, store, base

    def seed(self) -> list[LevelReport]:
        """See `partitioned.Transport` (never called: the workers adopt instead)."""
        return self.inner.seed()

    def expand(self, limit: int, open_: dict[int, int]) -> list[LevelReport]:
        """See `partitioned.Transport`."""
        return self.inner.expand(limit, open_)

    def link_of(self, gid: int) -> int:
        """See `partitioned.Transport`."""
        return int(self.store.links[gid]) if gid < self.base else self.inner.link_of(gid)

    def close(self) -> tuple[int, int]:
        """See `partitioned.Transport`; the bytes held include this process's store."""
        held, peak = self.inner.close()
        return held + self.store.nbytes(), peak

    def kill(self) -> None:
        """See `partitioned.Transport`."""
        self.inner.kill()

    def traffic(self) -> Traffic:
        """See `partitioned.Transport`."""
        return self.inner.traffic()
