"""Where a FAQ's index is cached, and whether the cache is to be believed.

The cache only makes things faster, and it decides what `faq` prints, so it
is treated as a guest in the user's home: trusted only in a directory the
user owns and nobody else can write (made 0700); each file a regular file of
the user's, not writable by others; every row checked against the checksum
stored with it as it is read. Anything odd is rebuilt, never believed. A new
index is written to a temporary file, locked while it is written, and renamed
into place; temporary files that no live build holds are removed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import sqlite3

# Every file whose contents shape an index: the code that reads the FAQ file
# and builds it (and all they import), and the model files whose vectors and
# thresholds it stores.
_CODE = """index cache rank match text load apart source errors model meaning wordpiece encoder
sentences process readers/__init__ readers/base readers/outline readers/markdown readers/rst
readers/html readers/table readers/jsondata""".split()
SHAPERS = (*(f"{m}.py" for m in _CODE), "vectors.sqlite", "minilm.safetensors")
FORMAT = "10"  # bump when the schema changes; code changes are caught by `version`
STALE_AFTER = 10  # seconds before a file no build has locked yet is a dead build's leftover
Notice = Callable[[str], None]  # says something once, on stderr
T = TypeVar("T")


class Damaged(Exception):
    """A cached index failed a check as it was read; `path` is its file."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def folder() -> Path | None:
    """$XDG_CACHE_HOME/faq, else ~/.cache/faq; None when neither is an absolute
    path (no home directory), rather than a cache in the working directory."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec says to ignore a relative path
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "faq" if os.path.isabs(base) else None


def private(where: Path) -> str | None:
    """Why `where` is no place for a cache, or None when it is a directory of
    this user's that nobody else can write. It is made (0700) when missing;
    where it cannot be, there is simply no cache."""
    with contextlib.suppress(OSError):
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        st = where.stat()  # through a symlink: the directory itself decides
    except OSError:
        return None  # no directory and none can be made: search goes on in memory, as ever
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory"
    if st.st_uid != os.geteuid():
        return f"it belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return f"others can write to it (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def place(path: Path, notice: Notice | None = None) -> Path | None:
    """The cache file for the FAQ file at (resolved) `path`, in a private cache
    directory; None, said once by `notice`, when the directory is not private.
    The name is only a hint (zlib imports faster than hashlib); the path
    stored inside decides."""
    where = folder()
    if where is None:
        return None
    if (why := private(where)) is not None:
        if notice:
            notice(f"not using the cache in {where}: {why}; each search reads the FAQ file afresh")
        return None
    return where / f"{zlib.crc32(str(path).encode('utf-8', 'surrogateescape')):08x}.sqlite"


def usable(target: Path) -> bool:
    """Whether `target` may be opened as a cache: a regular file of this user's
    that nobody else can write. Anything else there (a FIFO, a symlink,
    another's file) is removed, never opened, so nothing can block on it."""
    try:
        st = target.lstat()
    except OSError:
        return False
    if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022:
        return True
    discard(target)
    return False


def discard(target: Path) -> None:
    """Remove a cache file (damaged, odd, or stale); the next search rebuilds it."""
    with contextlib.suppress(OSError):
        target.unlink()


def checksum(*values: object) -> int:
    """The CRC-32 of a row's values, stored beside them and checked as they are read."""
    crc = 0
    for value in values:
        if isinstance(value, bytes):
            data = value
        elif isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
        else:
            data = repr(value).encode()
        crc = zlib.crc32(data + b"\x1f", crc)  # a separator: ("ab", "c") is not ("a", "bc")
    return crc


_SEPARATOR, _AS_JSON = "\x1f", "\x1e"  # ASCII's unit and record separators


def pack(texts: Sequence[str]) -> str:
    """A list of texts (an entry's sources or tags) as one column: joined by
    the unit separator; as JSON after a record separator where a text holds
    either, or is empty. Reading it then needs no JSON parser, as a search
    printed in a terminal needs none otherwise."""
    if any(not t or _SEPARATOR in t or _AS_JSON in t for t in texts):
        import json

        return _AS_JSON + json.dumps(list(texts))
    return _SEPARATOR.join(texts)


def unpack(column: str) -> tuple[str, ...]:
    """The texts `pack` made `column` of."""
    if not column:
        return ()
    if column[0] == _AS_JSON:
        import json

        return tuple(json.loads(column[1:]))
    return tuple(column.split(_SEPARATOR))


def version(here: Path | None = None) -> str:
    """Changes whenever what shapes an index changes (an upgrade, an edit)."""
    here = here or Path(__file__).parent
    stats = []
    for name in SHAPERS:
        try:
            st = os.stat(here / name)
            stats.append(f"{st.st_size}.{st.st_mtime_ns}")
        except OSError:  # a model file missing: search goes without it, and so does the index
            stats.append("-")
    return FORMAT + ":" + ",".join(stats)


@contextlib.contextmanager
def temporary(target: Path) -> Iterator[str | None]:
    """A new temporary file beside `target`, locked while the caller writes it,
    and removed afterwards unless the caller renamed it into place (`publish`);
    None when the directory cannot be written. It is made under another name
    and renamed once locked, so that every `.build-*` file is locked by a
    live build or left by a dead one; signals are held off meanwhile, so that
    no interruption leaves it behind unnoted."""
    import fcntl
    import signal
    import tempfile

    remove_stale(target.parent)
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    fd, tmp = -1, None
    try:
        fd, new = tempfile.mkstemp(dir=target.parent, prefix=".new-", suffix=".sqlite")
        fcntl.flock(fd, fcntl.LOCK_EX)  # released when this process ends, however it ends
        built = str(target.parent / (".build-" + os.path.basename(new).removeprefix(".new-")))
        os.rename(new, built)
        tmp = built
    except OSError:  # the directory cannot be written: the index is built in memory
        if fd >= 0:
            os.close(fd)
            discard(Path(new))
        fd = -1
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
    try:
        yield tmp
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # already renamed, when published
            os.close(fd)


def remove_stale(where: Path) -> None:
    """Remove the temporary files of builds that died (killed, say): those no
    process holds locked; and files that died before they were locked, after
    a while."""
    import fcntl
    import time

    with contextlib.suppress(OSError):
        for leftover in [*where.glob(".build-*.sqlite"), *where.glob(".new-*.sqlite")]:
            try:
                fd = os.open(leftover, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                if leftover.name.startswith(".new-") and time.time() - os.fstat(fd).st_mtime < STALE_AFTER:
                    continue  # perhaps just made, and about to be locked
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while a build holds it
                leftover.unlink()
            except OSError:
                pass
            finally:
                os.close(fd)


def publish(tmp: str, target: Path) -> None:
    """Rename the built file into place, crash-safely: its data reaches the disk
    before the rename, and the rename before we go on, so a power cut leaves
    the old cache or the whole new one, never a renamed but partial file. (The
    build itself runs with SQLite's journal and syncs off: it is a fresh file.)"""
    _sync(tmp)
    os.replace(tmp, target)
    _sync(str(target.parent))


def _sync(name: str) -> None:
    fd = os.open(name, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rebuilt(run: Callable[[], T]) -> T:
    """`run()`; if a cached index turns out damaged as it is read, that file is
    removed and `run()` runs once more, on an index built afresh. Commands read
    all they show before they write anything, so a second run repeats no
    output."""
    try:
        return run()
    except Damaged as exc:
        discard(exc.path)
        return run()


def connect(target: Path) -> sqlite3.Connection | None:
    """A read-only connection to the cache file at `target`, if it is usable."""
    import sqlite3

    if not usable(target):
        return None
    try:
        # `faq browse` searches on a worker thread, one search at a time.
        return sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None


def select_in(db: sqlite3.Connection, sql: str, wanted: Sequence[object], chunk: int = 500) -> Iterator[Any]:
    """The rows of `sql`, whose `{}` stands for the list of `wanted`, `chunk`
    of them at a time: SQLite limits a statement's parameters."""
    for i in range(0, len(wanted), chunk):
        some = list(wanted[i : i + chunk])
        yield from db.execute(sql.format(",".join("?" * len(some))), some)
