"""glibc's allocator, told to keep freed memory in a worker process.

Stage: inside `podcheck.engine`, used by `engine/workers.py` in each forked worker.

NOTE(worker-malloc): a partition allocates and frees arrays of 0.5-30 MB per chunk
(columns, successors, the batches received from a peer and their pickled bytes).  With
glibc's defaults an array over the mmap threshold (128 KiB, raised only as large blocks
are freed) is mapped afresh and the top of the heap is given back to the system as
soon as 128 KiB-2x the threshold is free, so the next chunk's arrays fault in new zeroed
pages: on B1 N=16 (2 workers, loaded machine) 188 000 minor faults and 1.4 s of system
CPU against 109 000 and 0.6 s once the worker keeps what it freed (docs/scaling.md).
`keep_freed_memory` sets the mmap threshold to 32 MiB (glibc's largest: the stores'
long-lived arrays above it are still mapped) and the trim threshold and top pad so
that freed memory is reused, not returned, while the worker lives.  It changes where
freed memory goes, never a value computed, so no count, id or verdict can change; a
worker's RSS stays at its high-water mark (it is freed when the worker ends).  One
process (`vector.explore_vector`) gained nothing measurable from it, so it is only set
in the workers.  A C library without `mallopt` (not glibc) is left as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's malloc.h
MMAP_THRESHOLD = 32 << 20  # glibc's largest (HEAP_MAX_SIZE / 2 on 64-bit)
TRIM_THRESHOLD = 1 << 30  # free heap kept before any is returned
TOP_PAD = 64 << 20  # heap grown by at least this much at a time


def keep_freed_memory() -> bool:
    """Tell this process's C allocator to reuse freed memory (NOTE(worker-malloc));
    whether it took every setting."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    settings = ((M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
                (M_TOP_PAD, TOP_PAD))  # fmt: skip
    return all([mallopt(option, value) == 1 for option, value in settings])
