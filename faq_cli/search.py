"""Pure ranking: a FAQ index and a query in, ranked hits out. No I/O, no Rich.

Each query word is matched word by word against the FAQ's vocabulary (exact,
same stem, prefix, or a typo allowance that grows with word length), then each
entry is scored by the best match of every query word in its fields.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from faq_cli.model import Entry
from faq_cli.text import STOPWORDS, fold, stem, words

FIELDS = ("question", "tags", "sources", "answer")
# Question and tags say what an entry is about; the answer mentions much else.
FIELD_WEIGHT = {"question": 1.0, "tags": 1.0, "sources": 0.85, "answer": 0.7}
STOPWORD_WEIGHT = 0.2
# An entry is shown only when the query's informative (non-stop) words match it
# this well on average, each counting its closeness (exact 1, a typo 0.65-0.8):
# "Costa Rca" passes on one exact word of two; "bake bread", whose only match
# is a typo ("bread" ~ "break"), does not.
MIN_COVERAGE = 0.5
MAX_QUERY_WORDS = 32


@dataclass(frozen=True, slots=True)
class Doc:
    """One entry as search sees it: the folded words of each field."""

    entry: Entry
    fields: dict[str, frozenset[str]]
    length: int  # of the question: a shorter question is more about what matched


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every word of a FAQ, arranged for the three kinds of word match."""

    words: tuple[str, ...]  # sorted, so a prefix's words are one slice
    stems: dict[str, tuple[str, ...]]  # stem -> words

    @classmethod
    def of(cls, words: Iterable[str]) -> Vocabulary:
        ordered = tuple(sorted(set(words)))
        stems: dict[str, list[str]] = defaultdict(list)
        for w in ordered:
            if len(w) >= 4:
                stems[stem(w)].append(w)
        return cls(ordered, {k: tuple(v) for k, v in stems.items()})

    def matches(self, query_word: str) -> dict[str, float]:
        """Words that match `query_word`, each with a closeness in (0, 1]."""
        q, words = query_word, self.words
        i = bisect_left(words, q)
        if q in STOPWORDS or len(q) <= 3:
            # Short and common words match whole words only ("GAO", "ICT").
            return {q: 1.0} if i < len(words) and words[i] == q else {}
        found: dict[str, float] = {}
        for w in self.stems.get(stem(q), ()):  # "installing" ~ "installation"
            found[w] = 0.9
        while i < len(words) and words[i].startswith(q):  # "semicond", "Cost"
            w = words[i]
            found[w] = 1.0 if w == q else 0.7 + 0.2 * len(q) / len(w)
            i += 1
        for w, dist, _ in process.extract(
            q, words, scorer=OSA.distance, score_cutoff=typo_allowance(q), limit=None
        ):
            # A typo rarely hits the first letter; requiring it keeps "banana"
            # from matching "canada".
            if w not in found and dist and w[0] == q[0] and len(w) > 3:
                found[w] = 0.8 if dist == 1 else 0.65
        return found


@dataclass(frozen=True, slots=True)
class Index:
    docs: tuple[Doc, ...]
    postings: dict[str, tuple[int, ...]]  # word -> positions in docs
    vocabulary: Vocabulary


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: int  # 0-100
    matched: dict[str, frozenset[str]]  # field -> the entry's words that matched


def doc(entry: Entry) -> Doc:
    """Tokenise one entry."""
    fields = {
        "question": frozenset(words(entry.question)),
        "tags": frozenset(w for t in entry.tags for w in words(t)),
        "sources": frozenset(w for s in entry.sources for w in words(s)),
        "answer": frozenset(words(entry.answer)),
    }
    return Doc(entry, fields, len(entry.question))


def build_index(entries: Iterable[Entry] | Iterable[Doc]) -> Index:
    """Tokenise entries (or take ready `Doc`s) and build the word postings."""
    docs = tuple(e if isinstance(e, Doc) else doc(e) for e in entries)
    postings: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        for w in set().union(*d.fields.values()):
            postings[w].append(i)
    return Index(docs, {w: tuple(p) for w, p in postings.items()}, Vocabulary.of(postings))


def typo_allowance(word: str) -> int:
    """Edits tolerated in a query word: none up to 4 letters ("GAO", "cake"),
    where one edit reaches too many unrelated words; one up to 8; then two."""
    n = len(word)
    return 0 if n <= 4 else 1 if n <= 8 else 2


def query_words(query: str) -> list[str]:
    """The distinct folded words of a query, in order, at most MAX_QUERY_WORDS."""
    return list(dict.fromkeys(words(query)))[:MAX_QUERY_WORDS]


def search(index: Index, query: str, limit: int = 5, min_score: int = 0) -> list[Hit]:
    """Rank entries for `query`: best first, only those it is really about."""
    qwords = query_words(query)
    informative = [w for w in qwords if w not in STOPWORDS]
    if not informative:
        return []
    matches = {q: index.vocabulary.matches(q) for q in qwords}
    weight = {q: (STOPWORD_WEIGHT if q in STOPWORDS else 1.0) for q in qwords}
    total = sum(weight.values())
    info_total = float(len(informative))

    candidates: set[int] = set()
    for q in informative:
        for w in matches[q]:
            candidates.update(index.postings[w])

    ranked = []
    for i in candidates:
        d = index.docs[i]
        covered = closeness = coverage = 0.0
        matched: dict[str, set[str]] = defaultdict(set)
        for q in qwords:
            best = best_sim = 0.0
            for w, sim in matches[q].items():
                for f in FIELDS:
                    if w in d.fields[f]:
                        if q not in STOPWORDS:  # "the" matching is no news
                            matched[f].add(w)
                        best = max(best, sim * FIELD_WEIGHT[f])
                        best_sim = max(best_sim, sim)
            if best:
                covered += weight[q]
                closeness += weight[q] * best
                if q not in STOPWORDS:
                    coverage += best_sim
        if coverage / info_total < MIN_COVERAGE:
            continue
        score = 100 * closeness / total
        if round(score) < min_score:
            continue
        hit = Hit(d.entry, round(score), {f: frozenset(matched[f]) for f in FIELDS if matched[f]})
        # Closeness counts every query word (an unmatched one adds nothing), so
        # entries matching more words come first; sorting on it keeps the
        # printed scores in order.
        ranked.append(((-score, -covered, d.length, i), hit))
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _, hit in ranked[:limit]]


def exact(index: Index, query: str, limit: int = 5) -> list[Hit]:
    """Literal substring search, ignoring case and accents; question hits first."""
    needle = fold(query).strip()
    qwords = frozenset(words(query))
    hits = []
    for d in index.docs:
        e = d.entry
        texts = {
            "question": [e.question],
            "tags": list(e.tags),
            "sources": list(e.sources),
            "answer": [e.answer],
        }
        fields = [f for f in FIELDS if any(needle in fold(t) for t in texts[f])]
        if fields:
            matched = {f: d.fields[f] & qwords for f in fields}
            hits.append(((FIELDS.index(fields[0]), d.length), Hit(e, 100, matched)))
    hits.sort(key=lambda pair: pair[0])
    return [hit for _, hit in hits[:limit]]


def suggest(index: Index, query: str) -> str | None:
    """A "did you mean" query: unmatched words replaced by close FAQ words."""
    vocabulary = [w for w in index.postings if len(w) > 2]
    out, changed = [], False
    for q in query_words(query):
        if q in STOPWORDS or q in index.postings:
            out.append(q)
            continue
        best = process.extractOne(q, vocabulary, score_cutoff=75)
        if best is not None:
            out.append(best[0])
            changed = True
        else:
            out.append(q)
    return " ".join(out) if changed else None
