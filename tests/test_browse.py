"""`faq browse` as a person uses it: in a real pseudo-terminal, read back
through a terminal emulator (pyte), with keys typed and exit codes and stdout
checked; plus Textual's pilot for the finer points of the view."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import sys
import threading
import time
from pathlib import Path

import pexpect
import pyte
import pytest

from faq_cli.browse import KEYS, Browse, Found, Searcher, label
from faq_cli.source import bundled
from faq_cli.store import open_store

ROOT = Path(__file__).resolve().parent.parent
UP, DOWN, PGDN, ENTER, ESC = "\x1b[A", "\x1b[B", "\x1b[6~", "\r", "\x1b"
CTRL_C, CTRL_N, CTRL_P, CTRL_U = "\x03", "\x0e", "\x10", "\x15"
HOSTILE = (
    'entries:\n- question: "Evil \\e]0;pwned\\a title \\e[31mred\\e[0m"\n'
    '  answer: "osc \\e]8;;http://evil\\e\\\\link\\e]8;;\\e\\\\ clear \\e[2J bidi \\u202Eevil"\n'
    '  sources: ["\\e[2J"]\n  tags: ["x\\u2066y"]\n'
)


class Terminal:
    """`faq browse` in a pseudo-terminal of a given size, with a VT100 emulator
    keeping the screen as a person would see it."""

    def __init__(
        self,
        *args: str,
        cols: int = 80,
        rows: int = 24,
        stdout: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        command = shlex.join([sys.executable, "-m", "faq_cli", "browse", *args])
        if stdout is not None:  # the view stays on the terminal; the entry goes to a file
            command += f" > {shlex.quote(str(stdout))}"
        environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
        environ["TERM"] = "xterm-256color"
        environ.update(env or {})
        self.child = pexpect.spawn("/bin/sh", ["-c", "exec " + command], dimensions=(rows, cols), env=environ)

    def _pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and self.child.isalive():
            try:
                data = self.child.read_nonblocking(65536, timeout=0.05)
            except (pexpect.TIMEOUT, pexpect.EOF):
                continue
            self.raw += data
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, *needles: str, timeout: float = 20) -> str:
        """The screen, once every one of `needles` is on it: a frame may reach
        the terminal in several writes."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._pump(0.1)
            if all(needle in self.text() for needle in needles):
                return self.text()
        raise AssertionError(f"{needles!r} never all appeared; the screen:\n{self.text()}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self, timeout: float = 20) -> int:
        """Wait for the program to end; its exit code."""
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.raw += self.child.before or b""
        self.stream.feed(self.child.before or b"")
        self.child.close()
        status = self.child.exitstatus
        return int(status if status is not None else 128 + self.child.signalstatus)


def row(screen: str, starting: str) -> str:
    """The list's line that starts with `starting`, less the selection marker."""
    lines = (line.lstrip(" ▶").rstrip() for line in screen.splitlines())
    return next((line for line in lines if line.startswith(starting)), "")


# --- end to end, in a pseudo-terminal ------------------------------------------------


def test_typing_costa_selects_entry_8_and_enter_prints_it(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    term = Terminal(stdout=out)
    term.wait_for("Type to search")
    term.send("costa")
    screen = term.wait_for("1 result", "Rica as partners", "8 Are")
    assert row(screen, "8 ").startswith("8 Are there any other")
    assert "Costa" in screen and "Rica as partners" in screen  # the preview shows the answer
    term.send(ENTER)
    assert term.finish() == 0
    text = out.read_text(encoding="utf-8")  # as 'faq show 8' prints to a pipe
    assert text.startswith("Are there any other international partnerships")
    assert "Costa Rica" in text and "\x1b" not in text


def test_enter_with_json_prints_the_entry_as_faq_show_does(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    term = Terminal("--json", "canada", stdout=out)
    term.wait_for("1 result", "╭─ #5")
    term.send(ENTER)
    assert term.finish() == 0
    entry = json.loads(out.read_text(encoding="utf-8"))
    assert list(entry) == ["id", "question", "answer", "sources", "tags"]
    assert entry["id"] == 5 and "Canada" in entry["answer"]


def test_enter_in_a_terminal_prints_the_entry_panel_after_the_view() -> None:
    term = Terminal("costa rica")
    term.wait_for("1 result", "╭─ #8")
    term.send(ENTER)
    assert term.finish() == 0
    screen = term.text()
    assert "#8" in screen and "Costa Rica" in screen and "Type to search" not in screen


@pytest.mark.parametrize("key", [ESC, CTRL_C])
def test_esc_and_ctrl_c_exit_130_and_print_nothing(tmp_path: Path, key: str) -> None:
    out = tmp_path / "out.txt"
    term = Terminal(stdout=out)
    term.wait_for("Type to search")
    term.send(key)
    assert term.finish() == 130
    assert out.read_bytes() == b""


def test_a_40_column_terminal_shows_list_preview_and_keys() -> None:
    term = Terminal(cols=40, rows=12)
    term.send("canada")
    screen = term.wait_for("1 result", "╭─ #5", "Esc quit", "5 Has")
    lines = screen.splitlines()
    assert len(lines) == 12 and all(len(line) <= 40 for line in lines)
    assert lines[0].startswith(" canada") and lines[0].endswith("1 result")
    assert row(screen, "5 ").startswith("5 Has any framework") and row(screen, "5 ").endswith("…")
    assert "╭─ #5" in screen  # the preview, under the list at this width
    assert lines[-1].strip() == "↑↓ · Enter · Esc quit · PgUp/Dn · ^U"
    term.send(PGDN)  # the preview scrolls to the answer
    term.wait_for("Canada have launched")
    term.send(CTRL_U + "zzzzqqq")
    term.wait_for("Nothing found for 'zzzzqqq'")
    term.send(ESC)
    assert term.finish() == 130


def test_at_80_by_24_the_list_shows_whole_questions_and_marks_the_selection() -> None:
    term = Terminal(cols=80, rows=24, env={"NO_COLOR": "1"})
    # Every part awaited: the list's rows may come in a later write than the
    # header and the keys.
    screen = term.wait_for("9 results", "Esc quit", "▶ Summary", "2 When was")
    # The preview goes under the list, whose lines have the whole width.
    assert row(screen, "2 ") == "2 When was the US-Mexico semiconductor supply chain partnership announced?"
    assert screen.splitlines()[1].startswith("▶ Summary US, Mexico")  # marked, not coloured alone
    term.send(DOWN)
    screen = term.wait_for("▶ 1 What is the US-Mexico")
    assert "▶ Summary" not in screen
    assert screen.splitlines()[-1].strip() == KEYS[0]
    term.send(ESC)
    assert term.finish() == 130


@pytest.mark.parametrize("cols", [12, 20, 30, 40, 60])
def test_the_key_help_says_how_to_leave_at_any_width(cols: int) -> None:
    term = Terminal(cols=cols, rows=12)
    screen = term.wait_for("Esc quit")
    assert "Esc quit" in screen.splitlines()[-1]
    term.send(ESC)
    assert term.finish() == 130


def test_tab_takes_the_suggestion() -> None:
    term = Terminal(cols=100, rows=20)
    term.send("chair")  # a word of its own, so not taken for a slip: nothing found
    term.wait_for("Did you mean: chain?", "Tab: search for it")
    term.send("\t")
    screen = term.wait_for("results", "╭─")
    assert screen.splitlines()[0].strip().startswith("chain")
    term.send(ESC)
    assert term.finish() == 130


def test_a_vague_question_names_the_nearest_entry_when_nothing_is_found() -> None:
    term = Terminal("what is this whole thing about", cols=100)
    # First what the words find (nothing), then the sentence model's near miss.
    screen = term.wait_for("Nothing found for 'what is this whole thing about'", "Nearest: #1 What is the")
    assert "0 results" in screen
    term.send(ESC)
    assert term.finish() == 130


def test_hostile_text_never_reaches_the_terminal_raw(faq_file) -> None:  # type: ignore[no-untyped-def]
    term = Terminal("--data", str(faq_file(HOSTILE)), cols=100, rows=20)
    term.wait_for("1 result", "\\x1b[31mred", "\\x1b]0;pwned\\x07")  # shown, as escapes
    term.send(ESC)
    assert term.finish() == 130
    # Textual's own sequences are there (one ends with a bell); none of the file's is.
    data = [b"\x1b]0;pwned", b"pwned\x07", b"\x1b[31mred", b"\x1b]8;;http://evil", b"clear \x1b[2J"]
    for raw in [*data, "\u202e".encode(), "\u2066".encode()]:
        assert raw not in term.raw


def test_without_a_terminal_it_refuses_with_exit_2() -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "faq_cli", "browse"], stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "faq: error: browse needs a terminal; use 'faq search'\n"


# --- the view, through Textual's pilot ------------------------------------------------


def _pilot(test, size: tuple[int, int] = (100, 30), query: str = ""):  # type: ignore[no-untyped-def]
    async def main() -> Browse:
        app = Browse(open_store(bundled()), query)
        async with app.run_test(size=size) as pilot:
            await _settled(app, pilot)
            await test(app, pilot)
        return app

    return asyncio.run(main())


async def _settled(app: Browse, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the screen shows the results of what is typed."""
    from textual.widgets import Input

    for _ in range(200):
        await pilot.pause(0.02)
        if app.shown is not None and app.shown.query == app.query_one(Input).value and app.shown.final:
            return
    raise AssertionError("the search never finished")


def test_an_empty_query_lists_the_summary_then_every_entry_in_file_order() -> None:
    async def check(app: Browse, pilot) -> None:  # type: ignore[no-untyped-def]
        assert app.shown is not None
        labels = [label(h).plain.strip() for h in app.shown.hits]
        assert labels[0].startswith("Summary US, Mexico")
        assert [int(x.split()[0]) for x in labels[1:]] == list(range(1, 9))

    _pilot(check)


def test_keys_move_the_selection_and_ctrl_u_clears_the_query() -> None:
    from faq_cli.browse import Results

    async def check(app: Browse, pilot) -> None:  # type: ignore[no-untyped-def]
        results = app.query_one(Results)
        for key, expected in [("down", 1), ("ctrl+n", 2), ("up", 1), ("ctrl+p", 0), ("up", 0)]:
            await pilot.press(key)
            assert results.cursor == expected, key
        await pilot.press(*"taiwan")
        await _settled(app, pilot)
        assert app.shown is not None and app.shown.query == "taiwan"
        await pilot.press("ctrl+u")
        await _settled(app, pilot)
        assert app.shown is not None and app.shown.query == "" and len(app.shown.hits) == 9

    _pilot(check)


def test_the_same_search_as_faq_search(run) -> None:  # type: ignore[no-untyped-def]
    queries = ["costa rica", "how will this help", "workforce", "is canada involved too"]
    found = {q: json.loads(run("search", q, "--json", "-n", "50").stdout) for q in queries}
    expected = {q: [h["id"] for h in hits] for q, hits in found.items()}

    async def check(app: Browse, pilot) -> None:  # type: ignore[no-untyped-def]
        from faq_cli.model import Entry

        for q in queries:
            await pilot.press("ctrl+u", *q)
            await _settled(app, pilot)
            assert app.shown is not None
            assert [h.entry.id if isinstance(h.entry, Entry) else None for h in app.shown.hits] == expected[q]

    _pilot(check)


def test_the_layout_follows_the_width() -> None:
    async def check(app: Browse, pilot) -> None:  # type: ignore[no-untyped-def]
        from faq_cli.browse import Results

        assert app.screen.has_class("narrow")
        preview = app.query_one("#preview")
        assert preview.region.y > app.query_one(Results).region.y  # under the list
        await pilot.resize_terminal(120, 30)
        await pilot.pause(0.1)
        assert not app.screen.has_class("narrow")
        assert preview.region.y == app.query_one(Results).region.y  # beside it

    _pilot(check, size=(40, 12))


def test_typing_faster_than_searching_is_coalesced() -> None:
    searched: list[str] = []
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow(query: str) -> Found:
        searched.append(query)
        started.set()
        release.wait(5)
        return Found(query, [])

    def arrived(result: Found | BaseException) -> None:
        if isinstance(result, Found) and result.query == "costa":
            done.set()

    searcher = Searcher(slow, arrived)
    searcher.submit("c")
    assert started.wait(5)
    for query in ["co", "cos", "cost", "costa"]:  # typed while "c" is searched
        searcher.submit(query)
    release.set()
    assert done.wait(5)
    assert searched == ["c", "costa"]


@pytest.mark.parametrize("args", [["search", "costa", "--json"], ["list"], ["show", "8"]])
def test_other_commands_never_import_textual(args: list[str]) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "faq_cli", *args], capture_output=True, text=True
    )
    assert done.returncode == 0
    imported = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "typer" in imported and not [m for m in imported if m.split(".")[0] == "textual"]


@pytest.mark.parametrize(("signame", "code"), [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_signal_ends_it_with_its_code_and_gives_the_terminal_back(
    tmp_path: Path, signame: str, code: int
) -> None:
    import signal

    out = tmp_path / "out.txt"
    term = Terminal(stdout=out)
    term.wait_for("Type to search")
    term.child.kill(getattr(signal, signame))
    assert term.finish() == code
    assert out.read_bytes() == b""
    # The alternate screen is left, the cursor shown again and mouse reporting
    # turned off, last.
    assert term.raw.rfind(b"\x1b[?1049l") > term.raw.rfind(b"\x1b[?1049h") > -1
    assert term.raw.rfind(b"\x1b[?25h") > term.raw.rfind(b"\x1b[?25l") > -1
    assert term.raw.rfind(b"\x1b[?1000l") > term.raw.rfind(b"\x1b[?1000h")


def test_the_sentence_model_is_loaded_once_the_view_is_drawn() -> None:
    async def check(app: Browse, pilot) -> None:  # type: ignore[no-untyped-def]
        for _ in range(250):  # up to 5 s
            model = app.store._encoder
            if model is not None and "weights" in model.__dict__:
                break
            await pilot.pause(0.02)
        assert app.store._encoder is not None and "weights" in app.store._encoder.__dict__

    _pilot(check)
