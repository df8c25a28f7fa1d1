"""The EndpointSlice controller: a pod's endpoint follows its Ready condition, late.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` whose slots track an endpoint (only when a property reads it); declares one
`sync_endpoint` per such slot (pkg/controller/endpointslice: an endpoint is `ready`
exactly when its pod is Ready; the update lags the pod's status by one action).
"""

from __future__ import annotations

from podcheck import ir
from podcheck.model.cluster import Cluster
from podcheck.vocab import ActionKind, Actor


def declare_endpoints(cluster: Cluster) -> None:
    """Declare `sync_endpoint` for every slot with a tracked endpoint."""
    b = cluster.builder
    for s in cluster.slots:
        if s.endpoint is None:
            continue
        ready = cluster.healthy(s)  # podToEndpoint: a terminating endpoint is not ready
        b.action(ActionKind.SYNC_ENDPOINT, (("pod", s.name),),
                 ir.and_(s.exists, ir.op("!=", s.endpoint, ready)), [(s.endpoint, ready)],
                 f"the EndpointSlice controller updates the endpoint of pod {s.name} "
                 "to its Ready condition", Actor.ENDPOINTSLICE_CONTROLLER)
