"""Faults and attacks: a damaged, odd or planted cache, builds that die, closed
streams and odd arguments. Each ends in a correct result or a clear message,
with no traceback, nothing lost and nothing left behind."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faq_cli import cache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import repeat_real  # noqa: E402


def faq(
    *args: str, env: dict[str, str], stdin: object = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "faq_cli", *args], capture_output=True, text=True, env=env, stdin=stdin, **kw
    )


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment with a cache of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQ_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return env


@pytest.fixture(scope="module")
def faq_300(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faq") / "faq-300.yaml"
    repeat_real(300, path)
    return path


def cache_file(env: dict[str, str]) -> Path:
    (found,) = (Path(env["XDG_CACHE_HOME"]) / "faq").glob("*.sqlite")
    return found


QUERIES = [
    ["search", "install a package", "--json"],
    ["search", "how can I give money to the project", "--json"],
    ["list", "--json"],
    ["show", "42", "--json"],
]

DAMAGE = {
    "a meta row deleted": "DELETE FROM meta WHERE key = 'lengths'",
    "a meta row set to a few bytes": "UPDATE meta SET value = x'0102' WHERE key = 'lengths'",
    "the row count changed": "UPDATE meta SET value = 7 WHERE key = 'rows'",
    "a bitmap overwritten": "UPDATE word SET head = x'00ff00ff' WHERE word = 'package'",
    "every cluster's members overwritten": "UPDATE cluster SET members = x'0000'",
    "a vector set to text": "UPDATE vector SET vec = 'text' WHERE pos = 3",
    "an answer rewritten": "UPDATE entry SET answer = 'planted' WHERE id = 42",
    "a weight changed": "UPDATE weight SET value = value + 1",
    "a meta value zeroed": "UPDATE meta SET value = zeroblob(length(value)) WHERE key = 'lengths'",
}


@pytest.mark.parametrize("change", DAMAGE)
def test_damage_inside_a_valid_cache_is_rebuilt_and_never_believed(
    home: dict[str, str], faq_300: Path, change: str
) -> None:
    fresh = [faq(*q, "--data", str(faq_300), env=home).stdout for q in QUERIES]
    for query, expected in zip(QUERIES, fresh, strict=True):
        with sqlite3.connect(cache_file(home)) as db:
            db.execute(DAMAGE[change])
        db.close()
        damaged = faq(*query, "--data", str(faq_300), env=home)
        assert (damaged.returncode, damaged.stderr) == (0, ""), (change, query, damaged.stderr)
        assert damaged.stdout == expected, (change, query)


def test_random_bit_flips_never_give_a_traceback_or_other_results(
    home: dict[str, str], faq_300: Path
) -> None:
    fresh = [faq(*q, "--data", str(faq_300), env=home).stdout for q in QUERIES]
    pristine = cache_file(home).read_bytes()
    for seed in range(4):
        rng = random.Random(seed)
        data = bytearray(pristine)
        for _ in range(50):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        for query, expected in zip(QUERIES, fresh, strict=True):
            cache_file(home).write_bytes(data)
            flipped = faq(*query, "--data", str(faq_300), env=home)
            assert "Traceback" not in flipped.stderr, flipped.stderr
            assert (flipped.returncode, flipped.stdout) == (0, expected), (seed, query)


def test_a_zeroed_page_is_rebuilt_and_the_output_not_repeated(home: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "faq-2000.yaml"
    repeat_real(2000, path)
    expected = faq("list", "--data", str(path), env=home).stdout
    data = bytearray(cache_file(home).read_bytes())
    middle = len(data) // 4096 // 2 * 4096
    data[middle : middle + 4096] = bytes(4096)
    cache_file(home).write_bytes(data)
    listed = faq("list", "--data", str(path), env=home)
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout == expected and len(listed.stdout.splitlines()) == 2000


def test_a_fifo_at_the_cache_path_is_replaced_without_blocking(home: dict[str, str]) -> None:
    faq("search", "costa rica", env=home)
    target = cache_file(home)
    target.unlink()
    os.mkfifo(target)
    found = faq("search", "costa rica", "--json", env=home, timeout=60)
    assert found.returncode == 0 and '"id": 8' in found.stdout
    assert target.is_file()  # a real cache again


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o720, 0o702])
def test_a_cache_directory_others_can_write_is_not_used(home: dict[str, str], mode: int) -> None:
    folder = Path(home["XDG_CACHE_HOME"]) / "faq"
    folder.mkdir(parents=True)
    folder.chmod(mode)  # its group, or anyone, can write to it
    found = faq("search", "costa rica", "--json", env=home)
    assert found.returncode == 0 and '"id": 8' in found.stdout
    assert found.stderr == (
        f"faq: not using the cache in {folder}: others can write to it (mode {mode:o}); "
        "each search reads the FAQ file afresh\n"
    )
    assert list(folder.iterdir()) == []


def test_a_cache_directory_linked_to_another_user_s_is_not_used(home: dict[str, str], tmp_path: Path) -> None:
    # Root gives a directory to another user; anyone else links to one of root's.
    if os.geteuid() == 0:
        theirs, owner = tmp_path / "theirs", 65534
        theirs.mkdir(mode=0o700)
        os.chown(theirs, owner, owner)
    else:
        theirs, owner = Path("/"), 0
    Path(home["XDG_CACHE_HOME"]).mkdir()
    (Path(home["XDG_CACHE_HOME"]) / "faq").symlink_to(theirs)
    before = sorted(theirs.iterdir())
    found = faq("search", "costa rica", env=home)
    assert found.returncode == 0 and f"belongs to another user (uid {owner})" in found.stderr
    assert sorted(theirs.iterdir()) == before


def test_a_link_at_the_cache_file_s_place_is_removed_never_followed(
    home: dict[str, str], tmp_path: Path
) -> None:
    expected = faq("search", "costa rica", "--json", env=home).stdout
    target = cache_file(home)
    elsewhere = tmp_path / "elsewhere.sqlite"  # a file the link would have the cache read and write
    shutil.move(target, elsewhere)
    before = elsewhere.read_bytes()
    target.symlink_to(elsewhere)
    found = faq("search", "costa rica", "--json", env=home)
    assert (found.returncode, found.stdout, found.stderr) == (0, expected, "")
    assert not target.is_symlink() and target.is_file()  # a cache of its own again
    assert elsewhere.read_bytes() == before


def test_a_relative_xdg_cache_home_is_ignored_as_the_spec_says(home: dict[str, str], tmp_path: Path) -> None:
    work, user = tmp_path / "work", tmp_path / "user"
    work.mkdir()
    user.mkdir()
    env = {**home, "XDG_CACHE_HOME": "relative/cache", "HOME": str(user)}
    found = faq("search", "costa rica", "--json", env=env, cwd=work)
    assert found.returncode == 0 and '"id": 8' in found.stdout
    assert list(work.iterdir()) == []  # nothing in the working directory
    assert len(list((user / ".cache" / "faq").glob("*.sqlite"))) == 1


def test_a_new_cache_directory_is_private(home: dict[str, str]) -> None:
    faq("search", "costa rica", env=home)
    folder = Path(home["XDG_CACHE_HOME"]) / "faq"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert cache_file(home).stat().st_mode & 0o777 == 0o600


def test_a_cache_copied_to_another_faq_s_name_with_its_identity_is_not_believed(
    home: dict[str, str], tmp_path: Path
) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("entries:\n- {question: What is A?, answer: Apples.}\n")
    b.write_text("entries:\n- {question: What is B?, answer: Bananas.}\n")
    faq("list", "--data", str(a), env=home)
    (made_for_a,) = (Path(home["XDG_CACHE_HOME"]) / "faq").glob("*.sqlite")
    faq("list", "--data", str(b), env=home)
    made_for_b = next(p for p in made_for_a.parent.glob("*.sqlite") if p != made_for_a)
    shutil.copy(made_for_a, made_for_b)
    st = b.resolve().stat()
    forged = {"path": str(b.resolve()), "size": st.st_size, "mtime": st.st_mtime_ns, "ctime": st.st_ctime_ns}
    with sqlite3.connect(made_for_b) as db:
        db.executemany("UPDATE meta SET value = ? WHERE key = ?", [(v, k) for k, v in forged.items()])
        db.execute("UPDATE meta SET value = ? WHERE key = 'inode'", (st.st_ino,))
    db.close()
    assert faq("list", "--data", str(b), env=home).stdout == "1\tWhat is B?\n"


def test_the_cache_key_covers_every_file_that_shapes_an_index(tmp_path: Path) -> None:
    import ast

    # Every module that reads a FAQ file or builds an index imports (a package
    # as its __init__), and the model files it reads.
    def file_of(module: str) -> str:
        return f"{module}/__init__" if (ROOT / "faq_cli" / module).is_dir() else module

    def imports(module: str) -> set[str]:
        tree = ast.parse((ROOT / "faq_cli" / f"{module}.py").read_text())
        out = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("faq_cli"):
                continue
            package = node.module.removeprefix("faq_cli").strip(".").replace(".", "/")  # type: ignore[union-attr]
            if package and not (ROOT / "faq_cli" / package).is_dir():
                out.add(package)  # from faq_cli.x import name
            else:  # from faq_cli import x; from faq_cli.readers import x
                out |= {file_of(f"{package}/{a.name}".strip("/")) for a in node.names}
                if package:
                    out.add(f"{package}/__init__")
        return {m for m in out if (ROOT / "faq_cli" / f"{m}.py").exists()}

    needed, todo = set(), ["index", "readers/__init__"]
    while todo:
        if (module := todo.pop()) not in needed:
            needed.add(module)
            todo += imports(module)
    assert {f"{m}.py" for m in needed} | {"vectors.sqlite", "minilm.safetensors"} <= set(cache.SHAPERS)
    for name in cache.SHAPERS:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    for name in cache.SHAPERS:
        before = cache.version(tmp_path)
        (tmp_path / name).write_text("xy")
        assert cache.version(tmp_path) != before, name


def test_builds_killed_at_any_point_leave_nothing_that_a_later_build_keeps(
    home: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "faq-2000.yaml"
    repeat_real(2000, path)
    folder = Path(home["XDG_CACHE_HOME"]) / "faq"
    rng = random.Random(1)
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-m", "faq_cli", "list", "--data", str(path)],
            env=home,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.5))
        proc.kill()
        proc.wait()
    assert faq("list", "--data", str(path), env=home).returncode == 0
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_a_build_that_is_running_keeps_its_file(home: dict[str, str], tmp_path: Path) -> None:
    folder = Path(home["XDG_CACHE_HOME"]) / "faq"
    folder.mkdir(parents=True, mode=0o700)
    with cache.temporary(folder / "x.sqlite") as mine:
        assert mine is not None
        os.utime(mine, (0, 0))  # as old as can be: only the lock tells it is alive
        cache.remove_stale(folder)
        assert Path(mine).exists()
    assert not Path(mine).exists()


def building(home: dict[str, str], tmp_path: Path, **popen: object) -> subprocess.Popen[bytes]:
    """`faq list` of a 2,000-entry FAQ, once its index is being built."""
    path = tmp_path / "faq-2000.yaml"
    repeat_real(2000, path)
    folder = Path(home["XDG_CACHE_HOME"]) / "faq"
    argv = [sys.executable, "-m", "faq_cli", "list", "--data", str(path)]
    proc = subprocess.Popen(argv, env=home, stderr=subprocess.PIPE, **popen)  # type: ignore[call-overload]
    for _ in range(200):  # until the build's file exists
        if folder.exists() and any(p.name.startswith(".build-") for p in folder.iterdir()):
            break
        time.sleep(0.02)
    return proc  # type: ignore[no-any-return]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_during_a_build_cleans_up_and_exits_as_it_says(
    home: dict[str, str], tmp_path: Path, signum: int, code: int
) -> None:
    folder = Path(home["XDG_CACHE_HOME"]) / "faq"
    proc = building(home, tmp_path, stdout=subprocess.DEVNULL)
    proc.send_signal(signum)
    assert proc.wait(timeout=60) == code
    assert b"Traceback" not in proc.stderr.read()  # type: ignore[union-attr]
    assert list(folder.iterdir()) == []


def test_a_hangup_that_nohup_ignores_leaves_the_build_to_finish(home: dict[str, str], tmp_path: Path) -> None:
    folder = Path(home["XDG_CACHE_HOME"]) / "faq"
    nohup = lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)  # noqa: E731  # as nohup starts it
    proc = building(home, tmp_path, stdout=subprocess.PIPE, preexec_fn=nohup)
    proc.send_signal(signal.SIGHUP)
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (0, b"")
    assert len(out.splitlines()) == 2000
    assert [p.suffix for p in folder.iterdir()] == [".sqlite"]  # the cache, kept


# --- streams and arguments ----------------------------------------------------------


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_reader_that_takes_one_line_of_a_short_listing_leaves_exit_0(
    home: dict[str, str], unbuffered: str
) -> None:
    # The listing (10 KB) is written in one block, before the reader can go:
    # `faq list | head -1` exits 0 every time, buffered or not.
    env = {**home, "PYTHONUNBUFFERED": unbuffered}
    python_faq = str(ROOT / "tests" / "eval" / "python-faq.yaml")
    faq("list", "--data", python_faq, env=env)  # the index, built
    for _ in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "faq_cli", "list", "--data", python_faq], env=env, stdout=subprocess.PIPE
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"1\tWhat is Python?\n"
        proc.stdout.close()
        assert proc.wait(timeout=60) == 0


def test_a_closed_stdout_is_an_error_not_a_traceback(home: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "faq_cli", "search", "costa", "rica"],
        env=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=(),
        preexec_fn=lambda: os.close(1),
    )
    assert (done.returncode, done.stderr) == (
        2,
        "faq: error: cannot write output: standard output is closed\n",
    )


def test_a_closed_stderr_leaves_the_results_and_json_whole(home: dict[str, str]) -> None:
    def closed_stderr() -> None:
        os.close(2)

    found = subprocess.run(
        [sys.executable, "-m", "faq_cli", "search", "costa", "rica"],
        env=home,
        capture_output=False,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=closed_stderr,
    )
    assert found.returncode == 0 and found.stdout.startswith("8\t")
    nothing = subprocess.run(
        [sys.executable, "-m", "faq_cli", "search", "--json", "zzqxv"],
        env=home,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=closed_stderr,
    )
    assert (nothing.returncode, nothing.stdout) == (1, "[]\n")


def test_browse_with_stdin_closed_says_it_needs_a_terminal(home: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "faq_cli", "browse"],
        env=home,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(0),
    )
    assert (done.returncode, done.stderr) == (2, "faq: error: browse needs a terminal; use 'faq search'\n")


def test_a_query_with_bytes_that_are_not_utf8_is_searched(home: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "faq_cli", "search", b"costa\xff rica"], env=home, capture_output=True
    )
    assert done.returncode == 0 and done.stdout.startswith(b"8\t") and b"Traceback" not in done.stderr


def test_a_file_name_cannot_forge_an_error_line(home: dict[str, str]) -> None:
    done = faq("search", "--data", "/tmp/no\nsuch.yaml\nfaq: all is well", "x", env=home)
    assert done.returncode == 2
    assert done.stderr == "faq: error: /tmp/no\\nsuch.yaml\\nfaq: all is well: no such file\n"


def test_a_nul_in_the_file_name_is_a_worded_error(home: dict[str, str]) -> None:
    argv = "['faq', 'search', '--data', '/tmp/a\\x00b', 'x']"
    code = f"import sys; sys.argv = {argv}; import faq_cli.cli as c; c.main()"
    done = subprocess.run([sys.executable, "-c", code], env=home, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, "faq: error: /tmp/a\\x00b: not a valid file name\n")
