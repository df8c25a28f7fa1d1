"""The schema of the `.pod` language: which blocks exist, where, and what fields they take.

Stage: data for `podcheck.lang.check` (unknown / duplicate fields with did-you-mean,
value types, ranges, enum values) and for docs/language.md.  Consumes the vocabulary
(`podcheck.vocab`), from which every table of Kubernetes words here is derived;
produces immutable tables.  The grammar only knows generic `KIND [NAME] { ... }`
blocks; everything kind-specific lives here, as data.

Value types: `podcheck.lang.fieldspec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from podcheck.kube.probes import probe_defaults
from podcheck.lang.fieldspec import VALUE_TYPES as VALUE_TYPES
from podcheck.lang.fieldspec import FieldSpec as FieldSpec
from podcheck.lang.fieldspec import vocab_field as vocab_field
from podcheck.lang.schema_jobs import CRON_FIELDS, JOB_FIELDS, POD_FAILURE_RULE_FIELDS
from podcheck.vocab import (
    ActionKind,
    Actor,
    DeploymentStrategyType,
    Fairness,
    LifecycleHandler,
    PodManagementPolicy,
    ProbeKind,
    RestartPolicy,
    SelectorOperator,
    StatefulSetUpdateStrategy,
    TaintEffect,
    TolerationOperator,
    UnhealthyPodEvictionPolicy,
    WorkloadKind,
    words,
)

_PROBE = probe_defaults()  # SetDefaults_Probe's values, the one set of probe defaults

@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One block kind in one context.  `key` is unique; `kind` is the keyword written.

    `naming`: "required" (`container app {}`), "none" (`resources {}`) or "optional"
    (`environment {}` and `environment maintenance {}`).  `children` are keys of the
    nested block specs allowed inside.
    """

    key: str
    kind: str
    naming: str
    fields: tuple[FieldSpec, ...] = ()
    children: tuple[str, ...] = ()
    doc: str = ""

    def __post_init__(self) -> None:
        assert self.naming in ("required", "none", "optional"), self.naming

    def field(self, name: str) -> FieldSpec | None:
        """The field called `name`, if this block has one."""
        return next((f for f in self.fields if f.name == name), None)

    def member_names(self) -> tuple[str, ...]:
        """Every field name and child keyword, for did-you-mean suggestions."""
        return tuple(f.name for f in self.fields) + tuple(BLOCKS[c].kind for c in self.children)


OUTCOMES = ("runs", "succeeds", "fails")
DRAIN_MODES = ("one-at-a-time", "concurrent")
DISRUPTION_STARTS = ("from-start", "once-settled")
STARTS = ("pending", "settled")
LABEL_OPERATORS = words(SelectorOperator)
EXPECT_OUTCOMES = ("holds", "violated")
# The keyword of each workload block: the kind in lower case (`deployment web { }`).
_KINDS = (WorkloadKind.DEPLOYMENT, WorkloadKind.REPLICASET, WorkloadKind.JOB,
          WorkloadKind.DAEMONSET, WorkloadKind.STATEFULSET, WorkloadKind.POD)
WORKLOAD_BLOCKS: Mapping[str, WorkloadKind] = MappingProxyType({
    **{k.value.lower(): k for k in _KINDS},
    "cronjob": WorkloadKind.JOB,  # a CronJob: its body is the jobTemplate's Job
})
WORKLOAD_KINDS = tuple(WORKLOAD_BLOCKS)
# The keyword of each probe block, in container field order (`livenessProbe { }`).
PROBE_BLOCKS: Mapping[str, ProbeKind] = MappingProxyType({f"{k}Probe": k for k in ProbeKind})
# What a fairness override may name: an actor, or an action class.
FAIRNESS_TARGETS = words(Actor) + words(ActionKind)
assert len(set(FAIRNESS_TARGETS)) == len(FAIRNESS_TARGETS), "actor and action share a name"

