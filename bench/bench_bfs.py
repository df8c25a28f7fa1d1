"""Benchmark the BFS engine on scenario B1 (drain vs PDB), next to SPIN's figures.

Run from the repository root: `python bench/bench_bfs.py [--quick] [M:N ...]`.
Each size runs in a fresh subprocess so that its peak RSS (minus the interpreter's
baseline, measured in the same process before the search) gives bytes per state.
SPIN's figures are from /work/shared/bench/RESULTS.md (K = N-1, F = 1, unbounded
capacity, SafeEvictions, exhaustive DFS).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPIN = {  # (M, N): (distinct states, SPIN seconds, SPIN peak MiB)
    (2, 2): (52, 0.0, 7.3),
    (2, 5): (600, 0.0, 7.4),
    (2, 8): (5_312, 0.01, 7.8),
    (2, 10): (25_512, 0.05, 9.4),
    (2, 12): (129_600, 0.31, 18.8),
    (2, 13): (314_696, 0.72, 34.1),
    (2, 14): (692_248, 1.66, 65.1),
    (2, 15): (1_699_552, 4.95, 142.6),
    (2, 16): (3_844_096, 12.46, 398.8),
    (3, 3): (596, 0.0, 7.5),
    (3, 6): (13_538, 0.03, 8.2),
    (3, 8): (118_558, 0.25, 15.2),
    (3, 10): (828_786, 1.72, 67.3),
    (3, 11): (2_289_244, 5.16, 210.6),
}
DEFAULT = ["2:2", "2:5", "2:8", "2:10", "2:12", "2:13", "2:14", "2:15", "3:3", "3:6", "3:8", "3:10"]
QUICK = ["2:5", "2:10", "3:6"]


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(m: int, n: int) -> dict[str, float]:
    """Run B1(M=m, N=n, K=n-1) once in this process; return the figures."""
    sys.path.insert(0, str(ROOT / "tests" / "engine"))
    from b1_ir import b1_system  # noqa: PLC0415

    from podcheck.engine import bfs  # noqa: PLC0415

    system = b1_system(n, m, n - 1, liveness=False)
    baseline = _rss()
    start = time.perf_counter()
    result = bfs.check(system)
    seconds = time.perf_counter() - start
    extra = max(0, _rss() - baseline)
    stats = result.stats
    return {
        "states": stats.states,
        "transitions": stats.transitions,
        "depth": stats.depth,
        "seconds": seconds,
        "bytes_per_state": extra / stats.states,
        "verdicts": [r.verdict.value for r in result.results],
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        m, n = (int(x) for x in argv[1].split(":"))
        print(json.dumps(measure(m, n)))
        return
    sizes = QUICK if argv[:1] == ["--quick"] else (argv or DEFAULT)
    head = (
        f"{'M':>2} {'N':>3} {'states':>10} {'transitions':>12} {'depth':>5} "
        f"{'seconds':>8} {'states/s':>9} {'B/state':>8} | "
        f"{'SPIN states':>11} {'SPIN s':>7} {'SPIN MiB':>8}"
    )
    print(head)
    for size in sizes:
        m, n = (int(x) for x in size.split(":"))
        out = subprocess.run(
            [sys.executable, __file__, "--one", size],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        r = json.loads(out)
        spin = SPIN.get((m, n))
        ref = f"{spin[0]:>11,} {spin[1]:>7.2f} {spin[2]:>8.1f}" if spin else ""
        mark = "" if spin is None or spin[0] == r["states"] else "  COUNT DIFFERS"
        print(
            f"{m:>2} {n:>3} {r['states']:>10,} {r['transitions']:>12,} "
            f"{r['depth']:>5} {r['seconds']:>8.2f} "
            f"{r['states'] / max(r['seconds'], 1e-9):>9,.0f} "
            f"{r['bytes_per_state']:>8.0f} | {ref}{mark}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
