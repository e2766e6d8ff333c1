"""Rendering: FAQ text is data. Markup is printed literally, escapes are made
visible in terminals and pipes, and JSON keeps every character exactly."""

from __future__ import annotations

import json
import re

import pytest
from rich.console import Console

from faq_cli import ansi
from faq_cli.model import Entry, Summary
from faq_cli.render import entry_panel, to_json, visible

ESCAPES = re.compile(r"\x1b\[[0-9;]*m")  # the only escapes the terminal rendering writes

HOSTILE = Entry(
    1,
    "[bold red]Boom[/] [link=http://x]y[/link]",
    "esc \x1b[31mred\x1b[0m osc \x1b]8;;http://evil\x07link bidi \u202eevil zw\u200bsp",
    ("a\tb",),
    ("t\nu",),
)


def test_visible_escapes_controls_bidi_and_zero_width() -> None:
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    # Every C0 control but tab and newline, DEL, and every C1 control.
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]:
        if chr(code) not in "\t\n":
            assert visible(f"a{chr(code)}b") == f"a\\x{code:02x}b", hex(code)
    assert visible("x\u202ey\u200bz") == "x\\u202ey\\u200bz"
    assert visible("line\nnext\ttab") == "line\nnext\ttab"
    assert visible("line\nnext\ttab", one_line=True) == "line\\nnext\\ttab"
    assert visible("Größe 🚀 עברית") == "Größe 🚀 עברית"


@pytest.mark.parametrize("color", [True, False])
def test_terminal_shows_markup_literally_and_escapes_neutralised(color: bool) -> None:
    out = "\n".join(ansi.entry(ansi.Screen(200, color), HOSTILE))
    assert "[bold red]Boom[/]" in out and "[link=http://x]y[/link]" in out
    assert "\\x1b[31mred" in out and "\\x1b]8;;http://evil\\x07" in out
    assert "\u202e" not in out and "\\u202e" in out and "\u200b" not in out
    assert "\x1b" not in ESCAPES.sub("", out)  # no escape of the text's own reaches the terminal
    assert "\x07" not in out


def test_browse_s_panel_shows_markup_literally_and_escapes_neutralised() -> None:
    console = Console(force_terminal=True, width=200, color_system="truecolor", markup=False)
    with console.capture() as cap:
        console.print(entry_panel(HOSTILE))
    out = cap.get()
    assert "[bold red]Boom[/]" in out and "\\x1b[31mred" in out and "\\u202e" in out
    assert "\x1b]8" not in out and "\x07" not in out  # no hyperlink or bell reaches the terminal


def test_json_keeps_text_exactly_but_escapes_it_for_terminals() -> None:
    text = to_json({"q": HOSTILE.answer, "ok": "México"})
    assert json.loads(text) == {"q": HOSTILE.answer, "ok": "México"}
    assert "\x1b" not in text and "\u202e" not in text and "México" in text


@pytest.mark.parametrize("width", [30, 40, 50, 80])
def test_the_summary_headline_is_shown_whole_at_any_width(width: int) -> None:
    headline = "US, Mexico to partner on semiconductor supply chain development"
    lines = ansi.summary(ansi.Screen(width, False), Summary(headline, "Some text.", "Link"))
    plain = ESCAPES.sub("", "\n".join(lines))
    assert all(ansi.cells(line) == width for line in plain.splitlines())  # every line as wide as the screen
    inside = " ".join(re.sub(r"[│╭╮╰╯─]", " ", line) for line in plain.splitlines())
    assert " ".join(headline.split()) in " ".join(inside.split())


@pytest.mark.parametrize("width", [20, 33, 40, 80])
def test_panels_fit_the_width_whatever_the_script(width: int) -> None:
    entry = Entry(
        3,
        "日本語の質問はどうですか？長い長い長い長い質問です",
        "Combining: e\u0301te; emoji 🚀🚀; a word longer than any line: "
        + "x" * 90
        + "\n    code keeps its indentation",
        ("Source",),
        ("tag",),
    )
    plain = ESCAPES.sub("", "\n".join(ansi.entry(ansi.Screen(width, True), entry, "score 7")))
    lines = plain.splitlines()
    assert all(ansi.cells(line) == width for line in lines), [ansi.cells(line) for line in lines]
    assert lines[0].startswith("╭─ #3 ") and lines[-1].endswith(" score 7 ─╯")
    assert "│     code keeps" in plain  # a line of the text starts with its own spaces
    assert "".join(line[2:-2].strip() for line in lines[1:-1]).count("x") == 90  # folded, not cut


def test_cells_count_wide_characters_twice_and_marks_not_at_all() -> None:
    assert [ansi.cells(t) for t in ("abc", "日本", "e\u0301", "🚀", "")] == [3, 4, 1, 2, 0]
    assert ansi.cut([("日本語の質問", "")], 7) == [("日本語", ""), ("…", "")]


def test_colour_goes_and_bold_stays_without_colour() -> None:
    line = [("x", "bold cyan"), ("y", "dim")]
    assert ansi.Screen(40, True).paint(line) == "\x1b[1;36mx\x1b[0m\x1b[2my\x1b[0m"
    assert ansi.Screen(40, False).paint(line) == "\x1b[1mx\x1b[0m\x1b[2my\x1b[0m"


@pytest.mark.parametrize("width", [7, 12, 25])
def test_a_wrapped_line_starts_at_its_word_not_at_a_space(width: int) -> None:
    text = "one two  three   four five six seven eight nine ten eleven twelve"
    lines = ["".join(t for t, _ in line) for line in ansi.wrap([(text, "")], width)]
    assert all(ansi.cells(line) <= width for line in lines)
    assert all(line and not line[0].isspace() for line in lines), lines
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())  # every word, in order
    for size in (1, 2, 3, 5):  # the same text in styled pieces (highlights cut it anywhere)
        cut = [(text[i : i + size], "bold" if i % 2 else "") for i in range(0, len(text), size)]
        assert ["".join(t for t, _ in line) for line in ansi.wrap(cut, width)] == lines, size
    kept = ["".join(t for t, _ in line) for line in ansi.wrap([("a\n   indented", "")], width)]
    assert kept[1].startswith("   ")  # a line of the text keeps its own spaces
