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


def _behavior(spec, workload: str, container: str):
    w = next(w for w in spec.workloads if w.name == workload)
    return next(x for x in (*w.template.initContainers, *w.template.containers)
                if x.name == container).behavior


def test_behavior_of_sets_the_fields_it_names_over_the_manifests(tmp_path: Path) -> None:
    """Issue 15: `behavior-of` gives an imported container the behaviour YAML cannot
    say; the fields it does not name keep what the manifests gave (crash once)."""
    _copy_shop(tmp_path)
    loaded = _spec(tmp_path, 'import "k8s"\nbehavior-of web {\n'
                   '  container nginx { startup: 20s..30s }\n}\n'
                   'behavior-of migrate { container migrate { outcome: fails  exitCode: 3 } }\n')
    spec = loaded.result.value
    assert spec is not None, loaded.result.diagnostics
    web = _behavior(spec, "web", "nginx")
    assert (web.startup.lo.seconds, web.startup.hi.seconds, web.crashes) == (20, 30, 1)
    assert web.span.file.endswith("app.pod")
    job = _behavior(spec, "migrate", "migrate")
    assert (job.outcome.value, job.exit_code) == ("fails", 3)
    plain = _spec(tmp_path, 'import "k8s"\n', name="plain.pod").result.value
    assert plain is not None
    assert _behavior(plain, "db", "postgres") == _behavior(spec, "db", "postgres")


def test_behavior_of_unknown_names_point_into_both_files(tmp_path: Path) -> None:
    _copy_shop(tmp_path)
    loaded = _spec(tmp_path, 'import "k8s/web.yaml"\nbehavior-of web {\n'
                   '  container ngnix { crashes: 0 }\n}\n'
                   'behavior-of wbe { container nginx { crashes: 0 } }\n')
    found = [d for d in loaded.result.diagnostics if d.code == c.UNKNOWN_IMPORTED_OBJECT]
    assert [(d.span.line, d.help) for d in found] == [(3, "did you mean `nginx`?"),
                                                     (5, "did you mean `web`?")]
    for d in found:
        assert d.span.file.endswith("app.pod")
        assert d.notes[0].span is not None and d.notes[0].span.file.endswith("k8s/web.yaml")
        assert d.notes[0].span.line == 5  # the Deployment's metadata.name


def test_behavior_of_without_imported_manifests(tmp_path: Path) -> None:
    loaded = _spec(tmp_path, 'behavior-of web { container app { crashes: 0 } }\n')
    found = [d for d in loaded.result.diagnostics if d.code == c.UNKNOWN_IMPORTED_OBJECT]
    assert len(found) == 1 and found[0].help is not None and "import" in found[0].help
