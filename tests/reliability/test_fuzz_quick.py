"""A quick run of the fuzz harness (bench/fuzz.py): no input makes parse, fmt or check raise.

Seeded and small (a few seconds); `python bench/fuzz.py --inputs 20000` is the long run.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import fuzz


def _exercise(data: bytes, check: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.pod"
        path.write_bytes(data)
        return fuzz.exercise(path, check)


def test_the_corpus_is_every_bundled_spec() -> None:
    assert len(fuzz.CORPUS) >= 40
    assert any("models" in p.parts for p in fuzz.CORPUS)


def test_a_seeded_run_finds_no_traceback() -> None:
    figures = fuzz.fuzz(150, seed=2024, check_every=10)
    assert figures.inputs == 150 and not figures.tracebacks, fuzz.report(figures)
    assert len(figures.by_generator) >= 4 and figures.outcomes["diagnostics"] > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    assert _exercise(data, check=False) in ("diagnostics", "loaded")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(0, len(fuzz.CORPUS) - 1))
def test_grammar_aware_mutations(rng: random.Random, index: int) -> None:
    text = fuzz.CORPUS[index].read_text(encoding="utf-8")
    mutated = fuzz.mutate_tokens(rng, text) if rng.random() < 0.7 else fuzz.mutate_value(rng, text)
    _exercise(mutated.encode("utf-8"), check=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_small_generated_specs_check_without_raising(rng: random.Random) -> None:
    outcome = _exercise(fuzz.generated_spec(rng).encode("utf-8"), check=True)
    assert outcome in ("diagnostics", "loaded") or outcome.startswith("checked-exit-")


def test_the_yaml_corpus_is_every_bundled_manifest() -> None:
    assert len(fuzz.YAML_CORPUS) >= 10


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(0, len(fuzz.YAML_CORPUS) - 1))
def test_yaml_mutations(rng: random.Random, index: int) -> None:
    text = fuzz.YAML_CORPUS[index].read_text(encoding="utf-8")
    data = (fuzz.mutate_yaml(rng, text).encode("utf-8") if rng.random() < 0.7
            else fuzz.mutate_bytes(rng, text.encode("utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.yaml"
        path.write_bytes(data)
        assert fuzz.exercise_yaml(path, check=rng.random() < 0.2).startswith("yaml-")


def test_a_seeded_run_reads_manifests_too() -> None:
    figures = fuzz.fuzz(60, seed=7, check_every=10)
    assert not figures.tracebacks, fuzz.report(figures)
    assert any(k.startswith("yaml-") for k in figures.by_generator)


def test_the_long_run_reports_its_figures() -> None:
    figures = fuzz.fuzz(20, seed=5, check_every=4)
    text = fuzz.report(figures)
    assert text.startswith("inputs: 20 in ") and "tracebacks: 0" in text
