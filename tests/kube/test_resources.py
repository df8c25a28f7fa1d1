"""Facts from apimachinery quantity_test.go and component-helpers helpers_test.go."""

from decimal import Decimal

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.resources import parse_quantity, pod_limits, pod_requests

D = Decimal
MAX = D(2**63 - 1)

# staging/src/k8s.io/apimachinery/pkg/api/resource/quantity_test.go :: TestQuantityParse
# (the `table` of valid inputs; expectations are the exact values of decQuantity(i, exp)).
QUANTITY_PARSE = [
    ("0", "0"), ("0n", "0"), ("0u", "0"), ("0m", "0"), ("0Ki", "0"), ("0k", "0"),
    ("0Mi", "0"), ("0M", "0"), ("0Gi", "0"), ("0G", "0"), ("0Ti", "0"), ("0T", "0"),
    ("1", "1"),
    ("1Ki", 1024), ("8Ki", 8 * 1024), ("7Mi", 7 * 2**20), ("6Gi", 6 * 2**30),
    ("5Ti", 5 * 2**40), ("4Pi", 4 * 2**50), ("3Ei", 3 * 2**60),
    ("10Ti", 10 * 2**40), ("100Ti", 100 * 2**40),
    ("5n", "5e-9"), ("4u", "4e-6"), ("3m", "3e-3"), ("9", "9"), ("8k", "8e3"),
    ("50k", "5e4"), ("7M", "7e6"), ("6G", "6e9"), ("5T", "5e12"), ("40T", "4e13"),
    ("300T", "3e14"), ("2P", "2e15"), ("1E", "1e18"),
    ("1E-3", "1e-3"), ("1e3", "1e3"), ("1E6", "1e6"), ("1e9", "1e9"), ("1E12", "1e12"),
    ("1e15", "1e15"), ("1E18", "1e18"),
    ("1e14", "1e14"), ("1e13", "1e13"), ("100.035k", "100035"),
    ("0.001", "1e-3"), ("0.0005k", "5e-1"), ("0.005", "5e-3"), ("0.05", "5e-2"),
    ("0.5", "5e-1"), ("0.00050k", "5e-1"), ("0.00500", "5e-3"), ("0.05000", "5e-2"),
    ("0.50000", "5e-1"), ("0.5e0", "5e-1"), ("0.5e-1", "5e-2"), ("0.5e-2", "5e-3"),
    ("10.035M", "10035e3"),
    ("1.2e3", "12e2"), ("1.3E+6", "13e5"), ("1.40e9", "14e8"), ("1.53E12", "153e10"),
    ("1.6e15", "16e14"), ("1.7E18", "17e17"),
    ("9.01", "901e-2"), ("8.1k", "81e2"), ("7.123456M", "7123456"),
    ("6.987654321G", "6987654321"), ("5.444T", "5444e9"), ("40.1T", "401e11"),
    ("300.2T", "3002e11"), ("2.5P", "25e14"), ("1.01E", "101e16"),
    # Things that saturate/round
    ("3.001n", "4e-9"), ("1.1E-9", "2e-9"), ("0.0000000001", "1e-9"),
    ("0.0000000005", "1e-9"), ("0.00000000050", "1e-9"), ("0.5e-9", "1e-9"),
    ("0.9n", "1e-9"), ("0.00000012345", "124e-9"), ("0.00000012354", "124e-9"),
    ("9Ei", MAX), ("9223372036854775807Ki", MAX), ("12E", "12e18"),
    # We'll accept fractional binary stuff, too.
    ("100.035Ki", "10243584e-2"), ("0.5Mi", 2**19), ("0.05Gi", "536870912e-1"),
    ("0.025Ti", "274877906944e-1"),
    # Things written by trolls
    ("0.000000000001Ki", "2e-9"), (".001", "1e-3"), (".0001k", "100e-3"), ("1.", "1"),
    ("1.G", "1e9"),
]


@pytest.mark.parametrize(("text", "expected"), QUANTITY_PARSE)
def test_quantity_parse(text, expected):
    assert parse_quantity(text) == D(expected)


