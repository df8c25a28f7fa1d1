"""Time B1's DrainCompletes (liveness under weak fairness) against the safety pass.

Stage: benchmark, outside the pipeline.  Consumes the B1 system written in the IR
(tests/engine/b1_ir.py, SCENARIOS.md's semantics); produces a table on stdout:
for each size, the BFS safety pass without the graph, the BFS pass that keeps the
graph, and `check_liveness` of DrainCompletes(node-q) for every node q, with its
verdict and lasso shape (prefix steps + loop actions; loop 0 = stuttering).

    python bench/bench_liveness.py                # default sizes
    python bench/bench_liveness.py 2:3:0 2:8:7    # M:N:K triples
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from podcheck.engine import pycompile  # noqa: E402
from podcheck.engine.bfs import BfsOptions, check, explore  # noqa: E402
from podcheck.engine.liveness import check_liveness  # noqa: E402
from podcheck.ir import Expectation  # noqa: E402
from tests.engine.b1_ir import b1_system  # noqa: E402

DEFAULT = [(2, n, k) for n in (2, 4, 6, 8, 10) for k in (0, n - 1, n)] + [
    (3, n, k) for n in (3, 5) for k in (0, n - 1, n)
]


def bench(m: int, n: int, k: int) -> str:
    system = b1_system(n, m, k)
    t0 = time.perf_counter()
    check(system)
    safety = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, graph = explore(system, BfsOptions(keep_graph=True))
    with_graph = time.perf_counter() - t0
    assert graph is not None
    compile_ = partial(pycompile.compile_predicate, system)
    t0 = time.perf_counter()
    outcomes = []
    for prop in system.properties:
        if prop.expectation is Expectation.LEADS_TO:
            result = check_liveness(graph, prop, compile_predicate=compile_)
            trace = result.trace
            if trace is None:
                outcomes.append(result.verdict.value)
            else:
                loop = 0 if trace.loop_action is None else len(trace.steps) - trace.loop_start
                outcomes.append(f"violated {trace.loop_start}+{loop}")
    liveness = time.perf_counter() - t0
    verdicts = sorted(set(outcomes))
    return (
        f"| {m} | {n} | {k} | {len(graph.states):,} | {safety:.2f} | {with_graph:.2f} "
        f"| {liveness:.2f} | {', '.join(verdicts)} |"
    )


def main(argv: list[str]) -> None:
    sizes = [tuple(int(x) for x in a.split(":")) for a in argv] or DEFAULT
    print("| M | N | K | states | safety s | safety+graph s | DrainCompletes s | verdict |")
    print("|---|---|---|---|---|---|---|---|")
    for m, n, k in sizes:
        print(bench(m, n, k), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
