"""Search by meaning: text to a unit vector, from a table of static token
vectors trained to imitate all-MiniLM-L6-v2 (see docs/models.md).

A query is embedded with the standard library alone: the table is an SQLite
file shipped in the package, and a query reads a few of its rows. Indexing a
FAQ embeds every entry at once with numpy, which is imported only then.

The tokenizer is BERT's uncased WordPiece (`wordpiece`), as all-MiniLM-L6-v2
uses it, so the table's tokens are found exactly as the model that taught
them saw them.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faq_cli import cache
from faq_cli.wordpiece import basic_words, pieces

if TYPE_CHECKING:
    import numpy as np
    from pyroaring import BitMap

TABLE = Path(__file__).with_name("vectors.sqlite")
Vector = list[float]
# A query's meaning is compared with the entries of its closest clusters, at
# least PROBE of them: in full when they are at most EXACT_UP_TO, else sifted
# by sign bits and the SIFTED closest compared in full. The rest of the
# entries get their cluster's mean similarity. Up to PROBE entries, an index
# has one cluster.
PROBE = 2000
EXACT_UP_TO = 300
SIFTED = 300


class Model:
    """The token table: WordPiece look-ups and the vectors of tokens."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        meta = dict(db.execute("SELECT key, value FROM meta"))
        self.dims = int(meta["dims"])
        self.quantile, self.margin = float(meta["quantile"]), float(meta["margin"])
        self._pieces: dict[str, list[str]] = {}
        self._vocabulary: frozenset[str] | None = None  # loaded whole only for indexing

    def _known(self, candidates: list[str]) -> set[str]:
        if self._vocabulary is None and len(self._pieces) > 1000:
            # Indexing: reading the whole vocabulary once beats a look-up per word.
            self._vocabulary = frozenset(t for (t,) in self.db.execute("SELECT token FROM token"))
        if self._vocabulary is not None:
            return {c for c in candidates if c in self._vocabulary}
        sql = f"SELECT token FROM token WHERE token IN ({','.join('?' * len(candidates))})"
        return {t for (t,) in self.db.execute(sql, candidates)}

    def pieces(self, word: str) -> list[str]:
        """The WordPiece tokens of one basic word (`wordpiece.pieces`)."""
        if (cached := self._pieces.get(word)) is None:
            cached = self._pieces[word] = pieces(word, self._known)
        return cached

    def is_word(self, word: str) -> bool:
        """Whether `word` is a whole word of the model's vocabulary: a word of
        the language, or a name, rather than a slip of the keys."""
        return bool(self._known([word]))

    def tokens(self, text: str) -> list[str]:
        return [p for w in basic_words(text) for p in self.pieces(w)]

    def vectors(self, tokens: Iterable[str]) -> Iterator[tuple[str, float, bytes]]:
        """(token, scale, int8 vector bytes) for each of `tokens` that has a vector."""
        sql = "SELECT token, scale, vec FROM token WHERE vec IS NOT NULL AND token IN ({})"
        return cache.select_in(self.db, sql, list(dict.fromkeys(tokens)))

    def embed(
        self, text: str, weights: Callable[[list[str]], dict[str, float]] | None = None
    ) -> Vector | None:
        """The unit vector of `text`: the sum of its tokens' vectors, each times
        its weight in this FAQ (see `embed_many`), normalised; None when none of
        its tokens has a vector."""
        counts: dict[str, int] = {}
        for t in self.tokens(text):
            counts[t] = counts.get(t, 0) + 1
        weight = weights(list(counts)) if weights else {}
        total = [0.0] * self.dims
        for token, scale, blob in self.vectors(counts):
            w = scale * counts[token] * weight.get(token, 1.0)
            total = [a + w * b for a, b in zip(total, array("b", blob), strict=True)]
        norm = sum(x * x for x in total) ** 0.5
        return [x / norm for x in total] if norm else None

    def weights(self, texts: Iterable[Collection[str]]) -> dict[str, float]:
        """Each token's weight in a FAQ of these texts (`idf`)."""
        from collections import Counter

        df: Counter[str] = Counter()
        count = 0
        for tokens in texts:
            count += 1
            df.update(set(tokens))
        return idf(df, count)

    def embed_many(
        self, texts: Sequence[list[str]], weights: dict[str, float], unseen: float
    ) -> np.ndarray[Any, Any]:
        """`embed` of every text, given as its `tokens`, as rows of a float32
        matrix (zero rows for texts without vectors), computed with numpy for
        indexing."""
        return unit_rows(self.sums(texts, weights, unseen))

    def sums(
        self, texts: Sequence[list[str]], weights: dict[str, float], unseen: float
    ) -> np.ndarray[Any, Any]:
        """Each text's weighted sum of its tokens' vectors, not yet normalised:
        the sum for two texts together is the sum of their sums."""
        index: dict[str, int] = {}
        ids = [array("I", [index.setdefault(t, len(index)) for t in tokens]) for tokens in texts]
        return sum_rows(self.table(list(index), weights, unseen), ids)

    def table(self, tokens: Sequence[str], weights: dict[str, float], unseen: float) -> np.ndarray[Any, Any]:
        """Row i: the vector of tokens[i] times its weight (zeros if it has none)."""
        import numpy as np

        index = {t: i for i, t in enumerate(tokens)}
        out = np.zeros((len(tokens), self.dims), np.float32)
        for token, scale, blob in self.vectors(tokens):
            out[index[token]] = np.frombuffer(blob, np.int8) * np.float32(scale * weights.get(token, unseen))
        return out

    def calibrate(
        self, vectors: np.ndarray[Any, Any], weights: dict[str, float], unseen: float
    ) -> tuple[float, np.ndarray[Any, Any], float]:
        """How close a query must come to this FAQ's entries (int8 rows) to be
        about one of them, by the shipped probe questions, which are random
        everyday questions: the FAQ's threshold (a margin above nearly all of
        the probes' best similarities), and each entry's local scale and the
        FAQ's bar (`local_calibration`)."""
        import numpy as np

        probe_tokens = [self.tokens(t) for (t,) in self.db.execute("SELECT text FROM probe")]
        probes = self.embed_many(probe_tokens, weights, unseen)
        if not len(probes) or not len(vectors):
            return 1.0, np.full(len(vectors), NO_SCALE, np.float32), 1.0
        best = np.full(len(probes), -1.0, np.float32)
        for a in range(0, len(vectors), 4096):
            chunk = vectors[a : a + 4096].astype(np.float32) / 127
            best = np.maximum(best, (probes @ chunk.T).max(axis=1))
        scales, margins = local_calibration(vectors, probes)
        threshold = float(np.quantile(best, self.quantile)) + self.margin
        return threshold, scales, bar(margins, self.quantile)


