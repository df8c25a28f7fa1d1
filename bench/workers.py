"""The speed-up of `--workers` and of a local Dask cluster on B1: one JSON object.

Run from the repository root:
    python bench/workers.py [--n 16] [--m 2] [--repeats 3] [--workers 2] [--cluster] [--auto]
                            [--weights 0,1] [--growth late,early,mid-level] [--arrays old,new]
Each repeat runs B1 (the IR of tests/engine/b1_ir.py, unreduced, SafeEvictions holds so
the whole space is explored) on one process, then on W worker processes (then, with
`--cluster`, on a local Dask cluster of W workers started once, outside the timing),
alternately, so that the load of a shared machine falls on all alike.  Per run: wall
seconds, CPU seconds (one process: its own; partitioned: every worker's, and the
coordinator's), the load average.  `speedup` is the median one-process wall time over
the median partitioned one; `cpu_bound_speedup` is one process's CPU time over the
busiest worker's, the speed-up to expect on idle cores when waiting costs nothing
(with the partitions' CPU time inflated by any sharing, a lower bound), and
`busiest_over_one` its inverse.  `--auto` adds a `--workers auto` run to each repeat
(one process, then W workers: engine/auto.py).  `--weights` runs the workers once per
`balance.INSERT_WEIGHT` given (NOTE(insert-weight); 0: lending by state count alone),
alternated within each repeat, one summary per weight.  `--growth` likewise runs them
once per rule of the tables' rebuilds (NOTE(level-growth): `late` or `early`, at a
level's start together, or `mid-level`, each table at half full as one process's).
`--arrays` likewise runs one process and the workers once per growth of the stores' key
and link arrays (NOTE(array-growth): `new`, in place by 1/8, or `old`, the copy by 1.5x
before it, put back here for the comparison).  Each
partitioned run also prints its levels' counters per worker (`levels`: states expanded,
keys inserted, CPU seconds busy, inserting, rebuilding the table and growing the arrays,
seconds waiting), `rebuilds` (per level in which a table was rebuilt: the level, each
worker's seconds rebuilding and waiting), `resizes` (the same for the arrays' growth and
`resizing`, each worker's seconds in all), `peak_mib` (the workers' peak RSS, summed;
the coordinator's is that of every run before), `bytes_per_state` (held by the stores and links) and
`rendezvous_gap`, the sum over levels of the busiest worker's busy seconds minus the
idlest's (what the rendezvous waits for).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]

from b1_ir import b1_system  # noqa: E402

from podcheck.engine import auto, balance, growth, vector, workers  # noqa: E402
from podcheck.engine import schedstat as clock  # noqa: E402
from podcheck.engine.bfs import BfsOptions  # noqa: E402
from podcheck.engine.packing import ExactStore  # noqa: E402
from podcheck.engine.partitioned import Traffic  # noqa: E402


def one(system: Any) -> dict[str, Any]:
    """One process: wall and CPU seconds, run queue seconds, states."""
    cpu, began = time.process_time(), clock.sample()
    result, _ = vector.explore_vector(system, BfsOptions(symmetry=False))
    span = clock.since(began)
    return {"states": result.stats.states, "seconds": span.wall,
            "cpu": time.process_time() - cpu, "runq": round(span.runq, 3),
            "load": os.getloadavg()[0]}


def accounting(traffic: Traffic, start: float, end: float, own: float) -> dict[str, Any]:
    """Where a partitioned run's wall seconds went (NOTE(runqueue-accounting)): the
    coordinator's phases (from its stamps), and per worker the levels' CPU, run queue
    and sleep seconds; `critical_cpu` is the coordinator's CPU plus, per level, the
    busiest worker's CPU: the wall time on idle cores if messages cost nothing."""
    at = dict(traffic.stamps)
    levels = traffic.per_level
    count = traffic.workers
    out: dict[str, Any] = {
        "before_fork": at["fork"] - start, "fork": at["forked"] - at["fork"],
        "adopt": at.get("ready", at["forked"]) - at["forked"],
        "levels": at["last level"] - at["first level"],
        "close": at["closed"] - at["closing"], "after_close": end - at["closed"]}
    per = {name: [sum(getattr(f, name)[w] for f in levels) for w in range(count)]
           for name in ("wall", "cpu", "runq", "waiting")}
    per["sleep"] = [max(0.0, per["wall"][w] - per["cpu"][w] - per["runq"][w])
                    for w in range(count)]  # fmt: skip
    out["worker_levels"] = {k: [round(x, 3) for x in v] for k, v in per.items()}
    out["between_levels"] = sum(f.round_trip - max(f.wall) for f in levels)
    out["critical_cpu"] = own + sum(max(f.cpu) for f in levels)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def handed(system: Any, count: int) -> dict[str, Any]:
    """`--workers auto` (engine/auto.py): one process, then `count` workers."""
    cpu, wall = time.process_time(), time.perf_counter()
    result, _ = auto.explore(system, BfsOptions(symmetry=False), cores=count)
    return {"states": result.stats.states, "seconds": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu, "workers": result.stats.workers,
            "load": os.getloadavg()[0]}


