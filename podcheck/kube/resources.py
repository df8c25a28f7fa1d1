"""Resource quantities and effective pod requests/limits.

Stage: `kube/` rule library. Consumes quantity strings and pod dicts; produces exact
`Decimal` values in base units (cpu in cores, memory and other resources in bytes or
units).

* `parse_quantity` follows `ParseQuantity` (apimachinery `pkg/api/resource/quantity.go`
  and `suffix.go`): the value is exact, rounded up (away from zero) to a multiple of
  1e-9, and a binary-SI value is capped at 2**63-1 in magnitude.
* `pod_requests` / `pod_limits` follow `PodRequests` / `PodLimits` of
  component-helpers `resource/helpers.go` with default options: app containers are
  summed, restartable (sidecar) init containers join that sum, each regular init
  container needs itself plus the sidecars started before it, the pod needs the
  maximum of those; supported pod-level resources (cpu, memory, hugepages-*) replace
  the aggregate; overhead is added to every request but only to non-zero limits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

from podcheck.kube._views import (
    ContainerPolicy,
    ContainerRestartPolicy,
    is_restartable_init_container,
)
from podcheck.kube.errors import KubeInputError

ResourceList = dict[str, Decimal]

_DECIMAL_SUFFIXES = {
    "": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_MAX_INT32 = 2**31 - 1
_MAX_ALLOWED = Decimal(2**63 - 1)
_NANO_EXP = -9
_INT64_DIGITS = 19
_POD_LEVEL = ("cpu", "memory")
_HUGEPAGES = "hugepages-"


def parse_quantity(value: object, field: str = "quantity") -> Decimal:
    """Parse a Kubernetes quantity ("100m", "1.5Gi", "1e3", 2, 0.5) into its exact value.

    Raises `KubeInputError` naming `field` when the text is not a quantity.
    """
    text = _quantity_text(value, field)
    parsed = _parse(text)
    if parsed is None:
        raise KubeInputError(f"{field}: invalid quantity {text!r}")
    return parsed


def pod_requests(pod: object, *, exclude_overhead: bool = False) -> ResourceList:
    """Effective requests of `pod`, as `PodRequests(pod, PodResourcesOptions{})` computes."""
    spec = _spec(pod)
    reqs, _ = _aggregate(spec)
    resources = _pod_resources(spec)
    pod_level = parse_resource_list(resources.get("requests"), "spec.resources.requests")
    parse_resource_list(resources.get("limits"), "spec.resources.limits")
    if any(_pod_level_supported(name) for name in pod_level):
        reqs.update({n: q for n, q in pod_level.items() if _pod_level_supported(n)})
    overhead = _overhead(spec)
    if not exclude_overhead:
        for name, quantity in overhead.items():
            reqs[name] = reqs.get(name, Decimal(0)) + quantity
    return dict(sorted(reqs.items()))


def pod_limits(pod: object, *, exclude_overhead: bool = False) -> ResourceList:
    """Effective limits of `pod`, as `PodLimits(pod, PodResourcesOptions{})` computes.

    A resource no container limits is absent (unlimited); overhead is only added to a
    limit that is present and non-zero.
    """
    spec = _spec(pod)
    _, limits = _aggregate(spec)
    resources = _pod_resources(spec)
    pod_reqs = parse_resource_list(resources.get("requests"), "spec.resources.requests")
    pod_lims = parse_resource_list(resources.get("limits"), "spec.resources.limits")
    if any(_pod_level_supported(name) for name in (*pod_reqs, *pod_lims)):
        limits.update({n: q for n, q in pod_lims.items() if _pod_level_supported(n)})
    overhead = _overhead(spec)
    if not exclude_overhead:
        for name, quantity in overhead.items():
            if limits.get(name, Decimal(0)) != 0:
                limits[name] += quantity
    return dict(sorted(limits.items()))


def _aggregate(spec: Mapping[str, object]) -> tuple[ResourceList, ResourceList]:
    """(requests, limits) aggregated over the containers; every container is validated."""
    return _aggregate_kind(spec, "requests"), _aggregate_kind(spec, "limits")


def _aggregate_kind(spec: Mapping[str, object], kind: str) -> ResourceList:
    """`aggregateContainerResourcesByFn` for spec `requests` or `limits`."""
    apps = [_container_list(c, f"spec.containers[{i}]", kind)
            for i, c in enumerate(_containers(spec, "containers"))]
    inits = []
    for index, container in enumerate(_containers(spec, "initContainers")):
        path = f"spec.initContainers[{index}]"
        inits.append((_container_list(container, path, kind), _is_sidecar(container, path)))
    return aggregate_containers(apps, inits)


def aggregate_containers(
    apps: Sequence[Mapping[str, Decimal]], inits: Sequence[tuple[Mapping[str, Decimal], bool]]
) -> ResourceList:
    """The core of `aggregateContainerResourcesByFn` on parsed resource lists: the sum
    over app containers and sidecars (`inits` entries flagged True, in order), raised
    per resource to the peak of any regular init container plus the sidecars started
    before it.  `pod_requests` adds pod-level resources and overhead on top."""
    result: ResourceList = {}
    for own in apps:
        _add(result, own)
    sidecars: ResourceList = {}
    init_peak: ResourceList = {}
    for own, is_sidecar in inits:
        if is_sidecar:
            _add(result, own)
            _add(sidecars, own)
            _max(init_peak, sidecars)
        else:
            combined = dict(own)
            _add(combined, sidecars)
            _max(init_peak, combined)
    _max(result, init_peak)
    return result


def _container_list(container: Mapping[str, object], path: str, kind: str) -> ResourceList:
    raw = _resources(container, path).get(kind)
    return parse_resource_list(raw, f"{path}.resources.{kind}")


def _add(target: ResourceList, extra: Mapping[str, Decimal]) -> None:
    for name, quantity in extra.items():
        target[name] = target.get(name, Decimal(0)) + quantity


def _max(target: ResourceList, other: Mapping[str, Decimal]) -> None:
    for name, quantity in other.items():
        if name not in target or quantity > target[name]:
            target[name] = quantity


def _pod_level_supported(name: str) -> bool:
    """`IsSupportedPodLevelResource`: cpu, memory and hugepages-* only."""
    return name in _POD_LEVEL or name.startswith(_HUGEPAGES)


def _spec(pod: object) -> Mapping[str, object]:
    if not isinstance(pod, Mapping):
        raise KubeInputError(f"pod: must be a mapping, got {type(pod).__name__}")
    spec = pod.get("spec", {})
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise KubeInputError(f"spec: must be a mapping, got {type(spec).__name__}")
    return spec


def _containers(spec: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    raw = spec.get(key)
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raise KubeInputError(f"spec.{key}: must be a list, got {type(raw).__name__}")
    for index, container in enumerate(raw):
        if not isinstance(container, Mapping):
            raise KubeInputError(f"spec.{key}[{index}]: must be a mapping")
    return list(raw)


def _resources(container: Mapping[str, object], path: str) -> Mapping[str, object]:
    raw = container.get("resources")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise KubeInputError(f"{path}.resources: must be a mapping")
    return raw


def _pod_resources(spec: Mapping[str, object]) -> Mapping[str, object]:
    raw = spec.get("resources")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise KubeInputError("spec.resources: must be a mapping")
    return raw


def _overhead(spec: Mapping[str, object]) -> ResourceList:
    return parse_resource_list(spec.get("overhead"), "spec.overhead")


def _is_sidecar(container: Mapping[str, object], path: str) -> bool:
    """`is_restartable_init_container` of the container's restartPolicy (an unknown
    policy is no sidecar)."""
    policy = container.get("restartPolicy")
    if policy is not None and not isinstance(policy, str):
        raise KubeInputError(f"{path}.restartPolicy: must be a string")
    known = {p.value: p for p in ContainerRestartPolicy}
    return is_restartable_init_container(ContainerPolicy(known.get(policy or "")))


def parse_resource_list(raw: object, field: str) -> ResourceList:
    """A ResourceList: names mapped to non-negative quantities; raises `KubeInputError`
    naming `field` otherwise."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise KubeInputError(f"{field}: must be a mapping, got {type(raw).__name__}")
    out: ResourceList = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not name:
            raise KubeInputError(f"{field}: resource names must be non-empty strings")
        quantity = parse_quantity(value, f"{field}.{name}")
        if quantity < 0:
            raise KubeInputError(f"{field}.{name}: must be greater than or equal to 0")
        out[name] = quantity
    return out


