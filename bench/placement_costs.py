"""The state-space cost of each placement and workload construct (issue 11, Evidence).

Run from the repository root: `python bench/placement_costs.py [--markdown]`.  One base
scenario (a 3-replica Deployment behind a PDB of minAvailable 2 on three nodes, two in
zone a and one in zone b, one node failure, `budget-respected` and a safety property)
is checked as `podcheck check` checks it (bfs, the default symmetry), then once per
construct with only that construct added: nodeSelector, required node affinity, a
NoSchedule taint, required pod anti-affinity, required pod affinity, topology spread,
the node's pod capacity, a StatefulSet in place of the Deployment (OrderedReady and
Parallel), cluster-autoscaler scale-down of n3.  A second base (a Job) is set against
a CronJob of two schedule times under each concurrencyPolicy.  Prints the reachable
states, transitions and seconds per variant, and the ratio to its base.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CLUSTER = """
cluster {
  node n1 { zone: a  labels: { disk: ssd }  CAP }
  node n2 { zone: a  labels: { disk: ssd }  CAP }
  node n3 { zone: b  TAINT CAP }
}
"""
WORKLOAD = """
KIND web {
  replicas: 3POLICY
  template {
    labels: { app: web }
    PLACEMENT
    container app {}
  }
}
pdb web-pdb { selector: { app: web }  minAvailable: 2 }
environment { nodeFailures: 1  ENV }
check budget-respected
property never-all-down: always exists p in pods(web): p.ready or not p.scheduled
"""

PLACEMENT = {
    "base": "",
    "nodeSelector (disk: ssd, 2 of 3 nodes)": "nodeSelector: { disk: ssd }",
    "required node affinity (disk In [ssd])":
        "nodeAffinity: [ { key: disk, operator: In, values: [ssd] } ]",
    "NoSchedule taint on n3, not tolerated": "",
    "NoSchedule taint on n3, tolerated":
        "toleration { key: dedicated  operator: Exists  effect: NoSchedule }",
    "required anti-affinity, hostname":
        "podAntiAffinity { selector: { app: web }  topologyKey: hostname }",
    "required affinity, zone": "podAffinity { selector: { app: web }  topologyKey: zone }",
    "topology spread, zone, maxSkew 1":
        "topologySpread { maxSkew: 1  topologyKey: zone  selector: { app: web } }",
    "pod capacity 1 per node": "",
    "StatefulSet, OrderedReady": "",
    "StatefulSet, Parallel": "",
    "scaleDown: [n3] (joint packing)": "",
}

JOB = """
cluster { nodes: 1 }
KIND nightly {
  CRON
  template {
    restartPolicy: Never
    container report { behavior { outcome: succeeds  run: 60s } }
  }
}
check job-completes
"""


def _deployment_spec(name: str) -> str:
    taint = "taint { key: dedicated  effect: NoSchedule }" if "taint" in name else ""
    cap = "capacity: { pods: 1 }" if "capacity" in name else ""
    kind = "statefulset" if "StatefulSet" in name else "deployment"
    policy = "\n  podManagementPolicy: Parallel" if "Parallel" in name else ""
    env = "scaleDown: [n3]" if "scaleDown" in name else ""
    return (CLUSTER.replace("TAINT", taint).replace("CAP", cap)
            + WORKLOAD.replace("KIND", kind).replace("POLICY", policy)
            .replace("PLACEMENT", PLACEMENT[name]).replace("ENV", env))


def _job_specs() -> dict[str, str]:
    out = {"Job (base)": JOB.replace("KIND", "job").replace("CRON", "")}
    for policy in ("Allow", "Forbid", "Replace"):
        out[f"CronJob, 2 schedules, {policy}"] = JOB.replace("KIND", "cronjob").replace(
            "CRON", f"schedules: 2\n  concurrencyPolicy: {policy}")
    return out


def measure(text: str) -> tuple[int, int, float]:
    """Check `text` as `podcheck check` would; return states, transitions, seconds."""
    sys.path.insert(0, str(ROOT))
    from podcheck import check  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "variant.pod"
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        run = check.check_file(str(path), check.CheckOptions())
        seconds = time.perf_counter() - start
    result = run.result
    assert result is not None, [d.code for d in run.diagnostics]
    return result.stats.states, result.stats.transitions, seconds


def _n(x: int) -> str:
    return f"{x:,}".replace(",", " ")


def main() -> None:
    """Print one row per variant."""
    rows = [(name, _deployment_spec(name)) for name in PLACEMENT]
    rows += list(_job_specs().items())
    base: dict[str, int] = {}
    print("| construct | states | transitions | ratio to base | seconds |")
    print("|---|---:|---:|---:|---:|")
    for name, text in rows:
        states, transitions, seconds = measure(text)
        family = "job" if "Job" in name else "deployment"
        base.setdefault(family, states)
        print(f"| {name} | {_n(states)} | {_n(transitions)} | "
              f"{states / base[family]:.2f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
