"""Independent groups of workloads, and whether the back-off reset can be observed.

Stage: after `build.py`, read by the driver (`podcheck.grouped`).  Consumes the checked
spec of a manifest input (or of a `.pod` spec of built-in checks, `splittable`);
produces one spec per group of workloads that nothing
the model reads links together, each with the built-in checks that apply to it and a
PC414 note naming its objects, and `backoff_reset_matters`, the condition under which the
kubelet's 10-minute back-off reset can change anything a check reads.

NOTE(independent-workloads): two workloads are linked, and checked in one exploration,
when a PodDisruptionBudget selects pods of both, when a pod (anti-)affinity term or a
topology spread constraint of one selects the other's pods, or when both request a
resource that some node bounds.  Workloads not linked share only the nodes, the drains
and the node failure.  A pod of another group can stay Pending, stay put on a node that
is never drained, or leave a drained node when its own budget allows, so every run of a
group is a run of the whole cluster (with the other pods out of the way), and a run of
the whole cluster whose projection on a group is not a fair run of that group is one
where another group blocks a drain forever, which that group's own drain-completes
reports.  So the checks of the whole hold exactly when every group's checks hold, and
each group explores its own states, not the product of all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from podcheck.diagnostics import Diagnostic, Note, Severity
from podcheck.diagnostics import codes as c
from podcheck.kube.labels import InvalidSelector, selector_core
from podcheck.spec import (
    CheckedSpec,
    Container,
    DisruptionStart,
    Environment,
    Outcome,
    PodDisruptionBudget,
    PodTemplate,
    PropertyDecl,
    Workload,
    WorkloadKind,
)
from podcheck.vocab import RestartPolicy


def _selects(pdb: PodDisruptionBudget, template: PodTemplate) -> bool:
    expressions = [(r.key, str(r.operator), tuple(r.values)) for r in pdb.matchExpressions]
    found = selector_core(dict(pdb.matchLabels), expressions, "spec.selector")
    return not isinstance(found, InvalidSelector) and found.matches(dict(template.labels))


def _term_selects(match: tuple[tuple[str, str], ...], template: PodTemplate) -> bool:
    labels = dict(template.labels)
    return all(labels.get(k) == v for k, v in match)


class _Links:
    """Union-find over workload indices."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, indices: Sequence[int]) -> None:
        for i in indices[1:]:
            self.parent[self.find(i)] = self.find(indices[0])


def _bounded(spec: CheckedSpec) -> set[str]:
    return {resource for n in spec.nodes for resource, _ in n.capacity}


def _requests(w: Workload) -> set[str]:
    every = (*w.template.initContainers, *w.template.containers)
    return {resource for x in every for resource, _ in x.requests}


def _link(spec: CheckedSpec) -> _Links:
    ws = spec.workloads
    links = _Links(len(ws))
    for pdb in spec.pdbs:
        links.join([i for i, w in enumerate(ws) if _selects(pdb, w.template)])
    for i, w in enumerate(ws):
        t = w.template
        terms = [*t.podAffinity, *t.podAntiAffinity]
        matches = [x.matchLabels for x in terms] + [x.matchLabels for x in t.topologySpread]
        for match in matches:
            links.join([i, *(j for j, v in enumerate(ws) if _term_selects(match, v.template))])
    bounded = _bounded(spec)
    links.join([i for i, w in enumerate(ws) if _requests(w) & bounded])
    return links