_PROBE_FIELDS = (
    FieldSpec("initialDelaySeconds", "int", str(_PROBE.initial_delay_seconds), min=0,
              doc="seconds before the first probe"),
    FieldSpec("periodSeconds", "int", str(_PROBE.period_seconds), min=1,
              doc="seconds between probes"),
    FieldSpec("timeoutSeconds", "int", str(_PROBE.timeout_seconds), min=1,
              doc="seconds before a probe times out"),
    FieldSpec("failureThreshold", "int", str(_PROBE.failure_threshold), min=1,
              doc="failures in a row that count"),
    FieldSpec("successThreshold", "int", str(_PROBE.success_threshold), min=1,
              doc="successes in a row that count"),
)

_TEMPLATE_FIELDS = (
    FieldSpec("labels", "label-map", "{}", doc="the pod's labels, matched by PDB selectors"),
    vocab_field("restartPolicy", RestartPolicy, "Always", doc="the pod's restart policy"),
    FieldSpec("activeDeadlineSeconds", "int", min=1, doc="the pod fails after this long"),
    FieldSpec(
        "terminationGracePeriodSeconds", "int", "30", min=0, doc="seconds between TERM and KILL"
    ),
    FieldSpec("nodeSelector", "label-map", "{}", doc="labels the node must have"),
    FieldSpec("nodeAffinity", "match-expressions", "[]",
              doc="required node affinity: one term, every expression on node labels"),
    FieldSpec("safeToEvict", "bool",
              doc="annotation cluster-autoscaler.kubernetes.io/safe-to-evict"),
)
# A bare pod only: the kubelet of that node runs it from its manifest directory (a static
# pod; its API object is a mirror pod, annotation kubernetes.io/config.mirror).
_STATIC_ON = FieldSpec("staticOn", "name",
                       doc="a static pod of this node's kubelet (shown as a mirror pod)")
_TEMPLATE_CHILDREN = ("initContainer", "container", "volume", "podAffinity", "podAntiAffinity",
                      "topologySpread", "toleration")
# `topologyKey`: the shorthands `hostname` and `zone` name the well-known node labels.
_TOPOLOGY_KEY = FieldSpec("topologyKey", "text", "hostname",
                          doc="`hostname`, `zone` or a node label key")
_AFFINITY_FIELDS = (FieldSpec("selector", "label-map", "{}", doc="matchLabels counted"),
                    _TOPOLOGY_KEY)

_WORKLOAD_TEMPLATE = FieldSpec("template", "name", doc="a top-level `template NAME {}`")
_REPLICAS = FieldSpec("replicas", "int", "1", min=0, doc="desired number of pods")

_CONTAINER_FIELDS = (
    FieldSpec("image", "text", '""', doc="the image (informational)"),
    FieldSpec("ports", "int-list", "[]", min=1, max=65535, doc="container ports"),
    vocab_field(
        "restartPolicy", RestartPolicy, doc="init containers only: `Always` makes it a sidecar"
    ),
    FieldSpec("behavior", "name", doc="a top-level `behavior NAME {}` profile"),
    FieldSpec("volumeMounts", "name-list", "[]", doc="names of the pod's volumes"),
)
_CONTAINER_CHILDREN = (
    "resources",
    *PROBE_BLOCKS,
    "preStop",
    "behavior-inline",
)
# `preStop { sleep: 5s }`: one handler (LifecycleHandler); exec and httpGet run for the
# behaviour's `preStop` duration, a sleep for its own.
_PRESTOP_FIELDS = (
    FieldSpec(str(LifecycleHandler.EXEC), "text", doc="the command run (informational)"),
    FieldSpec(str(LifecycleHandler.HTTP_GET), "text", doc="the path requested (informational)"),
    FieldSpec(str(LifecycleHandler.SLEEP), "duration-range", doc="how long the hook sleeps"),
)

