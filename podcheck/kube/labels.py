"""Label selectors: `metav1.LabelSelector` as the API server and controllers read it.

Stage: `kube/` rule library. Consumes a selector dict (`matchLabels`,
`matchExpressions`) and a label dict; produces a frozen `Selector` and match verdicts.

Semantics follow `LabelSelectorAsSelector` (apimachinery `pkg/apis/meta/v1/helpers.go`)
and `NewRequirement` / `Requirement.Matches` (apimachinery `pkg/labels/selector.go`):

* a missing (`None`) selector matches nothing, an empty one (`{}`, or both lists empty)
  matches everything;
* `matchLabels` entries are `Equals` requirements; all requirements are ANDed;
* `NotIn` and `DoesNotExist` match objects that lack the key.

Two kinds of bad input are told apart. A selector of the wrong *shape* (not a dict,
values not strings) always raises `KubeInputError`. A well-shaped selector that
`LabelSelectorAsSelector` rejects (bad operator, bad key, wrong number of values) is
returned by `selector_from_api` as an `InvalidSelector`, because the disruption
controller and the eviction handler each react to that case in their own way;
`parse_selector` raises for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podcheck.kube.errors import KubeInputError

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
_EQUALS = "Equals"

_NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN_RE = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_NAME_MAX = 63
_PREFIX_MAX = 253
_VALUE_MAX = 63


@dataclass(frozen=True)
class Requirement:
    """One ANDed condition: `key` `operator` `values` (operator `Equals` for matchLabels)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Return whether `labels` satisfies this requirement (`Requirement.Matches`)."""
        present = self.key in labels
        if self.operator in (_EQUALS, "In"):
            return present and labels[self.key] in self.values
        if self.operator == "NotIn":
            return not present or labels[self.key] not in self.values
        if self.operator == "Exists":
            return present
        return not present


@dataclass(frozen=True)
class Selector:
    """A valid selector; `nothing` is the `labels.Nothing()` selector of a nil selector."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything (`Selector.Empty`)."""
        return not self.nothing and not self.requirements

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Return whether every requirement holds for `labels`."""
        if self.nothing:
            return False
        return all(r.matches(labels) for r in self.requirements)


@dataclass(frozen=True)
class InvalidSelector:
    """A well-shaped selector that `LabelSelectorAsSelector` rejects, with its error."""

    message: str


def selector_from_api(selector: object, field: str = "selector") -> Selector | InvalidSelector:
    """Convert a selector dict the way `LabelSelectorAsSelector` does.

    Returns `InvalidSelector` when Kubernetes would return an error; raises
    `KubeInputError` when `selector` is not shaped like a LabelSelector at all.
    """
    if selector is None:
        return Selector(nothing=True)
    if not isinstance(selector, Mapping):
        raise KubeInputError(f"{field}: must be a mapping, got {_kind(selector)}")
    unknown = sorted(set(selector) - {"matchLabels", "matchExpressions"})
    if unknown:
        raise KubeInputError(f"{field}.{unknown[0]}: unknown selector field")
    match_labels = _string_map(selector.get("matchLabels"), f"{field}.matchLabels")
    expressions = _expressions(selector.get("matchExpressions"), f"{field}.matchExpressions")
    return selector_core(match_labels, expressions, field)


def selector_core(
    match_labels: Mapping[str, str],
    expressions: Sequence[tuple[str, str, tuple[str, ...]]],
    field: str = "selector",
) -> Selector | InvalidSelector:
    """`LabelSelectorAsSelector` on typed parts: matchLabels and (key, operator, values)
    matchExpressions; `InvalidSelector` carries every error, with paths under `field`."""
    requirements: list[Requirement] = []
    errors: list[str] = []
    for key in sorted(match_labels):
        req = Requirement(key, _EQUALS, (match_labels[key],))
        errors += _requirement_errors(req, f"{field}.matchLabels")
        requirements.append(req)
    for index, (key, operator, values) in enumerate(expressions):
        path = f"{field}.matchExpressions[{index}]"
        if operator not in OPERATORS:
            errors.append(f"{path}.operator: {operator!r} is not a valid label selector operator")
            continue
        req = Requirement(key, operator, values)
        errors += _requirement_errors(req, path)
        requirements.append(req)
    if errors:
        return InvalidSelector("; ".join(errors))
    return Selector(tuple(sorted(requirements, key=lambda r: r.key)))


def parse_selector(selector: object, field: str = "selector") -> Selector:
    """Like `selector_from_api`, but raise `KubeInputError` for a rejected selector too."""
    result = selector_from_api(selector, field)
    if isinstance(result, InvalidSelector):
        raise KubeInputError(result.message)
    return result


def matches(selector: object, labels: object, field: str = "selector") -> bool:
    """Return whether the selector dict `selector` selects an object with `labels`."""
    return parse_selector(selector, field).matches(label_map(labels, "labels"))


def label_map(labels: object, field: str) -> dict[str, str]:
    """Validate the shape of an object's labels (None means no labels)."""
    return _string_map(labels, field)


