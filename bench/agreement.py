"""BFS against every symbolic engine (bmc, kind, pdr) on every spec (issue 12 item 2).

Run from the repository root (CPU heavy: one process at a time, `nice -n 10`):
`python bench/agreement.py [--budget S] [--depth K] [--json FILE] [SPEC ...]`
(SPEC: `seed/12-drain-pdb`, a path to a `.pod` or `.yaml`; default every `*.pod` of
specs/ and every YAML manifest the agreement test reads,
`tests/engine/test_smt_engines.MANIFESTS`).

Every spec that compiles to one transition system (the test's `SPECS` and `MANIFESTS`;
a replica range `check` runs one count at a time gives one system per count, its first
`FIRST_COUNTS` counts, as `test_bmc_agrees_with_bfs_per_count`) runs in a fresh forked
process, killed when the engines' budgets and a margin are past.  BFS first: per safety
goal (every `always` / `sometimes` property, and the deadlock) its verdict and shortest
run.  Then, each engine under its own budget of `--budget` seconds (default 15, wall
clock as `--timeout`; the CPU seconds are in the `--json` rows):
- bmc to the longest of BFS's shortest runs when some goal is reached, else to `--depth`
  steps (default 20);
- kind to the same depth;
- pdr, unbounded.
A spec outside that set is one row saying why (`counts`, an input error, `parse`).

One row per spec and goal: BFS's verdict and length (`violated 3`, `holds`, `holds 2`
for a witness of `sometimes`, `deadlock 4` / `no deadlock`), each engine's answer in the
same words or `unknown(...)` with the reason (`no run within K`, `not k-inductive for
k <= K`, Z3's reason), and the row's agreement:
- `DISAGREE`: an engine's decided answer (a run, a proof) differs from BFS's, or BMC
  found no run within a depth at which BFS has one (a bug, never tolerated);
- `agree`: no disagreement and at least one engine decided the goal (`pdr` below
  counts the rows PDR decided itself);
- `undecided`: no disagreement, no engine decided.
The summary line counts the rows of each kind, the specs, and the load average.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from podcheck.check import CheckOptions, load_and_compile  # noqa: E402
from podcheck.engine import bfs, smt  # noqa: E402
from podcheck.engine.bmc import search  # noqa: E402
from podcheck.engine.kind import induct  # noqa: E402
from podcheck.engine.pdr import prove  # noqa: E402
from podcheck.engine.result import SolverUnknown  # noqa: E402
from podcheck.engine.symbolic import DEADLOCK, goals_of  # noqa: E402
from podcheck.ir import Expectation, TransitionSystem  # noqa: E402
from podcheck.lang.check import load  # noqa: E402
from podcheck.model.compile import compile_spec  # noqa: E402
from podcheck.suitefile import options_of, target  # noqa: E402
from tests.engine.test_smt_engines import (  # noqa: E402
    FIRST_COUNTS,
    MANIFESTS,
    PER_COUNT_SPECS,
    SPECS,
)

MARGIN = 60.0  # seconds past the three budgets (and BFS) before the child is killed
BFS_ALLOWANCE = 300.0  # what BFS of one spec may take before the kill


@dataclass(frozen=True, slots=True)
class Answer:
    """One engine's answer for one goal: reached in `length` steps, proved unreachable,
    or neither (`why`)."""

    reached: int | None = None
    proved: bool = False
    why: str = ""
    bound: int | None = None  # BMC: no run within this many steps

    @property
    def decided(self) -> bool:
        """A run or a proof."""
        return self.reached is not None or self.proved


def _unknown(u: SolverUnknown | None, otherwise: str) -> str:
    return otherwise if u is None else f"{u.solver.value} at {u.at}: {u.z3_reason}"


def _bfs(system: TransitionSystem) -> dict[int, Answer]:
    explicit = bfs.check(system)
    out: dict[int, Answer] = {}
    for i, (prop, r) in enumerate(zip(system.properties, explicit.results, strict=True)):
        if prop.expectation in (Expectation.ALWAYS, Expectation.SOMETIMES):
            out[i] = Answer(r.trace.length) if r.trace else Answer(proved=True)
    dead = explicit.deadlock
    out[DEADLOCK] = Answer(dead.length) if dead else Answer(proved=True)
    return out


def _bmc(system: TransitionSystem, depth: int, budget: float) -> dict[int, Answer]:
    found = search(system, goals_of(system, check_deadlock=True), depth, smt.Deadline(budget))
    return {g: Answer(r.trace.length) if r.trace else
            Answer(why=_unknown(r.unknown, f"no run within {r.depth}"), bound=r.depth)
            for g, r in found.items()}  # fmt: skip


def _kind(system: TransitionSystem, depth: int, budget: float) -> dict[int, Answer]:
    decided = induct(system, goals_of(system, check_deadlock=True), depth, smt.Deadline(budget))
    out = {}
    for g, d in decided.items():
        if d.k is not None:
            out[g] = Answer(proved=True)
        elif d.reach is not None and d.reach.trace is not None:
            out[g] = Answer(d.reach.trace.length)
        else:
            out[g] = Answer(why=_unknown(d.unknown, f"not k-inductive for k <= {depth}"))
    return out


def _pdr(system: TransitionSystem, budget: float) -> dict[int, Answer]:
    proofs = prove(system, goals_of(system, check_deadlock=True), smt.Deadline(budget))
    out = {}
    for g, p in proofs.items():
        if p.reach is not None and p.reach.trace is not None:
            out[g] = Answer(p.reach.trace.length)
        elif p.proved:
            out[g] = Answer(proved=True)
        else:
            missing = "reachable, run not rebuilt" if p.run_missing else "no answer"
            out[g] = Answer(why=_unknown(p.unknown, missing))
    return out


def _timed(run: Callable[[], dict[int, Answer]]) -> tuple[dict[int, Answer], float]:
    cpu = time.process_time()
    answers = run()
    return answers, round(time.process_time() - cpu, 2)


def _words(system: TransitionSystem, g: int, a: Answer) -> str:
    """`a` in a verdict's words for goal `g` (module doc)."""
    if not a.decided:
        return f"unknown({a.why})"
    if g == DEADLOCK:
        return f"deadlock {a.reached}" if a.reached is not None else "no deadlock"
    always = system.properties[g].expectation is Expectation.ALWAYS
    if a.reached is not None:
        return f"{'violated' if always else 'holds'} {a.reached}"
    return "holds" if always else "violated"