def _quantity_text(value: object, field: str) -> str:
    if isinstance(value, bool):
        raise KubeInputError(f"{field}: invalid quantity {value!r}")
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise KubeInputError(f"{field}: invalid quantity {value!r}")
        return repr(value)
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    raise KubeInputError(f"{field}: invalid quantity {value!r} ({type(value).__name__})")


def _parse(text: str) -> Decimal | None:
    """`ParseQuantity`: None where Kubernetes returns an error."""
    split = _split(text)
    if split is None:
        return None
    negative, whole, fraction, suffix = split
    scale = _suffix(suffix)
    if scale is None:
        return None
    base, exponent = scale
    coefficient = _to_int(whole + fraction)
    exponent10 = -len(fraction)
    if base == 2:
        coefficient <<= exponent
    else:
        exponent10 += exponent
    amount = _round_up_to_nano(coefficient, exponent10)
    if base == 2 and amount > _MAX_ALLOWED:
        amount = _MAX_ALLOWED
    return amount.copy_negate() if negative and amount else amount


def _split(text: str) -> tuple[bool, str, str, str] | None:
    """`parseQuantityString`: (negative, whole digits, fraction digits, suffix) or None."""
    if not text:
        return None
    pos, negative = 0, False
    if text[0] in "+-":
        negative, pos = text[0] == "-", 1
    whole, pos = _digits(text, pos)
    fraction = ""
    if pos < len(text) and text[pos] == ".":
        fraction, pos = _digits(text, pos + 1)
    suffix = text[pos:]
    if not _valid_suffix_shape(suffix):
        return None
    return negative, whole or "0", fraction, suffix


