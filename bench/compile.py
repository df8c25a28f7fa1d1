"""Compile cost against spec size (issue 9 item 7, issue 10): time and memory of the
model compiler and of the generated BFS expander for `replicas: N`.

    python bench/compile.py [--replicas 100 1000 10000] [--no-codegen-above N] [--drain]

Each size runs in a fresh process (so peak memory is its own): a one-node cluster and one
Deployment of N one-container pods.  Prints one JSON object per size: variables,
actions, the model compiler's seconds, the expander's generated source (bytes) and its
generation and CPython compile seconds, and the process's peak RSS after each phase
(MiB).  Figures go to docs/reliability.md ("Bounded compilation"); nothing here is
asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def spec_text(replicas: int, drain: bool = False) -> str:
    """The measured spec: one node, one Deployment of `replicas` pods; with `drain`,
    three nodes, a PDB (minAvailable 2), a rolling drain, one node failure and
    `budget-respected` (the guards and the property then read every pod)."""
    if not drain:
        return ("cluster {\n  node n1 { }\n}\n"
                f"deployment web {{ replicas: {replicas}\n"
                "  template { container app { } } }\n")
    return ("import env.rolling-drain\ncluster { nodes: 3 }\n"
            f"deployment web {{ replicas: {replicas}\n"
            "  template { labels: { app: web } container app { } } }\n"
            "pdb web-pdb { selector: { app: web } minAvailable: 2 }\n"
            "environment { include: [rolling-drain] nodeFailures: 1 }\n"
            "check budget-respected\n")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(replicas: int, codegen: bool, drain: bool = False,
            per_action: bool = False) -> dict[str, object]:  # fmt: skip
    """The figures for one size, in this process (with `drain`, also the symmetry
    set-up's seconds: `engine/symmetry.prepare`, which verifies the pod group); the
    expander as a run builds it (the slot table from `pyslots.SLOTS_FROM` actions:
    NOTE(slot-table)), or with `per_action` one block of code per action."""
    from podcheck.check import CheckOptions, load_and_compile
    from podcheck.engine import gcpause, pycompile, pyslots
    from podcheck.engine.symmetry import prepare
    from podcheck.engine.twins import twins

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "web.pod"
        path.write_text(spec_text(replicas, drain), encoding="utf-8")
        start, cpu = time.perf_counter(), time.process_time()
        compiled = load_and_compile(str(path), CheckOptions())[0]
        system = compiled.value
        assert system is not None, compiled.diagnostics
        out: dict[str, object] = {
            "replicas": replicas, "variables": len(system.vars), "actions": len(system.actions),
            "model_seconds": round(time.perf_counter() - start, 2),
            "model_peak_mib": round(_peak_mib()),
        }
        out["model_cpu"] = round(time.process_time() - cpu, 2)
        if drain:
            start, cpu = time.perf_counter(), time.process_time()
            canon = prepare(system)[0]
            out["symmetry_seconds"] = round(time.perf_counter() - start, 2)
            out["symmetry_cpu"] = round(time.process_time() - cpu, 2)
            out["symmetry_peak_mib"] = round(_peak_mib())
            if canon is not None:
                start, cpu = time.perf_counter(), time.process_time()
                found = twins(system, canon)
                out["twins_seconds"] = round(time.perf_counter() - start, 2)
                out["twins_cpu"] = round(time.process_time() - cpu, 2)
                out["twin_pairs"] = sum(len(p) for p in found.pairs.values())
        if not codegen:
            return out
        flagged = [p.condition for p in system.properties if p.condition is not None]
        start, cpu = time.perf_counter(), time.process_time()
        packing = pycompile.Packing.of(system)
        slots = (pyslots.plan(system) if per_action is False
                 and len(system.actions) >= pyslots.SLOTS_FROM else None)
        out["expander"] = "per-action" if slots is None else "slot-table"
        out["slot_actions"] = 0 if slots is None else slots.covered
        with gcpause.paused():  # as `pycompile._expander_factory` runs it: NOTE(setup-gc)
            sources = pycompile._chunked_sources(system, packing, flagged, False, {}, slots)
        out["source_bytes"] = sum(len(s) for s in sources)
        out["largest_function"] = max(len(s) for s in sources)
        out["generate_seconds"] = round(time.perf_counter() - start, 2)
        out["generate_cpu"] = round(time.process_time() - cpu, 2)
        start, cpu = time.perf_counter(), time.process_time()
        for number, source in enumerate(sources):
            compile(source + "\n", f"<part{number}>", "exec")
        out["cpython_compile_seconds"] = round(time.perf_counter() - start, 2)
        out["cpython_compile_cpu"] = round(time.process_time() - cpu, 2)
        out["load_average"] = round(os.getloadavg()[0], 1)
        out["codegen_peak_mib"] = round(_peak_mib())
        return out


def main() -> None:
    """Run every size in its own process; print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--no-codegen-above", type=int, default=10**9,
                        help="measure only the model compiler above this many replicas")
    parser.add_argument("--drain", action="store_true",
                        help="3 nodes, a PDB, a rolling drain, a node failure, budget-respected")
    parser.add_argument("--per-action", action="store_true",
                        help="the expander without the slot table (one block per action)")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--codegen", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, bool(args.codegen), args.drain, args.per_action)))
        return
    for n in args.replicas:
        codegen = int(n <= args.no_codegen_above)
        flags = [*(["--drain"] if args.drain else []),
                 *(["--per-action"] if args.per_action else [])]
        done = subprocess.run([sys.executable, __file__, "--one", str(n), "--codegen",
                               str(codegen), *flags], capture_output=True, text=True,
                              check=False)
        print(done.stdout.strip() or json.dumps({"replicas": n, "error": done.stderr[-300:]}),
              flush=True)


if __name__ == "__main__":
    main()
