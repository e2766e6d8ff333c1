"""The sentence model: all-MiniLM-L6-v2 in numpy gives sentence-transformers'
vectors, reads only what a FAQ small enough needs, and search goes on
without it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from faq_cli import encoder, match, sentences
from faq_cli.index import build
from faq_cli.load import load_path, read_hashed
from faq_cli.model import Entry, Faq
from faq_cli.store import Store

pytestmark = pytest.mark.real_encoder

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "fixtures" / "minilm-reference.npz"
MODEL = encoder.load()
sys.path.insert(0, str(ROOT / "tests"))
from test_meaning import HARD, reference_tokenizer  # noqa: E402


def test_vectors_are_sentence_transformers_own() -> None:
    # Made once by scripts/make_encoder_reference.py with sentence-transformers
    # and torch: every entry and query of the shipped FAQ's evaluation sets.
    reference = np.load(REFERENCE)
    texts, expected = list(reference["texts"]), reference["vectors"].astype(np.float32)
    assert len(texts) >= 400
    assert MODEL is not None
    found = MODEL.encode(texts)
    cosines = (found * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= 0.99, texts[worst]
    assert np.median(cosines) >= 0.999
    assert np.allclose(np.linalg.norm(found, axis=1), 1, atol=1e-5)


def test_a_text_alone_has_the_vector_it_has_among_many() -> None:
    # A query is read alone, its matrices made float one at a time; an index's
    # entries in batches, on several threads, in an order of their own.
    reference = np.load(REFERENCE)
    texts = list(reference["texts"])[:200]
    assert MODEL is not None
    told: list[int] = []
    together = MODEL.encode(texts, 64, told.append)
    assert told[-1] == len(texts) and told == sorted(told)
    alone = encoder.load()
    assert alone is not None
    for i in (0, 57, 199):
        told = []
        assert float(alone.encode([texts[i]], 64, told.append)[0] @ together[i]) > 0.9999, texts[i]
        assert told == [1]


def test_tokens_are_bert_s() -> None:
    assert MODEL is not None
    tok = reference_tokenizer()  # over the static table's vocabulary, which is BERT's too
    vocab = MODEL.vocab
    assert len(vocab) == 30522 and vocab["[PAD]"] == 0 and vocab["[CLS]"] == 101 and vocab["the"] == 1996
    for text in HARD:
        expected = [vocab[t] for t in tok.encode(text, add_special_tokens=False).tokens]
        assert MODEL.ids(text) == [vocab["[CLS]"], *expected[: encoder.MAX_TOKENS - 2], vocab["[SEP]"]], text


def test_long_texts_are_cut_to_the_token_limit() -> None:
    assert MODEL is not None
    long = "word " * 1000
    # 256: max_seq_length in the model's sentence_bert_config.json, as sentence-transformers cuts.
    assert len(MODEL.ids(long)) == encoder.MAX_TOKENS == 256
    assert len(MODEL.ids(long, 64)) == 64
    assert MODEL.encode([long, "short"], 64).shape == (2, MODEL.dims)


@pytest.mark.parametrize(
    "content", [b"", b"not a model", b"\xff" * 64, b"\x10\x00\x00\x00\x00\x00\x00\x00{}"]
)
def test_a_damaged_weights_file_is_no_model(tmp_path: Path, content: bytes) -> None:
    junk = tmp_path / "minilm.safetensors"
    junk.write_bytes(content)
    assert encoder.load(junk) is None
    assert encoder.load(tmp_path / "absent") is None


def test_a_truncated_weights_file_is_no_model(tmp_path: Path) -> None:
    cut = tmp_path / "minilm.safetensors"
    cut.write_bytes(encoder.WEIGHTS.read_bytes()[: 1 << 20])
    assert encoder.load(cut) is None


def test_without_the_sentence_model_search_uses_the_static_vectors(run, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No word of this question is in the FAQ: only a model of meaning can answer it.
    query = "is it because of rivalry with beijing"
    monkeypatch.setattr("faq_cli.encoder.WEIGHTS", tmp_path / "missing.safetensors")
    without = run("search", query, "--json", "--no-cache")
    assert (without.exit_code, without.stderr) == (0, "")
    found = json.loads(without.stdout)
    assert [(hit["id"], hit["matched"]) for hit in found] == [(3, ["meaning"])]  # the static vectors found it
    (tmp_path / "junk.safetensors").write_bytes(b"\x08" + b"\x00" * 7 + b"[1,2,3]!")
    monkeypatch.setattr("faq_cli.encoder.WEIGHTS", tmp_path / "junk.safetensors")
    assert run("search", query, "--json", "--no-cache").stdout == without.stdout
    # And with neither model, the words alone: nothing.
    monkeypatch.setattr("faq_cli.meaning.TABLE", tmp_path / "missing.sqlite")
    neither = run("search", query, "--json", "--no-cache")
    assert (neither.exit_code, neither.stdout.strip()) == (1, "[]")


def sentence_rows(db: object) -> list[tuple[int, bytes, bytes, bytes]]:
    return db.execute("SELECT chunk, vectors, scales, best FROM sentence ORDER BY chunk").fetchall()  # type: ignore[attr-defined,no-any-return]


def test_the_shipped_faq_s_vectors_are_current() -> None:
    # data/faq.vectors saves a new install from reading the shipped FAQ with the
    # model; run scripts/build_encoder.py --faq-only after editing data/faq.yaml.
    path = ROOT / "data" / "faq.yaml"
    shipped = json.loads((ROOT / "data" / "faq.vectors").read_text())
    faq, sha256 = read_hashed(path, str(path))
    assert shipped["sha256"] == sha256, "data/faq.yaml changed: run scripts/build_encoder.py --faq-only"
    assert shipped["weights"] == sentences._weights_digest()
    fresh = sentence_rows(build(faq, {"sha256": "-"}))
    saved = [(c, *map(bytes.fromhex, blobs)) for c, *blobs in shipped["rows"]]
    assert [row[0] for row in fresh] == [row[0] for row in saved] == [0]
    computed = np.frombuffer(fresh[0][1], np.int8).astype(int)
    kept = np.frombuffer(saved[0][1], np.int8).astype(int)
    assert computed.shape == kept.shape == (9 * MODEL.dims,)  # type: ignore[union-attr]
    assert np.abs(computed - kept).max() <= 1  # BLAS may round apart
    for i in (2, 3):  # scales and best margins
        now, then = (np.frombuffer(row[i], np.float32) for row in (fresh[0], saved[0]))
        assert np.allclose(now, then, atol=1e-2)
    # And an index of the shipped FAQ takes them as they are.
    assert sentence_rows(build(faq, {"sha256": sha256})) == saved


def faq_of(rows: int) -> Faq:
    return Faq(tuple(Entry(i, f"Question number {i}?", f"Answer {i}.") for i in range(1, rows + 1)))


def test_a_faq_of_up_to_upfront_entries_is_read_when_it_is_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentences, "UPFRONT", 3)
    monkeypatch.setattr(sentences, "CHUNK", 2)
    small = sentence_rows(build(faq_of(3), {}))
    assert [row[0] for row in small] == [0, 1]  # 3 entries, 2 a chunk
    assert [len(row[1]) for row in small] == [2 * MODEL.dims, MODEL.dims]  # type: ignore[union-attr]
    large = build(faq_of(4), {})
    assert sentence_rows(large) == []  # read later, in the background
    meta = dict(large.execute("SELECT key, value FROM meta"))
    assert meta["static_bar"] is not None  # the static vectors, as ever


def test_a_question_in_the_user_s_words_is_ranked_by_the_model() -> None:
    faq = load_path(ROOT / "tests" / "eval" / "python-faq.yaml")
    index = Store(build(faq, {}))
    hits = index.search("get rid of repeated elements in a list")
    assert hits and match.as_document(hits[0].entry).id == 62  # "How do you remove duplicates from a list?"
    assert index.search("how long should i boil an egg") == []
