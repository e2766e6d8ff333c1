"""Hostile and clumsy input: every bad file, argument and text gets a clear
one-line error (exit 2, nothing on stdout) or safe output, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faq_cli import apart

ROOT = Path(__file__).resolve().parent.parent
VALID = "entries:\n- question: What is it?\n  answer: A thing.\n"


def assert_data_error(result, path: Path, where: str = "") -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"faq: error: {path}{where}")
    assert "Traceback" not in result.stderr
    assert all(line.startswith("faq: error: ") for line in result.stderr.splitlines())


# --- files that cannot be read, or are not FAQ files ----------------------------------


def test_missing_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nope.yaml"
    result = run("list", "--data", str(path))
    assert_data_error(result, path)
    assert result.stderr == f"faq: error: {path}: no such file\n"


def test_directory(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert_data_error(run("list", "--data", str(tmp_path)), tmp_path)


def test_fifo_is_refused_instead_of_blocking(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = run("list", "--data", str(fifo))
    assert_data_error(result, fifo)
    assert "not a regular file" in result.stderr


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads any file: an unreadable file's real refusal goes untested here"
)
def test_unreadable_file(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(VALID)
    path.chmod(0)
    result = run("list", "--data", str(path))
    assert_data_error(result, path)
    assert "permission denied" in result.stderr


def test_a_file_the_system_will_not_open_says_permission_denied(run, faq_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # What the test above sees as anyone but root, for everyone: the refusal, worded.
    path = faq_file(VALID)

    def refused(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refused)
    result = run("list", "--data", str(path), "--no-cache")
    assert_data_error(result, path)
    assert result.stderr == f"faq: error: {path}: permission denied\n"


def test_the_size_limit_holds_with_a_warm_cache(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(VALID)
    assert run("list", "--data", str(path)).exit_code == 0  # cached now
    size = path.stat().st_size
    result = run("list", "--data", str(path), env={"FAQ_MAX_BYTES": str(size - 1)})
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"faq: error: {path}: file is {size:,} bytes, over the {size - 1:,}-byte limit; "
        "set FAQ_MAX_BYTES to raise it\n"
    )


def test_a_source_tree_without_an_install_says_in_one_line_what_to_run(tmp_path: Path) -> None:
    import subprocess
    import sys

    # As if faq_cli were imported from its source tree, where data/ is not yet faq_cli.data.
    code = "import sys; sys.modules['faq_cli.data'] = None; sys.argv = ['faq', 'search', 'costa']\n"
    code += "from faq_cli.cli import main\nmain()\n"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "faq: error: the bundled FAQ is not installed; run 'python3 -m pip install -e .' here, "
        "or give one with --data\n"
    )


@pytest.mark.parametrize(
    ("content", "where", "says"),
    [
        (b"", "", "the file is empty"),
        (b"# only a comment\n", "", "the file is empty"),
        (b"entries: [\n", ":2:1", "not valid YAML"),
        (b"- a\n- b\n", ":1:1", "expected a mapping, got a list"),
        (b"title: x\n", ":1:1", "entries: missing"),
        (b"entries: {}\n", ":1:10", "entries: expected a list, got a mapping"),
        (b"entries:\n- question: 1\n  answer: []\n", ":2:13", "expected a non-empty string, got an integer"),
        (b"entries:\n- answer: a\n", ":2:3", "entries[0].question: missing"),
        (b"entries:\n- question: ' '\n  answer: a\n", ":2:13", "expected a non-empty string"),
        (
            b"entries:\n- {id: 3, question: q, answer: a}\n- {id: 3, question: q, answer: a}\n",
            ":3:8",
            "duplicate id 3",
        ),
        (b"entries:\n- question: q\n  answr: a\n", ":2:3", "entries[0].answer: missing"),
        (b"entries:\n- question: q\n  question: r\n  answer: a\n", ":3:3", "duplicate key 'question'"),
        (b"entries:\n\t- question: q\n", ":2:1", "tab"),
        # Located by characters, after a BOM and accents (the index is read from bytes):
        (
            "\ufeffentries:\n- question: \u00e9t\u00e9\n\t  answer: a\n".encode(),
            ":3:1",
            "(a tab; YAML indents",
        ),
        (b"entries: []\nentries: []\n", ":2:1", "duplicate key 'entries'"),
        (b"entries:\n- question: caf\xe9\n", ":2:16", "not valid UTF-8 (byte 0xe9 at offset 24)"),
        (bytes(range(256)) * 40, ":2:118", "not valid UTF-8 (byte 0x80 at offset 128)"),
        (b"\x00\x01\x02junk", "", "not valid YAML"),
        (b"entries: " + b"[" * 100_000, ":1:", "nest"),
    ],
)
def test_bad_files(run, faq_file, content: bytes, where: str, says: str) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(content)
    result = run("search", "x", "--data", str(path))
    assert_data_error(result, path, where)
    assert says in result.stderr


def test_bom_and_crlf_are_valid(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(b"\xef\xbb\xbfentries:\r\n- question: q\r\n  answer: a\r\n")
    assert run("list", "--data", str(path)).stdout == "1\tq\n"


def test_python_tags_are_refused_and_never_run(run, faq_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "pwned"
    path = faq_file(
        f'entries:\n- question: q\n  answer: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    result = run("list", "--data", str(path))
    assert_data_error(result, path, ":3:11")
    assert "!!python/object/apply:os.system" in result.stderr
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = faq_file("\n".join(lines) + "\nentries: [*i]\n")
    result = run("list", "--data", str(path))  # how fast: see the README's limits
    assert_data_error(result, path, ":2:8")
    assert "aliases (*a) are not supported" in result.stderr


def test_thirty_megabytes_are_handled_quickly_or_refused_by_the_limit(run, faq_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(b"entries:\n- question: q\n  answer: [" + b"x, " * 10_000_000 + b"]\n")
    result = run("list", "--data", str(path))  # stops at the 50,000th value, not the 10 millionth
    assert_data_error(result, path, ":3:")
    assert "more than 50,000 values in one entry" in result.stderr
    monkeypatch.setenv("FAQ_MAX_BYTES", "1000000")
    result = run("list", "--data", str(path))
    assert_data_error(result, path)
    assert "over the 1,000,000-byte limit; set FAQ_MAX_BYTES to raise it" in result.stderr


def test_zero_entries_is_valid(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("entries: []\n")
    listed = run("list", "--data", str(path))
    assert (listed.exit_code, listed.stdout) == (0, "")
    assert json.loads(run("list", "--json", "--data", str(path)).stdout) == []
    searched = run("search", "anything", "--data", str(path))
    assert (searched.exit_code, searched.stdout) == (1, "")
    assert run("validate", str(path)).exit_code == 0


# --- arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["search", ""], "the query is empty"),
        (["search", " \t "], "the query is empty"),
        (["search", "x", "--limit", "0"], "0 is not in the range x>=1"),
        (["search", "x", "--limit", "-1"], "-1 is not in the range x>=1"),
        (["search", "x", "--limit", "abc"], "'abc' is not a valid int"),
        (["search", "x", "--min-score", "101"], "101 is not in the range"),
        (["show", "abc"], "ID must be an entry's number or 'summary', not 'abc'"),
        (["show"], "Missing argument 'ID'"),
        (["search", "x" * 100_000], "the query is 100,000 characters long; the limit is 1,000"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_bad_arguments_exit_2(run, args: list[str], says: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("faq: error: ") and says in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "query",
    [
        "\x1b[31mred\x1b[0m",
        "\x1b]8;;http://evil\x07x",
        "🚀 emoji ✨",
        "עברית שלום",
        "\u202eevil",
        "zero\u200bwidth",
        "a\nb\tc",
    ],
)
def test_odd_queries_never_reach_the_terminal_raw(run, query: str) -> None:  # type: ignore[no-untyped-def]
    result = run("search", query)
    assert result.exit_code in (0, 1)
    for raw in ("\x1b", "\x07", "\u202e", "\u200b"):
        assert raw not in result.stderr
    hits = json.loads(run("search", query, "--json").stdout)
    assert isinstance(hits, list) and all(isinstance(h["id"], int) for h in hits)


# --- hostile content in a valid file --------------------------------------------------

HOSTILE = (
    'entries:\n- question: "[bold red]Boom[/] [link=http://x]click[/link] \\e[31mred\\e[0m"\n'
    '  answer: "osc \\e]8;;http://evil\\e\\\\link\\e]8;;\\e\\\\ bell\\a bidi \\u202Eevil zw\\u200Bsp '
    + "W" * 3000
    + '"\n  sources: ["\\e[2J"]\n  tags: ["x\\u2066y"]\n'
)


def test_hostile_text_is_shown_literally_in_a_terminal(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(HOSTILE)
    for args in (["show", "1"], ["search", "boom"], ["list"]):
        out = run(*args, "--data", str(path), "--color", "always").stdout
        assert "[bold red]" in out and "[/] [link=http://x]click[/link]" in out  # "Boom" may be highlighted
        assert "\\x1b[31mred" in out
        assert "\x1b]8" not in out and "\x07" not in out and "\x1b[2J" not in out and "\x1b[31m" not in out
        assert "\u202e" not in out and "\u200b" not in out and "\u2066" not in out


def test_hostile_text_is_escaped_in_pipes(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(HOSTILE)
    for args in (["show", "1"], ["search", "boom"], ["list"], ["summary"]):
        out = run(*args, "--data", str(path)).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert run("list", "--data", str(path)).stdout.count("\n") == 1  # one record, one line


def test_hostile_text_is_kept_exactly_in_json(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(HOSTILE)
    [entry] = json.loads(run("list", "--json", "--data", str(path)).stdout)
    assert entry["question"] == "[bold red]Boom[/] [link=http://x]click[/link] \x1b[31mred\x1b[0m"
    assert entry["answer"].startswith(
        "osc \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ bell\x07 bidi \u202eevil"
    )
    assert entry["sources"] == ["\x1b[2J"] and entry["tags"] == ["x\u2066y"]


# --- pipes, signals, and what gets written ----------------------------------------------


def faq_process(*args: str, cache: Path, **kw: object) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQ_")}
    env["XDG_CACHE_HOME"] = str(cache)
    return subprocess.Popen([sys.executable, "-m", "faq_cli", *args], env=env, **kw)  # type: ignore[call-overload]


def big_faq(tmp_path: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    path = tmp_path / f"big-{n}.yaml"
    generate(n, path)
    return path


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_closed_pipe_exits_141_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unbuffered: str
) -> None:
    # Output far larger than a pipe's buffer: the reader is always gone before
    # the last write, so the exit status is always 141 (see README, exit codes).
    monkeypatch.setenv("PYTHONUNBUFFERED", unbuffered)
    path = big_faq(tmp_path, 20_000)
    for args in (
        ["list"],
        ["list", "--json"],
        ["search", "debian", "-n", "5000"],
        ["search", "debian", "-n", "5000", "--json"],
    ):
        proc = faq_process(
            *args,
            "--data",
            str(path),
            cache=tmp_path / "cache",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # like `faq list | head -1`
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 141, args
        assert err == b"", err


def test_a_reader_that_reads_everything_gets_exit_0(tmp_path: Path) -> None:
    proc = faq_process("list", cache=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, len(out.splitlines()), err) == (0, 8, b"")


def test_ctrl_c_during_index_build_exits_130_without_a_cache(tmp_path: Path) -> None:
    path = big_faq(tmp_path, 60_000)
    cache = tmp_path / "cache"
    proc = faq_process(
        "search", "debian", "--data", str(path), cache=cache, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not list(cache.glob("faq/.build-*")):  # wait until the cache is being written
        assert proc.poll() is None and time.monotonic() < deadline, "the build ended before Ctrl-C"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and out == b""
    assert list(cache.rglob("*")) in ([], [cache / "faq"])  # nothing half-written
    assert path.stat().st_size >= apart.FROM_BYTES  # so it was being parsed by a second process,
    assert not parsing(path)  # which was stopped too


def parsing(path: Path) -> list[int]:
    """The processes parsing `path` apart (faq_cli.apart), by their command lines."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"faq_cli.apart" in argv and os.fsencode(path) in argv:
            found.append(int(proc.name))
    return found


