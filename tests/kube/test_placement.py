"""Tables transcribed from Kubernetes v1.35 scheduler plugin tests:
`TestRequiredAffinitySingleNode` (`pkg/scheduler/framework/plugins/interpodaffinity/
filtering_test.go`) and `TestSingleConstraint` / `TestMultipleConstraints`
(`pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go`).
"""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.interpod import (
    AFFINITY_REASON,
    ANTI_AFFINITY_REASON,
    EXISTING_ANTI_AFFINITY_REASON,
    interpod_affinity_filter,
)
from podcheck.kube.topologyspread import (
    MISSING_LABEL_REASON,
    SPREAD_REASON,
    spread_constraints,
    topology_spread_filter,
)

POD_LABEL = {"service": "securityscan"}
POD_LABEL2 = {"security": "S1"}
NODE1 = {"metadata": {"name": "machine1", "labels": {"region": "r1", "zone": "z11"}}}


def sel(key, op, *values):
    expr = {"key": key, "operator": op}
    if values:
        expr["values"] = list(values)
    return {"matchExpressions": [expr]}


def term(selector, topology_key="region", **extra):
    return {"labelSelector": selector, "topologyKey": topology_key, **extra}


def apod(labels, affinity=(), anti=(), node="", namespace=None, name="p"):
    spec = {"containers": [{"name": "c"}], "affinity": {}}
    if node:
        spec["nodeName"] = node
    if affinity:
        spec["affinity"]["podAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": list(affinity)}
    if anti:
        spec["affinity"]["podAntiAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": list(anti)}
    meta = {"name": name, "labels": labels}
    if namespace:
        meta["namespace"] = namespace
    return {"metadata": meta, "spec": spec}


IN_SCAN = sel("service", "In", "securityscan", "value2")
IN_AV = sel("service", "In", "antivirusscan", "value2")


# filtering_test.go :: TestRequiredAffinitySingleNode (the rows on node1)
@pytest.mark.parametrize(
    ("pod", "pods", "want"),
    [
        (apod({}), [], None),
        (apod(POD_LABEL2, [term(IN_SCAN)]), [apod(POD_LABEL, node="machine1")], None),
        (apod(POD_LABEL2, [term(sel("service", "NotIn", "securityscan3", "value3"))]),
         [apod(POD_LABEL, node="machine1")], None),
        (apod(POD_LABEL2, [term(IN_SCAN, namespaces=["DiffNameSpace"])]),
         [apod(POD_LABEL, node="machine1", namespace="ns")], AFFINITY_REASON),
        (apod(POD_LABEL, [term(IN_AV)]), [apod(POD_LABEL, node="machine1")], AFFINITY_REASON),
        (apod(POD_LABEL2, [
            term({"matchExpressions": [{"key": "service", "operator": "Exists"},
                                       {"key": "wrongkey", "operator": "DoesNotExist"}]}),
            term({"matchExpressions": [
                {"key": "service", "operator": "In", "values": ["securityscan"]},
                {"key": "service", "operator": "NotIn", "values": ["WrongValue"]}]})]),
         [apod(POD_LABEL, node="machine1")], None),
        (apod(POD_LABEL2, [
            term({"matchExpressions": [{"key": "service", "operator": "Exists"},
                                       {"key": "wrongkey", "operator": "DoesNotExist"}]}),
            term({"matchExpressions": [
                {"key": "service", "operator": "In", "values": ["securityscan2"]},
                {"key": "service", "operator": "NotIn", "values": ["WrongValue"]}]})]),
         [apod(POD_LABEL, node="machine1")], AFFINITY_REASON),
        (apod(POD_LABEL2, [term(IN_SCAN)], [term(IN_AV, "node")]),
         [apod(POD_LABEL, node="machine1")], None),
        (apod(POD_LABEL2, [term(IN_SCAN)], [term(IN_AV, "node")]),
         [apod(POD_LABEL, anti=[term(IN_AV, "node")], node="machine1")], None),
        (apod(POD_LABEL2, [term(IN_SCAN)], [term(IN_SCAN, "zone")]),
         [apod(POD_LABEL, node="machine1")], ANTI_AFFINITY_REASON),
        (apod(POD_LABEL, [term(IN_SCAN)], [term(IN_AV, "node")]),
         [apod(POD_LABEL, anti=[term(IN_SCAN, "zone")], node="machine1")],
         EXISTING_ANTI_AFFINITY_REASON),
        (apod(POD_LABEL, [term(sel("service", "NotIn", "securityscan", "value2"))]),
         [apod(POD_LABEL, node="machine2")], AFFINITY_REASON),
        (apod(POD_LABEL), [apod(POD_LABEL, anti=[term(IN_SCAN, "zone")], node="machine1")],
         EXISTING_ANTI_AFFINITY_REASON),
        (apod(POD_LABEL),
         [apod(POD_LABEL, anti=[term(sel("service", "NotIn", "securityscan", "value2"),
                                     "zone")], node="machine1")], None),
        (apod(POD_LABEL, anti=[term(sel("service", "Exists")),
                               term(sel("security", "Exists"))]),
         [apod(POD_LABEL2, anti=[term(sel("security", "Exists"), "zone")], node="machine1")],
         ANTI_AFFINITY_REASON),
    ],
)
def test_required_affinity_single_node(pod, pods, want):
    assert interpod_affinity_filter(pod, NODE1, [NODE1], pods) == want


