"""`behavior-of` blocks: the behaviour of imported workloads' containers.

Stage: part of `podcheck.lang.check`.  Consumes the top-level `behavior-of NAME {
container C { ... } }` blocks of a spec and the workloads of the Kubernetes manifests
it imports (already checked by `podcheck.manifests`); produces those workloads with
each named container's behaviour replaced by the block's fields over the behaviour the
manifests gave it (their `podcheck.io/` annotations, else the zero-config defaults), and
diagnostics: PC121 for a workload or container the manifests do not declare (its notes
point into the YAML), PC103 for a workload or container named twice, PC213 for `outcome:
fails` with `exitCode: 0`.

A spec that imports manifests adds behaviour, environment and properties only: what a
container does by itself is the one thing YAML cannot say (docs/manifests.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from podcheck.diagnostics import Diagnostic, Note, Span, codes
from podcheck.lang import messages as m
from podcheck.lang.ast import Block
from podcheck.lang.convert import Profile, read_profile, unique
from podcheck.lang.fields import read_block
from podcheck.lang.schema import BLOCKS
from podcheck.spec import Behavior, Container, Outcome, Workload

Out = list[Diagnostic]
_FIELDS = {"startup": "startup", "run": "run", "crashes": "crashes", "hangs": "hangs",
           "exitCode": "exit_code", "probeLatency": "probe_latency"}


def name_span(block: Block) -> Span:
    """The span of `kind name` at the start of a named block (its first line)."""
    s = block.span
    width = len(block.kind) + 1 + len(block.name or "")
    return Span(s.file, s.line, s.column, s.line, s.column + width)


def apply_behaviors(blocks: Sequence[Block], given: Sequence[Workload],
                    declared: Sequence[str], out: Out) -> tuple[Workload, ...]:
    """`given` (the imported workloads) with the behaviour of every container a
    `behavior-of` block names; `declared`: the workloads the spec declares itself."""
    unique([(b.name or "", name_span(b)) for b in blocks], "behavior-of block", out)
    by_name = {w.name: w for w in given}
    changed: dict[str, Workload] = {}
    for block in blocks:
        w = by_name.get(block.name or "")
        if w is None:
            out.append(_unknown_workload(block, given, declared))
        elif w.name not in changed:
            changed[w.name] = _apply(block, w, out)
    return tuple(changed.get(w.name, w) for w in given)


def _apply(block: Block, w: Workload, out: Out) -> Workload:
    spec = BLOCKS["behavior-of-container"]
    named = [b for b in read_block(block, BLOCKS["behavior-of"], out).all_children(spec.key)
             if b.name]
    unique([(b.name or "", name_span(b)) for b in named], "container", out)
    profiles: dict[str, Profile] = {}
    t = w.template
    names = [x.name for x in (*t.initContainers, *t.containers)]
    for b in named:
        if b.name not in names:
            out.append(_unknown_container(b, w, names))
        elif b.name not in profiles:
            profiles[b.name or ""] = read_profile(b, spec, out)
    if not profiles:
        return w

    def over(x: Container) -> Container:
        found = profiles.get(x.name)
        return x if found is None else replace(x, behavior=_behavior(x.behavior, found))

    template = replace(t, initContainers=tuple(map(over, t.initContainers)),
                       containers=tuple(map(over, t.containers)))
    return replace(w, template=template)


def _behavior(old: Behavior, profile: Profile) -> Behavior:
    """The profile's fields over `old` (the behaviour the manifests gave)."""
    values = profile.values
    kwargs = {attr: values[key] for key, attr in _FIELDS.items() if key in values}
    outcome = Outcome(str(values["outcome"])) if "outcome" in values else old.outcome
    code = kwargs.get("exit_code", old.exit_code)
    if outcome is Outcome.FAILS and code == 0:
        kwargs["exit_code"] = 1  # PC213 when written; a fails override keeps exit 1
    return replace(old, outcome=outcome, span=profile.span, **kwargs)  # type: ignore[arg-type]


def _unknown_workload(block: Block, given: Sequence[Workload],
                      declared: Sequence[str]) -> Diagnostic:
    name = block.name or ""
    if name in declared:
        return m.error(codes.UNKNOWN_IMPORTED_OBJECT,
                       f"`{name}` is declared in the spec, not in an imported manifest",
                       name_span(block),
                       help="write its behaviour in its own `container` blocks")
    notes = tuple(Note(f"the manifests declare {w.kind.value} `{w.name}` here", w.span)
                  for w in given[:5])
    return m.error(codes.UNKNOWN_IMPORTED_OBJECT,
                   f"no imported workload is called `{name}`", name_span(block),
                   help=m.did_you_mean(name, [w.name for w in given])
                   or ("import the manifests first: `import \"k8s/app.yaml\"`" if not given
                       else None),
                   notes=notes)


def _unknown_container(block: Block, w: Workload, names: Sequence[str]) -> Diagnostic:
    listed = ", ".join(f"`{n}`" for n in names)
    return m.error(codes.UNKNOWN_IMPORTED_OBJECT,
                   f"{w.kind.value} `{w.name}` has no container `{block.name}`",
                   name_span(block), help=m.did_you_mean(block.name or "", list(names)),
                   notes=(Note(f"`{w.name}` is declared here, with {listed}", w.span),))