_BEHAVIOR_FIELDS = (
    FieldSpec("startup", "duration-range", "0s", doc="container start until the process is up"),
    FieldSpec(
        "outcome",
        "enum",
        "runs (app) / succeeds (init)",
        OUTCOMES,
        doc="what the process does by itself",
    ),
    FieldSpec("run", "duration-range", "0s", doc="how long it runs before its outcome"),
    FieldSpec("crashes", "int", "0", min=0, doc="at most this many extra crashes"),
    FieldSpec("hangs", "int", "0", min=0, doc="at most this many hangs"),
    FieldSpec("exitCode", "int", "1", min=0, max=255, doc="exit code of a crash or `fails`"),
    FieldSpec("probeLatency", "duration-range", "0s", doc="how long a probe handler takes"),
    FieldSpec("preStop", "duration-range", "0s", doc="how long an exec or httpGet preStop runs"),
)

_ENVIRONMENT_FIELDS = (
    FieldSpec("include", "name-list", "[]", doc="named environments to add"),
    FieldSpec("drain", "names-or-all", "[]", doc="nodes that may be drained, or `all`"),
    FieldSpec("drainMode", "enum", "one-at-a-time", DRAIN_MODES, doc="how drains overlap"),
    FieldSpec("maxConcurrentDrains", "int", "1", min=1,
              doc="one-at-a-time mode: at most this many nodes drained at once"),
    FieldSpec("ignoreDaemonsets", "bool", "true", doc="kubectl drain --ignore-daemonsets"),
    FieldSpec("force", "bool", "true", doc="kubectl drain --force (evict bare pods)"),
    FieldSpec("deleteEmptydirData", "bool", "true",
              doc="kubectl drain --delete-emptydir-data"),
    FieldSpec("drainTimeout", "duration-range", doc="kubectl drain --timeout (none: forever)"),
    FieldSpec("scaleDown", "names-or-all", "[]",
              doc="nodes the cluster autoscaler may remove, or `all`"),
    FieldSpec("nodeFailures", "int", "0", min=0, doc="at most this many node failures"),
    FieldSpec("nodeRecoveries", "int", "0", min=0, doc="at most this many node recoveries"),
    FieldSpec("zoneFailures", "int", "0", min=0, doc="at most this many zone failures"),
    FieldSpec("podDeletes", "int", "0", min=0, doc="at most this many direct pod deletes"),
    FieldSpec("rollouts", "int", "0", min=0, doc="at most this many template changes"),
    FieldSpec("disruptionsStart", "enum", "from-start", DISRUPTION_STARTS,
              doc="when disruptions may begin"),
    FieldSpec("start", "enum", "pending", STARTS,
              doc="the run begins with the pods Pending or settled (bound and Ready)"),
    FieldSpec(
        "fairness",
        "enum-map",
        "{}",
        words(Fairness),
        doc="per actor or action fairness",
        enum=Fairness,
        keys=FAIRNESS_TARGETS,
    ),
)


def _workload(kind: str, fields: tuple[FieldSpec, ...], doc: str,
              children: tuple[str, ...] = ()) -> BlockSpec:
    return BlockSpec(
        kind, kind, "required", fields + (_WORKLOAD_TEMPLATE,), ("template-inline", *children),
        doc
    )


_STATEFULSET_FIELDS = (
    _REPLICAS,
    vocab_field("podManagementPolicy", PodManagementPolicy, "OrderedReady",
                doc="OrderedReady: pod N waits for 0..N-1"),
    vocab_field("updateStrategy", StatefulSetUpdateStrategy, "RollingUpdate",
                doc="how a template change replaces pods"),
    FieldSpec("partition", "int", "0", min=0, doc="ordinals below it keep the old template"),
    FieldSpec("maxUnavailable", "int-or-percent", "1", min=1,
              doc="pods a RollingUpdate may take down at once (MaxUnavailableStatefulSet)"),
)


