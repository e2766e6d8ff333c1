"""Search quality must not regress: top-1 targets on every evaluation set, and
every unrelated or off-topic query rejected on every FAQ. The thresholds sit a
little below what `python tests/eval/evaluate.py` measured on the development
sets; the held-out sets are not gated (see docs/evaluation.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "eval"))
from evaluate import FAQS, GENERATED, cases, evaluate, evaluate_generated, generated, ours, store

# (FAQ, query set) -> lowest top-1 accuracy; measured 98.0% and 96.9% (words),
# and 67.5%, 67.5% and 77.5% (meaning) with words and the sentence model
# weighed together (2026-12-06); on the three FAQs merged into one, 93.9%
# (words) and 60.0% (meaning).
TARGETS = {
    ("partnership", "words"): 0.97,
    ("debian", "words"): 0.95,
    ("partnership", "meaning"): 0.65,
    ("debian", "meaning"): 0.65,
    ("python", "meaning"): 0.75,
    ("merged", "words"): 0.92,
    ("merged", "meaning"): 0.58,
}


# Generated single words (tests/eval/make_word_sets.py) -> lowest top-1 share on
# every FAQ: issue #17's 28, 27 and 27 of 30. Measured 100% on each but one
# Debian prefix ("direct": "directly" ranks before "directory").
WORD_TARGETS = {"answer": 28 / 30, "typo": 27 / 30, "prefix": 27 / 30}


@pytest.fixture(scope="module", params=[*FAQS, "merged"])
def corpus(request: pytest.FixtureRequest) -> tuple[str, object]:
    return request.param, ours(store(request.param))


def test_top1_accuracy(corpus: tuple[str, object]) -> None:
    name, rank = corpus
    for (faq, kind), target in TARGETS.items():
        if faq == name:
            report = evaluate(name, rank, kind)  # type: ignore[arg-type]
            assert report.accuracy >= target, (kind, report.misses)


@pytest.mark.parametrize("name", FAQS)
def test_generated_single_words_find_an_entry_that_has_them(name: str) -> None:
    rank = ours(store(name))
    for kind, target in WORD_TARGETS.items():
        report = evaluate_generated(name, rank, kind)
        assert report.queries >= 10 and report.accuracy >= target, (kind, report.misses)


def test_unrelated_and_off_topic_queries_find_nothing(corpus: tuple[str, object]) -> None:
    name, rank = corpus
    for kind in ("words", "offtopic"):
        report = evaluate(name, rank, kind)  # type: ignore[arg-type]
        assert report.rejected == report.unrelated, (kind, report.misses)


@pytest.mark.parametrize("name", FAQS)
def test_evaluation_sets_are_big_enough(name: str) -> None:
    assert sum(e is not None for e, _ in cases(name, "meaning")) >= 40
    assert len(cases(name, "offtopic")) >= 60
    for heldout in ("heldout", "heldout2"):
        assert sum(e is not None for e, _ in cases(name, "meaning", heldout)) >= 20
        assert len(cases(name, "offtopic", heldout)) >= 30
    assert len(cases(name, "offtopic")) >= 180  # with offtopic-more.tsv
    assert {kind: len(generated(name, kind)) >= 10 for kind in GENERATED} == dict.fromkeys(GENERATED, True)
    if name != "python":
        expected = [e for e, _ in cases(name)]
        assert sum(e is None for e in expected) >= 10
        assert sum(e is not None for e in expected) >= (60 if name == "partnership" else 40)