def test_first_pod_of_a_self_affine_group_schedules():
    # NOTE(first-pod-affinity): filtering.go satisfyPodAffinity, "This pod may be the first
    # pod in a series that have affinity to themselves".
    pod = apod(POD_LABEL, [term(IN_SCAN)])
    assert interpod_affinity_filter(pod, NODE1, [NODE1], []) is None
    # ... but not onto a node lacking the topology key,
    bare = {"metadata": {"name": "bare", "labels": {}}}
    assert interpod_affinity_filter(pod, bare, [bare], []) == AFFINITY_REASON
    # ... and not when a matching pod exists elsewhere.
    node2 = {"metadata": {"name": "machine2", "labels": {"region": "r2"}}}
    pods = [apod(POD_LABEL, node="machine2")]
    assert interpod_affinity_filter(pod, NODE1, [NODE1, node2], pods) == AFFINITY_REASON


def test_hostname_anti_affinity_spreads_replicas():
    nodes = [{"metadata": {"name": n, "labels": {"kubernetes.io/hostname": n}}}
             for n in ("a", "b")]
    anti = [term({"matchLabels": {"app": "web"}}, "kubernetes.io/hostname")]
    pod = apod({"app": "web"}, anti=anti)
    pods = [apod({"app": "web"}, anti=anti, node="a", name="web-0")]
    assert interpod_affinity_filter(pod, nodes[0], nodes, pods) == ANTI_AFFINITY_REASON
    assert interpod_affinity_filter(pod, nodes[1], nodes, pods) is None


def test_empty_namespace_selector_selects_every_namespace():
    pod = apod(POD_LABEL2, [term(IN_SCAN, namespaceSelector={})])
    pods = [apod(POD_LABEL, node="machine1", namespace="other")]
    assert interpod_affinity_filter(pod, NODE1, [NODE1], pods) is None


def test_empty_topology_key_raises():
    with pytest.raises(KubeInputError, match=r"topologyKey: can not be empty"):
        interpod_affinity_filter(apod({}, [term(IN_SCAN, "")]), NODE1, [NODE1], [])


# --- PodTopologySpread -------------------------------------------------------------------


def snode(name, **labels):
    return {"metadata": {"name": name, "labels": labels}}


FOUR = [snode("node-a", zone="zone1", node="node-a"), snode("node-b", zone="zone1", node="node-b"),
        snode("node-x", zone="zone2", node="node-x"), snode("node-y", zone="zone2", node="node-y")]


def spod(labels, *constraints, affinity=None):
    spec = {"containers": [{"name": "c"}], "topologySpreadConstraints": list(constraints)}
    if affinity:
        spec["affinity"] = affinity
    return {"metadata": {"name": "p", "labels": labels}, "spec": spec}


def hard(skew, key, selector=None, **extra):
    return {"maxSkew": skew, "topologyKey": key, "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": selector or sel("foo", "Exists"), **extra}


