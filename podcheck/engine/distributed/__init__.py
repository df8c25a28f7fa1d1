"""The frontier-partitioned BFS on a Dask cluster (`pip install 'podcheck[distributed]'`).

Stage: `podcheck.engine`.  `cluster.explore_cluster` runs the partitions of
`engine/partition.py` as Dask actors (`actor.py`), coordinated by `engine/partitioned.py`
from the client.  Importing this package needs no Dask; `missing()` says whether the
extra is installed, and the modules below import it.
"""

from __future__ import annotations

import importlib.util

INSTALL = "pip install 'podcheck[distributed]'"


def missing() -> str | None:
    """Why the distributed engine cannot run here (the extra is not installed), or None."""
    if importlib.util.find_spec("distributed") is None:
        return f"--cluster needs Dask distributed: {INSTALL}"
    return None
