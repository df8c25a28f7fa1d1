"""Wall time of a run against its `--timeout`: every Z3-backed command on slow specs.

Run from the repository root: `python bench/timeouts.py [--timeout T ...] [--engine E ...]
[--code DIR ...] [SPEC ...]` (SPEC: `drain/two-at-a-time` or a path; default `SPECS`;
DIR: a folder with a `podcheck` package, e.g. `git archive` of an older commit, run
alternately with the others, A, B, ... in the order given).  Each run is
`podcheck check SPEC --engine E --timeout T` in a fresh process (`python -m podcheck`,
so the load and the compile are inside the budget as they are for a user), killed at
T + `MARGIN`.  Per run: the wall seconds, the child's CPU seconds (user + system, from
`wait4`), the exit code, the overrun (wall - T) and whether it is within the slack of
docs/smt.md (`max(1 s, 10 % of T)`), and the load average when it started.  `counts`
(its `--timeout` bounds the whole run too) runs on `COUNTS` specs with `--engine counts`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = ["drain/two-at-a-time", "examples/deployment-drain", "examples/rollout-progress",
         "examples/settled-drain", "jobs/on-failure-two-pods", "liveness/stuck-drain"]
COUNTS = ["symbolic/counts-drain", "symbolic/counts-three-nodes"]
ENGINES = ["bmc", "kind", "pdr"]
MARGIN = 60.0  # seconds past the budget before the child is killed


def slack(timeout: float) -> float:
    """The overrun docs/smt.md allows a run of `--timeout timeout`."""
    return max(1.0, 0.1 * timeout)


def _command(spec: str, engine: str, timeout: float) -> list[str]:
    path = spec if spec.endswith(".pod") else str(ROOT / "specs" / f"{spec}.pod")
    base = [sys.executable, "-m", "podcheck"]
    if engine == "counts":
        return [*base, "counts", path, "--timeout", f"{timeout:g}"]
    return [*base, "check", path, "--engine", engine, "--timeout", f"{timeout:g}"]


def run_one(spec: str, engine: str, timeout: float, code: Path = ROOT
            ) -> tuple[float, float, int]:  # fmt: skip
    """Wall seconds, CPU seconds and the exit code of one run (-9: killed) of the
    `podcheck` package in the folder `code`."""
    start = time.perf_counter()
    child = subprocess.Popen(_command(spec, engine, timeout), cwd=code,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    killer = threading.Timer(timeout + MARGIN, child.kill)
    killer.start()
    _, status, usage = os.wait4(child.pid, 0)
    killer.cancel()
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def main() -> None:
    """Print one row per (spec, engine, timeout)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("specs", nargs="*")
    parser.add_argument("--timeout", type=float, action="append")
    parser.add_argument("--engine", action="append")
    parser.add_argument("--code", action="append", type=Path,
                        help="a folder holding a `podcheck` package to run (A/B: several, "
                        "run alternately; default this checkout)")
    args = parser.parse_args()
    codes = args.code or [ROOT]
    timeouts = args.timeout or [5.0, 15.0]
    engines = args.engine or ENGINES
    specs = args.specs or SPECS
    print("| spec | engine | T | code | wall s | cpu s | exit | over s | within | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for spec in specs:
        for engine in engines:
            for t in timeouts:
                for n, folder in enumerate(codes):
                    _row(spec, engine, t, folder, n)


def _row(spec: str, engine: str, timeout: float, folder: Path, n: int) -> None:
    load = os.getloadavg()[0]
    wall, cpu, code = run_one(spec, engine, timeout, folder)
    over = wall - timeout
    ok = "yes" if over <= slack(timeout) else "NO"
    print(f"| {spec} | {engine} | {timeout:g} | {chr(ord('A') + n)} | {wall:.2f} | {cpu:.2f} | "
          f"{code} | {over:+.2f} | {ok} | {load:.1f} |", flush=True)


if __name__ == "__main__":
    main()