def test_nothing_is_written_but_the_cache(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = work / "faq.yaml"
    path.write_text(VALID)
    before = path.read_bytes(), path.stat().st_mtime_ns
    for args in (["list"], ["search", "thing"], ["show", "1"], ["validate", str(path)], ["summary"]):
        proc = faq_process(
            *args,
            "--data",
            str(path),
            cache=tmp_path / "cache",
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        proc.wait(timeout=60)
    assert sorted(p.name for p in work.iterdir()) == ["faq.yaml"]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert [p.suffix for p in (tmp_path / "cache" / "faq").iterdir()] == [".sqlite"]


def test_a_non_utf8_locale_gets_escapes_in_text_and_utf8_json(tmp_path: Path) -> None:
    path = tmp_path / "u.yaml"
    path.write_text('entries:\n- {question: "Qué es 🚀 México?", answer: "Sí."}\n', encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "faq_cli"]
    plain = subprocess.run([*argv, "list", "--data", str(path)], env=env, capture_output=True)
    assert (plain.returncode, plain.stderr) == (0, b"")
    assert plain.stdout == b"1\tQu\\xe9 es \\U0001f680 M\\xe9xico?\n"
    as_json = subprocess.run([*argv, "list", "--json", "--data", str(path)], env=env, capture_output=True)
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout.decode("utf-8"))[0]["question"] == "Qué es 🚀 México?"


def test_a_symlink_loop_as_data_is_an_error_not_a_traceback(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for args in (["list"], ["search", "costa"], ["show", "1"]):
        result = run(*args, "--data", str(loop))
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith("faq: error: ") and "symbolic links" in result.stderr
        assert result.stdout == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args", [["list"], ["list", "--json"], ["search", "costa rica"], ["summary", "--json"]]
)
def test_output_that_cannot_be_written_is_an_error_not_a_traceback(args: list[str], tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "faq_cli", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)},
        )
    assert proc.returncode == 2
    assert proc.stderr == "faq: error: cannot write output: No space left on device\n"