def _digits(text: str, pos: int) -> tuple[str, int]:
    end = pos
    while end < len(text) and text[end] in "0123456789":
        end += 1
    return text[pos:end], end


def _valid_suffix_shape(suffix: str) -> bool:
    """Letters from the suffix alphabet, then an optional sign and digits, nothing else."""
    pos = 0
    while pos < len(suffix) and suffix[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < len(suffix) and suffix[pos] in "+-":
        pos += 1
    rest = suffix[pos:]
    return all(ch.isascii() and ch.isdigit() for ch in rest)


def _suffix(suffix: str) -> tuple[int, int] | None:
    """`suffixer.interpret`: (base, exponent) or None; e-notation is int32-bounded."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix]
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix]
    if len(suffix) > 1 and suffix[0] in "eE":
        body = suffix[1:]
        digits = body[1:] if body[0] in "+-" else body
        if not digits or not (digits.isascii() and digits.isdigit()):
            return None
        if len(digits.lstrip("0")) > _INT64_DIGITS:  # strconv.ParseInt(_, 10, 64) fails
            return None
        exponent = int(digits.lstrip("0") or "0") * (-1 if body[0] == "-" else 1)
        if abs(exponent) > _MAX_INT32:
            return None
        return 10, exponent
    return None


def _round_up_to_nano(coefficient: int, exponent: int) -> Decimal:
    """The exact value coefficient * 10**exponent rounded up to a multiple of 1e-9."""
    if coefficient == 0:
        return Decimal(0)
    if exponent >= _NANO_EXP:
        return _exact(coefficient, exponent)
    shift = _NANO_EXP - exponent
    if shift > _digit_count(coefficient):
        return _exact(1, _NANO_EXP)
    quotient, remainder = divmod(coefficient, 10**shift)
    return _exact(quotient + (1 if remainder else 0), _NANO_EXP)


# NOTE(quantity-size): apimachinery parses digit strings of any length (inf.Dec on
# big.Int), so these helpers never convert between int and str, which Python refuses
# past 4 300 digits: Decimal converts both ways without that limit.
def _to_int(digits: str) -> int:
    """The value of a string of ASCII digits, of any length."""
    return int(Decimal(digits))


def _digit_count(n: int) -> int:
    """How many decimal digits the positive integer `n` has."""
    return len(Decimal(n).as_tuple().digits)


def _exact(coefficient: int, exponent: int) -> Decimal:
    """Build a Decimal without going through a (precision-limited) context."""
    return Decimal((0, Decimal(coefficient).as_tuple().digits, exponent))
