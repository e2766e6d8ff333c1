"""BERT's uncased tokenizer, as all-MiniLM-L6-v2 uses it, in the standard
library: the basic tokenizer (`basic_words`), then WordPiece (`pieces`) over
a vocabulary given as a look-up. A test checks it against the reference
tokenizer of the `tokenizers` package."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection

from faq_cli.text import compiled

MAX_WORD_CHARS = 100  # BERT's limit: a longer word is one unknown token

# BERT drops control characters (tab, newline and return are whitespace), and
# counts every non-alphanumeric ASCII character as punctuation, a word of its own.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_WORD = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")
# BERT's whitespace: space, tab, newline, return and the space separators (Zs).
# Only text that is not ASCII needs it: compiled when first used.
_WHITESPACE = "[ \t\n\r\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+"


def _is_punctuation(c: str) -> bool:
    o = ord(c)
    return (
        33 <= o <= 47
        or 58 <= o <= 64
        or 91 <= o <= 96
        or 123 <= o <= 126
        or unicodedata.category(c)[0] == "P"
    )


def _is_cjk(o: int) -> bool:
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2A6DF
        or 0x2A700 <= o <= 0x2CEAF
        or 0xF900 <= o <= 0xFAFF
        or 0x2F800 <= o <= 0x2FA1F
    )


def _unicode_words(text: str) -> list[str]:
    """BERT's basic tokenizer, character by character, for non-ASCII text."""
    chars = []
    for c in text:
        o = ord(c)
        cat = unicodedata.category(c)
        if c in " \t\n\r" or cat == "Zs":
            chars.append(" ")
        elif o == 0 or o == 0xFFFD or cat in ("Cc", "Cf"):
            continue
        elif _is_cjk(o):
            chars.append(f" {c} ")
        else:
            chars.append(c)
    words = []
    for token in "".join(chars).lower().split():
        token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
        word = ""
        for c in token:
            if _is_punctuation(c):
                if word:
                    words.append(word)
                words.append(c)
                word = ""
            else:
                word += c
        if word:
            words.append(word)
    return words


def basic_words(text: str) -> list[str]:
    """BERT's basic tokenizer (uncased): drop control characters, lower-case,
    strip accents, split on whitespace and punctuation and around CJK characters."""
    if text.isascii():  # nearly all text: a regular expression does the same, faster
        return _ascii_words(text)
    # Mostly ASCII, with a few curly quotes or accents: only the pieces
    # (between BERT's whitespace) that are not ASCII go character by character.
    out: list[str] = []
    for piece in compiled(_WHITESPACE).split(text):
        out += _ascii_words(piece) if piece.isascii() else _unicode_words(piece)
    return out


def _ascii_words(text: str) -> list[str]:
    return _ASCII_WORD.findall(_ASCII_CONTROL.sub("", text).lower())


def pieces(word: str, known: Callable[[list[str]], Collection[str]]) -> list[str]:
    """The WordPiece tokens of one basic word: the longest known prefix, then
    the longest known "##" continuations; "[UNK]" if it cannot be covered.
    `known` gives those of a list of candidate tokens that are in the
    vocabulary (one look-up for all of a step's candidates)."""
    out: list[str] = []
    start = 0
    while start < len(word) and len(word) <= MAX_WORD_CHARS:
        mark = "##" if start else ""
        candidates = [mark + word[start:end] for end in range(len(word), start, -1)]
        found = known(candidates)
        piece = next((c for c in candidates if c in found), None)
        if piece is None:
            break
        out.append(piece)
        start += len(piece) - len(mark)
    if start < len(word) or not word:
        return ["[UNK]"]
    return out
