"""The index cache: always correct, whatever state the cache is in."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from faq_cli import cache as cache_module
from faq_cli import index as index_module
from faq_cli import meaning
from faq_cli import store as store_module
from faq_cli.cache import folder as cache_dir
from faq_cli.load import load_path
from faq_cli.store import open_store

ROOT = Path(__file__).resolve().parent.parent
DEBIAN = ROOT / "tests" / "eval" / "debian-faq.yaml"


def faq_text(question: str, n: int = 1) -> str:
    return "entries:\n" + "".join(f"- {{question: '{question} {i}', answer: 'a {i}'}}\n" for i in range(n))


def cache_files() -> list[Path]:
    folder = cache_dir()
    assert folder is not None
    return sorted(folder.glob("*")) if folder.exists() else []


def questions(path: Path, **kw: bool) -> list[str]:
    return [e.question for e in open_store(path, **kw).entries()]


def test_second_open_reads_the_cache_not_the_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    assert questions(path) == ["alpha 0"]
    assert len(cache_files()) == 1

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("faq_cli.load.load_text", fail)
    assert questions(path) == ["alpha 0"]


def test_edited_file_is_read_again_even_at_the_same_size(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    assert questions(path) == ["alpha 0"]
    stat = path.stat()
    path.write_text(faq_text("omega"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    assert questions(path) == ["omega 0"]


def test_touched_but_unchanged_file_keeps_its_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    questions(path)
    os.utime(path, ns=(1, 1))
    monkeypatch.setattr("faq_cli.load.load_text", lambda *a, **k: pytest.fail("parsed again"))
    assert questions(path) == ["alpha 0"]  # hashed once, found unchanged: the identity is refreshed
    monkeypatch.setattr(store_module, "_sha256", lambda data: pytest.fail("hashed again"))
    assert questions(path) == ["alpha 0"]


@pytest.mark.parametrize("damage", ["junk", "truncate", "empty", "other-code", "missing-rows"])
def test_damaged_cache_is_rebuilt(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha", 50))
    questions(path)
    [cache] = cache_files()
    if damage == "junk":
        cache.write_bytes(b"not a database at all" * 100)
    elif damage == "truncate":
        cache.write_bytes(cache.read_bytes()[:3000])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        with sqlite3.connect(cache) as db:
            if damage == "other-code":
                db.execute("UPDATE meta SET value = 'older' WHERE key = 'code'")
            else:
                db.execute("DELETE FROM entry WHERE pos > 10")
        db.close()
    assert questions(path) == [f"alpha {i}" for i in range(50)]
    assert questions(path) == [f"alpha {i}" for i in range(50)]  # and the rebuilt cache is sound


def test_unwritable_cache_directory_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    assert questions(path) == ["alpha 0"]
    assert questions(path) == ["alpha 0"]


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root writes into read-only directories: a real read-only cache goes untested here "
    "(test_unwritable_cache_directory_still_works covers the fallback for everyone)",
)
def test_read_only_cache_directory_still_works(tmp_path: Path) -> None:
    folder = cache_dir()
    assert folder is not None
    folder.mkdir(parents=True)
    folder.chmod(0o500)
    try:
        path = tmp_path / "f.yaml"
        path.write_text(faq_text("alpha"))
        assert questions(path) == ["alpha 0"]
        assert cache_files() == []
    finally:
        folder.chmod(0o700)


def test_failing_cache_write_falls_back_to_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_module.os, "replace", full)
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    assert questions(path) == ["alpha 0"]
    assert cache_files() == []  # no temporary file left behind either


def test_interrupted_build_leaves_no_cache(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha", 5000))

    def interrupt(phase: str, done: int, total: int | None) -> None:
        if phase == "Indexing":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        open_store(path, progress=interrupt)
    assert cache_files() == []
    assert len(questions(path)) == 5000


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    assert questions(path, use_cache=False) == ["alpha 0"]
    assert cache_files() == []


def test_two_processes_building_at_once_both_answer_right(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    path = tmp_path / "big.yaml"
    generate(3000, path)
    expected = [e.question for e in load_path(path).entries if e.id in (1234, 2999)]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "faq_cli", "list", "--json", "--data", str(path)]
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        entries = json.loads(out)
        assert len(entries) == 3000
        assert [e["question"] for e in entries if e["id"] in (1234, 2999)] == expected
    assert [p.name for p in (tmp_path / "cache" / "faq").iterdir() if p.name.startswith(".build-")] == []


def test_cached_search_ranks_exactly_like_the_in_memory_index() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "eval"))
    from evaluate import cases

    open_store(DEBIAN)  # builds the cache
    cached, memory = open_store(DEBIAN), open_store(DEBIAN, use_cache=False)
    assert cached.db.execute("PRAGMA database_list").fetchone()[2]  # a file
    assert not memory.db.execute("PRAGMA database_list").fetchone()[2]  # in memory
    for _, query in cases("debian"):
        assert cached.search(query, limit=10) == memory.search(query, limit=10), query


def test_cache_directory_with_uri_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "odd?#% name"))
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    assert questions(path) == ["alpha 0"]
    monkeypatch.setattr("faq_cli.load.load_text", lambda *a, **k: pytest.fail("parsed again"))
    assert questions(path) == ["alpha 0"]  # the cache was found again


def test_no_home_means_no_cache_rather_than_one_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setattr(os.path, "expanduser", lambda p: p)  # as when HOME is unset and unknown
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    assert cache_dir() is None
    assert questions(path) == ["alpha 0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]


def test_sifting_a_large_faq_by_sign_bits_finds_what_comparing_every_vector_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "eval"))
    from evaluate import cases

    from faq_cli.index import build
    from faq_cli.model import Faq
    from faq_cli.store import Store

    entries = load_path(DEBIAN).entries
    big = Faq(tuple(e._replace(id=e.id + 1000 * k) for k in range(4) for e in entries))  # 480 entries
    assert len(big.entries) > meaning.EXACT_UP_TO
    faq = Store(build(big, {}))
    queries = [q for kind in ("meaning", "offtopic") for _, q in cases("debian", kind)]
    sifted = [faq.search(q, limit=3) for q in queries]
    monkeypatch.setattr(meaning, "EXACT_UP_TO", 10**6)
    exact = [faq.search(q, limit=3) for q in queries]
    assert sum(s[:1] == e[:1] for s, e in zip(sifted, exact, strict=True)) == len(queries)


def test_only_a_query_that_needs_it_loads_the_sentence_model(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    build = "import sys, pathlib, faq_cli.store as s; s.open_store(pathlib.Path(sys.argv[1]))"
    check = (
        "import sys, json; from pathlib import Path; from faq_cli.store import open_store; "
        "store = open_store(Path(sys.argv[1])); "
        "hits = store.exact(sys.argv[2]) if sys.argv[3] == 'exact' else store.search(sys.argv[2]); "
        "heavy = ('numpy', 'faq_cli.encoder', 'yaml', 'torch', 'onnxruntime', 'transformers'); "
        "print(json.dumps([hits[0].entry.id, sorted(m for m in heavy if m in sys.modules)]))"
    )
    subprocess.run(
        [sys.executable, "-c", build, str(DEBIAN)], env=env, check=True
    )  # the cold build uses numpy

    def loaded(query: str, how: str = "search") -> list[object]:
        out = subprocess.run(
            [sys.executable, "-c", check, str(DEBIAN), query, how], env=env, capture_output=True, text=True
        )
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    # Words in a question answer it alone: no numpy, no sentence model.
    assert loaded("google earth") == [48, []]  # "Where is Google Earth?"
    assert loaded("donate", "exact")[1] == []
    # A question in the user's own words needs the model, and numpy with it; nothing heavier.
    assert loaded("donate money to debian") == [116, ["faq_cli.encoder", "numpy"]]


def test_ctrl_c_as_the_cache_file_is_opened_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect = sqlite3.connect

    def interrupted(name: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if ".build-" in str(name):  # Ctrl-C just as the new cache file is opened
            raise KeyboardInterrupt
        return connect(name, *args, **kwargs)

    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    monkeypatch.setattr(index_module.sqlite3, "connect", interrupted)
    with pytest.raises(KeyboardInterrupt):
        open_store(path)
    assert cache_files() == []


def test_a_damaged_table_in_a_sound_looking_cache_is_rebuilt(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha", 3))
    assert run("search", "alpha", "--data", str(path)).exit_code == 0
    (cache,) = cache_files()
    db = sqlite3.connect(cache)
    db.execute("DROP TABLE word")  # the entry count, all the open-time check reads, is intact
    db.commit()
    db.close()
    result = run("search", "alpha", "--json", "--data", str(path))
    assert result.exit_code == 0 and result.stderr == ""
    assert sorted(h["question"] for h in json.loads(result.stdout)) == ["alpha 0", "alpha 1", "alpha 2"]
    assert sqlite3.connect(cache_files()[0]).execute("SELECT count(*) FROM word").fetchone()[0] > 0


def test_the_cache_reaches_the_disk_before_it_is_renamed_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    fsync, replace = os.fsync, os.replace

    def record_fsync(fd: int) -> None:
        events.append("fsync " + ("dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "file"))
        fsync(fd)

    def record_replace(src: str, dst: Path) -> None:
        events.append("rename")
        replace(src, dst)

    monkeypatch.setattr(cache_module.os, "fsync", record_fsync)
    monkeypatch.setattr(cache_module.os, "replace", record_replace)
    path = tmp_path / "f.yaml"
    path.write_text(faq_text("alpha"))
    open_store(path)
    assert events == ["fsync file", "rename", "fsync dir"]
