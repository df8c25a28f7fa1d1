"""`import "k8s/app.yaml"` in a `.pod` spec: the manifests' objects join the spec."""

from __future__ import annotations

from pathlib import Path

from podcheck.diagnostics import codes as c
from podcheck.lang.check import load_with_sources
from podcheck.manifests import load_inputs
from podcheck.spec import WorkloadKind

SHOP = Path(__file__).resolve().parents[2] / "specs" / "manifests" / "shop"
ENV = """
cluster {
  node n1 {}
  node n2 {}
}
environment { drain: [n1, n2] }
check drain-completes
"""


def _spec(tmp_path: Path, head: str, body: str = ENV, name: str = "app.pod"):
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return load_with_sources(str(path))


def _copy_shop(tmp_path: Path) -> Path:
    k8s = tmp_path / "k8s"
    k8s.mkdir()
    for f in SHOP.glob("*.yaml"):
        (k8s / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return k8s


def test_a_yaml_file_becomes_the_specs_objects(tmp_path: Path) -> None:
    _copy_shop(tmp_path)
    loaded = _spec(tmp_path, 'import "k8s/db.yaml"\n')
    spec = loaded.result.value
    assert spec is not None, loaded.result.diagnostics
    assert [(w.kind, w.name) for w in spec.workloads] == [(WorkloadKind.STATEFULSET, "db")]
    assert [p.name for p in spec.pdbs] == ["db"] and [n.name for n in spec.nodes] == ["n1", "n2"]
    assert spec.workloads[0].span.file.endswith("k8s/db.yaml")  # findings point at the YAML
    assert any(name.endswith("k8s/db.yaml") for name in loaded.sources)
    alone = load_inputs([str(tmp_path / "k8s" / "db.yaml")], objects_only=True).result.value
    assert alone is not None
    assert [w.template for w in alone.workloads] == [w.template for w in spec.workloads]


def test_a_folder_imports_every_manifest_in_it(tmp_path: Path) -> None:
    _copy_shop(tmp_path)
    spec = _spec(tmp_path, 'import "k8s"\n').result.value
    assert spec is not None
    assert [w.name for w in spec.workloads] == ["db", "migrate", "web"]
    assert sorted(p.name for p in spec.pdbs) == ["db", "web"]


def test_a_name_in_both_is_a_duplicate(tmp_path: Path) -> None:
    _copy_shop(tmp_path)
    extra = 'pdb db { selector: { app: "db" }  minAvailable: 0 }\n'
    loaded = _spec(tmp_path, 'import "k8s/db.yaml"\n' + extra)
    assert loaded.result.value is None
    assert c.DUPLICATE_NAME in [d.code for d in loaded.result.diagnostics]


def test_errors_in_the_yaml_point_into_it(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\nspec: !!python/name:os.system\n")
    loaded = _spec(tmp_path, 'import "bad.yaml"\n')
    assert loaded.result.value is None
    bad = [d for d in loaded.result.diagnostics if d.code == c.UNSAFE_YAML]
    assert bad and bad[0].span is not None and bad[0].span.file.endswith("bad.yaml")
    assert bad[0].span.line == 3


def test_a_missing_yaml_is_a_missing_import(tmp_path: Path) -> None:
    loaded = _spec(tmp_path, 'import "k8s/nope.yaml"\n')
    assert [d.code for d in loaded.result.diagnostics] == [c.IMPORT_NOT_FOUND]


def test_an_imported_yaml_without_nodes_uses_the_specs_cluster(tmp_path: Path) -> None:
    _copy_shop(tmp_path)
    loaded = _spec(tmp_path, 'import "k8s/web.yaml"\n',
                   body=ENV.replace("node n2 {}", "node n2 {}\n  node n3 {}"))
    spec = loaded.result.value
    assert spec is not None and [n.name for n in spec.nodes] == ["n1", "n2", "n3"]
    assert not spec.environment.nodeFailures  # the spec says the environment
