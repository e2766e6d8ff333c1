"""Search ranking on the shipped FAQ: the way people type, and refusing to guess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faq_cli import match, rank, text
from faq_cli.index import build
from faq_cli.load import load_path, load_text
from faq_cli.match import close_words, osa_distance, typo_allowance
from faq_cli.model import Entry, Faq
from faq_cli.rank import Hit
from faq_cli.store import Store, _SqlVocabulary

ROOT = Path(__file__).resolve().parent.parent
STORE = Store(build(load_path(ROOT / "data" / "faq.yaml"), {}))  # the same SQLite index, in memory


def search(store: Store, query: str, limit: int = 5, min_score: int = 0) -> list[Hit]:
    return store.search(query, limit, min_score)


def in_memory(faq: Faq) -> Store:
    return Store(build(faq, {}))


def top(query: str) -> int | None:
    hits = search(STORE, query)
    return hits[0].entry.id if hits else None


@pytest.mark.parametrize("query", ["Costa Rica", "costa rica", "Costa Rca", "CÓSTA RICA", "rica costa"])
def test_costa_rica_finds_entry_8(query: str) -> None:
    assert top(query) == 8


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("when was it announced", 2),
        ("NALS", 7),
        ("GAO", 6),
        ("México working group", 6),
        ("benifits", 4),
        ("Reuters", 2),
        ("Milken", 3),
        ("cooperation", 5),
        ("co-operation framework", 5),
        ("leaders summit", 7),
        ("semicond international", 8),
        ("ICT", 6),
    ],
)
def test_typos_accents_abbreviations_and_sources(query: str, expected: int) -> None:
    assert top(query) == expected


@pytest.mark.parametrize("query", ["pizza recipe", "banana", "weather tomorrow", "what is the", "zzz"])
def test_unrelated_queries_find_nothing(query: str) -> None:
    assert search(STORE, query) == []


def test_short_words_need_whole_word_matches() -> None:
    assert typo_allowance("gao") == 0 and typo_allowance("mexco") == 1 and typo_allowance("semiconductr") == 2
    assert search(STORE, "GA") == []


def test_a_word_of_three_letters_matches_only_itself() -> None:
    # Acronyms, mostly: "api" is neither "apiary" nor the start of "apis".
    faq = in_memory(
        Faq((Entry(1, "Is there an API?", "Yes."), Entry(2, "Who keeps the apiary and its apis?", "Bees.")))
    )
    vocabulary = _SqlVocabulary(faq.db)
    assert match.word_matches(vocabulary, "api") == {"api": 1.0}
    assert match.word_matches(vocabulary, "apia") == {"apiary": 0.7 + 0.2 * 4 / 6}  # four letters: a prefix


def test_a_word_typed_in_part_counts_less_than_the_whole_word() -> None:
    entries = (
        Entry(1, "Is it portable?", "Yes."),
        Entry(2, "Which port does the server listen on?", "8080."),
    )
    faq = in_memory(Faq(entries))
    closeness = match.word_matches(_SqlVocabulary(faq.db), "port")
    assert closeness["port"] == 1.0 and 0.7 < closeness["portable"] < 1.0
    hits = faq.search("port")
    # The whole word first, though the other question is shorter and comes first.
    assert [h.entry.id for h in hits][:2] == [2, 1] and hits[0].score > hits[1].score  # type: ignore[union-attr]


def test_scores_are_best_first_between_0_and_100() -> None:
    hits = search(STORE, "semiconductor supply chain partnership", limit=8)
    assert len(hits) == 8
    assert all(0 <= h.score <= 100 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_limit_and_min_score() -> None:
    assert len(search(STORE, "semiconductor", limit=3)) == 3
    query = "semiconductor supply chain partnership"
    every = search(STORE, query, limit=9)
    scores = [h.score for h in every]
    cut = (min(scores) + max(scores)) // 2  # results on both sides of it
    kept = search(STORE, query, limit=9, min_score=cut)
    assert 0 < len(kept) < len(every)
    assert kept == [h for h in every if h.score >= cut]


def test_accents_are_folded_on_every_word() -> None:
    # Three accented words, each an edit away from the plain spelling: more
    # than the typo allowance could forgive.
    assert top("méxíco cóstá rícá") == top("mexico costa rica") == 8
    assert [h.entry.id for h in STORE.exact("CÓSTÁ RÍCÁ")] == [8]


def test_matched_fields_are_reported() -> None:
    hit = search(STORE, "GAO")[0]
    assert list(hit.matched) == ["sources"] and hit.matched["sources"] == {"gao"}


def test_ties_break_by_shorter_question_then_file_order() -> None:
    faq = load_text(
        "entries:\n- {question: alpha beta gamma, answer: x}\n"
        "- {question: alpha beta, answer: x}\n- {question: alpha beta, answer: x}\n",
        "f",
    )
    assert [h.entry.id for h in search(in_memory(faq), "alpha")] == [2, 3, 1]


def test_exact_is_a_literal_substring_ignoring_case_and_accents() -> None:
    assert [h.entry.id for h in STORE.exact("COSTA rica")] == [8]
    assert STORE.exact("costa rca") == []
    assert [h.entry.id for h in STORE.exact("méxico working")] == [6]


def test_suggest_offers_the_closest_words() -> None:
    hint = STORE.suggest
    assert hint("benefts") == "benefits"  # one edit, as search allows for 7 letters
    assert hint("benefts costa") == "benefits costa"
    assert hint("benifts") is None  # two edits: more than search allows
    assert hint("pizza") is None
    assert hint("x") is None and hint("xp") is None  # too short to guess from
    assert hint("the pizza") is None  # stop words are never "corrected"


def test_the_summary_is_searchable_and_labelled(run) -> None:  # type: ignore[no-untyped-def]
    for word in ("Taiwan", "Biden", "workforce"):
        result = run("search", word, "--json")
        assert result.exit_code == 0, result.stderr
        first = json.loads(result.stdout)[0]
        assert (first["kind"], first["id"]) == ("summary", None)
        assert first["question"].startswith("US, Mexico to partner")
    plain = run("search", "Taiwan").stdout
    assert plain.startswith("summary\t")
    assert run("list", "--json").stdout.count('"id"') == 8  # still the entries only


@pytest.mark.parametrize(
    ("faq", "query", "expected"),
    [
        ("debian-faq.yaml", "donate money to debian", 116),  # "contribute financially"
        ("python-faq.yaml", "get rid of repeated elements in a list", 62),  # "remove duplicates"
    ],
)
def test_paraphrases_are_found_by_meaning(run, faq: str, query: str, expected: int) -> None:  # type: ignore[no-untyped-def]
    path = str(ROOT / "tests" / "eval" / faq)
    result = run("search", query, "--json", "--data", path)
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["id"] == expected


def test_without_the_static_vectors_the_sentence_model_still_answers(run, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("faq_cli.meaning.TABLE", tmp_path / "missing.sqlite")
    found = run("search", "what advantages will it bring", "--json", "--no-cache")
    assert (found.exit_code, found.stderr) == (0, "")
    assert json.loads(found.stdout)[0]["id"] == 4


def test_without_the_models_search_goes_by_words_and_says_nothing(run, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("faq_cli.meaning.TABLE", tmp_path / "missing.sqlite")
    monkeypatch.setattr("faq_cli.encoder.WEIGHTS", tmp_path / "missing.safetensors")
    found = run("search", "Costa Rica", "--json", "--no-cache")
    assert found.exit_code == 0 and found.stderr == ""
    assert json.loads(found.stdout)[0]["id"] == 8
    assert json.loads(found.stdout)[0]["score"] == 100  # the word score alone
    missed = run("search", "what advantages will it bring", "--no-cache")
    assert missed.exit_code == 1 and "Traceback" not in missed.stderr


# --- typo distance: our own for a few candidates, RapidFuzz's for many -------------

_letters = st.text(alphabet="abcdeé", min_size=1, max_size=12)


@settings(max_examples=2000, deadline=None)
@given(a=_letters, b=_letters, limit=st.integers(min_value=1, max_value=2))
def test_osa_distance_is_rapidfuzz_s_within_the_limit(a: str, b: str, limit: int) -> None:
    from rapidfuzz.distance import OSA

    expected = OSA.distance(a, b)
    assert osa_distance(a, b, limit) == (expected if expected <= limit else None)


def test_close_words_agree_with_and_without_rapidfuzz(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    rng = random.Random(3)
    words = sorted({"".join(rng.choice("abcdeé") for _ in range(rng.randint(3, 9))) for _ in range(3000)})
    for q in words[::150]:
        own = close_words(q, words, 2)
        monkeypatch.setattr(match, "RAPIDFUZZ_FROM", 1)
        theirs = close_words(q, words, 2)
        monkeypatch.undo()
        assert sorted(own) == sorted(theirs), q


def _words_unicode(sample: str) -> list[str]:
    """`text.words` by the general path only: Unicode letter classes, full folding."""
    import unicodedata

    t = text.compiled(text._MARKS).sub("", unicodedata.normalize("NFKD", sample)).casefold()
    if "'" in t or "’" in t:
        t = text.compiled(text._APOSTROPHE).sub("", text.compiled(text._APOSTROPHE_S).sub("", t))
    if "." in t:
        t = text.compiled(text._DOTTED[False]).sub(lambda m: m.group().replace(".", ""), t)
    out = text.compiled(text._WORD[False]).findall(t)
    if "-" in t:
        out += [a + b for a, b in text.compiled(text._HYPHENATED[False]).findall(t)]
    return [w for w in out if len(w) <= text.MAX_WORD]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9_.-'’ é\u0301\tU.S", max_size=40) | st.text(max_size=40))
def test_the_ascii_fast_path_finds_the_same_words(sample: str) -> None:
    import unicodedata

    assert text.words(sample) == _words_unicode(sample)
    assert (
        text.fold(sample)
        == text.compiled(text._MARKS).sub("", unicodedata.normalize("NFKD", sample)).casefold()
    )


def test_word_families_keep_a_stem_of_three_letters_for_a_plural_and_four_else() -> None:
    words = ("bugs", "cats", "testing", "installation", "mixed", "is")
    assert [text.stem(w) for w in words] == ["bug", "cat", "test", "install", "mixed", "is"]


def test_a_typo_of_two_edits_in_a_long_word_is_a_sure_match() -> None:
    entries = (Entry(1, "Where is the documentation?", "Online."), Entry(2, "Who wrote it?", "Us."))
    faq = in_memory(Faq(entries))
    hits = faq.search("documantetion")  # two letters replaced, of thirteen
    assert [h.entry.id for h in hits][:1] == [1]  # type: ignore[union-attr]
    qwords = match.query_words("documantetion")
    matches = {q: match.word_matches(_SqlVocabulary(faq.db), q) for q in qwords}
    assert matches == {"documantetion": {"documentation": match.TYPO[2]}}
    assert match.TYPO[2] >= match.SURE  # so that it vouches, as a word the FAQ has would


def test_typo_allowance_grows_at_5_and_9_letters() -> None:
    # One edit from 5 letters, two from 9, as Meilisearch allows.
    assert [typo_allowance("x" * n) for n in range(1, 12)] == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]


def test_exact_puts_question_hits_first_and_keeps_to_the_limit() -> None:
    faq = load_text(
        "entries:\n"
        "- {question: First?, answer: it says zebra here}\n"
        "- {question: Where is the zebra?, answer: nowhere}\n"
        "- {question: Third?, answer: another zebra}\n"
        "- {question: Fourth?, answer: no stripes}\n",
        "f",
    )
    store = in_memory(faq)
    assert [h.entry.id for h in store.exact("zebra")] == [2, 1, 3]  # the question's hit, then file order
    assert [h.entry.id for h in store.exact("zebra", 1)] == [2]
    assert [h.entry.id for h in store.exact("zebra", 2)] == [2, 1]
    assert {f for h in store.exact("zebra") for f in h.matched} == {"question", "answer"}


def test_fused_scores_written_out() -> None:
    # Worked by hand from rank.py's constants, not computed with its functions.
    vouched = rank.Lexical(80.0, 1.0, 1.0, 1.0, True)
    partial = rank.Lexical(40.0, 0.5, 0.5, 1.0, False)
    assert rank.fuse(vouched, 0.1, 0.9) == 80 / 2 + 50 * 0.1  # vouched: any similarity
    assert rank.fuse(partial, 0.86, 0.9) == 40 / 2 + 50 * 0.86  # 0.05 of slack for half the words
    assert rank.fuse(partial, 0.84, 0.9) is None
    assert rank.fuse(None, 0.9, 0.9) == 45.0 and rank.fuse(None, 0.89, 0.9) is None
    assert rank.fuse(partial, None, 0.9) == 40.0  # no model: the words alone


def test_the_sentence_model_needs_the_static_vectors_consent() -> None:
    import numpy as np

    margins = np.array([0.1, 0.1, 0.1, -0.01], np.float32)  # past the model's own bars, but the last
    bar = 0.3  # the FAQ's static bar; STATIC_DOUBT below it is 0.1
    static_margins = np.array([0.35, 0.11, 0.09, 0.5], np.float32)
    assert rank.agreed(margins, static_margins, bar).tolist() == [True, True, False, False]


def test_sentence_model_scores_written_out() -> None:
    # Similarity plus 0.4 x the words' evidence, x 100 / 1.4; worked by hand.
    import numpy as np
    from pyroaring import BitMap

    rare = rank.Lexical(80.0, 1.0, 1.0, 1.0, True, 0.9)  # a name only this entry has
    common = rank.Lexical(60.0, 1.0, 1.0, 1.0, False, 0.05)  # words most entries share
    sims = np.array([0.3, 0.45, 0.55, 0.3, 0.6], np.float32)
    close = np.array([False, True, True, False, False])  # past their bars, by the model
    static = np.array([-2.0, -2.0, -2.0, 0.95, 0.5], np.float32)  # the static threshold is 0.9
    groups = [(rare, BitMap([0])), (common, BitMap([1, 3, 4]))]
    ranked = rank.rank_sentences(groups, rank.Sentences(sims, close), static, 0.9, [10] * 5, 5, 0)
    assert ranked == [
        rank.Ranked(0, 47, True),  # (0.3 + 0.36) / 1.4: rare words decide, whatever the model says
        rank.Ranked(2, 39, False),  # 0.55 / 1.4: by the model alone, it beats the common words'
        rank.Ranked(1, 34, True),  # (0.45 + 0.02) / 1.4
        rank.Ranked(3, 23, True),  # (0.3 + 0.02) / 1.4: the static vectors and the words took it
    ]  # and entry 4 is neither close nor backed by the static vectors: not a result
    judged = rank.Sentences(sims, close)
    assert rank.rank_sentences(groups, judged, static, 0.9, [10] * 5, 5, 40) == ranked[:1]
