"""One table: B1 on podcheck's vector and bfs engines and on SPIN, alternated in one run.

Run from the repository root: `python bench/run.py [--n 12 13 ...] [--m 2] [--repeat R]
[--engines vector,bfs] [--markdown]`.  Every measurement is a fresh process
(`bench/b1.py`, or /work/shared/bench/spin/run.sh for SPIN when `spin` and `gcc` are
installed); the tools take turns within each repetition, so a change in the machine's
load hits all of them alike.  A row shows medians over the repetitions and the ratio
podcheck seconds / SPIN seconds (SPIN's time excludes building pan, as in RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPIN_RUN = Path("/work/shared/bench/spin/run.sh")


def podcheck(n: int, m: int, engine: str) -> dict[str, float]:
    """One run of bench/b1.py: its JSON object."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "b1.py"), "--n", str(n), "--m", str(m),
         "--engine", engine, "--no-symmetry"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    data: dict[str, float] = json.loads(out)
    return data


def spin(n: int, m: int) -> dict[str, float]:
    """One SPIN run (mono encoding, DFS, exhaustive store): states, seconds, peak MiB."""
    out = subprocess.run(
        ["bash", str(SPIN_RUN), "b1", f"N={n}", f"M={m}"],
        check=True, capture_output=True, text=True,
    ).stdout
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return {"states": float(fields["states"].strip()),
            "seconds": float(fields["pan_seconds"].strip()),
            "peak_mib": float(fields["peak_MiB"].strip()),
            "verdict": fields["verdict"].strip()}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[12, 13, 14, 15, 16, 17])
    parser.add_argument("--m", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="vector,bfs")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    engines = args.engines.split(",")
    have_spin = SPIN_RUN.exists() and shutil.which("spin") and shutil.which("gcc")
    tools = engines + (["spin"] if have_spin else [])
    head = ["N", "states"] + [f"{t} s" for t in tools] + [f"{t} MiB" for t in tools]
    head += ["vector B/state"] + ([f"{e}/spin" for e in engines] if have_spin else [])
    print(("| " + " | ".join(head) + " |") if args.markdown else "\t".join(head), flush=True)
    if args.markdown:
        print("|" + "---|" * len(head), flush=True)
    for n in args.n:
        runs: dict[str, list[dict[str, float]]] = {t: [] for t in tools}
        for _ in range(args.repeat):
            for tool in tools:
                runs[tool].append(spin(n, args.m) if tool == "spin" else
                                  podcheck(n, args.m, tool))
        states = {int(r["states"]) for rs in runs.values() for r in rs}
        assert len(states) == 1, f"N={n}: the tools disagree on the state count {states}"
        med = {t: statistics.median(r["seconds"] for r in runs[t]) for t in tools}
        mib = {t: statistics.median(r["peak_mib"] for r in runs[t]) for t in tools}
        bps = runs["vector"][0]["bytes_per_state"] if "vector" in runs else float("nan")
        row = [str(n), f"{states.pop():,}"] + [f"{med[t]:.2f}" for t in tools]
        row += [f"{mib[t]:.0f}" for t in tools] + [f"{bps:.1f}"]
        if have_spin:
            row += [f"{med[e] / max(med['spin'], 0.01):.2f}" for e in engines]
        print(("| " + " | ".join(row) + " |") if args.markdown else "\t".join(row), flush=True)


if __name__ == "__main__":
    main()
