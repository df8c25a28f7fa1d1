"""Schedulability as constraints (issue 12, item 5): Z3's placements against brute force
on random small problems, the effective requests of the driver against kube, and the
answer with every node against explicit BFS of the model's scheduler."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.check import CheckOptions, check_file
from podcheck.cli import app
from podcheck.engine.binpack import (
    Affine,
    Apart,
    PackNode,
    PackPod,
    Problem,
    Spread,
    pack,
    placed,
    scenarios,
)
from podcheck.engine.result import Verdict
from podcheck.lang.check import load
from podcheck.model.kube_adapter import effective_requests
from podcheck.schedulability import fit_file, problem_of

ROOT = Path(__file__).resolve().parents[2]
SYMBOLIC = ROOT / "specs" / "symbolic"


def fits_in_python(problem: Problem, removed: frozenset[int], placement) -> bool:
    """The rules of NOTE(binpack-rules), written out again on a concrete placement."""
    used: dict[tuple[int, str], int] = {}
    for i in placed(problem, removed):
        q = placement[i]
        if q is None or q in removed or q not in problem.pods[i].allowed:
            return False
        for r, need in problem.pods[i].requests:
            used[q, r] = used.get((q, r), 0) + need
    if not all(used.get((q, r), 0) <= cap for q, n in enumerate(problem.nodes)
               if q not in removed for r, cap in n.capacity):
        return False
    for a in problem.apart:  # NOTE(binpack-placement), written out again
        qi, qj = placement[a.i], placement[a.j]
        if qi is not None and qj is not None and a.domains[qi] and (
                a.domains[qi] == a.domains[qj]):
            return False
    for g in problem.spread:
        keyed = {q for _, nodes in g.domains for q in nodes}
        if any(placement[i] is not None and placement[i] not in keyed for i in g.pods):
            return False
        counts = [sum(placement[i] in nodes for i in g.pods) for _, nodes in g.domains]
        low = 0 if g.floor_zero else min(counts, default=0)
        if any(c and c - low > g.max_skew for c in counts):
            return False
    return True


def brute_force(problem: Problem, removed: frozenset[int]) -> bool:
    pods = placed(problem, removed)
    for choice in itertools.product(range(len(problem.nodes)), repeat=len(pods)):
        placement = [None] * len(problem.pods)
        for i, q in zip(pods, choice, strict=True):
            placement[i] = q
        if fits_in_python(problem, removed, placement):
            return True
    return False


def random_problem(rng: random.Random) -> Problem:
    m = rng.randint(1, 3)
    nodes = tuple(PackNode(f"n{q}", (("cpu", rng.randint(0, 6)),) if rng.random() < 0.9 else ())
                  for q in range(m))
    pods = []
    for i in range(rng.randint(0, 5)):
        allowed = tuple(q for q in range(m) if rng.random() < 0.8)
        pinned = bool(allowed) and rng.random() < 0.15
        pods.append(PackPod(f"p{i}", (("cpu", rng.randint(0, 4)),),
                            allowed[:1] if pinned else allowed, pinned))
    return Problem(tuple(pods), nodes)


def random_rules(rng: random.Random, problem: Problem) -> Problem:
    """`problem` with random anti-affinity pairs and one spread group over random zones."""
    m, n = len(problem.nodes), len(problem.pods)
    zones = tuple(rng.choice(["a", "b", ""]) for _ in range(m))
    apart = tuple(Apart(i, j, zones) for i in range(n) for j in range(i + 1, n)
                  if rng.random() < 0.3)  # fmt: skip
    members = tuple(i for i in range(n) if rng.random() < 0.6)
    by: dict[str, list[int]] = {}
    for q, z in enumerate(zones):
        if z:
            by.setdefault(z, []).append(q)
    spread = (Spread(members, rng.randint(1, 2), tuple((z, tuple(qs)) for z, qs in
                                                       sorted(by.items())),
                     rng.random() < 0.2),) if members else ()  # fmt: skip
    return Problem(problem.pods, problem.nodes, apart, spread)


@pytest.mark.parametrize("seed", range(40))
def test_z3_agrees_with_brute_force_on_the_placement_rules(seed):
    rng = random.Random(1000 + seed)
    problem = random_rules(rng, random_problem(rng))
    for removed in scenarios([0], 1, len(problem.nodes)):
        fit = pack(problem, removed)
        assert fit.fits is brute_force(problem, removed), (problem, removed)
        if fit.fits:
            assert fits_in_python(problem, removed, fit.placement)


@pytest.mark.parametrize("seed", range(40))
def test_z3_agrees_with_brute_force_in_every_scenario(seed):
    rng = random.Random(seed)
    problem = random_problem(rng)
    m = len(problem.nodes)
    for removed in scenarios([0], 1, m):
        fit = pack(problem, removed)
        assert fit.fits is brute_force(problem, removed), (problem, removed)
        if fit.fits:
            assert fits_in_python(problem, removed, fit.placement)


def test_scenarios_come_smallest_first():
    # one drain at a time (n1 or n2), with at most one failure (any node)
    assert scenarios([0, 1], 1, 3) == [frozenset(), frozenset({0}), frozenset({1}),
                                       frozenset({2}), frozenset({0, 1}), frozenset({0, 2}),
                                       frozenset({1, 2})]
    assert scenarios([0, 1], 0, 2, concurrent=True) == [
        frozenset(), frozenset({0}), frozenset({1}), frozenset({0, 1})]


def test_the_driver_reads_effective_requests_and_static_filters():
    spec = load(str(SYMBOLIC / "fit-drain.pod")).value
    # PodRequests: max(app phase 500m + 250m, init `migrate` 600m + sidecar 250m)
    assert effective_requests(spec.workloads[0].template)["cpu"] == Decimal("0.85")
    problem = problem_of(spec)
    assert [p.allowed for p in problem.pods] == [(0, 1)] * 4  # n3's taint is not tolerated
    run = fit_file(str(SYMBOLIC / "fit-drain.pod"))
    assert [f.fits for f in run.fits] == [True, False]
    assert run.smallest_failing.removed == frozenset({0})


SCHEDULED = """
cluster {
  node n1 { capacity: { cpu: 1500m, pods: 10 } }
  node n2 { capacity: { cpu: 1.5, pods: 10 } }
}
replicaset cache {
  replicas: REPLICAS
  template {
    labels: { app: cache }
    initContainer warm-up { resources { requests: { cpu: INIT } } }
    container redis { resources { requests: { cpu: 700m } } }
  }
}
property never-all-scheduled: always not (forall p in pods(cache): p.scheduled)
"""


@pytest.mark.parametrize(("replicas", "init"), [(2, "1"), (3, "1"), (3, "700m"), (4, "700m"),
                                                (5, "700m"), (2, "1600m")])
def test_with_every_node_z3_agrees_with_the_models_scheduler(tmp_path, replicas, init):
    """Some run of the model's scheduler binds every pod iff a placement exists (a
    placement can be bound pod by pod; every binding the scheduler makes fits)."""
    path = tmp_path / "fit.pod"
    path.write_text(SCHEDULED.replace("REPLICAS", str(replicas)).replace("INIT", init))
    fit = fit_file(str(path)).fits[0]
    run = check_file(str(path), CheckOptions())
    (result,) = run.result.results
    assert fit.fits is (result.verdict is Verdict.VIOLATED), (replicas, init)


def test_fit_command_exit_codes(monkeypatch):
    monkeypatch.chdir(SYMBOLIC)
    assert CliRunner().invoke(app, ["fit", "fit-drain.pod"]).exit_code == 1
    ok = ROOT / "specs" / "time" / "drain-within.pod"
    assert CliRunner().invoke(app, ["fit", str(ok)]).exit_code == 0


PLACED = """
cluster {
  node n1 { zone: a  capacity: { cpu: CAP } }
  node n2 { zone: a  capacity: { cpu: CAP } }
  node n3 { zone: b  capacity: { cpu: CAP } TAINT }
}
deployment web {
  replicas: REPLICAS
  template {
    labels: { app: web }
    RULE
    container app { resources { requests: { cpu: 1 } } }
  }
}
property never-all-scheduled: always not (forall p in pods(web): p.scheduled)
"""
ANTI = "podAntiAffinity { selector: { app: web }  topologyKey: KEY }"
SPREAD = "topologySpread { maxSkew: SKEW  topologyKey: KEY  selector: { app: web } }"
TAINTED = "taint { key: dedicated  value: gpu  effect: NoSchedule }"


@pytest.mark.parametrize(("rule", "key", "skew", "replicas", "cap", "taint"), [
    (ANTI, "hostname", 1, 3, 4, ""), (ANTI, "hostname", 1, 4, 4, ""),
    (ANTI, "zone", 1, 2, 4, ""), (ANTI, "zone", 1, 3, 4, ""),
    (ANTI, "hostname", 1, 3, 4, TAINTED), (SPREAD, "zone", 1, 3, 4, ""),
    (SPREAD, "zone", 1, 4, 1, ""), (SPREAD, "zone", 1, 2, 4, TAINTED),
    (SPREAD, "zone", 2, 3, 4, TAINTED), (SPREAD, "hostname", 1, 4, 4, TAINTED),
    (SPREAD, "hostname", 2, 4, 4, TAINTED), (SPREAD, "zone", 1, 5, 2, ""),
])  # fmt: skip
def test_placement_rules_agree_with_the_models_scheduler(tmp_path, rule, key, skew, replicas,
                                                        cap, taint):  # fmt: skip
    """NOTE(binpack-placement): with every node, a placement exists iff some run of the
    model's scheduler (InterPodAffinity, PodTopologySpread: a tainted node is no target
    but still a domain) binds every pod."""
    text = (PLACED.replace("RULE", rule.replace("KEY", key).replace("SKEW", str(skew)))
            .replace("REPLICAS", str(replicas)).replace("CAP", str(cap))
            .replace("TAINT", taint))  # fmt: skip
    path = tmp_path / "fit.pod"
    path.write_text(text)
    fit = fit_file(str(path)).fits[0]
    (result,) = check_file(str(path), CheckOptions()).result.results
    assert fit.fits is (result.verdict is Verdict.VIOLATED), text


@pytest.mark.parametrize(("key", "skew", "replicas", "cap", "taint"), [
    ("zone", 1, 2, 4, ""), ("zone", 2, 2, 4, ""), ("zone", 2, 3, 4, TAINTED),
    ("hostname", 1, 2, 4, ""), ("hostname", 1, 2, 1, TAINTED), ("hostname", 1, 3, 4, ""),
])  # fmt: skip
def test_pod_affinity_with_spread_agrees_with_the_models_scheduler(tmp_path, key, skew, replicas,
                                                                   cap, taint):  # fmt: skip
    """NOTE(binpack-spread-order): affinity on zone with a spread constraint, each
    checked at binding, against the model's scheduler with every node."""
    rule = ("podAffinity { selector: { app: web }  topologyKey: zone }\n    "
            + SPREAD.replace("KEY", key).replace("SKEW", str(skew)))
    text = (PLACED.replace("RULE", rule).replace("REPLICAS", str(replicas))
            .replace("CAP", str(cap)).replace("TAINT", taint))  # fmt: skip
    path = tmp_path / "fit.pod"
    path.write_text(text)
    run = fit_file(str(path))
    assert run.problem.skews and not run.problem.spread
    (result,) = check_file(str(path), CheckOptions()).result.results
    assert run.fits[0].fits is (result.verdict is Verdict.VIOLATED), text


