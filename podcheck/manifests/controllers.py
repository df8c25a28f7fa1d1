"""Controller fields of Jobs, CronJobs and StatefulSets that the model runs: a Job's
`podFailurePolicy`, a CronJob's `concurrencyPolicy` and `startingDeadlineSeconds`, a
StatefulSet's `updateStrategy`.

Stage: part of `podcheck.manifests` (called by `workloads.py`).  Consumes the `spec`
`Fields` of one object; produces the `spec.Workload` keyword fields, appending PC407
for what the API server rejects (pkg/apis/batch/validation/validation.go
`validatePodFailurePolicy`, through `podcheck.kube.job.policy_errors`;
pkg/apis/apps/validation/validation.go `ValidateStatefulSetSpec`) and PC408 for what
the model ignores.  A CronJob's schedule times are `podcheck.io/schedules` on the
CronJob (default 2: the fewest at which its concurrencyPolicy matters).
"""

from __future__ import annotations

from podcheck.diagnostics import Diagnostic, Severity
from podcheck.diagnostics import codes as c
from podcheck.kube.job import policy_errors
from podcheck.manifests import fields as f
from podcheck.manifests.fields import Fields
from podcheck.manifests.yamlread import YNode
from podcheck.spec import CronSchedule, IntOrPercent, PodTemplate, PolicyRule, Workload
from podcheck.vocab import (
    ConcurrencyPolicy,
    ExitCodeOperator,
    PodConditionType,
    PodFailurePolicyAction,
    StatefulSetUpdateStrategy,
    words,
)

Out = list[Diagnostic]
SCHEDULES_ANNOTATION = "podcheck.io/schedules"
DEFAULT_SCHEDULES = 2


def pod_failure_policy(spec: Fields, template: PodTemplate, out: Out
                       ) -> tuple[PolicyRule, ...] | None:
    """The Job's `podFailurePolicy` rules, () without one, None when the API server
    rejects them (PC407)."""
    policy = spec.mapping("podFailurePolicy")
    if policy is None:
        return ()
    rules = []
    for rule in policy.mappings("rules"):
        read = _rule(rule, out)
        if read is None:
            return None
        rules.append(read)
    policy.finish()
    names = [x.name for x in (*template.containers, *template.initContainers)]
    errors = policy_errors(rules, names, template.restartPolicy)
    for e in errors:
        out.append(Diagnostic(c.INVALID_FIELD_VALUE, Severity.ERROR,
                              f"{spec.owner} is invalid: {e}", policy.span,
                              help="fix the rule as the API server asks"))
    return None if errors else tuple(rules)


def _rule(rule: Fields, out: Out) -> PolicyRule | None:
    action = rule.choice("action", words(PodFailurePolicyAction), None)
    if action is None:
        f.required(rule.owner, f"{rule.path}.action", rule.span, out)
        return None
    codes = rule.mapping("onExitCodes")
    conditions = []
    for pattern in rule.mappings("onPodConditions"):
        kind = pattern.text("type", "") or ""
        status = pattern.choice("status", ("True", "False", "Unknown"), "True") or "True"
        if kind not in words(PodConditionType):
            out.append(Diagnostic(
                c.UNMODELLED_FIELD, Severity.WARNING,
                f"{rule.owner}: `{pattern.path}.type` `{kind}` is not modelled: the model "
                "gives pods only the DisruptionTarget condition", pattern.key_span("type"),
                help="the rule never matches in the verdicts below"))
        conditions.append((kind, status))
        pattern.finish()
    rule.finish(("name",))
    if codes is None:
        return PolicyRule(PodFailurePolicyAction(action), conditions=tuple(conditions))
    operator = codes.choice("operator", words(ExitCodeOperator), None)
    values = _ints(codes.raw("values"), codes, out)
    container = codes.text("containerName")
    codes.finish()
    if operator is None:
        f.required(codes.owner, f"{codes.path}.operator", codes.span, out)
        return None
    return PolicyRule(PodFailurePolicyAction(action), ExitCodeOperator(operator), values,
                      container, tuple(conditions))


def _ints(node: YNode | None, where: Fields, out: Out) -> tuple[int, ...]:
    if node is None or not isinstance(node.value, list):
        return ()
    found = []
    for i, item in enumerate(node.value):
        if isinstance(item.value, int) and not isinstance(item.value, bool):
            found.append(item.value)
        else:
            f.invalid(where.owner, f"{where.path}.values[{i}]", item.value,
                      "must be an integer", item.span, "write the exit code as a number", out)
    return tuple(found)


