"""The FAQ as the commands read it: an index (`index`) from the cache when it
is current (`cache`), built anew otherwise, and read-only access to it:
entries, look-up by id, and search.

Every row read is checked against its checksum, and a cached index that fails
a check, or any read of it, raises `cache.Damaged`, so that the command runs
again on an index built afresh (`cache.rebuilt`), never on a damaged one.
"""

from __future__ import annotations

import functools
import sqlite3
import struct
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from faq_cli import cache, match, rank
from faq_cli.model import Entry, Summary
from faq_cli.text import words

if TYPE_CHECKING:
    from pyroaring import BitMap

    from faq_cli import encoder, meaning
    from faq_cli.index import Progress
    from faq_cli.source import How

# How far below its bar (in cosine) the sentence model may put an entry and
# still name it as the nearest, when nothing is found: a vague question on a
# small FAQ often falls just short; an unrelated one seldom comes this near.
NEAR_MISS = 0.05
# Entries read at most to tell whether `exact` would find a query (a hint only):
# some 20 ms of folding text; where the query is, it is usually in the first few.
LITERAL_READS = 500
_LAST = "\U0010ffff"  # sorts after every word: [p, p + _LAST) holds the words starting with p
# What reading a damaged index can raise, beyond SQLite's own errors.
_DAMAGE = (sqlite3.DatabaseError, ValueError, TypeError, KeyError, IndexError, struct.error, zlib.error)
T = TypeVar("T")


def open_store(
    path: Path,
    use_cache: bool = True,
    progress: Progress | None = None,
    notice: cache.Notice | None = None,
    how: How | None = None,
    name: str | None = None,
) -> Store:
    """The store for the FAQ file at `path`, read as `how` says, from the
    cache when it is current; `notice` says once why the cache is not used,
    where it is not private. Messages name the file `name` (a URL, say)."""
    from faq_cli.source import How, read_bytes

    how = how or How()
    typed = path  # messages name the file as the user did; the cache, by its real path
    name = name or str(typed)
    try:
        path = path.resolve()
        st = path.stat()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        read_bytes(typed)  # raises the worded error for this path
        raise
    from faq_cli.source import within_limit

    within_limit(st.st_size, name)  # cached or not, the limit holds
    identity: dict[str, object] = {
        "path": str(path),
        "size": st.st_size,
        "mtime": st.st_mtime_ns,
        "ctime": st.st_ctime_ns,
        "inode": st.st_ino,
        "how": ":".join(map(str, how)),  # another format or level is another index
    }
    target = cache.place(path, notice) if use_cache else None
    if target is not None and (db := _current(target, path, identity)) is not None:
        return Store(db, target)
    from faq_cli import apart, readers
    from faq_cli.index import build

    if st.st_size >= apart.FROM_BYTES and readers.is_yaml(typed, name, how):
        return Store(build(apart.Parsed(typed, name, identity), identity, target, progress))
    faq, identity["sha256"] = readers.read_hashed(typed, name, how, progress)
    return Store(build(faq, identity, target, progress))


def _current(target: Path, path: Path, identity: dict[str, object]) -> sqlite3.Connection | None:
    """The cached index at `target` if it is sound and current, else None (and
    a cache file that is not sound is removed)."""
    db = cache.connect(target)
    if db is None:
        return None
    try:
        meta = {}
        for key, value, crc in db.execute("SELECT key, value, crc FROM meta"):
            if cache.checksum(key, value) != crc:
                raise cache.Damaged(target)
            meta[key] = value
        if meta.get("code") != cache.version() or not isinstance(meta.get("rows"), int):
            raise cache.Damaged(target)  # made by other code: rebuilt all the same
        if len(meta.get("lengths", b"")) != 4 * meta["rows"]:
            raise cache.Damaged(target)
        if db.execute("SELECT count(*) FROM entry").fetchone()[0] != meta["rows"]:
            raise cache.Damaged(target)  # truncated
        # Touched or checked out again, perhaps unchanged: then compare the content.
        changed = any(meta.get(k) != v for k, v in identity.items())
        if changed and (
            meta.get("path") != identity["path"]
            or meta.get("size") != identity["size"]
            or meta.get("how") != identity["how"]  # read another way: another index
            or meta.get("sha256") != _sha256(path.read_bytes())
        ):
            db.close()
            return None  # another version of the file: rebuilt in its place
        if changed:
            _refresh_identity(target, identity)
        return db
    except (cache.Damaged, *_DAMAGE, OSError):
        db.close()
        cache.discard(target)
        return None


