"""The sentence model at every size: a large FAQ is read in the background,
chunk by chunk, into its cached index, under the index's own checks; until
then search uses the static vectors, and says so in a terminal."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faq_cli import cache, sentences
from faq_cli.store import open_store

pytestmark = pytest.mark.real_encoder

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "how do i get my money back"  # its words do not answer it: the model must


def faq_text(count: int) -> str:
    """A FAQ of `count` entries, one of which a question in other words asks for."""
    rows = ["- question: How do I ask for a refund of my order?\n  answer: Write to us within 30 days.\n"]
    for i in range(2, count + 1):
        rows.append(f"- question: Where is warehouse number {i}?\n  answer: In town {i}.\n")
    return "entries:\n" + "".join(rows)


def rows_of(target: Path) -> list[int]:
    with sqlite3.connect(target) as db:
        return [c for (c,) in db.execute("SELECT chunk FROM sentence ORDER BY chunk")]


@pytest.fixture
def large(faq_file, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """A cached index of a FAQ too large to read when indexed (UPFRONT 4, CHUNK 3)."""
    monkeypatch.setattr(sentences, "UPFRONT", 4)
    monkeypatch.setattr(sentences, "CHUNK", 3)
    path = faq_file(faq_text(8))
    open_store(path)
    return path


def target_of(path: Path) -> Path:
    target = cache.place(path.resolve())
    assert target is not None and target.exists()
    return target


def test_a_large_faq_is_searched_by_static_vectors_until_the_model_has_read_it(large: Path) -> None:
    target = target_of(large)
    assert rows_of(target) == []
    before = open_store(large)
    hits = before.search(QUESTION)
    assert before.reading == 0.0  # it says how much is read
    assert sentences.fill(target) == 3  # 8 entries, 3 a chunk
    assert rows_of(target) == [0, 1, 2]
    after = open_store(large)
    hits = after.search(QUESTION)
    assert after.reading is None
    assert [h.entry.id for h in hits][:1] == [1]
    assert hits[0].matched == {"meaning": frozenset()}  # found by the model alone
    # The same as an index whose entries were all read when it was built.
    sentences.UPFRONT = 100
    whole = open_store(large, use_cache=False)
    assert [(h.entry.id, h.score) for h in whole.search(QUESTION)] == [(h.entry.id, h.score) for h in hits]


def test_reading_again_adds_nothing_and_one_reader_at_a_time(large: Path) -> None:
    import fcntl

    target = target_of(large)
    fd = os.open(target, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another reader holds it
        assert sentences.fill(target) == 0
    finally:
        os.close(fd)
    assert sentences.fill(target) == 3
    assert sentences.fill(target) == 0
    assert rows_of(target) == [0, 1, 2]


def test_a_damaged_row_of_the_model_s_vectors_rebuilds_the_index(large: Path, run) -> None:  # type: ignore[no-untyped-def]
    target = target_of(large)
    sentences.fill(target)
    with sqlite3.connect(target) as db:
        db.execute("UPDATE sentence SET vectors = zeroblob(length(vectors)) WHERE chunk = 1")
    result = run("search", QUESTION, "--json", "--data", str(large))
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    assert rows_of(target_of(large)) == []  # built afresh; to be read again


def test_an_index_replaced_meanwhile_is_left_alone(large: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = target_of(large)
    encode = sentences.encode

    def rebuilt_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        new = target.with_suffix(".new")  # a new index renamed into place, as a build does
        new.write_bytes(target.read_bytes())
        new.chmod(0o600)
        os.replace(new, target)
        return encode(*args, **kwargs)

    monkeypatch.setattr(sentences, "encode", rebuilt_meanwhile)
    assert sentences.fill(target) == 0  # it stopped at the first chunk
    assert rows_of(target) == []  # and wrote nothing into the new index


def background_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FAQ_DATA", "FAQ_BACKGROUND")}
    return {**env, "XDG_CACHE_HOME": str(tmp_path / "cache")}


def faq(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "faq_cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_a_question_starts_the_reader_in_the_background_and_then_uses_the_model(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    path.write_text(faq_text(sentences.UPFRONT + 20), encoding="utf-8")
    env = background_env(tmp_path)
    first = faq("search", "where is warehouse 7", "--json", "--data", str(path), env=env)
    assert first.returncode == 0, first.stderr
    target = cache.place(path.resolve())
    assert target is not None
    assert rows_of(target) == []  # a keyword search asks nothing of the model
    faq("search", QUESTION, "--json", "--data", str(path), env=env)
    deadline = time.monotonic() + 120
    while rows_of(target) != [0] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert rows_of(target) == [0]
    later = faq("search", QUESTION, "--json", "--data", str(path), env=env)
    assert later.returncode == 0 and '"matched": [\n      "meaning"\n    ]' in later.stdout
    assert '"id": 1,' in later.stdout.split("}")[0]


def test_until_it_is_read_a_question_costs_what_the_static_vectors_cost(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    path.write_text(faq_text(sentences.UPFRONT + 20), encoding="utf-8")
    env = {**background_env(tmp_path), "FAQ_BACKGROUND": "0"}
    faq("search", "warehouse", "--data", str(path), env=env)  # the index, built
    code = (
        "import sys; from pathlib import Path; from faq_cli.store import open_store; "
        "store = open_store(Path(sys.argv[1])); store.search(sys.argv[2]); "
        "print(store.reading, 'numpy' in sys.modules)"
    )
    warm = subprocess.run(
        [sys.executable, "-c", code, str(path), QUESTION], capture_output=True, text=True, env=env, check=True
    )
    assert warm.stdout.split() == ["0.0", "False"]  # nothing read yet, and no model loaded to say so


def test_faq_background_0_reads_nothing_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    path.write_text(faq_text(sentences.UPFRONT + 20), encoding="utf-8")
    env = {**background_env(tmp_path), "FAQ_BACKGROUND": "0"}
    faq("search", QUESTION, "--json", "--data", str(path), env=env)
    time.sleep(2)
    target = cache.place(path.resolve())
    assert target is not None and rows_of(target) == []


def test_two_readers_at_once_lose_nothing_and_corrupt_nothing(large: Path) -> None:
    target = target_of(large)
    code = (
        "import sys; from pathlib import Path; from faq_cli import sentences; "
        "sentences.CHUNK = 3; sentences.fill(Path(sys.argv[1]))"
    )
    readers = [subprocess.Popen([sys.executable, "-c", code, str(target)]) for _ in range(2)]
    assert [p.wait(timeout=120) for p in readers] == [0, 0]
    assert rows_of(target) == [0, 1, 2]
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert open_store(large).search(QUESTION)[0].entry.id == 1  # type: ignore[union-attr]


def test_a_near_miss_is_named_on_stderr_and_nothing_else_changes(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "what is this whole thing about")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "faq: nothing found for 'what is this whole thing about'"
    assert lines[1].startswith("faq: nearest: #1 What is the US-Mexico") and lines[1].endswith("(faq show 1)")
    as_json = run("search", "what is this whole thing about", "--json")
    assert as_json.exit_code == 1 and as_json.stdout.strip() == "[]"
    assert "nearest: #1" in as_json.stderr


def test_an_unrelated_question_gets_no_near_miss(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "what is a good name for a goldfish")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "faq: nothing found for 'what is a good name for a goldfish'\n"


def test_a_terminal_is_told_while_the_model_has_not_read_the_faq(tmp_path: Path) -> None:
    from test_terminal import terminal

    path = tmp_path / "large.yaml"
    path.write_text(faq_text(sentences.UPFRONT + 20), encoding="utf-8")
    env = {**background_env(tmp_path), "FAQ_BACKGROUND": "0"}
    piped = faq("search", QUESTION, "--data", str(path), env=env)
    assert "sentence model" not in piped.stderr  # a script's log is spared it
    code, shown = terminal("search", QUESTION, "--data", str(path), env=env)
    assert code in (0, 1)
    assert "faq: the sentence model has read 0% of this FAQ" in " ".join(shown.split())
