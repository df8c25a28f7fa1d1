"""The fair-SCC step's strongly connected components (engine/fairness.py,
`strongly_connected`, iterative Tarjan) against networkx's on random graphs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from podcheck.engine.fairness import strongly_connected


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[list[list[tuple[int, int]]], set[int]]:
    n = draw(st.integers(1, 30))
    edges = [[(a, draw(st.integers(0, n - 1))) for a in range(draw(st.integers(0, 4)))]
             for _ in range(n)]
    inside = set(draw(st.lists(st.integers(0, n - 1), max_size=n)))
    return edges, inside


@settings(max_examples=200, deadline=None)
@given(_graphs())
def test_components_equal_networkx_on_the_induced_subgraph(
        case: tuple[list[list[tuple[int, int]]], set[int]]) -> None:  # fmt: skip
    edges, inside = case
    graph: Any = SimpleNamespace(edges=edges)
    dg: nx.DiGraph[int] = nx.DiGraph()
    dg.add_nodes_from(inside)
    dg.add_edges_from((s, d) for s in inside for _, d in edges[s] if d in inside)
    expected = {frozenset(c) for c in nx.strongly_connected_components(dg)}
    got = strongly_connected(graph, sorted(inside), inside)
    assert len(got) == len(set(got))
    assert set(got) == expected


def test_a_long_chain_needs_no_recursion() -> None:
    n = 50_000
    graph: Any = SimpleNamespace(edges=[[(0, (i + 1) % n)] for i in range(n)])
    (only,) = strongly_connected(graph, [0], set(range(n)))
    assert len(only) == n
