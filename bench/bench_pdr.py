"""PDR (Spacer) next to BFS on every spec the symbolic agreement test reads.

Run from the repository root: `python bench/bench_pdr.py [--timeout S] [--json] [SPEC ...]`
(SPEC: `seed/12-drain-pdb` or a path; default every spec of
`tests/engine/test_smt_engines.SPECS`).  Each spec runs in a fresh forked process (a hard
kill at the timeout plus a margin, so a Z3 that ignores its budget cannot stall the
bench).  Per spec: the variables and actions, BFS's seconds and verdicts, PDR's wall
and CPU seconds (every safety goal, as `--engine pdr` asks them, under one `--timeout`
budget, default 30 s), its verdicts, and the agreement: `yes` (every goal decided and
equal to BFS's verdict and shortest counterexample / witness / deadlock length),
`open` (some goal undecided: Z3's unknown or the timeout; the decided ones agree) or
`NO` (a disagreement: a bug); `--json` rows also carry the load average.
A verdict is written `h` (holds), `v3` (violated, run of 3 steps), `?` (unknown), in
property order, the deadlock last (`d` none, `d4` one in 4 steps).  The last line
sums up.  `--json` prints one JSON object per spec instead of the table.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from podcheck.engine import bfs, smt  # noqa: E402
from podcheck.engine.pdr import prove  # noqa: E402
from podcheck.engine.symbolic import DEADLOCK, goals_of  # noqa: E402
from podcheck.ir import Expectation, TransitionSystem  # noqa: E402
from tests.engine.test_smt_engines import SPECS, system_of  # noqa: E402

MARGIN = 30.0  # seconds past the budget before the child is killed


def _want(system: TransitionSystem) -> tuple[dict[int, tuple[str, int | None]], float]:
    """BFS's answer per goal: (verdict of the goal, shortest run length), and seconds."""
    start = time.perf_counter()
    explicit = bfs.check(system)
    seconds = time.perf_counter() - start
    want: dict[int, tuple[str, int | None]] = {}
    for i, (prop, r) in enumerate(zip(system.properties, explicit.results, strict=True)):
        if prop.expectation in (Expectation.ALWAYS, Expectation.SOMETIMES):
            reached = r.trace is not None
            want[i] = ("reached" if reached else "unreachable",
                       r.trace.length if r.trace else None)  # fmt: skip
    dead = explicit.deadlock
    want[DEADLOCK] = ("reached", dead.length) if dead else ("unreachable", None)
    return want, seconds


def _got(system: TransitionSystem, timeout: float) -> tuple[dict[int, Any], float, float, int]:
    """PDR's answer per goal (as `--engine pdr` asks: the lemma, then every goal under
    one budget), the wall and CPU seconds, and the proved invariants' conjuncts in all."""
    deadline = smt.Deadline(timeout)
    start, cpu = time.perf_counter(), time.process_time()
    got: dict[int, Any] = {}
    conjuncts = 0
    for g, p in prove(system, goals_of(system, check_deadlock=True), deadline).items():
        if p.reach is not None and p.reach.trace is not None:
            got[g] = ("reached", p.reach.trace.length)
        elif p.proved:
            got[g] = ("unreachable", None)
            if p.invariant is not None:
                conjuncts += len(_conjuncts(p.invariant))
        else:
            got[g] = ("unknown", None)
    return got, time.perf_counter() - start, time.process_time() - cpu, conjuncts


def _conjuncts(expr: Any) -> list[Any]:
    from podcheck.report.invariant import conjuncts  # noqa: PLC0415

    return conjuncts(expr)


def _cell(answer: tuple[str, int | None]) -> str:
    kind, n = answer
    return {"reached": f"r{n}", "unreachable": "u", "unknown": "?"}[kind]