# TestQuantityParse also parses "-" + input (negated value) and "+" + input (same value).
@pytest.mark.parametrize(("text", "expected"), QUANTITY_PARSE)
def test_quantity_parse_signed(text, expected):
    assert parse_quantity("-" + text) == -D(expected)
    assert parse_quantity("+" + text) == D(expected)


# quantity_test.go :: TestQuantityParse (`invalid` list, plus the empty string),
# TestQuantityParseNonNumericPanic ("Non-Numeric"),
# TestInterpretExponentInt32Bounds (exponents past int32 are rejected).
@pytest.mark.parametrize(
    "text",
    [
        "", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
        "1e4294967297", " 1", "1 ", "Non-Numeric",
        "1E2147483648", "1E-2147483648", "1E8589934592", "1E9223372036854775808",
    ],
)
def test_quantity_parse_invalid(text):
    with pytest.raises(KubeInputError, match="invalid quantity"):
        parse_quantity(text, "spec.containers[0].resources.requests.cpu")


# quantity_test.go :: TestInterpretExponentInt32Bounds (accepted bounds) and
# TestParseQuantityString ("." and "-." are numbers with no digits: zero).
@pytest.mark.parametrize(
    ("text", "expected"),
    [("1e14", D("1e14")), ("1E2147483647", D("1E2147483647")),
     ("1E-2147483647", D("1e-9")), (".", D(0)), ("-.", D(0))],
)
def test_quantity_exponent_bounds(text, expected):
    assert parse_quantity(text) == expected


# YAML/JSON numbers are quantities too (Quantity.UnmarshalJSON of a bare number).
@pytest.mark.parametrize(("value", "expected"), [(2, D(2)), (0.5, D("0.5")), (1e-05, D("1e-5"))])
def test_quantity_from_numbers(value, expected):
    assert parse_quantity(value) == expected


def test_quantity_field_named_in_error():
    with pytest.raises(KubeInputError, match=r"^spec\.overhead\.cpu: invalid quantity '1x'"):
        parse_quantity("1x", "spec.overhead.cpu")


@pytest.mark.parametrize("value", [True, None, [1], float("nan"), float("inf"), {"a": 1}])
def test_quantity_rejects_non_quantities(value):
    with pytest.raises(KubeInputError, match="^q: invalid quantity"):
        parse_quantity(value, "q")


# ------------------------------------------------------------------ pod requests/limits


def _pod(containers=(), init=(), overhead=None, resources=None):
    spec = {"containers": list(containers), "initContainers": list(init)}
    if overhead is not None:
        spec["overhead"] = overhead
    if resources is not None:
        spec["resources"] = resources
    return {"spec": spec}


def _c(requests=None, limits=None, sidecar=False):
    container = {"name": "c", "resources": {}}
    if requests is not None:
        container["resources"]["requests"] = requests
    if limits is not None:
        container["resources"]["limits"] = limits
    if sidecar:
        container["restartPolicy"] = "Always"
    return container


def _q(mapping):
    return {k: parse_quantity(v) for k, v in mapping.items()}


# component-helpers/resource/helpers_test.go :: TestPodRequestsAndLimits
# (getPod: one container with the given requests/limits, spec.overhead as given).
@pytest.mark.parametrize(
    ("pod", "requests", "limits"),
    [
        pytest.param(_pod([_c(limits={"cpu": "9"})]), {}, {"cpu": "9"},
                     id="just-limit-no-overhead"),
        pytest.param(_pod([_c()], overhead={"cpu": "5", "memory": "5"}),
                     {"cpu": "5", "memory": "5"}, {}, id="just-overhead"),
        pytest.param(_pod([_c(requests={"cpu": "1", "memory": "10"})],
                          overhead={"cpu": "5", "memory": "5"}),
                     {"cpu": "6", "memory": "15"}, {}, id="req-and-overhead"),
        pytest.param(_pod([_c(requests={"cpu": "1", "memory": "10"},
                              limits={"cpu": "2", "memory": "12"})],
                          overhead={"cpu": "5", "memory": "5"}),
                     {"cpu": "6", "memory": "15"}, {"cpu": "7", "memory": "17"},
                     id="all-req-lim-and-overhead"),
        pytest.param(_pod([_c(requests={"cpu": "1", "memory": "10"}, limits={"cpu": "2"})],
                          overhead={"cpu": "5", "memory": "5"}),
                     {"cpu": "6", "memory": "15"}, {"cpu": "7"},
                     id="req-some-lim-and-overhead"),
    ],
)
def test_pod_requests_and_limits(pod, requests, limits):
    assert pod_requests(pod) == _q(requests)
    assert pod_limits(pod) == _q(limits)


