"""Fuzz the input side: no input may make `parse`, `fmt` or `check` raise.

Run from the repository root: `python bench/fuzz.py --inputs 20000 [--seed 1]
[--check-every 5] [--save DIR]`.  Inputs are random bytes, byte-level and grammar-aware
mutations (token edits, one value replaced) of every bundled spec (specs/ and models/),
and small generated specs; a fifth of the inputs are manifests (token and byte mutations
of every bundled YAML file, with YAML troublemakers: anchors, tags, deep nesting), read
by `podcheck/manifests`.
Each input is written to a temporary file and goes through `load_with_sources` and every
renderer (`parse`), `format_file` (`fmt`) and, for every `--check-every`-th input that
loads and is small, `check_file` with small limits.  Any exception is a finding: they are
counted by exception type and by the last podcheck frame, and with `--save` each first
reproducer is written to DIR.  The address space is capped (`--max-memory-mib`) so that a
blow-up is a `MemoryError` finding, not a dead machine.

tests/reliability/test_fuzz_quick.py runs the same generators for a few seconds.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from podcheck.check import CheckOptions, check_file  # noqa: E402
from podcheck.diagnostics.render import FORMATS, render  # noqa: E402
from podcheck.lang.check import load_with_sources  # noqa: E402
from podcheck.lang.driver import format_file  # noqa: E402
from podcheck.manifests import load_inputs  # noqa: E402
from podcheck.spec import CheckedSpec  # noqa: E402

CORPUS = tuple(sorted(ROOT.glob("specs/**/*.pod")) + sorted(ROOT.glob("models/**/*.pod")))
YAML_CORPUS = tuple(sorted(ROOT.glob("specs/**/*.yaml")) + sorted(ROOT.glob("specs/**/*.yml")))
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[A-Za-z0-9_.%+-]+|~>|[=!<>]=|\s+|.')
# Tokens that have broken parsers before, or that sit on a limit.
SPICE = (
    "²", "٣", "١٠", "é", "ﬁ", "\u00a0", "\u202e", "\x00", "\x1b]0;x\x07", "\x7f", "\x9b",
    "1e999999999", "1e-999999999", "9" * 5000, "1" + "0" * 4400 + "Mi", "1e" + "9" * 30,
    "2147483647", "2147483648", "-1", "0", "00", "+5", "1.5Gi", "999999Ei", "0.000000001m",
    "10s..1s", "1ms..1h", "99999999999999999999h", "100%", "101%", "1%%", "nan", "inf",
    '"', '"\\', '""', "{", "}", "[", "]", "(", ")", ":", ",", "..", "~>", "==", "=", "->",
    "import", 'import "."', 'import "/dev/zero"', 'import "missing.pod"', "import a.b.c",
    "property", "check", "expect", "holds", "violated", "always", "eventually", "forall",
    "exists", "count(", "not", "and", "implies", "in", "pods", "nodes", "containers(",
    "replicas: 3", "parallelism: 2", "nodes: 2", "container x { }", "template { }",
    "behavior { outcome: fails }", "restartPolicy: Never", "pdb b { minAvailable: 1 }",
    "\t", "\r\n", "\n\n", "#", "# E: PC000",
)
FIELDS = (
    "restartPolicy: Always", "restartPolicy: OnFailure", "restartPolicy: Never",
    "terminationGracePeriodSeconds: 5", "labels: { app: a }", "ports: [80, 81]",
    "behavior { outcome: succeeds  run: 1s..3s }", "behavior { outcome: fails  crashes: 1 }",
    "readinessProbe { periodSeconds: 5 }", "livenessProbe { failureThreshold: 2 }",
    "resources { requests: { cpu: 500m, memory: 64Mi } }",
)
PROPERTIES = (
    "check init-order", "check no-deadlock",
    "property up: always forall p in pods: p.ready implies p.initialized",
    "property live: eventually exists p in pods: p.ready",
    "property n: always count(p in pods where p.ready) <= 3",
)
SMALL = 4  # a spec is checked only when every count in it is at most this
# YAML that has broken readers before, or that sits on a limit (anchors, tags, nesting).
YAML_SPICE = (
    "&a [*a]", "*undefined", "!!python/object:os.system", "!!binary AAAA", "!custom x",
    "<<: *a", "? [a, b]\n: c", "---", "...", "%YAML 1.1", "%TAG ! tag:x,2000:", "|-", ">+",
    "[" * 200, "{" * 200, "- " * 200, "'", '"\\x"', "\t", "key: value: other",
    "replicas: 1e999999999", "replicas: " + "9" * 5000, "replicas: 0x10", "replicas: ٣",
    "memory: 1e999999999", "cpu: " + "1" * 5000 + "m", "containerPort: 99999999999999999999",
    "apiVersion: v1", "kind: Pod", "kind: Deployment", "kind: PodDisruptionBudget",
    "kind: List", "items: []", "metadata: {name: x}", "spec: null", "null", "~", "yes",
    "\x1b]0;x\x07", "\u202e", "\x00", "\ufeff",
)


def random_bytes(rng: random.Random) -> bytes:
    """Up to 300 random bytes, sometimes restricted to printable ASCII."""
    n = rng.randint(0, 300)
    if rng.random() < 0.5:
        return bytes(rng.randrange(256) for _ in range(n))
    return bytes(rng.choice(b' \n\t{}[]():,.=<>!~-+*"#%abcdefms01239') for _ in range(n))


def mutate_tokens(rng: random.Random, text: str) -> str:
    """One to five token edits: delete, insert (a corpus token or a SPICE), swap, repeat."""
    tokens = TOKEN.findall(text) or [""]
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(tokens))
        action = rng.randrange(5)
        if action == 0 and len(tokens) > 1:
            del tokens[i]
        elif action == 1:
            tokens.insert(i, rng.choice(SPICE) if rng.random() < 0.6 else rng.choice(tokens))
        elif action == 2:
            j = rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif action == 3:
            tokens.insert(i, tokens[i])
        else:
            tokens[i] = rng.choice(SPICE)
    return "".join(tokens)


NUMBERS = tuple(t for t in SPICE if t[:1].isdigit() or t[:1] in "+-") + ("1", "2", "3", "10s")


def mutate_value(rng: random.Random, text: str) -> str:
    """One number or name replaced by another of its kind: the spec mostly still loads."""
    tokens = TOKEN.findall(text)
    spots = [i for i, t in enumerate(tokens) if t[:1].isdigit() or t[:1].isalpha()]
    if not spots:
        return text
    i = rng.choice(spots)
    if tokens[i][:1].isdigit():
        tokens[i] = rng.choice(NUMBERS)
    else:
        tokens[i] = tokens[rng.choice(spots)]
    return "".join(tokens)


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """A few byte flips, insertions or deletions."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out) + 1)
        action = rng.randrange(3)
        if action == 0 and at < len(out):
            out[at] = rng.randrange(256)
        elif action == 1:
            out[at:at] = bytes([rng.randrange(256)])
        elif out:
            del out[min(at, len(out) - 1)]
    return bytes(out)


