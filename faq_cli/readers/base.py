"""What every reader produces before it is checked: raw entries with the line
each starts on; and the check that turns them into the same `Faq` a YAML file
gives, or into located problems. Nothing is invented: an entry without a
question or an answer is a problem, not an empty string."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from faq_cli.errors import DataError, Problem
from faq_cli.model import Entry, Faq, Summary

MAX_PROBLEMS = 50  # as load.MAX_PROBLEMS: beyond this, more messages no longer help


class Raw(NamedTuple):
    """An entry as a reader found it. `ident` is None where the format gives
    no id: entries are then numbered by position."""

    question: str
    answer: str
    line: int | None = None
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    ident: int | None = None


class Read(NamedTuple):
    """A FAQ as read from a file of some format, with what `faq validate`
    says of how it was read ("questions: level-2 headings", ...)."""

    faq: Faq
    format: str
    notes: tuple[str, ...] = ()
    level: int | None = None


_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """No space at the end of a line, at most one blank line in a row, none at
    either end: text as markup leaves it, made plain. Indentation stays: code
    keeps its shape."""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def refused(name: str, problems: list[Problem]) -> DataError:
    """The error for `problems` in the file `name`: the first MAX_PROBLEMS,
    and a last line saying that the list was cut, where it was."""
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], Problem(f"... stopped after {MAX_PROBLEMS} problems")]
    return DataError(name, problems)


def checked(
    raws: Sequence[Raw],
    name: str,
    title: str | None = None,
    summary: Summary | None = None,
) -> Faq:
    """The `Faq` of `raws`, or a `DataError` naming every entry without a
    question or an answer, and every id given twice."""
    problems: list[Problem] = []
    entries = []
    seen: dict[int, int] = {}
    for position, raw in enumerate(raws, 1):
        ident = raw.ident if raw.ident is not None else position
        where = f"entries[{position - 1}]"
        question, answer = raw.question.strip(), raw.answer.strip()
        if not question:
            problems.append(Problem("an entry with no question", path=where, line=raw.line))
        if not answer:
            quoted = question if len(question) <= 60 else question[:59] + "…"
            problems.append(Problem(f"the question {quoted!r} has no answer", path=where, line=raw.line))
        if ident in seen:
            problems.append(
                Problem(f"duplicate id {ident} (also entry {seen[ident]})", path=where, line=raw.line)
            )
        seen.setdefault(ident, position)
        tags = tuple(t for t in (tag.strip() for tag in raw.tags) if t)
        sources = tuple(s for s in (source.strip() for source in raw.sources) if s)
        entries.append(Entry(ident, question, answer, sources, tags))
    if problems:
        raise refused(name, problems)
    return Faq(tuple(entries), title.strip() if title and title.strip() else None, summary)
