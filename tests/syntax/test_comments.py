"""Comments survive `podcheck fmt` (NOTE(comment-placement) in podcheck.lang.printer).

The parser keeps comments on `SpecFile.comments`, outside equality; the printer puts each
back before the node it precedes, at the end of the line it trails, or before the
closing brace / end of file.  For every `.pod` file of the repository, and for those
files with extra comments sprinkled in, printing keeps the AST, keeps every comment
text, keeps the `# PODCHECK:` header first, and is idempotent.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from podcheck.lang.ast import Comment, SpecFile
from podcheck.lang.driver import format_file
from podcheck.lang.parse import parse
from podcheck.lang.printer import format_spec

ROOT = Path(__file__).resolve().parents[2]
POD_GLOBS = ("specs/**/*.pod", "models/**/*.pod", "tests/**/data/**/*.pod", "bench/specs/**/*.pod")
POD_FILES = sorted(path for pattern in POD_GLOBS for path in ROOT.glob(pattern))
# Reformatted with `podcheck fmt --write`; they must stay canonical.  Not
# specs/seed/09-port-conflict.pod: fmt would spread its one-line `container metrics
# { ... }  # E: ...` block, moving the field the `# E:` annotation expects below it.
CANONICAL_DIRS = ("specs/seed", "specs/liveness", "models")
NOT_CANONICAL: set[str] = set()


def parsed(text: str, path: str = "t.pod") -> SpecFile:
    result = parse(text, path)
    assert result.value is not None, result.diagnostics
    return result.value


def fmt(text: str) -> str:
    return format_spec(parsed(text))


def texts(spec: SpecFile) -> Counter[str]:
    return Counter(c.text for c in spec.comments)


def assert_faithful(text: str, path: str = "t.pod") -> str:
    """Printing `text` keeps its AST and comments and is idempotent; the printed text."""
    spec = parsed(text, path)
    out = format_spec(spec)
    back = parsed(out, path)
    assert back == spec
    assert texts(back) == texts(spec)
    assert format_spec(back) == out
    return out


# ---------------------------------------------------------------- the parser keeps them


def test_comments_are_collected_with_positions_and_kinds() -> None:
    spec = parsed('# a\npod x { # b\n  image: "#not" # c  \n}\n')
    assert spec.comments == (
        Comment(1, 1, "# a", True),
        Comment(2, 9, "# b", False),
        Comment(3, 17, "# c", False),
    )


def test_comments_take_no_part_in_equality_or_hashing() -> None:
    plain, noted = parsed("pod x { a: 1 }\n"), parsed("# c\npod x { a: 1 }  # d\n")
    assert noted.comments and not plain.comments
    assert plain == noted
    assert hash(plain) == hash(noted)


def test_a_failed_parse_leaves_no_comments_behind() -> None:
    assert parse("# a\npod x {\n", "t.pod").value is None
    assert parsed("pod y {}\n").comments == ()


def test_crlf_comments_lose_the_carriage_return() -> None:
    assert [c.text for c in parsed("# a\r\npod x {} # b\r\n").comments] == ["# a", "# b"]


# ---------------------------------------------------------------- placement


def test_header_and_leading_comments_keep_their_blank_lines() -> None:
    text = "# PODCHECK: check\n# about\n\n# the cluster\ncluster { nodes: 1 }\n"
    assert fmt(text) == "# PODCHECK: check\n# about\n\n# the cluster\ncluster { nodes: 1 }\n"


def test_trailing_comments_stay_on_their_line() -> None:
    text = "deployment web {\n  replicas: 3   # why\n  template: t\n}  # done\n"
    assert fmt(text) == "deployment web {\n  replicas: 3  # why\n  template: t\n}  # done\n"


def test_a_one_line_block_keeps_its_comment_on_its_first_line() -> None:
    assert fmt("pod p { container a { } }  # c\n") == "pod p { container a {} }  # c\n"
    assert fmt("pod p {\n  container a { ports: [1] }  # c\n}\n") == (
        "pod p {\n  container a { ports: [1] }  # c\n}\n"
    )
    assert fmt("pod p { restartPolicy: Sometimes }  # E: PC203\n") == (
        "pod p { restartPolicy: Sometimes }  # E: PC203\n")
    assert fmt("pod p {\n  restartPolicy: Sometimes  # E: PC203\n}\n") == (
        "pod p {\n  restartPolicy: Sometimes  # E: PC203\n}\n")


def test_comments_at_the_end_of_a_block_and_of_the_file() -> None:
    text = "pod p {\n  a: 1\n    # last\n}\n\n# the end\n"
    assert fmt(text) == "pod p {\n  a: 1\n  # last\n}\n\n# the end\n"
    assert fmt("pod p {\n  # nothing yet\n}\n") == "pod p {\n  # nothing yet\n}\n"
    assert fmt("# only\n\n# comments\n") == "# only\n\n# comments\n"


def test_own_line_comments_go_before_members_at_their_indentation() -> None:
    text = "pod p {\n# about a\n      a: 1\n  template {\n  # about b\n b: 2 }\n}\n"
    assert fmt(text) == (
        "pod p {\n  # about a\n  a: 1\n  template {\n    # about b\n    b: 2\n  }\n}\n"
    )


def test_a_commented_map_or_list_is_spread_one_entry_per_line() -> None:
    text = "pod p {\n  labels: { app: web,  # the app\n    tier: a }\n  ports: [80, 443]\n}\n"
    assert fmt(text) == (
        "pod p {\n  labels: {\n    app: web  # the app\n    tier: a\n  }\n  ports: [80, 443]\n}\n"
    )
    text = "pod p {\n  ports: [\n    80  # http\n    # tls\n    443\n  ]  # both\n}\n"
    assert fmt(text) == text
    assert fmt("pod p { labels: { app: web }  # c\n}\n") == (
        "pod p {\n  labels: { app: web }  # c\n}\n"
    )


def test_comments_inside_a_formula_move_above_the_property() -> None:
    text = "property p: a and\n  # own\n  b  # last\nexpect p holds\n"
    assert fmt(text) == "# own\nproperty p: a and b  # last\n\nexpect p holds\n"
    # `# first` ends the property's first line, `# last` its last line; one printed
    # line cannot end in both, so the first moves above too.
    text = "property p: a and  # first\n  b  # last\n"
    assert fmt(text) == "# first\nproperty p: a and b  # last\n"


def test_comments_do_not_split_a_group_of_declarations() -> None:
    text = "check a\n# why b\ncheck b  # b\nexpect a holds\n"
    assert fmt(text) == "check a\n# why b\ncheck b  # b\n\nexpect a holds\n"


# ---------------------------------------------------------------- every file of the repo


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", POD_FILES, ids=_rel)
def test_every_pod_file_prints_faithfully(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    out = assert_faithful(text, _rel(path))
    if text.startswith("# PODCHECK:"):
        header = [line for line in text.splitlines() if line.startswith("# PODCHECK:")]
        assert out.splitlines()[: len(header)] == header


@pytest.mark.parametrize("path", POD_FILES, ids=_rel)
def test_every_pod_file_with_comments_sprinkled_in_prints_faithfully(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rnd = random.Random(_rel(path))
    for _ in range(10):
        lines = []
        for line in text.split("\n"):
            # Break the line at a blank outside strings and comments, or end it with one.
            stops = [i for i in (line.find("#"), line.find('"')) if i >= 0]
            blanks = [i for i, c in enumerate(line[: min(stops, default=len(line))]) if c == " "]
            if blanks and rnd.random() < 0.3:
                i = rnd.choice(blanks)
                cut = rnd.choice(["  # m\n", "\n# o\n", "\n\n    # p\n\n"])
                line = line[:i] + cut + line[i + 1 :]
            if line.strip() and rnd.random() < 0.15:
                line += "  # t"
            lines.append(line)
        assert_faithful("\n".join(lines), _rel(path))


@pytest.mark.parametrize(
    "path",
    [p for p in POD_FILES if _rel(p).startswith(CANONICAL_DIRS) and _rel(p) not in NOT_CANONICAL],
    ids=_rel,
)
def test_bundled_specs_and_models_are_canonical(path: Path) -> None:
    result = format_file(str(path))
    assert result.formatted is not None, result.diagnostics
    assert not result.changed, result.diff()
