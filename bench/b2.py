"""Scenario B2 (init ordering) on one engine: one JSON object.

Run from the repository root:
    python bench/b2.py [--i I] [--a A] [--r Always|OnFailure|Never] [--x X]
                       [--engine vector|bfs] [--no-symmetry] [--workers W]
Runs `podcheck check` on bench/specs/b2.pod with I init containers, A app containers,
restartPolicy R and at most X crashes per container written into it, and prints the
verdict of `init-order` (InitOrder, expected to hold), the state count, `seconds` (the
whole check: load, compile, explore) and `peak_mib` (the process's peak RSS).  One pod
has no interchangeable pods or nodes, so symmetry changes nothing here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from podcheck.check import CheckOptions, check_file  # noqa: E402

SPEC = ROOT / "bench" / "specs" / "b2.pod"


def spec_text(inits: int, apps: int, policy: str, crashes: int) -> str:
    """bench/specs/b2.pod with the parameters written in."""
    text = SPEC.read_text().replace("crashes: 1", f"crashes: {crashes}")
    text = text.replace("restartPolicy: Always", f"restartPolicy: {policy}", 1)
    body = "".join(f"  initContainer init-{i} {{ behavior: b2-init }}\n"
                   for i in range(1, inits + 1))
    body += "".join(f"  container app-{a} {{ behavior: b2-app }}\n" for a in range(1, apps + 1))
    return re.sub(r"(?:  (?:initContainer|container) [^\n]*\n)+", body, text, count=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--i", type=int, default=3, help="init containers")
    parser.add_argument("--a", type=int, default=2, help="app containers")
    parser.add_argument("--r", choices=("Always", "OnFailure", "Never"), default="Always")
    parser.add_argument("--x", type=int, default=1, help="crashes per container at most")
    parser.add_argument("--engine", choices=("vector", "bfs"), default="vector")
    parser.add_argument("--no-symmetry", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b2.pod"
        path.write_text(spec_text(args.i, args.a, args.r, args.x))
        start = time.perf_counter()
        run = check_file(str(path), CheckOptions(engine=args.engine, workers=args.workers,
                                                 symmetry=not args.no_symmetry))
        seconds = time.perf_counter() - start
    result = run.result
    assert result is not None, [d.message for d in run.diagnostics]
    verdicts = {r.name: r.verdict.value for r in result.results}
    print(json.dumps({
        "scenario": "b2", "i": args.i, "a": args.a, "r": args.r, "x": args.x,
        "engine": result.engine, "verdict": verdicts["init-order"], "verdicts": verdicts,
        "states": result.stats.states, "transitions": result.stats.transitions,
        "depth": result.stats.depth, "seconds": round(seconds, 3),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(), "workers": args.workers, "load": os.getloadavg()[0],
        "symmetry": not args.no_symmetry,
    }))


if __name__ == "__main__":
    main()
