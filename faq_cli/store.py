"""The FAQ as the commands read it: entries, their words and word postings in
SQLite, cached per FAQ file in the user cache directory.

The cache only makes things faster. It is keyed by the file's resolved path
(its name), size, mtime, ctime and inode, and by a hash of the content when
those differ; it is rebuilt when it is stale, corrupt, truncated or made by
other code. It is written to a temporary file and renamed into place, so a
reader never sees half of one, and two processes building at once each use
their own. Where it cannot be written (read-only, full, missing home), the
same database is built in memory instead.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import sqlite3
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faq_cli import rank
from faq_cli.model import Entry, Faq, Summary
from faq_cli.text import stem, words

if TYPE_CHECKING:
    import numpy as np
    from pyroaring import BitMap

    from faq_cli import encoder, meaning
    from faq_cli.apart import Parsed

FORMAT = "6"  # bump when the schema changes; code changes are caught by _code_version()
BATCH = 2000
# A query's meaning is compared with the entries of its closest clusters, at
# least PROBE of them: in full when they are at most EXACT_UP_TO, else sifted
# by sign bits and the SIFTED closest compared in full. The rest of the
# entries get their cluster's mean similarity.
PROBE = 2000
EXACT_UP_TO = 300
SIFTED = 300
# Entries read at most to tell whether `exact` would find a query (a hint only):
# some 20 ms of folding text; where the query is, it is usually in the first few.
LITERAL_READS = 500
# The sentence model reads every entry of a FAQ of up to CONTEXT_UP_TO entries
# (with its summary) when it is indexed, CONTEXT_TOKENS tokens of each at the
# most, CONTEXT_STEP entries at a time: about 0.4 ms a token on one core, so
# that a 200-entry FAQ takes a few seconds more. A larger FAQ keeps the static
# vectors alone. A query needs a similarity above the CONTEXT_QUANTILE of the
# shipped probe questions' best similarities to the FAQ's entries.
CONTEXT_UP_TO = 250
CONTEXT_TOKENS = 64
CONTEXT_STEP = 64
CONTEXT_QUANTILE = 0.99

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
-- The summary, when there is one, is searched as one more row, after the
-- entries, with no id: its headline as question, its text as answer.
CREATE TABLE entry(
    pos INTEGER PRIMARY KEY, id INTEGER UNIQUE, question TEXT NOT NULL,
    answer TEXT NOT NULL, sources TEXT NOT NULL, tags TEXT NOT NULL
);
-- the positions with the word in question or tags; else in sources; else in the answer,
-- each a serialized Roaring bitmap (pyroaring)
CREATE TABLE word(word TEXT PRIMARY KEY, stem TEXT, head BLOB, source BLOB, answer BLOB) WITHOUT ROWID;
CREATE INDEX word_stem ON word(stem);
-- each entry's meaning as a unit vector of int8 (x 127), where it has one
CREATE TABLE vector(pos INTEGER PRIMARY KEY, vec BLOB NOT NULL);
-- The entries with a vector, in clusters of like meaning (meaning.partition):
-- each cluster's mean vector (float32), its members' positions (a serialized
-- Roaring bitmap) and their sign bits, in position order.
CREATE TABLE cluster(id INTEGER PRIMARY KEY, mean BLOB NOT NULL, members BLOB NOT NULL, bits BLOB NOT NULL);
-- each token's weight in this FAQ (see meaning.Model.weights)
CREATE TABLE weight(token TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID;
"""

Progress = Callable[[str, int, int | None], None]  # phase, done, total (None: unknown)
_LAST = "\U0010ffff"  # sorts after every word: [p, p + _LAST) holds the words starting with p


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/faq, else ~/.cache/faq; None when neither is an absolute
    path (no home directory), rather than a cache in the working directory."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec says to ignore a relative path
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "faq" if os.path.isabs(base) else None