def generated_spec(rng: random.Random) -> str:
    """A small well-formed-looking spec: a cluster, one or two workloads, properties."""
    nodes = "\n".join(f"  node n{i} {{ }}" for i in range(rng.randint(1, 2)))
    parts = [f"cluster {{\n{nodes}\n}}"]
    for index in range(rng.randint(1, 2)):
        fields = "\n    ".join(rng.sample(FIELDS, rng.randint(0, 3)))
        container = f"container c{index} {{\n    {fields}\n  }}"
        kind = rng.choice(["pod", "deployment", "job"])
        if kind == "pod":
            parts.append(f"pod w{index} {{\n  {container}\n}}")
        else:
            count = "replicas" if kind == "deployment" else "parallelism"
            parts.append(f"{kind} w{index} {{\n  {count}: {rng.randint(0, 2)}\n"
                         f"  template {{\n  {container}\n  }}\n}}")
    parts += rng.sample(PROPERTIES, rng.randint(0, 2))
    text = "\n".join(parts) + "\n"
    return mutate_tokens(rng, text) if rng.random() < 0.3 else text


@dataclass
class Corpus:
    """The bundled specs, read once."""

    texts: list[str] = field(default_factory=lambda: [p.read_text("utf-8") for p in CORPUS])
    yaml: list[str] = field(
        default_factory=lambda: [p.read_text("utf-8") for p in YAML_CORPUS])