def _agreement(want: Answer, got: list[Answer]) -> str:
    for a in got:
        if a.decided and (a.reached, a.proved) != (want.reached, want.proved):
            return "DISAGREE"
        if a.bound is not None and want.reached is not None and want.reached <= a.bound:
            return "DISAGREE"  # BMC refuted a depth at which BFS has a run
    return "agree" if any(a.decided for a in got) else "undecided"


def measure(label: str, system: TransitionSystem, budget: float, depth: int
            ) -> list[dict[str, Any]]:  # fmt: skip
    """The rows of one system (module doc)."""
    cpu = time.process_time()
    want = _bfs(system)
    bfs_cpu = round(time.process_time() - cpu, 2)
    lengths = [a.reached for a in want.values() if a.reached is not None]
    k = max(lengths) if lengths else depth
    bmc, bmc_cpu = _timed(lambda: _bmc(system, k, budget))
    kind, kind_cpu = _timed(lambda: _kind(system, k, budget))
    pdr, pdr_cpu = _timed(lambda: _pdr(system, budget))
    rows = []
    for g in sorted(want, key=lambda g: (g == DEADLOCK, g)):
        got = [bmc[g], kind[g], pdr[g]]
        name = "deadlock" if g == DEADLOCK else system.properties[g].name
        rows.append({
            "spec": label, "goal": name, "bfs": _words(system, g, want[g]),
            "bmc": _words(system, g, bmc[g]), "kind": _words(system, g, kind[g]),
            "pdr": _words(system, g, pdr[g]), "agreement": _agreement(want[g], got),
            "pdr_decided": pdr[g].decided, "depth": k,
            "cpu": {"bfs": bfs_cpu, "bmc": bmc_cpu, "kind": kind_cpu, "pdr": pdr_cpu},
            "size": f"{len(system.vars)}x{len(system.actions)}",
            "load": round(os.getloadavg()[0], 1),
        })  # fmt: skip
    return rows


@dataclass(frozen=True, slots=True)
class Job:
    """One system to compare: a spec (or one count of it) and how to compile it."""

    label: str
    path: Path
    count: int | None = None  # the index of the count, for a spec run per count


def _system(job: Job) -> TransitionSystem:
    if job.count is not None:
        spec = load(str(job.path)).value
        assert spec is not None
        system = compile_spec(spec.instances[job.count][1]).value
    elif job.path.suffix == ".yaml":  # its header's options, as `podcheck test` reads them
        options = options_of(target(str(job.path)), CheckOptions())
        assert isinstance(options, CheckOptions), options
        system = load_and_compile(str(job.path), options)[0].value
    else:  # as the agreement test compiles it (`tune`: the merged system of its points)
        system = load_and_compile(str(job.path), CheckOptions())[0].value
    assert system is not None, job.label
    return system


