"""A rolling drain of `replicas` pods of one Deployment on 3 nodes behind a PDB, with one
node failure: the spec the code-generation tests grow to many pods."""

from __future__ import annotations

from pathlib import Path


def drain_spec(folder: Path, replicas: int) -> str:
    """Write the spec for `replicas` pods into `folder`; its path."""
    spec = folder / f"web{replicas}.pod"
    spec.write_text("import env.rolling-drain\ncluster { nodes: 3 }\n"
                    f"deployment web {{ replicas: {replicas}\n"
                    "  template { labels: { app: web } container app { } } }\n"
                    "pdb web-pdb { selector: { app: web } minAvailable: 2 }\n"
                    "environment { include: [rolling-drain] nodeFailures: 1 }\n"
                    "check budget-respected\n", encoding="utf-8")
    return str(spec)