def existing(name, node, namespace=None, terminating=False, labels=None):
    meta = {"name": name, "labels": {"foo": ""} if labels is None else labels}
    if namespace:
        meta["namespace"] = namespace
    if terminating:
        meta["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    return {"metadata": meta, "spec": {"nodeName": node}}


SPREAD_2103 = [existing("p-a1", "node-a"), existing("p-a2", "node-a"), existing("p-b1", "node-b"),
               existing("p-y1", "node-y"), existing("p-y2", "node-y"), existing("p-y3", "node-y")]
OK, SKEW, LABEL = None, SPREAD_REASON, MISSING_LABEL_REASON


# podtopologyspread/filtering_test.go :: TestSingleConstraint
@pytest.mark.parametrize(
    ("pod", "nodes", "pods", "want"),
    [
        (spod({"foo": ""}, hard(1, "zone")), FOUR, [], (OK, OK, OK, OK)),
        (spod({"foo": ""}, hard(1, "zone")), FOUR,
         [existing("p-a1", "node-a", "ns1"), existing("p-b1", "node-a", "ns2"),
          existing("p-x1", "node-x"), existing("p-y1", "node-y")], (OK, OK, SKEW, SKEW)),
        (spod({"foo": ""}, hard(1, "zone")), FOUR,
         [existing("p-a1", "node-a"), existing("p-a2", "node-a"), existing("p-b1", "node-b"),
          existing("p-y1", "node-y"), existing("p-y2", "node-y"), existing("p-y3", "node-y")],
         (OK, OK, OK, OK)),
        (spod({"foo": ""}, hard(1, "zone")),
         [FOUR[0], snode("node-b", zon="zone1", node="node-b"), FOUR[2], FOUR[3]],
         [existing("p-a1", "node-a"), existing("p-b1", "node-b"), existing("p-x1", "node-x"),
          existing("p-y1", "node-y")], (OK, LABEL, SKEW, SKEW)),
        (spod({"foo": ""}, hard(1, "rack")), [FOUR[0], FOUR[2]], [], (LABEL, LABEL)),
        (spod({"foo": ""}, hard(1, "node")), FOUR, SPREAD_2103, (SKEW, SKEW, OK, SKEW)),
        (spod({"foo": ""}, hard(2, "node")), FOUR, SPREAD_2103, (SKEW, OK, OK, SKEW)),
        (spod({"bar": ""}, hard(1, "node")), FOUR, SPREAD_2103, (SKEW, OK, OK, SKEW)),
        (spod({"foo": ""}, hard(1, "node"), affinity={"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "node", "operator": "In",
                                       "values": ["node-a", "node-y"]}]}]}}}),
         FOUR, SPREAD_2103, (OK, OK, OK, SKEW)),
        (spod({"foo": ""}, hard(1, "node")), [snode("node-a", node="node-a"),
                                              snode("node-b", node="node-b")],
         [existing("p-a", "node-a", terminating=True), existing("p-b", "node-b")], (OK, SKEW)),
    ],
)
def test_single_constraint(pod, nodes, pods, want):
    got = tuple(topology_spread_filter(pod, n, nodes, pods) for n in nodes)
    assert got == want


# podtopologyspread/filtering_test.go :: TestMultipleConstraints (first two rows)
@pytest.mark.parametrize(
    ("extra", "want"),
    [((), (SKEW, SKEW, OK, SKEW)), ((existing("p-y4", "node-y"),), (SKEW, SKEW, SKEW, SKEW))],
)
def test_multiple_constraints(extra, want):
    pod = spod({"foo": ""}, hard(1, "zone"), hard(1, "node"))
    pods = SPREAD_2103 + list(extra)
    assert tuple(topology_spread_filter(pod, n, FOUR, pods) for n in FOUR) == want


def test_min_domains_makes_global_minimum_zero():
    # filtering.go minMatchNum: fewer eligible domains than minDomains -> global min 0.
    nodes = [snode("node-a", zone="zone1"), snode("node-b", zone="zone2")]
    pods = [existing("p-a", "node-a"), existing("p-b", "node-b")]
    plain = spod({"foo": ""}, hard(1, "zone"))
    with_min = spod({"foo": ""}, hard(1, "zone", minDomains=3))
    assert topology_spread_filter(plain, nodes[0], nodes, pods) is None
    assert topology_spread_filter(with_min, nodes[0], nodes, pods) == SKEW


def test_schedule_anyway_does_not_filter():
    soft = dict(hard(1, "zone"), whenUnsatisfiable="ScheduleAnyway")
    assert spread_constraints(spod({"foo": ""}, soft)) == ()


def test_match_label_keys_narrow_the_selector():
    pod = spod({"foo": "", "rev": "2"}, hard(1, "node", matchLabelKeys=["rev"]))
    old = [existing("o1", "node-a", labels={"foo": "", "rev": "1"}),
           existing("o2", "node-a", labels={"foo": "", "rev": "1"})]
    nodes = FOUR[:2]
    assert topology_spread_filter(pod, nodes[0], nodes, old) is None


@pytest.mark.parametrize(
    ("constraint", "message"),
    [(hard(0, "zone"), r"maxSkew: must be greater than zero"),
     (dict(hard(1, "zone"), whenUnsatisfiable="Maybe"), r"whenUnsatisfiable: Unsupported"),
     (hard(1, "zone", minDomains=0), r"minDomains: must be greater than zero"),
     (hard(1, ""), r"topologyKey: can not be empty")],
)
def test_bad_constraints_raise(constraint, message):
    with pytest.raises(KubeInputError, match=message):
        spread_constraints(spod({}, constraint))
