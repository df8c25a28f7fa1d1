"""`podcheck fmt`: short blocks stay on one line, `# E:` comments stay on their line, and
the README's own example is in canonical form (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.lang.parse import parse
from podcheck.lang.printer import format_spec

ROOT = Path(__file__).resolve().parents[2]


def fmt(text: str) -> str:
    result = parse(text, "t.pod")
    assert result.value is not None, result.diagnostics
    return format_spec(result.value)


def test_a_one_line_block_that_fits_stays_on_one_line() -> None:
    text = "pod a {\n  container app { readinessProbe { periodSeconds: 5 } }\n}\n"
    assert fmt(text) == text
    assert fmt("pod a { restartPolicy: Never  container app {} }\n") == (
        "pod a { restartPolicy: Never  container app {} }\n")
    assert fmt("cluster {nodes:1}\n") == "cluster { nodes: 1 }\n"


def test_a_block_written_over_several_lines_is_not_joined() -> None:
    text = "pod a {\n  container app {\n    ports: [80]\n  }\n}\n"
    assert fmt(text) == text


def test_a_one_line_block_wider_than_88_columns_is_split_and_its_short_members_kept() -> None:
    inner = "container app { readinessProbe { periodSeconds: 5  failureThreshold: 3 } }"
    text = f"pod a {{ restartPolicy: Always  terminationGracePeriodSeconds: 30  {inner} }}\n"
    assert len(text) > 89
    assert fmt(text) == (
        f"pod a {{\n  restartPolicy: Always\n  terminationGracePeriodSeconds: 30\n  {inner}\n}}\n")
    assert fmt(fmt(text)) == fmt(text)


def test_exactly_88_columns_fits() -> None:
    name = "x" * (88 - len("pod  { container app {} }"))
    text = f"pod {name} {{ container app {{}} }}\n"
    assert len(text) == 89 and fmt(text) == text
    longer = f"pod {name}y {{ container app {{}} }}\n"
    assert fmt(longer) == f"pod {name}y {{\n  container app {{}}\n}}\n"


def test_one_line_blocks_of_one_kind_are_grouped_and_of_two_kinds_not() -> None:
    text = "pod a { container c {} }\npod b { container c {} }\njob j { template: t }\n"
    assert fmt(text) == (
        "pod a { container c {} }\npod b { container c {} }\n\njob j { template: t }\n")


def test_inline_error_expectations_stay_on_their_line() -> None:
    one = "pod a { restartPolicy: Sometimes  container c {} }  # E: PC203 unknown\n"
    assert fmt(one) == one
    split = "pod a {\n  restartPolicy: Sometimes  # E: PC203 unknown\n  container c {}\n}\n"
    assert fmt(split) == split


def test_the_readme_example_passes_fmt_check() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"podcheck check (\S+\.pod)", readme)
    assert found is not None
    spec = ROOT / found.group(1)
    result = CliRunner().invoke(app, ["fmt", "--check", str(spec)])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