def open_store(path: Path, use_cache: bool = True, progress: Progress | None = None) -> Store:
    """The store for the FAQ file at `path`, from the cache when it is current."""
    from faq_cli.source import read_bytes

    typed = path  # messages name the file as the user did; the cache, by its real path
    try:
        path = path.resolve()
        st = path.stat()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        read_bytes(typed)  # raises the worded error for this path
        raise
    key = str(path)
    identity: dict[str, object] = {
        "path": key,
        "size": st.st_size,
        "mtime": st.st_mtime_ns,
        "ctime": st.st_ctime_ns,
        "inode": st.st_ino,
    }
    # The file name is only a hint (zlib imports faster than hashlib); the
    # path stored inside decides.
    folder = cache_dir() if use_cache else None
    target = folder / f"{zlib.crc32(key.encode('utf-8', 'surrogateescape')):08x}.sqlite" if folder else None
    if target is not None and (db := _open_cached(target, path, identity)) is not None:
        _OPENED.append(target)
        return Store(db)
    from faq_cli import apart

    if st.st_size >= apart.FROM_BYTES:
        return Store(build(apart.Parsed(typed, str(typed), identity), identity, target, progress))
    from faq_cli.load import read_hashed

    faq, identity["sha256"] = read_hashed(typed, str(typed), progress)
    return Store(build(faq, identity, target, progress))


_OPENED: list[Path] = []  # cache files read by this process


def forget_opened() -> bool:
    """Remove the cache files this process read (they turned out damaged), so
    that the next open rebuilds them; False when there were none."""
    found = bool(_OPENED)
    for target in _OPENED:
        with contextlib.suppress(OSError):
            target.unlink()
    _OPENED.clear()
    return found


# Every file whose contents shape an index: the code that builds it, and the
# model files whose vectors and thresholds it stores.
SHAPERS = (
    *(f"{m}.py" for m in ("store", "rank", "text", "load", "model", "meaning", "wordpiece", "encoder")),
    "vectors.sqlite",
    "minilm.safetensors",
)


def _code_version() -> str:
    """Changes whenever what shapes the cache changes (an upgrade, an edit)."""
    here = Path(__file__).parent
    stats = []
    for name in SHAPERS:
        try:
            st = os.stat(here / name)
            stats.append(f"{st.st_size}.{st.st_mtime_ns}")
        except OSError:  # a model file missing: search goes without it, and so does the index
            stats.append("-")
    return FORMAT + ":" + ",".join(stats)


def _open_cached(target: Path, path: Path, identity: dict[str, object]) -> sqlite3.Connection | None:
    """The cached database if it is sound and current, else None."""
    try:
        db = sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("code") != _code_version() or meta.get("entries") is None:
            raise LookupError
        # Touched or checked out again, perhaps unchanged: then compare the content.
        changed = any(meta.get(k) != v for k, v in identity.items())
        if changed and (
            meta.get("path") != identity["path"]
            or meta.get("size") != identity["size"]
            or meta.get("sha256") != _sha256(path.read_bytes())
        ):
            raise LookupError
        if db.execute("SELECT count(*) FROM entry").fetchone()[0] != meta["rows"]:
            raise LookupError  # truncated
        if changed:
            _refresh_identity(target, identity)
        return db
    except (sqlite3.Error, LookupError, OSError, TypeError):
        db.close()
        return None


