"""Text normalisation shared by search and the index: fold, tokenise, stem."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Combining marks left by NFKD: "México" -> "Mexico", "CÓSTA" -> "COSTA".
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# "U.S." is one word; "Leaders'" and "Mexico's" lose the apostrophe and the 's.
_TOKEN = re.compile(r"(?:[^\W_]\.){2,}|[^\W_]+(?:['’][^\W_]+)?")
_POSSESSIVE = re.compile(r"['’]s$")

# Question and function words: they weigh little in a query but still count.
# ("us" is not one: in "US-Mexico" it is a name.)
STOPWORDS = frozenset(
    """
    a about after all also am an and any are as at be been being but by can could
    did do does doing done for from had has have how i if in into is it its me my
    no not of on or our should so some such than that the their them then there
    these they this those to too was we were what when where which while who
    whom why will with would you your
    """.split()
)

# Endings removed to compare word families: "installing" ~ "installation".
_SUFFIXES = sorted(
    "s es ed ing ings ion ions ation ations e er ers ly ment ments al ity".split(), key=len, reverse=True
)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text`."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


def _norm(token: str) -> str:
    return _POSSESSIVE.sub("", token).replace("'", "").replace("’", "").replace(".", "")


def spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end) for each word in `text`, folded; hyphenated pairs
    also yield their joined form ("co-operation" -> "cooperation")."""
    prev: re.Match[str] | None = None
    for m in _TOKEN.finditer(text):
        word = _norm(fold(m.group()))
        if word:
            yield word, m.start(), m.end()
            if prev is not None and prev.end() + 1 == m.start() and text[prev.end()] == "-":
                yield _norm(fold(prev.group())) + word, prev.start(), m.end()
        prev = m


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (see `spans`)."""
    return [w for w, _, _ in spans(text)]


def stem(word: str) -> str:
    """A crude stem: the word less one common ending, keeping at least 4 letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word