_TWO = [
    _c(requests={"cpu": "1", "memory": "5"}, limits={"cpu": "2", "memory": "10"}),
    _c(requests={"cpu": "4", "memory": "12"}, limits={"cpu": "8", "memory": "24"}),
]
_BIG_INIT = [
    _c(requests={"cpu": "1", "memory": "5"}, limits={"cpu": "1", "memory": "5"}),
    _c(requests={"cpu": "40", "memory": "120"}, limits={"cpu": "80", "memory": "240"}),
]


# helpers_test.go :: TestPodRequestsAndLimitsWithoutOverhead (ExcludeOverhead: true).
@pytest.mark.parametrize(
    ("pod", "requests", "limits"),
    [
        pytest.param(_pod(_TWO), {"cpu": "5", "memory": "17"}, {"cpu": "10", "memory": "34"},
                     id="two container no overhead"),
        pytest.param(_pod(_TWO, overhead={"cpu": "3", "memory": "8"}),
                     {"cpu": "5", "memory": "17"}, {"cpu": "10", "memory": "34"},
                     id="two container with overhead"),
        pytest.param(_pod(_TWO, _BIG_INIT, overhead={"cpu": "3", "memory": "8"}),
                     {"cpu": "40", "memory": "120"}, {"cpu": "80", "memory": "240"},
                     id="massive init"),
    ],
)
def test_pod_requests_and_limits_without_overhead(pod, requests, limits):
    assert pod_requests(pod, exclude_overhead=True) == _q(requests)
    assert pod_limits(pod, exclude_overhead=True) == _q(limits)


def _cpu(kind, value, sidecar=False):
    return _c(**{kind: {"cpu": value}}, sidecar=sidecar)


def _sidecar_cases(kind):
    """Cases shared by TestPodResourceRequests and TestPodResourceLimits."""
    c = lambda v, s=False: _cpu(kind, v, s)  # noqa: E731
    return [
        pytest.param(_pod([c("1")], [c("4")]), {"cpu": "4"}, id="larger init container"),
        pytest.param(_pod([c("2"), c("3")], [c("2")]), {"cpu": "5"}, id="larger containers"),
        pytest.param(_pod([c("1")], [c("1", True)]), {"cpu": "2"},
                     id="restartable init container"),
        pytest.param(_pod([c("1")], [c("5"), c("1", True), c("2", True), c("3", True)]),
                     {"cpu": "7"}, id="multiple restartable init containers"),
        pytest.param(_pod([c("1")], [c("5"), c("1", True), c("2", True), c("5"),
                                     c("3", True)]),
                     {"cpu": "8"}, id="multiple restartable and regular init containers"),
        pytest.param(_pod([c("100")], [c("10", True), c("200")]), {"cpu": "210"},
                     id="restartable-init, init and regular"),
    ]


# helpers_test.go :: TestPodResourceRequests (cases with UseStatusResources false).
@pytest.mark.parametrize(("pod", "expected"), _sidecar_cases("requests") + [
    pytest.param(_pod([_cpu("requests", "4")]), {"cpu": "4"},
                 id="resized, infeasible, but don't use status"),
    pytest.param(_pod([], [_cpu("requests", "4", True)]), {"cpu": "4"},
                 id="resized, restartable init container, infeasible, but don't use status"),
    pytest.param(
        _pod([_cpu("requests", "2"), _cpu("requests", "3")],
             [_c(requests={"cpu": "2"}, limits={"cpu": "2"})],
             overhead={"cpu": "1", "memory": "1Gi"}),
        {"cpu": "6", "memory": "1Gi"}, id="pod overhead included"),
])
def test_pod_resource_requests(pod, expected):
    assert pod_requests(pod) == _q(expected)