def partitioned(system: Any, run: Any) -> dict[str, Any]:
    """A partitioned run (`run(system, compiled, options)`): wall and CPU seconds."""
    compiled = vector.compile_vector(system)
    cpu, wall = time.process_time(), time.perf_counter()
    result, traffic = run(system, compiled, BfsOptions(symmetry=False))
    end = time.perf_counter()
    seconds, own = end - wall, time.process_time() - cpu
    mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # as `peak_bytes` adds
    assert isinstance(traffic, Traffic)
    phases = accounting(traffic, wall, end, own) if traffic.stamps else None
    return {"states": result.stats.states, "seconds": seconds, "coordinator_cpu": own,
            "worker_cpu": list(traffic.cpu_seconds), "busy": list(traffic.busy_seconds),
            "worker_runq": list(traffic.runq_seconds), "accounting": phases,
            "waiting": list(traffic.waiting_seconds), "load": os.getloadavg()[0],
            "traffic": {"peer_bytes": traffic.peer_bytes,
                        "peer_messages": traffic.peer_messages,
                        "coordinator_bytes": traffic.coordinator_bytes,
                        "coordinator_messages": traffic.coordinator_messages,
                        "levels": traffic.levels,
                        "largest_level_peer_bytes": max(traffic.peer_bytes_per_level)},
            "rendezvous_gap": round(sum(max(f.busy) - min(f.busy)
                                        for f in traffic.per_level), 3),
            "peak_mib": round((result.stats.peak_bytes - mine) / 2**20, 1),
            "bytes_per_state": round(result.stats.bytes_per_state, 1),
            "rebuilds": [[i, list(f.growing), list(f.waiting)]
                         for i, f in enumerate(traffic.per_level) if max(f.growing) > 0.01],
            "resizes": [[i, list(f.resizing), list(f.waiting)]
                        for i, f in enumerate(traffic.per_level) if max(f.resizing) > 0.01],
            "resizing": [round(sum(f.resizing[w] for f in traffic.per_level), 3)
                         for w in range(traffic.workers)],
            "levels": {name: [list(getattr(f, name)) for f in traffic.per_level]
                       for name in ("expanded", "inserted", "busy", "inserting", "growing",
                                    "resizing", "waiting")}}


