"""Cluster-level blocks to checked objects: nodes, PDBs and the environment.

Stage: part of `podcheck.lang.check`.  Consumes `cluster`, `pdb` and `environment`
blocks; produces `Node`s, `PodDisruptionBudget`s and the spec's one `Environment`
(the unnamed environment merged with the named ones it includes), appending
diagnostics for unknown nodes, include cycles and budget conflicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Note, Span, codes
from podcheck.lang import messages as m
from podcheck.lang.ast import Block
from podcheck.lang.fields import Members, head, read_block
from podcheck.lang.schema import BLOCKS
from podcheck.spec import (
    DisruptionStart,
    DrainMode,
    DurationRange,
    Environment,
    FairnessTarget,
    Node,
    PodDisruptionBudget,
    Start,
    Taint,
)
from podcheck.vocab import ActionKind, Actor, Fairness, TaintEffect, words

Out = list[Diagnostic]
_COUNTS = ("nodeFailures", "nodeRecoveries", "zoneFailures", "podDeletes", "rollouts")
# kubectl drain's flags: the environment's own value, else the first include that turns
# one off, else on (NOTE(drain-flags) in docs/language.md)
_FLAGS = ("ignoreDaemonsets", "force", "deleteEmptydirData")


def build_nodes(clusters: Sequence[Block], out: Out) -> list[Node]:
    """Every node of every `cluster` block, shorthands expanded, in declaration order."""
    nodes: list[Node] = []
    for cluster in clusters:
        members = read_block(cluster, BLOCKS["cluster"], out)
        shorthand = members.values.get("nodes")
        span = members.spans.get("nodes", cluster.span)
        if isinstance(shorthand, int):
            nodes.extend(Node(f"n{i}", span=span) for i in range(1, shorthand + 1))
        elif isinstance(shorthand, tuple):
            nodes.extend(Node(str(name), span=span) for name in shorthand)
        for block in members.all_children("node"):
            node_members = read_block(block, BLOCKS["node"], out)
            values = dict(node_members.values)
            # a label key is a DSL name, so never the well-known `kubernetes.io/...` ones
            values["taints"] = tuple(_taint(b, out) for b in node_members.all_children("taint"))
            nodes.append(Node(block.name or "", span=block.span, **values))  # type: ignore[arg-type]
    return nodes


def _taint(block: Block, out: Out) -> Taint:
    members = read_block(block, BLOCKS["taint"], out)
    missing = [f for f in ("key", "effect") if not members.values.get(f)]
    for name in missing:
        out.append(m.error(codes.MISSING_REQUIRED, f"taint without `{name}`", head(block),
                           help=f"add `{name}: ...`"))
    values = members.values
    return Taint(str(values.get("key") or "?"),
                 TaintEffect(str(values.get("effect", TaintEffect.NO_SCHEDULE))),
                 str(values.get("value", "")), span=block.span)


def build_pdb(block: Block, out: Out) -> PodDisruptionBudget | None:
    """A PDB; PC207 when both budgets are set, PC214 when neither is; None after any
    error in the block."""
    before = len(out)
    members = read_block(block, BLOCKS["pdb"], out)
    if len(out) > before:
        return None
    both = members.given("minAvailable") and members.given("maxUnavailable")
    if both:
        out.append(
            m.error(
                codes.CONFLICTING_FIELDS,
                f"pdb `{block.name}` sets both `minAvailable` and `maxUnavailable`",
                members.spans["maxUnavailable"],
                help="keep one of them",
                notes=(Note("`minAvailable` is here", members.spans["minAvailable"]),),
            )
        )
        return None
    if not (members.given("minAvailable") or members.given("maxUnavailable")):
        out.append(
            m.error(
                codes.MISSING_REQUIRED,
                f"pdb `{block.name}` sets neither `minAvailable` nor `maxUnavailable`",
                head(block),
                help="add `minAvailable: N` or `maxUnavailable: N` (an int or a percentage)",
            )
        )
        return None
    values = dict(members.values)
    labels = values.pop("selector", ())
    budget = "minAvailable" if members.given("minAvailable") else "maxUnavailable"
    return PodDisruptionBudget(block.name or "", matchLabels=labels, span=block.span,  # type: ignore[arg-type]
                               budget_span=members.spans[budget], **values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class _Env:
    block: Block
    members: Members


def build_environment(envs: Sequence[Block], nodes: Sequence[Node], out: Out) -> Environment:
    """The spec's environment: the unnamed one with its includes, or no disruptions."""
    named: dict[str, _Env] = {}
    unnamed: list[_Env] = []
    for block in envs:
        env = _Env(block, read_block(block, BLOCKS["environment"], out))
        _check_drain(env, nodes, out)
        if block.name is None:
            unnamed.append(env)
        else:
            named.setdefault(block.name, env)
    for extra in unnamed[1:]:
        out.append(
            m.error(
                codes.DUPLICATE_NAME,
                "more than one unnamed `environment`",
                head(extra.block),
                help="name the others (`environment NAME { ... }`) and `include` them",
                notes=(m.first_defined(head(unnamed[0].block)),),
            )
        )
    _check_includes(named, unnamed, out)
    if not unnamed:
        return Environment()
    return _merge(unnamed[0], named, [n.name for n in nodes], ())


