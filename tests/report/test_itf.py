"""The ITF renderer: well-formed traces (ADR-015), a golden trace and run document.

Regenerate the goldens with `PODCHECK_UPDATE_GOLDENS=1 pytest tests/report`.
"""

from __future__ import annotations

import json

from test_text import assert_golden, b1_check, lasso

from podcheck import ir
from podcheck.engine.result import Step, Trace
from podcheck.ir import StateVar
from podcheck.report import itf


def always_available(check):
    return next(r for r in check.results if r.name == "AlwaysAvailable")


def test_itf_trace_golden():
    check = b1_check()
    result = always_available(check)
    doc = itf.trace_to_itf(
        result.trace,
        property_name=result.name,
        description="at least 1 pods are Ready in every state",
    )
    assert_golden("b1_n2_m2.itf.json", itf.dumps(doc))


def test_run_document_golden():
    assert_golden("b1_n2_m2.result.json", itf.dumps(itf.result_to_json(b1_check())))


def test_itf_trace_is_well_formed():
    check = b1_check()
    trace = always_available(check).trace
    doc = json.loads(itf.dumps(itf.trace_to_itf(trace, property_name="AlwaysAvailable")))
    assert doc["#meta"]["format"] == "ITF" and doc["#meta"]["source"] == "b1.pod"
    assert len(doc["states"]) == trace.length + 1
    for i, state in enumerate(doc["states"]):
        assert state["#meta"]["index"] == i
        assert set(state) - {"#meta"} == set(doc["vars"])
    first, last = doc["states"][0], doc["states"][-1]
    assert first["mbt::actionTaken"] == "init" and first["pod1.status"] == "Ready"
    assert last["mbt::actionTaken"] == "fail"
    assert last["mbt::nondetPicks"] == {"node": "node-2"}
    assert last["failures"] == 1 and "loop" not in doc


def test_lasso_and_big_ints():
    doc = itf.trace_to_itf(lasso(), engine="bfs+liveness")
    assert doc["loop"] == 1
    assert doc["#meta"]["loopAction"]["mbt::actionTaken"] == "restart"
    assert doc["#meta"]["loopAction"]["span"] == "toy.pod:11"
    assert_golden("lasso.itf.json", itf.dumps(doc))
    big = ir.TransitionSystem("big", (StateVar("x", 0, 2**60),), ((2**60,),), (), ())
    state = itf.trace_to_itf(Trace(big, (Step((2**60,)),)))["states"][0]
    assert state["x"] == {"#bigint": str(2**60)}


def test_run_document_without_timing_is_deterministic():
    one = itf.dumps(itf.result_to_json(b1_check()))
    assert one == itf.dumps(itf.result_to_json(b1_check()))
    assert "seconds" not in one
    assert "seconds" in itf.dumps(itf.result_to_json(b1_check(), show_timing=True))
