"""`podcheck tune`, `fit` and `counts` on manifests, with `check`'s manifest options
(`--nodes`, `--failures`, `--concurrent-drains`, `--check`, `--kubernetes-version`)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from podcheck.cli import app

ROOT = Path(__file__).resolve().parents[2]
HPA = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {podcheck.io/outcome.app: runs}
    spec:
      containers: [{name: app, image: nginx:1.27}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-pdb}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 1000
"""
CHECKS = ["--check", "budget-respected", "--check", "drain-completes"]


def _write(tmp_path: Path, text: str = HPA) -> str:
    path = tmp_path / "web.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_counts_proves_an_autoscalers_whole_range_beyond_the_points_check_enumerates(tmp_path):
    """minReplicas..maxReplicas 2..1000 (`check` would check minReplicas alone): the
    counter proofs cover every count, with the manifests' rolling maintenance of --nodes."""
    out = CliRunner().invoke(app, ["counts", _write(tmp_path), "--nodes", "2",
                                   "--failures", "0", *CHECKS, "--timeout", "120"])
    assert out.exit_code == 0, out.output
    assert "property `budget-respected` holds for every replicas in 2..1 000" in out.stdout
    assert "property `drain-completes` holds for every replicas in 2..1 000" in out.stdout
    assert "on 2 nodes, maxUnavailable 1, drain n1, n2 one at a time" in out.stdout


def test_counts_takes_a_budget_range_annotation_next_to_the_replica_range(tmp_path):
    """maxUnavailable "0-1" (bounded by the autoscaler's replicas 2..6): two budget
    classes; at maxUnavailable 0 no eviction is ever allowed and the drain is stuck from
    the smallest count, at 1 it completes at every count (NOTE(counter-budget-range))."""
    text = HPA.replace("metadata: {name: web-pdb}", "metadata:\n  name: web-pdb\n  "
                       "annotations: {podcheck.io/range.maxUnavailable: \"0-1\"}").replace(
                       "maxReplicas: 1000", "maxReplicas: 6")  # fmt: skip
    out = CliRunner().invoke(app, ["counts", _write(tmp_path, text), "--nodes", "2",
                                   "--failures", "0", *CHECKS, "--timeout", "120"])
    assert out.exit_code == 1, out.output
    assert ("property `drain-completes` violated: fails first at replicas = 2, "
            "maxUnavailable = 0") in out.stdout
    assert "  maxUnavailable 1: holds for every replicas in 2..6" in out.stdout
    assert "2 budget classes" in out.stdout


def test_counts_refuses_a_probe_range_annotation_next_to_the_replica_range(tmp_path):
    text = HPA.replace("annotations: {podcheck.io/outcome.app: runs}",
                       "annotations: {podcheck.io/outcome.app: runs, "
                       "podcheck.io/range.app.readinessProbe.periodSeconds: \"1-2\"}").replace(
                       "image: nginx:1.27}", "image: nginx:1.27, readinessProbe: "
                       "{httpGet: {path: /, port: 80}}}")  # fmt: skip
    out = CliRunner().invoke(app, ["counts", _write(tmp_path, text), "--nodes", "2", *CHECKS])
    assert out.exit_code == 2, out.output
    assert "PC504" in out.stderr and "takes two ranges" in out.stderr


def test_fit_reads_manifests_with_the_failures_given():
    """init-memory-fits-no-node.yaml (two Node objects): `--failures 0` leaves the
    scenario with every node; the default (one failure) adds one per node lost."""
    spec = str(ROOT / "specs" / "manifests" / "init-memory-fits-no-node.yaml")
    runner = CliRunner()
    none = runner.invoke(app, ["fit", spec, "--failures", "0", "--concurrent-drains", "0"])
    one = runner.invoke(app, ["fit", spec, "--concurrent-drains", "0"])
    assert "with every node: does not fit" in none.stdout
    assert "without worker-1" not in none.stdout
    assert "without worker-1: does not fit" in one.stdout


def test_a_bad_kubernetes_version_is_an_input_error_for_tune(tmp_path):
    out = CliRunner().invoke(app, ["tune", _write(tmp_path), "--param", "replicas",
                                   "--kubernetes-version", "2.0"])
    assert out.exit_code == 2
    assert "--kubernetes-version 2.0" in out.stderr
