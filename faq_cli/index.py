"""Building a FAQ's index: its entries, the postings of its words, its
meaning vectors and their clusters, and the sentence model's vectors, in an
SQLite database. Every row carries a checksum (`cache.checksum`) that reading
it checks. Indexing imports numpy; a warm search never does.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faq_cli import cache, match, rank, sentences
from faq_cli.model import Document, Entry, Faq, Summary
from faq_cli.text import stem, words

if TYPE_CHECKING:
    import numpy as np

    from faq_cli import meaning
    from faq_cli.apart import Parsed

Progress = Callable[[str, int, int | None], None]  # phase, done, total (None: unknown)

BATCH = 2000  # rows written at a time

# Every table's last column is the row's checksum (`cache.checksum`).
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value, crc INTEGER NOT NULL) WITHOUT ROWID;
-- The summary, when there is one, is searched as one more row, after the
-- entries, with no id: its headline as question, its text as answer.
CREATE TABLE entry(
    pos INTEGER PRIMARY KEY, id INTEGER UNIQUE, question TEXT NOT NULL,
    answer TEXT NOT NULL, sources TEXT NOT NULL, tags TEXT NOT NULL, crc INTEGER NOT NULL
);
-- the positions with the word in question or tags; else in sources; else in the answer,
-- each a serialized Roaring bitmap (pyroaring)
CREATE TABLE word(
    word TEXT PRIMARY KEY, stem TEXT, head BLOB, source BLOB, answer BLOB, crc INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX word_stem ON word(stem);
-- each entry's meaning as a unit vector of int8 (x 127), where it has one
CREATE TABLE vector(pos INTEGER PRIMARY KEY, vec BLOB NOT NULL, crc INTEGER NOT NULL);
-- The entries with a vector, in clusters of like meaning (meaning.partition):
-- each cluster's mean vector (float32) and its members' positions (a serialized
-- Roaring bitmap); apart, as only the closest clusters' are read, their sign
-- bits, in position order.
CREATE TABLE cluster(id INTEGER PRIMARY KEY, mean BLOB NOT NULL, members BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE sign(id INTEGER PRIMARY KEY, bits BLOB NOT NULL, crc INTEGER NOT NULL);
-- each token's weight in this FAQ (see meaning.Model.weights)
CREATE TABLE weight(token TEXT PRIMARY KEY, value REAL NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;
-- The sentence model's view, sentences.CHUNK entries a row: their vectors (int8,
-- x 127), their local scales and the probes' best margins (float32).
CREATE TABLE sentence(
    chunk INTEGER PRIMARY KEY, vectors BLOB NOT NULL, scales BLOB NOT NULL, best BLOB NOT NULL,
    crc INTEGER NOT NULL
);
"""


def build(
    faq: Faq | Parsed,
    identity: dict[str, object],
    target: Path | None = None,
    progress: Progress | None = None,
) -> sqlite3.Connection:
    """Index `faq` into a database: at `target` (atomically) or, failing that, in memory."""
    if target is not None:
        with cache.temporary(target) as tmp:
            if tmp is not None:
                db = sqlite3.connect(tmp, check_same_thread=False)
                try:
                    _fill(db, faq, identity, progress)
                    cache.publish(tmp, target)
                    return db
                except (OSError, sqlite3.Error):  # the cache is unwritable or full: go on in memory
                    db.close()
                except BaseException:  # Ctrl-C and signals included: never leave half a cache behind
                    db.close()
                    raise
    # `faq browse` searches on a worker thread, one search at a time.
    db = sqlite3.connect(":memory:", check_same_thread=False)
    _fill(db, faq, identity, progress)
    return db


def insert(db: sqlite3.Connection, table: str, rows: Iterable[Sequence[object]]) -> None:
    """Add `rows` to `table`, each with its checksum in the last column."""
    marks = None
    batch = []
    for row in rows:
        marks = marks or ", ".join("?" * (len(row) + 1))
        batch.append((*row, cache.checksum(*row)))
        if len(batch) == BATCH:
            db.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)
            batch.clear()
    if batch:
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)


def _fill(
    db: sqlite3.Connection, faq: Faq | Parsed, identity: dict[str, object], progress: Progress | None
) -> None:
    """Index every entry (then the summary) of `faq` into the empty database `db`."""
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    # A file parsed apart comes with its words' postings, gathered by the
    # parsing process (`apart`), on the other core.
    own = isinstance(faq, Faq)
    reader = _Reader(db, progress, len(faq.entries) if isinstance(faq.entries, Sized) else None, own)
    for pos, entry in enumerate(map(match.as_document, _items(faq))):
        reader.add(pos, entry)
    reader.finish([] if isinstance(faq, Faq) else faq.postings)
    if reader.small:
        insert(db, "sentence", sentences.build(reader.small, identity, progress))
    summary = faq.summary
    meta = {
        **identity,
        **(reader.meanings.write(db, progress) if reader.meanings else {}),
        "code": cache.version(),
        "entries": len(reader.lengths) - (summary is not None),
        "rows": len(reader.lengths),
        "lengths": reader.lengths.tobytes(),
        "title": faq.title,
        "summary": None if summary is None else json.dumps([summary.headline, summary.text, summary.source]),
    }
    insert(db, "meta", meta.items())
    db.commit()


