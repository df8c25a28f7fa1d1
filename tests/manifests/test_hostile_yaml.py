"""Malicious YAML ends in a clear diagnostic: never a traceback, a hang or code execution.

One case per attack (NOTE(hostile-yaml) in podcheck/manifests/yamlread.py): Python tags
of every form, other language tags, merge keys, alias bombs and self-references, deep
nesting, inputs over 8 MiB from a file and from stdin, and documents with too many nodes,
through the library and through `podcheck check` (exit 2, the code on stdout).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.diagnostics import codes as c
from podcheck.manifests import yamlread
from podcheck.manifests.yamlread import MAX_BYTES, MAX_NODES, read_yaml

PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/object:os.system {{}}",
    "!!python/name:os.system",
    "!!python/module:os",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
]


def _bomb(levels: int = 9) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    names = "abcdefghijklmnop"
    for prev, name in zip(names[:levels - 1], names[1:levels], strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_python_tags_are_refused_and_never_run(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {tag.format(marker=marker)}\n"
    assert [d.code for d in read_yaml(text, "x.yaml").diagnostics] == [c.UNSAFE_YAML]
    result = CliRunner().invoke(app, ["check", "-"], input=text)
    assert result.exit_code == 2 and "PC402" in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not marker.exists()


@pytest.mark.parametrize("text", ["a: !Ref x\n", "a: !!set {x}\n", "a: !!omap [b: 1]\n",
                                  "a: &a {x: 1}\nb: {<<: *a}\n"])
def test_other_tags_and_merge_keys_are_refused(text: str) -> None:
    assert [d.code for d in read_yaml(text, "x").diagnostics] == [c.UNSAFE_YAML]


def test_alias_bomb_is_refused_through_the_cli() -> None:
    result = CliRunner().invoke(app, ["check", "-"], input=_bomb())
    assert result.exit_code == 2 and "PC403" in result.stdout
    assert f"more than {MAX_NODES} nodes" in result.stdout


def test_self_reference_and_undefined_alias() -> None:
    assert [d.code for d in read_yaml("a: &x {b: *x}\n", "x").diagnostics] == [
        c.YAML_TOO_LARGE]
    assert [d.code for d in read_yaml("a: *nowhere\n", "x").diagnostics] == [
        c.YAML_SYNTAX_ERROR]


def test_input_over_the_size_limit_from_a_file_and_stdin(tmp_path: Path) -> None:
    text = "a: " + "x" * (MAX_BYTES + 1) + "\n"
    big = tmp_path / "big.yaml"
    big.write_text(text, encoding="utf-8")
    for args, stdin in ((["check", str(big)], None), (["check", "-"], text)):
        result = CliRunner().invoke(app, args, input=stdin)
        assert result.exit_code == 2 and "PC403" in result.stdout, args
        assert "larger than 8 MiB" in result.stdout


def test_a_document_with_too_many_nodes_is_refused_while_composing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused where the count passes the budget, not after composing the rest (the
    budget is lowered here to keep the test fast; the rule is the same)."""
    monkeypatch.setattr(yamlread, "MAX_NODES", 2000)
    text = "- 1\n" * 100_000
    for loader in {yamlread._LOADER, yamlread._PyLoader}:
        read = yamlread._read(text, "wide.yaml", loader)
        assert [d.code for d in read.diagnostics] == [c.YAML_TOO_LARGE]
        span = read.diagnostics[0].span
        assert span is not None and span.line == 2000  # where it passed the budget


def test_syntax_errors_read_the_same_with_or_without_libyaml() -> None:
    text = "apiVersion: v1\nkind: Pod\n  metadata: {}\n"
    fast = read_yaml(text, "x").diagnostics
    slow = yamlread._read(text, "x", yamlread._PyLoader).diagnostics
    assert [(d.code, d.message, d.span) for d in fast] == \
        [(d.code, d.message, d.span) for d in slow]
    assert fast[0].code == c.YAML_SYNTAX_ERROR


def test_both_loaders_compose_the_same_trees() -> None:
    text = (ROOT_SHOP / "web.yaml").read_text(encoding="utf-8")
    fast = yamlread._read(text, "web.yaml", yamlread._LOADER)
    slow = yamlread._read(text, "web.yaml", yamlread._PyLoader)
    assert [d.plain() for d in fast.documents] == [d.plain() for d in slow.documents]
    assert [d.span for d in fast.documents] == [d.span for d in slow.documents]


ROOT_SHOP = Path(__file__).resolve().parents[2] / "specs" / "manifests" / "shop"
