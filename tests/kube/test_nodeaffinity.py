"""Tables transcribed from Kubernetes v1.35 `TestNodeSelectorMatch`,
`TestNodeSelectorRequirementsAsSelector` and `TestPodMatchesNodeSelectorAndAffinityTerms`
(staging `component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go`), and the
pod-count check of `fitsRequest` (`pkg/scheduler/framework/plugins/noderesources/fit.go`).
"""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.nodeaffinity import (
    NODE_AFFINITY_REASON,
    allowed_pods,
    node_affinity_filter,
    node_view,
    parse_node_selector,
    pod_count_fits,
    required_node_affinity,
)


def expr(key, op, *values):
    return {"key": key, "operator": op, "values": list(values)}


def name_field(op, *values):
    return {"key": "metadata.name", "operator": op, "values": list(values)}


def affinity_pod(*terms, node_selector=None):
    spec = {"containers": [{"name": "c"}]}
    if terms != (None,):
        spec["affinity"] = {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}}
    if node_selector:
        spec["nodeSelector"] = node_selector
    return {"spec": spec}


def node(name="", labels=None):
    return {"metadata": {"name": name, "labels": labels or {}}}


# nodeaffinity_test.go :: TestNodeSelectorMatch
def test_node_selector_match_reports_parse_errors():
    terms = parse_node_selector({"nodeSelectorTerms": [
        {"matchFields": [name_field("In", "host_1", "host_2")]},
        {"matchExpressions": [expr("label_1", "In", "label_1_val")],
         "matchFields": [name_field("In", "host_1")]},
        {"matchExpressions": [expr("invalid key", "In", "label_value")]},
    ]}, "ns")
    errors = [e for t in terms for e in t.errors]
    assert errors[0] == "ns.nodeSelectorTerms[0].matchFields[0].values: must have one element"
    assert errors[1].startswith("ns.nodeSelectorTerms[2].matchExpressions[0].key: name part")
    assert len(errors) == 2


@pytest.mark.parametrize(
    ("terms", "name", "labels", "want"),
    [
        ([{"matchExpressions": [expr("label_1", "In", "label_1_val")],
           "matchFields": [name_field("In", "host_1")]}], "host_1", {}, False),
        ([{"matchExpressions": [expr("label_1", "In", "label_1_val")],
           "matchFields": [name_field("In", "host_1")]}], "host_1",
         {"label_1": "label_1_val"}, True),
        ([{"matchExpressions": [expr("label_1", "In", "label_1_val")]},
          {"matchFields": [name_field("In", "host_1")]}], "host_1", {}, True),
    ],
)
def test_node_selector_match(terms, name, labels, want):
    assert required_node_affinity(affinity_pod(*terms)).matches(node_view(node(name, labels))) \
        is want


# nodeaffinity_test.go :: TestNodeSelectorRequirementsAsSelector (the error and Gt/Lt rows)
def test_requirements_as_selector():
    (term,) = parse_node_selector(
        {"nodeSelectorTerms": [{"matchExpressions": [expr("foo", "Exists", "bar", "baz")]}]}, "r")
    assert term.errors == (
        "r.nodeSelectorTerms[0].matchExpressions[0].values: values set must be empty for "
        "exists and does not exist",)
    gt = affinity_pod({"matchExpressions": [expr("foo", "Gt", "1")]})
    lt = affinity_pod({"matchExpressions": [expr("bar", "Lt", "7")]})
    assert node_affinity_filter(gt, node(labels={"foo": "2"})) is None
    assert node_affinity_filter(gt, node(labels={"foo": "1"})) == NODE_AFFINITY_REASON
    assert node_affinity_filter(lt, node(labels={"bar": "6"})) is None
    assert node_affinity_filter(lt, node(labels={"bar": "seven"})) == NODE_AFFINITY_REASON
    assert node_affinity_filter(lt, node()) == NODE_AFFINITY_REASON


