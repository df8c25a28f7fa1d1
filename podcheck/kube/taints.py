"""Taints and tolerations: the scheduler's filter, the taint manager, the admission defaults.

Stage: `kube/` rule library.  Consumes pod and node dicts (`spec.tolerations`,
`spec.taints`); produces typed `Taint` / `Toleration` values and the decisions built on
them.  Mirrors, in Kubernetes v1.35:

* `Toleration.ToleratesTaint` (staging `k8s.io/api/core/v1/toleration.go`);
* `FindMatchingUntoleratedTaint` (staging `component-helpers/scheduling/corev1/helpers.go`)
  and the `TaintToleration` plugin's `Filter`
  (`pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`), which looks at
  `NoSchedule` and `NoExecute` taints only;
* `GetMatchingTolerations` (`pkg/apis/core/v1/helper/helpers.go`), `getMinTolerationTime`
  and `getPodEvictionDecision` of the taint-eviction controller
  (`pkg/controller/tainteviction/taint_eviction.go`);
* the `DefaultTolerationSeconds` admission plugin
  (`plugin/pkg/admission/defaulttolerationseconds/admission.go`): 300 s for
  `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable`, `NoExecute`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from podcheck.kube._views import optional_list, require_int, require_mapping
from podcheck.kube.errors import KubeInputError
from podcheck.vocab import TaintEffect as TaintEffect  # the vocabulary's, re-exported
from podcheck.vocab import TolerationOperator as TolerationOperator

TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
DEFAULT_TOLERATION_SECONDS = 300
# pkg/controller/nodelifecycle/config/v1alpha1/defaults.go
# `RecommendedDefaultNodeLifecycleControllerConfiguration`: a node that stops renewing
# its lease is marked Unknown (and tainted unreachable) this long after its last renewal
NODE_MONITOR_GRACE_PERIOD = 40


@dataclass(frozen=True)
class Taint:
    """One node taint."""

    key: str
    effect: TaintEffect
    value: str = ""


@dataclass(frozen=True)
class Toleration:
    """One pod toleration; `effect` None tolerates every effect, `seconds` None forever."""

    key: str = ""
    operator: TolerationOperator = TolerationOperator.EQUAL
    value: str = ""
    effect: TaintEffect | None = None
    seconds: int | None = None


class EvictionKind(StrEnum):
    """What the taint-eviction controller does with a pod on a NoExecute-tainted node."""

    NONE = "None"
    NOW = "Now"
    LATER = "Later"


@dataclass(frozen=True)
class NoExecuteDecision:
    """`getPodEvictionDecision`: evict never, now, or after `seconds`."""

    kind: EvictionKind
    seconds: int = 0


UNTOLERATED_TAINT_REASON = "node(s) had untolerated taint {{{key}: {value}}}"


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """`ToleratesTaint`: effect (empty = all), key (empty = all), then the operator."""
    if toleration.effect is not None and toleration.effect is not taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator is TolerationOperator.EQUAL:
        return toleration.value == taint.value
    if toleration.operator is TolerationOperator.EXISTS:
        return True
    return _compare_numeric(toleration, taint.value)


def _compare_numeric(toleration: Toleration, taint_value: str) -> bool:
    tol, got = parse_int64(toleration.value), parse_int64(taint_value)
    if tol is None or got is None:
        return False
    return got < tol if toleration.operator is TolerationOperator.LT else got > tol


def parse_int64(text: str) -> int | None:
    """`strconv.ParseInt(text, 10, 64)`: optional sign, decimal digits, int64 range."""
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii():
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def find_untolerated_taint(
    taints: Sequence[Taint],
    tolerations: Sequence[Toleration],
    effects: frozenset[TaintEffect] = frozenset({TaintEffect.NO_SCHEDULE, TaintEffect.NO_EXECUTE}),
) -> Taint | None:
    """`FindMatchingUntoleratedTaint`: the first taint with an effect in `effects` that no
    toleration tolerates, or None."""
    for taint in taints:
        if taint.effect in effects and not any(tolerates(t, taint) for t in tolerations):
            return taint
    return None


def taint_toleration_filter(pod: Mapping[str, Any], node: Mapping[str, Any]) -> str | None:
    """The TaintToleration plugin's Filter: None when the pod fits, else the reason
    (`node(s) had untolerated taint {key: value}`)."""
    taint = find_untolerated_taint(node_taints(node), pod_tolerations(pod))
    if taint is None:
        return None
    return UNTOLERATED_TAINT_REASON.format(key=taint.key, value=taint.value)


def matching_tolerations(
    taints: Sequence[Taint], tolerations: Sequence[Toleration]
) -> tuple[Toleration, ...] | None:
    """`GetMatchingTolerations`: for each taint the first toleration that tolerates it;
    None when some taint is not tolerated."""
    used: list[Toleration] = []
    for taint in taints:
        match = next((t for t in tolerations if tolerates(t, taint)), None)
        if match is None:
            return None
        used.append(match)
    return tuple(used)


def min_toleration_seconds(tolerations: Sequence[Toleration]) -> int:
    """`getMinTolerationTime` in seconds: 0 for no tolerations or any `seconds <= 0`,
    -1 when none is bounded (tolerated forever), else the smallest bound."""
    if not tolerations:
        return 0
    bounded = [t.seconds for t in tolerations if t.seconds is not None]
    if any(s <= 0 for s in bounded):
        return 0
    return min(bounded) if bounded else -1


def no_execute_decision(
    taints: Sequence[Taint], tolerations: Sequence[Toleration]
) -> NoExecuteDecision:
    """`getPodEvictionDecision` for a pod newly seen on a node with these taints (only the
    NoExecute ones count): never, now (some taint untolerated or a zero bound), or after
    the smallest `tolerationSeconds` of the tolerations used."""
    no_execute = [t for t in taints if t.effect is TaintEffect.NO_EXECUTE]
    if not no_execute:
        return NoExecuteDecision(EvictionKind.NONE)
    used = matching_tolerations(no_execute, tolerations)
    if used is None:
        return NoExecuteDecision(EvictionKind.NOW)
    seconds = min_toleration_seconds(used)
    if seconds < 0:
        return NoExecuteDecision(EvictionKind.NONE)
    if seconds == 0:
        return NoExecuteDecision(EvictionKind.NOW)
    return NoExecuteDecision(EvictionKind.LATER, seconds)


def taint_eviction(pod: Mapping[str, Any], node: Mapping[str, Any]) -> NoExecuteDecision:
    """`no_execute_decision` on a pod dict and a node dict."""
    return no_execute_decision(node_taints(node), pod_tolerations(pod))


def default_toleration_seconds(pod: Mapping[str, Any]) -> dict[str, Any]:
    """The DefaultTolerationSeconds admission plugin: a copy of `pod` whose
    `spec.tolerations` gains `not-ready` and `unreachable` NoExecute tolerations of
    300 s unless a toleration with that key (or an empty key) and effect NoExecute (or
    empty) is already there.  Like the plugin, which runs before validation, it reads
    only each toleration's `key` and `effect` and does not validate the rest."""
    obj = require_mapping(pod, "pod")
    out = copy.deepcopy(dict(obj))
    spec = out.setdefault("spec", {})
    field = "spec.tolerations"
    given = optional_list(require_mapping(spec, "spec"), "tolerations", "spec")
    present = [_key_and_effect(raw, f"{field}[{i}]") for i, raw in enumerate(given)]
    added = list(given)
    for key in (TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE):
        if not any(k in ("", key) and e in ("", TaintEffect.NO_EXECUTE.value)
                   for k, e in present):
            added.append({"key": key, "operator": TolerationOperator.EXISTS.value,
                          "effect": TaintEffect.NO_EXECUTE.value,
                          "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})
    spec["tolerations"] = added
    return out


def _key_and_effect(raw: Any, field: str) -> tuple[str, str]:
    obj = require_mapping(raw, field)
    return _string(obj.get("key"), f"{field}.key"), _string(obj.get("effect"), f"{field}.effect")


# ---------------------------------------------------------------------------- parsing


def node_taints(node: Mapping[str, Any]) -> tuple[Taint, ...]:
    """`spec.taints` of a node dict as `Taint` values."""
    spec = require_mapping(require_mapping(node, "node").get("spec") or {}, "node.spec")
    return tuple(
        parse_taint(raw, f"node.spec.taints[{i}]")
        for i, raw in enumerate(optional_list(spec, "taints", "node.spec"))
    )


def pod_tolerations(pod: Mapping[str, Any]) -> tuple[Toleration, ...]:
    """`spec.tolerations` of a pod dict as `Toleration` values."""
    spec = require_mapping(require_mapping(pod, "pod").get("spec") or {}, "spec")
    return tuple(
        parse_toleration(raw, f"spec.tolerations[{i}]")
        for i, raw in enumerate(optional_list(spec, "tolerations", "spec"))
    )


def parse_taint(raw: Any, field: str) -> Taint:
    """One taint dict; `key` and `effect` are required as the API requires them."""
    obj = require_mapping(raw, field)
    key = _string(obj.get("key"), f"{field}.key")
    if not key:
        raise KubeInputError(f"{field}.key: required value")
    effect = _effect(obj.get("effect"), f"{field}.effect")
    if effect is None:
        raise KubeInputError(f"{field}.effect: required value")
    return Taint(key, effect, _string(obj.get("value"), f"{field}.value"))


def parse_toleration(raw: Any, field: str) -> Toleration:
    """One toleration dict, validated like `validateTolerations` (an empty key needs
    `Exists`; `Exists` takes no value; `tolerationSeconds` needs effect NoExecute)."""
    obj = require_mapping(raw, field)
    key = _string(obj.get("key"), f"{field}.key")
    operator = _operator(obj.get("operator"), f"{field}.operator")
    value = _string(obj.get("value"), f"{field}.value")
    effect = _effect(obj.get("effect"), f"{field}.effect")
    seconds = obj.get("tolerationSeconds")
    if seconds is not None:
        seconds = require_int(seconds, f"{field}.tolerationSeconds")
        if effect is not TaintEffect.NO_EXECUTE:
            raise KubeInputError(
                f"{field}.effect: effect must be 'NoExecute' when `tolerationSeconds` is set"
            )
    if not key and operator is not TolerationOperator.EXISTS:
        raise KubeInputError(
            f"{field}.operator: operator must be Exists when `key` is empty, which means "
            "\"match all values and all keys\""
        )
    if operator is TolerationOperator.EXISTS and value:
        raise KubeInputError(f"{field}.operator: value must be empty when `operator` is 'Exists'")
    return Toleration(key, operator, value, effect, seconds)


def _operator(raw: Any, field: str) -> TolerationOperator:
    if raw in (None, ""):
        return TolerationOperator.EQUAL
    try:
        return TolerationOperator(raw)
    except ValueError:
        raise KubeInputError(f"{field}: unsupported operator {raw!r}") from None


def _effect(raw: Any, field: str) -> TaintEffect | None:
    if raw in (None, ""):
        return None
    try:
        return TaintEffect(raw)
    except ValueError:
        raise KubeInputError(f"{field}: unsupported taint effect {raw!r}") from None


def _string(raw: Any, field: str) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise KubeInputError(f"{field}: expected a string, got {type(raw).__name__}")
    return raw


UNSCHEDULABLE_TAINT = Taint(TAINT_NODE_UNSCHEDULABLE, TaintEffect.NO_SCHEDULE)
# pkg/controller/daemon/util/daemonset_util.go `AddOrUpdateDaemonPodTolerations` (the
# network-unavailable toleration it adds for hostNetwork pods is not modelled)
DAEMON_POD_TOLERATIONS = (
    Toleration(TAINT_NODE_NOT_READY, TolerationOperator.EXISTS, effect=TaintEffect.NO_EXECUTE),
    Toleration(TAINT_NODE_UNREACHABLE, TolerationOperator.EXISTS, effect=TaintEffect.NO_EXECUTE),
    Toleration("node.kubernetes.io/disk-pressure", TolerationOperator.EXISTS,
               effect=TaintEffect.NO_SCHEDULE),
    Toleration("node.kubernetes.io/memory-pressure", TolerationOperator.EXISTS,
               effect=TaintEffect.NO_SCHEDULE),
    Toleration("node.kubernetes.io/pid-pressure", TolerationOperator.EXISTS,
               effect=TaintEffect.NO_SCHEDULE),
    Toleration(TAINT_NODE_UNSCHEDULABLE, TolerationOperator.EXISTS,
               effect=TaintEffect.NO_SCHEDULE),
)


def daemon_pod_tolerations(own: Sequence[Toleration]) -> tuple[Toleration, ...]:
    """`AddOrUpdateDaemonPodTolerations`: the pod's own tolerations plus the DaemonSet
    controller's (one replaces an own toleration with the same key, operator and effect,
    as `AddOrUpdateTolerationInPodSpec` does)."""
    added = {(t.key, t.operator, t.effect) for t in DAEMON_POD_TOLERATIONS}
    kept = tuple(t for t in own if (t.key, t.operator, t.effect) not in added)
    return kept + DAEMON_POD_TOLERATIONS


def tolerates_unschedulable(tolerations: Sequence[Toleration]) -> bool:
    """The NodeUnschedulable filter (pkg/scheduler/framework/plugins/nodeunschedulable
    `Filter`): a pod that tolerates the `node.kubernetes.io/unschedulable:NoSchedule`
    taint may be scheduled onto a cordoned (`spec.unschedulable`) node."""
    return any(tolerates(t, UNSCHEDULABLE_TAINT) for t in tolerations)
