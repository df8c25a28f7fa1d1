"""Which renderer writes which `--format`, and where (`KIND` to stdout, `KIND=FILE`).

Stage: `podcheck.report`.  Consumes the `--format` values of `check`, `test` and
`parse` and a `podcheck.run.SuiteResult`; produces the (kind, destination) pairs and
each kind's document.  Several formats may be asked at once, each to its own file,
like kube-linter's `--format` / `--output`; at most one goes to stdout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from podcheck.report.ci import render_github, render_junit, render_suite_json, render_tap
from podcheck.report.sarif import render_sarif
from podcheck.run import SuiteResult

SUITE_RENDERERS: dict[str, Callable[[SuiteResult], str]] = {
    "junit": render_junit,
    "sarif": render_sarif,
    "tap": render_tap,
    "github": render_github,
    "json": render_suite_json,
}
CI_KINDS = frozenset({"junit", "sarif", "tap", "github"})


@dataclass(frozen=True, slots=True)
class Output:
    """One `--format`: its kind and the file it goes to (None: stdout)."""

    kind: str
    path: str | None = None


def parse_outputs(values: Sequence[str], kinds: Sequence[str]) -> list[Output] | str:
    """The outputs named by `--format` values (default: text to stdout), or what is
    wrong with them."""
    outputs = [Output(*v.split("=", 1)) if "=" in v else Output(v) for v in values]
    for o in outputs:
        if o.kind not in kinds:
            return f"unknown format `{o.kind}`: expected one of {', '.join(kinds)}"
        if o.path == "":
            return f"--format {o.kind}=: expected a file name after `=`"
    if sum(o.path is None for o in outputs) > 1:
        return "at most one --format may go to stdout; give the others a file (KIND=FILE)"
    return outputs or [Output(kinds[0])]