# Each model's closeness is also judged entry by entry, as CSLS does (Conneau
# et al., "Word translation without parallel data", 2018): an entry's local
# scale is its mean similarity to the LOCAL_K probe questions closest to it,
# and a query is close to it when it comes closer than that by more than the
# FAQ's bar, which nearly all probes stay below (their QUANTILE). An entry near
# many everyday questions needs more; one far from them, less; and the bar
# does not rise with the size of the FAQ as one threshold for all does.
LOCAL_K = 5
QUANTILE = 0.99
NO_SCALE = 2.0  # the scale of an entry without a vector: nothing comes close


def local_calibration(
    vectors: np.ndarray[Any, Any], probes: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Each entry's local scale (float32, for int8 rows `vectors`, unit vectors
    x 127), and each probe's best margin over them (float32): the best of a
    FAQ's parts' margins is the FAQ's."""
    import numpy as np

    scales = np.full(len(vectors), NO_SCALE, np.float32)
    best = np.full(len(probes), -NO_SCALE, np.float32)
    k = min(LOCAL_K, len(probes))
    for a in range(0, len(vectors), 4096):
        part = vectors[a : a + 4096]
        kept = np.flatnonzero(part.any(axis=1))
        if not len(kept) or not k:
            continue
        sims = probes @ (part[kept].astype(probes.dtype) / 127).T  # probes x entries, in their precision
        local = np.partition(sims, len(probes) - k, axis=0)[-k:].mean(axis=0)
        scales[a + kept] = local
        best = np.maximum(best, (sims - local).max(axis=1).astype(np.float32))
    return scales, best


def bar(margins: np.ndarray[Any, Any], quantile: float = QUANTILE) -> float:
    """The margin a query needs over an entry's local scale: above `quantile`
    of the probes' best margins."""
    import numpy as np

    return float(np.quantile(margins, quantile)) if len(margins) else NO_SCALE


