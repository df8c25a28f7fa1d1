"""Every spec of specs/ with and without partial-order reduction (engine/por.py): the
verdicts, trace lengths, deadlock and error codes must agree; one JSON line per spec.

Run from the repository root:
    python bench/por_specs.py [--max-states N] [--timeout S] [SPEC ...]
Both runs are `check_file` with `--engine bfs` in this process; `cpu` is the CPU time of
each run (time.process_time), `states` the states each stored.  A spec where either run
stopped at a limit is reported (`limited`) and its verdicts are not compared.  Used for
docs/performance.md, "Review of the argument (issue 9)".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(path: str, por: bool, max_states: int, timeout: float) -> dict[str, object]:
    """One `check_file` run: its outcome (what must agree) and its figures."""
    from podcheck.check import CheckOptions, check_file

    cpu = time.process_time()
    got = check_file(path, CheckOptions(engine="bfs", por=por, max_states=max_states,
                                        timeout_seconds=timeout))
    out: dict[str, object] = {"cpu": round(time.process_time() - cpu, 3),
                              "errors": sorted(str(d.code) for d in got.diagnostics
                                               if d.severity.value == "error")}
    result = got.result
    if result is not None:
        out["states"] = result.stats.states
        out["limited"] = result.limit is not None or not result.stats.complete
        out["outcome"] = [[r.name, r.verdict.value, None if r.trace is None
                           else len(r.trace.steps)] for r in result.results]
        out["deadlock"] = None if result.deadlock is None else len(result.deadlock.steps)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*")
    parser.add_argument("--max-states", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    specs = args.specs or sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("specs/*/*.pod"))
    for spec in specs:
        full = run(spec, False, args.max_states, args.timeout)
        reduced = run(spec, True, args.max_states, args.timeout)
        limited = bool(full.get("limited") or reduced.get("limited"))
        same = all(full.get(k) == reduced.get(k) for k in ("outcome", "deadlock", "errors"))
        print(json.dumps({"spec": spec, "limited": limited, "agree": same or limited,
                          "full": full, "por": reduced}), flush=True)


if __name__ == "__main__":
    main()
