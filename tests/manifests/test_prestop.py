"""`lifecycle.preStop` and `terminationGracePeriodSeconds` in manifests are read (issue 14
item 7): the hook's handler and duration reach the checked spec; postStart and the
never-run tcpSocket handler are PC408."""

from __future__ import annotations

from pathlib import Path

from podcheck.diagnostics import codes as c
from podcheck.manifests import load_inputs
from podcheck.spec import Duration, DurationRange
from podcheck.vocab import LifecycleHandler

POD = """apiVersion: v1
kind: Pod
metadata: {{name: solo}}
spec:
  terminationGracePeriodSeconds: 45
  containers:
  - name: app
    image: example/app:1
    lifecycle: {lifecycle}
"""


def _load(tmp_path: Path, lifecycle: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "pod.yaml"
    path.write_text(POD.format(lifecycle=lifecycle), encoding="utf-8")
    return load_inputs([str(path)]).result


def test_a_sleep_hook_lasts_its_seconds(tmp_path: Path) -> None:
    result = _load(tmp_path, "{preStop: {sleep: {seconds: 7}}}")
    assert result.value is not None
    template = result.value.workloads[0].template
    assert template.terminationGracePeriodSeconds == 45
    hook = template.containers[0].preStop
    seven = Duration(7000)
    assert hook is not None and hook.handler is LifecycleHandler.SLEEP
    assert hook.duration == DurationRange(seven, seven)
    assert c.UNMODELLED_FIELD not in [d.code for d in result.diagnostics]


def test_exec_and_http_hooks_are_read(tmp_path: Path) -> None:
    for text, handler in (("{preStop: {exec: {command: [nginx, -s, quit]}}}",
                           LifecycleHandler.EXEC),
                          ("{preStop: {httpGet: {path: /drain, port: 80}}}",
                           LifecycleHandler.HTTP_GET)):
        result = _load(tmp_path, text)
        assert result.value is not None
        hook = result.value.workloads[0].template.containers[0].preStop
        assert hook is not None and hook.handler is handler, text
        assert not [d for d in result.diagnostics if d.code == c.UNMODELLED_FIELD]


def test_post_start_and_tcp_socket_are_not_modelled(tmp_path: Path) -> None:
    result = _load(tmp_path, "{postStart: {exec: {command: [x]}}, preStop: {tcpSocket: "
                             "{port: 80}}}")
    paths = sorted(d.message.split("`")[3] for d in result.diagnostics
                   if d.code == c.UNMODELLED_FIELD)
    assert paths == ["spec.containers[0].lifecycle.postStart",
                     "spec.containers[0].lifecycle.preStop.tcpSocket"]
    assert result.value is not None
    assert result.value.workloads[0].template.containers[0].preStop is None
