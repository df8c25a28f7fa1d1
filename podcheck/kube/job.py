"""Job failure rules: `backoffLimit` under `OnFailure` and `podFailurePolicy` matching.

Stage: `kube/` rule library.  Consumes a Job dict and pod dicts; produces the verdicts
the Job controller computes.  Mirrors `pkg/controller/job/job_controller.go`
(`pastBackoffLimitOnFailure`) and `pkg/controller/job/pod_failure_policy.go`
(`matchPodFailurePolicy`, `matchOnExitCodes`, `matchOnPodConditions`) of Kubernetes v1.35:

* under the template's `restartPolicy: OnFailure`, the restart counts of every init and
  app container of the Job's Pending and Running pods are summed; the Job has failed
  (reason `BackoffLimitExceeded`) when the sum reaches `backoffLimit` (`> 0` when the
  limit is 0).  `backoffLimit` defaults to 6;
* the first matching `podFailurePolicy` rule decides: `onExitCodes` match a terminated
  container (app containers first, then init) with a non-zero exit code, optionally
  restricted by `containerName`, `In` / `NotIn` the values; `onPodConditions` match a
  pod condition of that type and status (status defaults to True, as the API defaults
  it).  `Ignore` does not count towards backoffLimit; `Count`, `FailIndex` and `FailJob`
  do, and `FailJob` carries the controller's message.  A rule whose action or exit-code
  operator the controller does not know is skipped, as the controller's `switch` skips
  it (the API server rejects such a Job before the controller sees it).  No rule
  matching counts the failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podcheck.kube._views import optional_list, optional_mapping, require_int, require_mapping
from podcheck.vocab import ExitCodeOperator, PodFailurePolicyAction, RestartPolicy

BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded"
DEFAULT_BACKOFF_LIMIT = 6
DISRUPTION_TARGET = "DisruptionTarget"


FailurePolicyAction = PodFailurePolicyAction  # the vocabulary's `podFailurePolicy` actions


@dataclass(frozen=True)
class PolicyRule:
    """One `podFailurePolicy` rule on typed values: `onExitCodes` (`operator` set: the
    `values`, optionally restricted by `container`) or `onPodConditions` (`conditions`,
    each a (type, status) pattern).  `name` is the rule's optional `name`."""

    action: PodFailurePolicyAction
    operator: ExitCodeOperator | None = None
    values: tuple[int, ...] = ()
    container: str | None = None
    conditions: tuple[tuple[str, str], ...] = ()
    name: str | None = None


@dataclass(frozen=True)
class FailedPod:
    """A failed pod as `matchPodFailurePolicy` reads it: (name, exit code of its
    terminated state, None while not terminated) of each app container, then of each
    init container, and its (type, status) conditions."""

    containers: tuple[tuple[str, int | None], ...] = ()
    conditions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PolicyMatch:
    """`matchPodFailurePolicy`'s answer: the action (None when no rule matched), whether
    the failure counts towards backoffLimit, the FailJob message, and the matched rule's
    `name` (None when the rule has none)."""

    action: FailurePolicyAction | None
    counts: bool
    message: str = ""
    rule_name: str | None = None


def past_backoff_limit_core(
    on_failure: bool, backoff_limit: int, pods: Sequence[tuple[str, int]]
) -> bool:
    """`pastBackoffLimitOnFailure` on (phase, summed restart count) per pod."""
    if not on_failure:
        return False
    total = sum(restarts for phase, restarts in pods if phase in ("Running", "Pending"))
    return total > 0 if backoff_limit == 0 else total >= backoff_limit


def past_backoff_limit_on_failure(
    job: Mapping[str, Any], pods: Sequence[Mapping[str, Any]]
) -> bool:
    """`pastBackoffLimitOnFailure` on a Job dict and the dicts of its pods."""
    spec = optional_mapping(require_mapping(job, "job"), "spec", "job")
    template = optional_mapping(optional_mapping(spec, "template", "job.spec"), "spec",
                                "job.spec.template")
    limit = require_int(spec.get("backoffLimit", DEFAULT_BACKOFF_LIMIT), "job.spec.backoffLimit")
    counted = [_phase_and_restarts(p, f"pods[{i}]") for i, p in enumerate(pods)]
    return past_backoff_limit_core(template.get("restartPolicy") == "OnFailure", limit, counted)


