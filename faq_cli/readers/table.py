"""CSV and TSV, as help desks and chatbots export them: a row an entry. With
a header row, the columns are found by name (question, answer, source or
sources, tags or keywords, id; other columns are left out); without one,
the first column is the question and the second the answer. Quoted fields
keep their commas, quotes and newlines exactly."""

from __future__ import annotations

import csv
import io
import re

from faq_cli.errors import DataError, Problem
from faq_cli.readers.base import Raw, refused

# Header names, folded (case, spaces, "_" and "-" ignored), by column.
NAMES = {
    "question": {"question", "questions", "q", "query", "prompt", "faq", "title"},
    "answer": {"answer", "answers", "a", "response", "reply", "responsetext", "body"},
    "sources": {"source", "sources", "url", "urls", "link", "links", "reference", "references"},
    "tags": {"tags", "tag", "keywords", "keyword", "category", "categories", "topic", "topics", "labels"},
    "id": {"id", "ident", "number", "no"},
}
_FOLD = re.compile(r"[\s_\-.#]+")
_SPLIT_TAGS = re.compile(r"[,;|]")
_SPLIT_SOURCES = re.compile(r"[\n;|]|\s+(?=https?://)")


def columns(header: list[str]) -> dict[str, int] | None:
    """Which column holds what, when `header` is a header row: it names a
    question and an answer column."""
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        folded = _FOLD.sub("", cell.strip().lower())
        for key, names in NAMES.items():
            if folded in names and key not in found:
                found[key] = i
    return found if "question" in found and "answer" in found else None


def read(text: str, name: str, delimiter: str) -> list[Raw]:
    """The entries of CSV (`delimiter` ",") or TSV ("\\t") text."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        message = str(exc)
        if "EOF" in message or "unexpected end" in message:
            message = "a quoted field is never closed"
        raise DataError(name, [Problem(message, line=line)]) from None
    rows = [(at, row) for at, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return []
    found = columns(rows[0][1])
    if found is None:
        found = {"question": 0, "answer": 1}
    else:
        rows = rows[1:]
    out: list[Raw] = []
    problems: list[Problem] = []
    for at, row in rows:
        cell = {key: row[i] if i < len(row) else "" for key, i in found.items()}
        if not cell["answer"].strip():
            problems.append(Problem("this row has no answer", line=at))
            continue
        ident = None
        if "id" in cell and cell["id"].strip():
            if not cell["id"].strip().isdigit() or int(cell["id"]) < 1:
                problems.append(Problem(f"the id {cell['id']!r} is not a positive integer", line=at))
                continue
            ident = int(cell["id"])
        out.append(
            Raw(
                cell["question"],
                cell["answer"],
                at,
                tuple(_SPLIT_SOURCES.split(cell.get("sources", ""))),
                tuple(_SPLIT_TAGS.split(cell.get("tags", ""))),
                ident,
            )
        )
    if problems:
        raise refused(name, problems)
    return out