# helpers_test.go :: TestPodResourceRequests / TestPodResourceLimits "pod overhead excluded".
def test_pod_overhead_excluded():
    pod = _pod([_c(requests={"cpu": "2"}, limits={"cpu": "2"}),
                _c(requests={"cpu": "3"}, limits={"cpu": "3"})],
               [_c(requests={"cpu": "2"}, limits={"cpu": "2"})], overhead={"cpu": "1"})
    assert pod_requests(pod, exclude_overhead=True) == _q({"cpu": "5"})
    assert pod_limits(pod, exclude_overhead=True) == _q({"cpu": "5"})


_GI = {"cpu": "2", "memory": "2Gi"}


# helpers_test.go :: TestPodResourceLimits (cases with UseStatusResources false).
@pytest.mark.parametrize(("pod", "expected"), _sidecar_cases("limits") + [
    pytest.param(_pod([_cpu("limits", "2"), _cpu("limits", "3")], [_cpu("limits", "2")],
                      overhead={"cpu": "1", "memory": "1Gi"}),
                 {"cpu": "6"}, id="pod overhead included (only non-zero limits)"),
    pytest.param(_pod([_c()]), {}, id="no limited containers"),
    pytest.param(_pod([_c(limits=_GI), _c()]), _GI,
                 id="one limited and one unlimited container"),
    pytest.param(_pod([_c(limits={"cpu": "1", "memory": "1Gi"})], [_c(limits=_GI), _c()]),
                 _GI, id="one limited and one unlimited init container"),
    pytest.param(_pod([_c(limits={"memory": "1Gi"})]), {"memory": "1Gi"},
                 id="pod scaled down, don't use status"),
    pytest.param(_pod([], [_c(limits={"memory": "1Gi"}, sidecar=True)]), {"memory": "1Gi"},
                 id="pod scaled down with restartable init containers, don't use status"),
])
def test_pod_resource_limits(pod, expected):
    assert pod_limits(pod) == _q(expected)


_MC = {"memory": "3Mi", "cpu": "2m"}
_INIT = {"memory": "5Mi", "cpu": "4m"}
_HP2, _HP1 = "hugepages-2Mi", "hugepages-1Gi"


# helpers_test.go :: TestPodLevelResourceRequests (SkipPodLevelResources false, no status).
@pytest.mark.parametrize(("pod", "expected"), [
    pytest.param(_pod(), {}, id="nil"),
    pytest.param(_pod(resources={"requests": {"memory": "2Mi"}}), {"memory": "2Mi"},
                 id="pod level memory"),
    pytest.param(_pod([_c(requests={"cpu": "2m"})], resources={"requests": {"memory": "2Mi"}}),
                 {"memory": "2Mi", "cpu": "2m"}, id="pod level memory and container level cpu"),
    pytest.param(_pod([_c(requests={"storage": "3Mi"})],
                      resources={"requests": {"storage": "2Mi"}}),
                 {"storage": "3Mi"}, id="unsupported resource at pod and container level"),
    pytest.param(_pod([_c(requests={"memory": "3Mi"})],
                      resources={"requests": {"storage": "2Mi"}}),
                 {"memory": "3Mi"}, id="unsupported resource at pod level"),
    pytest.param(_pod([_c(requests=_MC)]), _MC, id="only container level"),
    pytest.param(_pod([_c(requests=_MC)], resources={"requests": {"memory": "6Mi", "cpu": "8m"}}),
                 {"memory": "6Mi", "cpu": "8m"}, id="both container-level and pod-level"),
    pytest.param(_pod([_c(requests=_MC)], [_c(requests=_INIT)]), _INIT,
                 id="container-level resources and init container"),
    pytest.param(_pod([_c(requests=_MC)], [_c(requests=_INIT, sidecar=True)]),
                 {"memory": "8Mi", "cpu": "6m"}, id="container-level and sidecar"),
    pytest.param(_pod([_c(requests=_MC)], [_c(requests=_INIT, sidecar=True),
                                          _c(requests={"memory": "6Mi", "cpu": "8m"})]),
                 {"memory": "11Mi", "cpu": "12m"}, id="container-level, init and sidecar"),
    pytest.param(_pod([_c(requests=_MC)], [_c(requests=_INIT, sidecar=True),
                                          _c(requests={"memory": "6Mi", "cpu": "8m"})],
                      resources={"requests": {"memory": "15Mi", "cpu": "18m"}}),
                 {"memory": "15Mi", "cpu": "18m"}, id="pod-level, container-level, init, sidecar"),
    pytest.param(_pod(resources={"limits": {_HP2: "2Mi"},
                                 "requests": {"memory": "10Mi", _HP2: "2Mi"}}),
                 {"memory": "10Mi", _HP2: "2Mi"}, id="hugepage single page size"),
    pytest.param(_pod(resources={"limits": {_HP2: "2Mi", _HP1: "1Gi"},
                                 "requests": {"cpu": "1", _HP2: "2Mi", _HP1: "1Gi"}}),
                 {"cpu": "1", _HP2: "2Mi", _HP1: "1Gi"}, id="hugepage multiple page sizes"),
    pytest.param(_pod([_c(limits={_HP2: "6Mi"}, requests={_HP2: "6Mi"})],
                      resources={"limits": {_HP2: "10Mi"}, "requests": {"cpu": "1", _HP2: "10Mi"}}),
                 {"cpu": "1", _HP2: "10Mi"}, id="pod and container hugepage single size"),
    pytest.param(_pod([_c(limits={_HP1: "1Gi"}, requests={"memory": "4Mi", _HP1: "1Gi"})],
                      resources={"limits": {_HP2: "10Mi"}, "requests": {"cpu": "1", _HP2: "10Mi"}}),
                 {"cpu": "1", "memory": "4Mi", _HP2: "10Mi", _HP1: "1Gi"},
                 id="hugepage sizes split between pod and container level"),
])
def test_pod_level_resource_requests(pod, expected):
    assert pod_requests(pod) == _q(expected)


