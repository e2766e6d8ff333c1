"""The meaning model: its tokenizer is BERT's, its vectors behave, and search
still works without it."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from faq_cli import meaning
from faq_cli.load import load_path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "eval"))
from evaluate import FAQS  # noqa: E402

MODEL = meaning.load()


def reference_tokenizer():  # type: ignore[no-untyped-def]
    """all-MiniLM-L6-v2's tokenizer, as its tokenizer.json configures it, over
    the shipped table's vocabulary."""
    tokenizers = pytest.importorskip("tokenizers")
    assert MODEL is not None
    vocab = {t: i for i, (t,) in enumerate(MODEL.db.execute("SELECT token FROM token"))}
    tok = tokenizers.Tokenizer(
        tokenizers.models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100)
    )
    tok.normalizer = tokenizers.normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    return tok


def faq_texts() -> list[str]:
    texts = []
    for path in FAQS.values():
        faq = load_path(path)
        for e in faq.entries:
            texts += [e.question, e.answer, *e.tags, *e.sources]
        if faq.summary:
            texts += [faq.summary.headline, faq.summary.text]
    return texts


HARD = [
    "Crème brûlée à la CÓSTA RICA",  # accents
    "naïve façade – “quoted” — dashes…",  # typographic punctuation
    "tab\there\x0bvertical\x0cfeed\x00nul\x7fdel",  # control characters vanish
    "snake_case and kebab-case, C++ & C#, $100, 50% @home ~user `code` ^caret",
    "日本語のテキスト and 中文 mixed",  # CJK characters are words of their own
    "a" * 101 + " " + "b" * 100,  # over and at the 100-character word limit
    "€uro ©opyright ™ symbols ≥ ≤ ±",  # non-ASCII symbols are not punctuation to BERT
    "zero\u200bwidth\u200dsoft\u00adhyphen",  # format characters vanish
    "Ünïcödé ÀÉÎÕÜ ǅ ß ﬁ",  # case, accents and compatibility forms
    "qwxzvbnmlkjh xyzzyplugh",  # pieces, and words no piece covers
    # ASCII and non-ASCII words side by side, split by every kind of whitespace:
    "plain “curly” caf\u00e9\u00a0no-break\u2003em\u3000ideographic \x1cjoined\x1fby\x85controls",
    "line\u2028separator para\u2029graph ASCII\x00nul café\x00nul",
    "naïve|pipe café~tilde {thé} [crème] `ü` ^é",  # ASCII punctuation inside words that are not ASCII
    "",
]


def test_tokenizer_matches_the_reference_on_every_text_of_the_evaluation_faqs() -> None:
    assert MODEL is not None
    ref = reference_tokenizer()
    texts = faq_texts() + HARD
    assert len(texts) > 800
    for text in texts:
        assert MODEL.tokens(text) == ref.encode(text, add_special_tokens=False).tokens, text


def test_embed_gives_unit_vectors_that_rank_paraphrases_above_unrelated_text() -> None:
    assert MODEL is not None
    a, b, c = (
        MODEL.embed(t)
        for t in ("remove duplicates from a list", "delete repeated items in a list", "bake bread")
    )
    assert a is not None and b is not None and c is not None
    assert abs(sum(x * x for x in a) - 1) < 1e-6

    def cos(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    assert cos(a, b) > cos(a, c) + 0.2
    assert MODEL.embed("") is None


def test_bulk_embedding_for_the_index_equals_the_query_embedding() -> None:
    assert MODEL is not None
    texts = ["How do I copy a file?", "Crème brûlée", "", "the the the", "x" * 300, "copy copy file"]
    tokens = [MODEL.tokens(t) for t in texts]
    weights = MODEL.weights(tokens)
    unseen = meaning.unseen_weight(len(texts))
    assert weights["copy"] < weights["##ule"] < unseen  # "copy" is in two texts, "##ule" in one
    bulk = MODEL.embed_many(tokens, weights, unseen)
    for text, row in zip([*texts, "a query about pasta"], [*bulk, None], strict=True):
        one = MODEL.embed(text, lambda tokens: {t: weights.get(t, unseen) for t in tokens})
        if row is None:  # not in the FAQ: every token weighs as unseen
            assert one is not None
        elif one is None:
            assert not row.any()
        else:
            assert max(abs(p - q) for p, q in zip(one, row.tolist(), strict=True)) < 1e-5


def test_a_missing_or_damaged_model_loads_as_none(tmp_path: Path) -> None:
    assert meaning.load(tmp_path / "absent.sqlite") is None
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    assert meaning.load(junk) is None
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE meta(key, value)").connection.commit()
    assert meaning.load(empty) is None
