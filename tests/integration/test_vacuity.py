"""PC503: a declared disruption that no reachable state enables (issue 14 item 1)."""

from __future__ import annotations

from pathlib import Path

from podcheck.check import CheckOptions, check_file
from podcheck.diagnostics import Severity, codes

SPECS = Path(__file__).resolve().parents[2] / "specs" / "disruptions"


def _codes(path: Path, options: CheckOptions) -> list[str]:
    run = check_file(str(path), options)
    return [d.code for d in run.diagnostics]


def test_once_settled_with_a_pod_that_never_schedules_is_vacuous():
    run = check_file(str(SPECS / "drain-unschedulable-once-settled.pod"), CheckOptions())
    warnings = [d for d in run.diagnostics if d.code == codes.VACUOUS_DISRUPTION]
    assert [d.severity for d in warnings] == [Severity.WARNING]
    assert run.vacuous == ("drain",)


def test_from_start_the_same_cluster_is_not_vacuous():
    for name in ("drain-unschedulable-from-start.pod", "node-failure-from-start.pod"):
        run = check_file(str(SPECS / name), CheckOptions())
        assert codes.VACUOUS_DISRUPTION not in [d.code for d in run.diagnostics]
        assert run.vacuous == ()


def test_a_search_cut_short_reports_no_vacuity():
    path = SPECS / "node-failure-once-settled.pod"
    assert codes.VACUOUS_DISRUPTION in _codes(path, CheckOptions())
    assert codes.VACUOUS_DISRUPTION not in _codes(path, CheckOptions(max_states=2))


def test_the_probes_do_not_leak_into_the_results():
    run = check_file(str(SPECS / "node-failure-once-settled.pod"), CheckOptions())
    assert run.result is not None
    assert [r.name for r in run.result.results] == ["recovers-after-failure", "no-deadlock"]
    assert [p.name for p in run.result.system.properties] == ["recovers-after-failure",
                                                             "no-deadlock"]