def idf(df: Mapping[str, int], count: int) -> dict[str, float]:
    """Each token's weight in a FAQ of `count` entries, `df[token]` of which
    have it: its inverse document frequency, so that what every entry says
    ("debian" in the Debian FAQ) counts less than what tells entries apart.
    A token the FAQ lacks weighs as much as the rarest (`unseen_weight`)."""
    import math

    return {t: math.log((count + 1) / (n + 1)) + 1 for t, n in df.items()}


def sum_rows(table: np.ndarray[Any, Any], texts: Sequence[array[int]]) -> np.ndarray[Any, Any]:
    """Row i: the sum of the rows of `table` that texts[i] numbers (arrays of
    one type code), in float32, added in the text's order.

    Texts of one length are summed together, as a (texts, length, columns)
    block reduced along its middle axis: numpy then adds whole rows in turn,
    several times faster than `np.add.reduceat` over ragged runs, which
    indexing a large FAQ spends most of its vector time in."""
    import numpy as np

    lengths = np.fromiter(map(len, texts), np.intp, len(texts))
    out = np.zeros((len(texts), table.shape[1]), np.float32)
    if not lengths.sum():
        return out
    tokens = np.frombuffer(b"".join(texts), np.dtype(texts[0].typecode))  # array and numpy share type codes
    starts = np.cumsum(lengths) - lengths
    order = np.argsort(lengths, kind="stable")
    ordered = lengths[order]
    edges = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
    for a, b in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        length = int(ordered[a])
        step = max(1, BLOCK_ROWS // max(length, 1))  # token rows gathered at a time: bounded memory
        for first in range(a, b, step) if length else ():
            rows = order[first : min(first + step, b)]
            out[rows] = table[tokens[starts[rows, None] + np.arange(length)]].sum(axis=1)
    return out


# Token rows of a table gathered at once when texts' vectors are summed.
BLOCK_ROWS = 1 << 16


def unit_rows(vectors: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each row scaled to length 1; zero rows stay zero."""
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray[Any, Any] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return unit


def unseen_weight(entries: int) -> float:
    """The weight of a token no entry has: that of a token one entry has, and more."""
    import math

    return math.log(entries + 1) + 1


def quantize_many(vectors: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Unit vectors (rows) as int8 (x 127), as the index stores them."""
    import numpy as np

    small: np.ndarray[Any, Any] = np.clip(np.rint(vectors * 127), -127, 127).astype(np.int8)
    return small


def partition(
    vectors: np.ndarray[Any, Any], k: int, rounds: int = 6, sample: int = 32
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Split int8 rows (unit vectors x 127) into `k` clusters of like meaning,
    by spherical k-means: each row goes to the centroid it is most similar to.
    Returns each row's cluster and each cluster's mean row (in units of 127),
    whose dot product with a query is the mean of its members' similarities.
    The centroids are trained on `sample` rows a cluster, then every row is
    assigned once; seeded, so a FAQ always gets the same index."""
    import numpy as np

    rng = np.random.default_rng(0)
    chosen = np.sort(rng.choice(len(vectors), min(len(vectors), sample * k), replace=False))
    train = vectors[chosen].astype(np.float32)
    centroids = train[rng.choice(len(train), k, replace=False)]

    def assign(rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        found: np.ndarray[Any, Any] = np.argmax(rows @ unit_rows(centroids).T, axis=1)
        return found

    for _ in range(rounds):
        near = assign(train)
        sums = _sums_by(near, train, k).astype(np.float32)
        empty = np.bincount(near, minlength=k) == 0  # a centroid no row chose starts again from a random row
        centroids = np.where(empty[:, None], train[rng.choice(len(train), k)], sums)
    step = 8192  # rows at a time: a float copy of every row would be the build's largest array
    clusters = np.concatenate(
        [assign(vectors[a : a + step].astype(np.float32)) for a in range(0, len(vectors), step)]
    )
    means = _sums_by(clusters, vectors, k) / np.maximum(np.bincount(clusters, minlength=k), 1)[:, None]
    return clusters, means


def _sums_by(groups: np.ndarray[Any, Any], rows: np.ndarray[Any, Any], k: int) -> np.ndarray[Any, Any]:
    """Row g: the sum of the rows in group g (of k). One dimension at a time:
    summing all rows at once would copy them all as floats."""
    import numpy as np

    return np.stack([np.bincount(groups, column, k) for column in rows.T], axis=1)


class Meaning:
    """How close each entry's meaning is to the query's (cosine similarity).
    The entries in `near` were compared one by one; every other entry with a
    meaning is in one of the clusters of `far` and shares its cluster's mean
    similarity. `far` comes most similar first. `cluster_of` gives each
    entry's cluster by position, and `cluster_sims` each cluster's similarity:
    the few far members of a small group are looked up, not found by a walk.
    (A plain class: a NamedTuple costs a warm start 0.1 ms to define.)"""

    __slots__ = ("cluster_of", "cluster_sims", "far", "near")

    def __init__(
        self,
        near: dict[int, float],
        far: list[tuple[float, BitMap]],
        cluster_of: Sequence[int] = (),
        cluster_sims: Sequence[float] = (),
    ) -> None:
        self.near, self.far, self.cluster_of, self.cluster_sims = near, far, cluster_of, cluster_sims

    def everything(self) -> dict[int, float]:
        """Every entry's similarity, one by one: for tests and small FAQs."""
        return {**{p: sim for sim, cluster in self.far for p in cluster}, **self.near}


def nearest(
    vector: Vector,
    clusters: Sequence[tuple[bytes, bytes]],
    bits: Callable[[int], bytes],
    vectors: Callable[[Sequence[int]], Iterable[tuple[int, bytes]]],
    cluster_of: Callable[[], bytes],
) -> Meaning:
    """How close the query's meaning (`vector`, int8 x 127) is to each entry's,
    from an index's `clusters` (each one's mean, float32, and its members, a
    serialized bitmap), each cluster's members' sign `bits`, the entries'
    int8 `vectors` by position, and every entry's cluster (`cluster_of`).
    Only the entries of the clusters closest to the query are compared one by
    one (the inverted-file index of Jegou et al., 2011); the others get their
    cluster's mean similarity."""
    from operator import mul

    from pyroaring import BitMap

    q = [x / 127 for x in vector]
    means = [sum(map(mul, q, array("f", mean))) for mean, _ in clusters]
    by_mean = sorted(range(len(clusters)), key=means.__getitem__, reverse=True)
    positions, signs, far = array("I"), bytearray(), []
    for c in by_mean:
        members = BitMap.deserialize(clusters[c][1])
        if len(positions) < PROBE:
            positions.extend(members)
            signs += bits(c)
        else:
            far.append((means[c], members))
    near = _sifted(vector, q, positions, bytes(signs), vectors)
    if not far:
        return Meaning(near, far)
    return Meaning(near, far, array("I", cluster_of()), means)


def _sifted(
    vector: Sequence[float],
    q: list[float],
    positions: array[int],
    bits: bytes,
    vectors: Callable[[Sequence[int]], Iterable[tuple[int, bytes]]],
) -> dict[int, float]:
    """The similarities of the entries at `positions` (whose sign bits are
    `bits`): the SIFTED whose signs agree most with the query's in full,
    the others as their signs estimate."""
    if len(positions) <= EXACT_UP_TO:
        return _cosines(q, positions, vectors)
    import heapq
    import math

    width = len(vector) // 8
    query_bits = sum(1 << i for i, x in enumerate(vector) if x > 0)
    number = int.from_bytes  # looked up once: this loop visits every entry
    unlike = [
        (query_bits ^ number(bits[i : i + width], "little")).bit_count() for i in range(0, len(bits), width)
    ]
    # Sign agreement estimates the angle between two vectors (Charikar's SimHash).
    cosine = [math.cos(math.pi * h / len(vector)) for h in range(len(vector) + 1)]
    estimate = dict(zip(positions, map(cosine.__getitem__, unlike), strict=True))
    closest = heapq.nsmallest(SIFTED, range(len(unlike)), key=unlike.__getitem__)
    estimate.update(_cosines(q, [positions[i] for i in closest], vectors))
    return estimate


def _cosines(
    q: list[float], positions: Sequence[int], vectors: Callable[[Sequence[int]], Iterable[tuple[int, bytes]]]
) -> dict[int, float]:
    from operator import mul

    return {pos: sum(map(mul, q, array("b", blob))) for pos, blob in vectors(positions)}


def load(path: Path | None = None) -> Model | None:
    """The shipped model (or the one at `path`), or None when it is missing or
    unreadable: search then ranks by words alone."""
    try:
        return Model(sqlite3.connect(f"{(path or TABLE).as_uri()}?mode=ro&immutable=1", uri=True))
    except (sqlite3.Error, OSError, KeyError, ValueError):
        return None
