"""One table: B1 on podcheck with and without symmetry and on SPIN, alternated in one run.

Run from the repository root: `python bench/run.py [--n 12 13 ...] [--m 2] [--repeat R]
[--engine vector|bfs] [--dsl] [--liveness --k K] [--tools sym,nosym,spin]
[--timeout S] [--markdown]`.  Every measurement is a fresh process (`bench/b1.py`, with
or without `--no-symmetry`, or /work/shared/bench/spin/run.sh for SPIN when `spin` and
`gcc` are installed); the tools take turns within each repetition, so a change in the
machine's load hits all of them alike.  A row shows medians over the repetitions, the
unreduced state count (asserted equal to SPIN's for the IR when both searches are
complete), the orbits stored with symmetry, and the ratios podcheck seconds / SPIN
seconds (SPIN's time excludes building pan, as in RESULTS.md) and symmetric / unreduced.
A run over `--timeout` seconds is shown as `>S` and leaves its ratios out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPIN_RUN = Path("/work/shared/bench/spin/run.sh")
Run = dict[str, Any] | None


def podcheck(n: int, args: argparse.Namespace, symmetric: bool) -> Run:
    """One run of bench/b1.py: its JSON object (None after `--timeout`)."""
    cmd = [sys.executable, str(ROOT / "bench" / "b1.py"), "--n", str(n), "--m", str(args.m),
           "--engine", args.engine]
    cmd += ([] if symmetric else ["--no-symmetry"]) + (["--dsl"] if args.dsl else [])
    cmd += (["--liveness"] if args.liveness else []) + _k(n, args)
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT,
                             timeout=args.timeout).stdout
    except subprocess.TimeoutExpired:
        return None
    data: dict[str, Any] = json.loads(out)
    return data


def _k(n: int, args: argparse.Namespace) -> list[str]:
    return [] if args.k is None else ["--k", str(n if args.k == "n" else int(args.k))]


def spin(n: int, args: argparse.Namespace) -> Run:
    """One SPIN run (DFS, exhaustive store): states, seconds, peak MiB, verdict."""
    k = [f"K={n if args.k == 'n' else args.k}"] if args.k is not None else []
    prop = ["PROP=live"] if args.liveness else []
    try:
        out = subprocess.run(["bash", str(SPIN_RUN), "b1", f"N={n}", f"M={args.m}", *k, *prop],
                             check=True, capture_output=True, text=True,
                             timeout=args.timeout).stdout
    except subprocess.TimeoutExpired:
        return None
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return {"states": float(fields["states"].strip()),
            "seconds": float(fields["pan_seconds"].strip()),
            "peak_mib": float(fields["peak_MiB"].strip()),
            "verdict": fields["verdict"].strip()}


def measure(n: int, tool: str, args: argparse.Namespace) -> Run:
    """One measurement of `tool` (sym, nosym or spin) at N=n."""
    return spin(n, args) if tool == "spin" else podcheck(n, args, tool == "sym")


def _median(runs: list[Run], key: str) -> float | None:
    vals = [r[key] for r in runs if r is not None]
    return statistics.median(vals) if len(vals) == len(runs) and vals else None


def row(n: int, runs: dict[str, list[Run]], tools: list[str], timeout: float) -> list[str]:
    """The table row of N=n (see the module doc)."""
    sec = {t: _median(runs[t], "seconds") for t in tools}
    mib = {t: _median(runs[t], "peak_mib") for t in tools}
    first = {t: next((r for r in runs[t] if r is not None), None) for t in tools}
    states = {t: None if first[t] is None else int(first[t]["states"]) for t in tools}
    if _complete(first.get("nosym")) and _complete(first.get("spin")) and not runs_dsl(runs):
        assert states["nosym"] == states["spin"], (n, states)

    def fmt(x: float | None, spec: str) -> str:
        return f">{timeout:g}" if x is None else format(x, spec)

    def ratio(a: str, b: str) -> str:
        if a not in tools or b not in tools or sec[a] is None or sec[b] is None:
            return "-"
        return f"{sec[a] / max(sec[b] or 0.0, 0.01):.2f}"

    verdict = next((r["verdict"] for t in tools for r in runs[t] if r is not None), "-")
    cells = [str(n), verdict, fmt(states.get("nosym") or states.get("spin"), ","),
             fmt(states.get("sym"), ",")]
    cells += [fmt(sec[t], ".2f") for t in tools] + [fmt(mib[t], ".0f") for t in tools]
    return cells + [ratio("sym", "spin"), ratio("nosym", "spin"), ratio("sym", "nosym")]


def _complete(run: Run) -> bool:
    """Whether `run` searched the whole space: a holding verdict.  A violation ends
    podcheck's BFS and SPIN's DFS at different points, so their counts are not compared."""
    return run is not None and str(run["verdict"]).lower() == "holds"


def runs_dsl(runs: dict[str, list[Run]]) -> bool:
    """Whether the podcheck runs were on the DSL spec (its counts differ from SPIN's)."""
    return any(r is not None and r.get("dsl") for t in ("sym", "nosym") for r in runs.get(t, []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[8, 10, 12, 14])
    parser.add_argument("--m", type=int, default=2)
    parser.add_argument("--k", default=None, help="minAvailable: an int, or n (default N-1)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine", choices=("vector", "bfs"), default="vector")
    parser.add_argument("--dsl", action="store_true", help="bench/specs/b1.pod via check")
    parser.add_argument("--liveness", action="store_true", help="DrainCompletes")
    parser.add_argument("--tools", default="sym,nosym,spin")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    have_spin = SPIN_RUN.exists() and shutil.which("spin") and shutil.which("gcc")
    tools = [t for t in args.tools.split(",") if t != "spin" or have_spin]
    head = ["N", "verdict", "states", "orbits"] + [f"{t} s" for t in tools]
    head += [f"{t} MiB" for t in tools] + ["sym/spin", "nosym/spin", "sym/nosym"]
    sep = " | " if args.markdown else "\t"
    print(("| " if args.markdown else "") + sep.join(head) + (" |" if args.markdown else ""),
          flush=True)
    if args.markdown:
        print("|" + "---|" * len(head), flush=True)
    for n in args.n:
        runs: dict[str, list[Run]] = {t: [] for t in tools}
        for _ in range(args.repeat):
            for tool in tools:
                runs[tool].append(measure(n, tool, args))
        cells = row(n, runs, tools, args.timeout)
        print(("| " if args.markdown else "") + sep.join(cells) + (" |" if args.markdown
                                                                   else ""), flush=True)


if __name__ == "__main__":
    main()
