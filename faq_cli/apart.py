"""Reading a large FAQ file in a second process, so that parsing it and
indexing it run at once, on two cores, and neither process holds both the
file and its entries.

The second process (`python -m faq_cli.apart FILE`) reads, checks, parses and
hashes the file as a small one is read in the first (`load.load_text`), and
writes each checked entry to its stdout, pickled, in batches, as soon as it is
parsed; then the title and summary, or the file's problems. Parsing takes
less time than indexing, so the second process also gathers the words'
postings (`index.Postings`), and writes them last, as the word table's rows.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from faq_cli.errors import DataError, Problem
from faq_cli.model import Entry, Summary

# Files from this size are parsed apart: below it, starting a second Python
# (about 0.1 s) costs more than parsing alongside saves.
FROM_BYTES = 8 << 20
BATCH = 1000  # entries a message: fewer messages, little held in the pipe


class Parsed:
    """A FAQ file being parsed in a second process. Iterating `entries` starts
    the parse (again, if it is iterated again) and yields the entries as they
    come; once it is done, `title` and `summary` are set, and the file's
    SHA-256 is recorded in `identity` (see store.open_store), and `postings`
    holds the word table's rows (`index.Postings.rows`). A problem with the
    file raises its `DataError` from the iteration."""

    def __init__(self, path: Path, name: str, identity: dict[str, object]) -> None:
        self.path, self.name, self.identity = path, name, identity
        self.title: str | None = None
        self.summary: Summary | None = None
        self.postings: list[tuple[object, ...]] = []

    @property
    def entries(self) -> Iterator[Entry]:
        # This package first on the path, and never the working directory
        # (-P, and no empty entry), whatever it holds.
        here = str(Path(__file__).resolve().parent.parent)
        path = [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
        try:
            child = subprocess.Popen(
                [sys.executable, "-P", "-m", "faq_cli.apart", os.fsdecode(self.path), self.name],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                env=env,
                start_new_session=True,  # Ctrl-C is this process's to handle; it stops the child
            )
        except OSError:  # no Python to start (an embedded interpreter, say): parse here
            yield from self._parse_here()
            return
        assert child.stdout is not None
        try:
            while True:
                try:
                    kind, value = pickle.load(child.stdout)  # our own child's output, not user data
                except EOFError:
                    problem = f"could not be read: the process parsing it stopped (exit code {child.wait()})"
                    raise DataError(self.name, [Problem(problem)]) from None
                if kind == "entries":
                    yield from value
                elif kind == "words":
                    self.postings += value
                elif kind == "problems":
                    raise DataError(self.name, value)
                else:
                    self.title, self.summary, self.identity["sha256"] = value
                    return
        finally:  # done, failed, or interrupted: the child is not needed any more
            child.kill()
            child.wait()
            child.stdout.close()

    def _parse_here(self) -> Iterator[Entry]:
        from faq_cli.index import Postings
        from faq_cli.load import read_hashed
        from faq_cli.match import as_document

        faq, self.identity["sha256"] = read_hashed(self.path, self.name)
        self.title, self.summary = faq.title, faq.summary
        postings = Postings()
        items: list[Entry | Summary] = [*faq.entries, *([faq.summary] if faq.summary else [])]
        for pos, item in enumerate(items):
            postings.add(pos, as_document(item))
        self.postings = list(postings.rows())
        yield from faq.entries


def main() -> None:
    """In the second process: read and parse the file, writing what it holds."""
    import hashlib

    from faq_cli.index import Postings
    from faq_cli.load import check_utf8, load_text
    from faq_cli.match import as_document
    from faq_cli.source import read_bytes

    path, name = Path(sys.argv[1]), sys.argv[2]
    out = sys.stdout.buffer
    batch: list[Entry] = []
    postings = Postings()
    count = 0

    def send(message: tuple[str, Any], out: IO[bytes] = out) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    def sink(entry: Entry) -> None:
        batch.append(entry)
        if len(batch) == BATCH:
            flush()

    def flush() -> None:  # the entries go first: the first process is waiting for them
        nonlocal count
        send(("entries", batch))
        for entry in batch:
            postings.add(count, as_document(entry))
            count += 1
        batch.clear()

    try:
        try:
            data = read_bytes(path)
            # Entries go out as soon as they are parsed; the whole-file checks
            # come after, while the first process is still indexing.
            try:
                faq = load_text(data, name, sink=sink)
            except DataError:
                check_utf8(data, name)  # a file that is not UTF-8 is worded as such
                raise
            if batch:
                flush()
            check_utf8(data, name)
            if faq.summary:  # searched as one more row, after the entries
                postings.add(count, as_document(faq.summary))
            rows = list(postings.rows())
            for start in range(0, len(rows), BATCH * 10):
                send(("words", rows[start : start + BATCH * 10]))
            send(("done", (faq.title, faq.summary, hashlib.sha256(data).hexdigest())))
        except DataError as exc:  # sent as its parts: its own pickling would lose them
            send(("problems", exc.problems))
    except BrokenPipeError:  # the first process has stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # no second complaint at exit


if __name__ == "__main__":
    main()
