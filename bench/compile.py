"""Compile cost against spec size (issue 9 item 7, issue 10): time and memory of the
model compiler and of the generated BFS expander for `replicas: N`.

    python bench/compile.py [--replicas 100 1000 10000] [--no-codegen-above N]

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
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def spec_text(replicas: int) -> str:
    """The measured spec: one node, one Deployment of `replicas` pods."""
    return ("cluster {\n  node n1 { }\n}\n"
            f"deployment web {{ replicas: {replicas}\n  template {{ container app {{ }} }} }}\n")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(replicas: int, codegen: bool) -> dict[str, object]:
    """The figures for one size, in this process."""
    from podcheck.check import CheckOptions, load_and_compile
    from podcheck.engine import pycompile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "web.pod"
        path.write_text(spec_text(replicas), encoding="utf-8")
        start = time.perf_counter()
        compiled = load_and_compile(str(path), CheckOptions())[0]
        system = compiled.value
        assert system is not None, compiled.diagnostics
        out: dict[str, object] = {
            "replicas": replicas, "variables": len(system.vars), "actions": len(system.actions),
            "model_seconds": round(time.perf_counter() - start, 2),
            "model_peak_mib": round(_peak_mib()),
        }
        if not codegen:
            return out
        start = time.perf_counter()
        packing = pycompile.Packing.of(system)
        sources = pycompile._chunked_sources(system, packing, (), False)
        out["source_bytes"] = sum(len(s) for s in sources)
        out["generate_seconds"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        for number, source in enumerate(sources):
            compile(source + "\n", f"<part{number}>", "exec")
        out["cpython_compile_seconds"] = round(time.perf_counter() - start, 2)
        out["codegen_peak_mib"] = round(_peak_mib())
        return out


def main() -> None:
    """Run every size in its own process; print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--no-codegen-above", type=int, default=10**9,
                        help="measure only the model compiler above this many replicas")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--codegen", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, bool(args.codegen))))
        return
    for n in args.replicas:
        codegen = int(n <= args.no_codegen_above)
        done = subprocess.run([sys.executable, __file__, "--one", str(n), "--codegen",
                               str(codegen)], capture_output=True, text=True, check=False)
        print(done.stdout.strip() or json.dumps({"replicas": n, "error": done.stderr[-300:]}),
              flush=True)


if __name__ == "__main__":
    main()
