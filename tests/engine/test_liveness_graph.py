"""The compact edge table of `engine/graph.py` (`CsrEdges`): rows read back as the
lists of pairs they were made of, in order, and compare equal to them."""

from __future__ import annotations

import pytest

from podcheck.engine.graph import CsrEdges


def test_rows_read_back_in_order() -> None:
    rows = [[(0, 1), (2, 3)], [], [(1, 0)]]
    csr = CsrEdges.of(rows)
    assert len(csr) == 3 and list(csr) == rows and csr[1] == [] and csr[2] == [(1, 0)]
    assert csr == rows and csr == CsrEdges.of(rows) and csr != [[(0, 1)]]
    assert csr.edge_count() == 3
    with pytest.raises(IndexError):
        csr[3]
    csr.append([(5, 6)])
    assert csr[3] == [(5, 6)]