def _refresh_identity(target: Path, identity: dict[str, object]) -> None:
    """Record the touched file's new mtime, ctime and inode, so that later runs
    do not hash its content again; a cache that cannot be written stays as it was."""
    try:
        with contextlib.closing(sqlite3.connect(target)) as db, db:
            db.executemany("UPDATE meta SET value = ? WHERE key = ?", [(v, k) for k, v in identity.items()])
    except sqlite3.Error:
        pass


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def build(
    faq: Faq | Parsed,
    identity: dict[str, object],
    target: Path | None = None,
    progress: Progress | None = None,
) -> sqlite3.Connection:
    """Index `faq` into a database: at `target` (atomically) or, failing that, in memory."""
    made: list[str] = []  # the temporary file, once it exists: removed unless published
    db = None
    try:
        if target is not None:
            _temporary(target, made)
        # `faq browse` searches on a worker thread, one search at a time.
        db = sqlite3.connect(made[0] if made else ":memory:", check_same_thread=False)
        _fill(db, faq, identity, progress)
        if made:
            _publish(made[0], target)  # type: ignore[arg-type]
            made.clear()  # published: nothing to remove
        return db
    except (OSError, sqlite3.Error):
        if not made:
            raise
        if db is not None:
            db.close()
        return build(faq, identity, None, progress)  # the cache is unwritable or full
    except BaseException:  # Ctrl-C included: never leave half a cache behind
        if db is not None:
            db.close()
        raise
    finally:
        for tmp in made:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _publish(tmp: str, target: Path) -> None:
    """Rename the built file into place, crash-safely: its data reaches the disk
    before the rename, and the rename before we go on, so a power cut leaves
    the old cache or the whole new one, never a renamed but partial file. (The
    build itself runs with SQLite's journal and syncs off: it is a fresh file.)"""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temporary(target: Path, made: list[str]) -> None:
    """Create the temporary file beside `target` and note it in `made`, with
    Ctrl-C held off in between, so that no interruption can leave it behind
    unnoted. Nothing is noted when the directory is unwritable."""
    import signal
    import tempfile

    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".build-", suffix=".sqlite")
        os.close(fd)
        made.append(tmp)
    except OSError:
        pass
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _fill(
    db: sqlite3.Connection, faq: Faq | Parsed, identity: dict[str, object], progress: Progress | None
) -> None:
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    # Each word's positions in each of rank.TIERS.
    postings: tuple[defaultdict[str, array[int]], ...] = tuple(
        defaultdict(lambda: array("I")) for _ in rank.TIERS
    )
    lengths = array("I")
    meanings = _Meanings.start()
    contexts: list[tuple[str, str]] | None = []  # for the sentence model, while the FAQ is small enough
    rows = []
    total = len(faq.entries) if isinstance(faq.entries, Sized) else None  # a file being parsed: unknown

    def items() -> Iterator[Entry | Summary]:
        yield from faq.entries
        if faq.summary:  # known once the entries are
            yield faq.summary

    # A FAQ may repeat an answer, a source or a tag many times: the words of
    # the last thousand distinct texts are remembered (bounded memory).
    distinct = functools.lru_cache(maxsize=1024)(lambda text: frozenset(words(text)))
    for pos, d in enumerate(map(rank.as_entry, items())):
        fields = rank.field_words(d, distinct)
        for tier, found in zip(postings, rank.tiers(fields), strict=True):
            for w in found:
                tier[w].append(pos)
        lengths.append(len(d.question))
        if meanings:
            meanings.add(d)
        if contexts is not None and len(contexts) < CONTEXT_UP_TO:
            contexts.append(rank.context_texts(d))
        else:
            contexts = None  # too many entries to read them all
        rows.append((pos, d.id, d.question, d.answer, _json(d.sources), _json(d.tags)))
        if len(rows) == BATCH:
            db.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?)", rows)
            rows.clear()
            if progress:
                progress("Indexing", pos + 1, total)
    db.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?)", rows)
    from pyroaring import BitMap

    def blob(positions: array[int]) -> bytes:
        return BitMap(positions).serialize()

    head, source, answer = postings
    db.executemany(
        "INSERT INTO word VALUES (?, ?, ?, ?, ?)",
        (
            (w, stem(w) if len(w) >= 3 else None, blob(head[w]), blob(source[w]), blob(answer[w]))
            for w in head.keys() | source.keys() | answer.keys()
        ),
    )
    del postings, head, source, answer
    s = faq.summary
    meta = {
        **identity,
        **(meanings.write(db, progress) if meanings else {}),
        **(_context(contexts, identity, progress) if contexts else {}),
        "code": _code_version(),
        "entries": len(lengths) - (s is not None),
        "rows": len(lengths),
        "lengths": lengths.tobytes(),
        "title": faq.title,
        "summary": None if s is None else json.dumps([s.headline, s.text, s.source]),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    db.commit()


def _context(
    texts: list[tuple[str, str]], identity: dict[str, object], progress: Progress | None
) -> dict[str, object]:
    """The meta values of the sentence model's view of a FAQ: each entry's
    vector (int8, x 127, by position) and the FAQ's threshold; none when the
    model cannot be loaded. The shipped FAQ's come with the package."""
    if (shipped := _shipped_context(identity)) is not None:
        return shipped
    from faq_cli import encoder

    model = encoder.load()
    if model is None:
        return {}
    import numpy as np

    from faq_cli import meaning

    vectors = np.zeros((len(texts), model.dims), np.float32)
    for a in range(0, len(texts), CONTEXT_STEP):
        part = texts[a : a + CONTEXT_STEP]
        both = model.encode([head for head, _ in part] + [whole for _, whole in part], CONTEXT_TOKENS)
        vectors[a : a + len(part)] = meaning.unit_rows(both[: len(part)] + both[len(part) :])
        if progress:
            progress("Reading the meaning of", a + len(part), len(texts))
    best = (model.probes() @ vectors.T).max(axis=1)
    return {
        "context": meaning.quantize_many(vectors).tobytes(),
        "context_threshold": float(np.quantile(best, CONTEXT_QUANTILE)),
    }


def _shipped_context(identity: dict[str, object]) -> dict[str, object] | None:
    """The shipped FAQ's sentence vectors, computed when the package was made
    (scripts/build_encoder.py), when `identity` is that FAQ's."""
    from importlib.resources import files

    try:
        with files("faq_cli.data").joinpath("faq.vectors").open("rb") as f:
            shipped = json.load(f)
        if shipped["sha256"] != identity.get("sha256") or shipped["weights"] != _weights_digest():
            return None
        return {"context": bytes.fromhex(shipped["context"]), "context_threshold": shipped["threshold"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _weights_digest() -> str | None:
    """The digest of the sentence model's weights: shipped vectors are good
    only with the weights they were computed with."""
    from faq_cli import encoder

    model = encoder.load()
    return model.meta.get("digest") if model else None


def _json(texts: tuple[str, ...]) -> str:
    return json.dumps(texts) if texts else "[]"  # most entries have no tags, and json.dumps is slow


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

    def add(self, entry: Entry) -> None:
        (head, head_set), (answer, answer_set) = map(self.tokenised, rank.meaning_texts(entry))
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
        db.executemany("INSERT INTO weight VALUES (?, ?)", weights.items())
        vectors = self._vectors(db, self.model.table(tokens, weights, unseen), progress)
        threshold = self.model.threshold(vectors, weights, unseen)
        clusters = _write_clusters(db, vectors, progress)
        if clusters is None:
            return {}
        return {"threshold": threshold, "unseen_weight": unseen, "clusters": clusters}

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
            db.executemany("INSERT INTO vector VALUES (?, ?)", ((a + i, part[i].tobytes()) for i in some))
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
    if len(kept) <= PROBE:  # one cluster: every entry is compared
        clusters, means = np.zeros(len(kept), np.intp), vectors.mean(axis=0, keepdims=True)
    else:
        if progress:
            progress("Grouping meanings of", 0, None)
        clusters, means = meaning.partition(vectors, math.isqrt(len(kept) - 1) + 1)
    # Each vector's signs, 1 bit a dimension: a cheap first look at a cluster's members.
    signs = np.packbits(vectors > 0, axis=1, bitorder="little")
    order = np.argsort(clusters, kind="stable")  # cluster by cluster, each in file order
    ends = np.cumsum(np.bincount(clusters, minlength=len(means)))
    rows = (
        (
            c,
            (means[c] / 127).astype(np.float32).tobytes(),
            BitMap(kept[m].tolist()).serialize(),
            signs[m].tobytes(),
        )
        for c, m in enumerate(np.split(order, ends[:-1]))
    )
    db.executemany("INSERT INTO cluster VALUES (?, ?, ?, ?)", rows)
    of = np.full(count, np.iinfo(np.uint32).max, np.uint32)  # the most: no cluster
    of[kept] = clusters
    return of.tobytes()


class _SqlVocabulary:
    """The `search.Vocabulary` look-ups, answered by the word table's index."""

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
    """Read access to one FAQ: entries, look-up by id, and search."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        keys = "'title', 'summary', 'threshold', 'unseen_weight', 'context_threshold'"
        sql = f"SELECT key, value FROM meta WHERE key IN ({keys}) AND value IS NOT NULL"
        self.meta = dict(db.execute(sql))
        self.lengths: array[int] | None = None
        self._encoder: encoder.Encoder | None = None
        self._encoder_tried = False
        self._sentence_vectors: Any = None

    @property
    def title(self) -> str | None:
        return self.meta.get("title")

    @property
    def summary(self) -> Summary | None:
        if not self.meta.get("summary"):
            return None
        headline, text, source = json.loads(self.meta["summary"])
        return Summary(headline, text, source)

    def entries(self) -> Iterator[Entry]:
        """Every entry, in file order, read as they are needed."""
        sql = "SELECT id, question, answer, sources, tags FROM entry WHERE id IS NOT NULL ORDER BY pos"
        for row in self.db.execute(sql):
            yield _record(row)  # type: ignore[misc]

    def get(self, ident: int) -> Entry | None:
        sql = "SELECT id, question, answer, sources, tags FROM entry WHERE id = ?"
        row = self.db.execute(sql, (ident,)).fetchone() if -(2**63) <= ident < 2**63 else None
        return None if row is None else _record(row)  # type: ignore[return-value]

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(id) FROM entry").fetchone()[0])

    def id_width(self) -> int:
        """Characters in the longest id."""
        return int(self.db.execute("SELECT max(length(id)) FROM entry").fetchone()[0] or 0)

    def ids(self) -> list[int]:
        return [i for (i,) in self.db.execute("SELECT id FROM entry WHERE id IS NOT NULL ORDER BY pos")]

    def _rows(self, columns: str, positions: Sequence[int], chunk: int = 500) -> Iterator[Sequence[Any]]:
        sql = f"SELECT {columns} FROM entry WHERE pos IN ({{}}) ORDER BY pos"
        for i in range(0, len(positions), chunk):
            some = positions[i : i + chunk]
            yield from self.db.execute(sql.format(",".join("?" * len(some))), some)

    def _postings(self, word: str) -> tuple[BitMap, BitMap, BitMap]:
        from pyroaring import BitMap

        row = self.db.execute("SELECT head, source, answer FROM word WHERE word = ?", (word,)).fetchone()
        if row is None:
            return BitMap(), BitMap(), BitMap()
        head, source, answer = map(BitMap.deserialize, row)
        return head, source, answer

    def _lengths(self) -> array[int]:
        """Each row's question length, by position: ranking's tie-break."""
        if self.lengths is None:
            self.lengths = array(
                "I", self.db.execute("SELECT value FROM meta WHERE key = 'lengths'").fetchone()[0]
            )
        return self.lengths

    def search(
        self, query: str, limit: int = 5, min_score: int = 0, sentences: bool = True
    ) -> list[rank.Hit]:
        """The best `limit` entries for `query`, scoring `min_score` or more;
        without the sentence model unless `sentences` (a quick first answer)."""
        qwords = rank.query_words(query)
        model = self._model() if rank.informative(qwords) else None
        vocabulary = _SqlVocabulary(self.db)
        matches = {q: rank.word_matches(vocabulary, q, model.is_word if model else None) for q in qwords}
        lengths = self._lengths()
        found = rank.lexical(self._postings, qwords, matches, len(lengths))
        similar = self._similarities(model, query) if model else None
        threshold = self.meta.get("threshold", 1.0)
        sentence = self._sentence_similarities(query, qwords, matches) if sentences else None
        if sentence is None:
            ranked = rank.rank(found, lengths, limit + rank.TIE_ROOM, min_score, similar, threshold)
        else:
            static = similar.everything() if similar else None
            bar = self.meta["context_threshold"]

            def score(lex: rank.Lexical | None, pos: int) -> float | None:
                words = static is not None and rank.fuse(lex, static.get(pos), threshold) is not None
                return rank.fuse_context(lex, sentence[pos], bar, words)

            ranked = rank.rank_every(found, lengths, limit + rank.TIE_ROOM, min_score, score)
        positions = sorted(r.pos for r in ranked)
        columns = "pos, id, question, answer, sources, tags"
        entries = {pos: _record(row) for pos, *row in self._rows(columns, positions)}
        questions = {pos: rank.as_entry(e).question for pos, e in entries.items()}
        ranked = rank.in_order(ranked, questions, words(query), matches, limit)
        meaning_only = {"meaning": frozenset[str]()}
        return [
            rank.Hit(
                entries[r.pos],
                r.score,
                rank.matched(rank.as_entry(entries[r.pos]), qwords, matches) if r.by_words else meaning_only,
            )
            for r in ranked
        ]

    def _sentence_similarities(
        self, query: str, qwords: list[str], matches: dict[str, dict[str, float]]
    ) -> list[float] | None:
        """Each entry's cosine similarity to the query by the sentence model,
        when the index has its vectors and the query needs it: when its words
        alone do not answer it (`rank.confident`). None otherwise, or when the
        model cannot be loaded: then the static vectors are used."""
        if "context_threshold" not in self.meta or not rank.informative(qwords):
            return None
        if rank.confident(self._postings, qwords, matches):
            return None
        model = self.sentence_model()
        if model is None:
            return None
        try:
            import numpy as np

            if self._sentence_vectors is None:
                (blob,) = self.db.execute("SELECT value FROM meta WHERE key = 'context'").fetchone()
                self._sentence_vectors = np.frombuffer(blob, np.int8).reshape(-1, model.dims)
            sims: list[float] = (self._sentence_vectors @ (model.encode([query])[0] / 127)).tolist()
        except (ValueError, TypeError, IndexError, MemoryError):  # a damaged index: go without
            return None
        return sims if len(sims) == len(self._lengths()) else None

    def sentence_model(self) -> encoder.Encoder | None:
        """The sentence model, loaded once per store; None where it cannot be."""
        if not self._encoder_tried:
            from faq_cli import encoder

            self._encoder, self._encoder_tried = encoder.load(), True
        return self._encoder

    def warm(self) -> None:
        """Load the sentence model and make its weights ready, ahead of the
        queries that need it (`faq browse` does this once it is drawn)."""
        if "context_threshold" in self.meta and (model := self.sentence_model()) is not None:
            model.weights  # noqa: B018 (made once, for every query to come)

    def _model(self) -> meaning.Model | None:
        """The meaning model, when the index has vectors and the model loads."""
        if "threshold" not in self.meta:
            return None
        from faq_cli import meaning

        return meaning.load()

    def _similarities(self, model: meaning.Model, query: str) -> rank.Meaning | None:
        """How close the query's meaning is to each entry's. Only the entries
        of the clusters closest to the query are compared one by one; the
        others get their cluster's mean similarity (see _write_clusters)."""
        vector = model.embed(query, self._weights)
        if vector is None:
            return None
        from operator import mul

        from pyroaring import BitMap

        q = [x / 127 for x in vector]
        rows = self.db.execute("SELECT mean, members FROM cluster ORDER BY id").fetchall()
        means = [sum(map(mul, q, array("f", mean))) for mean, _ in rows]
        by_mean = sorted(range(len(rows)), key=means.__getitem__, reverse=True)
        positions, bits, far = array("I"), bytearray(), []
        for c in by_mean:
            members = BitMap.deserialize(rows[c][1])
            if len(positions) < PROBE:
                positions.extend(members)
                bits += self.db.execute("SELECT bits FROM cluster WHERE id = ?", (c,)).fetchone()[0]
            else:
                far.append((means[c], members))
        near = self._sifted(vector, q, positions, bytes(bits))
        if not far:
            return rank.Meaning(near, far)
        of = self.db.execute("SELECT value FROM meta WHERE key = 'clusters'").fetchone()[0]
        return rank.Meaning(near, far, array("I", of), means)

    def _sifted(
        self, vector: Sequence[float], q: list[float], positions: array[int], bits: bytes
    ) -> dict[int, float]:
        """The similarities of the entries at `positions` (whose sign bits are
        `bits`): the SIFTED whose signs agree most with the query's in full,
        the others as their signs estimate."""
        if len(positions) <= EXACT_UP_TO:
            return self._cosines(q, positions)
        import heapq

        width = len(vector) // 8
        query_bits = sum(1 << i for i, x in enumerate(vector) if x > 0)
        number = int.from_bytes  # looked up once: this loop visits every entry
        unlike = [
            (query_bits ^ number(bits[i : i + width], "little")).bit_count()
            for i in range(0, len(bits), width)
        ]
        # Sign agreement estimates the angle between two vectors (Charikar's SimHash).
        cosine = [math.cos(math.pi * h / len(vector)) for h in range(len(vector) + 1)]
        estimate = dict(zip(positions, map(cosine.__getitem__, unlike), strict=True))
        closest = heapq.nsmallest(SIFTED, range(len(unlike)), key=unlike.__getitem__)
        estimate.update(self._cosines(q, [positions[i] for i in closest]))
        return estimate

    def _cosines(self, q: list[float], positions: Sequence[int]) -> dict[int, float]:
        from operator import mul

        sql = "SELECT pos, vec FROM vector WHERE pos IN ({})"
        out = {}
        for i in range(0, len(positions), 500):
            chunk = list(positions[i : i + 500])
            for pos, blob in self.db.execute(sql.format(",".join("?" * len(chunk))), chunk):
                out[pos] = sum(map(mul, q, array("b", blob)))
        return out

    def _weights(self, tokens: list[str]) -> dict[str, float]:
        sql = f"SELECT token, value FROM weight WHERE token IN ({','.join('?' * len(tokens))})"
        found = dict(self.db.execute(sql, tokens))
        return {t: found.get(t, self.meta["unseen_weight"]) for t in tokens}

    def exact(self, query: str, limit: int = 5) -> list[rank.Hit]:
        sql = "SELECT id, question, answer, sources, tags FROM entry ORDER BY pos"
        docs = [_record(row) for row in self.db.execute(sql)]
        return [
            rank.Hit(docs[pos], 100, matched)
            for pos, matched in rank.exact(map(rank.as_entry, docs), query, limit)
        ]

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
        read = self._rows("id, question, answer, sources, tags", list(rows[:LITERAL_READS]), chunk=50)
        return any(rank.literally(rank.as_entry(_record(row)), needle) for row in read)

    def suggest(self, query: str) -> str | None:
        return rank.suggest(_SqlVocabulary(self.db), rank.query_words(query))


def _record(row: Sequence[Any]) -> Entry | Summary:
    """An entry row as an Entry; the summary's row (no id) as the Summary."""
    ident, question, answer, sources, tags = row
    if ident is None:
        return Summary(question, answer, next(iter(json.loads(sources)), None))
    return Entry(ident, question, answer, tuple(json.loads(sources)), tuple(json.loads(tags)))
