"""A large FAQ file is parsed in a second process: the same index, the same errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from faq_cli import apart
from faq_cli.cache import folder as cache_dir
from faq_cli.errors import DataError
from faq_cli.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "eval"))
import evaluate  # noqa: E402


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every file parsed apart, whatever its size; the second processes' command lines."""
    started: list[list[str]] = []
    popen = subprocess.Popen

    def spy(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(argv)
        return popen(argv, **kwargs)

    monkeypatch.setattr(apart, "FROM_BYTES", 0)
    monkeypatch.setattr(apart.subprocess, "Popen", spy)
    return started


def everything(store: Store, queries: list[str]) -> tuple[object, ...]:
    return store.title, store.summary, list(store.entries()), [store.search(q, limit=10) for q in queries]


@pytest.mark.parametrize("corpus", ["partnership", "debian"])  # with a summary, and without
def test_a_file_parsed_apart_is_indexed_as_one_parsed_here(
    corpus: str, children: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = evaluate.FAQS[corpus]
    queries = [q for kind in ("words", "meaning") for _, q in evaluate.cases(corpus, kind)][:40]
    monkeypatch.setattr(apart, "FROM_BYTES", 1 << 40)
    here = everything(open_store(path, use_cache=False), queries)
    monkeypatch.setattr(apart, "FROM_BYTES", 0)
    assert everything(open_store(path), queries) == here
    assert len(children) == 1
    # The cache it wrote is whole (the file's hash included): it is used as it is.
    assert everything(open_store(path), queries) == here
    assert len(children) == 1


def problems_here_and_apart(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The error opening `path` gives when read in this process, then when parsed apart."""
    messages = []
    for from_bytes in (1 << 40, 0):
        monkeypatch.setattr(apart, "FROM_BYTES", from_bytes)
        with pytest.raises(DataError) as raised:
            open_store(path)
        messages.append(raised.value.message)
    return messages[0], messages[1]


def bad_faq(tmp_path: Path) -> Path:
    """Many sound entries, then problems: the first entries are indexed before
    the problems are found."""
    path = tmp_path / "bad.yaml"
    good = "".join(
        f"- {{id: {i}, question: 'Question {i}?', answer: 'Answer {i}.'}}\n" for i in range(1, 5001)
    )
    path.write_text(f"entries:\n{good}- {{id: 3, question: 'Again?', answer: ''}}\n")
    return path


def test_problems_found_apart_are_the_problems_found_here(
    tmp_path: Path, children: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = problems_here_and_apart(bad_faq(tmp_path), monkeypatch)
    assert len(children) == 1
    assert there == here
    assert "entries[5000].id: duplicate id 3" in there
    assert "entries[5000].answer: expected a non-empty string" in there
    folder = cache_dir()
    assert folder is not None and list(folder.glob("*")) == []  # no cache, no temporary file


GOOD = "".join(f"- {{question: 'Question {i}?', answer: 'Answer {i}.'}}\n" for i in range(3000)).encode()


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"entries:\n- {question: caf\xe9, answer: x}\n", "not valid UTF-8 (byte 0xe9 at offset 25)"),
        (b"entries:\n" + GOOD + b"- {question: caf\xe9, answer: x}\n", "not valid UTF-8 (byte 0xe9"),
        (b"entries:\n- {question: a, answer: b}\n" * 3, "over the 50-byte limit"),
    ],
)
def test_unreadable_files_are_worded_the_same_apart(
    tmp_path: Path, children: list[list[str]], monkeypatch: pytest.MonkeyPatch, content: bytes, problem: str
) -> None:
    if "limit" in problem:
        monkeypatch.setenv("FAQ_MAX_BYTES", "50")
    path = tmp_path / "f.yaml"
    path.write_bytes(content)
    here, there = problems_here_and_apart(path, monkeypatch)
    # A file over the limit is refused by its size, before a second process starts.
    assert len(children) == (0 if "limit" in problem else 1)
    assert problem in there
    assert there == here


def test_a_second_process_that_dies_is_an_error_not_a_hang(
    tmp_path: Path, children: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("entries:\n- {question: a, answer: b}\n")
    monkeypatch.setattr(sys, "executable", "/bin/false")  # a "Python" that exits 1 at once
    with pytest.raises(DataError) as there:
        open_store(path)
    assert "the process parsing it stopped (exit code 1)" in there.value.message


def test_without_a_python_to_start_the_file_is_parsed_here(
    children: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = evaluate.FAQS["partnership"]
    queries = [q for _, q in evaluate.cases("partnership", "words")][:10]
    monkeypatch.setattr(apart, "FROM_BYTES", 1 << 40)
    here = everything(open_store(path, use_cache=False), queries)
    monkeypatch.setattr(apart, "FROM_BYTES", 0)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert everything(open_store(path), queries) == here
    assert len(children) == 1  # it was tried
    assert everything(open_store(path), queries) == here  # and the cache it wrote is whole
    assert len(children) == 1


def test_the_second_process_never_imports_from_the_working_directory(
    tmp_path: Path, children: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "yaml.py").write_text("raise SystemExit('imported from the working directory')\n")
    monkeypatch.chdir(work)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    path = evaluate.FAQS["partnership"]
    assert [e.id for e in open_store(path).entries()] == [
        e.id for e in open_store(path, use_cache=False).entries()
    ]
    assert len(children) >= 1
