"""The terminal's rendering, drawn with ANSI escapes: the best hit in a panel,
the others a line each, the list of questions, an entry, the summary.

Rich drew these once; importing it cost a third of a terminal run
(docs/speed.md), for panels and wrapped lines this module draws in a few
dozen lines. `faq browse` still draws with Rich, inside Textual. Text from
the FAQ is made `visible` first, so none of its control characters reaches
the terminal, and is measured in cells: wide characters take two, combining
marks none.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from faq_cli.match import as_document
from faq_cli.model import Document, Entry, Summary
from faq_cli.text import spans, visible

if TYPE_CHECKING:
    from faq_cli.rank import Hit

Run = tuple[str, str]  # text, style ("bold", "dim cyan", ...)
Line = list[Run]
HIGHLIGHT = "bold yellow"
_CODES = {"bold": "1", "dim": "2", "italic": "3", "yellow": "33", "blue": "34", "cyan": "36"}
_COLOURS = {"yellow", "blue", "cyan"}


class Screen:
    """How wide the terminal is, and whether it shows colour: NO_COLOR and
    --color never keep bold and dim, as Rich did, and drop the colours."""

    def __init__(self, width: int, color: bool) -> None:
        self.width, self.color = max(width, 20), color

    def paint(self, line: Line) -> str:
        merged: Line = []
        for text, style in line:  # runs of one style as one: fewer escapes
            if merged and merged[-1][1] == style:
                merged[-1] = (merged[-1][0] + text, style)
            elif text:
                merged.append((text, style))
        out = []
        for text, style in merged:
            codes = [_CODES[s] for s in style.split() if s in _CODES and (self.color or s not in _COLOURS)]
            out.append(f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes and text else text)
        return "".join(out)


def cells(text: str) -> int:
    """The columns `text` takes in a terminal."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def styled(value: str, style: str = "", marks: frozenset[str] = frozenset()) -> Line:
    """FAQ text as runs, made visible, its `marks` (matched words) highlighted."""
    out: Line = []
    pos = 0
    for word, start, end in spans(value) if marks else ():
        if word in marks and start >= pos:
            out += [(visible(value[pos:start]), style), (visible(value[start:end]), f"{style} {HIGHLIGHT}")]
            pos = end
    out.append((visible(value[pos:]), style))
    return out


def wrap(line: Line, width: int) -> list[Line]:
    """`line` in lines of at most `width` cells: at spaces, and inside a word
    longer than a line; a newline in the text starts a line, and keeps the
    spaces it begins with (code keeps its indentation). Words and spaces are
    those of the whole text, wherever its styles change."""
    text = "".join(part for part, _ in line)
    rows: list[list[tuple[int, int]]] = [[]]  # each line's spans of `text`
    used, soft, pos = 0, False, 0  # soft: the line began by wrapping, so its leading spaces go
    for i, paragraph in enumerate(text.split("\n")):
        if i:
            rows.append([])
            used, soft, pos = 0, False, pos + 1
        for piece in _pieces(paragraph):
            start, pos = pos, pos + len(piece)
            size = cells(piece)
            if piece.isspace():
                if used == 0 and soft:
                    continue
                if used + size > width:
                    rows.append([])
                    used, soft = 0, True
                    continue
            elif used and used + size > width:
                rows.append([])
                used, soft = 0, True
            while size > width:  # a word longer than a line: folded
                head = _fit(piece, width - used)
                rows[-1].append((start, start + len(head)))
                rows.append([])
                used, soft = 0, True
                start, piece = start + len(head), piece[len(head) :]
                size = cells(piece)
            if piece:
                rows[-1].append((start, pos))
                used += size
    ends = list(itertools.accumulate(len(part) for part, _ in line))
    return [[run for a, b in row for run in _styled_runs(line, text, ends, a, b)] for row in rows]


def _styled_runs(line: Line, text: str, ends: list[int], a: int, b: int) -> Line:
    """`text[a:b]` as runs in the styles `line` gives it (`ends`: where each run of `line` ends)."""
    out: Line = []
    k = bisect.bisect_right(ends, a)
    while a < b:
        stop = min(b, ends[k])
        out.append((text[a:stop], line[k][1]))
        a, k = stop, k + 1
    return out


def _pieces(text: str) -> list[str]:
    """Words and the spaces between them, in order."""
    out: list[str] = []
    for char in text:
        if out and (out[-1][-1] == " ") == (char == " "):
            out[-1] += char
        else:
            out.append(char)
    return out


def _fit(text: str, room: int, least: int = 1) -> str:
    """The longest start of `text` that fits in `room` cells, and at least
    `least` characters (a wide one in a column of one still moves on)."""
    used = 0
    for i, char in enumerate(text):
        used += cells(char)
        if used > room:
            return text[: max(i, least)]
    return text


def _width(line: Line) -> int:
    return sum(cells(text) for text, _ in line)


