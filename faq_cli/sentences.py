"""The sentence model's view of a FAQ, kept in its index: each entry's vector,
its local scale and the probe questions' best margins (`meaning.
local_calibration`), CHUNK entries to a row of the `sentence` table.

A FAQ of up to UPFRONT entries is read whole when it is indexed. A larger
one is read in the background, once a question needs the model: a second
process at idle priority (`python -m faq_cli.sentences CACHE-FILE`) adds
the rows chunk by chunk, each in a transaction of its own, while searches go
on with the static vectors; once every chunk is there, they use the model.
Rows are checked as they are read, as every row of the index is; two
processes that add the same chunk add the same row once.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faq_cli import cache, match
from faq_cli.model import Document

if TYPE_CHECKING:
    from faq_cli.encoder import Encoder

CHUNK = 1024  # entries a row: a query reads every row, one checksum each
# Entries read when a FAQ is indexed: the model reads some 100 entries a
# second on two cores, so that the first search of a FAQ of this size takes a
# few seconds more. A larger FAQ is read in the background.
UPFRONT = 500
TOKENS = 64  # of an entry's question and answer, read as one text
Row = tuple[int, bytes, bytes, bytes]  # chunk, vectors (int8), scales (float32), best margins (float32)


def chunks(rows: int) -> int:
    """How many chunks an index of `rows` entries (with its summary) has."""
    return -(-rows // CHUNK)


def encode(model: Encoder, docs: Sequence[Document], done: Callable[[int], None] | None = None) -> Any:
    """Each entry's unit vector (float32 rows): the mean of the model's vectors
    of its question (with its tags) and of its whole text, TOKENS of it. The
    question says what it is about, the answer's start how it is put."""
    from faq_cli import meaning

    texts = [match.context_texts(d) for d in docs]

    def read(count: int) -> None:  # of the two texts an entry
        if done:
            done(count // 2)

    # All at once: the model runs texts of like length together.
    both = model.encode([head for head, _ in texts] + [whole for _, whole in texts], TOKENS, read)
    return meaning.unit_rows(both[: len(texts)] + both[len(texts) :])


def rows(model: Encoder, vectors: Any, first: int = 0) -> Iterator[Row]:
    """The rows of unit `vectors`, the first at position `first` (a chunk's start)."""
    from faq_cli import meaning

    small = meaning.quantize_many(vectors)
    probes = model.probes()
    for a in range(0, len(small), CHUNK):
        part = small[a : a + CHUNK]
        scales, best = meaning.local_calibration(part, probes)
        yield (first + a) // CHUNK, part.tobytes(), scales.tobytes(), best.tobytes()


def build(docs: Sequence[Document], identity: dict[str, object], progress: Any = None) -> list[Row]:
    """The rows of a FAQ small enough to read when it is indexed; none when the
    model cannot be loaded. The shipped FAQ's come with the package."""
    if (shipped := _shipped(identity)) is not None:
        return shipped
    from faq_cli import encoder

    model = encoder.load()
    if model is None:
        return []

    def done(count: int) -> None:
        if progress:
            progress("Reading the meaning of", count, len(docs))

    return list(rows(model, encode(model, docs, done)))


def _shipped(identity: dict[str, object]) -> list[Row] | None:
    """The shipped FAQ's rows, computed when the package was made
    (scripts/build_encoder.py), when `identity` is that FAQ's and the
    weights are those they were computed with."""
    import json
    from importlib.resources import files

    try:
        with files("faq_cli.data").joinpath("faq.vectors").open("rb") as f:
            shipped = json.load(f)
        if shipped["sha256"] != identity.get("sha256") or shipped["weights"] != _weights_digest():
            return None
        return [(int(c), *map(bytes.fromhex, parts)) for c, *parts in shipped["rows"]]  # type: ignore[misc]
    except (OSError, ValueError, KeyError, TypeError, ImportError):  # ImportError: a source tree
        return None


def _weights_digest() -> str | None:
    from faq_cli import encoder

    model = encoder.load()
    return model.meta.get("digest") if model else None


# --- in the background -------------------------------------------------------


def start(target: Path) -> None:
    """Start reading the FAQ whose index is at `target` in the background,
    unless a reader already holds it or FAQ_BACKGROUND=0 says not to."""
    import subprocess

    if os.environ.get("FAQ_BACKGROUND", "1") == "0" or _busy(target):
        return
    here = str(Path(__file__).resolve().parent.parent)  # as apart.py: never the working directory
    path = [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    with contextlib.suppress(OSError):
        subprocess.Popen(
            [sys.executable, "-P", "-m", "faq_cli.sentences", os.fsdecode(target)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(path)},
            start_new_session=True,  # not stopped by the terminal's Ctrl-C, nor waited for
        )


def _busy(target: Path) -> bool:
    """Whether a reader holds `target` now (its lock, `fill`)."""
    import fcntl

    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return True  # nothing there to read
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def fill(target: Path) -> int:
    """Add the missing rows to the index at `target`, chunk by chunk; return
    how many were added. Only one process does this at a time (the others
    return at once), and it stops when the index is replaced or fails a check."""
    import fcntl
    import sqlite3

    from faq_cli import encoder

    if not cache.usable(target):
        return 0
    fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return 0  # another reader has it
    added = 0
    try:
        model = encoder.load()
        db = sqlite3.connect(target, timeout=30)
        try:
            if model is None or not _current(db):
                return 0
            total = db.execute("SELECT count(*) FROM entry").fetchone()[0]
            have = {c for (c,) in db.execute("SELECT chunk FROM sentence")}
            for c in range(chunks(total)):
                if c in have:
                    continue
                docs = _documents(db, c * CHUNK)
                ((_, *row),) = rows(model, encode(model, docs), c * CHUNK)
                with db:
                    db.execute(
                        "INSERT OR IGNORE INTO sentence VALUES (?, ?, ?, ?, ?)",
                        (c, *row, cache.checksum(c, *row)),
                    )
                added += 1
        finally:
            db.close()
    except (OSError, sqlite3.Error, ValueError):
        pass  # the index is gone, damaged or unwritable: searches find out for themselves
    finally:
        os.close(fd)
    return added


def _current(db: Any) -> bool:
    """Whether the index was made by this code, its meta values sound."""
    for key, value, crc in db.execute("SELECT key, value, crc FROM meta WHERE key = 'code'"):
        return bool(cache.checksum(key, value) == crc and value == cache.version())
    return False


def _documents(db: Any, first: int) -> list[Document]:
    """The entries of one chunk, from the index, each row checked."""
    out = []
    sql = "SELECT * FROM entry WHERE pos >= ? AND pos < ? ORDER BY pos"
    for row in db.execute(sql, (first, first + CHUNK)):
        *values, crc = row
        if cache.checksum(*values) != crc:
            raise ValueError("checksum")
        _, ident, question, answer, sources, tags = values
        out.append(Document(ident, question, answer, cache.unpack(sources), cache.unpack(tags)))
    return out


def _idle() -> None:
    """Run only when nothing else wants the processor."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # type: ignore[attr-defined]
    with contextlib.suppress(OSError):
        os.nice(19)


def main() -> None:
    """In the background process: read the FAQ of the index named on the
    command line. It says nothing: nobody is there to read it."""
    from faq_cli.process import one_blas_thread

    one_blas_thread()
    _idle()
    fill(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
