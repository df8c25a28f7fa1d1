"""The one vocabulary: the grammar's tables, the property language's state names and the
checked spec's fields all come from `podcheck.vocab` (issue 8, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck import vocab
from podcheck.lang import schema
from podcheck.lang.check import load
from podcheck.spec import CONTAINER_FIELDS, ENUMS, NODE_FIELDS, POD_FIELDS, CheckedSpec

SPEC = """\
cluster { nodes: 2 }
job batch {
  template {
    restartPolicy: OnFailure
    initContainer proxy { restartPolicy: Always }
    container work { behavior { outcome: succeeds } }
  }
}
pdb budget {
  matchExpressions: [ { key: app, operator: NotIn, values: [db] } ]
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
}
environment { fairness: { kubelet: none, liveness_probe_kills: strong } }
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "spec.pod"
    path.write_text(text, encoding="utf-8")
    return load(str(path))


def _checked(tmp_path: Path) -> CheckedSpec:
    result = _load(tmp_path, SPEC)
    assert result.value is not None, result.diagnostics
    return result.value


def test_kubernetes_words_in_the_checked_spec_are_vocab_members(tmp_path: Path) -> None:
    spec = _checked(tmp_path)
    (job,) = spec.workloads
    assert job.kind is vocab.WorkloadKind.JOB
    assert job.template.restartPolicy is vocab.RestartPolicy.ON_FAILURE
    assert job.template.initContainers[0].restartPolicy is vocab.RestartPolicy.ALWAYS
    assert job.template.containers[0].restartPolicy is None
    (pdb,) = spec.pdbs
    assert pdb.unhealthyPodEvictionPolicy is vocab.UnhealthyPodEvictionPolicy.ALWAYS_ALLOW
    assert pdb.matchExpressions[0].operator is vocab.SelectorOperator.NOT_IN
    assert spec.environment.fairness == (
        (vocab.Actor.KUBELET, vocab.Fairness.NONE),
        (vocab.ActionKind.LIVENESS_PROBE_KILLS, vocab.Fairness.STRONG),
    )
    assert type(spec.environment.fairness[0][0]) is vocab.Actor
    assert type(spec.environment.fairness[1][0]) is vocab.ActionKind


def test_defaults_are_vocab_members(tmp_path: Path) -> None:
    result = _load(tmp_path, "pod p { container c {} }\npdb b { minAvailable: 1 }\n")
    assert result.value is not None
    assert result.value.workloads[0].template.restartPolicy is vocab.RestartPolicy.ALWAYS
    assert (result.value.pdbs[0].unhealthyPodEvictionPolicy
            is vocab.UnhealthyPodEvictionPolicy.IF_HEALTHY_BUDGET)


def test_unknown_fairness_target_suggests_the_closest_actor(tmp_path: Path) -> None:
    result = _load(tmp_path, "environment { fairness: { evction-api: strong } }\n")
    (diag,) = result.diagnostics
    assert diag.message == "unknown actor or action `evction-api` in `fairness`"
    assert diag.help == "did you mean `eviction-api`?"
    assert diag.span is not None and (diag.span.column, diag.span.end_column) == (27, 38)
    assert "`kubectl-drain`" in diag.notes[0].message
    assert "`liveness_probe_kills`" in diag.notes[1].message


def test_an_action_class_typo_suggests_the_action(tmp_path: Path) -> None:
    result = _load(tmp_path, "environment { fairness: { evict_refusd: none } }\n")
    assert [d.help for d in result.diagnostics] == ["did you mean `evict_refused`?"]


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        (("template-def", "restartPolicy"), vocab.RestartPolicy),
        (("container", "restartPolicy"), vocab.RestartPolicy),
        (("pdb", "unhealthyPodEvictionPolicy"), vocab.UnhealthyPodEvictionPolicy),
        (("environment", "fairness"), vocab.Fairness),
    ],
)
def test_schema_enum_fields_are_the_vocab_spellings(field: tuple[str, str], kind: type) -> None:
    spec = schema.BLOCKS[field[0]].field(field[1])
    assert spec is not None and spec.values == vocab.words(kind) and spec.enum is kind


def test_schema_tables_derive_from_the_vocab() -> None:
    assert schema.LABEL_OPERATORS == vocab.words(vocab.SelectorOperator)
    assert set(schema.WORKLOAD_BLOCKS.values()) == set(vocab.WorkloadKind)
    assert schema.FAIRNESS_TARGETS == vocab.words(vocab.Actor) + vocab.words(vocab.ActionKind)


def test_actor_and_action_spellings_are_disjoint() -> None:
    assert not set(vocab.words(vocab.Actor)) & set(vocab.words(vocab.ActionKind))


def test_property_language_states_are_the_vocab() -> None:
    assert POD_FIELDS["phase"] == vocab.words(vocab.PodPhase)
    assert CONTAINER_FIELDS["state"] == vocab.words(vocab.ContainerState)
    assert NODE_FIELDS["state"] == vocab.words(vocab.NodeState)
    assert POD_FIELDS["reason"] == vocab.words(vocab.Reason)
    assert ENUMS == frozenset(
        vocab.words(vocab.PodPhase) + vocab.words(vocab.ContainerState)
        + vocab.words(vocab.NodeState) + vocab.words(vocab.Reason)
    )


def test_language_reference_lists_every_actor() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text("utf-8")
    for actor in vocab.Actor:
        assert f"`{actor}`" in text, actor


def test_every_action_the_model_emits_is_in_the_vocabulary() -> None:
    """A fairness override is validated against `Actor` and `ActionKind` (PC217), so
    those must cover every action name and actor the model emits (all golden specs)."""
    from podcheck.check import CheckOptions, load_and_compile

    root = Path(__file__).resolve().parents[2] / "specs"
    compiled = [load_and_compile(str(p), CheckOptions())[0].value
                for p in sorted(root.rglob("*.pod"))]
    actions = [a for system in compiled if system is not None for a in system.actions]
    assert len(actions) > 100
    assert {a.name for a in actions} <= set(vocab.words(vocab.ActionKind))
    assert {a.actor for a in actions} <= set(vocab.words(vocab.Actor))
