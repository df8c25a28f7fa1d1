"""Mutated specs never make `load` or the renderers raise (Hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcheck.diagnostics.render import render
from podcheck.lang.check import load_with_sources

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "specs/examples").glob("*.pod"))]
WORDS = [
    "{", "}", "[", "]", ":", "..", "0", "-1", "10s", "50%", "256Mi", "all", "Always", "fails",
    "template", "container x { }", "behavior", "pod", "replicas: 0", "ports: [1, 1]",
    "always", "eventually", "~>", "forall q in pods:", "count(", ")", "p.phase ==", "Runing",
    "import \"missing.pod\"", "check init-order(", "expect", "holds", "\t", "\n", "\x00", "é",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            text = text[:at] + " " + draw(st.sampled_from(WORDS)) + " " + text[at:]
    return text


@st.composite
def swapped(draw: st.DrawFn) -> str:
    """Whole words replaced by other words of the corpus: mostly still parses."""
    text = draw(st.sampled_from(SEEDS))
    tokens = text.split(" ")
    pool = sorted({t for seed in SEEDS for t in seed.split()} | set(WORDS))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(tokens) - 1))
        tokens[i] = draw(st.sampled_from(pool))
    return " ".join(tokens)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(), swapped()))
def test_mutated_specs_never_raise(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.pod"
        path.write_text(text, encoding="utf-8")
        loaded = load_with_sources(str(path))
    result = loaded.result
    assert (result.value is None) == (not result.ok)
    for fmt in ("text", "json", "github"):
        render(result.diagnostics, loaded.sources, fmt)