YAML_SHARE = 0.2  # of the inputs are manifests (podcheck/manifests)


YAML_TOKEN = re.compile(r"[A-Za-z0-9_./%+-]+|\s+|.")


def mutate_yaml(rng: random.Random, text: str) -> str:
    """A few token-level edits of a manifest: deletions, insertions of its own tokens or
    of `YAML_SPICE`, swaps, duplicated lines."""
    tokens = YAML_TOKEN.findall(text) or [""]
    for _ in range(rng.randint(1, 2)):
        at = rng.randrange(len(tokens))
        edit = rng.random()
        if edit < 0.25:
            del tokens[at]
        elif edit < 0.6:
            tokens.insert(at, rng.choice(YAML_SPICE))
        elif edit < 0.8:
            tokens.insert(at, rng.choice(tokens))
        else:
            lines = "".join(tokens).split("\n")
            line = rng.randrange(len(lines))
            lines.insert(line, lines[line])
            tokens = YAML_TOKEN.findall("\n".join(lines)) or [""]
        if not tokens:
            tokens = [""]
    return "".join(tokens)


def generate_yaml(rng: random.Random, corpus: Corpus) -> tuple[str, bytes]:
    """One manifest input and the name of its generator."""
    text = rng.choice(corpus.yaml)
    if rng.random() < 0.3:
        return "yaml-byte-mutation", mutate_bytes(rng, text.encode("utf-8"))
    return "yaml-token-mutation", mutate_yaml(rng, text).encode("utf-8")


def generate(rng: random.Random, corpus: Corpus) -> tuple[str, bytes]:
    """One input and the name of its generator (names starting `yaml-` are manifests)."""
    choice = rng.random()
    if choice < YAML_SHARE and corpus.yaml:
        return generate_yaml(rng, corpus)
    choice = rng.random()
    if choice < 0.1:
        return "random-bytes", random_bytes(rng)
    if choice < 0.25:
        return "byte-mutation", mutate_bytes(rng, rng.choice(corpus.texts).encode("utf-8"))
    if choice < 0.6:
        return "token-mutation", mutate_tokens(rng, rng.choice(corpus.texts)).encode("utf-8")
    if choice < 0.75:
        return "value-mutation", mutate_value(rng, rng.choice(corpus.texts)).encode("utf-8")
    return "generated", generated_spec(rng).encode("utf-8")


def small(spec: CheckedSpec) -> bool:
    """True when the spec is small enough to model-check quickly."""
    counts = [len(spec.nodes), len(spec.workloads)]
    for workload in spec.workloads:
        counts += [getattr(workload, name, 0) or 0
                   for name in ("replicas", "parallelism", "completions")]
        template = getattr(workload, "template", None)
        counts.append(len(getattr(template, "containers", ())) +
                      len(getattr(template, "initContainers", ())))
    return all(isinstance(c, int) and c <= SMALL for c in counts)


def exercise(path: Path, check: bool) -> str:
    """Run one input file through parse, every renderer, fmt and maybe check: an outcome."""
    loaded = load_with_sources(str(path))
    for fmt in FORMATS:
        render(loaded.result.diagnostics, loaded.sources, fmt)
    format_file(str(path))
    spec = loaded.result.value
    if not loaded.result.ok or spec is None:
        return "diagnostics"
    if not (check and small(spec)):
        return "loaded"
    run = check_file(str(path), CheckOptions(max_states=300, timeout_seconds=5.0))
    render(run.diagnostics, run.sources, "text")
    return f"checked-exit-{int(run.exit_code)}"