# nodeaffinity_test.go :: TestPodMatchesNodeSelectorAndAffinityTerms (every row)
@pytest.mark.parametrize(
    ("pod", "labels", "name", "want"),
    [
        ({"spec": {"containers": [{"name": "c"}]}}, {}, "", True),
        (affinity_pod(None, node_selector={"foo": "bar"}), {}, "", False),
        (affinity_pod(None, node_selector={"foo": "bar"}), {"foo": "bar"}, "", True),
        (affinity_pod(None, node_selector={"foo": "bar"}), {"foo": "bar", "baz": "blah"}, "",
         True),
        (affinity_pod(None, node_selector={"foo": "bar", "baz": "blah"}), {"foo": "bar"}, "",
         False),
        (affinity_pod({"matchExpressions": [expr("foo", "In", "bar", "value2")]}),
         {"foo": "bar"}, "", True),
        (affinity_pod({"matchExpressions": [expr("kernel-version", "Gt", "0204")]}),
         {"kernel-version": "0206"}, "", True),
        (affinity_pod({"matchExpressions": [expr("mem-type", "NotIn", "DDR", "DDR2")]}),
         {"mem-type": "DDR3"}, "", True),
        (affinity_pod({"matchExpressions": [expr("GPU", "Exists")]}),
         {"GPU": "NVIDIA-GRID-K1"}, "", True),
        (affinity_pod({"matchExpressions": [expr("foo", "In", "value1", "value2")]}),
         {"foo": "bar"}, "", False),
        (affinity_pod(), {"foo": "bar"}, "", False),  # nil and empty []NodeSelectorTerm
        (affinity_pod({"matchExpressions": []}), {"foo": "bar"}, "", False),
        ({"spec": {"containers": [{"name": "c"}], "affinity": {"nodeAffinity": {}}}},
         {"foo": "bar"}, "", True),
        (affinity_pod({"matchExpressions": [expr("GPU", "Exists"),
                                            expr("GPU", "NotIn", "AMD", "INTER")]}),
         {"GPU": "NVIDIA-GRID-K1"}, "", True),
        (affinity_pod({"matchExpressions": [expr("GPU", "Exists"),
                                            expr("GPU", "In", "AMD", "INTER")]}),
         {"GPU": "NVIDIA-GRID-K1"}, "", False),
        (affinity_pod({"matchExpressions": [expr("foo", "In", "bar", "value2")]},
                      {"matchExpressions": [expr("diffkey", "In", "wrong", "value2")]}),
         {"foo": "bar"}, "", True),
        (affinity_pod({"matchExpressions": [expr("foo", "Exists")]},
                      node_selector={"foo": "bar"}), {"foo": "bar"}, "", True),
        (affinity_pod({"matchExpressions": [expr("foo", "Exists")]},
                      node_selector={"foo": "bar"}), {"foo": "barrrrrr"}, "", False),
        (affinity_pod({"matchExpressions": [expr("foo", "NotIn", "invalid value: ___@#$%^")]}),
         {"foo": "bar"}, "", False),
        (affinity_pod({"matchFields": [name_field("In", "node_1")]}), {}, "node_1", True),
        (affinity_pod({"matchFields": [name_field("In", "node_1")]}), {}, "node_2", False),
        (affinity_pod({"matchFields": [name_field("In", "node_1")]},
                      {"matchExpressions": [expr("foo", "In", "bar")]}),
         {"foo": "bar"}, "node_2", True),
        (affinity_pod({"matchFields": [name_field("In", "node_1")],
                       "matchExpressions": [expr("foo", "In", "bar")]}),
         {"foo": "bar"}, "node_2", False),
        (affinity_pod({"matchFields": [name_field("In", "node_1")],
                       "matchExpressions": [expr("foo", "In", "bar")]}),
         {"foo": "bar"}, "node_1", True),
        (affinity_pod({"matchFields": [name_field("In", "node_1")]},
                      {"matchExpressions": [expr("foo", "In", "not-match-to-bar")]}),
         {"foo": "bar"}, "node_2", False),
    ],
)
def test_pod_matches_node_selector_and_affinity_terms(pod, labels, name, want):
    reason = node_affinity_filter(pod, node(name, labels))
    assert (reason is None) is want
    if not want:
        assert reason == NODE_AFFINITY_REASON


def test_not_in_match_field_excludes_one_node():
    pod = affinity_pod({"matchFields": [name_field("NotIn", "node_1")]})
    assert node_affinity_filter(pod, node("node_1")) == NODE_AFFINITY_REASON
    assert node_affinity_filter(pod, node("node_2")) is None


# fit.go :: fitsRequest: "if len(nodeInfo.Pods)+1 > allowedPodNumber" -> "Too many pods".
@pytest.mark.parametrize(("pods", "allowed", "want"), [(0, 1, True), (1, 1, False),
                                                       (109, 110, True), (110, 110, False)])
def test_pod_count_fits(pods, allowed, want):
    assert pod_count_fits(pods, allowed) is want


def test_allowed_pods_reads_allocatable():
    assert allowed_pods({"status": {"allocatable": {"pods": "3"}}}) == 3
    assert allowed_pods({}) == 110


@pytest.mark.parametrize(
    ("pod", "message"),
    [
        ({"spec": {"nodeSelector": {"a": 1}}}, r"^spec\.nodeSelector\.a: keys and values"),
        (affinity_pod({"matchExpressions": [{"key": "a", "operator": 3}]}),
         r"nodeSelectorTerms\[0\]\.matchExpressions\[0\]: `key` and `operator`"),
        ({"spec": {"affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": []}}}},
         r"requiredDuringSchedulingIgnoredDuringExecution: expected a mapping"),
    ],
)
def test_malformed_affinity_raises(pod, message):
    with pytest.raises(KubeInputError, match=message):
        required_node_affinity(pod)