def summary(ones: list[dict[str, Any]], many: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians and ratios of alternated runs."""
    wall1 = statistics.median(r["seconds"] for r in ones)
    wall = statistics.median(r["seconds"] for r in many)
    cpu1 = statistics.median(r["cpu"] for r in ones)
    busiest = statistics.median(max(r["worker_cpu"]) for r in many)
    return {"seconds_one": round(wall1, 3), "seconds": round(wall, 3),
            "speedup": round(wall1 / wall, 3), "cpu_one": round(cpu1, 3),
            "busiest_worker_cpu": round(busiest, 3),
            "cpu_bound_speedup": round(cpu1 / busiest, 3),
            "busiest_over_one": round(busiest / cpu1, 3),
            "waiting": [round(statistics.median(r["waiting"][w] for r in many), 3)
                        for w in range(len(many[0]["waiting"]))],
            "rendezvous_gap": round(statistics.median(r["rendezvous_gap"] for r in many), 3),
            "peak_mib": statistics.median(r["peak_mib"] for r in many),
            "bytes_per_state": statistics.median(r["bytes_per_state"] for r in many),
            "total_cpu_ratio": round(statistics.median(
                sum(r["worker_cpu"]) for r in many) / cpu1, 3),
            "pairs": [[round(a["seconds"], 3), round(b["seconds"], 3),
                       round(a["seconds"] / b["seconds"], 3)]
                      for a, b in zip(ones, many, strict=True)],
            "runq_one": round(statistics.median(r.get("runq", 0.0) for r in ones), 3),
            "runq_workers": [round(statistics.median(r["worker_runq"][w] for r in many), 3)
                             for w in range(len(many[0]["worker_runq"]))]
            if all(r["worker_runq"] for r in many) else None,
            **_critical(cpu1, many), "runs": many}


def _critical(cpu1: float, many: list[dict[str, Any]]) -> dict[str, Any]:
    """The median critical CPU path (`accounting`) and one process's CPU over it."""
    if not all(r["accounting"] for r in many):
        return {}
    critical = statistics.median(r["accounting"]["critical_cpu"] for r in many)
    return {"critical_cpu": round(critical, 3), "critical_speedup": round(cpu1 / critical, 3)}


_NEW_RESERVE = ExactStore._reserve


def _old_reserve(self: ExactStore, states: int) -> None:
    """`ExactStore._reserve` before NOTE(array-growth), for `--arrays old`: the keys and
    links copied by `np.resize` to 1.5x their length."""
    if states > self.capacity:
        started = time.thread_time()
        grown = max(states, self.capacity * 3 // 2)
        self.keys = [np.resize(k, grown) for k in self.keys]
        self.links = np.resize(self.links, grown)
        self.capacity = grown
        self.resizing += time.thread_time() - started
    if states > self.most_load * len(self.table):
        self.grow(states)


def _arrays(kind: str) -> None:
    """Grow the stores' arrays the `new` or the `old` way (inherited by forked workers)."""
    ExactStore._reserve = _NEW_RESERVE if kind == "new" else _old_reserve  # type: ignore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=16, help="pods")
    parser.add_argument("--m", type=int, default=2, help="nodes")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cluster", action="store_true", help="also a local Dask cluster")
    parser.add_argument("--auto", action="store_true", help="also --workers auto")
    parser.add_argument("--weights", default=str(balance.INSERT_WEIGHT),
                        help="balance.INSERT_WEIGHT values to run the workers with, by commas")
    parser.add_argument("--growth", default=growth.RULE,
                        help="the tables' rebuilds to run the workers with, by commas: "
                             "late, early, mid-level (NOTE(level-growth))")
    parser.add_argument("--arrays", default="new",
                        help="the stores' array growth to run with, by commas: new, old "
                             "(NOTE(array-growth))")
    args = parser.parse_args()
    system = b1_system(args.n, args.m, args.n - 1, liveness=False, symmetric=False)
    count = args.workers

    def procs(s: Any, c: Any, o: BfsOptions) -> Any:
        return workers.explore_workers(s, c, o, count)

    weights = [float(w) for w in args.weights.split(",")]
    rules = args.growth.split(",")
    assert set(rules) <= {"late", "early", "mid-level"}, rules
    arrays = args.arrays.split(",")
    assert set(arrays) <= {"old", "new"}, arrays
    kinds = [(w, g, a) for a in arrays for w in weights for g in rules]
    name = {k: f"weight {k[0]}" + (f", growth {k[1]}" if len(rules) > 1 else "")
            + (f", arrays {k[2]}" if len(arrays) > 1 else "") for k in kinds}
    ones = {a: "one" if len(arrays) == 1 else f"one, arrays {a}" for a in arrays}
    runs: dict[str, list[dict[str, Any]]] = {"cluster": [], "auto": []}
    runs.update({n: [] for n in [*ones.values(), *name.values()]})
    client = None
    if args.cluster:
        from podcheck.engine.distributed.cluster import connect, explore_client
        opened = connect(f"local:{count}")
        client = opened.__enter__()
    for repeat in range(args.repeats):
        for kind in arrays if repeat % 2 == 0 else arrays[::-1]:  # neither always first
            _arrays(kind)
            runs[ones[kind]].append(one(system) | {"arrays": kind})
            for weight, rule, _a in (k for k in kinds if k[2] == kind):
                balance.INSERT_WEIGHT = weight  # set before the fork: the workers inherit
                growth.RULE = rule
                runs[name[weight, rule, kind]].append(
                    partitioned(system, procs) | {"weight": weight, "growth": rule,
                                                  "arrays": kind})
        _arrays("new")
        if args.auto:
            runs["auto"].append(handed(system, count))
        if client is not None:
            runs["cluster"].append(partitioned(
                system, lambda s, c, o: explore_client(client, s, c, o)))
    if client is not None:
        opened.__exit__(None, None, None)
    states = {r["states"] for rs in runs.values() for r in rs}
    assert len(states) == 1, states
    out = {"scenario": "b1", "n": args.n, "m": args.m, "states": states.pop(),
           "workers": count, "cpus": os.cpu_count(), "repeats": args.repeats,
           "uptime": Path("/proc/loadavg").read_text().split()[:3]
           if Path("/proc/loadavg").exists() else None,
           "one": {a: runs[ones[a]] for a in arrays} if len(arrays) > 1 else runs["one"],
           "processes": {name[k]: summary(runs[ones[k[2]]], runs[name[k]]) for k in kinds}}
    if client is not None:
        out["dask"] = summary(runs[ones[arrays[-1]]], runs["cluster"])
    if args.auto:
        out["auto"] = {"seconds": round(statistics.median(r["seconds"] for r in runs["auto"]), 3),
                       "runs": runs["auto"]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
