"""report/binpack.py: `fit` names each workload's effective requests (issue 12, item 5:
"the pods' effective requests (init containers and sidecars included)")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.report.binpack import quantity

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("resource", "value", "shown"), [
    ("cpu", Decimal("0.85"), "850m"), ("cpu", Decimal("2"), "2"),
    ("cpu", Decimal("0.0005"), "0.5m"),
    ("memory", Decimal(320 * 2**20), "320Mi"), ("memory", Decimal(3 * 2**30), "3Gi"),
    ("memory", Decimal(1000), "1000"), ("pods", Decimal(0), "0"),
])  # fmt: skip
def test_a_quantity_reads_as_kubernetes_writes_it(resource, value, shown):
    assert quantity(resource, value) == shown


def test_fit_names_the_effective_requests_with_init_containers_and_sidecars():
    """fit-drain.pod: the init container `migrate` (600m, 128Mi) runs with the sidecar
    `log-shipper` (250m, 64Mi) started before it, the app (500m, 256Mi) with the sidecar:
    PodRequests takes the larger phase per resource, 850m cpu and 320Mi memory."""
    out = CliRunner().invoke(app, ["fit", str(ROOT / "specs" / "symbolic" / "fit-drain.pod")])
    assert out.exit_code == 1, out.stdout
    assert out.stdout.splitlines()[1] == (
        "  effective requests (init containers and sidecars included): web 850m cpu, "
        "320Mi memory")