def _items(faq: Faq | Parsed) -> Iterator[Entry | Summary]:
    yield from faq.entries
    if faq.summary:  # known once the entries are (a file parsed apart)
        yield faq.summary


class Postings:
    """Each word's positions in each of rank.TIERS (question or tags; else
    sources; else answer), gathered entry by entry; `rows` gives them as the
    word table's rows."""

    def __init__(self) -> None:
        self.tiers: tuple[defaultdict[str, array[int]], ...] = tuple(
            defaultdict(lambda: array("I")) for _ in rank.TIERS
        )
        # A FAQ may repeat an answer, a source or a tag many times: the words of
        # the last thousand distinct texts are remembered (bounded memory).
        self.distinct = functools.lru_cache(maxsize=1024)(lambda text: frozenset(words(text)))

    def add(self, pos: int, entry: Document) -> None:
        for tier, found in zip(self.tiers, match.tiers(match.field_words(entry, self.distinct)), strict=True):
            for w in found:
                tier[w].append(pos)

    def rows(self) -> Iterator[tuple[object, ...]]:
        """(word, its stem, its positions in each tier as Roaring bitmaps)."""
        from pyroaring import BitMap

        head, source, answer = self.tiers
        for w in head.keys() | source.keys() | answer.keys():
            blobs = (BitMap(tier.get(w, ())).serialize() for tier in self.tiers)
            yield (w, stem(w) if len(w) >= 3 else None, *blobs)


class _Reader:
    """Reads the entries one by one: writes their rows, and gathers their
    words' postings (unless `own_postings` is False: they come from elsewhere),
    their question lengths, what the static vectors and the sentence model
    need, until `finish` writes the postings."""

    def __init__(
        self, db: sqlite3.Connection, progress: Progress | None, total: int | None, own_postings: bool
    ) -> None:
        self.db, self.progress, self.total = db, progress, total
        self.postings = Postings() if own_postings else None
        self.lengths = array("I")
        self.meanings = _Meanings.start()
        self.small: list[Document] | None = []  # the entries, while the model reads them all (sentences)
        self.rows: list[tuple[object, ...]] = []

    def add(self, pos: int, entry: Document) -> None:
        if self.postings:
            self.postings.add(pos, entry)
        self.lengths.append(len(entry.question))
        if self.meanings:
            self.meanings.add(entry)
        if self.small is not None and len(self.small) < sentences.UPFRONT:
            self.small.append(entry)
        else:
            self.small = None  # read in the background (sentences)
        self.rows.append(
            (pos, entry.id, entry.question, entry.answer, cache.pack(entry.sources), cache.pack(entry.tags))
        )
        if len(self.rows) == BATCH:
            insert(self.db, "entry", self.rows)
            self.rows.clear()
            if self.progress:
                self.progress("Indexing", pos + 1, self.total)

    def finish(self, word_rows: Iterable[Sequence[object]]) -> None:
        """Write the last entries, and the words' postings: this reader's own,
        or `word_rows` where it gathers none."""
        insert(self.db, "entry", self.rows)
        insert(self.db, "word", self.postings.rows() if self.postings else word_rows)
        self.postings = None


