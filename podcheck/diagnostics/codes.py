"""The registry of diagnostic codes: every code podcheck can emit, documented once.

Codes are grouped by hundreds per stage and never reused:
0xx syntax, 1xx names and imports, 2xx fields and types, 3xx model construction,
5xx engine and solver.  Each entry carries the text `podcheck explain PCnnn` prints
(what it means, a minimal failing spec, the fix); docs/diagnostics.md is generated
from this table (`python -m podcheck.diagnostics.gendocs`) and a test keeps it in sync.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    """One diagnostic code: `PC204`, kebab-case name, one-line summary, long docs.

    `example` is a minimal spec that triggers it; `fix` says how to repair it.
    """

    code: str
    name: str
    summary: str
    explanation: str
    example: str
    fix: str

    def __post_init__(self) -> None:
        assert self.code.startswith("PC") and len(self.code) == 5 and self.code[2:].isdigit()
        assert self.name == self.name.lower() and " " not in self.name


# NOTE(code-registry): add entries only inside your stage's section, keep each section
# sorted by code, and never renumber or reuse a code.
_ENTRIES: tuple[Code, ...] = (
    # ---- 0xx: syntax -------------------------------------------------------------
    # ---- 1xx: names and imports --------------------------------------------------
    # ---- 2xx: fields and types ---------------------------------------------------
    # ---- 3xx: model construction -------------------------------------------------
    # ---- 5xx: engine and solver --------------------------------------------------
)

REGISTRY: dict[str, Code] = {c.code: c for c in _ENTRIES}
assert len(REGISTRY) == len(_ENTRIES), "duplicate diagnostic code"


def lookup(code: str) -> Code | None:
    """The registry entry for `code` (case-insensitive, `PC101` or `101`), if any."""
    key = code.strip().upper()
    if key.isdigit():
        key = f"PC{int(key):03d}"
    return REGISTRY.get(key)
