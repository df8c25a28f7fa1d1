"""`podcheck test --update`: rewrite expectations to the verdicts a suite run found.

Stage: after the suite driver (`podcheck.suite`).  Consumes a `SuiteResult`; writes the
expectation files, like a snapshot tool accepting new snapshots once a person has
reviewed them; produces the `Change`s it made and the suite result as it stands after
them.  A property gets the verdict it got (holds or violated; an inconclusive one is
left alone) when it had no expectation or a different one.  The expectation goes where
the old one was: the spec's `expect NAME VERDICT` line (rewritten in place, or added
after the spec's last line), or the target's entry of the `podcheck.toml` next to it,
which is also where a manifest's expectations go (the file and the entry are created
when missing).  Specs that fail to load, deadlocks and undecided properties are never
"updated": they still fail.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from podcheck.engine.result import Verdict
from podcheck.run import (
    Change,
    PropertyRow,
    RowStatus,
    SpecOutcome,
    Status,
    SuiteResult,
    Undecided,
    VerdictMismatch,
)
from podcheck.suitefile import CONFIG

DECIDED = (Verdict.HOLDS, Verdict.VIOLATED)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _changed(o: SpecOutcome) -> list[PropertyRow]:
    return [r for r in o.rows if r.result.verdict in DECIDED
            and r.expected != r.result.verdict.value and r.status is not RowStatus.PASS]


def _in_toml(path: Path) -> set[str]:
    config = path.parent / CONFIG
    if not config.is_file():
        return set()
    with config.open("rb") as f:
        entry = tomllib.load(f).get(path.name)
    return set(entry.get("expect", {})) if isinstance(entry, dict) else set()


def _expect_line(name: str) -> re.Pattern[str]:
    return re.compile(rf"^expect\s+{re.escape(name)}\s+\S+(?P<rest>.*)$", re.MULTILINE)


def _update_spec(path: Path, rows: list[PropertyRow]) -> list[PropertyRow]:
    """Rewrite (or add) the spec's top-level `expect` line of each row's property; the
    rows written (not one whose expectation lives in an imported file)."""
    text = path.read_text(encoding="utf-8")
    added: list[str] = []
    done: list[PropertyRow] = []
    for r in rows:
        line = f"expect {r.name} {r.result.verdict.value}"
        pattern = _expect_line(r.name)
        found = pattern.search(text)
        if found is not None:
            text = text[:found.start()] + line + found.group("rest") + text[found.end():]
        elif r.expected is None:
            added.append(line)
        else:
            continue
        done.append(r)
    if added:
        text = text.rstrip("\n") + "\n" + "".join(f"{a}\n" for a in added)
    path.write_text(text, encoding="utf-8")
    return done


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name)


def _update_toml(path: Path, verdicts: dict[str, str]) -> bool:
    """Merge `verdicts` into the `expect` table of `path`'s entry in its podcheck.toml,
    keeping every other line of the file as it was; False (nothing written) when the
    entry is not written as one `expect = { ... }` line this can rewrite."""
    config = path.parent / CONFIG
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    current = tomllib.loads(text).get(path.name, {}) if text else {}
    merged = dict(sorted({**dict(current.get("expect", {})), **verdicts}.items()))
    line = "expect = { " + ", ".join(f"{_key(k)} = {json.dumps(v)}"
                                      for k, v in merged.items()) + " }"
    lines = text.splitlines()
    header = next((i for i, s in enumerate(lines)
                   if s.strip() in (f"[{json.dumps(path.name)}]", f"[{path.name}]")), None)
    if header is None:
        lines += ([""] if lines else []) + [f"[{json.dumps(path.name)}]", line]
    else:
        end = next((i for i in range(header + 1, len(lines))
                    if lines[i].lstrip().startswith("[")), len(lines))
        old = next((i for i in range(header + 1, end)
                    if re.match(r"\s*expect\s*=", lines[i])), None)
        if old is None:
            lines.insert(header + 1, line)
        else:
            lines[old] = line
    new_text = "\n".join(lines) + "\n"
    try:
        written = tomllib.loads(new_text).get(path.name, {}).get("expect")
    except tomllib.TOMLDecodeError:
        return False
    if written != merged:
        return False
    config.write_text(new_text, encoding="utf-8")
    return True


def _apply(o: SpecOutcome) -> list[Change]:
    rows = _changed(o)
    if not rows:
        return []
    path = Path(o.path)
    in_toml = _in_toml(path)
    for_spec = [r for r in rows if path.suffix == ".pod" and r.name not in in_toml]
    for_toml = [r for r in rows if r not in for_spec]
    written = {r.name: o.path for r in (_update_spec(path, for_spec) if for_spec else [])}
    if for_toml and _update_toml(path, {r.name: r.result.verdict.value for r in for_toml}):
        written |= {r.name: str(path.parent / CONFIG) for r in for_toml}
    return [Change(written[r.name], r.name, r.expected, r.result.verdict.value)
            for r in rows if r.name in written]


def _settled(o: SpecOutcome, changes: Iterable[Change], strict: bool) -> SpecOutcome:
    """`o` as it stands with `changes` written: their rows pass, their mismatches go."""
    names = {c.name for c in changes}
    if not names:
        return o
    rows = tuple(replace(r, expected=r.result.verdict.value, status=RowStatus.PASS)
                 if r.name in names else r for r in o.rows)
    problems = tuple(p for p in o.problems
                     if not (isinstance(p, VerdictMismatch) and p.name in names))
    unexpected = strict and any(r.status in (RowStatus.UNEXPECTED_HOLDS,
                                             RowStatus.UNEXPECTED_VIOLATED) for r in rows)
    failing = unexpected or any(not isinstance(p, Undecided) for p in problems)
    status = (o.status if o.status is Status.ERROR else Status.FAIL if failing
              else Status.INCONCLUSIVE if problems else Status.PASS)
    return replace(o, rows=rows, problems=problems, status=status)


def update_expectations(result: SuiteResult) -> tuple[tuple[Change, ...], SuiteResult]:
    """Write the expectations `result` calls for (see the module docstring); the changes
    in target order, and the suite result with them taken as reviewed."""
    changes: list[Change] = []
    outcomes: list[SpecOutcome] = []
    for o in result.outcomes:
        made = _apply(o) if o.status is not Status.ERROR else []
        changes += made
        outcomes.append(_settled(o, made, result.strict))
    return tuple(changes), replace(result, outcomes=tuple(outcomes))
