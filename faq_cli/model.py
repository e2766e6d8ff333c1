"""The checked FAQ model: plain frozen dataclasses, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    question: str
    answer: str
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    headline: str
    text: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Faq:
    entries: tuple[Entry, ...]
    title: str | None = None
    summary: Summary | None = None