def _phase_and_restarts(pod: Any, field: str) -> tuple[str, int]:
    status = optional_mapping(require_mapping(pod, field), "status", field)
    total = 0
    for key in ("initContainerStatuses", "containerStatuses"):
        for i, raw in enumerate(optional_list(status, key, f"{field}.status")):
            entry = require_mapping(raw, f"{field}.status.{key}[{i}]")
            total += require_int(entry.get("restartCount", 0),
                                 f"{field}.status.{key}[{i}].restartCount")
    phase = status.get("phase") or ""
    return (phase if isinstance(phase, str) else ""), total


def match_policy_core(rules: Sequence[PolicyRule], pod: FailedPod) -> PolicyMatch:
    """`matchPodFailurePolicy` on typed values: the first rule that matches decides
    (`matchOnExitCodes`: a terminated container, app containers first, with a non-zero
    exit code `In` / `NotIn` the values; `matchOnPodConditions`: a condition of the
    pod equal to one of the patterns); Ignore does not count towards backoffLimit.  The
    message is the FailJob message with `{pod}` for the pod's namespace/name."""
    for index, rule in enumerate(rules):
        what = _match_core(rule, pod)
        if what is None:
            continue
        message = ""
        if rule.action is PodFailurePolicyAction.FAIL_JOB:
            message = what.format(action=rule.action.value, index=index)
        return PolicyMatch(rule.action, rule.action is not PodFailurePolicyAction.IGNORE,
                           message, rule.name)
    return PolicyMatch(None, True)


def _match_core(rule: PolicyRule, pod: FailedPod) -> str | None:
    if rule.operator is not None:
        for name, code in pod.containers:
            if code is None or code == 0 or rule.container not in (None, name):
                continue
            if (code in rule.values) == (rule.operator is ExitCodeOperator.IN):
                return (f"Container {name} for pod {{{{pod}}}} failed with exit code {code} "
                        "matching {action} rule at index {index}")
        return None
    for kind, status in pod.conditions:
        if (kind, status) in rule.conditions:
            return (f"Pod {{{{pod}}}} has condition {kind} matching {{action}} rule at "
                    "index {index}")
    return None


def match_pod_failure_policy(job: Mapping[str, Any], pod: Mapping[str, Any]) -> PolicyMatch:
    """`matchPodFailurePolicy` of the Job's `spec.podFailurePolicy` for a failed pod
    (dicts): `match_policy_core` on the rules and pod status they hold.  A rule whose
    action or exit-code operator the controller does not know is skipped."""
    spec = optional_mapping(require_mapping(job, "job"), "spec", "job")
    policy = spec.get("podFailurePolicy")
    if policy is None:
        return PolicyMatch(None, True)
    policy = require_mapping(policy, "job.spec.podFailurePolicy")
    obj = require_mapping(pod, "pod")
    status = optional_mapping(obj, "status", "pod")
    meta = optional_mapping(obj, "metadata", "pod")
    who = f"{meta.get('namespace') or 'default'}/{meta.get('name') or ''}"
    rules = []
    for index, raw in enumerate(optional_list(policy, "rules", "job.spec.podFailurePolicy")):
        rule = policy_rule(require_mapping(raw, f"job.spec.podFailurePolicy.rules[{index}]"),
                           f"job.spec.podFailurePolicy.rules[{index}]")
        # an unknown action matches nothing, as the controller's `switch` falls through
        rules.append(rule or PolicyRule(PodFailurePolicyAction.COUNT, ExitCodeOperator.IN))
    found = match_policy_core(rules, failed_pod(status))
    return PolicyMatch(found.action, found.counts, found.message.format(pod=who),
                       found.rule_name)


def policy_rule(rule: Mapping[str, Any], field: str) -> PolicyRule | None:
    """One rule dict as a `PolicyRule`; None when its action or operator is unknown (the
    controller never matches it).  `onPodConditions` statuses default to True, as the
    API defaults them."""
    try:
        action = PodFailurePolicyAction(str(rule.get("action")))
    except ValueError:
        return None
    name = None if rule.get("name") is None else str(rule["name"])
    if rule.get("onExitCodes") is not None:
        req = require_mapping(rule["onExitCodes"], f"{field}.onExitCodes")
        if req.get("operator") not in tuple(ExitCodeOperator):
            return None
        values = tuple(require_int(v, f"{field}.onExitCodes.values[{i}]")
                       for i, v in enumerate(optional_list(req, "values", field)))
        only = req.get("containerName")
        return PolicyRule(action, ExitCodeOperator(req["operator"]), values,
                          None if only is None else str(only), name=name)
    patterns = []
    for i, raw in enumerate(optional_list(rule, "onPodConditions", field)):
        pattern = require_mapping(raw, f"{field}.onPodConditions[{i}]")
        patterns.append((str(pattern.get("type")), str(pattern.get("status", "True"))))
    return PolicyRule(action, conditions=tuple(patterns), name=name)


