"""Rendering: FAQ text is data. Markup is printed literally, escapes are made
visible in terminals and pipes, and JSON keeps every character exactly."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from faq_cli.model import Entry, Summary
from faq_cli.render import rich_entry, to_json, visible

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


def test_terminal_shows_markup_literally_and_escapes_neutralised() -> None:
    console = Console(force_terminal=True, width=200, color_system="truecolor", markup=False)
    with console.capture() as cap:
        rich_entry(console, HOSTILE)
    out = cap.get()
    assert "[bold red]Boom[/]" in out and "[link=http://x]y[/link]" in out
    assert "\\x1b[31mred" in out and "\\x1b]8;;http://evil\\x07" in out
    assert "\u202e" not in out and "\\u202e" in out and "\u200b" not in out
    assert "\x1b]8" not in out and "\x07" not in out  # no hyperlink or bell reaches the terminal


def test_json_keeps_text_exactly_but_escapes_it_for_terminals() -> None:
    text = to_json({"q": HOSTILE.answer, "ok": "México"})
    assert json.loads(text) == {"q": HOSTILE.answer, "ok": "México"}
    assert "\x1b" not in text and "\u202e" not in text and "México" in text


@pytest.mark.parametrize("width", [30, 40, 50, 80])
def test_the_summary_headline_is_shown_whole_at_any_width(width: int) -> None:
    import io
    import re

    from faq_cli.render import rich_summary

    headline = "US, Mexico to partner on semiconductor supply chain development"
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, no_color=True)
    rich_summary(console, Summary(headline, "Some text.", "Link"))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue())
    inside = " ".join(re.sub(r"[│╭╮╰╯─]", " ", line) for line in plain.splitlines())
    assert " ".join(headline.split()) in " ".join(inside.split())
