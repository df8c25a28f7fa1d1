"""`podcheck fit` against the scheduler binding pods one by one, in plain Python: on small
random problems with anti-affinity, pod affinity, closed spread groups and per-pod spread
constraints counting other workloads' pods (NOTE(binpack-spread-order)), some binding
order places every pod iff Z3 finds a placement, with the twins ordered or not
(NOTE(binpack-twins)); Z3's placement is one such an order reaches."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

import pytest

from podcheck.engine.binpack import (
    Affine,
    Apart,
    PackNode,
    PackPod,
    Problem,
    Skew,
    Spread,
    pack,
    placed,
    scenarios,
    twins,
)

Bound = dict[int, int]  # pod -> node


def skew_ok(pod: int, q: int, max_skew: int, domains, counted: Sequence[int], own: bool,
            floor_zero: bool, bound: Bound) -> bool:  # fmt: skip
    """kube's `spread_filter_core` for `pod` on node q given the pods bound so far."""
    where = {n: d for d, nodes in domains for n in nodes}
    if q not in where:
        return False  # missing required label
    counts = {d: 0 for d, _ in domains}
    for j in counted:
        if j != pod and j in bound and bound[j] in where:
            counts[where[bound[j]]] += 1
    low = 0 if floor_zero else min(counts.values())
    return counts[where[q]] + (1 if own else 0) - low <= max_skew


def affine_ok(a: Affine, q: int, bound: Bound) -> bool:
    """`satisfyPodAffinity` with NOTE(first-pod-affinity)."""
    mine = [d[q] for d in a.terms]
    if not all(mine):
        return False
    earlier = [j for j in a.matches if j in bound]
    if all(any(d[bound[j]] == v for j in earlier) for d, v in zip(a.terms, mine, strict=True)):
        return True
    return a.own and not any(d[bound[j]] for j in earlier for d in a.terms)


def binds(problem: Problem, removed: frozenset[int], pod: int, q: int, bound: Bound) -> bool:
    """Every filter for `pod` on node q, the pods of `bound` already bound."""
    p = problem.pods[pod]
    if q in removed or q not in p.allowed:
        return False
    for r, cap in problem.nodes[q].capacity:
        used = sum(need for j, n in bound.items() if n == q
                   for r2, need in problem.pods[j].requests if r2 == r)  # fmt: skip
        if used + dict(p.requests).get(r, 0) > cap:
            return False
    for a in problem.apart:
        other = a.j if a.i == pod else a.i if a.j == pod else None
        if other in bound and a.domains[q] and a.domains[q] == a.domains[bound[other]]:
            return False
    if any(a.i == pod and not affine_ok(a, q, bound) for a in problem.affine):
        return False
    for g in problem.spread:
        if pod in g.pods and not skew_ok(pod, q, g.max_skew, g.domains, g.pods, True,
                                         g.floor_zero, bound):  # fmt: skip
            return False
    return all(skew_ok(pod, q, s.max_skew, s.domains, s.counted, s.own, s.floor_zero, bound)
               for s in problem.skews if s.i == pod)  # fmt: skip


def schedulable(problem: Problem, removed: frozenset[int],
                only: Sequence[int | None] | None = None) -> bool:  # fmt: skip
    """Some binding order binds every placed pod (onto `only[i]` when given)."""
    pods = placed(problem, removed)
    seen: set[frozenset[tuple[int, int]]] = set()

    def search(bound: Bound) -> bool:
        if len(bound) == len(pods):
            return True
        key = frozenset(bound.items())
        if key in seen:
            return False
        seen.add(key)
        for i in pods:
            if i in bound:
                continue
            for q in range(len(problem.nodes)) if only is None else [only[i]]:
                if q is not None and binds(problem, removed, i, q, bound) and search(
                        {**bound, i: q}):
                    return True
        return False

    return search({})


def random_problem(rng: random.Random) -> Problem:
    """A few workloads of 1-3 identical replicas on 1-3 nodes, with rules between
    workloads (so replicas are twins) and now and then one between two pods."""
    m = rng.randint(1, 3)
    nodes = tuple(PackNode(f"n{q}", (("cpu", rng.randint(1, 5)),)) for q in range(m))
    keys = [tuple(rng.choice(["a", "b", ""]) for _ in range(m)), tuple(f"h{q}" for q in range(m))]
    sizes = [rng.randint(1, 3) for _ in range(rng.randint(1, 3))]
    while sum(sizes) > 5:
        sizes.pop()
    of: list[list[int]] = []
    pods: list[PackPod] = []
    for w, size in enumerate(sizes):
        allowed = tuple(q for q in range(m) if rng.random() < 0.85)
        cpu = rng.randint(0, 3)
        if rng.random() < 0.15:  # a DaemonSet: one pod pinned to each of its nodes
            of.append(list(range(len(pods), len(pods) + len(allowed))))
            pods += [PackPod(f"w{w}-{q}", (("cpu", cpu),), (q,), True) for q in allowed]
            continue
        of.append(list(range(len(pods), len(pods) + size)))
        pods += [PackPod(f"w{w}-{r}", (("cpu", cpu),), allowed) for r in range(size)]
    problem = Problem(tuple(pods), nodes)
    for w in range(len(sizes)):
        problem = _workload_rules(rng, problem, of, w, keys)
    n = len(pods)
    if rng.random() < 0.3 and n >= 2:  # a rule between two pods: fewer twins
        i, j = sorted(rng.sample(range(n), 2))
        problem = replace(problem, apart=(*problem.apart, Apart(i, j, keys[1])))
    return problem


