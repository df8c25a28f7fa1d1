"""Export an explored state graph as Graphviz DOT, GraphML or JSON, and render SVG.

Stage: `podcheck.report`.  Consumes a `StateGraph` (from `engine/bfs.py` with
`keep_graph`); produces strings (and, through the Graphviz `dot` program when it is
installed, an SVG file).  Nodes are labelled with the state's variables as users read
them (`StateVar.show`, grouped by owner), edges with their action's `label`, initial
states are marked.  A graph with more than `max_nodes` states is exported as its
quotient by the variables whose `StateVar.field` is in `quotient_fields` ("phase" by
default): states with equal values of those variables become one node, and the edges
between two groups become one edge labelled with the sorted action names.

Output is deterministic: nodes in state-id (BFS) order or sorted by value vector,
edges sorted, no timings, no paths.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from pathlib import Path

import networkx as nx

from podcheck.engine.graph import StateGraph
from podcheck.ir import Action, State, StateVar, TransitionSystem, evaluate

DEFAULT_MAX_NODES = 200
GRAPHVIZ_MISSING = (
    "graphviz `dot` is not installed, so no svg was written; install it with "
    "`apt-get install graphviz` (Debian, Ubuntu) or `brew install graphviz` (macOS), "
    "or open the .dot file in any Graphviz viewer"
)


@dataclass(frozen=True, slots=True)
class ExportNode:
    """One exported node: a state, or a group of states in the quotient."""

    id: str
    values: tuple[tuple[str, str], ...]  # (variable display name, shown value)
    initial: bool
    states: int  # how many states it stands for

    @property
    def label(self) -> str:
        """One `name = value` line per variable (and the state count of a group)."""
        lines = [f"{name} = {value}" for name, value in self.values]
        if self.states != 1:
            lines.append(f"({self.states} states)")
        return "\n".join(lines) if lines else "(all states)"


@dataclass(frozen=True, slots=True)
class ExportEdge:
    """One exported edge; `actions` holds the action calls it stands for."""

    src: str
    dst: str
    label: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GraphView:
    """What every exporter writes: sorted nodes and edges, and how they were made."""

    name: str
    nodes: tuple[ExportNode, ...]
    edges: tuple[ExportEdge, ...]
    quotient_by: tuple[str, ...] | None  # the grouping variables, None: full graph
    total_states: int


def display_name(var: StateVar) -> str:
    """`owner field` when the variable has an owner, else its name."""
    if var.owner:
        return f"{var.owner} {var.field or var.name}"
    return var.field or var.name


def action_call(action: Action) -> str:
    """`name(param=value, ...)`."""
    return f"{action.name}({', '.join(f'{k}={v}' for k, v in action.params)})"


def graph_view(
    graph: StateGraph,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    quotient_fields: Sequence[str] = ("phase",),
) -> GraphView:
    """The full graph if it has at most `max_nodes` states, else its quotient."""
    if len(graph.states) <= max_nodes:
        return _full_view(graph)
    return _quotient_view(graph, _columns(graph.system, quotient_fields))


def _values(graph: StateGraph, state: State, indices: Sequence[int]) -> tuple[tuple[str, str], ...]:
    variables = graph.system.vars
    return tuple((display_name(variables[i]), variables[i].show(state[i])) for i in indices)


def _full_view(graph: StateGraph) -> GraphView:
    system = graph.system
    everything = range(len(system.vars))
    initial = set(graph.init)
    nodes = tuple(
        ExportNode(f"s{i}", _values(graph, s, everything), i in initial, 1)
        for i, s in enumerate(graph.states)
    )
    edges = tuple(
        ExportEdge(f"s{src}", f"s{dst}", system.actions[a].label, (action_call(system.actions[a]),))
        for src, out in enumerate(graph.edges)
        for a, dst in sorted(out)
    )
    return GraphView(system.name, nodes, edges, None, len(graph.states))


@dataclass(frozen=True, slots=True)
class _Column:
    """One coordinate of the quotient: a variable or a derived view (e.g. a pod's phase)."""

    name: str
    value: Callable[[State], int]
    show: Callable[[int], str]


def _columns(system: TransitionSystem, fields: Sequence[str]) -> list[_Column]:
    cols = [
        _Column(display_name(v), itemgetter(i), v.show)
        for i, v in enumerate(system.vars)
        if v.field in fields
    ]
    cols += [
        _Column(f"{d.owner}.{d.field}" if d.owner else d.field,
                partial(evaluate, d.expr), d.show)
        for d in system.derived
        if d.field in fields
    ]
    return cols


def _quotient_view(graph: StateGraph, cols: Sequence[_Column]) -> GraphView:
    system = graph.system
    keys = [tuple(c.value(s) for c in cols) for s in graph.states]
    order = {k: n for n, k in enumerate(sorted(set(keys)))}
    group = [order[k] for k in keys]
    sizes = [0] * len(order)
    for g in group:
        sizes[g] += 1
    initial = {group[i] for i in graph.init}
    nodes = tuple(
        ExportNode(f"q{n}", tuple((c.name, c.show(v)) for c, v in zip(cols, k, strict=True)),
                   n in initial, sizes[n])
        for k, n in sorted(order.items(), key=lambda kv: kv[1])
    )
    merged: dict[tuple[int, int], set[str]] = {}
    for src, out in enumerate(graph.edges):
        for a, dst in out:
            merged.setdefault((group[src], group[dst]), set()).add(system.actions[a].name)
    edges = tuple(
        ExportEdge(f"q{g}", f"q{h}", ", ".join(sorted(names)), tuple(sorted(names)))
        for (g, h), names in sorted(merged.items())
    )
    by = tuple(c.name for c in cols)
    return GraphView(system.name, nodes, edges, by, len(graph.states))


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l")
    return f'"{escaped}\\l"' if "\n" in text else f'"{escaped}"'


def to_dot(
    graph: StateGraph,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    quotient_fields: Sequence[str] = ("phase",),
) -> str:
    """Graphviz DOT text; initial nodes have a double border."""
    view = graph_view(graph, max_nodes=max_nodes, quotient_fields=quotient_fields)
    lines = [f"digraph {_dot_string(view.name)} {{"]
    if view.quotient_by is not None:
        by = ", ".join(view.quotient_by) or "nothing"
        caption = f"{view.total_states} states grouped by {by}"
        lines.append(f"  label={_dot_string(caption)};")
    lines.append('  node [shape=box, fontname="monospace"];')
    for node in view.nodes:
        extra = ", peripheries=2" if node.initial else ""
        lines.append(f"  {node.id} [label={_dot_string(node.label)}{extra}];")
    for edge in view.edges:
        lines.append(f"  {edge.src} -> {edge.dst} [label={_dot_string(edge.label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_networkx(view: GraphView) -> nx.MultiDiGraph[str]:
    """The view as a networkx multigraph (string attributes, insertion order kept)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=view.name)
    if view.quotient_by is not None:
        g.graph["quotient_by"] = ", ".join(view.quotient_by)
    for node in view.nodes:
        g.add_node(node.id, label=node.label, initial=node.initial, states=node.states)
    for k, edge in enumerate(view.edges):
        g.add_edge(
            edge.src, edge.dst, key=f"e{k}", label=edge.label, actions=", ".join(edge.actions)
        )
    return g


def to_graphml(
    graph: StateGraph,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    quotient_fields: Sequence[str] = ("phase",),
) -> str:
    """GraphML text (written by networkx)."""
    view = graph_view(graph, max_nodes=max_nodes, quotient_fields=quotient_fields)
    out = io.BytesIO()
    nx.write_graphml(to_networkx(view), out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def to_json(
    graph: StateGraph,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    quotient_fields: Sequence[str] = ("phase",),
) -> str:
    """JSON text: `{name, states, quotient_by, nodes: [...], edges: [...]}`."""
    view = graph_view(graph, max_nodes=max_nodes, quotient_fields=quotient_fields)
    doc = {
        "name": view.name,
        "states": view.total_states,
        "quotient_by": None if view.quotient_by is None else list(view.quotient_by),
        "nodes": [
            {"id": n.id, "values": dict(n.values), "initial": n.initial, "states": n.states}
            for n in view.nodes
        ],
        "edges": [
            {"src": e.src, "dst": e.dst, "label": e.label, "actions": list(e.actions)}
            for e in view.edges
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True, slots=True)
class SvgOutcome:
    """Whether the SVG was written, and a message for the user either way."""

    ok: bool
    message: str


def render_svg(dot_text: str, path: str | Path, *, dot_program: str = "dot") -> SvgOutcome:
    """Run Graphviz `dot -Tsvg` on `dot_text`, writing `path`.

    Never raises for a missing or failing Graphviz: the outcome says what happened
    and, when `dot` is not installed, how to install it.
    """
    exe = shutil.which(dot_program)
    if exe is None:
        return SvgOutcome(False, GRAPHVIZ_MISSING)
    try:
        proc = subprocess.run(
            [exe, "-Tsvg", "-o", str(path)],
            input=dot_text,
            text=True,
            capture_output=True,
            check=False,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return SvgOutcome(False, f"graphviz `dot` could not run: {err}")
    if proc.returncode != 0:
        reason = proc.stderr.strip() or f"exit status {proc.returncode}"
        return SvgOutcome(False, f"graphviz `dot` failed: {reason}")
    return SvgOutcome(True, f"wrote {Path(path).name}")
