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
from enum import StrEnum
from typing import Any

from podcheck.kube._views import optional_list, optional_mapping, require_int, require_mapping

BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded"
DEFAULT_BACKOFF_LIMIT = 6
DISRUPTION_TARGET = "DisruptionTarget"


class FailurePolicyAction(StrEnum):
    """`podFailurePolicy.rules[].action`."""

    FAIL_JOB = "FailJob"
    FAIL_INDEX = "FailIndex"
    IGNORE = "Ignore"
    COUNT = "Count"


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


def match_pod_failure_policy(job: Mapping[str, Any], pod: Mapping[str, Any]) -> PolicyMatch:
    """`matchPodFailurePolicy` of the Job's `spec.podFailurePolicy` for a failed pod."""
    spec = optional_mapping(require_mapping(job, "job"), "spec", "job")
    policy = spec.get("podFailurePolicy")
    if policy is None:
        return PolicyMatch(None, True)
    policy = require_mapping(policy, "job.spec.podFailurePolicy")
    obj = require_mapping(pod, "pod")
    status = optional_mapping(obj, "status", "pod")
    meta = optional_mapping(obj, "metadata", "pod")
    who = f"{meta.get('namespace') or 'default'}/{meta.get('name') or ''}"
    for index, raw in enumerate(optional_list(policy, "rules", "job.spec.podFailurePolicy")):
        field = f"job.spec.podFailurePolicy.rules[{index}]"
        found = _match_rule(require_mapping(raw, field), status, field)
        if found is None:
            continue
        action, what = found
        message = ""
        if action is FailurePolicyAction.FAIL_JOB:
            message = what.format(pod=who, action=action.value, index=index)
        name = raw.get("name")
        return PolicyMatch(action, action is not FailurePolicyAction.IGNORE, message,
                           None if name is None else str(name))
    return PolicyMatch(None, True)


def _match_rule(
    rule: Mapping[str, Any], status: Mapping[str, Any], field: str
) -> tuple[FailurePolicyAction, str] | None:
    try:
        action = FailurePolicyAction(str(rule.get("action")))
    except ValueError:
        return None
    if rule.get("onExitCodes") is not None:
        req = require_mapping(rule["onExitCodes"], f"{field}.onExitCodes")
        hit = _match_exit_codes(status, req, f"{field}.onExitCodes")
        if hit is None:
            return None
        name, code = hit
        return action, (f"Container {name} for pod {{pod}} failed with exit code {code} "
                        "matching {action} rule at index {index}")
    if rule.get("onPodConditions") is not None:
        cond = _match_conditions(status, optional_list(rule, "onPodConditions", field), field)
        if cond is None:
            return None
        return action, (f"Pod {{pod}} has condition {cond} matching {{action}} rule at "
                        "index {index}")
    return None


def _match_exit_codes(
    status: Mapping[str, Any], req: Mapping[str, Any], field: str
) -> tuple[str, int] | None:
    operator = req.get("operator")
    if operator not in ("In", "NotIn"):
        return None
    values = {require_int(v, f"{field}.values[{i}]")
              for i, v in enumerate(optional_list(req, "values", field))}
    only = req.get("containerName")
    for key in ("containerStatuses", "initContainerStatuses"):
        for i, raw in enumerate(optional_list(status, key, "pod.status")):
            entry = require_mapping(raw, f"pod.status.{key}[{i}]")
            state = optional_mapping(entry, "state", f"pod.status.{key}[{i}]")
            terminated = state.get("terminated")
            if terminated is None or (only is not None and entry.get("name") != only):
                continue
            code = require_int(require_mapping(terminated, "terminated").get("exitCode", 0),
                               f"pod.status.{key}[{i}].state.terminated.exitCode")
            if code != 0 and (code in values) == (operator == "In"):
                return str(entry.get("name")), code
    return None


def _match_conditions(
    status: Mapping[str, Any], patterns: Sequence[Any], field: str
) -> str | None:
    wanted = []
    for i, raw in enumerate(patterns):
        pattern = require_mapping(raw, f"{field}.onPodConditions[{i}]")
        wanted.append((pattern.get("type"), pattern.get("status", "True")))
    for i, raw in enumerate(optional_list(status, "conditions", "pod.status")):
        cond = require_mapping(raw, f"pod.status.conditions[{i}]")
        if (cond.get("type"), cond.get("status")) in wanted:
            return str(cond.get("type"))
    return None
