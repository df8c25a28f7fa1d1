"""What the fuzz harness found in the YAML reader (bench/fuzz.py, 20 000 inputs): each
reproducer with its expected code and exit status, never a traceback (exit 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.diagnostics import codes
from podcheck.exitcodes import ExitCode
from tests.reliability.helpers import run

POD = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
CONTAINERS"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 2
  selector: {matchLabels: {app: a}}
  strategy: {rollingUpdate: {maxUnavailable: "UNAVAILABLE"}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: a, image: x}]
"""
CASES = {
    # PC206 is a warning, as the API server gives it (pkg/api/pod/warnings.go); the reader
    # once built a template the model could not hold (spec/objects.py asserted unique
    # ports): now the model runs the contention (model/ports.py).
    "port-twice-in-one-container": (POD.replace("CONTAINERS", (
        "  - name: a\n    image: x\n    ports: [{containerPort: 80}, {containerPort: 80}]\n")),
        codes.DUPLICATE_PORT),
    "port-in-two-containers": (POD.replace("CONTAINERS", (
        "  - name: a\n    image: x\n    ports: [{containerPort: 80}]\n"
        "  - name: b\n    image: x\n    ports: [{containerPort: 80}]\n")),
        codes.DUPLICATE_PORT),
    # ValidateRollingUpdateDeployment (pkg/apis/apps/validation/validation.go):
    # IsNotMoreThan100Percent, "must not be greater than 100%".
    "max-unavailable-150%": (DEPLOYMENT.replace("UNAVAILABLE", "150%"), codes.INVALID_FIELD_VALUE),
    # IsValidPercent's regex is [0-9]+%: `str.isdigit` accepted `²`, which `int` refuses.
    "superscript-percent": (DEPLOYMENT.replace("UNAVAILABLE", "²%"), codes.INVALID_FIELD_VALUE),
    "huge-percent": (DEPLOYMENT.replace("UNAVAILABLE", "9" * 5000 + "%"),
                     codes.INVALID_FIELD_VALUE),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fuzz_findings_in_manifests(name: str, tmp_path: Path) -> None:
    text, code = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    out = run("check", path, "--max-states", "50")
    assert code in out.codes
    if code == codes.DUPLICATE_PORT:
        assert out.exit_code not in (ExitCode.INPUT_ERROR, ExitCode.INTERNAL_ERROR)
    else:
        assert out.exit_code == ExitCode.INPUT_ERROR
