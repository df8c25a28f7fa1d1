"""State-graph export: DOT / GraphML / JSON of small graphs, the phase quotient of
larger ones, and `render_svg` with and without Graphviz."""

from __future__ import annotations

import io
import json
import stat

import networkx as nx
import pytest

from podcheck import ir
from podcheck.ir import Action, Fairness, StateVar, TransitionSystem, Var
from podcheck.report.graph import (
    GRAPHVIZ_MISSING,
    graph_view,
    render_svg,
    to_dot,
    to_graphml,
    to_json,
)
from tests.engine.b1_ir import b1_system
from tests.engine.reference import reference_graph

explore = reference_graph


PHASES = ("Pending", "Running", "Succeeded")


def pod_system() -> TransitionSystem:
    """One pod: Pending -> Running -> Succeeded, with a restart counter."""
    phase, restarts = Var(0), Var(1)
    vars_ = (StateVar("web.phase", 0, 2, PHASES, "pod web", "phase"),
             StateVar("web.restarts", 0, 1, (), "pod web", "restarts"))
    actions = (
        Action("start", (("pod", "web"),), ir.eq(phase, 0), ((0, ir.Const(1)),),
               'the kubelet starts "web"', "kubelet"),
        Action("crash", (("pod", "web"),),
               ir.and_(ir.eq(phase, 1), ir.eq(restarts, 0)),
               ((1, ir.Const(1)),), "web crashes and restarts", "kubelet",
               Fairness.NONE),
        Action("finish", (("pod", "web"),), ir.eq(phase, 1), ((0, ir.Const(2)),),
               "web exits 0", "kubelet"),
    )
    return TransitionSystem("pod", vars_, ((0, 0),), actions, ())


POD_DOT = r'''digraph "pod" {
  node [shape=box, fontname="monospace"];
  s0 [label="pod web phase = Pending\lpod web restarts = 0\l", peripheries=2];
  s1 [label="pod web phase = Running\lpod web restarts = 0\l"];
  s2 [label="pod web phase = Running\lpod web restarts = 1\l"];
  s3 [label="pod web phase = Succeeded\lpod web restarts = 0\l"];
  s4 [label="pod web phase = Succeeded\lpod web restarts = 1\l"];
  s0 -> s1 [label="the kubelet starts \"web\""];
  s1 -> s2 [label="web crashes and restarts"];
  s1 -> s3 [label="web exits 0"];
  s2 -> s4 [label="web exits 0"];
}
'''


def test_dot_of_a_small_graph():
    assert to_dot(explore(pod_system())) == POD_DOT


def test_json_of_a_small_graph():
    graph = explore(pod_system())
    doc = json.loads(to_json(graph))
    assert doc["quotient_by"] is None and doc["states"] == 5
    assert [n["id"] for n in doc["nodes"]] == ["s0", "s1", "s2", "s3", "s4"]
    assert [n["initial"] for n in doc["nodes"]] == [True, False, False, False, False]
    assert doc["nodes"][2]["values"] == {"pod web phase": "Running",
                                         "pod web restarts": "1"}
    assert [(e["src"], e["dst"], e["actions"]) for e in doc["edges"]] == [
        ("s0", "s1", ["start(pod=web)"]), ("s1", "s2", ["crash(pod=web)"]),
        ("s1", "s3", ["finish(pod=web)"]), ("s2", "s4", ["finish(pod=web)"])]


def test_graphml_round_trips_through_networkx():
    graph = explore(pod_system())
    text = to_graphml(graph)
    assert text == to_graphml(explore(pod_system()))
    back = nx.read_graphml(io.StringIO(text), force_multigraph=True)
    assert sorted(back.nodes) == ["s0", "s1", "s2", "s3", "s4"]
    assert back.nodes["s0"]["initial"] is True and back.nodes["s3"]["initial"] is False
    assert back.nodes["s3"]["label"] == "pod web phase = Succeeded\npod web restarts = 0"
    labels = sorted((u, v, d["label"]) for u, v, d in back.edges(data=True))
    assert labels[0] == ("s0", "s1", 'the kubelet starts "web"')
    assert back.number_of_edges() == 4


