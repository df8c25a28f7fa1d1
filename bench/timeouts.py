"""Wall time of a run against its `--timeout`: every Z3-backed command on slow specs.

Run from the repository root: `python bench/timeouts.py [--timeout T ...] [--engine E ...]
[--code DIR ...] [SPEC ...]` (SPEC: `drain/two-at-a-time` or a path; default `SPECS`;
DIR: a folder with a `podcheck` package, e.g. `git archive` of an older commit, run
alternately with the others, A, B, ... in the order given).  Each run is
`podcheck check SPEC --engine E --timeout T` in a fresh process (`python -m podcheck`,
so the load and the compile are inside the budget as they are for a user), killed at
T + `MARGIN`.  Per run: the wall seconds, the child's CPU seconds (user + system, from
`wait4`), the exit code, the overrun (wall - T) and whether it is within the slack of
docs/smt.md (`max(1 s, 10 % of T)`), and the load average when it started.

`--engine tune|fit|counts` runs that command instead (`podcheck tune SPEC --param P
--timeout T` ...) on its `Z3_SPECS` (default; `generated/fit-big` is a spec this script
writes: 10 nodes in two zones, 16 replicas with pod affinity and a hostname spread, up
to 3 node failures, 176 scenarios).  A folder whose `podcheck` has no `--query-timeout`
(the code before NOTE(whole-run-budget)) is run as it was: `tune` and `fit` without
`--timeout` (they had none), `counts --timeout T` (then a cap per Z3 query).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = ["drain/two-at-a-time", "examples/deployment-drain", "examples/rollout-progress",
         "examples/settled-drain", "jobs/on-failure-two-pods", "liveness/stuck-drain"]
ENGINES = ["bmc", "kind", "pdr"]
Z3_SPECS = {  # command -> (spec, its extra arguments)
    "tune": [("symbolic/tune-startup-z3", ["--param", "failureThreshold"]),
             ("symbolic/tune-min-available", ["--param", "minAvailable", "--largest"])],
    "counts": [("symbolic/counts-rollout-percent", []), ("symbolic/counts-three-nodes", [])],
    "fit": [("generated/fit-big", [])],
}
GENERATED = Path(tempfile.gettempdir()) / "podcheck-bench-timeouts"
MARGIN = 60.0  # seconds past the budget before the child is killed


def slack(timeout: float) -> float:
    """The overrun docs/smt.md allows a run of `--timeout timeout`."""
    return max(1.0, 0.1 * timeout)


def fit_big() -> str:
    """The path of `generated/fit-big` (written on first use)."""
    nodes = "\n".join(f"  node n{i} {{ zone: {'ab'[i % 2]}  capacity: {{ cpu: 4 }} }}"
                      for i in range(1, 11))  # fmt: skip
    text = (f"cluster {{\n{nodes}\n}}\ndeployment web {{\n  replicas: 16\n  template {{\n"
            "    labels: { app: web }\n"
            "    podAffinity { selector: { app: web }  topologyKey: zone }\n"
            "    topologySpread { maxSkew: 1  topologyKey: hostname  selector: { app: web } }\n"
            "    container app { image: \"nginx:1.27\"  resources { requests: { cpu: 1 } } }\n"
            "  }\n}\nenvironment { nodeFailures: 3 }\n")
    GENERATED.mkdir(exist_ok=True)
    path = GENERATED / "fit-big.pod"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _path(spec: str) -> str:
    if spec == "generated/fit-big":
        return fit_big()
    return spec if spec.endswith(".pod") else str(ROOT / "specs" / f"{spec}.pod")


def _whole_run(code: Path) -> bool:
    """The `podcheck` in `code` has a whole-run `--timeout` for tune, fit and counts."""
    shell = code / "podcheck" / "cli_tune.py"
    return shell.exists() and "--query-timeout" in shell.read_text(encoding="utf-8")


def _command(spec: str, engine: str, timeout: float, code: Path = ROOT) -> list[str]:
    base = [sys.executable, "-m", "podcheck"]
    limit = ["--timeout", f"{timeout:g}"]
    if engine in Z3_SPECS:
        extra = dict(Z3_SPECS[engine]).get(spec, [])
        if engine != "counts" and not _whole_run(code):
            limit = []  # no --timeout before NOTE(whole-run-budget)
        return [*base, engine, _path(spec), *extra, *limit]
    return [*base, "check", _path(spec), "--engine", engine, *limit]


def run_one(spec: str, engine: str, timeout: float, code: Path = ROOT
            ) -> tuple[float, float, int]:  # fmt: skip
    """Wall seconds, CPU seconds and the exit code of one run (-9: killed) of the
    `podcheck` package in the folder `code`."""
    start = time.perf_counter()
    child = subprocess.Popen(_command(spec, engine, timeout, code), cwd=code,
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
    print("| spec | engine | T | code | wall s | cpu s | exit | over s | within | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for engine in engines:
        chosen = args.specs or ([s for s, _ in Z3_SPECS[engine]] if engine in Z3_SPECS
                                else SPECS)  # fmt: skip
        for spec in chosen:
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
