"""Where nothing can observe a Terminating pod, the model removes it at its delete.

Stage: internal to `podcheck.model`.  `termination.terminates` asks `observers` whether a
spec can tell a Terminating pod from one removed at once; `compile.py` adds
`termination_note` to the run's diagnostics, which says which way the run went.

NOTE(termination-unobserved): a graceful delete leaves the pod Terminating for up to its
grace period (NOTE(graceful-deletion) in termination.py), and the pod's disappearance
then interleaves with everything else, its replacement's whole start-up included: on the
README's shop example 2.86 M states instead of 4 409.  Removing the pod at the delete
gives the same verdict unless the spec has one of the readers listed below.  The
argument: from the delete on, nothing the model reads of a Terminating pod differs from
a pod that is gone, except

- its listing: a property of the spec's own may read `exists`, `terminating`,
  `disrupted`, `age`, its phase, its Ready condition, `pods(...)` counts, time;
- `no-unready-traffic` and the endpoint (the endpoint of a Terminating pod lags its
  Ready condition, the race a preStop sleep is for), and `rollout-progresses` (a
  deadline in seconds);
- the time a disruption waits for the pod to be gone, read where it is bounded: a drain
  with `drainTimeout`, the autoscaler's 120 s scale-down timer;
- its node: the scheduler counts its requests where a node's capacity limits a resource
  a pod requests (or the pod count), and inter-pod (anti-)affinity and topology spread
  read the pods on a node;
- its name or node: a StatefulSet re-creates the ordinal and a DaemonSet its node's pod
  only once the old object is gone (these two keep Terminating pods in every spec);
- a preStop hook: the pod cannot be gone before the hook's end E > 0, and time must pass
  first (`termination.terminates` keeps these pods);
- the drain's wait (`drain_pending`, `uncordon`, `drain-completes`): a cordoned node
  holds the pod until it is gone.

The controllers see the same as at once (`IsPodActive` drops a Terminating pod:
ReplicaSet, Deployment and Job create the replacement at once; a Job counts the pod as
failed at the delete either way; the disruption controller does not count it healthy,
and an integer minAvailable is its desired count whatever the pods listed).  For the
drain's wait the difference is a finite delay: the pod is gone at the latest when its
grace period ends, its removal is weakly fair and time passes in every fair loop, and a
cordoned node takes no new pod it would wait for (a DaemonSet pod is never waited for).
So every run with a Terminating pod maps, removal step dropped and the rest unchanged,
to a run of the reduced model that visits the same built-in observations in the same
order up to finite repetition (a weakly fair `uncordon` may wait there as long: nothing
forces it earlier, the prompt-controller rule NOTE(prompt-controllers) being on only
with the timed readers above), and every reduced run is the image of the run in which
the pod is removed right after its delete (E = 0: no preStop hook, so no time passes
first): the built-ins are `always` over
observations the two runs share, or liveness properties of the runs' suffixes, so no
verdict changes; what changes is that counterexamples do not show the Terminating step.
tests/model/test_unobserved.py compares the verdicts with and without the reduction.
"""

from __future__ import annotations

from podcheck import spec
from podcheck.diagnostics import Diagnostic, Severity, Span, codes

# built-in checks that read what a Terminating pod changes (NOTE(termination-unobserved))
READERS = frozenset({"no-unready-traffic", "rollout-progresses"})
# workloads whose next pod waits for the old object to be gone (name or node)
WAITERS = (spec.WorkloadKind.STATEFULSET, spec.WorkloadKind.DAEMONSET)


def observers(sp: spec.CheckedSpec) -> tuple[str, ...]:
    """What in `sp` can tell a Terminating pod from one removed at its delete
    (NOTE(termination-unobserved)), in words; empty when nothing can."""
    env, found = sp.environment, []
    if any(p.builtin is None for p in sp.properties):
        found.append("a property of the spec's own")
    found += [f"`{p.builtin}`" for p in sp.properties if p.builtin in READERS]
    if env.drainTimeout is not None:
        found.append("the drain's timeout")
    if env.scaleDown:
        found.append("the autoscaler's scale-down timer")
    if _binding_capacity(sp):
        found.append("a node capacity the pods request")
    if any(t.podAffinity or t.podAntiAffinity or t.topologySpread
           for t in (w.template for w in sp.workloads)):
        found.append("inter-pod affinity or topology spread")
    return tuple(found)


def _binding_capacity(sp: spec.CheckedSpec) -> bool:
    """A node limits the pod count or a resource some pod requests."""
    limited = {resource for n in sp.nodes for resource, _ in n.capacity}
    if "pods" in limited:
        return True
    every = [x for w in sp.workloads
             for x in (*w.template.initContainers, *w.template.containers)]
    return any(resource in limited for x in every for resource, _ in x.requests)


def observed(w: spec.Workload, sp: spec.CheckedSpec, reduce: bool) -> bool:
    """Whether the model keeps `w`'s deleted pods Terminating: always without the
    reduction (`reduce` False), for a StatefulSet or DaemonSet, or where `observers`
    finds a reader."""
    return not reduce or w.kind in WAITERS or bool(observers(sp))


def termination_note(reduced: list[spec.Workload]) -> Diagnostic | None:
    """The note that says the pods of `reduced` (workloads with a grace period whose pods
    a delete hits) are removed at their delete, or None when there are none."""
    if not reduced:
        return None
    names = ", ".join(f"`{w.name}`" for w in reduced)
    return Diagnostic(
        codes.TERMINATION_UNOBSERVED, Severity.NOTE,
        f"pods of {names} are removed at their delete, without their Terminating grace "
        "period: no property, timeout, node capacity or placement rule here can tell the "
        "difference (NOTE(termination-unobserved))",
        _head(reduced[0]))


def _head(w: spec.Workload) -> Span:
    """The first line of the workload's declaration, up to the length of its kind."""
    s = w.span
    return Span(s.file, s.line, s.column, s.line, s.column + len(str(w.kind)))