# NOTE(binpack-affinity): required pod affinity, by binding order
def affinity_holds(problem: Problem, removed: frozenset[int], placement) -> bool:
    """Some binding order of the placed pods meets every pod's affinity as
    `satisfyPodAffinity` checks it at its binding (kube `interpod_filter_core`)."""
    pods = placed(problem, removed)
    for order in itertools.permutations(pods):
        bound: list[int] = []
        for i in order:
            a = next((a for a in problem.affine if a.i == i), None)
            if a is not None and not binds(a, placement, bound):
                break
            bound.append(i)
        else:
            return True
    return False


def binds(a, placement, bound) -> bool:
    mine = [d[placement[a.i]] for d in a.terms]
    if not all(mine):
        return False
    earlier = [j for j in a.matches if j in bound]
    if all(any(d[placement[j]] == v for j in earlier) for d, v in zip(a.terms, mine, strict=True)):
        return True
    counted = any(d[placement[j]] for j in earlier for d in a.terms)
    return a.own and not counted


def random_affinity(rng: random.Random, problem: Problem) -> Problem:
    m, n = len(problem.nodes), len(problem.pods)
    keys = [tuple(rng.choice(["a", "b", ""]) for _ in range(m)),
            tuple(f"h{q}" for q in range(m))]  # a zone-like key and the hostname
    affine = []
    for i in range(n):
        if rng.random() < 0.5:
            terms = tuple(rng.sample(keys, rng.randint(1, 2)))
            matches = tuple(j for j in range(n) if j != i and rng.random() < 0.6)
            affine.append(Affine(i, terms, matches, rng.random() < 0.6))
    return replace(problem, affine=tuple(affine), apart=tuple(
        Apart(i, j, keys[1]) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.15))