def independent_groups(spec: CheckedSpec,
                       checks: tuple[str, ...] | None = None) -> tuple[CheckedSpec, ...]:
    """The spec split into groups of linked workloads (NOTE(independent-workloads)), in
    the order of their first workload; `(spec,)` when there is only one group.  Each
    group keeps every node and the environment, the PDBs that select its pods (a PDB
    selecting none stays with the first group), and the built-in checks of `checks`
    (default: the spec's properties, with their arguments and expectations) that apply
    to it (one that applies to none goes with the first group); a group to which none
    applies is left out.  A check whose arguments name objects of several groups keeps
    the spec whole."""
    ws = spec.workloads
    links = _link(spec)
    roots = list(dict.fromkeys(links.find(i) for i in range(len(ws))))
    if len(roots) <= 1 or spec.params:  # an HPA range: its point specs stay whole
        return (spec,)
    decls = spec.properties if checks is None else tuple(
        PropertyDecl(n, None, builtin=n) for n in checks)
    groups: list[CheckedSpec] = []
    placed: set[str] = set()
    homeless = [d for d in decls if not any(
        _belongs(d, _members(ws, links, r), spec.pdbs, spec.environment) for r in roots)]
    for root in roots:
        members = _members(ws, links, root)
        pdbs = tuple(p for p in spec.pdbs
                     if any(_selects(p, w.template) for w in members)
                     or (root == roots[0] and not any(_selects(p, w.template) for w in ws)))
        kept = tuple(d for d in decls if _belongs(d, members, pdbs, spec.environment)
                     or (root == roots[0] and d in homeless and not d.args))
        placed.update(d.name for d in kept if d.args)
        names = {d.name for d in kept}
        span = pdbs[0].span if pdbs else members[0].span  # where the drains point
        if kept:
            groups.append(replace(
                spec, workloads=members, pdbs=pdbs, properties=kept,
                expects=tuple(e for e in spec.expects if e.property in names),
                environment=replace(spec.environment, span=span)))
    if any(d.args and d.name not in placed for d in decls):
        return (spec,)  # its arguments span several groups
    return tuple(groups) if len(groups) > 1 else (spec,)


def _members(ws: Sequence[Workload], links: _Links, root: int) -> tuple[Workload, ...]:
    return tuple(w for i, w in enumerate(ws) if links.find(i) == root)


def _belongs(d: PropertyDecl, members: Sequence[Workload],
             pdbs: Sequence[PodDisruptionBudget], environment: Environment) -> bool:
    """Whether built-in check `d` goes with this group: when it names objects, all of
    them are the group's; else when it applies to the group."""
    assert d.builtin is not None
    if d.args:
        return set(d.args) <= {w.name for w in members} | {p.name for p in pdbs}
    return applies(d.builtin, members, pdbs, environment)


def splittable(spec: CheckedSpec) -> bool:
    """Whether a `.pod` spec may be checked group by group: every property is a
    built-in check, no parameters, no `expect` (each run renders its own verdicts),
    and its environment has only what the argument of NOTE(independent-workloads)
    covers (drains, node and zone failures, recoveries)."""
    env = spec.environment
    return (all(p.builtin is not None for p in spec.properties) and not spec.params
            and not spec.expects
            and not (env.podDeletes or env.rollouts or env.fairness)
            and env.disruptionsStart is DisruptionStart.FROM_START)


def applies(check: str, workloads: Sequence[Workload], pdbs: Sequence[PodDisruptionBudget],
            environment: Environment) -> bool:
    """Whether built-in `check` says anything about these workloads, budgets and
    environment (every check not named here always applies)."""
    kinds = {w.kind for w in workloads}
    relevant = {
        "budget-respected": bool(pdbs),
        "always-available": bool(pdbs),
        "drain-completes": bool(environment.drain),
        "job-completes": WorkloadKind.JOB in kinds,
        "eventually-ready": bool(kinds - {WorkloadKind.JOB}),
        "init-order": any(w.template.initContainers for w in workloads),
    }
    return relevant.get(check, True)


def group_note(index: int, groups: Sequence[CheckedSpec]) -> Diagnostic:
    """The PC414 note that starts the run of group `index`: its objects and checks."""
    group = groups[index]
    objects = [f"{w.kind.value} `{w.name}`" for w in group.workloads]
    objects += [f"PodDisruptionBudget `{p.name}`" for p in group.pdbs]
    checks = ", ".join(p.name for p in group.properties) or "none"
    return Diagnostic(
        c.ZERO_CONFIG_DEFAULTS, Severity.NOTE,
        f"group {index + 1} of {len(groups)}: {', '.join(objects)}",
        notes=(Note("checked in its own exploration: no budget, pod (anti-)affinity, "
                    "spread constraint or bounded node resource links it to the other "
                    "groups, which share only the nodes, drains and failures"),
               Note(f"checks: {checks}")))


def backoff_reset_matters(spec: CheckedSpec) -> bool:
    """False when no container can be restarted twice in one pod instance: the back-off
    the kubelet would forget after 10 minutes of running is then never read again."""
    for w in spec.workloads:
        t = w.template
        for x in t.initContainers:
            if _restarts_twice(x, t.restartPolicy, init=True):
                return True
        if any(_restarts_twice(x, t.restartPolicy, init=False) for x in t.containers):
            return True
    return False