def cut(line: Line, width: int) -> Line:
    """`line` cut to `width` cells, with "…" where it was cut."""
    if _width(line) <= width:
        return line
    out: Line = []
    room = width - 1
    for text, style in line:
        if room <= 0:
            break
        head = text if cells(text) <= room else _fit(text, room, 0)
        out.append((head, style))
        room -= cells(head)
    return [*out, ("…", "")]


def panel(screen: Screen, title: str, body: Sequence[Line], subtitle: str = "") -> list[str]:
    """Lines of a box around `body`, wrapped to the screen, with `title` in its
    top edge and `subtitle` at the right of its bottom edge."""
    inner = screen.width - 4
    rows = [row for line in body for row in (wrap(line, inner) if line else [[]])]
    top = [
        ("╭─", "blue"),
        (f" {title} ", "cyan"),
        ("─" * max(screen.width - cells(title) - 5, 0) + "╮", "blue"),
    ]
    bottom: Line = [("╰" + "─" * (screen.width - 2) + "╯", "blue")]
    if subtitle:
        rule = "─" * max(screen.width - cells(subtitle) - 5, 0)
        bottom = [("╰" + rule, "blue"), (f" {subtitle} ", "dim"), ("─╯", "blue")]
    lines = [screen.paint(top)]
    for row in rows:
        pad = " " * max(inner - _width(row), 0)
        lines.append(screen.paint([("│ ", "blue"), *row, (pad + " │", "blue")]))
    lines.append(screen.paint(bottom))
    return lines


def entry(
    screen: Screen, e: Entry | Document, subtitle: str = "", matched: dict[str, frozenset[str]] | None = None
) -> list[str]:
    """An entry (or the summary, as search shows it) in its panel."""
    m = matched or {}
    body = [
        styled(e.question, "bold", m.get("question", frozenset())),
        [],
        styled(e.answer, "", m.get("answer", frozenset())),
    ]
    if e.sources or e.tags:
        body.append([])
    if e.sources:
        body.append(_meta("Sources", e.sources, m.get("sources", frozenset())))
    if e.tags:
        body.append(_meta("Tags", e.tags, m.get("tags", frozenset())))
    return panel(screen, "Summary" if e.id is None else f"#{e.id}", body, subtitle)


def _meta(label: str, items: Sequence[str], marks: frozenset[str] = frozenset()) -> Line:
    line: Line = [(f"{label}: ", "dim")]
    for i, item in enumerate(items):
        if i:
            line.append((", " if label == "Tags" else "; ", "dim"))
        line += styled(item, "dim", marks)
    return line


def hits(screen: Screen, found: Sequence[Hit], full: bool = False) -> list[str]:
    """The best hit in full, its matched words highlighted; the others a line
    each (id, score, question, cut to the width), and how to see them.
    `full`: every hit in full."""
    out: list[str] = []
    for h in found if full else found[:1]:
        out += entry(screen, as_document(h.entry), f"score {h.score}", h.matched)
    if full or len(found) < 2:
        return out
    docs = [as_document(h.entry) for h in found[1:]]
    ids = ["summary" if d.id is None else str(d.id) for d in docs]
    width = max(map(len, ids))
    for ident, d, h in zip(ids, docs, found[1:], strict=True):
        line: Line = [(f" {ident:>{width}}", "cyan"), (f"  {h.score:>3}  ", "dim")]
        line += styled(d.question, "", h.matched.get("question", frozenset()))
        out.append(screen.paint(cut(line, screen.width)))
    then = next((i for i in ids if i != "summary"), "summary")
    hint = f" faq show {then} shows one in full; --full shows them all"
    out.append(screen.paint(cut([(hint, "dim")], screen.width)))
    return out


def listing(screen: Screen, title: str | None, entries: Iterable[Entry], id_width: int) -> Iterable[str]:
    """The ids and questions, the questions wrapped beside their ids; a line
    at a time, so that a 100,000-entry FAQ starts showing at once."""
    id_width = max(id_width, 2)
    room = max(screen.width - id_width - 4, 10)
    if title:
        shown = cut(styled(title, "italic"), screen.width)
        yield " " * max((screen.width - _width(shown)) // 2, 0) + screen.paint(shown)
    yield screen.paint([(f" {'ID':>{id_width}}  ", "bold"), ("Question", "bold")])
    yield screen.paint([("─" * screen.width, "")])
    for e in entries:
        for i, row in enumerate(wrap(styled(e.question), room)):
            ident = str(e.id) if i == 0 else ""
            yield screen.paint([(f" {ident:>{id_width}}  ", "cyan"), *row])


def summary(screen: Screen, s: Summary) -> list[str]:
    """The news summary in its panel, its headline inside (a narrow terminal
    would cut it in the border)."""
    body = [styled(s.headline, "bold"), [], styled(s.text)]
    if s.source:
        body += [[], _meta("Source", [s.source])]
    return panel(screen, "Summary", body)
