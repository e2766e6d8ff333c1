"""Scoring from postings alone equals scoring every entry word by word.

The index ranks from each word's postings (by tier: question or tags, sources,
answer) and keeps only the best `limit` entries. Here a reference scores every
entry of the FAQ straight from its fields' words, as the ranking is specified,
sorts them all, and must agree exactly, on every evaluation query and on
random queries (with typos) over a generated FAQ.
"""

from __future__ import annotations

import functools
import math
import random
import sys
from pathlib import Path

import pytest
from pyroaring import BitMap

from faq_cli import match, meaning, rank
from faq_cli.index import build
from faq_cli.load import load_path
from faq_cli.model import Entry, Faq
from faq_cli.store import Store, _SqlVocabulary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "eval"))
sys.path.insert(0, str(ROOT / "benchmarks"))
import evaluate  # noqa: E402
from generate import generate, repeat_real  # noqa: E402


@functools.cache
def words_of(faq: Faq) -> list[dict[str, set[str]]]:
    """Each entry's (then the summary's) words, field by field."""
    docs = [*faq.entries, *([faq.summary] if faq.summary else [])]
    return [dict(zip(match.FIELDS, match.field_words(match.as_document(d)), strict=True)) for d in docs]


def reference(faq: Faq, qwords: list[str], matches: dict[str, dict[str, float]]) -> dict[int, rank.Lexical]:
    """Every entry scored from its own words: each query word's best match,
    times the weight of the best field it is in."""
    info = [q for q in qwords if q not in rank.STOPWORDS]
    weight = {q: rank.STOPWORD_WEIGHT if q in rank.STOPWORDS else 1.0 for q in qwords}
    total = sum(weight.values())
    docs = words_of(faq)
    # A word says something when at most half the entries (with the summary) have it.
    specific = any(
        sum(any(w in words for w in matches[q] for words in fields.values()) for fields in docs)
        <= rank.COMMON * len(docs)
        for q in info
    )
    # A word's rarity: the log of (rows + 1) over (the entries it is in + 1).
    rows = len(docs)
    rarity = {
        q: math.log(
            (rows + 1)
            / (sum(any(w in words for w in matches[q] for words in fields.values()) for fields in docs) + 1)
        )
        for q in info
    }
    out = {}
    for pos, fields in enumerate(docs):
        covered = closeness = coverage = found = sure = held = 0.0
        beyond = False
        for q in qwords:
            here = [(w, sim, f) for w, sim in matches[q].items() for f in match.FIELDS if w in fields[f]]
            if not here:
                continue
            covered += weight[q]
            closeness += weight[q] * max(sim * rank.FIELD_WEIGHT[f] for _, sim, f in here)
            if q not in rank.STOPWORDS:
                held += rarity[q] * max(sim * rank.FIELD_WEIGHT[f] for _, sim, f in here)
                coverage += max(sim for _, sim, _ in here)
                found += 1
                sure += any(sim >= match.SURE for _, sim, _ in here)
                beyond = beyond or any(f != "answer" and sim >= match.SURE for _, sim, f in here)
        if coverage:
            vouched = sure == len(info) and (len(info) == len(qwords) or (beyond and specific))
            share = held / sum(rarity.values()) if sum(rarity.values()) else 0.0
            strength = share * min(1.0, held / math.log(rows + 1))
            out[pos] = rank.Lexical(
                100 * closeness / total, coverage / len(info), found / len(info), covered, vouched, strength
            )
    return out


def exhaustive(
    lexical: dict[int, rank.Lexical],
    lengths: list[int],
    limit: int,
    similar: dict[int, float],
    threshold: float,
) -> list[rank.Ranked]:
    """Every candidate fused and sorted, the slow and obvious way."""
    keyed = []
    for pos in lexical.keys() | {p for p, s in similar.items() if s >= threshold}:
        lex = lexical.get(pos)
        score = rank.fuse(lex, similar.get(pos), threshold)
        if score is not None:
            key = (-score, -(lex.covered if lex else 0.0), lengths[pos], pos)
            keyed.append((key, rank.Ranked(pos, round(score), lex is not None)))
    return [ranked for _, ranked in sorted(keyed)[:limit]]