def _check_drain(env: _Env, nodes: Sequence[Node], out: Out) -> None:
    names = [n.name for n in nodes]
    for key in ("drain", "scaleDown"):
        listed = env.members.values.get(key)
        if not isinstance(listed, tuple):
            continue
        for name in listed:
            if name not in names:
                out.append(m.unknown_reference("node", name, env.members.value_spans[key],
                                               names))
    _check_drain_options(env, out)


def _check_drain_options(env: _Env, out: Out) -> None:
    """`drainTimeout` is one duration of at least 1 s (kubectl's 0 means "no timeout":
    leave the field out); `maxConcurrentDrains` belongs to the one-at-a-time mode."""
    members = env.members
    timeout = members.values.get("drainTimeout")
    if isinstance(timeout, DurationRange) and (timeout.lo != timeout.hi or timeout.hi.ms == 0):
        members.values.pop("drainTimeout")
        out.append(m.error(codes.VALUE_OUT_OF_RANGE,
                           "`drainTimeout` is one duration of at least 1s",
                           members.value_spans["drainTimeout"],
                           help="write `drainTimeout: 5m`, or leave it out to wait for ever"))
    if members.values.get("drainMode") == DrainMode.CONCURRENT.value and members.given(
            "maxConcurrentDrains"):
        out.append(m.error(codes.CONFLICTING_FIELDS,
                           "`maxConcurrentDrains` bounds the one-at-a-time mode",
                           members.spans["maxConcurrentDrains"],
                           help="drop `drainMode: concurrent` (any subset drains at once)"))


def _check_includes(named: Mapping[str, _Env], unnamed: Sequence[_Env], out: Out) -> None:
    for env in list(named.values()) + list(unnamed):
        for name in _includes(env):
            if name not in named:
                out.append(m.unknown_reference("environment", name,
                                               env.members.value_spans["include"], named))
    reported: set[frozenset[str]] = set()
    for start in named:
        cycle = _find_cycle(start, named, [start])
        if cycle is not None and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            out.append(_include_cycle(cycle, named))


def _includes(env: _Env) -> tuple[str, ...]:
    value = env.members.values.get("include", ())
    assert isinstance(value, tuple)
    return tuple(str(v) for v in value)


def _find_cycle(name: str, named: Mapping[str, _Env], path: list[str]) -> list[str] | None:
    for nxt in _includes(named[name]):
        if nxt == path[0]:
            return path
        if nxt in named and nxt not in path:
            found = _find_cycle(nxt, named, path + [nxt])
            if found is not None:
                return found
    return None