_ALL_BLOCKS = (
    BlockSpec(
        "file",
        "file",
        "none",
        children=(
            "cluster",
            "behavior-profile",
            "template-def",
            *WORKLOAD_KINDS,
            "pdb",
            "environment",
            "behavior-of",
        ),
        doc="the top level of a spec file",
    ),
    BlockSpec("behavior-of", "behavior-of", "required", (), ("behavior-of-container",),
              doc="the behaviour of an imported workload's containers (lang/overrides.py)"),
    BlockSpec("behavior-of-container", "container", "required", _BEHAVIOR_FIELDS,
              doc="one container (app, init or sidecar): these fields over its behaviour"),
    BlockSpec(
        "cluster",
        "cluster",
        "none",
        (FieldSpec("nodes", "count-or-names", doc="`3` (n1..n3) or `[n1, n2]`"),),
        ("node",),
        doc="the nodes",
    ),
    BlockSpec(
        "node",
        "node",
        "required",
        (
            FieldSpec("capacity", "quantity-map", "{} (unlimited)", doc="allocatable resources"),
            FieldSpec("zone", "text", '""', doc="the node's zone, for zone failures"),
            FieldSpec("labels", "label-map", "{}", doc="node labels (hostname, zone implied)"),
        ),
        ("taint",),
        doc="one node",
    ),
    BlockSpec("behavior-profile", "behavior", "required", _BEHAVIOR_FIELDS, doc="a profile"),
    BlockSpec("behavior-inline", "behavior", "none", _BEHAVIOR_FIELDS, doc="inline behaviour"),
    BlockSpec(
        "template-def", "template", "required", _TEMPLATE_FIELDS, _TEMPLATE_CHILDREN, "a template"
    ),
    BlockSpec(
        "template-inline", "template", "none", _TEMPLATE_FIELDS, _TEMPLATE_CHILDREN, "a template"
    ),
    _workload(
        "deployment",
        (
            _REPLICAS,
            FieldSpec("maxSurge", "int-or-percent", "25%", min=0, max_percent=None),
            FieldSpec("maxUnavailable", "int-or-percent", "25%", min=0),
            vocab_field("strategy", DeploymentStrategyType, "RollingUpdate",
                        doc="Recreate: every old pod goes before a new one is created"),
            FieldSpec("progressDeadlineSeconds", "int", "600", min=1,
                      doc="seconds without progress before Progressing turns False"),
        ),
        "a Deployment",
    ),
    _workload("replicaset", (_REPLICAS,), "a ReplicaSet"),
    _workload("job", JOB_FIELDS, "a Job", ("podFailureRule",)),
    _workload("cronjob", JOB_FIELDS + CRON_FIELDS, "a CronJob: its Job, schedule times",
              ("podFailureRule",)),
    BlockSpec("podFailureRule", "podFailureRule", "none", POD_FAILURE_RULE_FIELDS,
              doc="a podFailurePolicy rule: exactly one of onExitCodes, onPodConditions"),
    _workload("daemonset", (), "a DaemonSet: one pod per node"),
    _workload("statefulset", _STATEFULSET_FIELDS, "a StatefulSet"),
    BlockSpec("pod", "pod", "required", (*_TEMPLATE_FIELDS, _STATIC_ON), _TEMPLATE_CHILDREN,
              "a bare pod"),
    BlockSpec("podAffinity", "podAffinity", "none", _AFFINITY_FIELDS, doc="required pod affinity"),
    BlockSpec("podAntiAffinity", "podAntiAffinity", "none", _AFFINITY_FIELDS,
              doc="required pod anti-affinity"),
    BlockSpec("topologySpread", "topologySpread", "none", (
        FieldSpec("maxSkew", "int", "1", min=1, doc="most pods more than the emptiest domain"),
        _TOPOLOGY_KEY, FieldSpec("selector", "label-map", "{}", doc="matchLabels counted"),
    ), doc="a topologySpreadConstraint with whenUnsatisfiable DoNotSchedule"),
    BlockSpec("taint", "taint", "none", (
        FieldSpec("key", "text", doc="the taint's key (required)"),
        FieldSpec("value", "text", '""', doc="the taint's value"),
        vocab_field("effect", TaintEffect, doc="NoSchedule, PreferNoSchedule or NoExecute"),
    ), doc="a node taint"),
    BlockSpec("toleration", "toleration", "none", (
        FieldSpec("key", "text", '""', doc="the taint key tolerated (empty: every key)"),
        vocab_field("operator", TolerationOperator, "Equal", doc="Equal or Exists"),
        FieldSpec("value", "text", '""', doc="the value, for Equal"),
        vocab_field("effect", TaintEffect, doc="the effect tolerated (unset: every one)"),
        FieldSpec("tolerationSeconds", "int", min=0, doc="NoExecute: how long the pod stays"),
    ), doc="a pod toleration"),
    BlockSpec("initContainer", "initContainer", "required", _CONTAINER_FIELDS, _CONTAINER_CHILDREN),
    BlockSpec("container", "container", "required", _CONTAINER_FIELDS, _CONTAINER_CHILDREN),
    BlockSpec(
        "volume",
        "volume",
        "required",
        (FieldSpec("emptyDir", "empty-map", "{}", doc="the only volume type modelled"),),
    ),
    BlockSpec(
        "resources",
        "resources",
        "none",
        (
            FieldSpec("requests", "quantity-map", "{}", doc="what the scheduler reserves"),
            FieldSpec("limits", "quantity-map", "{}", doc="the most the container may use"),
        ),
    ),
    *(BlockSpec(key, key, "none", _PROBE_FIELDS) for key in PROBE_BLOCKS),
    BlockSpec("preStop", "preStop", "none", _PRESTOP_FIELDS,
              doc="lifecycle.preStop: runs before SIGTERM, inside the grace period"),
    BlockSpec(
        "pdb",
        "pdb",
        "required",
        (
            FieldSpec("selector", "label-map", "{} (every pod)", doc="matchLabels"),
            FieldSpec("matchExpressions", "match-expressions", "[]", doc="set-based selector"),
            FieldSpec("minAvailable", "int-or-percent", min=0),
            FieldSpec("maxUnavailable", "int-or-percent", min=0),
            vocab_field(
                "unhealthyPodEvictionPolicy", UnhealthyPodEvictionPolicy, "IfHealthyBudget"
            ),
        ),
        doc="a PodDisruptionBudget",
    ),
    BlockSpec("environment", "environment", "optional", _ENVIRONMENT_FIELDS, doc="disruptions"),
)

