"""Facts from apimachinery labels/selector_test.go, apis/meta/v1/helpers_test.go and
pkg/controller/disruption/disruption_test.go (invalid selectors)."""

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.labels import (
    InvalidSelector,
    Selector,
    matches,
    parse_selector,
    selector_from_api,
)


def expr(key, operator, *values):
    return {"key": key, "operator": operator, "values": list(values)}


# staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers_test.go :: TestLabelSelectorAsSelector
MATCH_LABELS = {"foo": "bar"}
MATCH_EXPRESSIONS = [expr("baz", "In", "qux", "norf")]


def test_nil_selector_is_nothing():
    selector = parse_selector(None)
    assert selector.nothing and not selector.empty
    assert not selector.matches({"foo": "bar"})
    assert not selector.matches({})


def test_empty_selector_is_everything():
    selector = parse_selector({})
    assert selector.empty
    assert selector.matches({"x": "y"}) and selector.matches({})


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({"matchLabels": MATCH_LABELS}, {"foo": "bar"}, True),  # foo=bar
        ({"matchExpressions": MATCH_EXPRESSIONS}, {"baz": "norf"}, True),  # baz in (norf,qux)
        ({"matchExpressions": MATCH_EXPRESSIONS}, {"baz": "other"}, False),
        ({"matchLabels": MATCH_LABELS, "matchExpressions": MATCH_EXPRESSIONS},
         {"foo": "bar", "baz": "qux"}, True),  # baz in (norf,qux),foo=bar
        ({"matchLabels": MATCH_LABELS, "matchExpressions": MATCH_EXPRESSIONS},
         {"baz": "qux"}, False),
        ({"matchLabels": {}, "matchExpressions": []}, {"a": "b"}, True),
    ],
)
def test_label_selector_as_selector(selector, labels, expected):
    assert matches(selector, labels) is expected


def test_exists_with_values_is_an_error():
    # TestLabelSelectorAsSelector: Exists with values -> expectErr.
    result = selector_from_api({"matchExpressions": [expr("baz", "Exists", "qux", "norf")]})
    assert isinstance(result, InvalidSelector)
    assert "values set must be empty" in result.message


# staging/src/k8s.io/apimachinery/pkg/labels/selector_test.go :: TestRequirementConstructor
# (the In/NotIn/Exists/DoesNotExist rows; LabelSelector has no Gt/Lt operator, see
# LabelSelectorAsSelector's default branch).
@pytest.mark.parametrize(
    ("key", "operator", "values", "ok"),
    [
        ("x", "In", (), False),
        ("x", "NotIn", (), False),
        ("x", "In", ("foo",), True),
        ("x", "NotIn", ("foo",), True),
        ("x", "Exists", (), True),
        ("x", "DoesNotExist", (), True),
        ("1foo", "In", ("bar",), True),
        ("1234", "In", ("bar",), True),
        ("y", "Gt", ("1",), False),
        ("z", "Lt", ("6",), False),
        ("a" * 254, "Exists", (), False),
    ],
)
def test_requirement_constructor(key, operator, values, ok):
    result = selector_from_api({"matchExpressions": [expr(key, operator, *values)]})
    assert isinstance(result, Selector) is ok


# selector_test.go :: TestRequirementSelectorMatching
@pytest.mark.parametrize(
    ("labels", "exprs", "expected"),
    [
        ({"x": "foo", "y": "baz"}, [expr("x", "In", "foo"), expr("y", "NotIn", "alpha")], True),
        ({"x": "foo", "y": "baz"}, [expr("x", "In", "foo"), expr("y", "In", "alpha")], False),
        ({"y": ""}, [expr("x", "NotIn", ""), expr("y", "Exists")], True),
        ({"y": ""}, [expr("x", "DoesNotExist"), expr("y", "Exists")], True),
        ({"y": ""}, [expr("x", "NotIn", ""), expr("y", "DoesNotExist")], False),
        ({"y": "baz"}, [expr("x", "In", "")], False),
    ],
)
def test_requirement_selector_matching(labels, exprs, expected):
    assert matches({"matchExpressions": exprs}, labels) is expected