class _Meanings:
    """Each entry's meaning vector and the FAQ's token weights, gathered while
    the entries are indexed, then written (`write`). An entry's tokens are
    kept as numbers until every entry has been seen, since a token's weight
    depends on how many entries have it."""

    def __init__(self, model: meaning.Model) -> None:
        from faq_cli.wordpiece import basic_words

        self.model = model
        self.split = basic_words  # BERT's words of a text, before WordPiece
        self.ids: dict[str, int] = {}  # every token of the FAQ, numbered
        self.words: dict[str, array[int]] = {}  # each word of the FAQ's tokens, numbered
        # token number -> entries that have it in their question or tags but not
        # in their answer; the answers' tokens are counted once per distinct answer
        self.df: Counter[int] = Counter()
        self.uses: Counter[int] = Counter()  # id() of an answer's tokens -> entries with it
        self.heads: list[array[int]] = []  # each entry's question-and-tags tokens
        self.answers: list[array[int]] = []  # each entry's answer tokens
        # A text the FAQ repeats is tokenised once while it is among the last
        # thousand (bounded memory), and its tokens are kept once.
        self.tokenised = functools.lru_cache(maxsize=1024)(self._tokenise)

    @classmethod
    def start(cls) -> _Meanings | None:
        """None when the model cannot be loaded: search then goes by words alone."""
        from faq_cli import meaning

        model = meaning.load()
        return None if model is None else cls(model)

    def _tokenise(self, text: str) -> tuple[array[int], frozenset[int]]:
        numbers = array("I")
        for word in self.split(text):
            if (known := self.words.get(word)) is None:
                pieces = self.model.pieces(word)
                known = self.words[word] = array("I", [self.ids.setdefault(t, len(self.ids)) for t in pieces])
            numbers += known
        return numbers, frozenset(numbers)

    def add(self, entry: Document) -> None:
        (head, head_set), (answer, answer_set) = map(self.tokenised, match.meaning_texts(entry))
        self.heads.append(head)
        self.answers.append(answer)  # kept: its id() stays its own until write()
        self.df.update(head_set - answer_set)
        self.uses[id(answer)] += 1

    def write(self, db: sqlite3.Connection, progress: Progress | None) -> dict[str, float | bytes]:
        """Store each entry's meaning vector, the FAQ's token weights and the
        clusters search compares a query with; return the meta values search needs."""
        from faq_cli import meaning

        count = len(self.heads)
        for answer in {id(a): a for a in self.answers}.values():
            self.df.update(dict.fromkeys(set(answer), self.uses[id(answer)]))
        tokens = list(self.ids)  # by number
        weights = meaning.idf({tokens[i]: n for i, n in self.df.items()}, count)
        unseen = meaning.unseen_weight(count)
        insert(db, "weight", weights.items())
        vectors = self._vectors(db, self.model.table(tokens, weights, unseen), progress)
        threshold, scales, bar = self.model.calibrate(vectors, weights, unseen)
        clusters = _write_clusters(db, vectors, progress)
        if clusters is None:
            return {}
        return {
            "threshold": threshold,
            "static_scales": scales.tobytes(),
            "static_bar": bar,
            "unseen_weight": unseen,
            "clusters": clusters,
        }

    def _vectors(
        self, db: sqlite3.Connection, table: np.ndarray[Any, Any], progress: Progress | None
    ) -> np.ndarray[Any, Any]:
        """Each entry's vector (int8), also stored, from its tokens' rows in `table`."""
        import numpy as np

        from faq_cli import meaning

        count = len(self.heads)

        def sums(texts: list[array[int]]) -> np.ndarray[Any, Any]:
            """Each text's sum; a text repeated (the same kept tokens) is summed once."""
            index: dict[int, int] = {}
            which = np.fromiter((index.setdefault(id(t), len(index)) for t in texts), np.int64, len(texts))
            once = list({id(t): t for t in texts}.values())
            return meaning.sum_rows(table, once)[which]

        vectors = np.zeros((count, self.model.dims), np.int8)
        step = BATCH * 5
        for a in range(0, count, step):
            head = sums(self.heads[a : a + step])
            whole = head + sums(self.answers[a : a + step])
            # The mean of two unit vectors: a query's similarity to it is the mean
            # of its similarities to the question alone and to the whole entry.
            part = vectors[a : a + step]
            part[:] = meaning.quantize_many((meaning.unit_rows(head) + meaning.unit_rows(whole)) / 2)
            some = np.flatnonzero(part.any(axis=1)).tolist()  # an entry whose tokens have no vectors has none
            insert(db, "vector", ((a + i, part[i].tobytes()) for i in some))
            if progress:
                progress("Indexing meaning of", min(a + step, count), count)
        self.heads.clear()
        self.answers.clear()
        return vectors


def _write_clusters(
    db: sqlite3.Connection, vectors: np.ndarray[Any, Any], progress: Progress | None
) -> bytes | None:
    """Group the entries' vectors into clusters of like meaning; return each
    entry's cluster number (uint32, by position), None when no entry has a vector.

    A search compares the query with every cluster's mean, then with the
    members of the closest clusters (the inverted-file index of Jegou et al.,
    "Product quantization for nearest neighbor search", 2011). About sqrt(n)
    clusters of sqrt(n) members each keeps both steps small."""
    import numpy as np
    from pyroaring import BitMap

    from faq_cli import meaning

    kept = np.flatnonzero(vectors.any(axis=1))
    if not len(kept):
        return None
    count = len(vectors)
    if len(kept) < count:
        vectors = vectors[kept]
    if len(kept) <= meaning.PROBE:  # one cluster: every entry is compared
        clusters, means = np.zeros(len(kept), np.intp), vectors.mean(axis=0, keepdims=True)
    else:
        if progress:
            progress("Grouping meanings of", 0, None)
        clusters, means = meaning.partition(vectors, math.isqrt(len(kept) - 1) + 1)
    # Each vector's signs, 1 bit a dimension: a cheap first look at a cluster's members.
    signs = np.packbits(vectors > 0, axis=1, bitorder="little")
    order = np.argsort(clusters, kind="stable")  # cluster by cluster, each in file order
    ends = np.cumsum(np.bincount(clusters, minlength=len(means)))
    members = np.split(order, ends[:-1])
    rows = (
        (c, (means[c] / 127).astype(np.float32).tobytes(), BitMap(kept[m].tolist()).serialize())
        for c, m in enumerate(members)
    )
    insert(db, "cluster", rows)
    insert(db, "sign", ((c, signs[m].tobytes()) for c, m in enumerate(members)))
    of = np.full(count, np.iinfo(np.uint32).max, np.uint32)  # the most: no cluster
    of[kept] = clusters
    return of.tobytes()