def check(faq: Faq, store: Store, query: str) -> None:
    qwords = match.query_words(query)
    model = store._model() if match.informative(qwords) else None
    is_word = model.is_word if model else None
    matches = {q: match.word_matches(_SqlVocabulary(store.db), q, is_word) for q in qwords}
    groups = rank.lexical(store._postings, qwords, matches, len(store._lengths()))
    scores = {pos: lex for lex, members in groups for pos in members}
    assert sum(len(members) for _, members in groups) == len(scores), query  # groups are disjoint
    assert scores == reference(faq, qwords, matches), query
    similar = store._similarities(model, query) if model else None
    everything = similar.everything() if similar else {}
    threshold = store.meta.get("threshold", 1.0)
    docs = [*faq.entries, *([faq.summary] if faq.summary else [])]
    lengths = [len(match.as_document(d).question) for d in docs]
    for limit in (1, 5, 50):
        expected = exhaustive(scores, lengths, limit, everything, threshold)
        assert rank.rank(groups, store._lengths(), limit, 0, similar, threshold) == expected, query
    assert rank.rank(groups, store._lengths(), 5, 0, None, 1.0) == exhaustive(scores, lengths, 5, {}, 1.0)


@pytest.mark.parametrize("corpus", list(evaluate.FAQS))
def test_every_evaluation_query_scores_as_the_reference(corpus: str) -> None:
    faq = load_path(evaluate.FAQS[corpus])
    store = Store(build(faq, {}))
    queries = [q for kind in ("words", "meaning", "offtopic") for _, q in evaluate.cases(corpus, kind)]
    assert len(queries) >= 60
    for query in queries:
        check(faq, store, query)


def test_random_queries_on_a_generated_faq_score_as_the_reference(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    generate(10_000, path, seed=7)
    faq = load_path(path)
    store = Store(build(faq, {}))
    rng = random.Random(7)
    vocabulary = sorted(
        {w for e in faq.entries[:300] for w in match.field_words(e)[0] | match.field_words(e)[3]}
    )
    for _ in range(60):
        chosen = rng.sample(vocabulary, rng.randint(1, 4)) + rng.sample(
            sorted(rank.STOPWORDS), rng.randint(0, 2)
        )
        typo = rng.randrange(len(chosen))
        word = chosen[typo]
        if len(word) > 5:  # a dropped letter, within the typo allowance
            cut = rng.randrange(1, len(word))
            chosen[typo] = word[:cut] + word[cut + 1 :]
        rng.shuffle(chosen)
        check(faq, store, " ".join(chosen))


@pytest.mark.parametrize("probe", [meaning.PROBE, 50])
def test_a_faq_of_many_near_copies_ranks_its_ties_as_the_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, probe: int
) -> None:
    # Copies of an entry score alike on words and nearly alike on meaning: the
    # ties are broken by similarity, then question length, then file order.
    # With a small probe, most entries share their cluster's similarity.
    monkeypatch.setattr(meaning, "PROBE", probe)
    path = tmp_path / "faq.yaml"
    repeat_real(720, path)
    faq = load_path(path)
    store = Store(build(faq, {}))
    for _, query in evaluate.cases("debian", "words")[:40] + evaluate.cases("debian", "meaning")[:20]:
        check(faq, store, query)


def lexical_of(faq: Faq, query: str) -> dict[int, rank.Lexical]:
    """Each matching entry's word-level score, by position, as the index computes it."""
    store = Store(build(faq, {}))
    qwords = match.query_words(query)
    model = store._model()
    is_word = model.is_word if model else None
    matches = {q: match.word_matches(_SqlVocabulary(store.db), q, is_word) for q in qwords}
    groups = rank.lexical(store._postings, qwords, matches, len(store._lengths()))
    return {pos: lex for lex, members in groups for pos in members}


PANGOLINS = Faq(
    (
        Entry(1, "What is it?", "A pangolin is a mammal.", (), ()),
        Entry(2, "Pangolin facts?", "Scaly.", (), ()),
        Entry(3, "Where do they live?", "In Asia and Africa.", (), ()),
        Entry(4, "What do they eat?", "Ants.", (), ()),
    )
)


