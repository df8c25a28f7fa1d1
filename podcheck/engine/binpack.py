"""Schedulability as constraints: do the pods fit the nodes that are left after a drain
or node failures?  Bin packing asked of Z3, with the placement as the witness.

Stage: `podcheck.engine`.  Consumes a `Problem` (pods with their effective requests as
integers and the nodes each may go to; nodes with capacities) and the scenarios (sets of
nodes taken away); produces per scenario a `Fit`: a placement of every pod, or none.
Talks to Z3 through `podcheck.engine.smt` only: the placement is a "state" of one
variable per pod (the node's number) and the constraints are an IR condition on it.

NOTE(binpack-rules): a pod may go to node q when q is left in the scenario and the
scheduler's static filters pass (the driver computes them with kube: nodeSelector and
required node affinity, TaintToleration for NoSchedule / NoExecute taints); on every
left node and for every resource the node lists, the requests of the pods placed there
sum to at most its capacity (NodeResourcesFit, with the effective requests of
`PodRequests`: init containers' maximum, sidecars added; a resource a node does not
list is unlimited, as in the model).  A pinned pod (a DaemonSet's) goes to its own node
or disappears with it.

NOTE(binpack-placement): the placement rules are final-state conditions that some
binding order meets exactly when the placement satisfies them.  Required inter-pod
anti-affinity (`satisfyPodAntiAffinity` and `satisfyExistingPodsAntiAffinity`, each
binding checked both ways, so the order does not matter): for every `Apart(i, j, key)`
(a term of pod i or of pod j matches the other), pods i and j are not both on nodes
with `key` that share its value (on a node without the key the term does not apply).
Hard topology spread (PodTopologySpread with nodeTaintsPolicy Ignore: every eligible
node counts, a removed one with 0 pods): for a `Spread` group whose pods all carry the
same constraint and match its selector, each is on a node with the key (else the
filter's "missing required label") and every domain holding one of them exceeds every
eligible domain by at most maxSkew (or holds at most maxSkew when fewer domains than
minDomains exist).  The last pod bound into the fullest domain makes this necessary;
binding level by level (always into a domain with the fewest) makes it sufficient.

NOTE(binpack-affinity): required pod affinity depends on the binding order (a pod needs
a matching pod bound before it in its domain, and the first pod of a self-affine group
needs none bound yet), so the placement carries an order: one more integer per pod, all
different, and `satisfyPodAffinity` (kube `interpod_filter_core`, with
NOTE(first-pod-affinity)) holds for each pod with affinity against the pods ranked
before it.  Affinity is IgnoredDuringExecution: a pod bound is never re-checked, so a
placement with such an order is one the scheduler can bind pod by pod (anti-affinity
holds in any order).

NOTE(binpack-spread-order): the final-state spread rule of NOTE(binpack-placement) holds
only for a closed group (every pod its selector matches carries the same one constraint)
and picks its own level-by-level order, which pod affinity may forbid.  Every other hard
spread constraint is a `Skew`, checked at the pod's binding like kube's Filter
(`spread_filter_core`): over the eligible domains, `count + selfMatch - globalMin <=
maxSkew`, where a domain's count is the number of pods the selector matches (of any
workload, `counted`) ranked before the pod on its nodes; the pod's node carries the key.
With the order of NOTE(binpack-affinity) this is exactly the scheduler binding the pods
one by one, so two constraints on a pod, a selector counting other workloads' pods and
affinity together are all answered.  The final-state rule is kept for closed groups
without affinity: no order variable, fewer terms.

NOTE(binpack-twins): identical pods (swapping two of them maps the problem to itself:
same requests, nodes and rules; `twins`) are interchangeable in any placement, so one
ordered by their rank (with an order) or by their node number (without) exists whenever
any does: sort the twins' (node, rank) pairs among them.  The order cuts the n! copies of
every placement Z3 would otherwise explore (bench/fit_order.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.result import Verdict
from podcheck.ir import Expr, StateVar, TransitionSystem


@dataclass(frozen=True, slots=True)
class PackPod:
    """One pod: its requests per resource and the nodes (0-based) it may go to."""

    name: str
    requests: tuple[tuple[str, int], ...]
    allowed: tuple[int, ...]
    pinned: bool = False  # a DaemonSet pod: `allowed` is its one node


@dataclass(frozen=True, slots=True)
class PackNode:
    """One node: its capacity per resource (a resource not listed is unlimited)."""

    name: str
    capacity: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Apart:
    """Pods `i` and `j` are never in the same domain of `key` (anti-affinity);
    `domains[q]` is node q's value of `key` ("" when it lacks the key)."""

    i: int
    j: int
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Spread:
    """A topology spread group: `pods` carry the same hard constraint and match its
    selector; `domains` maps each eligible domain to its nodes (removed ones included);
    `floor_zero`: fewer domains than minDomains, so the global minimum is 0."""

    pods: tuple[int, ...]
    max_skew: int
    domains: tuple[tuple[str, tuple[int, ...]], ...]
    floor_zero: bool = False


