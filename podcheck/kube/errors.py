"""The one exception type of `podcheck.kube`: bad Kubernetes-shaped input."""


class KubeInputError(ValueError):
    """Raised when an input object is malformed; the message names the bad field.

    Example message: ``spec.containers[1].resources.requests.cpu: invalid quantity "1x"``.
    """
