"""Tables transcribed from Kubernetes v1.35: `TestTolerationToleratesTaint`
(staging `k8s.io/api/core/v1/toleration_test.go`), `TestTaintTolerationFilter`
(`pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go`),
`TestGetMinTolerationTime` (`pkg/controller/tainteviction/taint_eviction_test.go`), and the
every row of `TestForgivenessAdmission`
(`plugin/pkg/admission/defaulttolerationseconds/admission_test.go`), verbatim by
description.
"""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.taints import (
    EvictionKind,
    NoExecuteDecision,
    Taint,
    TaintEffect,
    Toleration,
    TolerationOperator,
    default_toleration_seconds,
    min_toleration_seconds,
    parse_toleration,
    taint_eviction,
    taint_toleration_filter,
    tolerates,
)

NS, NE, PNS = TaintEffect.NO_SCHEDULE, TaintEffect.NO_EXECUTE, TaintEffect.PREFER_NO_SCHEDULE
EQ, EX = TolerationOperator.EQUAL, TolerationOperator.EXISTS
GT, LT = TolerationOperator.GT, TolerationOperator.LT
SLA = "node.kubernetes.io/sla"


# toleration_test.go :: TestTolerationToleratesTaint (every row)
@pytest.mark.parametrize(
    ("toleration", "taint", "want"),
    [
        (Toleration("foo", EX, effect=NS), Taint("foo", NS), True),
        (Toleration("foo", EX, effect=NS), Taint("foo", NS, "bar"), True),
        (Toleration("", EX, effect=NS), Taint("foo", NS, "bar"), True),
        (Toleration("foo", EQ, "bar", NS), Taint("foo", NS, "bar"), True),
        (Toleration("foo", EQ, "value1", NS), Taint("foo", NS, "value2"), False),
        (Toleration("foo", EQ, "bar", NS), Taint("foo", NE, "bar"), False),
        (Toleration(SLA, GT, "950", NS), Taint(SLA, NS, "800"), False),
        (Toleration(SLA, GT, "750", NS), Taint(SLA, NS, "950"), True),
        (Toleration(SLA, LT, "800", NS), Taint(SLA, NS, "950"), False),
        (Toleration(SLA, LT, "950", NS), Taint(SLA, NS, "800"), True),
        (Toleration(SLA, GT, "950", NS), Taint(SLA, NS, "950"), False),
        (Toleration(SLA, GT, "950", NS), Taint(SLA, NS, "high"), False),
        (Toleration("test-key", GT, "-100", NS), Taint("test-key", NS, "-200"), False),
        (Toleration("test-key", GT, "9223372036854775806", NS), Taint("test-key", NS, "100"),
         False),
    ],
)
def test_toleration_tolerates_taint(toleration, taint, want):
    assert tolerates(toleration, taint) is want


def pod(*tolerations):
    return {"spec": {"containers": [{"name": "c"}], "tolerations": list(tolerations)}}


def node(*taints):
    return {"metadata": {"name": "nodeA"}, "spec": {"taints": list(taints)}}


def taint(key, value, effect):
    return {"key": key, "value": value, "effect": effect}


UNTOLERATED_USER1 = "node(s) had untolerated taint {dedicated: user1}"


# taint_toleration_test.go :: TestTaintTolerationFilter (every row)
@pytest.mark.parametrize(
    ("tolerations", "taints", "want"),
    [
        ((), (taint("dedicated", "user1", "NoSchedule"),), UNTOLERATED_USER1),
        (({"key": "dedicated", "value": "user1", "effect": "NoSchedule"},),
         (taint("dedicated", "user1", "NoSchedule"),), None),
        (({"key": "dedicated", "operator": "Equal", "value": "user2", "effect": "NoSchedule"},),
         (taint("dedicated", "user1", "NoSchedule"),), UNTOLERATED_USER1),
        (({"key": "foo", "operator": "Exists", "effect": "NoSchedule"},),
         (taint("foo", "bar", "NoSchedule"),), None),
        (({"key": "dedicated", "operator": "Equal", "value": "user2", "effect": "NoSchedule"},
          {"key": "foo", "operator": "Exists", "effect": "NoSchedule"}),
         (taint("dedicated", "user2", "NoSchedule"), taint("foo", "bar", "NoSchedule")), None),
        (({"key": "foo", "operator": "Equal", "value": "bar", "effect": "PreferNoSchedule"},),
         (taint("foo", "bar", "NoSchedule"),), "node(s) had untolerated taint {foo: bar}"),
        (({"key": "foo", "operator": "Equal", "value": "bar"},),
         (taint("foo", "bar", "NoSchedule"),), None),
        (({"key": "dedicated", "operator": "Equal", "value": "user2", "effect": "NoSchedule"},),
         (taint("dedicated", "user1", "PreferNoSchedule"),), None),
        ((), (taint("dedicated", "user1", "PreferNoSchedule"),), None),
    ],
)
def test_taint_toleration_filter(tolerations, taints, want):
    assert taint_toleration_filter(pod(*tolerations), node(*taints)) == want