@dataclass(frozen=True, slots=True)
class Affine:
    """Pod `i`'s required pod affinity: `terms[t][q]` is node q's value of term t's
    topology key ("" without it), `matches` the other pods matching every term, `own`
    whether pod i matches every term itself (NOTE(first-pod-affinity) in kube/interpod)."""

    i: int
    terms: tuple[tuple[str, ...], ...]
    matches: tuple[int, ...]
    own: bool


@dataclass(frozen=True, slots=True)
class Skew:
    """Pod `i`'s hard spread constraint checked at its binding (NOTE(binpack-spread-order)):
    `domains` maps each eligible domain to its nodes (removed ones included), `counted`
    are the other pods its selector matches, `own` whether it matches pod i itself;
    `floor_zero`: fewer domains than minDomains, so the global minimum is 0."""

    i: int
    max_skew: int
    domains: tuple[tuple[str, tuple[int, ...]], ...]
    counted: tuple[int, ...]
    own: bool = True
    floor_zero: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """The pods and the nodes, in the spec's order, and the placement rules between pods
    (NOTE(binpack-placement), NOTE(binpack-affinity), NOTE(binpack-spread-order))."""

    pods: tuple[PackPod, ...]
    nodes: tuple[PackNode, ...]
    apart: tuple[Apart, ...] = ()
    spread: tuple[Spread, ...] = ()
    affine: tuple[Affine, ...] = ()
    skews: tuple[Skew, ...] = ()


@dataclass(frozen=True, slots=True)
class Fit:
    """One scenario's answer: `placement[i]` is pod i's node (None: its pinned node is
    gone) when every pod fits; `fits` None when Z3 did not answer (`reason`)."""

    removed: frozenset[int]
    fits: bool | None
    placement: tuple[int | None, ...] | None = None
    reason: str = ""


def placed(problem: Problem, removed: frozenset[int]) -> list[int]:
    """The pods that need a node in the scenario (a pinned pod of a removed node none)."""
    return [i for i, p in enumerate(problem.pods)
            if not (p.pinned and set(p.allowed) <= removed)]  # fmt: skip


def ordered(problem: Problem, pods: Sequence[int]) -> bool:
    """Whether the placement carries a binding order (NOTE(binpack-affinity),
    NOTE(binpack-spread-order)): some placed pod has pod affinity or a `Skew`."""
    return any(a.i in pods for a in problem.affine) or any(s.i in pods for s in problem.skews)


