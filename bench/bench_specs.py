"""Benchmark the whole pipeline on the seed specs and on bench/specs/large.pod.

Run from the repository root: `python bench/bench_specs.py [--quick] [SPEC.pod ...]`
(`--quick` skips the large spec).  Each spec runs in a fresh subprocess so that its
peak RSS growth (measured against the interpreter's baseline, taken in the same
process after the imports and before loading the spec) gives bytes per state.  The
time is split as `podcheck.check.check_file` runs it: load + compile, BFS (keeping
the graph only when a liveness property needs it), liveness; states/s is per BFS second.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "specs" / "seed").glob("*.pod"))
LARGE = ROOT / "bench" / "specs" / "large.pod"


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(path: str) -> dict[str, object]:
    """Check the spec at `path` once in this process; return the figures."""
    sys.path.insert(0, str(ROOT))
    from podcheck import check  # noqa: PLC0415
    from podcheck.engine.bfs import BfsOptions, explore  # noqa: PLC0415
    from podcheck.engine.liveness import LIVENESS  # noqa: PLC0415

    baseline = _rss()
    start = time.perf_counter()
    compiled, _, spec = check.load_and_compile(path, check.CheckOptions())
    system = compiled.value
    if system is None or spec is None:
        return {"error": " ".join(d.code for d in compiled.diagnostics)}
    loaded = time.perf_counter()
    keep = any(p.expectation in LIVENESS for p in system.properties)
    result, graph = explore(system, BfsOptions(keep_graph=keep))
    searched = time.perf_counter()
    if graph is not None:
        result = check._decide_liveness(result, graph, check._overrides(spec))
    done = time.perf_counter()
    extra = max(0, _rss() - baseline)
    stats = result.stats
    return {
        "states": stats.states,
        "transitions": stats.transitions,
        "graph": keep,
        "compile": loaded - start,
        "bfs": searched - loaded,
        "liveness": done - searched,
        "bytes_per_state": extra / max(1, stats.states),
        "verdicts": [r.verdict.value for r in result.results],
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1])))
        return
    quick = argv[:1] == ["--quick"]
    paths = [Path(a) for a in argv if a != "--quick"] or [*SEEDS, *([] if quick else [LARGE])]
    print(f"{'spec':<24} {'states':>10} {'transitions':>12} {'seconds':>8} {'states/s':>9} "
          f"{'B/state':>8} | {'compile':>7} {'bfs':>7} {'liveness':>8}  graph")
    for path in paths:
        out = subprocess.run([sys.executable, __file__, "--one", str(path)], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout
        r = json.loads(out)
        if "error" in r:
            print(f"{path.stem:<24} rejected: {r['error']}")
            continue
        total = r["compile"] + r["bfs"] + r["liveness"]
        print(f"{path.stem:<24} {r['states']:>10,} {r['transitions']:>12,} {total:>8.2f} "
              f"{r['states'] / max(r['bfs'], 1e-9):>9,.0f} {r['bytes_per_state']:>8.0f} | "
              f"{r['compile']:>7.2f} {r['bfs']:>7.2f} {r['liveness']:>8.2f}  "
              f"{'yes' if r['graph'] else 'no'}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