def measure(name: str, timeout: float) -> dict[str, Any]:
    """The row of one spec (`name` as `folder/stem`)."""
    system = system_of(ROOT / "specs" / f"{name}.pod")
    want, bfs_s = _want(system)
    got, pdr_s, pdr_cpu, conjuncts = _got(system, timeout)
    decided = {g: a for g, a in got.items() if a[0] != "unknown"}
    wrong = [g for g, a in decided.items() if a != want[g]]
    agree = "NO" if wrong else "yes" if len(decided) == len(got) else "open"
    order = sorted(want, key=lambda g: (g == DEADLOCK, g))
    return {"spec": name, "vars": len(system.vars), "actions": len(system.actions),
            "bfs_s": round(bfs_s, 2), "pdr_s": round(pdr_s, 2), "pdr_cpu": round(pdr_cpu, 2),
            "bfs": " ".join(_cell(want[g]) for g in order),
            "pdr": " ".join(_cell(got[g]) for g in order),
            "agree": agree, "wrong": wrong, "invariant_conjuncts": conjuncts,
            "load": round(os.getloadavg()[0], 1)}  # fmt: skip


def _child(name: str, timeout: float, queue: Any) -> None:
    try:
        queue.put(measure(name, timeout))
    except Exception as err:  # reported as the row's error, the bench goes on
        queue.put({"spec": name, "error": f"{type(err).__name__}: {err}"})


def run(name: str, timeout: float) -> dict[str, Any]:
    """`measure` in a forked process, killed `MARGIN` seconds past the budget."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(name, timeout, queue))
    start = time.perf_counter()
    child.start()
    child.join(timeout + MARGIN + 120)  # BFS of the spec comes first
    if child.is_alive():
        child.kill()
        child.join()
        return {"spec": name, "error": f"killed after {time.perf_counter() - start:.0f} s"}
    return queue.get() if not queue.empty() else {"spec": name, "error": "no answer"}


def _names(args: list[str]) -> list[str]:
    if not args:
        return [f"{p.parent.name}/{p.stem}" for p in SPECS]
    return [a.removeprefix("specs/").removesuffix(".pod") for a in args]


def _line(row: dict[str, Any]) -> str:
    if "error" in row:
        return f"| {row['spec']} | | | | | | | | error: {row['error']} |"
    return (f"| {row['spec']} | {row['vars']}x{row['actions']} | {row['bfs_s']:.2f} | "
            f"{row['pdr_s']:.2f} | {row['pdr_cpu']:.2f} | {row['bfs']} | {row['pdr']} | "
            f"{row['agree']} | {row['invariant_conjuncts']} |")


def main(argv: list[str]) -> None:
    """Print one row per spec and a summary (module doc)."""
    timeout, as_json = 30.0, False
    while argv[:1] and argv[0].startswith("--"):
        if argv[0] == "--json":
            as_json, argv = True, argv[1:]
        elif argv[0] == "--timeout":
            timeout, argv = float(argv[1]), argv[2:]
        else:
            raise SystemExit(f"unknown option {argv[0]}")
    if not as_json:
        print("| spec | vars x actions | bfs s | pdr s | pdr cpu s | bfs | pdr | agree | "
              "inv. conjuncts |")
        print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for name in _names(argv):
        row = run(name, timeout)
        rows.append(row)
        print(json.dumps(row) if as_json else _line(row), flush=True)
    counts = {k: sum(1 for r in rows if r.get("agree") == k) for k in ("yes", "open", "NO")}
    fast = sum(1 for r in rows if r.get("agree") == "yes" and r["pdr_s"] < 3)
    errors = sum(1 for r in rows if "error" in r)
    print(f"{len(rows)} specs: {counts['yes']} agree ({fast} under 3 s), {counts['open']} "
          f"open (PDR undecided within {timeout:.0f} s), {counts['NO']} disagree, "
          f"{errors} errors; PDR {sum(r.get('pdr_s', 0) for r in rows):.0f} s in all")


if __name__ == "__main__":
    main(sys.argv[1:])