def test_phase_quotient_over_the_node_limit():
    graph = explore(pod_system())
    view = graph_view(graph, max_nodes=4)
    assert view.quotient_by == ("pod web phase",)
    assert [(n.id, n.values, n.initial, n.states) for n in view.nodes] == [
        ("q0", (("pod web phase", "Pending"),), True, 1),
        ("q1", (("pod web phase", "Running"),), False, 2),
        ("q2", (("pod web phase", "Succeeded"),), False, 2)]
    assert [(e.src, e.dst, e.label) for e in view.edges] == [
        ("q0", "q1", "start"), ("q1", "q1", "crash"), ("q1", "q2", "finish")]
    dot = to_dot(graph, max_nodes=4)
    assert 'label="5 states grouped by pod web phase";' in dot
    assert 'q1 [label="pod web phase = Running\\l(2 states)\\l"];' in dot


def test_quotient_of_b1_partitions_states_and_keeps_every_edge():
    sys_ = b1_system(2, 2, 1)
    graph = explore(sys_)
    assert len(graph.states) == 52
    view = graph_view(graph, max_nodes=20, quotient_fields=("status",))
    assert view.quotient_by == ("pod-1 status", "pod-2 status")
    assert sum(n.states for n in view.nodes) == 52
    assert [n.initial for n in view.nodes].count(True) == 1
    statuses = ("Absent", "Pending", "Starting", "Ready")
    index = {tuple(v for _, v in n.values): n.id for n in view.nodes}
    expected: dict[tuple[str, str], set[str]] = {}
    for src, out in enumerate(graph.edges):
        for a, dst in out:
            key = (index[tuple(statuses[x] for x in graph.states[src][:2])],
                   index[tuple(statuses[x] for x in graph.states[dst][:2])])
            expected.setdefault(key, set()).add(sys_.actions[a].name)
    assert {(e.src, e.dst): set(e.actions) for e in view.edges} == expected
    doc = json.loads(to_json(graph, max_nodes=20, quotient_fields=("status",)))
    assert len(doc["nodes"]) == len(view.nodes) and doc["states"] == 52


def test_no_phase_variable_gives_one_group():
    sys_ = b1_system(2, 2, 1)
    view = graph_view(explore(sys_), max_nodes=10)
    assert view.quotient_by == ()
    assert [(n.states, n.label) for n in view.nodes] == [(52, "(52 states)")]
    assert "grouped by nothing" in to_dot(explore(sys_), max_nodes=10)


def test_render_svg_without_graphviz():
    outcome = render_svg(POD_DOT, "out.svg", dot_program="podcheck-no-such-dot")
    assert not outcome.ok and outcome.message == GRAPHVIZ_MISSING
    assert "apt-get install graphviz" in outcome.message
    assert "brew install graphviz" in outcome.message


def _script(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_render_svg_runs_dot_and_reports_failures(tmp_path):
    fake = _script(tmp_path, "fake-dot", '[ "$1" = -Tsvg ] && cat > "$3"\n')
    out = tmp_path / "graph.svg"
    outcome = render_svg(POD_DOT, out, dot_program=fake)
    assert outcome.ok and outcome.message == "wrote graph.svg"
    assert out.read_text() == POD_DOT
    broken = _script(tmp_path, "broken-dot", "echo 'syntax error in line 1' >&2\nexit 1\n")
    failed = render_svg("digraph {", out, dot_program=broken)
    assert not failed.ok
    assert failed.message == "graphviz `dot` failed: syntax error in line 1"


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="graphviz absent")
def test_render_svg_with_real_graphviz(tmp_path):
    out = tmp_path / "pod.svg"
    assert render_svg(POD_DOT, out).ok
    assert "<svg" in out.read_text()
