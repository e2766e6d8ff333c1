"""The questions of a document read as an outline: headings, and the text
between them, as the Markdown, reStructuredText and HTML readers see it.

Which headings are the questions? The level that holds the most headings
phrased as questions; failing any, the level that holds the most headings
with text of their own (a troubleshooting FAQ's "Device not detected").
Headings above that level are sections, whose titles become the tags of the
entries in them; headings below it stay inside their answer. Questions given
as pairs (`<details>`/`<summary>`, a definition list, DocBook's question and
answer rows) are one level deeper than any heading. A first heading alone at
the top is the document's title; text before the first question, and a
section that holds only a list of links (a table of contents), are not
entries, and `faq validate` says what was left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from faq_cli.readers.base import Raw, tidy

PAIRED = 7  # the level of a question given as a pair: deeper than any heading


class Heading(NamedTuple):
    level: int
    text: str
    line: int | None = None


class Text(NamedTuple):
    """A block of text; `links` when it is nothing but links (a table of contents)."""

    text: str
    links: bool = False


class End(NamedTuple):
    """The end of a pair's answer (`</details>`, the end of a definition)."""

    level: int = PAIRED


Item = Heading | Text | End

_QUESTION_WORDS = frozenset(
    """how what why when where which who whom whose can could should would will is are am was
    were do does did have has may might must shall isn't aren't doesn't don't can't won't""".split()
)
_Q_PREFIX = re.compile(r"^\s*Q\s*[:.)]\s*", re.IGNORECASE)
_A_PREFIX = re.compile(r"^\s*A\s*[:.)]\s*", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.)\s+")  # "1.2. How ...", "A. How ..."


# Headings that are the document's furniture, not questions, wherever they are.
_FURNITURE = frozenset(
    [
        *"contents index toc license licence licensing copyright contributing contributors".split(),
        *"credits acknowledgements acknowledgments related links references footnotes".split(),
        *"translations changelog navigation feedback contact".split(),
        *["table of contents", "see also", "related links", "contact us"],
    ]
)


def furniture(text: str) -> bool:
    """Whether a heading names a part of the document rather than a question:
    its contents, licence, credits, translations."""
    folded = re.sub(r"[\W_]+", " ", _NUMBERED.sub("", text).lower()).strip()
    return " ".join(folded.split()) in _FURNITURE


def question_like(text: str) -> bool:
    """Whether a heading reads as a question: it asks one, or starts with a
    question word, or is marked "Q:"."""
    text = _NUMBERED.sub("", text)
    if "?" in text or _Q_PREFIX.match(text):
        return True
    first = text.strip().split(maxsplit=1)[:1]
    return bool(first) and first[0].lower().strip("\"'“‘*_`") in _QUESTION_WORDS


class Outline(NamedTuple):
    """What an outline holds: the document's title, its entries, the level
    of its questions, and what was left out."""

    title: str | None
    entries: list[Raw]
    level: int | None
    notes: tuple[str, ...]


class _Open(NamedTuple):
    heading: Heading
    tags: tuple[str, ...]
    parts: list[Text]