# selector_test.go :: TestSelectorMatches, with `k=v` as matchLabels, `k!=v` as NotIn,
# `k` as Exists and `!k` as DoesNotExist.
LABELSET = {"foo": "bar", "baz": "blah"}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({}, {"x": "y"}, True),
        ({"matchLabels": {"x": "y"}}, {"x": "y"}, True),
        ({"matchLabels": {"x": "y", "z": "w"}}, {"x": "y", "z": "w"}, True),
        ({"matchExpressions": [expr("x", "NotIn", "y"), expr("z", "NotIn", "w")]},
         {"x": "z", "z": "a"}, True),
        ({"matchLabels": {"notin": "in"}}, {"notin": "in"}, True),
        ({"matchExpressions": [expr("x", "Exists")]}, {"x": "z"}, True),
        ({"matchExpressions": [expr("x", "DoesNotExist")]}, {"y": "z"}, True),
        ({"matchLabels": {"x": "z"}}, {}, False),
        ({"matchLabels": {"x": "y"}}, {"x": "z"}, False),
        ({"matchLabels": {"x": "y", "z": "w"}}, {"x": "w", "z": "w"}, False),
        ({"matchExpressions": [expr("x", "NotIn", "y"), expr("z", "NotIn", "w")]},
         {"x": "z", "z": "w"}, False),
        ({"matchExpressions": [expr("x", "Exists")]}, {"y": "z"}, False),
        ({"matchExpressions": [expr("x", "DoesNotExist")]}, {"x": "z"}, False),
        ({"matchLabels": {"foo": "bar"}}, LABELSET, True),
        ({"matchLabels": {"baz": "blah"}}, LABELSET, True),
        ({"matchLabels": {"foo": "bar", "baz": "blah"}}, LABELSET, True),
        ({"matchLabels": {"foo": "blah"}}, LABELSET, False),
        ({"matchLabels": {"baz": "bar"}}, LABELSET, False),
        ({"matchLabels": {"foo": "bar", "foobar": "bar", "baz": "blah"}}, LABELSET, False),
    ],
)
def test_selector_matches(selector, labels, expected):
    assert matches(selector, labels) is expected


# selector_test.go :: TestSetMatches (SelectorFromSet == matchLabels)
@pytest.mark.parametrize(
    "match_labels", [{}, {"foo": "bar"}, {"baz": "blah"}, {"foo": "bar", "baz": "blah"}]
)
def test_set_matches(match_labels):
    assert matches({"matchLabels": match_labels}, LABELSET)


# pkg/controller/disruption/disruption_test.go :: TestInvalidSelectors
@pytest.mark.parametrize(
    ("selector", "needle"),
    [
        ({"matchLabels": {"k8s.io/too/many/slashes": "value"}}, "qualified name"),
        ({"matchExpressions": [expr("foo", "illegal", "bar")]}, "not a valid label selector"),
    ],
)
def test_invalid_selectors(selector, needle):
    result = selector_from_api(selector, "spec.selector")
    assert isinstance(result, InvalidSelector)
    assert needle in result.message
    with pytest.raises(KubeInputError, match=r"^spec\.selector\."):
        parse_selector(selector, "spec.selector")


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("app", "", True),  # "The empty string is a valid value" (NewRequirement)
        ("example.com/app", "v1.2-rc_3", True),
        ("Example.com/app", "x", False),  # prefix must be a lowercase DNS subdomain
        ("/app", "x", False),
        ("app/", "x", False),
        ("app", "-bad", False),
        ("app", "a" * 64, False),
        ("a" * 63, "a" * 63, True),
    ],
)
def test_key_and_value_validation(key, value, ok):
    assert isinstance(selector_from_api({"matchLabels": {key: value}}), Selector) is ok


@pytest.mark.parametrize(
    ("selector", "field"),
    [
        ("app=web", r"^sel: must be a mapping"),
        ({"matchLabels": ["app"]}, r"^sel\.matchLabels:"),
        ({"matchLabels": {"app": 1}}, r"^sel\.matchLabels\.app:"),
        ({"matchExpressions": {"key": "a"}}, r"^sel\.matchExpressions:"),
        ({"matchExpressions": ["a"]}, r"^sel\.matchExpressions\[0\]:"),
        ({"matchExpressions": [{"operator": "In"}]}, r"^sel\.matchExpressions\[0\]\.key:"),
        ({"matchExpressions": [{"key": "a"}]}, r"^sel\.matchExpressions\[0\]\.operator:"),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": "b"}]},
         r"^sel\.matchExpressions\[0\]\.values:"),
        ({"matchLables": {}}, r"^sel\.matchLables: unknown"),
    ],
)
def test_malformed_selectors_raise_kube_input_error(selector, field):
    with pytest.raises(KubeInputError, match=field):
        selector_from_api(selector, "sel")


def test_malformed_labels_raise_kube_input_error():
    with pytest.raises(KubeInputError, match=r"^labels"):
        matches({}, {"app": 3})
    with pytest.raises(KubeInputError, match=r"^labels"):
        matches({}, ["app"])
