"""Time B1's DrainCompletes (liveness under weak fairness): full checker, scan, SPIN.

Stage: benchmark, outside the pipeline.  Consumes the B1 system written in the IR
(tests/engine/b1_ir.py, SCENARIOS.md's semantics); produces a table on stdout:
for each size, the BFS safety pass without the graph, the BFS pass that keeps the
graph, and `check_liveness` of DrainCompletes(node-q) for every node q, with its
verdict and lasso shape (prefix steps + loop actions; loop 0 = stuttering); then the
on-the-fly scan of `engine/stuck.py` (vector engine, no graph: the time until every
DrainCompletes has a stuck state, or until the space is exhausted without one) and,
with `--spin`, SPIN's `pan` time for DrainCompletes (run.sh PROP=live, weak fairness).

    python bench/bench_liveness.py                      # default sizes
    python bench/bench_liveness.py 2:3:0 2:8:7          # M:N:K triples
    python bench/bench_liveness.py --no-full --spin 2:16:16
"""

from __future__ import annotations

import subprocess
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from podcheck.engine import pycompile, stuck  # noqa: E402
from podcheck.engine.bfs import BfsOptions, check, explore  # noqa: E402
from podcheck.engine.liveness import check_liveness  # noqa: E402
from podcheck.ir import Expectation  # noqa: E402
from tests.engine.b1_ir import b1_system  # noqa: E402

DEFAULT = [(2, n, k) for n in (2, 4, 6, 8, 10) for k in (0, n - 1, n)] + [
    (3, n, k) for n in (3, 5) for k in (0, n - 1, n)
]
SPIN = Path("/work/shared/bench/spin/run.sh")


def full(system: object) -> str:
    """The full checker's columns: safety, safety+graph, liveness seconds, verdicts."""
    t0 = time.perf_counter()
    check(system)  # type: ignore[arg-type]
    safety = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, graph = explore(system, BfsOptions(keep_graph=True))  # type: ignore[arg-type]
    with_graph = time.perf_counter() - t0
    assert graph is not None
    compile_ = partial(pycompile.compile_predicate, system)
    t0 = time.perf_counter()
    outcomes = []
    for prop in graph.system.properties:
        if prop.expectation is Expectation.LEADS_TO:
            result = check_liveness(graph, prop, compile_predicate=compile_)
            trace = result.trace
            if trace is None:
                outcomes.append(result.verdict.value)
            else:
                loop = 0 if trace.loop_action is None else len(trace.steps) - trace.loop_start
                outcomes.append(f"violated {trace.loop_start}+{loop}")
    liveness = time.perf_counter() - t0
    verdicts = ", ".join(sorted(set(outcomes)))
    return f"{len(graph.states):,} | {safety:.2f} | {with_graph:.2f} | {liveness:.2f} | {verdicts}"


def scan(system: object) -> str:
    """The on-the-fly scan's columns: seconds, states checked, what it found."""
    t0 = time.perf_counter()
    found = stuck.scan_liveness(system)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    what = "violated (stuck)" if found.results else "no stuck state"
    return f"{seconds:.3f} | {found.checked:,} | {what}"


def spin(m: int, n: int, k: int) -> str:
    """SPIN's pan seconds and verdict for DrainCompletes (building pan not counted)."""
    out = subprocess.run([str(SPIN), "b1", f"N={n}", f"M={m}", f"K={k}", "PROP=live"],
                         capture_output=True, text=True, check=True, cwd="/tmp").stdout
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return f"{float(fields['pan_seconds']):.2f} | {fields['verdict'].strip().split()[0].lower()}"


def main(argv: list[str]) -> None:
    with_full, with_spin = "--no-full" not in argv, "--spin" in argv
    args = [a for a in argv if not a.startswith("--")]
    sizes = [tuple(int(x) for x in a.split(":")) for a in args] or DEFAULT
    head = ["M", "N", "K"]
    if with_full:
        head += ["states", "safety s", "safety+graph s", "DrainCompletes s", "verdict"]
    head += ["scan s", "scan states", "scan finds"]
    head += ["spin s", "spin verdict"] if with_spin else []
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for m, n, k in sizes:
        system = b1_system(n, m, k)
        cells = [f"{m} | {n} | {k}"] + ([full(system)] if with_full else []) + [scan(system)]
        cells += [spin(m, n, k)] if with_spin else []
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