# "pangolin" is in 2 of the 4 entries: its rarity is ln(5 / 3) = 0.5108, of
# at most ln(5) = 1.6094. Found in a question, its evidence is 0.5108 / 1.6094;
# in an answer (weight 0.7), 0.7 x 0.7 x 0.5108 / 1.6094.
PANGOLIN_EVIDENCE = 0.31739
ANSWER_EVIDENCE = 0.15552


def test_a_keyword_found_only_in_an_answer_vouches_for_its_entry() -> None:
    # Bare keywords are searched as grep would: the answer's word counts, at the answer's weight.
    found = lexical_of(PANGOLINS, "pangolin")
    assert {pos: lex[:5] for pos, lex in found.items()} == {
        0: (70.0, 1.0, 1.0, 1.0, True),
        1: (100.0, 1.0, 1.0, 1.0, True),
    }
    assert found[0].evidence == pytest.approx(ANSWER_EVIDENCE, abs=1e-5)
    assert found[1].evidence == pytest.approx(PANGOLIN_EVIDENCE, abs=1e-5)


def test_a_question_found_only_in_an_answer_is_left_to_the_meaning() -> None:
    # what, is, a: stop words of weight 0.2 each; the total weight is 1.6.
    found = lexical_of(PANGOLINS, "what is a pangolin")
    assert found[0][:5] == (100 * (0.2 + 0.2 + 0.2 * 0.7 + 0.7) / 1.6, 1.0, 1.0, 1.6, False)
    assert found[1][:5] == (100 * 1.0 / 1.6, 1.0, 1.0, 1.0, True)
    # Stop words say nothing of which entry is meant.
    assert found[0].evidence == pytest.approx(ANSWER_EVIDENCE, abs=1e-5)
    assert rank.fuse(found[0], 0.1, 0.5) is None  # far from the meaning: not about it
    assert rank.fuse(found[1], 0.1, 0.5) == 100 / 1.6 / 2 + 5


def test_a_word_in_most_entries_does_not_vouch_for_a_question() -> None:
    faq = Faq(tuple(Entry(i, f"Pangolin question {i}?", "Yes.", (), ()) for i in range(1, 4)))
    assert {lex.vouched for lex in lexical_of(faq, "what is a pangolin").values()} == {False}
    # As keywords, it finds them all.
    assert {lex.vouched for lex in lexical_of(faq, "pangolin").values()} == {True}


def test_a_typo_vouches_unless_the_word_is_one_of_the_language() -> None:
    faq = Faq((Entry(1, "Where is the short manual?", "Here.", (), ()), *PANGOLINS.entries[1:]))
    assert lexical_of(faq, "where is the shrot manual")[0].vouched  # a slip of the keys
    assert lexical_of(faq, "where is the shrot manual")[0].coverage == (match.TYPO[1] + 1) / 2
    assert not lexical_of(faq, "where is the shirt manual")[0].vouched  # a word the FAQ lacks


def test_an_entry_found_by_meaning_alone_can_beat_weak_word_matches() -> None:
    # Entry 0 matches the words, weakly, and is not much like the query; entry 1
    # matches no word but means much the same: its 50 x 0.9 beats 20 / 2 + 50 x 0.5.
    lex = rank.Lexical(20.0, 1.0, 1.0, 1.0, True)
    similar = {0: 0.5, 1: 0.9, 2: 0.1}
    expected = exhaustive({0: lex}, [10, 10, 10], 2, similar, 0.4)
    assert [r.pos for r in expected] == [1, 0]
    for limit in (1, 2):
        found = rank.rank([(lex, BitMap([0]))], [10, 10, 10], limit, 0, meaning.Meaning(similar, []), 0.4)
        assert found == expected[:limit]
        # The same, with entry 1 known only by its cluster's similarity.
        clustered = meaning.Meaning({0: 0.5, 2: 0.1}, [(0.9, BitMap([1]))])
        assert rank.rank([(lex, BitMap([0]))], [10, 10, 10], limit, 0, clustered, 0.4) == expected[:limit]