def _refresh_identity(target: Path, identity: dict[str, object]) -> None:
    """Record the touched file's new mtime, ctime and inode, so that later runs
    do not hash its content again; a cache that cannot be written stays as it was."""
    rows = [(v, cache.checksum(k, v), k) for k, v in identity.items()]
    try:
        with sqlite3.connect(target) as db:
            db.executemany("UPDATE meta SET value = ?, crc = ? WHERE key = ?", rows)
        db.close()
    except sqlite3.Error:
        pass


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _reads(method: Callable[..., T]) -> Callable[..., T]:
    """A public read of the index: a fault in a cached index raises
    `cache.Damaged`, whatever the reading code made of it."""

    @functools.wraps(method)
    def read(self: Store, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except _DAMAGE:
            if self.origin is None:
                raise  # an index built in this process: a fault of ours, not of the cache
            raise cache.Damaged(self.origin) from None

    return read


class _SqlVocabulary:
    """The `match.Vocabulary` look-ups, answered by the word table's index."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def has(self, word: str) -> bool:
        return self.db.execute("SELECT 1 FROM word WHERE word = ?", (word,)).fetchone() is not None

    def with_stem(self, word_stem: str) -> Iterable[str]:
        return [w for (w,) in self.db.execute("SELECT word FROM word WHERE stem = ?", (word_stem,))]

    def with_prefix(self, prefix: str) -> Iterable[str]:
        sql = "SELECT word FROM word WHERE word >= ? AND word < ?"
        return [w for (w,) in self.db.execute(sql, (prefix, prefix + _LAST))]

    def typo_candidates(self, word: str, edits: int) -> Sequence[str]:
        sql = "SELECT word FROM word WHERE word >= ? AND word < ? AND length(word) BETWEEN ? AND ?"
        args = (word[0], word[0] + _LAST, len(word) - edits, len(word) + edits)
        return [w for (w,) in self.db.execute(sql, args)]


class Store:
    """Read access to one FAQ: entries, look-up by id, and search. `origin` is
    the cache file it was read from, None for an index built here."""

    def __init__(self, db: sqlite3.Connection, origin: Path | None = None) -> None:
        self.db, self.origin = db, origin
        self._meta: dict[str, Any] = {}
        self._encoder: encoder.Encoder | None = None
        self._encoder_tried = False
        self._sentences: tuple[Any, Any, float] | None = None
        # Set by a search that would have asked the sentence model, had it read
        # the FAQ: the share it has read so far, in the background (`sentences`).
        self.reading: float | None = None
        # Set by a search that found nothing: the entries the model put nearest,
        # when they came near (`NEAR_MISS`).
        self.near_misses: list[Entry | Summary] = []
        self.meta = {  # the small values search needs
            key: value
            for key in ("title", "summary", "threshold", "unseen_weight", "static_bar")
            if (value := self.value(key)) is not None
        }

    @_reads
    def value(self, key: str) -> Any:
        """A meta value, checked, once read; None when there is none."""
        if key not in self._meta:
            row = self.db.execute("SELECT value, crc FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta[key] = self._checked(key, *row) if row else None
        return self._meta[key]

    def _checked(self, *row: Any) -> Any:
        """A row's value (its next-to-last column), once its checksum (the last) holds."""
        *values, crc = row
        if cache.checksum(*values) != crc:
            raise ValueError("checksum")
        return values[-1]

    @property
    def title(self) -> str | None:
        return self.meta.get("title")

    @property
    def summary(self) -> Summary | None:
        if not self.meta.get("summary"):
            return None
        import json

        headline, text, source = json.loads(self.meta["summary"])
        return Summary(headline, text, source)

    @_reads
    def entries(self) -> list[Entry]:
        """Every entry, in file order: all read and checked before any is shown."""
        sql = "SELECT * FROM entry WHERE id IS NOT NULL ORDER BY pos"
        return [self._record(row) for row in self.db.execute(sql)]  # type: ignore[misc]

    @_reads
    def get(self, ident: int) -> Entry | None:
        sql = "SELECT * FROM entry WHERE id = ?"
        row = self.db.execute(sql, (ident,)).fetchone() if -(2**63) <= ident < 2**63 else None
        return None if row is None else self._record(row)  # type: ignore[return-value]

    def _record(self, row: Sequence[Any]) -> Entry | Summary:
        """A checked entry row (pos, id, question, answer, sources, tags, crc) as
        an Entry; the summary's row (no id) as the Summary."""
        self._checked(*row)
        _, ident, question, answer, sources, tags, _ = row
        if ident is None:
            return Summary(question, answer, next(iter(cache.unpack(sources)), None))
        return Entry(ident, question, answer, cache.unpack(sources), cache.unpack(tags))

    @_reads
    def __len__(self) -> int:
        return int(self.value("entries"))

    @_reads
    def id_width(self) -> int:
        """Characters in the longest id."""
        return int(self.db.execute("SELECT max(length(id)) FROM entry").fetchone()[0] or 0)

    @_reads
    def ids(self) -> list[int]:
        return [i for (i,) in self.db.execute("SELECT id FROM entry WHERE id IS NOT NULL ORDER BY pos")]

    def _rows(self, table: str, key: str, wanted: Sequence[Any], chunk: int = 500) -> Iterator[Sequence[Any]]:
        """The rows of `table` whose `key` is one of `wanted`, in `key` order,
        `chunk` at a time (SQLite limits a statement's parameters)."""
        return cache.select_in(
            self.db, f"SELECT * FROM {table} WHERE {key} IN ({{}}) ORDER BY {key}", wanted, chunk
        )

    def _postings(self, word: str) -> tuple[BitMap, BitMap, BitMap]:
        from pyroaring import BitMap

        row = self.db.execute("SELECT * FROM word WHERE word = ?", (word,)).fetchone()
        if row is None:
            return BitMap(), BitMap(), BitMap()
        self._checked(*row)
        head, source, answer = map(BitMap.deserialize, row[2:5])
        return head, source, answer

    def _lengths(self) -> array[int]:
        """Each row's question length, by position: ranking's tie-break."""
        return array("I", self.value("lengths"))

    @_reads
    def search(
        self, query: str, limit: int = 5, min_score: int = 0, sentences: bool = True
    ) -> list[rank.Hit]:
        """The best `limit` entries for `query`, scoring `min_score` or more;
        without the sentence model unless `sentences` (a quick first answer)."""
        self.near_misses = []
        qwords = match.query_words(query)
        model = self._model() if match.informative(qwords) else None
        vocabulary = _SqlVocabulary(self.db)
        matches = {q: match.word_matches(vocabulary, q, model.is_word if model else None) for q in qwords}
        lengths = self._lengths()
        found = rank.lexical(self._postings, qwords, matches, len(lengths))
        similar = self._similarities(model, query) if model else None
        threshold = self.meta.get("threshold", 1.0)
        judged = self._judged(query, qwords, matches, similar) if sentences else None
        if judged is None:
            ranked = rank.rank(found, lengths, limit + rank.TIE_ROOM, min_score, similar, threshold)
        else:
            judgement, static, margins = judged
            room = limit + rank.TIE_ROOM
            ranked = rank.rank_sentences(found, judgement, static, threshold, lengths, room, min_score)
            if not ranked:
                self.near_misses = self._near(margins)
        entries = {
            row[0]: self._record(row) for row in self._rows("entry", "pos", sorted(r.pos for r in ranked))
        }
        questions = {pos: match.as_document(e).question for pos, e in entries.items()}
        ranked = rank.in_order(ranked, questions, words(query), matches, limit)
        meaning_only = {"meaning": frozenset[str]()}
        return [
            rank.Hit(
                entries[r.pos],
                r.score,
                match.matched(match.as_document(entries[r.pos]), qwords, matches)
                if r.by_words
                else meaning_only,
            )
            for r in ranked
        ]

    def _judged(
        self,
        query: str,
        qwords: list[str],
        matches: dict[str, dict[str, float]],
        similar: meaning.Meaning | None,
    ) -> tuple[rank.Sentences, Any, Any] | None:
        """The sentence model's judgement of every entry (`rank.Sentences`), with
        every entry's static similarity and the model's margins (how far past
        its bar each entry is), when the query needs the model: when its words
        alone do not answer it (`rank.confident`). None otherwise, or when the
        model cannot be loaded, or has not read the FAQ yet: then the static
        vectors are used."""
        if not match.informative(qwords) or rank.confident(self._postings, qwords, matches):
            return None
        if (read := self._sentence_rows()) is None or (model := self.sentence_model()) is None:
            return None
        import numpy as np

        vectors, scales, bar = read
        q = model.encode([query])[0] / 127
        sims = np.concatenate([part.astype(np.float32) @ q for part in vectors])
        margins = sims - scales - bar
        rows = len(sims)
        static = np.full(rows, -2.0, np.float32)  # no static meaning: nothing comes close
        if similar is not None:
            if len(similar.cluster_of):
                of = np.asarray(similar.cluster_of, np.uint32)
                kept = of < len(similar.cluster_sims)
                static[kept] = np.asarray(similar.cluster_sims, np.float32)[of[kept]]
            if similar.near:
                static[list(similar.near)] = list(similar.near.values())
        close = margins >= 0
        if "static_bar" in self.meta:  # the static vectors' consent, where there are some
            static_margins = static - np.frombuffer(self.value("static_scales"), np.float32)
            close = rank.agreed(margins, static_margins, self.meta["static_bar"])
        return rank.Sentences(sims, close), static, margins

    def _sentence_rows(self) -> tuple[list[Any], Any, float] | None:
        """The sentence model's vectors (int8, x 127, a matrix a chunk), each
        entry's local scale, and the FAQ's bar (`meaning.bar`), once every
        chunk is read; None until then. A cached index of a large FAQ that
        lacks some starts a reader in the background (`sentences.start`)."""
        if self._sentences is None:
            from faq_cli import sentences

            (have,) = self.db.execute("SELECT count(*) FROM sentence").fetchone()
            expected = sentences.chunks(len(self._lengths()))
            if not have or have != expected:
                # Too large to read when it was indexed: read in the background,
                # where there are weights to read it with.
                if self.origin is not None and len(self._lengths()) > sentences.UPFRONT:
                    from faq_cli.encoder import WEIGHTS

                    if WEIGHTS.is_file():
                        self.reading = have / expected
                        sentences.start(self.origin)
                return None
            import numpy as np

            from faq_cli import meaning

            rows = self.db.execute("SELECT * FROM sentence ORDER BY chunk").fetchall()
            for row in rows:
                self._checked(*row)
            dims = len(rows[0][1]) // np.frombuffer(rows[0][2], np.float32).size
            vectors = [np.frombuffer(r[1], np.int8).reshape(-1, dims) for r in rows]
            chunks = [r[0] for r in rows]
            if chunks != list(range(expected)) or sum(map(len, vectors)) != len(self._lengths()):
                raise ValueError("sentence rows")  # a fault of the cache
            scales = np.concatenate([np.frombuffer(r[2], np.float32) for r in rows])
            best = np.max([np.frombuffer(r[3], np.float32) for r in rows], axis=0)
            self._sentences = vectors, scales, meaning.bar(best)
        return self._sentences

    def _near(self, margins: Any) -> list[Entry | Summary]:
        """The entries the model put nearest the query, at most two, when they
        came within NEAR_MISS of their bar: a hint for a search that found nothing."""
        import numpy as np

        nearest = [int(p) for p in np.argsort(-margins, kind="stable")[:2] if margins[p] >= -NEAR_MISS]
        found = {row[0]: self._record(row) for row in self._rows("entry", "pos", sorted(nearest))}
        return [found[p] for p in nearest]

    def sentence_model(self) -> encoder.Encoder | None:
        """The sentence model, loaded once per store; None where it cannot be."""
        if not self._encoder_tried:
            from faq_cli import encoder

            self._encoder, self._encoder_tried = encoder.load(), True
        return self._encoder

    def warm(self) -> None:
        """Load the sentence model and make its weights ready, ahead of the
        queries that need it (`faq browse` does this once it is drawn)."""
        if self._sentence_rows() is not None and (model := self.sentence_model()) is not None:
            model.weights  # noqa: B018 (made once, for every query to come)

    def _model(self) -> meaning.Model | None:
        """The static meaning model, when the index has its vectors and it loads."""
        if "threshold" not in self.meta:
            return None
        from faq_cli import meaning

        return meaning.load()

    def _similarities(self, model: meaning.Model, query: str) -> meaning.Meaning | None:
        """How close the query's meaning is to each entry's, by the static
        vectors, from the index's clusters and vectors (`meaning.nearest`)."""
        from faq_cli import meaning

        vector = model.embed(query, self._weights)
        if vector is None:
            return None
        return meaning.nearest(
            vector, self._clusters(), self._bits, self._vectors, lambda: self.value("clusters")
        )

    def _clusters(self) -> list[tuple[bytes, bytes]]:
        rows = self.db.execute("SELECT * FROM cluster ORDER BY id").fetchall()
        for row in rows:
            self._checked(*row)
        return [(mean, members) for _, mean, members, _ in rows]

    def _bits(self, cluster: int) -> bytes:
        row = self.db.execute("SELECT * FROM sign WHERE id = ?", (cluster,)).fetchone()
        return bytes(self._checked(*row))  # the last value: the members' sign bits

    def _vectors(self, positions: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        for row in self._rows("vector", "pos", positions):
            self._checked(*row)
            yield row[0], row[1]

    def _weights(self, tokens: list[str]) -> dict[str, float]:
        found = {}
        for row in self._rows("weight", "token", tokens):
            found[row[0]] = self._checked(*row)
        return {t: found.get(t, self.meta["unseen_weight"]) for t in tokens}

    @_reads
    def exact(self, query: str, limit: int = 5) -> list[rank.Hit]:
        sql = "SELECT * FROM entry ORDER BY pos"
        docs = [self._record(row) for row in self.db.execute(sql)]
        return [
            rank.Hit(docs[pos], 100, matched)
            for pos, matched in match.exact(map(match.as_document, docs), query, limit)
        ]

    @_reads
    def finds_literally(self, query: str) -> bool:
        """Whether `exact` would find anything: a hint for a search that found
        nothing. Only entries that can hold the query as written are read, at
        most LITERAL_READS of them: those with its inner words whole and a word
        its last word begins; for a single word, with a word it is part of."""
        from pyroaring import BitMap

        from faq_cli.text import compiled, fold

        parts = compiled(r"[^\W_]+").findall(fold(query))
        if len(parts) == 1:
            sql = "SELECT word FROM word INDEXED BY word_stem WHERE instr(word, ?)"
            within = [w for (w,) in self.db.execute(sql, parts)]
        else:
            within = list(_SqlVocabulary(self.db).with_prefix(parts[-1])) if parts else []
        rows = BitMap().union(*(BitMap().union(*self._postings(w)) for w in within))
        for inner in parts[1:-1]:
            rows &= BitMap().union(*self._postings(inner))
        if not parts:  # punctuation alone: any entry may hold it
            rows = BitMap(range(len(self._lengths())))
        needle = fold(query).strip()
        read = self._rows("entry", "pos", list(rows[:LITERAL_READS]), chunk=50)
        return any(match.literally(match.as_document(self._record(row)), needle) for row in read)

    @_reads
    def suggest(self, query: str) -> str | None:
        return match.suggest(_SqlVocabulary(self.db), match.query_words(query))
