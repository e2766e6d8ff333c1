"""How a query's words match a FAQ's: folded words by field, typos and
prefixes, the literal search of `--exact`, the did-you-mean, and the texts
of an entry the models read. Pure: no I/O.

The FAQ's vocabulary is anything with the four look-ups of `Vocabulary`;
`store` answers them from its SQLite index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from faq_cli.model import Document, Entry, Summary
from faq_cli.text import STOPWORDS, fold, stem, words

FIELDS = ("question", "tags", "sources", "answer")

if TYPE_CHECKING:  # a Protocol class costs start-up time; only mypy needs it
    from typing import Protocol

    class Vocabulary(Protocol):
        def has(self, word: str) -> bool: ...
        def with_stem(self, word_stem: str) -> Iterable[str]: ...
        def with_prefix(self, prefix: str) -> Iterable[str]: ...
        def typo_candidates(self, word: str, edits: int) -> Sequence[str]:
            """Words with the same first letter and a length within `edits`."""
            ...


# A match this close is the query word itself as far as the FAQ can tell: the
# word, its family, a prefix of it, or a slip of the keys. Below it: the typo
# neighbours of a word of the language, which the user probably meant as written.
SURE = 0.6


# Closeness of a typo match, by edits; times DOUBT when the query word is itself
# a word of the language that the FAQ lacks: a real word one letter from a FAQ
# word was more likely meant as typed than mistyped.
TYPO = {1: 0.8, 2: 0.65}


DOUBT = 0.6


MAX_QUERY_WORDS = 32


def field_words(
    entry: Document, distinct: Callable[[str], AbstractSet[str]] | None = None
) -> tuple[set[str], ...]:
    """The distinct folded words of each of FIELDS; `distinct` gives a text's
    distinct words, where a caller remembers those of texts a FAQ repeats."""
    of = distinct or (lambda text: set(words(text)))
    return (
        set(of(entry.question)),
        {w for t in entry.tags for w in of(t)},
        {w for s in entry.sources for w in of(s)},
        set(of(entry.answer)),
    )


def tiers(fields: tuple[set[str], ...]) -> tuple[set[str], set[str], set[str]]:
    """An entry's words by the best field each is in: question or tags; else
    sources; else answer (see TIERS)."""
    question, tags, sources, answer = fields
    head = question | tags
    return head, sources - head, answer - head - sources


def typo_allowance(word: str) -> int:
    """Edits tolerated in a query word: none up to 4 letters (acronyms and
    short words, where one edit reaches too many unrelated words); one up to 8;
    then two."""
    n = len(word)
    return 0 if n <= 4 else 1 if n <= 8 else 2


def word_matches(
    vocabulary: Vocabulary, q: str, is_word: Callable[[str], bool] | None = None
) -> dict[str, float]:
    """Vocabulary words that match query word `q`, each with a closeness in (0, 1].
    `is_word` tells whether a word is one of the language (from the meaning
    model's vocabulary); without it, every unknown word may be a typo."""
    known = vocabulary.has(q)
    if q in STOPWORDS or len(q) <= 3:
        # Short and common words match whole words only: acronyms, mostly.
        return {q: 1.0} if known else {}
    found = dict.fromkeys(vocabulary.with_stem(stem(q)), 0.9)  # one word family
    for w in vocabulary.with_prefix(q):  # a word typed in part
        found[w] = 1.0 if w == q else max(found.get(w, 0.0), 0.7 + 0.2 * len(q) / len(w))
    edits = typo_allowance(q)
    # A word the FAQ has is taken as spelled right: its typo neighbours (other
    # words of the FAQ) would only add noise.
    if edits and not known and (candidates := vocabulary.typo_candidates(q, edits)):
        doubt = DOUBT if is_word is not None and is_word(q) else 1.0
        for w, dist in close_words(q, candidates, edits):
            # Typo candidates share the first letter: a typo rarely hits it, and
            # requiring it keeps unrelated words of the same shape apart.
            if w not in found and dist and len(w) > 3:
                found[w] = TYPO[dist] * doubt
    return found


# Typo candidates at which RapidFuzz's import (about 17 ms) pays for itself;
# a FAQ's candidates for one word (same first letter, nearly the same length)
# are usually a few dozen to a few hundred.
RAPIDFUZZ_FROM = 2000


def close_words(q: str, candidates: Sequence[str], edits: int) -> list[tuple[str, int]]:
    """The candidates within `edits` of `q` by optimal string alignment
    distance (adjacent transpositions count one), with their distances."""
    if len(candidates) >= RAPIDFUZZ_FROM:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = process.extract(q, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return [(w, dist) for w, dist, _ in found]
    out = []
    for w in candidates:
        dist = osa_distance(q, w, edits)
        if dist is not None:
            out.append((w, dist))
    return out


def osa_distance(a: str, b: str, limit: int) -> int | None:
    """RapidFuzz's OSA.distance of two short words, or None when it is over `limit`."""
    if abs(len(a) - len(b)) > limit:
        return None
    before: list[int] = []
    above = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            d = min(above[j] + 1, row[j - 1] + 1, above[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                d = min(d, before[j - 2] + 1)
            row[j] = d
        # Over the limit in two rows running: no later cell can come back under it.
        if min(row) > limit and min(above) > limit:
            return None
        before, above = above, row
    return above[-1] if above[-1] <= limit else None


def query_words(query: str) -> list[str]:
    """The distinct folded words of a query, in order, at most MAX_QUERY_WORDS."""
    return list(dict.fromkeys(words(query)))[:MAX_QUERY_WORDS]


def informative(qwords: Iterable[str]) -> list[str]:
    return [q for q in qwords if q not in STOPWORDS]


def matched(
    entry: Document, qwords: Sequence[str], matches: dict[str, dict[str, float]]
) -> dict[str, frozenset[str]]:
    """Field -> the entry's words that matched an informative query word: what
    the output highlights."""
    wanted = {w for q in informative(qwords) for w in matches[q]}
    found = {f: frozenset(have & wanted) for f, have in zip(FIELDS, field_words(entry), strict=True)}
    return {f: found[f] for f in FIELDS if found[f]}


def exact(entries: Iterable[Document], query: str, limit: int) -> list[tuple[int, dict[str, frozenset[str]]]]:
    """Literal substring search, ignoring case and accents; question hits first.
    Each hit is a position, with the fields' words that the query's words are."""
    needle = fold(query).strip()
    qwords = frozenset(words(query))
    hits = []
    for pos, e in enumerate(entries):
        if fields := literally(e, needle):
            found = dict(zip(FIELDS, field_words(e), strict=True))
            marked = {f: frozenset(found[f] & qwords) for f in fields}
            hits.append(((FIELDS.index(fields[0]), len(e.question), pos), (pos, marked)))
    hits.sort(key=lambda pair: pair[0])
    return [hit for _, hit in hits[:limit]]


def literally(entry: Document, needle: str) -> list[str]:
    """The fields of `entry` that hold `needle` (folded) as written."""
    texts = ([entry.question], entry.tags, entry.sources, [entry.answer])
    return [f for f, t in zip(FIELDS, texts, strict=True) if any(needle in fold(x) for x in t)]


def suggest(vocabulary: Vocabulary, qwords: Sequence[str]) -> str | None:
    """A "did you mean" query: each word the FAQ lacks replaced by the FAQ's word
    closest to it by the typo rules search uses (`word_matches`); None when no
    word has one. Stop words and words of one or two letters are left alone."""
    out, changed = [], False
    for q in qwords:
        best = None
        if q not in STOPWORDS and len(q) > 2 and not vocabulary.has(q):
            close = word_matches(vocabulary, q)
            best = min(close, key=lambda w: (-close[w], len(w), w), default=None)
        out.append(best or q)
        changed = changed or best is not None
    return " ".join(out) if changed else None


def as_document(item: Entry | Summary) -> Document:
    """An entry, or the summary, as search indexes, ranks and shows it."""
    if isinstance(item, Entry):
        return Document(*item)
    return Document(None, item.headline, item.text, (item.source,) if item.source else ())


def meaning_texts(e: Document) -> tuple[str, str]:
    """What an entry's meaning is made of: its question with its tags, and its
    answer. A question says what the entry is about; the answer says more, but
    also much else, so an entry's vector is the mean of the question's and the
    whole entry's."""
    return " ".join([e.question, *e.tags]), e.answer


def whole_text(e: Document) -> str:
    """An entry's question, tags and answer, as one text for the sentence model."""
    return " ".join([e.question, *e.tags, e.answer])


def context_texts(e: Document) -> tuple[str, str]:
    """What the sentence model reads of an entry: its question with its tags,
    and its whole text. The entry's vector is the mean of the two: the question
    says what it is about, and the answer (its start) how it is put."""
    return " ".join([e.question, *e.tags]), whole_text(e)
