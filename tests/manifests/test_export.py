"""`podcheck import`: the written `.pod` spec checks to the same spec and verdicts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file
from podcheck.lang.check import load
from podcheck.manifests import ManifestOptions, load_inputs
from podcheck.manifests.export import import_text

SPECS = Path(__file__).resolve().parents[2] / "specs" / "manifests"
CASES = ["web-pdb-min-equals-replicas", "job-proxy-native-sidecar", "kubectl-list",
         "helm-output", "slow-java-with-startup-probe", "init-memory-fits-no-node",
         "anti-affinity-zone-spread", "statefulset-max-unavailable", "shop"]
OPTIONS = ManifestOptions(nodes=2, failures=0)


@pytest.mark.parametrize("name", CASES)
def test_import_checks_to_an_equal_spec(name: str, tmp_path: Path) -> None:
    path = str(SPECS / name if name == "shop" else SPECS / f"{name}.yaml")  # shop/: a folder
    imported = import_text([path], OPTIONS)
    assert imported.text is not None
    out = tmp_path / "app.pod"
    out.write_text(imported.text)
    from_dsl = load(str(out))
    assert from_dsl.ok and from_dsl.value is not None, from_dsl.diagnostics
    from_yaml = load_inputs([path], OPTIONS).result.value
    assert from_yaml is not None
    if name != "helm-output":  # NOTE(dsl-names): its label keys are renamed
        assert replace(from_dsl.value, path="") == replace(from_yaml, path="")


def test_import_gives_the_same_verdicts(tmp_path: Path) -> None:
    path = str(SPECS / "web-pdb-min-equals-replicas.yaml")
    opts = ManifestOptions(nodes=2, failures=0, checks=("drain-completes",))
    out = tmp_path / "app.pod"
    text = import_text([path], opts).text
    assert text is not None
    out.write_text(text)
    options = CheckOptions(manifests=opts)
    verdicts = [[r.verdict for r in check_file(p, options).result.results]
                for p in (path, str(out))]
    assert verdicts[0] == verdicts[1] and verdicts[0]
