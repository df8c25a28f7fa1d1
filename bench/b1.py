"""Scenario B1 (drain vs PDB) on one engine: one JSON object.

Run from the repository root:
    python bench/b1.py --n N --m M [--k K] [--f F] [--engine vector|bfs] [--fingerprint]
                       [--workers W] [--no-symmetry] [--dsl [--settled]] [--liveness]
                       [--por]  (partial-order reduction, with --engine bfs)
Without `--dsl` the system is the IR of tests/engine/b1_ir.py, with exactly the
variables of /work/shared/bench/spin/b1.pml, so unreduced state counts equal SPIN's;
SafeEvictions (holds: the whole space is explored) and AlwaysAvailable are checked.
`--liveness` checks DrainCompletes instead, as `podcheck check` does: the stuck-state
scan first (engine/stuck.py), else the quotient (engine/symliveness.py), else the
unreduced graph.  `--dsl` runs `podcheck check` on bench/specs/b1.pod with N, M, K, F
written into it (its `budget-respected` is SafeEvictions; `drain-completes` only with
`--liveness`); `--settled` adds `start: settled` to its environment: the run begins
with every pod Ready, as B1 does (NOTE(settled-start) in docs/semantics.md), and
`--no-probe` drops the container's readinessProbe (B1's untimed Ready step).  `seconds`
is the wall-clock time of the check (after compiling the
IR, including compiling the DSL spec with `--dsl`), `cpu_seconds` the process's CPU
time (start-up included: on a loaded machine the steadier figure), `peak_mib` the
process's peak RSS.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]

from b1_ir import b1_system  # noqa: E402

from podcheck.check import CheckOptions, check_file  # noqa: E402
from podcheck.engine import bfs, vector, workers  # noqa: E402
from podcheck.engine.liveness import check_liveness  # noqa: E402
from podcheck.engine.result import LIVENESS  # noqa: E402
from podcheck.engine.stuck import scan_liveness  # noqa: E402
from podcheck.engine.symliveness import Quotient, check_reduced  # noqa: E402
from podcheck.engine.symmetry import prepare  # noqa: E402
from podcheck.engine.vsymmetry import for_system  # noqa: E402
from podcheck.ir import TransitionSystem  # noqa: E402
from podcheck.reduced_run import SCAN_STATES  # noqa: E402

SPEC = ROOT / "bench" / "specs" / "b1.pod"


def dsl_text(n: int, m: int, k: int, f: int, liveness: bool, settled: bool = False,
             probe: bool = True) -> str:
    """bench/specs/b1.pod with the parameters written in (`drain-completes` kept only
    for liveness; `settled`: `start: settled` added to the environment; not `probe`:
    the container's readinessProbe left out)."""
    text = SPEC.read_text()
    for pattern, value in (("nodes: 2", f"nodes: {m}"), ("replicas: 4", f"replicas: {n}"),
                           ("minAvailable: 3", f"minAvailable: {k}"),
                           ("nodeFailures: 1", f"nodeFailures: {f}")):
        text = text.replace(pattern, value, 1)
    if not probe:
        text = text.replace("container app { readinessProbe { periodSeconds: 5 } }",
                            "container app {}", 1)
    if settled:
        text = text.replace(f"nodeFailures: {f} }}", f"nodeFailures: {f}  start: settled }}", 1)
    if not liveness:
        text = re.sub(r"^check drain-completes\n", "", text, flags=re.M)
    return text


def run_dsl(args: argparse.Namespace, k: int) -> dict[str, Any]:
    """`podcheck check` on the DSL spec: verdicts and statistics."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b1.pod"
        path.write_text(dsl_text(args.n, args.m, k, args.f, args.liveness,
                                  args.settled, not args.no_probe))
        start = time.perf_counter()
        run = check_file(str(path), CheckOptions(engine=args.engine, workers=args.workers,
                                                 symmetry=not args.no_symmetry,
                                                 fingerprint=args.fingerprint, por=args.por))
        seconds = time.perf_counter() - start
    result = run.result
    assert result is not None, [d.message for d in run.diagnostics]
    verdicts = {r.name: r.verdict.value for r in result.results}
    main = "drain-completes" if args.liveness else "budget-respected"
    return {"verdict": verdicts[main], "verdicts": verdicts, "states": result.stats.states,
            "transitions": result.stats.transitions, "depth": result.stats.depth,
            "seconds": seconds, "engine": result.engine, "method": "check",
            "symmetry_used": None if result.symmetry is None else result.symmetry.used}


def run_liveness(system: TransitionSystem, symmetric: bool) -> dict[str, Any]:
    """DrainCompletes as `podcheck check` decides it (module doc)."""
    live = [p for p in system.properties if p.expectation in LIVENESS]
    start = time.perf_counter()
    scan = scan_liveness(system, bfs.BfsOptions(max_states=SCAN_STATES))
    index = {p.name: i for i, p in enumerate(system.properties)}
    if all(index[p.name] in scan.results for p in live):
        res = [scan.results[index[p.name]] for p in live]
        method, states = "scan", scan.checked
    else:
        canon = prepare(system, liveness=True)[0] if symmetric else None
        if canon is not None:
            quotient = Quotient(system, canon)
            quotient.explore(None, lambda: False)
            got = [check_reduced(quotient, p) for p in live]
            assert all(r is not None for r in got), "preimage too large"
            res = [r for r in got if r is not None]
            method, states = "quotient", len(quotient.graph.states)
        else:
            graph = bfs.explore(system, bfs.BfsOptions(keep_graph=True, symmetry=False))[1]
            assert graph is not None
            res = [check_liveness(graph, p) for p in live]
            method, states = "graph", len(graph.states)
    seconds = time.perf_counter() - start
    return {"verdict": res[0].verdict.value, "verdicts": {r.name: r.verdict.value for r in res},
            "states": states, "seconds": seconds, "engine": "vector+bfs", "method": method,
            "counterexample_lengths": {r.name: r.trace.length for r in res
                                       if r.trace is not None}}


def run_ir(args: argparse.Namespace, k: int) -> dict[str, Any]:
    """The IR system on one engine: verdicts and statistics."""
    system = b1_system(args.n, args.m, k, args.f, liveness=args.liveness,
                       symmetric=not args.no_symmetry)
    if args.liveness:
        return run_liveness(system, not args.no_symmetry)
    start = time.perf_counter()
    traffic = None
    if args.engine == "bfs":
        result = bfs.check(system, bfs.BfsOptions(por=args.por))
    elif args.workers > 1:  # reduced as one process is (the partitions canonicalise)
        compiled = vector.compile_vector(system)
        canon, _ = for_system(system, compiled.layout, bfs.BfsOptions(), None)
        result, traffic = workers.explore_workers(
            system, compiled, bfs.BfsOptions(), args.workers, fingerprint=args.fingerprint,
            canonicalise=canon)
    else:
        result, _ = vector.explore_vector(system, fingerprint=args.fingerprint)
    seconds = time.perf_counter() - start
    verdicts = {r.name: r.verdict.value for r in result.results}
    out = {"verdict": verdicts["SafeEvictions"], "verdicts": verdicts,
           "counterexample_lengths": {r.name: r.trace.length for r in result.results
                                      if r.trace is not None},
           "states": result.stats.states, "transitions": result.stats.transitions,
           "depth": result.stats.depth, "seconds": seconds, "engine": result.engine,
           "bytes_per_state": result.stats.bytes_per_state,
           "collision_probability": result.stats.collision_probability,
           "fallback": None if result.fallback is None else result.fallback.kind.value,
           "traffic": None if traffic is None else dataclasses.asdict(traffic),
           "symmetry_used": None if result.symmetry is None else result.symmetry.used}
    if traffic is not None:  # the coordinator's peak plus every worker's
        out["peak_mib"] = result.stats.peak_bytes / 2**20
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="pods")
    parser.add_argument("--m", type=int, default=2, help="nodes")
    parser.add_argument("--k", type=int, default=None, help="minAvailable (default N-1)")
    parser.add_argument("--f", type=int, default=1, help="node failures")
    parser.add_argument("--engine", choices=("vector", "bfs"), default="vector")
    parser.add_argument("--fingerprint", action="store_true", help="64-bit hashes only")
    parser.add_argument("--no-symmetry", action="store_true",
                        help="explore unreduced (the IR then declares no group)")
    parser.add_argument("--workers", type=int, default=1,
                        help="vector engine processes (frontier partitioned by hash)")
    parser.add_argument("--dsl", action="store_true", help="bench/specs/b1.pod via check")
    parser.add_argument("--settled", action="store_true",
                        help="--dsl: start settled (every pod Ready, as B1 does)")
    parser.add_argument("--no-probe", action="store_true",
                        help="--dsl: no readinessProbe (Ready when its container starts)")
    parser.add_argument("--liveness", action="store_true", help="DrainCompletes only")
    parser.add_argument("--por", action="store_true",
                        help="partial-order reduction (engine/por.py; --engine bfs only)")
    args = parser.parse_args()
    if args.por and args.engine != "bfs":
        parser.error("--por: only the bfs engine reduces (pass --engine bfs)")
    if args.workers > 1 and args.engine != "vector":
        parser.error("--workers: only the vector engine runs on several processes")
    k = args.n - 1 if args.k is None else args.k
    out = run_dsl(args, k) if args.dsl else run_ir(args, k)
    peak = out.pop("peak_mib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps({
        "scenario": "b1", "n": args.n, "m": args.m, "k": k, "f": args.f, "dsl": args.dsl,
        "settled": args.settled,
        "probe": not args.no_probe, "liveness": args.liveness, **out,
        "seconds": round(out["seconds"], 3),
        "peak_mib": round(peak, 1), "cpu_seconds": round(time.process_time(), 3),
        "cpus": os.cpu_count(), "workers": args.workers,
        "load": os.getloadavg()[0], "symmetry": not args.no_symmetry, "por": args.por,
    }))


if __name__ == "__main__":
    main()
