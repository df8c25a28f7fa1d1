"""What `podcheck test` runs: suite targets found under paths, with their expectations.

Stage: input of the suite driver (`podcheck.suite`).  Consumes paths (spec files,
manifest files, folders) and produces `Target` values: a file (or a manifest folder)
with the command and flags of its `# PODCHECK:` header and the expectations of the
`podcheck.toml` next to it.  A folder yields every `*.pod` in it, every manifest
(`*.yaml`, `*.yml`) whose first lines carry a `# PODCHECK:` header, and every entry of a
`podcheck.toml`.  A `podcheck.toml` maps a file or folder name (relative to the toml) to

    ["web.yaml"]
    expect = { drain-completes = "holds", budget-respected = "holds" }
    ["broken.yaml"]
    errors = ["PC401"]

It reads files and prints nothing.
"""

from __future__ import annotations

import argparse
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from podcheck.check import CheckOptions
from podcheck.engine.result import Verdict
from podcheck.manifests import ManifestOptions, parse_version
from podcheck.run import HeaderError

HEADER = "# PODCHECK:"
CONFIG = "podcheck.toml"
MANIFEST_SUFFIXES = (".yaml", ".yml")
VERDICT_WORDS = frozenset(v.value for v in Verdict)


@dataclass(frozen=True, slots=True)
class Target:
    """One thing the suite runs: a path, its header's command and flags, and what the
    `podcheck.toml` expects of it (`expect`: property -> verdict word; `errors`: the
    error codes a spec that must be rejected fails with)."""

    path: str
    command: str = "check"
    flags: tuple[str, ...] = ()
    expect: tuple[tuple[str, str], ...] = ()
    errors: tuple[str, ...] | None = None
    problem: HeaderError | None = None


def is_folder(path: Path) -> bool:
    """True for a directory; False for anything else, a path too long to ask about
    included (the loader reports such paths)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def header_words(path: str) -> list[str] | None:
    """The words after `# PODCHECK:` in the first five lines of `path`, or None (also
    for anything but a regular file: a FIFO or a device is never opened here)."""
    try:
        if not Path(path).is_file():
            return None
        with open(path, encoding="utf-8", errors="replace") as f:
            head = [f.readline() for _ in range(5)]
    except OSError:
        return None
    for line in head:
        if line.startswith(HEADER):
            return shlex.split(line[len(HEADER):])
    return None


def _config(folder: Path) -> dict[str, object]:
    config = folder / CONFIG
    if not config.is_file():
        return {}
    with config.open("rb") as f:
        return tomllib.load(f)


def _entry(path: Path, config: Mapping[str, object]) -> tuple[
        tuple[tuple[str, str], ...], tuple[str, ...] | None, HeaderError | None]:
    raw = config.get(path.name)
    if raw is None:
        return (), None, None
    if not isinstance(raw, dict):
        return (), None, HeaderError(f"{CONFIG} [{path.name}]", "expected a table")
    expect = raw.get("expect", {})
    errors = raw.get("errors")
    if not isinstance(expect, dict) or any(v not in VERDICT_WORDS for v in expect.values()):
        why = f"`expect` maps properties to one of {', '.join(sorted(VERDICT_WORDS))}"
        return (), None, HeaderError(f"{CONFIG} [{path.name}]", why)
    if errors is not None and not (isinstance(errors, list) and all(
            isinstance(e, str) for e in errors)):
        return (), None, HeaderError(f"{CONFIG} [{path.name}]", "`errors` is a list of codes")
    return (tuple(sorted(expect.items())),
            tuple(sorted(errors)) if errors is not None else None, None)


def target(path: str) -> Target:
    """The target for one path: its header and its `podcheck.toml` entry."""
    p = Path(path)
    try:
        expect, errors, problem = _entry(p, _config(p.parent))
    except (OSError, tomllib.TOMLDecodeError) as err:
        expect, errors, problem = (), None, HeaderError(str(p.parent / CONFIG), str(err))
    words = header_words(path) if not is_folder(p) else None
    command, flags = (words[0], tuple(words[1:])) if words else ("check", ())
    if problem is None and command not in ("check", "parse", "tune", "fit", "counts"):
        problem = HeaderError(f"{HEADER} {' '.join(words or ())}", f"unknown command `{command}`")
    return Target(path, command, flags, expect, errors, problem)


def _in_folder(folder: Path) -> list[str]:
    found = {str(f) for f in folder.rglob("*.pod")}
    for suffix in MANIFEST_SUFFIXES:
        found |= {str(f) for f in folder.rglob(f"*{suffix}") if header_words(str(f))}
    for config in folder.rglob(CONFIG):
        try:
            found |= {str(config.parent / name) for name in _config(config.parent)}
        except (OSError, tomllib.TOMLDecodeError):
            found.add(str(config))  # a target whose problem says why the toml is unreadable
    return sorted(found)


def discover(paths: Iterable[str]) -> list[Target]:
    """The targets named by `paths`: files as given, folders searched (see the module
    docstring), each target once, folders' targets sorted by path."""
    seen: dict[str, Target] = {}
    for p in paths:
        names = _in_folder(Path(p)) if is_folder(Path(p)) else [p]
        for name in names:
            seen.setdefault(name, target(name))
    return list(seen.values())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--engine", default=None)
    parser.add_argument("--max-states", type=int, default=None)
    parser.add_argument("--max-depth", "--depth", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--failures", type=int, default=1)
    parser.add_argument("--concurrent-drains", type=int, default=1)
    parser.add_argument("--check", action="append", default=[])
    parser.add_argument("--kubernetes-version", default="1.31")
    parser.add_argument("--format", action="append", default=[])  # output only: ignored
    return parser


def options_of(t: Target, base: CheckOptions) -> CheckOptions | HeaderError:
    """The check options of a target: `base` with its header's flags applied."""
    text = f"{HEADER} {' '.join((t.command, *t.flags))}"
    try:
        args, unknown = _parser().parse_known_args(list(t.flags))
    except (argparse.ArgumentError, SystemExit) as err:
        return HeaderError(text, str(err))
    if unknown:
        return HeaderError(text, f"unknown flag `{unknown[0]}`")
    version = parse_version(args.kubernetes_version)
    if version is None:
        return HeaderError(text, f"bad Kubernetes version `{args.kubernetes_version}`")
    manifests = ManifestOptions(args.nodes, args.failures, args.concurrent_drains,
                                tuple(args.check), version)
    return CheckOptions(
        args.engine or base.engine,
        args.max_states if args.max_states is not None else base.max_states,
        args.max_depth if args.max_depth is not None else base.max_depth,
        args.timeout if args.timeout is not None else base.timeout_seconds,
        model=base.model, manifests=manifests)


def reproduce(t: Target, base: CheckOptions) -> str:
    """The command line that re-runs one target the way the suite ran it."""
    words = ["podcheck", "check", t.path, *t.flags]
    words += [f"--max-states={base.max_states}"] if base.max_states else []
    words += [f"--max-depth={base.max_depth}"] if base.max_depth is not None else []
    words += [f"--timeout={base.timeout_seconds:g}"] if base.timeout_seconds else []
    return shlex.join(words)