def cron_schedule(spec: Fields, annotations: dict[str, str], out: Out) -> CronSchedule:
    """The CronJob's `concurrencyPolicy` and `startingDeadlineSeconds`, and its schedule
    times from `podcheck.io/schedules` (PC407 when that is not a positive integer)."""
    policy = spec.choice("concurrencyPolicy", words(ConcurrencyPolicy), ConcurrencyPolicy.ALLOW)
    deadline = spec.integer("startingDeadlineSeconds", None)
    raw = annotations.get(SCHEDULES_ANNOTATION)
    schedules = DEFAULT_SCHEDULES
    if raw is not None:
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 10:
            schedules = int(raw)
        else:
            f.invalid(spec.owner, f"metadata.annotations[{SCHEDULES_ANNOTATION}]", raw,
                      "must be a whole number of schedule times from 1 to 10", spec.span,
                      f'write `{SCHEDULES_ANNOTATION}: "2"`', out)
    return CronSchedule(schedules, ConcurrencyPolicy(policy or ConcurrencyPolicy.ALLOW),
                        deadline, span=spec.key_span("concurrencyPolicy"))


def update_strategy(spec: Fields, out: Out) -> dict[str, object]:
    """A StatefulSet's `updateStrategy` as Workload fields (PC407 for `rollingUpdate`
    under OnDelete, as ValidateStatefulSetSpec rejects it)."""
    strategy = spec.mapping("updateStrategy")
    if strategy is None:
        return {}
    kind = StatefulSetUpdateStrategy(strategy.choice(
        "type", words(StatefulSetUpdateStrategy), None) or StatefulSetUpdateStrategy.ROLLING_UPDATE)
    rolling = strategy.mapping("rollingUpdate")
    strategy.finish()
    if rolling is None:
        return {"updateStrategy": kind}
    if kind is StatefulSetUpdateStrategy.ON_DELETE:
        f.invalid(spec.owner, f"{strategy.path}.rollingUpdate", "", "only allowed for "
                  "updateStrategy 'RollingUpdate'", strategy.key_span("rollingUpdate"),
                  "remove `rollingUpdate`, or use type RollingUpdate", out)
        return {"updateStrategy": kind}
    partition = rolling.integer("partition", 0) or 0
    most = rolling.int_or_percent("maxUnavailable")
    rolling.finish()
    if most is not None and most.value == 0:
        f.invalid(spec.owner, f"{rolling.path}.maxUnavailable", 0, "must be greater than 0",
                  rolling.value_span("maxUnavailable"), "allow at least one pod", out)
        most = IntOrPercent(1)
    return {"updateStrategy": kind, "partition": partition, "setMaxUnavailable": most}


def export_lines(w: Workload) -> tuple[str | None, list[str]]:
    """For `podcheck import`: the block keyword when it is not the kind's (`cronjob`) and
    the DSL lines of the fields above that differ from their defaults: a CronJob's
    schedule, a StatefulSet's update strategy, a Job's `podFailureRule` blocks."""
    lines: list[str] = []
    keyword = None
    if w.cron is not None:
        keyword = "cronjob"
        lines += [f"schedules: {w.cron.schedules}",
                  f"concurrencyPolicy: {w.cron.concurrencyPolicy}"]
        if w.cron.startingDeadlineSeconds is not None:
            lines.append(f"startingDeadlineSeconds: {w.cron.startingDeadlineSeconds}")
    if w.updateStrategy is not StatefulSetUpdateStrategy.ROLLING_UPDATE:
        lines.append(f"updateStrategy: {w.updateStrategy}")
    if w.partition:
        lines.append(f"partition: {w.partition}")
    if w.setMaxUnavailable is not None:
        most = w.setMaxUnavailable
        lines.append(f"maxUnavailable: {most.value}{'%' if most.percent else ''}")
    for rule in w.podFailurePolicy:
        lines.append("podFailureRule { " + " ".join(_rule_fields(rule)) + " }")
    return keyword, lines


def _rule_fields(rule: PolicyRule) -> list[str]:
    out = [f"action: {rule.action}"]
    if rule.operator is not None:
        out += [f"operator: {rule.operator}",
                f"onExitCodes: [{', '.join(str(v) for v in rule.values)}]"]
        if rule.container is not None:
            out.append(f'containerName: "{rule.container}"')
    kinds = [k for k, status in rule.conditions if status == "True" and k in
             words(PodConditionType)]
    if kinds:
        out.append(f"onPodConditions: [{', '.join(kinds)}]")
    return out
