"""podcheck: a formal model checker for Kubernetes Pod semantics."""

__version__ = "0.1.0"
