"""`TestResolveFenceposts` (`pkg/controller/deployment/util/deployment_util_test.go`,
Kubernetes v1.35), transcribed, plus the defaults of `SetDefaults_Deployment`."""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.rollout import deployment_fenceposts, resolve_fenceposts


# deployment_util_test.go :: TestResolveFenceposts (every row)
@pytest.mark.parametrize(
    ("surge", "unavailable", "desired", "want"),
    [("0%", "0%", 0, (0, 1)), ("39%", "39%", 10, (4, 3))],
)
def test_resolve_fenceposts(surge, unavailable, desired, want):
    assert resolve_fenceposts(surge, unavailable, desired) == want


@pytest.mark.parametrize(("surge", "unavailable"), [("oops", "39%"), ("55%", "urg")])
def test_resolve_fenceposts_errors(surge, unavailable):
    with pytest.raises(KubeInputError, match="not a percentage"):
        resolve_fenceposts(surge, unavailable, 10)


def test_absent_values_are_zero_and_both_zero_means_one_unavailable():
    assert resolve_fenceposts(None, None, 10) == (0, 1)
    assert resolve_fenceposts(1, 0, 3) == (1, 0)


def test_deployment_defaults_are_25_percent():
    # SetDefaults_Deployment: 25% / 25%; 4 replicas -> surge ceil(1.0)=1, unavailable 1.
    assert deployment_fenceposts({"spec": {"replicas": 4}}) == (1, 1)
    assert deployment_fenceposts({"spec": {"replicas": 3}}) == (1, 0)
    with pytest.raises(KubeInputError, match="RollingUpdate"):
        deployment_fenceposts({"spec": {"strategy": {"type": "Recreate"}}})