def test_no_execute_taint_also_blocks_scheduling():
    # taint_toleration.go Filter: NoSchedule and NoExecute taints are both filtered on.
    reason = taint_toleration_filter(pod(), node(taint("k", "v", "NoExecute")))
    assert reason == "node(s) had untolerated taint {k: v}"


# taint_eviction_test.go :: TestGetMinTolerationTime (every row)
@pytest.mark.parametrize(
    ("seconds", "want"),
    [((), 0), ((None,), -1), ((1, 2), 1), ((1, None), 1), ((None, 1), 1)],
)
def test_get_min_toleration_time(seconds, want):
    tolerations = [Toleration(effect=NE, operator=EX, seconds=s) for s in seconds]
    assert min_toleration_seconds(tolerations) == want


def test_non_positive_toleration_seconds_is_zero():
    # getMinTolerationTime: any tolerationSeconds <= 0 means evict at once.
    assert min_toleration_seconds([Toleration(seconds=10), Toleration(seconds=-5)]) == 0


UNREACHABLE = taint("node.kubernetes.io/unreachable", "", "NoExecute")


# getPodEvictionDecision (taint_eviction.go), the cases TestCreatePod / TestUpdateNode pin:
# no NoExecute taint -> none; untolerated -> now; tolerated forever -> none; bounded -> later.
@pytest.mark.parametrize(
    ("tolerations", "taints", "want"),
    [
        ((), (taint("k", "v", "NoSchedule"),), NoExecuteDecision(EvictionKind.NONE)),
        ((), (UNREACHABLE,), NoExecuteDecision(EvictionKind.NOW)),
        (({"operator": "Exists"},), (UNREACHABLE,), NoExecuteDecision(EvictionKind.NONE)),
        (({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
           "tolerationSeconds": 300},), (UNREACHABLE,),
         NoExecuteDecision(EvictionKind.LATER, 300)),
        (({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
           "tolerationSeconds": 0},), (UNREACHABLE,), NoExecuteDecision(EvictionKind.NOW)),
        (({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
           "tolerationSeconds": 300},), (UNREACHABLE, taint("other", "x", "NoExecute")),
         NoExecuteDecision(EvictionKind.NOW)),
    ],
)
def test_no_execute_decision(tolerations, taints, want):
    assert taint_eviction(pod(*tolerations), node(*taints)) == want


NOT_READY, UNREACHABLE_KEY = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
ALPHA_NOT_READY = "node.alpha.kubernetes.io/notReady"
ALPHA_UNREACHABLE = "node.alpha.kubernetes.io/unreachable"


def no_execute(key, seconds=None, effect="NoExecute"):
    out = {"key": key, "operator": "Exists"}
    if effect is not None:
        out["effect"] = effect
    if seconds is not None:
        out["tolerationSeconds"] = seconds
    return out


NOT_READY_300, UNREACHABLE_300 = no_execute(NOT_READY, 300), no_execute(UNREACHABLE_KEY, 300)
FOO_BAR_700 = {"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule",
               "tolerationSeconds": 700}
WILDCARD_700 = {"operator": "Exists", "tolerationSeconds": 700}

