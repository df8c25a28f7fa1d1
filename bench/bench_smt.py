"""Benchmark the symbolic engines (BMC, k-induction, PDR) next to BFS on scenario B1.

Run from the repository root: `python bench/bench_smt.py [--timeout S] [N ...]`.
B1 with N pods on 2 nodes, minAvailable N-1, one node failure, no liveness
properties.  Prints one JSON line per (N, engine): seconds, and the verdict of
SafeEvictions (holds) and AlwaysAvailable (violated, with the counterexample
length).  BMC runs to depth 6; k-induction up to k = 6.

`python bench/bench_smt.py --parametric [N ...]` times the parametric proofs of
`podcheck.engine.parametric` instead (issue 12, item 3): per N, BFS on B1 with N pods
(one count, pod by pod; skipped past `--bfs-max`), BFS on the counter system at that one
count, and Spacer proving or refuting SafeEvictions, AlwaysAvailable and DrainNeverStuck
for *every* count in 1..N at once (shrinking to the smallest failing count).

`python bench/bench_smt.py --counts [N ...]` times what a user runs (issue 12, item 3):
`podcheck counts` on a B1-shaped `.pod` spec (two nodes, a Deployment with `replicas:
1..N`, maxUnavailable 1, drain n1, one node failure: load, the cross-check at 1..3,
Spacer for every count) next to `podcheck check` (BFS of the full model, liveness
included) at `replicas: N` (skipped past `--bfs-max`).

`python bench/bench_smt.py --three [N ...]` is `--counts` on three nodes with n1 and n2
drained one at a time (uncordoned once empty): the M-node counter system.
`--rollout [N ...]` is `--counts` on specs/symbolic/counts-rollout.pod (a rolling
update, maxSurge / maxUnavailable 25 %, during the drain: NOTE(counter-rollout)).

`python bench/bench_smt.py --startup [K ...]` times the probe/start-time question of
specs/symbolic/tune-startup.pod with failureThreshold 1..K and a start time of
20..(10 K - 20) s: BFS of the merged system (every point), Spacer on it, and `tune` by
per-point BFS and by Spacer (NOTE(tune-method)); the answer is the smallest holding
value.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from podcheck.engine import bfs  # noqa: E402
from podcheck.engine.parametric import CounterScenario, counter_system, smallest_failing  # noqa: E402,E501
from podcheck.engine.result import CheckResult  # noqa: E402
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic  # noqa: E402
from tests.engine.b1_ir import b1_system  # noqa: E402

DEPTH = 6


def _row(n: int, engine: str, result: CheckResult, seconds: float) -> dict[str, object]:
    cells: dict[str, object] = {"n": n, "engine": engine, "seconds": round(seconds, 2)}
    for r in result.results:
        cells[r.name] = r.verdict.value + (f" ({r.trace.length})" if r.trace else "")
    return cells


def run(n: int, timeout: float) -> list[dict[str, object]]:
    """One row per engine for B1 with `n` pods."""
    system = b1_system(n, 2, n - 1, liveness=False)
    rows = []
    start = time.perf_counter()
    explicit = bfs.check(system, bfs.BfsOptions(timeout_seconds=timeout))
    rows.append(_row(n, "bfs", explicit, time.perf_counter() - start))
    for engine in SymbolicEngine:
        options = SymbolicOptions(engine, DEPTH, timeout, check_deadlock=False)
        start = time.perf_counter()
        result = run_symbolic(system, options)
        rows.append(_row(n, engine.value, result, time.perf_counter() - start))
    return rows


def parametric(n: int, timeout: float, bfs_max: int) -> dict[str, object]:
    """One row: BFS at count `n` (pod by pod and counted) next to the proof for 1..n."""
    row: dict[str, object] = {"n": n}
    if n <= bfs_max:
        start = time.perf_counter()
        explicit = bfs.check(b1_system(n, 2, n - 1, liveness=False),
                             bfs.BfsOptions(timeout_seconds=timeout))
        row["bfs_pods_s"] = round(time.perf_counter() - start, 2)
        row["bfs_pods_states"] = explicit.stats.states
        row["bfs_pods_complete"] = explicit.stats.complete
    start = time.perf_counter()
    counted = bfs.check(counter_system(CounterScenario(n, n)),
                        bfs.BfsOptions(timeout_seconds=timeout))
    row["bfs_counts_s"] = round(time.perf_counter() - start, 2)
    row["bfs_counts_states"] = counted.stats.states
    start = time.perf_counter()
    proof = smallest_failing(CounterScenario(1, n), SymbolicEngine.PDR, timeout)
    row["pdr_all_counts_s"] = round(time.perf_counter() - start, 2)
    for v in proof:
        row[v.name] = v.verdict.value + ("" if v.smallest is None else
                                         f" (smallest count {v.smallest}, {v.steps} steps)")
    return row


STARTUP = """
cluster { nodes: 1 }
pod app {
  container app {
    startupProbe { periodSeconds: 10  failureThreshold: 1..K }
    behavior { startup: 20s..HIs }
  }
}
property never-restarted: always forall p in pods(app): p.restarts == 0
"""


def startup(k: int, timeout: float) -> dict[str, object]:
    """One row of the probe/start-time question at failureThreshold 1..k."""
    import tempfile

    from podcheck.engine.params import compile_points
    from podcheck.engine.tune import TuneOptions, tune
    from podcheck.lang.check import load
    from podcheck.model.compile import compile_spec

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "startup.pod"
        path.write_text(STARTUP.replace("K", str(k)).replace("HI", str(10 * k - 20)))
        spec = load(str(path)).value
    assert spec is not None
    merged = compile_points(spec, compile_spec).value
    assert merged is not None
    row: dict[str, object] = {"failureThreshold": f"1..{k}"}
    for name, job in (
        ("bfs_merged", lambda: bfs.check(merged.system, bfs.BfsOptions(timeout_seconds=timeout))),
        ("pdr_merged", lambda: run_symbolic(merged.system, SymbolicOptions(
            SymbolicEngine.PDR, timeout_seconds=timeout, check_deadlock=False))),
        ("tune_bfs", lambda: tune(merged, 0, TuneOptions(use_z3=False))),
        ("tune_z3", lambda: tune(merged, 0, TuneOptions(z3_seconds=timeout))),
    ):
        start = time.perf_counter()
        out = job()
        row[f"{name}_s"] = round(time.perf_counter() - start, 2)
        if hasattr(out, "holding"):
            row[f"{name}_holds"] = str(out.holding())
    return row


COUNTS = """
cluster { nodes: 2 }
deployment web {
  replicas: RANGE
  template {
    labels: { app: web }
    container app { image: "nginx:1.27"  readinessProbe { periodSeconds: 10 } }
  }
}
pdb web-pdb { selector: { app: web }  maxUnavailable: 1 }
environment { drain: [n1]  nodeFailures: 1 }
check budget-respected
check drain-completes
"""


THREE = COUNTS.replace("nodes: 2", "nodes: 3").replace("drain: [n1]", "drain: [n1, n2]")
ROLLOUT = (ROOT / "specs" / "symbolic" / "counts-rollout.pod").read_text().replace(
    "1..2147483647", "RANGE")


def counts(n: int, timeout: float, bfs_max: int, text: str = COUNTS) -> dict[str, object]:
    """One row: `podcheck counts` over 1..n next to `podcheck check` at n replicas (of the
    two-node spec COUNTS, or THREE: three nodes, n1 and n2 drained one at a time)."""
    import tempfile

    from podcheck.check import CheckOptions, check_file
    from podcheck.counting import CountOptions, counts_file

    row: dict[str, object] = {"n": n}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "counts.pod"
        path.write_text(text.replace("RANGE", f"1..{n}"))
        start = time.perf_counter()
        run = counts_file(str(path), CountOptions(timeout_seconds=timeout))
        row["counts_s"] = round(time.perf_counter() - start, 2)
        assert run.counted is not None, run.diagnostics
        for name, v in run.counted.verdicts:
            first = "" if v.smallest is None else f" (first at {v.smallest})"
            row[name] = v.verdict.value + first
        if n <= bfs_max:
            path.write_text(text.replace("RANGE", str(n)))
            start = time.perf_counter()
            checked = check_file(str(path), CheckOptions(timeout_seconds=timeout))
            row["check_bfs_s"] = round(time.perf_counter() - start, 2)
            assert checked.result is not None
            row["check_bfs_states"] = checked.result.stats.states
            row["check_bfs"] = {r.name: r.verdict.value for r in checked.result.results}
    return row


def main(argv: list[str]) -> None:
    """Print the rows for the sizes in `argv` (see the module doc for the modes)."""
    timeout, bfs_max, mode = 120.0, 12, "b1"
    while argv[:1] and argv[0].startswith("--"):
        if argv[0] in ("--parametric", "--startup", "--counts", "--three", "--rollout"):
            mode, argv = argv[0][2:], argv[1:]
        elif argv[0] == "--bfs-max":
            bfs_max, argv = int(argv[1]), argv[2:]
        else:
            timeout, argv = float(argv[1]), argv[2:]
    sizes = [int(a) for a in argv]
    if mode in ("counts", "three", "rollout"):
        for n in sizes or [2, 3, 4, 5, 6, 100, 1000, 2**31 - 1]:
            text = {"three": THREE, "rollout": ROLLOUT}.get(mode, COUNTS)
            print(json.dumps(counts(n, timeout, bfs_max, text)), flush=True)
    elif mode == "startup":
        for k in sizes or [4, 8, 12]:
            print(json.dumps(startup(k, timeout)), flush=True)
    elif mode == "parametric":
        for n in sizes or [2, 4, 8, 12, 14, 100, 1000]:
            print(json.dumps(parametric(n, timeout, bfs_max)), flush=True)
    else:
        for n in sizes or [2, 3, 4, 6, 8, 10]:
            for row in run(n, timeout):
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