def exercise_yaml(path: Path, check: bool) -> str:
    """Run one manifest file through the YAML reader (`podcheck/manifests`), every
    renderer and maybe check: an outcome."""
    loaded = load_inputs([str(path)])
    for fmt in FORMATS:
        render(loaded.result.diagnostics, loaded.sources, fmt)
    spec = loaded.result.value
    if not loaded.result.ok or spec is None:
        return "yaml-diagnostics"
    if not (check and small(spec)):
        return "yaml-loaded"
    run = check_file(str(path), CheckOptions(max_states=300, timeout_seconds=5.0))
    render(run.diagnostics, run.sources, "text")
    return f"yaml-checked-exit-{int(run.exit_code)}"


def where(exc: BaseException) -> str:
    """The last podcheck frame of a traceback: `podcheck/lang/values.py:120 in _int`."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/podcheck/" in f.filename]
    if not frames:
        return "(outside podcheck)"
    last = frames[-1]
    return f"{Path(last.filename).relative_to(ROOT)}:{last.lineno} in {last.name}"


@dataclass
class Figures:
    """What a run found."""

    inputs: int = 0
    by_generator: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    tracebacks: Counter[str] = field(default_factory=Counter)
    reproducers: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0


def fuzz(inputs: int, seed: int, check_every: int,
         progress: Callable[[Figures], None] | None = None) -> Figures:
    """Run `inputs` generated inputs (seeded, so reproducible) and count what happened."""
    rng, corpus, figures = random.Random(seed), Corpus(), Figures()
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        spec_path, yaml_path = Path(tmp) / "input.pod", Path(tmp) / "input.yaml"
        for index in range(inputs):
            kind, data = generate(rng, corpus)
            manifest = kind.startswith("yaml-")
            path = yaml_path if manifest else spec_path
            path.write_bytes(data)
            figures.by_generator[kind] += 1
            run = exercise_yaml if manifest else exercise
            try:
                figures.outcomes[run(path, index % check_every == 0)] += 1
            except (Exception, RecursionError, MemoryError) as exc:  # a finding
                key = f"{type(exc).__name__} at {where(exc)}"
                figures.tracebacks[key] += 1
                figures.reproducers.setdefault(key, data)
            figures.inputs += 1
            if progress is not None and figures.inputs % 1000 == 0:
                progress(figures)
    figures.seconds = time.monotonic() - start
    return figures


def report(figures: Figures) -> str:
    """The figures as text."""
    lines = [f"inputs: {figures.inputs} in {figures.seconds:.1f} s "
             f"({figures.inputs / max(figures.seconds, 1e-9):.0f}/s)"]
    lines += [f"  generator {k}: {n}" for k, n in sorted(figures.by_generator.items())]
    lines += [f"  outcome {k}: {n}" for k, n in sorted(figures.outcomes.items())]
    lines.append(f"tracebacks: {sum(figures.tracebacks.values())}")
    lines += [f"  {n} x {k}" for k, n in figures.tracebacks.most_common()]
    return "\n".join(lines)


def main() -> None:
    """The command line: run, print the figures, save the reproducers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check-every", type=int, default=5)
    parser.add_argument("--max-memory-mib", type=int, default=3072)
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    limit = args.max_memory_mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    figures = fuzz(args.inputs, args.seed, args.check_every,
                   lambda f: print(f"... {f.inputs} inputs, "
                                   f"{sum(f.tracebacks.values())} tracebacks", flush=True))
    print(report(figures))
    if args.save is not None:
        args.save.mkdir(parents=True, exist_ok=True)
        for number, data in enumerate(figures.reproducers.values()):
            (args.save / f"crash-{number}.pod").write_bytes(data)
    sys.exit(1 if figures.tracebacks else 0)


if __name__ == "__main__":
    main()
