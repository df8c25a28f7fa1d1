"""A spec with and without partial-order reduction (engine/por.py): one JSON line each.

Run from the repository root:
    python bench/por.py SPEC.pod [--settled] [--max-states N] [--timeout S] [--only por|full]
`--settled` adds `start: settled` to the spec's `environment { ... }` line (the run
begins with every pod Ready: NOTE(settled-start) in docs/semantics.md).  Each run is
`podcheck check --engine bfs` on the same text in a fresh subprocess, so `cpu_seconds`
(the subprocess's CPU time, start-up and compile included) and `peak_mib` are its own.
Used for docs/performance.md, "Partial-order reduction" (deployment-6x3, deployment-20x5).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one(path: str, por: bool, max_states: int, timeout: float) -> dict[str, object]:
    """Check the spec at `path` in this process; the figures as a dict."""
    sys.path.insert(0, str(ROOT))
    from podcheck.check import CheckOptions, check_file

    start = time.perf_counter()
    run = check_file(path, CheckOptions(engine="bfs", por=por, max_states=max_states,
                                        timeout_seconds=timeout))
    result = run.result
    out: dict[str, object] = {"por": por, "seconds": round(time.perf_counter() - start, 2)}
    if result is not None:
        out |= {"verdicts": {r.name: r.verdict.value for r in result.results},
                "states": result.stats.states, "depth": result.stats.depth,
                "complete": result.stats.complete, "limit": result.limit}
    out["cpu_seconds"] = round(time.process_time(), 2)
    out["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("--settled", action="store_true")
    parser.add_argument("--max-states", type=int, default=3_000_000)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--only", choices=("por", "full"), default=None)
    parser.add_argument("--child", choices=("por", "full"), default=None, help="internal")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one(args.spec, args.child == "por", args.max_states, args.timeout)))
        return
    text = Path(args.spec).read_text()
    if args.settled:
        text = re.sub(r"^(environment \{.*?)\s*\}\s*$", r"\1  start: settled }", text,
                      count=1, flags=re.M)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(args.spec).name
        path.write_text(text)
        for mode in ("full", "por") if args.only is None else (args.only,):
            line = subprocess.run(
                [sys.executable, __file__, str(path), "--child", mode, "--max-states",
                 str(args.max_states), "--timeout", str(args.timeout)],
                capture_output=True, text=True, check=True, cwd=ROOT).stdout
            row = json.loads(line)
            print(json.dumps({"spec": args.spec, "settled": args.settled, **row}), flush=True)


if __name__ == "__main__":
    main()