def _restarts_twice(x: Container, policy: RestartPolicy, *, init: bool) -> bool:
    """May the kubelet restart `x` more than once in one pod instance?"""
    if x.livenessProbe is not None or x.startupProbe is not None:
        return True  # a probe may kill it again after every restart
    beh = x.behavior
    if beh.crashes > 1:
        return True
    if beh.outcome is Outcome.RUNS:
        return False
    if x.is_sidecar:
        return True  # every exited sidecar is restarted
    if policy is RestartPolicy.NEVER:
        return False
    if beh.outcome is Outcome.FAILS:
        return True  # fails after every restart
    return not init and policy is RestartPolicy.ALWAYS  # exit 0 restarted under Always



CRASH_LOOP = "no-crash-loop"  # the one built-in that reads the back-off (NOTE(crash-loop))


@dataclass(frozen=True, slots=True)
class Exploration:
    """One exploration of a group: its spec, whether the model keeps the kubelet's
    10-minute back-off reset (`settled_reset`: untimed for containers that cannot exit
    again, NOTE(settled-reset)), and the note that says what it left out (if anything)."""

    spec: CheckedSpec
    backoff_reset: bool
    note: Diagnostic | None = None
    settled_reset: bool = False


def explorations(group: CheckedSpec) -> tuple[Exploration, ...]:
    """How to explore `group` exactly and cheaply.  The reset timer runs 601 s beside
    every probe ticker, which multiplies the states; it is needed only when a container
    can be restarted twice in one pod (`backoff_reset_matters`) or by `no-crash-loop`,
    which reads the back-off.  So, when no container restarts twice but some may
    restart once, `no-crash-loop` gets its own exploration with the reset and the other
    checks one without; when no container restarts at all the reset never arms."""
    names = [p.name for p in group.properties]
    settled = not reads_backoff(group)
    if (backoff_reset_matters(group) or not restarts_at_all(group) or names == [CRASH_LOOP]
            or group.params):  # an HPA range: its point specs stay whole
        return (Exploration(group, True, settled_reset=settled),)
    if CRASH_LOOP not in names:
        return (Exploration(group, False, reset_note(())),)
    rest = tuple(p for p in group.properties if p.name != CRASH_LOOP)
    loop = tuple(p for p in group.properties if p.name == CRASH_LOOP)
    return (Exploration(replace(group, properties=rest), False,
                        reset_note(tuple(p.name for p in rest))),
            Exploration(replace(group, properties=loop), True, crash_loop_note(),
                        settled_reset=settled))


def reads_backoff(spec: CheckedSpec) -> bool:
    """True when a property other than the built-in `no-crash-loop` may read a
    container's back-off (every property written in the spec counts as one)."""
    return any(p.builtin is None for p in spec.properties)


def restarts_at_all(spec: CheckedSpec) -> bool:
    """True when some container may be restarted in its pod (a crash, an exit its
    policy restarts, a probe kill, or a sidecar)."""
    for w in spec.workloads:
        t = w.template
        every = [(x, True) for x in t.initContainers] + [(x, False) for x in t.containers]
        for x, init in every:
            if x.behavior.crashes or x.is_sidecar or _restarts_twice(x, t.restartPolicy,
                                                                     init=init):
                return True
    return False



def reset_note(checks: tuple[str, ...]) -> Diagnostic:
    """The PC414 note of an exploration without the kubelet's back-off reset."""
    which = f" for {', '.join(checks)}" if checks else ""
    return Diagnostic(
        c.ZERO_CONFIG_DEFAULTS, Severity.NOTE,
        f"explored{which} without the kubelet's 10-minute back-off reset: no container "
        "here can be restarted twice in one pod, so no check reads the back-off it forgets")


def crash_loop_note() -> Diagnostic:
    """The PC414 note of the exploration that checks `no-crash-loop` on its own."""
    return Diagnostic(
        c.ZERO_CONFIG_DEFAULTS, Severity.NOTE,
        f"`{CRASH_LOOP}` explored on its own, with the kubelet's 10-minute back-off reset "
        "that it reads (the other checks do not)")
