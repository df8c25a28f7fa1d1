"""`podcheck fit` with and without the twins' order (NOTE(binpack-twins)): one JSON line
per spec and setting.

Run from the repository root:
    python bench/fit_order.py [--nodes N ...] [--repeat K]
Every `specs/symbolic/fit-*.pod` is packed in all its scenarios, then the pigeonhole
problems of `RULES` on N nodes for each `--nodes` N (default 4 6 8), with every node.
`cpu_seconds` is the process CPU time of all scenarios (Z3 runs in this process; on a
loaded machine the steadier figure), `seconds` the wall-clock time,
the best of `--repeat` runs; `answers` the scenarios' verdicts, equal with and without
the order (printed so that a reader can see it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from podcheck.engine.binpack import pack, scenarios  # noqa: E402
from podcheck.lang.check import load  # noqa: E402
from podcheck.schedulability import problem_of  # noqa: E402
from podcheck.spec import DrainMode  # noqa: E402

SYMBOLIC = ROOT / "specs" / "symbolic"
# one more replica than the rule lets the nodes hold: pigeonhole problems, where Z3
# without the order tries every permutation of the twins before it answers `no`
PIGEONHOLE = """
cluster {
NODES
}
deployment web {
  replicas: REPLICAS
  template {
    labels: { app: web }
    RULE
    container app { resources { requests: { cpu: 1 } } }
  }
}
"""
RULES = {
    # one replica per host: N + 1 replicas on N nodes (no binding order)
    "anti": ("podAntiAffinity { selector: { app: web }  topologyKey: hostname }", 1),
    # one zone (podAffinity), at most one per host (the other zone's hosts count 0):
    # N/2 + 1 replicas on N nodes in two zones (a binding order)
    "affinity-spread": ("podAffinity { selector: { app: web }  topologyKey: zone }\n"
                        "    topologySpread { maxSkew: 1  topologyKey: hostname  "
                        "selector: { app: web } }", 2),
}


def run(path: Path, order_twins: bool, repeat: int) -> dict[str, object]:
    spec = load(str(path)).value
    assert spec is not None, path
    problem = problem_of(spec)
    names = [n.name for n in spec.nodes]
    env = spec.environment
    sets = scenarios([names.index(d) for d in env.drain], env.nodeFailures, len(names),
                     env.drainMode is DrainMode.CONCURRENT)  # fmt: skip
    best = (float("inf"), float("inf"))
    answers: list[bool | None] = []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        answers = [pack(problem, s, order_twins=order_twins).fits for s in sets]
        best = min(best, (time.process_time() - cpu, time.perf_counter() - wall))
    return {"pods": len(problem.pods), "nodes": len(problem.nodes), "scenarios": len(sets),
            "order_twins": order_twins, "cpu_seconds": round(best[0], 3),
            "seconds": round(best[1], 3),
            "answers": "".join("?" if a is None else "y" if a else "n" for a in answers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="*", default=[4, 6, 8])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    cases = [(p.name, p) for p in sorted(SYMBOLIC.glob("fit-*.pod"))]
    tmp = Path(tempfile.mkdtemp())
    for name, (rule, per) in RULES.items():
        for n in args.nodes:
            nodes = "\n".join(f"  node n{q} {{ zone: {'ab'[q * 2 // n]}  capacity: {{ cpu: 8 }} }}"
                              for q in range(n))  # fmt: skip
            text = (PIGEONHOLE.replace("NODES", nodes).replace("RULE", rule)
                    .replace("REPLICAS", str(n // per + 1)))  # fmt: skip
            path = tmp / f"{name}-{n}.pod"
            path.write_text(text)
            cases.append((path.name, path))
    for label, path in cases:
        for order_twins in (True, False):
            print(json.dumps({"spec": label, **run(path, order_twins, args.repeat)}), flush=True)


if __name__ == "__main__":
    main()