def _requirement_errors(req: Requirement, path: str) -> list[str]:
    """The `NewRequirement` validation errors for `req`."""
    errors = [f"{path}.key: {msg}" for msg in qualified_name_errors(req.key)]
    count = len(req.values)
    if req.operator in ("In", "NotIn") and count == 0:
        errors.append(f"{path}.values: for 'in', 'notin' operators, values set can't be empty")
    if req.operator == _EQUALS and count != 1:
        errors.append(f"{path}.values: exact-match compatibility requires one single value")
    if req.operator in ("Exists", "DoesNotExist") and count:
        errors.append(f"{path}.values: values set must be empty for exists and does not exist")
    for index, value in enumerate(req.values):
        errors += [f"{path}.values[{index}]: {msg}" for msg in label_value_errors(value)]
    return errors


def qualified_name_errors(key: str) -> list[str]:
    """Errors of `validation.IsQualifiedName`: optional DNS-subdomain prefix, '/', name."""
    parts = key.split("/")
    if len(parts) > 2:
        return [f"{key!r} is not a qualified name (at most one '/')"]
    errors: list[str] = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        elif len(prefix) > _PREFIX_MAX or not _DNS_SUBDOMAIN_RE.match(prefix):
            errors.append(f"prefix part {prefix!r} must be a DNS-1123 subdomain")
    name = parts[-1]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > _NAME_MAX:
        errors.append(f"name part must be no more than {_NAME_MAX} characters")
    if name and not _NAME_RE.match(name):
        errors.append(f"name part {name!r} must match {_NAME_RE.pattern}")
    return errors


def label_value_errors(value: str) -> list[str]:
    """Errors of `validation.IsValidLabelValue` (the empty string is a valid value)."""
    errors: list[str] = []
    if len(value) > _VALUE_MAX:
        errors.append(f"must be no more than {_VALUE_MAX} characters")
    if value and not _NAME_RE.match(value):
        errors.append(f"{value!r} must be a valid label value")
    return errors


def _string_map(raw: object, field: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise KubeInputError(f"{field}: must be a mapping of strings, got {_kind(raw)}")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise KubeInputError(f"{field}.{key}: keys and values must be strings")
        out[key] = value
    return out


def _expressions(raw: object, field: str) -> list[tuple[str, str, tuple[str, ...]]]:
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raise KubeInputError(f"{field}: must be a list, got {_kind(raw)}")
    out = []
    for index, expr in enumerate(raw):
        path = f"{field}[{index}]"
        if not isinstance(expr, Mapping):
            raise KubeInputError(f"{path}: must be a mapping, got {_kind(expr)}")
        key, operator = expr.get("key"), expr.get("operator")
        if not isinstance(key, str):
            raise KubeInputError(f"{path}.key: must be a string")
        if not isinstance(operator, str):
            raise KubeInputError(f"{path}.operator: must be a string")
        values = expr.get("values") or ()
        if not isinstance(values, (list, tuple)) or not all(
            isinstance(v, str) for v in values
        ):
            raise KubeInputError(f"{path}.values: must be a list of strings")
        out.append((key, operator, tuple(values)))
    return out


def _kind(value: object) -> str:
    return type(value).__name__
