"""Deployment rolling-update arithmetic: maxSurge and maxUnavailable as the controller
resolves them.

Stage: `kube/` rule library.  Consumes the strategy's int-or-percent values and the
desired replica count; produces the two integer fenceposts.  Mirrors
`ResolveFenceposts` (`pkg/controller/deployment/util/deployment_util.go`, Kubernetes
v1.35) over `GetScaledValueFromIntOrPercent` (apimachinery `util/intstr`): surge rounds
up, unavailable rounds down, an absent value is 0, and when both resolve to 0 the
controller takes maxUnavailable 1 ("surge might not work due to quota").  Absent from a
Deployment, both default to 25% (`SetDefaults_Deployment`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from podcheck.kube._views import optional_mapping, require_mapping
from podcheck.kube.errors import KubeInputError

DEFAULT_MAX_SURGE = "25%"
DEFAULT_MAX_UNAVAILABLE = "25%"
_PERCENT = re.compile(r"^([0-9]+)%$")


def scaled_value(raw: int | str | None, total: int, round_up: bool, field: str) -> int:
    """`GetScaledValueFromIntOrPercent(ValueOrDefault(raw, 0), total, round_up)`."""
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise KubeInputError(f"{field}: must be an integer or percentage (e.g. '5%')")
    if isinstance(raw, int):
        return raw
    match = _PERCENT.match(raw)
    if match is None:
        raise KubeInputError(f"{field}: invalid value for IntOrString: invalid type: string is "
                             f"not a percentage: {raw!r}")
    scaled = int(match.group(1)) * total / 100
    return math.ceil(scaled) if round_up else math.floor(scaled)


def resolve_fenceposts(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> tuple[int, int]:
    """`ResolveFenceposts`: (surge, unavailable) for `desired` replicas."""
    surge = scaled_value(max_surge, desired, True, "maxSurge")
    unavailable = scaled_value(max_unavailable, desired, False, "maxUnavailable")
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def deployment_fenceposts(deployment: Mapping[str, Any]) -> tuple[int, int]:
    """The fenceposts of a Deployment dict: `spec.replicas` (default 1) and
    `spec.strategy.rollingUpdate` (defaults 25% / 25%).  A `Recreate` strategy has none
    and raises."""
    spec = optional_mapping(require_mapping(deployment, "deployment"), "spec", "")
    strategy = optional_mapping(spec, "strategy", "spec")
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise KubeInputError("spec.strategy.type: fenceposts exist only for RollingUpdate")
    rolling = optional_mapping(strategy, "rollingUpdate", "spec.strategy")
    replicas = spec.get("replicas", 1)
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise KubeInputError("spec.replicas: must be a non-negative integer")
    return resolve_fenceposts(rolling.get("maxSurge", DEFAULT_MAX_SURGE),
                              rolling.get("maxUnavailable", DEFAULT_MAX_UNAVAILABLE), replicas)