def constraint(problem: Problem, removed: frozenset[int], pods: Sequence[int],
               order_twins: bool = True) -> Expr:  # fmt: skip
    """NOTE(binpack-rules) over variable k = the node number (1-based) of `pods[k]` (and
    len(pods) + k its rank, when `ordered`)."""
    parts: list[Expr] = []
    for k, i in enumerate(pods):
        left = [q for q in problem.pods[i].allowed if q not in removed]
        parts.append(ir.or_(*(ir.eq(ir.Var(k), q + 1) for q in left)))
    for q, node in enumerate(problem.nodes):
        if q in removed:
            continue
        for resource, cap in node.capacity:
            used = [ir.ite(ir.eq(ir.Var(k), q + 1), need, 0) for k, i in enumerate(pods)
                    for r, need in problem.pods[i].requests if r == resource and need]
            if used:
                parts.append(ir.op("<=", ir.sum_(*used), cap))
    at = {i: k for k, i in enumerate(pods)}
    parts += [_apart(a, at) for a in problem.apart if a.i in at and a.j in at]
    parts += [c for g in problem.spread for c in _spread(g, at)]
    rank = [ir.Var(len(pods) + k) for k in range(len(pods))]
    if ordered(problem, pods):  # NOTE(binpack-affinity): a binding order
        parts += [ir.op("!=", rank[k], rank[m]) for k in range(len(pods))
                  for m in range(k + 1, len(pods))]  # fmt: skip
        parts += [_affine(a, at, rank) for a in problem.affine if a.i in at]
        parts += [_skew(s, at, rank) for s in problem.skews if s.i in at]
    if order_twins:  # NOTE(binpack-twins)
        key = rank if ordered(problem, pods) else [ir.Var(k) for k in range(len(pods))]
        strict = "<" if ordered(problem, pods) else "<="
        for group in twins(problem):
            ks = [at[i] for i in group if i in at]
            parts += [ir.op(strict, key[a], key[b]) for a, b in itertools.pairwise(ks)]
    return ir.and_(*parts)


def _skew(s: Skew, at: dict[int, int], rank: Sequence[Expr]) -> Expr:
    """kube's spread Filter when pod `s.i` binds (NOTE(binpack-spread-order)): its node
    has the key, and its domain's count of matching pods bound earlier, plus itself,
    exceeds every eligible domain's (or 0 with `floor_zero`) by at most maxSkew."""
    k = at[s.i]
    earlier = [(ir.Var(at[j]), ir.op("<", rank[at[j]], rank[k])) for j in s.counted if j in at]
    counts = [ir.count(*(ir.and_(before, _on(var, nodes)) for var, before in earlier))
              for _, nodes in s.domains]  # fmt: skip
    parts = [_on(ir.Var(k), [q for _, nodes in s.domains for q in nodes])]
    for x, (_, nodes) in enumerate(s.domains):
        mine = ir.op("+", counts[x], 1 if s.own else 0)
        lows: list[Expr] = [ir.Const(0)] if s.floor_zero else counts
        ok = ir.and_(*(ir.op("<=", ir.op("-", mine, low), s.max_skew) for low in lows))
        parts.append(ir.or_(ir.not_(_on(ir.Var(k), nodes)), ok))
    return ir.and_(*parts)


def _on(var: Expr, nodes: Sequence[int]) -> Expr:
    """The node in `var` (1-based) is one of `nodes` (0-based)."""
    return ir.or_(*(ir.eq(var, q + 1) for q in nodes))


def twins(problem: Problem) -> tuple[tuple[int, ...], ...]:
    """The classes of identical pods of NOTE(binpack-twins), each in index order: pods
    with the same requests, nodes and pinning that a swap with the class's first pod
    maps the problem's rules onto themselves (swaps with one pod generate every
    permutation of the class)."""
    by: dict[tuple[object, ...], list[int]] = {}
    for i, p in enumerate(problem.pods):
        by.setdefault((p.requests, p.allowed, p.pinned), []).append(i)
    rules = _rules(problem, list(range(len(problem.pods))))
    out = []
    for candidates in by.values():
        first, group = candidates[0], [candidates[0]]
        for j in candidates[1:]:
            swap = list(range(len(problem.pods)))
            swap[first], swap[j] = j, first
            if _rules(problem, swap) == rules:
                group.append(j)
        if len(group) > 1:
            out.append(tuple(group))
    return tuple(out)


