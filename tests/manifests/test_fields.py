"""Fields, defaults and annotations: what the checked spec says for given manifests."""

from __future__ import annotations

import io

from podcheck.diagnostics import codes as c
from podcheck.manifests import ManifestOptions, load_inputs
from podcheck.spec import IntOrPercent, Outcome
from podcheck.vocab import DeploymentStrategyType, TolerationOperator


def _load(text: str, options: ManifestOptions | None = None):
    return load_inputs(["-"], options, stdin=io.StringIO(text)).result


DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: ANNOTATIONS
    spec:
      tolerations: [{operator: Exists}]
      containers:
      - name: app
        image: example/web:1
        resources: {limits: {memory: 1Gi}}
        livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 0}
"""


def test_kubernetes_defaults_are_filled_in() -> None:
    result = _load(DEPLOY.replace("ANNOTATIONS", "{}"))
    assert result.value is not None
    w = result.value.workloads[0]
    app = w.template.containers[0]
    assert w.replicas == 1 and w.maxSurge.percent and w.maxSurge.value == 25
    assert app.requests == (("memory", "1Gi"),)  # requests default to limits
    assert app.livenessProbe is not None and app.livenessProbe.periodSeconds == 10
    assert app.behavior.outcome is Outcome.RUNS and app.behavior.crashes == 1
    # tolerations are read (placement.py), not reported as unmodelled
    assert c.UNMODELLED_FIELD not in [d.code for d in result.diagnostics]
    assert [t.operator for t in w.template.tolerations] == [TolerationOperator.EXISTS]


def test_behaviour_annotations() -> None:
    text = DEPLOY.replace("ANNOTATIONS", '{podcheck.io/startup-seconds: "60-90", '
                          "podcheck.io/outcome.app: hangs}")
    result = _load(text)
    assert result.value is not None
    behavior = result.value.workloads[0].template.containers[0].behavior
    assert (behavior.startup.lo.ms, behavior.startup.hi.ms) == (60_000, 90_000)
    assert behavior.hangs == 1 and behavior.crashes == 0


def test_bad_annotations_are_reported() -> None:
    for value in ("{podcheck.io/outcome.app: sometimes}", "{podcheck.io/outcome.db: runs}",
                  '{podcheck.io/startup-second: "5"}', '{podcheck.io/startup-seconds: "9-3"}'):
        result = _load(DEPLOY.replace("ANNOTATIONS", value))
        assert result.value is None
        assert c.INVALID_BEHAVIOR_ANNOTATION in [d.code for d in result.diagnostics], value


def test_selector_must_match_template_labels() -> None:
    result = _load(DEPLOY.replace("ANNOTATIONS", "{}").replace("{app: web}}", "{app: api}}"))
    assert result.value is None
    assert any("`selector` does not match template `labels`" in d.message
               for d in result.diagnostics)


def test_options_shape_the_environment_and_checks() -> None:
    opts = ManifestOptions(nodes=2, failures=0, concurrent_drains=2, checks=("no-deadlock",))
    result = _load(DEPLOY.replace("ANNOTATIONS", "{}"), opts)
    assert result.value is not None
    env = result.value.environment
    assert env.drain == ("n1", "n2") and env.drainMode.value == "concurrent"
    assert env.nodeFailures == 0
    assert [p.builtin for p in result.value.properties] == ["no-deadlock"]
    assert result.diagnostics[0].code == c.ZERO_CONFIG_DEFAULTS


def test_two_pdbs_on_one_pod_and_percent_budgets_reach_the_model() -> None:
    pdbs = "".join(f"""---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {n}}}
spec: {{maxUnavailable: "50%", selector: {{matchLabels: {{app: web}}}}}}
""" for n in ("a", "b"))
    result = _load(DEPLOY.replace("ANNOTATIONS", "{}") + pdbs)
    assert result.value is not None
    assert [p.maxUnavailable for p in result.value.pdbs] == [IntOrPercent(50, True)] * 2
    from podcheck.model.compile import compile_spec
    compiled = compile_spec(result.value)
    assert c.MULTIPLE_PDBS in [d.code for d in compiled.diagnostics]


def test_deployment_strategy_and_progress_deadline_are_read() -> None:
    """`strategy.type` and `progressDeadlineSeconds` reach the checked spec (defaults
    RollingUpdate and 600, SetDefaults_Deployment), and no PC408/PC415 is left for them."""
    plain = _load(DEPLOY.replace("ANNOTATIONS", "{}"))
    assert plain.value is not None
    w = plain.value.workloads[0]
    assert w.strategy is DeploymentStrategyType.ROLLING_UPDATE
    assert w.progressDeadlineSeconds == 600
    text = DEPLOY.replace("ANNOTATIONS", "{}").replace(
        "spec:\n  selector:",
        "spec:\n  progressDeadlineSeconds: 120\n  strategy: {type: Recreate}\n  selector:")
    result = _load(text)
    assert result.value is not None
    w = result.value.workloads[0]
    assert w.strategy is DeploymentStrategyType.RECREATE
    assert w.progressDeadlineSeconds == 120
    assert not [d for d in result.diagnostics if "strategy" in d.message
                or "progressDeadline" in d.message]
    bad = _load(text.replace("Recreate", "BlueGreen"))
    assert any(d.code == c.INVALID_FIELD_VALUE or "Unsupported" in d.message
               for d in bad.diagnostics)
