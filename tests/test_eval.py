"""Search quality must not regress: top-1 targets on both evaluation FAQs, and
every unrelated query rejected."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "eval"))
from evaluate import cases, evaluate, ours, store

TARGETS = {"partnership": 0.97, "debian": 0.92}


@pytest.mark.parametrize("name", TARGETS)
def test_top1_accuracy_and_rejection(name: str) -> None:
    report = evaluate(name, ours(store(name)))
    assert report.accuracy >= TARGETS[name], report.misses
    assert report.rejected == report.unrelated, report.misses


@pytest.mark.parametrize("name", TARGETS)
def test_evaluation_sets_are_big_enough(name: str) -> None:
    expected = [e for e, _ in cases(name)]
    assert sum(e is None for e in expected) >= 10
    assert sum(e is not None for e in expected) >= (60 if name == "partnership" else 40)
    assert len(store(name).ids()) >= (8 if name == "partnership" else 100)