def _rules(problem: Problem, name: Sequence[int]) -> tuple[frozenset[object], ...]:
    """The placement rules with pod i renamed `name[i]`, as sets (order-free)."""
    apart = frozenset((frozenset((name[a.i], name[a.j])), a.domains) for a in problem.apart)
    spread = frozenset((frozenset(name[i] for i in g.pods), g.max_skew, g.domains,
                        g.floor_zero) for g in problem.spread)  # fmt: skip
    affine = frozenset((name[a.i], a.terms, frozenset(name[j] for j in a.matches), a.own)
                       for a in problem.affine)  # fmt: skip
    skews = frozenset((name[s.i], s.max_skew, s.domains, frozenset(name[j] for j in s.counted),
                       s.own, s.floor_zero) for s in problem.skews)  # fmt: skip
    return apart, spread, affine, skews


def _affine(a: Affine, at: dict[int, int], rank: Sequence[Expr]) -> Expr:
    """`satisfyPodAffinity` when pod `a.i` binds, the pods ranked before it bound: its node
    has every term's key, and for every term a matching pod bound earlier shares its
    value; or no matching pod bound earlier is on a node with a term's key and the pod
    matches its own terms (the first pod of a self-affine group)."""
    k = at[a.i]
    earlier = [(at[j], ir.op("<", rank[at[j]], rank[k])) for j in a.matches if j in at]
    mine = [_domain_of(ir.Var(k), d) for d in a.terms]
    keyed = ir.and_(*(ir.op("!=", m, -1) for m in mine))
    exist = ir.and_(*(ir.or_(*(ir.and_(before, ir.eq(_domain_of(ir.Var(j), d), m))
                               for j, before in earlier))
                      for d, m in zip(a.terms, mine, strict=True)))  # fmt: skip
    if not a.own:
        return ir.and_(keyed, exist)
    counted = ir.or_(*(ir.and_(before, ir.or_(*(ir.op("!=", _domain_of(ir.Var(j), d), -1)
                                                 for d in a.terms)))
                       for j, before in earlier))  # fmt: skip
    return ir.and_(keyed, ir.or_(exist, ir.not_(counted)))


def _domain_of(var: Expr, domains: Sequence[str]) -> Expr:
    """The domain number of the node in `var` (1-based nodes): equal values share a
    number, a node without the key is -1."""
    ids = {d: k for k, d in enumerate(dict.fromkeys(d for d in domains if d))}
    out: Expr = ir.Const(-1)
    for q in reversed(range(len(domains))):
        out = ir.ite(ir.eq(var, q + 1), ids[domains[q]] if domains[q] else -1, out)
    return out


def _apart(a: Apart, at: dict[int, int]) -> Expr:
    """Not both on nodes with the key, in the same domain (a term is skipped on a node
    without its key: `satisfyPodAntiAffinity`)."""
    mine = _domain_of(ir.Var(at[a.i]), a.domains)
    return ir.or_(ir.eq(mine, -1), ir.op("!=", mine, _domain_of(ir.Var(at[a.j]), a.domains)))


def _spread(g: Spread, at: dict[int, int]) -> list[Expr]:
    """NOTE(binpack-placement) for one group: counts per domain of the placed pods."""
    pods = [at[i] for i in g.pods if i in at]
    counts = [ir.count(*(ir.or_(*(ir.eq(ir.Var(k), q + 1) for q in nodes)) for k in pods))
              for _, nodes in g.domains]  # fmt: skip
    keyed = [q for _, nodes in g.domains for q in nodes]  # a node without the key: no fit
    on = [ir.or_(*(ir.eq(ir.Var(k), q + 1) for q in keyed)) for k in pods]
    if g.floor_zero:
        return [*on, *(ir.op("<=", c, g.max_skew) for c in counts)]
    return [*on, *(ir.or_(ir.eq(a, 0), ir.op("<=", ir.op("-", a, b), g.max_skew))
                   for x, a in enumerate(counts) for y, b in enumerate(counts) if x != y)]