# component-helpers helpers.go :: PodLimits applies pod-level limits once
# IsPodLevelResourcesSet (requests OR limits name a supported resource).
def test_pod_level_limits_replace_aggregate():
    pod = _pod([_c(limits={"cpu": "2", "memory": "1Gi"})],
               resources={"limits": {"cpu": "1"}, "requests": {"memory": "1Mi"}})
    assert pod_limits(pod) == _q({"cpu": "1", "memory": "1Gi"})


def test_pod_without_containers_is_empty():
    assert pod_requests({"spec": {}}) == {}
    assert pod_limits({}) == {}


@pytest.mark.parametrize(
    ("pod", "field"),
    [
        ("not a pod", r"^pod:"),
        ({"spec": []}, r"^spec:"),
        ({"spec": {"containers": {}}}, r"^spec\.containers:"),
        ({"spec": {"containers": ["c"]}}, r"^spec\.containers\[0\]:"),
        ({"spec": {"containers": [{"resources": []}]}}, r"^spec\.containers\[0\]\.resources:"),
        ({"spec": {"containers": [{"resources": {"requests": {"cpu": "1x"}}}]}},
         r"^spec\.containers\[0\]\.resources\.requests\.cpu: invalid quantity"),
        ({"spec": {"initContainers": [{}, {"resources": {"limits": {"memory": None}}}]}},
         r"^spec\.initContainers\[1\]\.resources\.limits\.memory:"),
        ({"spec": {"containers": [{"resources": {"requests": {"cpu": "-1"}}}]}},
         r"^spec\.containers\[0\]\.resources\.requests\.cpu: must be greater"),
        ({"spec": {"initContainers": [{"restartPolicy": 1}]}},
         r"^spec\.initContainers\[0\]\.restartPolicy:"),
        ({"spec": {"overhead": {"cpu": [1]}}}, r"^spec\.overhead\.cpu:"),
        ({"spec": {"resources": {"requests": "1"}}}, r"^spec\.resources\.requests:"),
        ({"spec": {"overhead": {"": "1"}}}, r"^spec\.overhead:"),
    ],
)
def test_malformed_pods_raise_kube_input_error(pod, field):
    for fn in (pod_requests, pod_limits):
        with pytest.raises(KubeInputError, match=field):
            fn(pod)
