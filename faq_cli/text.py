"""Text normalisation shared by search and the index: fold, tokenise, stem."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

# Patterns are compiled when first used (`compiled`): compiling all of them
# costs every start about 1.5 ms, and a search of ASCII text needs few.
# Combining marks left by NFKD: "México" -> "Mexico", "CÓSTA" -> "COSTA".
_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
# "U.S." is one word; "Leaders'" and "Mexico's" lose the apostrophe and the 's.
_TOKEN = r"(?:[^\W_]\.){2,}|[^\W_]+(?:['’][^\W_]+)*"


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """`pattern`, compiled once per process, when first needed."""
    return re.compile(pattern)


# Question and function words: they weigh little in a query but still count.
# ("us" is not one: in "US-Mexico" it is a name.)
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and another any are as at be
    because been before being below between both but by can could did do does
    doing done down during each few for from further had has have he her here
    hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not of off on once only or other others our ours
    ourselves out over own same shall she should so some such than that the their
    theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves
    """.split()
)

# Endings removed to compare word families: "installing" ~ "installation".
_SUFFIXES = sorted(
    "s es ed ing ings ion ions ation ations e er ers ly ment ments al ity".split(), key=len, reverse=True
)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text`."""
    if text.isascii():  # the same result, sooner: nothing to decompose
        return text.lower()
    return compiled(_MARKS).sub("", unicodedata.normalize("NFKD", text)).casefold()


def spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end) for each word of `text`, located in the original
    text for highlighting; a hyphenated pair also yields its joined form."""
    prev: re.Match[str] | None = None
    for m in compiled(_TOKEN).finditer(text):
        for word in words(m.group()):
            yield word, m.start(), m.end()
        if prev is not None and prev.end() + 1 == m.start() and text[prev.end()] == "-":
            for word in words(prev.group() + m.group()):
                yield word, prev.start(), m.end()
        prev = m


MAX_WORD = 64
_APOSTROPHE_S = r"['’]s\b"
_APOSTROPHE = r"['’]"
# A letter or digit, [^\W_], is [a-z0-9] in folded ASCII text, which the
# regex engine tests about twice as fast: most FAQ text is ASCII.
_LETTER = {False: r"[^\W_]", True: r"[a-z0-9]"}  # by whether the text is ASCII
_DOTTED = {a: rf"(?:{c}\.){{2,}}" for a, c in _LETTER.items()}
_WORD = {a: rf"{c}+" for a, c in _LETTER.items()}
_HYPHENATED = {a: rf"\b(?=({c}+)-({c}+)\b)" for a, c in _LETTER.items()}


def words(text: str) -> list[str]:
    """The folded words of `text` (as `spans` yields them), done on the whole
    text at once: indexing a large FAQ tokenises millions of words."""
    t = fold(text)
    plain = t.isascii()
    if "'" in t or "’" in t:
        t = compiled(_APOSTROPHE).sub("", compiled(_APOSTROPHE_S).sub("", t))
    if "." in t:
        t = compiled(_DOTTED[plain]).sub(lambda m: m.group().replace(".", ""), t)
    out = compiled(_WORD[plain]).findall(t)
    if "-" in t:
        out += [a + b for a, b in compiled(_HYPHENATED[plain]).findall(t)]
    # Nobody searches for a 100-letter word; keeping them would bloat the index.
    return [w for w in out if len(w) <= MAX_WORD]


def stem(word: str) -> str:
    """A crude stem: the word less one common ending, keeping at least 4 letters
    (3 for a plural "s": "bugs" ~ "bug")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (3 if suffix == "s" else 4):
            return word[: -len(suffix)]
    return word


# C0/C1 controls, DEL, bidi embeddings/overrides/isolates and invisible format
# characters: each could rewrite or reorder what the terminal shows.
UNSAFE = (
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_UNSAFE_OR_BREAK = UNSAFE[:-1] + "\t\n]"


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    return {"\t": "\\t", "\n": "\\n"}.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def visible(text: str, one_line: bool = False) -> str:
    """`text` with unsafe characters escaped; `one_line` also escapes tabs and newlines."""
    return compiled(_UNSAFE_OR_BREAK if one_line else UNSAFE).sub(_escape, text)
