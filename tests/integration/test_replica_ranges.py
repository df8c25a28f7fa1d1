"""Replica ranges (issue 11, item 5; NOTE(per-count-runs)): the counts a range run names
agree with a run of the same spec at each fixed count, the combined table sums the
runs' states, and an HPA's range becomes one point spec per count."""

from __future__ import annotations

from pathlib import Path

from podcheck.check import CheckOptions, check_file
from podcheck.engine.result import CountVerdicts, Verdict
from podcheck.manifests import load_inputs
from podcheck.replica_ranges import per_count, replica_params
from podcheck.report.params import counts_line, values_words

ROOT = Path(__file__).resolve().parents[2]
DRAIN = ROOT / "specs" / "symbolic" / "replicas-drain.pod"


def test_each_count_agrees_with_a_run_at_that_fixed_count(tmp_path: Path) -> None:
    ranged = check_file(str(DRAIN), CheckOptions())
    assert ranged.result is not None
    text = DRAIN.read_text(encoding="utf-8")
    states = 0
    for count in (1, 2, 3):
        one = tmp_path / f"at{count}.pod"
        one.write_text(text.replace("replicas: 1..3", f"replicas: {count}"), encoding="utf-8")
        fixed = check_file(str(one), CheckOptions())
        assert fixed.result is not None
        states += fixed.result.stats.states
        for mine, theirs in zip(ranged.result.results, fixed.result.results, strict=True):
            (c,) = mine.counts
            where = {Verdict.VIOLATED: c.failing, Verdict.HOLDS: c.holding}
            assert count in where[theirs.verdict], (mine.name, count)
    assert ranged.result.stats.states == states
    drain = ranged.result.results[1]
    assert drain.verdict is Verdict.VIOLATED and drain.counts[0].shown == 1
    assert drain.trace is not None and drain.trace.system.name  # the count-1 run


def test_an_hpa_range_is_a_replica_parameter_with_one_point_per_count() -> None:
    loaded = load_inputs([str(ROOT / "specs" / "manifests" / "hpa-range.yaml")])
    spec = loaded.result.value
    assert spec is not None
    assert [(p.name, p.lo, p.hi) for p in spec.params] == [("web.replicas", 1, 3)]
    assert replica_params(spec) == (0,) and per_count(spec, "bfs")
    assert not per_count(spec, "pdr")  # the symbolic engines prove the merged range
    assert [(point, i.workloads[0].replicas) for point, i in spec.instances] == [
        ((1,), 1), ((2,), 2), ((3,), 3)]


def test_count_words() -> None:
    assert values_words((2,)) == "2"
    assert values_words((2, 3)) == "2 and 3"
    assert values_words((1, 4, 6)) == "1, 4 and 6"
    assert values_words((2, 3, 4, 5, 7)) == "2..5 and 7"

    line = counts_line(CountVerdicts("replicas", (2, 3), (4, 5, 6, 7, 8, 9, 10), shown=2))
    assert line == ("fails at replicas 2 and 3, holds at 4..10 "
                    "(one bfs run per count; the run shown is at replicas 2)")
