"""Issue 15's zero-config options, run as a new user runs them (`podcheck check ...`).

Each option changes what the PC414 note says was assumed and what is checked; the
version-dependent rules: native sidecars from 1.29 (KEP-753, sidecar containers beta
and on by default in 1.29), `unhealthyPodEvictionPolicy` from 1.27 (feature gate
PDBUnhealthyPodEvictionPolicy beta, on by default, in 1.27; GA in 1.31), and
`policy/v1beta1` PodDisruptionBudgets until 1.24 (removed in 1.25).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.diagnostics import codes as c
from podcheck.manifests import ManifestOptions, load_inputs

SPECS = Path(__file__).resolve().parents[2] / "specs" / "manifests"
WEB = SPECS / "web-pdb-min-equals-replicas.yaml"
SIDECAR = SPECS / "job-proxy-native-sidecar.yaml"


def _note(options: ManifestOptions, path: Path = WEB) -> str:
    loaded = load_inputs([str(path)], options)
    note = next(d for d in loaded.result.diagnostics if d.code == c.ZERO_CONFIG_DEFAULTS)
    return note.message + " | " + " ".join(n.message for n in note.notes)


def test_the_defaults_are_three_nodes_rolling_maintenance_one_failure() -> None:
    note = _note(ManifestOptions())
    assert "3 nodes assumed" in note and "(n1, n2, n3)" in note
    assert "rolling maintenance: any node drained, one at a time" in note
    assert "at most 1 node failure" in note
    assert "checks: budget-respected, drain-completes, eventually-ready" in note


@pytest.mark.parametrize(("options", "said"), [
    (ManifestOptions(nodes=5), "5 nodes assumed"),
    (ManifestOptions(failures=0), "at most 0 node failures"),
    (ManifestOptions(failures=2), "at most 2 node failures"),
    (ManifestOptions(concurrent_drains=0), "no drains"),
    (ManifestOptions(concurrent_drains=2), "concurrent drains: any set of nodes drained"),
    (ManifestOptions(checks=("no-deadlock",)), "checks: no-deadlock"),
])
def test_each_option_changes_what_is_assumed(options: ManifestOptions, said: str) -> None:
    assert said in _note(options)


def test_without_drains_drain_completes_is_not_checked() -> None:
    spec = load_inputs([str(WEB)], ManifestOptions(concurrent_drains=0)).result.value
    assert spec is not None and not spec.environment.drain
    assert "drain-completes" not in [p.name for p in spec.properties]


def test_check_runs_only_the_named_checks_and_refuses_unknown_ones() -> None:
    run = CliRunner().invoke(app, ["check", str(WEB), "--nodes", "2", "--failures", "0",
                                   "--check", "budget-respected"])
    assert "budget-respected  always" in run.stdout and "drain-completes  " not in run.stdout
    bad = CliRunner().invoke(app, ["check", str(WEB), "--check", "no-such-check"])
    assert bad.exit_code == 2 and c.UNKNOWN_BUILTIN_CHECK in bad.stdout


def test_native_sidecars_need_1_29() -> None:
    codes = {v: [d.code for d in load_inputs([str(SIDECAR)], ManifestOptions(
        kubernetes_version=v)).result.diagnostics if d.severity.value == "error"]
        for v in ((1, 28), (1, 29))}
    assert codes == {(1, 28): [c.INVALID_FIELD_VALUE], (1, 29): []}


def test_unhealthy_pod_eviction_policy_from_1_27(tmp_path: Path) -> None:
    text = WEB.read_text(encoding="utf-8").replace(
        "  minAvailable: 2\n", "  minAvailable: 2\n  unhealthyPodEvictionPolicy: AlwaysAllow\n")
    path = tmp_path / "web.yaml"
    path.write_text(text, encoding="utf-8")
    for version, policy, warned in (((1, 26), "IfHealthyBudget", True),
                                    ((1, 27), "AlwaysAllow", False),
                                    ((1, 31), "AlwaysAllow", False)):
        loaded = load_inputs([str(path)], ManifestOptions(kubernetes_version=version))
        assert loaded.result.value is not None
        assert str(loaded.result.value.pdbs[0].unhealthyPodEvictionPolicy) == policy, version
        warnings = [d for d in loaded.result.diagnostics if d.code == c.UNMODELLED_FIELD
                    and "unhealthyPodEvictionPolicy" in d.message]
        assert bool(warnings) == warned, version


def test_policy_v1beta1_until_1_24_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(WEB.read_text(encoding="utf-8").replace("policy/v1", "policy/v1beta1"))
    new = CliRunner().invoke(app, ["check", str(path), "--kubernetes-version", "1.25"])
    assert new.exit_code == 2 and "removed in Kubernetes 1.25" in new.stdout
    old = CliRunner().invoke(app, ["check", str(path), "--kubernetes-version", "1.24",
                                   "--nodes", "2", "--failures", "0",
                                   "--check", "drain-completes"])
    assert old.exit_code == 1 and "drain-completes  leads to  violated" in old.stdout


def test_fields_that_change_behaviour_but_are_not_modelled_warn_with_their_path() -> None:
    """Each PC408 names the field's path and points at its key (docs/manifests.md lists
    them); the run goes on, as if the field were absent."""
    data = Path(__file__).parent / "data" / "unmodelled.yaml"
    loaded = load_inputs([str(data)])
    assert loaded.result.ok
    found = {(d.message.split("`")[3], d.span.line) for d in loaded.result.diagnostics
             if d.code == c.UNMODELLED_FIELD and d.span is not None}
    # concurrencyPolicy, startingDeadlineSeconds, podFailurePolicy and a StatefulSet's
    # updateStrategy are modelled (model/cronjob.py, model/job.py, model/statefulset.py)
    assert found == {
        ("spec.template.spec.priorityClassName", 33),
        ("spec.template.spec.containers[0].lifecycle.postStart", 37), ("spec.behavior", 47),
        ("spec.minReadySeconds", 54)}