def _child(job: Job, budget: float, depth: int, queue: Any) -> None:
    try:
        queue.put(measure(job.label, _system(job), budget, depth))
    except Exception as err:  # reported as the row's error, the bench goes on
        queue.put([{"spec": job.label, "error": f"{type(err).__name__}: {err}"}])


def run(job: Job, budget: float, depth: int) -> list[dict[str, Any]]:
    """`measure` in a forked process, killed past the budgets (module doc)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(job, budget, depth, queue))
    start = time.perf_counter()
    child.start()
    child.join(3 * budget + MARGIN + BFS_ALLOWANCE)
    if child.is_alive():
        child.kill()
        child.join()
        return [{"spec": job.label, "error": f"killed after {time.perf_counter() - start:.0f} s"}]
    return queue.get() if not queue.empty() else [{"spec": job.label, "error": "no answer"}]


def _label(path: Path) -> str:
    return f"{path.parent.name}/{path.name if path.suffix == '.yaml' else path.stem}"


def _why_not(path: Path) -> str:
    """Why a spec of specs/ is not compared (tests/engine/test_smt_engines.py)."""
    head = path.read_text().splitlines()[0]
    expected = path.with_suffix(".expected")
    if expected.exists() and expected.read_text().endswith("exit: 2\n"):
        return "an input error (exit 2): no system"
    command = head.removeprefix("# PODCHECK: ").split()[0] if head.startswith("#") else "?"
    return {"counts": "counts: replicas beyond 256 points, compared in tests/engine/"
                      "test_counts.py", "parse": "parse: a golden of the imports"}.get(
        command, f"`{command}`: not one transition system")  # fmt: skip


def jobs(args: list[str]) -> tuple[list[Job], list[dict[str, Any]]]:
    """The systems to compare and the rows of the specs left out (module doc)."""
    read = set(SPECS) | set(MANIFESTS)
    if args:
        paths = [Path(a) if Path(a).exists() else ROOT / "specs" / f"{a}.pod" for a in args]
    else:
        paths = sorted((ROOT / "specs").glob("*/*.pod")) + list(MANIFESTS)
    out, skipped = [], []
    for p in (p.resolve() for p in paths):
        if p in read:
            out.append(Job(_label(p), p))
        elif p in PER_COUNT_SPECS:
            spec = load(str(p)).value
            n = len(spec.instances) if spec is not None else 0
            out += [Job(f"{_label(p)}[{i}]", p, i) for i in range(min(n, FIRST_COUNTS))]
        else:
            skipped.append({"spec": _label(p), "skipped": _why_not(p)})
    return out, skipped


def _line(row: dict[str, Any]) -> str:
    if "error" in row:
        return f"| {row['spec']} | | | | | | error: {row['error']} |"
    if "skipped" in row:
        return f"| {row['spec']} | | | | | | not compared: {row['skipped']} |"
    return (f"| {row['spec']} | {row['goal']} | {row['bfs']} | {row['bmc']} | {row['kind']} "
            f"| {row['pdr']} | {row['agreement']} |")


def main(argv: list[str]) -> None:
    """Print one row per spec and goal and a summary (module doc)."""
    budget, depth, out = 15.0, 20, None
    while argv[:1] and argv[0].startswith("--"):
        option, value, argv = argv[0], argv[1], argv[2:]
        if option == "--budget":
            budget = float(value)
        elif option == "--depth":
            depth = int(value)
        elif option == "--json":
            out = Path(value).open("w")  # noqa: SIM115
        else:
            raise SystemExit(f"unknown option {option}")
    todo, skipped = jobs(argv)
    print("| spec | goal | bfs | bmc | kind | pdr | agreement |\n|---|---|---|---|---|---|---|")
    rows: list[dict[str, Any]] = []
    start, load0 = time.perf_counter(), os.getloadavg()[0]
    for job in todo:
        for row in run(job, budget, depth):
            rows.append(row)
            print(_line(row), flush=True)
            if out is not None:
                print(json.dumps(row), file=out, flush=True)
    for row in skipped:
        print(_line(row))
    counts = {k: sum(1 for r in rows if r.get("agreement") == k)
              for k in ("agree", "undecided", "DISAGREE")}  # fmt: skip
    pdr = sum(1 for r in rows if r.get("pdr_decided"))
    errors = sum(1 for r in rows if "error" in r)
    print(f"{len(todo)} systems, {len(rows) - errors} goals: {counts['agree']} agree "
          f"({pdr} decided by pdr), {counts['undecided']} undecided, {counts['DISAGREE']} "
          f"disagree; {errors} errors; {len(skipped)} specs not compared; budget "
          f"{budget:.0f} s per engine; {time.perf_counter() - start:.0f} s, load "
          f"{load0:.1f} -> {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