def failed_pod(status: Mapping[str, Any]) -> FailedPod:
    """A pod status dict as `FailedPod`: container statuses (app, then init) and
    conditions."""
    containers: list[tuple[str, int | None]] = []
    for key in ("containerStatuses", "initContainerStatuses"):
        for i, raw in enumerate(optional_list(status, key, "pod.status")):
            entry = require_mapping(raw, f"pod.status.{key}[{i}]")
            state = optional_mapping(entry, "state", f"pod.status.{key}[{i}]")
            terminated = state.get("terminated")
            code = None if terminated is None else require_int(
                require_mapping(terminated, "terminated").get("exitCode", 0),
                f"pod.status.{key}[{i}].state.terminated.exitCode")
            containers.append((str(entry.get("name")), code))
    conditions = []
    for i, raw in enumerate(optional_list(status, "conditions", "pod.status")):
        cond = require_mapping(raw, f"pod.status.conditions[{i}]")
        conditions.append((str(cond.get("type")), str(cond.get("status"))))
    return FailedPod(tuple(containers), tuple(conditions))


def policy_errors(rules: Sequence[PolicyRule], containers: Sequence[str],
                  restart_policy: RestartPolicy, per_index: bool = False) -> list[str]:
    """`validatePodFailurePolicy` (pkg/apis/batch/validation/validation.go) on typed
    rules: the template's restartPolicy must be Never; FailIndex needs
    backoffLimitPerIndex (`per_index`); an exit-code rule names a container of the
    template, has at least one value, unique and ordered, and no 0 under In; every rule
    has exactly one of onExitCodes and onPodConditions.  At most 20 rules."""
    base = "spec.podFailurePolicy.rules"
    out = []
    if restart_policy is not RestartPolicy.NEVER:
        out.append(f'spec.template.spec.restartPolicy: Invalid value: "{restart_policy}": '
                   'only "Never" is supported when podFailurePolicy is specified')
    if len(rules) > _MAX_RULES:
        out.append(f"{base}: Too many: {len(rules)}: must have at most {_MAX_RULES} items")
    for i, rule in enumerate(rules):
        out += _rule_errors(rule, f"{base}[{i}]", set(containers), per_index)
    return out


_MAX_RULES = 20


def _rule_errors(rule: PolicyRule, path: str, names: set[str], per_index: bool) -> list[str]:
    out = []
    if rule.action is PodFailurePolicyAction.FAIL_INDEX and not per_index:
        out.append(f'{path}.action: Invalid value: "FailIndex": requires the '
                   "backoffLimitPerIndex to be set")
    if rule.operator is not None:
        where = f"{path}.onExitCodes"
        if rule.container is not None and rule.container not in names:
            out.append(f'{where}.containerName: Invalid value: "{rule.container}": must be '
                       "one of the container or initContainer names in the pod template")
        if not rule.values:
            out.append(f"{where}.values: Invalid value: []: at least one value is required")
        for j, v in enumerate(rule.values):
            if rule.operator is ExitCodeOperator.IN and v == 0:
                out.append(f"{where}.values[{j}]: Invalid value: 0: must not be 0 for the "
                           "In operator")
            if v in rule.values[:j]:
                out.append(f"{where}.values[{j}]: Duplicate value: {v}")
        if list(rule.values) != sorted(rule.values):
            out.append(f"{where}.values: Invalid value: {list(rule.values)}: must be ordered")
        if rule.conditions:
            out.append(f"{path}: Invalid value: specifying both OnExitCodes and "
                       "OnPodConditions is not supported")
    elif not rule.conditions:
        out.append(f"{path}: Invalid value: specifying one of OnExitCodes and "
                   "OnPodConditions is required")
    return out