BLOCKS: Mapping[str, BlockSpec] = MappingProxyType({b.key: b for b in _ALL_BLOCKS})
assert len(BLOCKS) == len(_ALL_BLOCKS)

# What each human-facing enum is called in messages ("unknown restart policy `X`").
ENUM_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "restartPolicy": "restart policy",
        "outcome": "behaviour outcome",
        "drainMode": "drain mode",
        "disruptionsStart": "disruption start",
        "start": "start",
        "fairness": "fairness",
        "unhealthyPodEvictionPolicy": "unhealthy pod eviction policy",
        "operator": "label selector operator",
        "effect": "taint effect",
        "updateStrategy": "update strategy",
        "concurrencyPolicy": "concurrency policy",
        "action": "pod failure policy action",
    }
)

# Built-in checks: which kind of declared name their arguments must be (None: none).
BUILTIN_ARGS: Mapping[str, str | None] = MappingProxyType(
    {
        "init-order": None,
        "budget-respected": "pdb",
        "always-available": "pdb",
        "drain-completes": "node",
        "eventually-ready": "workload",
        "no-crash-loop": "workload",
        "job-completes": "job",
        "recovers-after-failure": "workload",
        "no-unready-traffic": "workload",
        "no-deadlock": None,
        "rollout-progresses": "workload",
    }
)


def child_spec(parent: BlockSpec, kind: str) -> BlockSpec | None:
    """The spec of a `kind` block nested in `parent`, if that nesting is allowed."""
    return next((BLOCKS[c] for c in parent.children if BLOCKS[c].kind == kind), None)
