"""Reading manifests: spans, documents, lists, paths, stdin and hostile YAML."""

from __future__ import annotations

import io
import time
from pathlib import Path

from podcheck.diagnostics import codes as c
from podcheck.manifests import ManifestOptions, load_inputs
from podcheck.manifests.objects import collect
from podcheck.manifests.yamlread import MAX_DEPTH, read_yaml

POD = """apiVersion: v1
kind: Pod
metadata:
  name: solo
  annotations: {podcheck.io/outcome.app: runs}
spec:
  containers:
  - name: app
    image: example/app:1
"""


def _codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_spans_are_one_based_lines_and_columns() -> None:
    docs = read_yaml(POD, "pod.yaml")
    assert not docs.diagnostics
    root = docs.documents[0]
    name = root.value["metadata"].value["name"]
    assert (name.span.line, name.span.column) == (4, 9)
    assert root.value["metadata"].keys["name"].column == 3


def test_multi_document_and_list_expand_to_objects() -> None:
    text = POD + "---\n" + "apiVersion: v1\nkind: List\nitems:\n- " + \
        POD.replace("\n", "\n  ").replace("solo", "other").rstrip() + "\n"
    docs = read_yaml(text, "x.yaml")
    objects = collect(docs.documents, ManifestOptions())
    assert [o.name for o in objects.objects] == ["solo", "other"]


def test_python_tag_is_refused_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    assert [d.code for d in read_yaml(text, "x").diagnostics] == [c.UNSAFE_YAML]
    assert not marker.exists()


def test_alias_bomb_ends_fast_with_a_diagnostic() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    started = time.process_time()
    docs = read_yaml("\n".join(lines), "bomb")
    assert [d.code for d in docs.diagnostics] == [c.YAML_TOO_LARGE]
    assert time.process_time() - started < 30  # bounded work, not 10^9 nodes


def test_self_referencing_anchor_and_deep_nesting_are_refused() -> None:
    assert [d.code for d in read_yaml("a: &x [*x]\n", "x").diagnostics] == [c.YAML_TOO_LARGE]
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    assert [d.code for d in read_yaml(deep, "x").diagnostics] == [c.YAML_TOO_LARGE]


def test_duplicate_keys_and_syntax_errors_are_diagnostics() -> None:
    assert _codes(read_yaml("a: 1\na: 2\n", "x")) == [c.YAML_SYNTAX_ERROR]
    bad = read_yaml("a: [1, 2\n", "x")
    assert _codes(bad) == [c.YAML_SYNTAX_ERROR] and bad.diagnostics[0].span is not None


def test_stdin_directory_and_missing_paths(tmp_path: Path) -> None:
    from_stdin = load_inputs(["-"], stdin=io.StringIO(POD))
    assert from_stdin.result.value is not None
    assert from_stdin.result.value.workloads[0].span.file == "<stdin>"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_text(POD.replace("solo", "b"))
    (tmp_path / "a.yaml").write_text(POD.replace("solo", "a"))
    (tmp_path / "notes.txt").write_text("not yaml")
    loaded = load_inputs([str(tmp_path)])
    assert loaded.result.value is not None
    assert [w.name for w in loaded.result.value.workloads] == ["a", "b"]
    assert _codes(load_inputs([str(tmp_path / "nope.yaml")]).result) == [c.NO_MANIFESTS]


def test_owned_replicaset_is_not_counted_twice() -> None:
    rs = """apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-1
  ownerReferences: [{kind: Deployment, name: web, controller: true}]
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}
"""
    objects = collect(read_yaml(rs, "x").documents, ManifestOptions())
    assert [o.kind for o in objects.objects] == ["Deployment"]
    assert [d.code for d in objects.diagnostics] == [c.OWNED_OBJECT_SKIPPED]


def test_policy_v1beta1_is_accepted_before_1_25_only() -> None:
    pdb = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
    docs = read_yaml(pdb, "x").documents
    assert [d.code for d in collect(docs, ManifestOptions()).diagnostics] == [
        c.UNKNOWN_API_VERSION]
    old = ManifestOptions(kubernetes_version=(1, 24))
    assert not collect(docs, old).diagnostics