def _include_cycle(cycle: list[str], named: Mapping[str, _Env]) -> Diagnostic:
    hops = cycle + [cycle[0]]
    notes = tuple(
        Note(f"`{a}` includes `{b}` here", named[a].members.spans["include"])
        for a, b in zip(hops, hops[1:], strict=False)
    )
    shown = " -> ".join(f"`{h}`" for h in hops)
    span: Span = named[cycle[0]].members.spans["include"]
    return m.error(codes.INCLUDE_CYCLE, f"environments include each other: {shown}", span,
                   help="remove one of the includes", notes=notes)


def _merge(env: _Env, named: Mapping[str, _Env], node_names: list[str],
           seen: tuple[str, ...]) -> Environment:
    parts = [
        _merge(named[n], named, node_names, seen + (n,))
        for n in _includes(env)
        if n in named and n not in seen
    ]
    values = env.members.values
    drain = values.get("drain", ())
    assert drain == "all" or isinstance(drain, tuple)
    drained = set(node_names if drain == "all" else drain)
    drained.update(name for part in parts for name in part.drain)
    counts = {
        key: max([int(values.get(key, 0))] + [getattr(p, key) for p in parts])  # type: ignore[call-overload]
        for key in _COUNTS
    }
    fairness: dict[FairnessTarget, Fairness] = {}
    for part in parts:
        fairness.update(part.fairness)
    own = values.get("fairness", ())
    assert isinstance(own, tuple)
    fairness.update((_target(key), Fairness(kind)) for key, kind in own)
    mode = values.get("drainMode")
    drain_mode = DrainMode(mode) if isinstance(mode, str) else _first_mode(parts)
    start = values.get("disruptionsStart")
    settled = any(p.disruptionsStart is DisruptionStart.ONCE_SETTLED for p in parts)
    begin = values.get("start")
    settled_start = any(p.start is Start.SETTLED for p in parts)
    scale = values.get("scaleDown", ())
    assert scale == "all" or isinstance(scale, tuple)
    removable = set(node_names if scale == "all" else scale)
    removable.update(name for part in parts for name in part.scaleDown)
    return Environment(
        drain=tuple(n for n in node_names if n in drained),
        drainMode=drain_mode,
        scaleDown=tuple(n for n in node_names if n in removable),
        **_drain_options(values, parts),  # type: ignore[arg-type]
        disruptionsStart=DisruptionStart(start) if isinstance(start, str)
        else DisruptionStart.ONCE_SETTLED if settled else DisruptionStart.FROM_START,
        start=Start(begin) if isinstance(begin, str)
        else Start.SETTLED if settled_start else Start.PENDING,
        fairness=tuple(sorted(fairness.items())),
        span=env.block.span,
        **counts,
    )


def _drain_options(values: Mapping[str, object], parts: list[Environment]) -> dict[str, object]:
    """kubectl drain's flags, `--timeout` and `maxConcurrentDrains`: the environment's
    own value, else an include's (the first flag turned off, the largest K, the first
    timeout), else the default."""
    out: dict[str, object] = {}
    for flag in _FLAGS:
        own = values.get(flag)
        out[flag] = own if isinstance(own, bool) else all(getattr(p, flag) for p in parts)
    k = values.get("maxConcurrentDrains")
    out["maxConcurrentDrains"] = k if isinstance(k, int) else max(
        [1] + [p.maxConcurrentDrains for p in parts])
    timeout = values.get("drainTimeout")
    inherited = [p.drainTimeout for p in parts if p.drainTimeout is not None]
    out["drainTimeout"] = (timeout.hi.seconds if isinstance(timeout, DurationRange)
                           else inherited[0] if inherited else None)
    return out


def _target(word: str) -> FairnessTarget:
    """The actor or action a (validated) fairness key names."""
    return Actor(word) if word in words(Actor) else ActionKind(word)


def _first_mode(parts: list[Environment]) -> DrainMode:
    modes = [p.drainMode for p in parts if p.drainMode is not DrainMode.ONE_AT_A_TIME]
    return modes[0] if modes else DrainMode.ONE_AT_A_TIME