def questions(items: Sequence[Item], level: int | None = None, title_up_to: int = 6) -> Outline:
    """The entries of an outline; at `level` when given, else at the level
    chosen as above. Only a heading of level `title_up_to` or above can be
    the title (an HTML page has its `<title>` besides)."""
    heads = [i for i, item in enumerate(items) if isinstance(item, Heading)]
    title_at = _title(items, heads, title_up_to)
    counted = [items[i] for i in heads if i != title_at]
    own = _with_own_text(items, heads)
    if level is None:
        level, mode = _level(counted, [items[i] for i in heads if i in own and i != title_at])
    else:
        mode = "given"
    entries: list[Raw] = []
    sections: list[Heading] = []  # open sections, shallowest first
    left_out: Counter[str] = Counter()
    current: _Open | None = None

    def close() -> None:
        nonlocal current
        if current is None:
            return
        texts = [part for part in current.parts if part.text.strip()]
        if texts and all(part.links for part in texts):
            left_out["a table of contents"] += 1
        else:
            answer = tidy("\n\n".join(part.text for part in texts))
            question = _Q_PREFIX.sub("", _NUMBERED.sub("", current.heading.text)).strip()
            entries.append(Raw(question, _A_PREFIX.sub("", answer), current.heading.line, tags=current.tags))
        current = None

    for index, item in enumerate(items):
        if isinstance(item, End):
            if current is not None and current.heading.level == item.level:
                close()
            continue
        if isinstance(item, Text):
            if current is not None:
                current.parts.append(item)
            elif item.text.strip() and not item.links and level is not None:
                left_out["text outside any question"] += 1
            continue
        if index == title_at:
            continue
        if current is not None and (item.level <= current.heading.level or item.level == level):
            close()
        if current is not None:  # a heading inside an answer
            current.parts.append(Text(item.text))
            continue
        # A troubleshooting FAQ's section may say something of its own too.
        own_say = mode == "topics" and level is not None and item.level < level and index in own
        is_entry = (item.level == level or own_say) and not furniture(item.text)
        while sections and sections[-1].level >= item.level:
            sections.pop()
        tags = tuple(_NUMBERED.sub("", s.text) for s in sections)
        if level is not None and item.level < level:
            sections.append(item)
        elif item.level == level and not is_entry:
            left_out[f"the section {item.text!r}"] += 1
        if is_entry:
            current = _Open(item, tags, [])
    close()
    head = items[title_at] if title_at is not None else None
    return Outline(head.text if isinstance(head, Heading) else None, entries, level, _notes(left_out))


def _title(items: Sequence[Item], heads: list[int], up_to: int) -> int | None:
    """The index of the document's title: a first heading that is the only
    one at the top level, and not itself a question."""
    if not heads:
        return None
    first = items[heads[0]]
    assert isinstance(first, Heading)
    levels = [items[i].level for i in heads]  # type: ignore[union-attr]
    top = min(levels)
    if first.level != top or levels.count(top) > 1 or top > up_to or question_like(first.text):
        return None
    return heads[0]


def _with_own_text(items: Sequence[Item], heads: list[int]) -> set[int]:
    """The headings followed by text of their own, before the next heading."""
    out = set()
    for i in heads:
        for item in items[i + 1 :]:
            if isinstance(item, Heading | End):
                break
            if item.text.strip() and not item.links:
                out.add(i)
                break
    return out


def _level(headings: Sequence[Item], with_text: Sequence[Item]) -> tuple[int | None, str]:
    """The level of the questions, and how it was chosen: "questions" (the
    shallowest level with at least half as many headings that ask a question
    as the level with most: where questions nest, the deeper ones then stay
    in the answers of the shallower, and no text is left out), or "topics"
    (none asks one: the level with most headings that have text of their
    own; the deeper of two alike)."""
    asked = Counter(h.level for h in headings if isinstance(h, Heading) and question_like(h.text))
    if asked:
        most = max(asked.values())
        return min(level for level, n in asked.items() if n * 2 >= most), "questions"
    levels = Counter(h.level for h in with_text if isinstance(h, Heading))
    if not levels:
        return None, "none"
    return max(levels, key=lambda level: (levels[level], level)), "topics"


def _notes(left_out: Counter[str]) -> tuple[str, ...]:
    return tuple(f"{n} × {what}" if n > 1 else what for what, n in sorted(left_out.items()))


def other_levels(items: Sequence[Item], chosen: int | None) -> list[tuple[int, int]]:
    """Other levels with headings that ask a question, and how many each:
    what `faq validate` offers as `--level`."""
    asked = Counter(i.level for i in items if isinstance(i, Heading) and question_like(i.text))
    return sorted((level, n) for level, n in asked.items() if level != chosen)
