"""Scenario B1 (drain vs PDB, tests/engine/b1_ir.py) on one engine: one JSON object.

Run from the repository root:
    python bench/b1.py --n N --m M [--k K] [--f F] [--engine vector|bfs] [--fingerprint]
                       [--workers W] [--no-symmetry]
The IR has exactly the variables of /work/shared/bench/spin/b1.pml, so the state counts
equal SPIN's.  Only SafeEvictions (an invariant that holds, so the whole space is
explored) and AlwaysAvailable are checked; liveness is left out (`liveness=False`).
`seconds` is the exploration's wall-clock time, `peak_mib` the process's peak RSS.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]

from b1_ir import b1_system  # noqa: E402

from podcheck.engine import bfs, vector, workers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="pods")
    parser.add_argument("--m", type=int, default=2, help="nodes")
    parser.add_argument("--k", type=int, default=None, help="minAvailable (default N-1)")
    parser.add_argument("--f", type=int, default=1, help="node failures")
    parser.add_argument("--engine", choices=("vector", "bfs"), default="vector")
    parser.add_argument("--fingerprint", action="store_true", help="64-bit hashes only")
    parser.add_argument("--no-symmetry", action="store_true",
                        help="do not declare the pod and node symmetry groups")
    parser.add_argument("--workers", type=int, default=1,
                        help="vector engine processes (frontier partitioned by hash)")
    args = parser.parse_args()
    if args.workers > 1 and args.engine != "vector":
        parser.error("--workers: only the vector engine runs on several processes")
    k = args.n - 1 if args.k is None else args.k
    system = b1_system(args.n, args.m, k, args.f, liveness=False,
                       symmetric=not args.no_symmetry)
    start = time.perf_counter()
    traffic = None
    if args.engine == "bfs":
        result = bfs.check(system)
    elif args.workers > 1:
        result, traffic = workers.explore_workers(
            system, vector.compile_vector(system), bfs.BfsOptions(), args.workers,
            fingerprint=args.fingerprint)
    else:
        result, _ = vector.explore_vector(system, fingerprint=args.fingerprint)
    seconds = time.perf_counter() - start
    verdicts = {r.name: r.verdict.value for r in result.results}
    lengths = {r.name: r.trace.length for r in result.results if r.trace is not None}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if traffic is not None:  # the coordinator's peak plus every worker's
        peak = result.stats.peak_bytes / 2**20
    print(json.dumps({
        "scenario": "b1", "n": args.n, "m": args.m, "k": k, "f": args.f,
        "engine": result.engine, "verdict": verdicts["SafeEvictions"], "verdicts": verdicts,
        "counterexample_lengths": lengths, "states": result.stats.states,
        "transitions": result.stats.transitions, "depth": result.stats.depth,
        "seconds": round(seconds, 3), "peak_mib": round(peak, 1),
        "bytes_per_state": result.stats.bytes_per_state,
        "collision_probability": result.stats.collision_probability,
        "fallback": None if result.fallback is None else result.fallback.kind.value,
        "cpus": os.cpu_count(), "workers": args.workers,
        "traffic": None if traffic is None else dataclasses.asdict(traffic),
        "load": os.getloadavg()[0], "symmetry": not args.no_symmetry,
    }))


if __name__ == "__main__":
    main()