@pytest.mark.parametrize("seed", range(40))
def test_z3_agrees_with_brute_force_on_pod_affinity(seed):
    """Over every placement and every binding order (at most 4 pods)."""
    rng = random.Random(2000 + seed)
    problem = random_problem(rng)
    problem = random_affinity(rng, replace(problem, pods=problem.pods[:4]))
    for removed in scenarios([0], 1, len(problem.nodes)):
        fit = pack(problem, removed)
        pods = placed(problem, removed)
        expected = False
        for choice in itertools.product(range(len(problem.nodes)), repeat=len(pods)):
            placement = [None] * len(problem.pods)
            for i, q in zip(pods, choice, strict=True):
                placement[i] = q
            if fits_in_python(problem, removed, placement) and affinity_holds(
                    problem, removed, placement):
                expected = True
                break
        assert fit.fits is expected, (problem, removed)
        if fit.fits:
            assert fits_in_python(problem, removed, fit.placement)
            assert affinity_holds(problem, removed, fit.placement)


AFFINE = "podAffinity { selector: { app: SELECT }  topologyKey: KEY }"


@pytest.mark.parametrize(("select", "key", "replicas", "cap", "taint"), [
    ("web", "zone", 3, 4, ""), ("web", "zone", 3, 1, ""), ("web", "zone", 4, 1, ""),
    ("web", "hostname", 2, 1, ""), ("web", "hostname", 3, 4, ""), ("web", "zone", 3, 1, TAINTED),
    ("other", "zone", 2, 4, ""), ("web", "rack", 2, 4, ""), ("web", "zone", 4, 2, ""),
    ("web", "zone", 5, 2, ""), ("web", "zone", 3, 4, TAINTED),
])  # fmt: skip
def test_pod_affinity_agrees_with_the_models_scheduler(tmp_path, select, key, replicas, cap,
                                                       taint):  # fmt: skip
    """With every node, Z3 finds a placement with a binding order iff some run of the
    model's scheduler (kube's InterPodAffinity filter) binds every pod: a self-affine
    group goes to one domain (the first pod anywhere, NOTE(first-pod-affinity)); pods
    whose selector matches no pod never bind; a key no node has never fits."""
    rule = AFFINE.replace("SELECT", select).replace("KEY", key)
    text = (PLACED.replace("RULE", rule).replace("REPLICAS", str(replicas))
            .replace("CAP", str(cap)).replace("TAINT", taint))  # fmt: skip
    path = tmp_path / "fit.pod"
    path.write_text(text)
    fit = fit_file(str(path)).fits[0]
    (result,) = check_file(str(path), CheckOptions()).result.results
    assert fit.fits is (result.verdict is Verdict.VIOLATED), text
