"""The checked FAQ model: plain immutable records, no behaviour.

NamedTuples rather than frozen dataclasses: the same immutability, and a
warm start does not pay for generating dataclass methods (about 1 ms each)."""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    id: int
    question: str
    answer: str
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


class Document(NamedTuple):
    """What search indexes, ranks and shows: an entry, or the news summary,
    which has no id, its headline as question and its text as answer."""

    id: int | None
    question: str
    answer: str
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


class Summary(NamedTuple):
    headline: str
    text: str
    source: str | None = None


class Faq(NamedTuple):
    entries: tuple[Entry, ...]
    title: str | None = None
    summary: Summary | None = None
