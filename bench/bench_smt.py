"""Benchmark the symbolic engines (BMC, k-induction, PDR) next to BFS on scenario B1.

Run from the repository root: `python bench/bench_smt.py [--timeout S] [N ...]`.
B1 with N pods on 2 nodes, minAvailable N-1, one node failure, no liveness
properties.  Prints one JSON line per (N, engine): seconds, and the verdict of
SafeEvictions (holds) and AlwaysAvailable (violated, with the counterexample
length).  BMC runs to depth 6; k-induction up to k = 6.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from podcheck.engine import bfs  # noqa: E402
from podcheck.engine.result import CheckResult  # noqa: E402
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic  # noqa: E402
from tests.engine.b1_ir import b1_system  # noqa: E402

DEPTH = 6


def _row(n: int, engine: str, result: CheckResult, seconds: float) -> dict[str, object]:
    cells: dict[str, object] = {"n": n, "engine": engine, "seconds": round(seconds, 2)}
    for r in result.results:
        cells[r.name] = r.verdict.value + (f" ({r.trace.length})" if r.trace else "")
    return cells


def run(n: int, timeout: float) -> list[dict[str, object]]:
    """One row per engine for B1 with `n` pods."""
    system = b1_system(n, 2, n - 1, liveness=False)
    rows = []
    start = time.perf_counter()
    explicit = bfs.check(system, bfs.BfsOptions(timeout_seconds=timeout))
    rows.append(_row(n, "bfs", explicit, time.perf_counter() - start))
    for engine in SymbolicEngine:
        options = SymbolicOptions(engine, DEPTH, timeout, check_deadlock=False)
        start = time.perf_counter()
        result = run_symbolic(system, options)
        rows.append(_row(n, engine.value, result, time.perf_counter() - start))
    return rows


def main(argv: list[str]) -> None:
    """Print the rows for the sizes in `argv` (default 2 3 4 6 8 10)."""
    timeout = 120.0
    if argv[:1] == ["--timeout"]:
        timeout, argv = float(argv[1]), argv[2:]
    for n in [int(a) for a in argv] or [2, 3, 4, 6, 8, 10]:
        for row in run(n, timeout):
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