# admission_test.go :: TestForgivenessAdmission -- every row, verbatim by description (the
# version with `not-ready` keys and the alpha-key rows; the plugin's default is 300 s).
# FOO_BAR_700 and WILDCARD_700 are the Go rows' own values: the Go test hands them to the
# plugin unvalidated, so they are not run through `parse_toleration`'s checks here.
FORGIVENESS_ROWS = [
    ("pod has no tolerations, expect add tolerations for `not-ready:NoExecute` and "
     "`unreachable:NoExecute`", (), (NOT_READY_300, UNREACHABLE_300)),
    ("pod has alpha tolerations, expect add tolerations for `not-ready:NoExecute` and "
     "`unreachable:NoExecute`, the alpha tolerations will not be touched",
     (no_execute(ALPHA_NOT_READY, 300), no_execute(ALPHA_UNREACHABLE, 300)),
     (no_execute(ALPHA_NOT_READY, 300), no_execute(ALPHA_UNREACHABLE, 300), NOT_READY_300,
      UNREACHABLE_300)),
    ("pod has alpha not-ready toleration, expect add tolerations for `not-ready:NoExecute` "
     "and `unreachable:NoExecute`, the alpha tolerations will not be touched",
     (no_execute(ALPHA_NOT_READY, 300),),
     (no_execute(ALPHA_NOT_READY, 300), NOT_READY_300, UNREACHABLE_300)),
    ("pod has alpha unreachable toleration, expect add tolerations for `not-ready:NoExecute` "
     "and `unreachable:NoExecute`, the alpha tolerations will not be touched",
     (no_execute(ALPHA_UNREACHABLE, 300),),
     (no_execute(ALPHA_UNREACHABLE, 300), NOT_READY_300, UNREACHABLE_300)),
    ("pod has tolerations, but none is for taint `not-ready:NoExecute` or "
     "`unreachable:NoExecute`, expect add tolerations for `not-ready:NoExecute` and "
     "`unreachable:NoExecute`", (FOO_BAR_700,), (FOO_BAR_700, NOT_READY_300, UNREACHABLE_300)),
    ("pod specified a toleration for taint `not-ready:NoExecute`, expect add toleration for "
     "`unreachable:NoExecute`", (no_execute(NOT_READY, 700),),
     (no_execute(NOT_READY, 700), UNREACHABLE_300)),
    ("pod specified a toleration for taint `unreachable:NoExecute`, expect add toleration for "
     "`not-ready:NoExecute`", (no_execute(UNREACHABLE_KEY, 700),),
     (no_execute(UNREACHABLE_KEY, 700), NOT_READY_300)),
    ("pod specified tolerations for both `not-ready:NoExecute` and `unreachable:NoExecute`, "
     "expect no change", (no_execute(NOT_READY, 700), no_execute(UNREACHABLE_KEY, 700)),
     (no_execute(NOT_READY, 700), no_execute(UNREACHABLE_KEY, 700))),
    ("pod specified toleration for taint `unreachable`, expect add toleration for "
     "`not-ready:NoExecute`", (no_execute(UNREACHABLE_KEY, 700, effect=None),),
     (no_execute(UNREACHABLE_KEY, 700, effect=None), NOT_READY_300)),
    ("pod has wildcard toleration for all kind of taints, expect no change",
     (WILDCARD_700,), (WILDCARD_700,)),
]


@pytest.mark.parametrize(("description", "given", "want"), FORGIVENESS_ROWS,
                         ids=[row[0][:60] for row in FORGIVENESS_ROWS])
def test_default_toleration_seconds(description, given, want):
    original = pod(*given)
    out = default_toleration_seconds(original)
    assert tuple(out["spec"]["tolerations"]) == want
    assert tuple(original["spec"]["tolerations"]) == given  # input not mutated


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"operator": "Equal", "value": "x"}, r"^t\.operator: operator must be Exists"),
        ({"key": "k", "operator": "Exists", "value": "x"}, r"^t\.operator: value must be empty"),
        ({"key": "k", "tolerationSeconds": 5, "effect": "NoSchedule"}, r"^t\.effect: effect must"),
        ({"key": "k", "operator": "Sometimes"}, r"^t\.operator: unsupported operator"),
        ({"key": "k", "effect": "Never"}, r"^t\.effect: unsupported taint effect"),
        ({"key": "k", "tolerationSeconds": "5", "effect": "NoExecute"},
         r"^t\.tolerationSeconds: expected an integer"),
    ],
)
def test_bad_tolerations_raise(raw, message):
    with pytest.raises(KubeInputError, match=message):
        parse_toleration(raw, "t")


def test_bad_taint_raises():
    with pytest.raises(KubeInputError, match=r"^node\.spec\.taints\[0\]\.effect: required"):
        taint_toleration_filter(pod(), node({"key": "k"}))