def pack(problem: Problem, removed: frozenset[int], deadline: smt.Deadline | None = None,
         order_twins: bool = True) -> Fit:  # fmt: skip
    """Place every pod of the scenario `removed` (NOTE(binpack-rules)), or say none fits;
    `order_twins` False drops NOTE(binpack-twins) (bench/fit_order.py); undecided
    (`smt.TIMEOUT`) at once when `deadline` is already spent."""
    if deadline is not None and deadline.expired():
        return Fit(removed, None, reason=smt.TIMEOUT)
    return _solved(problem, removed, _encoded(problem, removed, deadline, order_twins))


@dataclass(frozen=True, slots=True)
class _Encoded:
    """One scenario's placement question, asserted in `session`."""

    session: smt.Session
    state: smt.StateCopy
    pods: list[int]


def _encoded(problem: Problem, removed: frozenset[int], deadline: smt.Deadline | None,
             order_twins: bool) -> _Encoded:  # fmt: skip
    pods = placed(problem, removed)
    m = len(problem.nodes)
    layout = tuple(StateVar(problem.pods[i].name, 1, max(m, 1)) for i in pods)
    if ordered(problem, pods):  # a binding order: NOTE(binpack-affinity)
        layout += tuple(StateVar(f"{problem.pods[i].name}.rank", 0, len(pods) - 1) for i in pods)
    system = TransitionSystem("placement", layout, (), (), ())
    encoder = smt.Encoder(system)
    state = encoder.state("placed")
    session = smt.Session(encoder, deadline)
    rules = constraint(problem, removed, pods, order_twins)
    session.add(state.domain, encoder.formula(rules, state))
    return _Encoded(session, state, pods)


def _solved(problem: Problem, removed: frozenset[int], asked: _Encoded) -> Fit:
    outcome = asked.session.check()
    if outcome.verdict is Verdict.HOLDS:  # unsat: no placement exists
        return Fit(removed, False)
    if outcome.model is None:
        return Fit(removed, None, reason=outcome.reason)
    chosen = dict(zip(asked.pods, smt.state_of(outcome.model, asked.state)[: len(asked.pods)],
                      strict=True))  # fmt: skip
    return Fit(removed, True, tuple(chosen[i] - 1 if i in chosen else None
                                    for i in range(len(problem.pods))))  # fmt: skip


def scenarios(drains: Sequence[int], failures: int, nodes: int,
              concurrent: bool = False) -> list[frozenset[int]]:  # fmt: skip
    """Every set of nodes taken away, smallest first: nothing; each drain (or any set of
    drains when `concurrent`); any `failures` or fewer nodes; a drain with failures."""
    drained: list[frozenset[int]] = [frozenset()]
    sizes = range(1, len(drains) + 1) if concurrent else range(1, min(1, len(drains)) + 1)
    drained += [frozenset(c) for k in sizes for c in itertools.combinations(drains, k)]
    failed = [frozenset(c) for k in range(0, failures + 1)
              for c in itertools.combinations(range(nodes), k)]  # fmt: skip
    every = {d | f for d in drained for f in failed}
    return sorted(every, key=lambda s: (len(s), sorted(s)))


def check_all(problem: Problem, sets: Sequence[frozenset[int]],
              deadline: smt.Deadline | None = None,
              query_seconds: float | None = None) -> tuple[Fit, ...]:  # fmt: skip
    """`pack` for every scenario, in order, each query within `query_seconds` and all of
    them within `deadline` (the whole run's budget: NOTE(whole-run-budget)); once it is
    spent, or when less is left than the last scenario took to encode, the scenarios
    left are undecided (`smt.TIMEOUT`) without a query."""
    budget = deadline or smt.Deadline()
    estimate = 0.0  # the last scenario's encoding time (NOTE(split-deadline))
    out = []
    for removed in sets:
        part = budget.capped(query_seconds)
        if not part.affords(estimate):  # the encoding would end past the budget
            out.append(Fit(removed, None, reason=smt.TIMEOUT))
            continue
        began = budget.clock()
        asked = _encoded(problem, removed, part, True)
        estimate = budget.clock() - began
        out.append(_solved(problem, removed, asked))
    return tuple(out)
