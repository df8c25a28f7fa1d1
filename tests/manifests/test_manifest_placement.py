"""Reading placement fields from manifests (podcheck/manifests/placement.py)."""

from __future__ import annotations

import io

from podcheck import spec
from podcheck.diagnostics import codes as c
from podcheck.manifests import load_inputs
from podcheck.vocab import SelectorOperator, TaintEffect, TolerationOperator

TEMPLATE = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {podcheck.io/outcome.app: runs}
    spec:
      nodeSelector: {disk: ssd}
      PLACEMENT
      containers:
      - name: app
        image: example/web:1
---
apiVersion: v1
kind: Node
metadata:
  name: n1
  labels: {disk: ssd, kubernetes.io/hostname: n1, topology.kubernetes.io/zone: z1}
spec:
  taints: [{key: dedicated, value: web, effect: NoExecute}]
"""

REQUIRED = """affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: disk, operator: In, values: [ssd]}]
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: web}}
            topologyKey: kubernetes.io/hostname
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule,
         labelSelector: {matchLabels: {app: web}}}
      tolerations:
      - {key: dedicated, operator: Equal, value: web, effect: NoExecute, tolerationSeconds: 30}"""

UNMODELLED = """affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: cores, operator: Gt, values: ["4"]}]
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchExpressions: [{key: app, operator: Exists}]}
            topologyKey: kubernetes.io/hostname
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}"""


def _load(placement: str):
    text = TEMPLATE.replace("PLACEMENT", placement)
    return load_inputs(["-"], None, stdin=io.StringIO(text)).result


def test_required_rules_are_read() -> None:
    result = _load(REQUIRED)
    assert result.value is not None, result.diagnostics
    assert c.UNMODELLED_FIELD not in [d.code for d in result.diagnostics]
    t = result.value.workloads[0].template
    assert t.nodeSelector == (("disk", "ssd"),)
    assert t.nodeAffinity == (spec.LabelRequirement("disk", SelectorOperator.IN, ("ssd",)),)
    assert t.podAntiAffinity == (spec.PodAffinityTerm(spec.HOSTNAME_KEY, (("app", "web"),)),)
    assert t.topologySpread == (spec.TopologySpreadConstraint(1, spec.ZONE_KEY,
                                                              (("app", "web"),)),)
    assert t.tolerations == (spec.Toleration("dedicated", TolerationOperator.EQUAL, "web",
                                             TaintEffect.NO_EXECUTE, 30),)


def test_node_labels_and_taints_are_read() -> None:
    result = _load(REQUIRED)
    assert result.value is not None
    node = result.value.nodes[0]
    assert node.zone == "z1" and node.labels == (("disk", "ssd"),)
    assert node.taints == (spec.Taint("dedicated", TaintEffect.NO_EXECUTE, "web"),)


def test_shapes_the_model_cannot_express_are_unmodelled_and_left_out() -> None:
    result = _load(UNMODELLED)
    assert result.value is not None, result.diagnostics
    words = [d.message for d in result.diagnostics if d.code == c.UNMODELLED_FIELD]
    assert any("nodeSelectorTerms" in w for w in words)
    assert any("podAffinity" in w and "labelSelector" in w for w in words)
    assert any("ScheduleAnyway" in w for w in words)
    t = result.value.workloads[0].template
    assert t.nodeAffinity == () and t.podAffinity == () and t.topologySpread == ()


def test_a_rejected_toleration_is_an_error() -> None:
    result = _load("tolerations: [{operator: Equal, value: x}]")
    assert c.INVALID_FIELD_VALUE in [d.code for d in result.diagnostics]