def _domains(rng: random.Random, key: tuple[str, ...]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    by: dict[str, list[int]] = {}
    for q, value in enumerate(key):
        if value and rng.random() < 0.9:  # a node the pod's node affinity leaves out
            by.setdefault(value, []).append(q)
    return tuple((d, tuple(qs)) for d, qs in sorted(by.items()))


def _workload_rules(rng: random.Random, problem: Problem, of: list[list[int]], w: int,
                    keys: list[tuple[str, ...]]) -> Problem:  # fmt: skip
    """Rules every replica of workload w carries, against a random set of workloads."""
    mine = of[w]
    targets = [v for v in range(len(of)) if rng.random() < 0.6] or [w]
    others = [j for v in targets for j in of[v]]
    roll = rng.random()
    if roll < 0.25:
        apart = {Apart(min(i, j), max(i, j), keys[rng.randint(0, 1)])
                 for i in mine for j in others if i != j}  # fmt: skip
        return replace(problem, apart=(*problem.apart, *sorted(apart, key=repr)))
    if roll < 0.45:
        terms = tuple(rng.sample(keys, rng.randint(1, 2)))
        own = w in targets
        return replace(problem, affine=(*problem.affine, *(
            Affine(i, terms, tuple(j for j in others if j != i), own) for i in mine)))
    if roll < 0.6:
        group = tuple(sorted(set(mine)))
        return replace(problem, spread=(*problem.spread, Spread(
            group, rng.randint(1, 2), _domains(rng, keys[rng.randint(0, 1)]),
            rng.random() < 0.2)))
    domains, skew, few = _domains(rng, keys[rng.randint(0, 1)]), rng.randint(1, 2), rng.random()
    return replace(problem, skews=(*problem.skews, *(
        Skew(i, skew, domains, tuple(j for j in others if j != i), w in targets, few < 0.2)
        for i in mine)))


@pytest.mark.parametrize("seed", range(50))
def test_z3_agrees_with_binding_pod_by_pod(seed):
    rng = random.Random(5000 + seed)
    problem = random_problem(rng)
    for removed in scenarios([0], 1, len(problem.nodes)):
        expected = schedulable(problem, removed)
        for order_twins in (True, False):
            fit = pack(problem, removed, order_twins=order_twins)
            assert fit.fits is expected, (problem, removed, order_twins)
            if fit.fits:
                assert schedulable(problem, removed, fit.placement), (problem, removed)


def test_two_constraints_and_other_workloads_counted():
    """Two replicas of `a` spread per host (maxSkew 1) and per zone counting `b`'s pod;
    `b`'s pod sits in zone x, so `a` must go to zone y first: with zone y's one node
    away no order works."""
    nodes = tuple(PackNode(f"n{q}", (("cpu", 4),)) for q in range(3))
    zone = (("x", (0, 1)), ("y", (2,)))
    host = tuple((f"h{q}", (q,)) for q in range(3))
    pods = (PackPod("a-0", (("cpu", 1),), (0, 1, 2)), PackPod("a-1", (("cpu", 1),), (0, 1, 2)),
            PackPod("b-0", (("cpu", 1),), (0,)))
    skews = tuple(s for i, j in ((0, 1), (1, 0)) for s in (
        Skew(i, 1, host, (j,)), Skew(i, 1, zone, (j, 2))))
    problem = Problem(pods, nodes, skews=skews)
    assert twins(problem) == ((0, 1),)
    assert pack(problem, frozenset()).fits is True
    assert pack(problem, frozenset({2})).fits is False
    assert schedulable(problem, frozenset({2})) is False


def test_twins_need_every_rule_symmetric():
    nodes = (PackNode("n0", ()), PackNode("n1", ()))
    pods = tuple(PackPod(f"p{i}", (("cpu", 1),), (0, 1)) for i in range(3))
    assert twins(Problem(pods, nodes)) == ((0, 1, 2),)
    apart = (Apart(0, 2, ("a", "b")),)
    assert twins(Problem(pods, nodes, apart)) == ((0, 2),)  # both kept apart; p1 is free
    affine = (Affine(0, (("a", "a"),), (1,), False), Affine(1, (("a", "a"),), (0,), False))
    assert twins(Problem(pods, nodes, affine=affine)) == ((0, 1),)


def test_a_pod_its_selector_does_not_match_adds_nothing():
    """selfMatch 0: pod `p` needs `b` bound before it in zone x (pod affinity; x is the
    only zone either may go to) and counts `b` but not itself, so 1 + 0 - 0 <= maxSkew 1
    binds it; were it counted, 2 would not."""
    nodes = (PackNode("n0", ()), PackNode("n1", ()))
    pods = (PackPod("p", (), (0,)), PackPod("b", (), (0,)))
    zone = (("x", (0,)), ("y", (1,)))
    affine = (Affine(0, (("x", "y"),), (1,), False),)
    for own, fits in ((False, True), (True, False)):
        problem = Problem(pods, nodes, affine=affine, skews=(Skew(0, 1, zone, (1,), own),))
        assert pack(problem, frozenset()).fits is fits
        assert schedulable(problem, frozenset()) is fits
