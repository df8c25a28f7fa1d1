"""Controller fields beyond the pod template: a Job's `podFailureRule` blocks and a
StatefulSet's update strategy.

Stage: part of `podcheck.lang.check` (called by `convert.build_workload`).  Consumes a
workload block's checked `Members` and its pod template; produces the `spec.Workload`
keyword fields (`podFailurePolicy`; `updateStrategy`, `partition`,
`setMaxUnavailable`), or None after a diagnostic.  The API server's rules come from
`podcheck.kube.job.policy_errors` (`validatePodFailurePolicy`) and are reported as
PC218, worded as the API server words them.
"""

from __future__ import annotations

from podcheck.diagnostics import Diagnostic, Span, codes
from podcheck.kube.job import policy_errors
from podcheck.lang import messages as m
from podcheck.lang.ast import Block
from podcheck.lang.fields import Members, head, read_block
from podcheck.lang.schema import BLOCKS
from podcheck.spec import CronSchedule, PodTemplate, PolicyRule
from podcheck.vocab import (
    ConcurrencyPolicy,
    ExitCodeOperator,
    PodConditionType,
    PodFailurePolicyAction,
    StatefulSetUpdateStrategy,
    words,
)

Out = list[Diagnostic]
_TRUE = "True"  # the API's default status of an onPodConditions pattern


def job_fields(members: Members, template: PodTemplate, out: Out) -> dict[str, object] | None:
    """`podFailurePolicy` from the Job's `podFailureRule` blocks, in order (none: no
    policy), or None after PC203 (a condition the model does not produce), PC214 (no
    `action`) or PC218 (what `validatePodFailurePolicy` rejects)."""
    blocks = members.all_children("podFailureRule")
    rules: list[PolicyRule] = []
    ok = True
    for b in blocks:
        rule = _rule(b, out)
        ok = ok and rule is not None
        if rule is not None:
            rules.append(rule)
    if not blocks or not ok:
        return {} if ok else None
    names = [c.name for c in (*template.containers, *template.initContainers)]
    errors = policy_errors(rules, names, template.restartPolicy)
    for e in errors:
        out.append(m.error(codes.API_SERVER_REJECTS, f"the API server rejects this: {e}",
                           _where(e, blocks), help=_help(e)))
    return None if errors else {"podFailurePolicy": tuple(rules)}


def _rule(b: Block, out: Out) -> PolicyRule | None:
    before = len(out)
    values = read_block(b, BLOCKS["podFailureRule"], out).values
    if len(out) > before:
        return None
    action = values.get("action")
    if not isinstance(action, PodFailurePolicyAction):
        out.append(m.error(codes.MISSING_REQUIRED, "`podFailureRule` has no `action`", head(b),
                           help=f"add `action: ` one of {m.backticked(_ACTIONS)}"))
        return None
    conditions = values.get("onPodConditions", ())
    assert isinstance(conditions, tuple)
    for word in conditions:
        if word not in words(PodConditionType):
            out.append(m.unknown_enum("pod condition the model produces", str(word),
                                      words(PodConditionType), head(b)))
            return None
    codes_ = values.get("onExitCodes")
    operator = values.get("operator", ExitCodeOperator.IN)
    assert isinstance(operator, ExitCodeOperator)
    container = values.get("containerName")
    return PolicyRule(
        action, operator if codes_ is not None else None,
        tuple(v for v in codes_ if isinstance(v, int)) if isinstance(codes_, tuple) else (),
        None if container is None else str(container),
        tuple((str(w), _TRUE) for w in conditions))


_ACTIONS = tuple(a for a in words(PodFailurePolicyAction)
                 if a != PodFailurePolicyAction.FAIL_INDEX)


def _where(error: str, blocks: list[Block]) -> Span:
    """The rule an API error names (`rules[i]`), else the first rule."""
    if "rules[" in error:
        index = int(error.split("rules[", 1)[1].split("]", 1)[0])
        if index < len(blocks):
            return head(blocks[index])
    return head(blocks[0])


def _help(error: str) -> str:
    if "restartPolicy" in error:
        return "set `restartPolicy: Never` in the Job's template"
    if "FailIndex" in error:
        return ("FailIndex needs an Indexed Job with backoffLimitPerIndex, which the model "
                "does not have: use `FailJob` or `Count`")
    return "fix the rule as the API server asks"


def cron_fields(block: Block, members: Members) -> dict[str, object]:
    """A `cronjob` block's `cron` (`spec.CronSchedule`) from `schedules`,
    `concurrencyPolicy` and `startingDeadlineSeconds`; {} for a `job` block."""
    if block.kind != "cronjob":
        return {}
    v = members.values
    policy = v.get("concurrencyPolicy", ConcurrencyPolicy.ALLOW)
    schedules, deadline = v.get("schedules", 1), v.get("startingDeadlineSeconds")
    assert isinstance(policy, ConcurrencyPolicy) and isinstance(schedules, int)
    assert deadline is None or isinstance(deadline, int)
    return {"cron": CronSchedule(schedules, policy, deadline, span=head(block))}


CRON_KEYS = ("schedules", "concurrencyPolicy", "startingDeadlineSeconds")


def statefulset_fields(members: Members, out: Out) -> dict[str, object] | None:
    """`updateStrategy`, `partition` and `setMaxUnavailable` (written `maxUnavailable`)
    of a StatefulSet, or None after PC207 when OnDelete comes with a rolling-update
    field (`rollingUpdate` is only allowed for RollingUpdate: ValidateStatefulSetSpec)."""
    values = dict(members.values)
    if "maxUnavailable" in values:
        values["setMaxUnavailable"] = values.pop("maxUnavailable")
    strategy = values.get("updateStrategy", StatefulSetUpdateStrategy.ROLLING_UPDATE)
    if strategy is StatefulSetUpdateStrategy.ON_DELETE:
        for key in ("partition", "maxUnavailable"):
            if members.given(key):
                out.append(m.error(
                    codes.CONFLICTING_FIELDS,
                    f"`{key}` is only allowed for `updateStrategy: RollingUpdate`",
                    members.spans[key], help=f"remove `{key}`, or use RollingUpdate"))
                return None
    return {k: v for k, v in values.items()
            if k in ("updateStrategy", "partition", "setMaxUnavailable")}