def test_hostile_file_names_reach_stderr_escaped(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    name = tmp_path / "evil\x1b]0;pwned\x07\u202e.yaml"  # a title-setting escape, a bidi override
    result = run("list", "--data", str(name))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert "evil\\x1b]0;pwned\\x07\\u202e.yaml: no such file" in result.stderr


def test_a_hostile_file_name_in_a_hint_is_escaped_too(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    name = tmp_path / "evil\x1b]0;pwned\x07\u202e.yaml"
    name.write_text(VALID, encoding="utf-8")
    result = run("validate", str(name))
    assert (result.exit_code, result.stdout) == (0, "")
    said = f"faq: {tmp_path}/evil\\x1b]0;pwned\\x07\\u202e.yaml: valid, 1 entry, read as YAML\n"
    assert result.stderr == said


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("many.yaml", "entries:\n" + "- question: Why?\n" * 80),  # 80 entries with no answer
        ("many.csv", "question,answer\n" + "Why?,\n" * 80),
        ("many.json", "[" + ",".join(['{"question": "Why?", "answer": 1}'] * 80) + "]"),
    ],
)
def test_a_file_with_many_problems_says_where_the_list_was_cut(run, faq_file, name, content) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(content, name)
    result = run("validate", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 51 and lines[-1] == f"faq: error: {path}: ... stopped after 50 problems", lines[-3:]
