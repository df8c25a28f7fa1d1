"""Graceful termination in the model (NOTE(graceful-deletion), model/termination.py) and
the pod's age (NOTE(pod-age), model/age.py): exact verdicts at the boundaries.

Each rule is decided by BFS on a small spec: the kill window from kube's
`pod_kill_window` (killContainer: preStop inside the grace period, then at least 2 s),
CheckGracefulDelete's immediate cases, the controllers' active-pod filters, and the age
timer's saturation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, load_and_compile
from podcheck.diagnostics import codes
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.result import Verdict
from podcheck.lang.check import LoadOptions, load
from podcheck.vocab import LifecycleHandler

H, V = Verdict.HOLDS, Verdict.VIOLATED


def _pod(template: str, env: str = "podDeletes: 1") -> str:
    return f"cluster {{ node n1 {{ }} }}\npod api {{\n{template}\n}}\nenvironment {{ {env} }}\n"


def _verdicts(tmp_path: Path, text: str, *formulas: str) -> list[Verdict]:
    path = tmp_path / "spec.pod"
    props = "".join(f"property p{i}: {f}\n" for i, f in enumerate(formulas))
    path.write_text(text + props, encoding="utf-8")
    compiled, _, _ = load_and_compile(str(path), CheckOptions())
    assert compiled.value is not None, compiled.diagnostics
    result, _ = explore(compiled.value, BfsOptions())
    assert result.stats.complete
    return [r.verdict for r in result.results]


GONE = "api.terminating ~> not api.exists within {}s"
# (template, last second it is not gone yet, its kill instant L)
WINDOWS = [
    ("terminationGracePeriodSeconds: 30\n container app { }", 30),
    ("terminationGracePeriodSeconds: 1\n container app { }", 2),  # the 2 s floor
    ("terminationGracePeriodSeconds: 20\n container app { preStop { sleep: 19s } }", 21),
    ("terminationGracePeriodSeconds: 20\n container app { preStop { sleep: 90s } }", 22),
    ("terminationGracePeriodSeconds: 20\n container app { preStop { exec: \"q\" }\n"
     " behavior { preStop: 1s..5s } }", 20),
]


@pytest.mark.parametrize(("template", "kill"), WINDOWS)
def test_a_deleted_pod_is_gone_by_its_kill_instant_and_not_before(
        tmp_path: Path, template: str, kill: int) -> None:
    got = _verdicts(tmp_path, _pod(template), GONE.format(kill), GONE.format(kill - 1),
                    "always not api.terminating")
    assert got == [H, V, V]


def test_the_pod_may_be_gone_as_soon_as_its_hooks_are_done(tmp_path: Path) -> None:
    # the window opens at the end of the shortest preStop: gone at 10 s at the earliest
    # (deleted at 0 s), and a run where it is gone right then exists
    template = "container app { preStop { sleep: 10s } }"
    settled = _pod(template, "podDeletes: 1  disruptionsStart: once-settled")
    got = _verdicts(tmp_path, settled, "always (api.exists or elapsed >= 10s)",
                    "always (api.exists or elapsed >= 11s)")
    assert got == [H, V]


def test_grace_zero_and_an_unscheduled_pod_are_removed_at_once(tmp_path: Path) -> None:
    zero = "terminationGracePeriodSeconds: 0\n container app { }"
    assert _verdicts(tmp_path, _pod(zero), "always not api.terminating") == [H]
    # CheckGracefulDelete: a pod with no node is removed at once
    cluster = "cluster { node n1 { capacity: { cpu: 1 } } }\n"
    pending = ("pod api {\n container app { resources { requests: { cpu: 2 } } }\n}\n"
               "environment { podDeletes: 1 }\n")
    assert _verdicts(tmp_path, cluster + pending, "always not api.terminating") == [H]


def test_a_terminating_pod_is_frozen_and_keeps_its_node(tmp_path: Path) -> None:
    template = "container app { behavior { crashes: 1 } }"
    got = _verdicts(tmp_path, _pod(template),
                    "always (api.terminating implies api.scheduled)",
                    "always (api.terminating implies api.phase == Running or "
                    "api.phase == Pending)")
    assert got == [H, H]


REPLICAS = """cluster {{ nodes: 2 }}
{kind} web {{
  replicas: 1
  template {{ labels: {{ app: web }}  container app {{ }} }}
}}
environment {{ podDeletes: 1 }}
"""


@pytest.mark.parametrize(("kind", "surges"), [("deployment", V), ("replicaset", V),
                                              ("statefulset", H)])
def test_replacements_of_a_terminating_pod(tmp_path: Path, kind: str, surges: Verdict) -> None:
    # FilterActivePods: a ReplicaSet replaces at once; a StatefulSet waits for the name
    text = REPLICAS.format(kind=kind)
    got = _verdicts(tmp_path, text, "always count(p in pods(web)) <= 1",
                    "always not (exists p in pods(web): p.terminating)")
    assert got == [surges, V]


def test_a_job_counts_a_terminating_pod_as_failed_and_replaces_it(tmp_path: Path) -> None:
    text = """cluster { nodes: 1 }
job migrate {
  backoffLimit: 1
  template { restartPolicy: Never  container app { behavior { run: 60s } } }
}
environment { podDeletes: 1 }
"""
    got = _verdicts(tmp_path, text,
                    "always (forall p in pods(migrate): p.terminating implies "
                    "migrate.failures == 1)",
                    "always count(p in pods(migrate)) <= 1")
    assert got == [H, V]


def test_the_pod_age_counts_from_its_creation_and_saturates(tmp_path: Path) -> None:
    text = """cluster { nodes: 1 }
deployment web {
  replicas: 1
  template { labels: { app: web }  terminationGracePeriodSeconds: 0
             restartPolicy: Always
             container app { behavior { outcome: fails  run: 20s } } }
}
environment { podDeletes: 1 }
"""
    # the first exit comes 20 s after the pod object was created; the crash loop goes on
    # for ever, so an age passes an hour (it saturates at 3601 s, past every comparison)
    got = _verdicts(tmp_path, text,
                    "always (forall p in pods(web): p.restarts > 0 implies p.age >= 20s)",
                    "always (forall p in pods(web): p.restarts > 0 implies p.age > 20s)",
                    "always (forall p in pods(web): p.age <= 1h)",
                    "always (forall p in pods(web): p.age < 25s)")
    assert got == [H, V, V, V]


def test_prestop_blocks_are_checked(tmp_path: Path) -> None:
    def diagnostics(body: str) -> list[str]:
        path = tmp_path / "spec.pod"
        path.write_text(_pod(f"container app {{ preStop {{ {body} }} }}"), encoding="utf-8")
        return [d.code for d in load(str(path), LoadOptions()).diagnostics]

    assert diagnostics("") == [codes.MISSING_REQUIRED]
    assert diagnostics('exec: "a"  sleep: 1s') == [codes.CONFLICTING_FIELDS]
    path = tmp_path / "ok.pod"
    path.write_text(_pod('container app { preStop { httpGet: "/quit" } }'), encoding="utf-8")
    loaded = load(str(path), LoadOptions())
    assert loaded.value is not None
    hook = loaded.value.workloads[0].template.containers[0].preStop
    assert hook is not None and hook.handler is LifecycleHandler.HTTP_GET
