"""Pure ranking: a FAQ index and a query in, ranked hits out. No I/O, no Rich.

Each query word is matched word by word against the FAQ's vocabulary (exact,
same stem, prefix, or a typo allowance that grows with word length), then each
candidate entry is scored by the best match of every query word in its fields.
The vocabulary is anything with the four look-ups of `Vocabulary`; `store`
answers them from its SQLite index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from itertools import compress, pairwise
from typing import TYPE_CHECKING, NamedTuple

from faq_cli.model import Entry, Summary
from faq_cli.text import STOPWORDS, fold, stem, words

FIELDS = ("question", "tags", "sources", "answer")
# Question and tags say what an entry is about; the answer mentions much else.
FIELD_WEIGHT = {"question": 1.0, "tags": 1.0, "sources": 0.85, "answer": 0.7}
STOPWORD_WEIGHT = 0.2
# Without a meaning model, an entry is shown only when the query's informative
# (non-stop) words match it this well on average, each counting its closeness
# (exact 1, a typo 0.65-0.8): half of a two-word query found exactly is enough.
MIN_COVERAGE = 0.5
# A match this close is the query word itself as far as the FAQ can tell: the
# word, its family, a prefix of it, or a slip of the keys. Below it: the typo
# neighbours of a word of the language, which the user probably meant as written.
SURE = 0.6
# Closeness of a typo match, by edits; times DOUBT when the query word is itself
# a word of the language that the FAQ lacks ("shirt" is not a slip for "short").
TYPO = {1: 0.8, 2: 0.65}
DOUBT = 0.6
# An informative word in more than this share of a FAQ's entries says nothing
# about which one a question means (as "debian" in the Debian FAQ).
COMMON = 0.5
MAX_QUERY_WORDS = 32
# Each word's postings come in three tiers, by the best field an entry has it in:
# question or tags, else sources, else answer. A query word's closeness to an
# entry is its best match's closeness times that tier's weight.
TIERS = (FIELD_WEIGHT["question"], FIELD_WEIGHT["sources"], FIELD_WEIGHT["answer"])


class Ranked(NamedTuple):
    pos: int
    score: int  # 0-100
    by_words: bool  # False: found by meaning alone


class Hit(NamedTuple):
    entry: Entry | Summary  # the summary is searched too
    score: int  # 0-100
    matched: dict[str, frozenset[str]]  # field -> the entry's words that matched


if TYPE_CHECKING:  # a Protocol class costs start-up time; only mypy needs it
    from typing import Protocol

    from pyroaring import BitMap

    class Vocabulary(Protocol):
        def has(self, word: str) -> bool: ...
        def with_stem(self, word_stem: str) -> Iterable[str]: ...
        def with_prefix(self, prefix: str) -> Iterable[str]: ...
        def typo_candidates(self, word: str, edits: int) -> Sequence[str]:
            """Words with the same first letter and a length within `edits`."""
            ...


# A word's positions, in each of TIERS: question or tags; sources; answer.
Postings = Callable[[str], "tuple[BitMap, BitMap, BitMap]"]


def field_words(
    entry: Entry, distinct: Callable[[str], AbstractSet[str]] | None = None
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


class Lexical(NamedTuple):
    """How one entry matches the query's words."""

    score: float  # 0-100: every query word's best closeness, field-weighted and averaged
    coverage: float  # 0-1: the informative words' best closeness, averaged
    found: float  # 0-1: the share of informative words found at all
    covered: float  # weight of the query words found at all
    vouched: bool  # the words alone make it a result (see `vouches`)


def vouches(found_all_surely: bool, keywords: bool, beyond_answer: bool, specific: bool) -> bool:
    """Whether the query's words alone make an entry a result, whatever its
    meaning: every informative word is in it, surely (`SURE`); and the query
    is bare keywords, searched as grep would, or a question of which some
    informative word is surely in the entry's question, tags or sources and
    some is `specific` (not `COMMON`). A question's words found only in an
    answer may be used there in another sense ("how to tie a tie", a toy's
    bow tie): there the meaning decides."""
    return found_all_surely and (keywords or (beyond_answer and specific))


Group = tuple[Lexical, "BitMap"]  # the entries that match the query's words alike


def lexical(
    postings: Postings, qwords: Sequence[str], matches: dict[str, dict[str, float]], rows: int
) -> list[Group]:
    """Word-level scores of every entry that matches an informative query word,
    of the `rows` entries a FAQ has (with its summary), computed from the
    words' postings alone, as groups of entries that score alike. An entry's
    score depends only on how closely, and in which tier, each query word
    matches it, a handful of classes per word; so entries are sorted into
    classes with bitmap operations, never one by one in Python."""
    from pyroaring import BitMap

    info = informative(qwords)
    if not info:
        return []
    weight = {q: (STOPWORD_WEIGHT if q in STOPWORDS else 1.0) for q in qwords}
    total = sum(weight.values())
    beyond = BitMap()  # an informative word surely in the question, tags or sources
    per_word = {}
    tiers: dict[str, tuple[BitMap, ...]]
    for q in info:
        tiers = {w: postings(w) for w in matches[q]}
        for w, (head, source, _) in tiers.items():
            if matches[q][w] >= SURE:
                beyond |= head
                beyond |= source
        per_word[q] = _classes(tiers, matches[q])
    candidates = BitMap().union(*(seen for _, seen in per_word.values()))
    keywords = len(info) == len(qwords)
    specific = any(len(per_word[q][1]) <= COMMON * rows for q in info)
    for q in qwords:  # stop words: only where they meet the candidates
        if q in STOPWORDS:
            tiers = {w: tuple(candidates & p for p in postings(w)) for w in matches[q]}
            per_word[q] = _classes(tiers, matches[q])
    groups: list[tuple[tuple[tuple[float, float] | None, ...], BitMap]] = [((), candidates)]
    for classes, seen in map(per_word.__getitem__, qwords):
        refined = []
        for key, members in groups:
            inside = members & seen
            if rest := members - inside:
                refined.append(((*key, None), rest))
            for cls, positions in classes:  # they divide `seen` between them
                if not inside:
                    break
                if both := inside & positions:
                    refined.append(((*key, cls), both))
                    inside -= both
        groups = refined
    out = []
    for key, members in groups:
        covered = closeness = coverage = hits = sure = 0.0
        for q, how in zip(qwords, key, strict=True):
            if how:
                value, sim = how
                covered += weight[q]
                closeness += weight[q] * value
                if q not in STOPWORDS:
                    coverage += sim
                    hits += 1
                    sure += sim >= SURE
        score = 100 * closeness / total
        lex = Lexical(score, coverage / len(info), hits / len(info), covered, False)
        found_all_surely = sure == len(info)
        for part, flag in ((members & beyond, True), (members - beyond, False)):
            if part:
                out.append((lex._replace(vouched=vouches(found_all_surely, keywords, flag, specific)), part))
    return out


def _classes(
    tiers: Mapping[str, tuple[BitMap, ...]], matches: dict[str, float]
) -> tuple[list[tuple[tuple[float, float], BitMap]], BitMap]:
    """One query word's classes of entries, by (its best closeness times the
    tier's weight, its best closeness), and every entry it matches."""
    from pyroaring import BitMap

    by_value: list[tuple[float, BitMap]] = []
    seen = BitMap()
    segments = [
        (sim * tier, p) for w, sim in matches.items() for p, tier in zip(tiers[w], TIERS, strict=True)
    ]
    for value, positions in sorted(segments, key=lambda seg: -seg[0]):  # best first: each entry's best
        if new := positions - seen:
            seen |= new
            by_value.append((value, new))
    by_sim: list[tuple[float, BitMap]] = []
    seen_sim = BitMap()
    for w, sim in sorted(matches.items(), key=lambda pair: -pair[1]):
        if new := BitMap().union(*tiers[w]) - seen_sim:
            seen_sim |= new
            by_sim.append((sim, new))
    classes = []
    for value, valued in by_value:
        for sim, close in by_sim:  # they divide `seen` between them
            if both := valued & close:
                classes.append(((value, sim), both))
                valued -= both
                if not valued:
                    break
    return classes, seen


def matched(
    entry: Entry, qwords: Sequence[str], matches: dict[str, dict[str, float]]
) -> dict[str, frozenset[str]]:
    """Field -> the entry's words that matched an informative query word: what
    the output highlights."""
    wanted = {w for q in informative(qwords) for w in matches[q]}
    found = {f: frozenset(words & wanted) for f, words in zip(FIELDS, field_words(entry), strict=True)}
    return {f: found[f] for f in FIELDS if found[f]}


# Entries ranked past the limit that may still tie with the last one shown,
# for `in_order` to choose among.
TIE_ROOM = 5


def in_order(
    ranked: Sequence[Ranked],
    questions: Mapping[int, str],
    sequence: Sequence[str],
    matches: dict[str, dict[str, float]],
    limit: int,
) -> list[Ranked]:
    """The first `limit` of `ranked`, where entries of equal score come in
    order of how many pairs of the query's words (`sequence`, as typed) their
    question has side by side, in the query's order: "convert a string to a
    number" before "convert a number to a string"."""
    pairs = list(pairwise(sequence))

    def in_a_row(pos: int) -> int:
        said = [{q for q in matches if w in matches[q]} for w in words(questions[pos])]
        found = {(a, b) for here, after in pairwise(said) for a in here for b in after}
        return sum(pair in found for pair in pairs)

    order = {r.pos: i for i, r in enumerate(ranked)}
    return sorted(ranked, key=lambda r: (-r.score, -in_a_row(r.pos), order[r.pos]))[:limit]


class Meaning:
    """How close each entry's meaning is to the query's (cosine similarity).
    The entries in `near` were compared one by one; every other entry with a
    meaning is in one of the clusters of `far` and shares its cluster's mean
    similarity. `far` comes most similar first. `cluster_of` gives each
    entry's cluster by position, and `cluster_sims` each cluster's similarity:
    the few far members of a small group are looked up, not found by a walk.
    (A plain class: a NamedTuple costs a warm start 0.1 ms to define.)"""

    __slots__ = ("cluster_of", "cluster_sims", "far", "near")

    def __init__(
        self,
        near: dict[int, float],
        far: list[tuple[float, BitMap]],
        cluster_of: Sequence[int] = (),
        cluster_sims: Sequence[float] = (),
    ) -> None:
        self.near, self.far, self.cluster_of, self.cluster_sims = near, far, cluster_of, cluster_sims

    def everything(self) -> dict[int, float]:
        """Every entry's similarity, one by one: for tests and small FAQs."""
        return {**{p: sim for sim, cluster in self.far for p in cluster}, **self.near}


def rank(
    groups: list[Group],
    lengths: Sequence[int],
    limit: int,
    min_score: int,
    similar: Meaning | None = None,
    threshold: float = 1.0,
) -> list[Ranked]:
    """The best `limit` entries for the query, by its words (`lexical`) and,
    where `similar` says how close each entry's meaning is to the query's, by
    meaning too; only those it is really about. `lengths` gives each entry's
    question length. Entries matching more words come first among equals,
    then the shorter question, then file order.

    Within a group, an entry's score rises with its similarity, so only the
    group's `limit` most similar entries can be among the best; and groups
    are taken best words first, until none left can reach the best `limit`.
    Entries sharing a similarity (a cluster's) are taken a cluster at a time,
    most similar first, so a large group is never visited entry by entry."""
    import heapq

    from pyroaring import BitMap

    near = similar.near if similar else {}
    far = similar.far if similar else []
    near_set = BitMap(near)
    far_set = BitMap().union(*(cluster for _, cluster in far))
    with_meaning = near_set | far_set
    kept: list[tuple[tuple[float, float, int, int], Ranked]] = []

    def offer(lex: Lexical | None, pos: int, sim: float | None) -> None:
        score = fuse(lex, sim, threshold)
        if score is not None and round(score) >= min_score:
            key = (-score, -(lex.covered if lex else 0.0), lengths[pos], pos)
            kept.append((key, Ranked(pos, round(score), lex is not None)))

    def first(positions: Iterable[int]) -> list[int]:
        """The `limit` positions with the shortest questions, then in file order."""
        return heapq.nsmallest(limit, positions, key=lambda p: (lengths[p], p))

    def clip(sim: float) -> float:
        return max(0.0, min(1.0, sim))  # as scores use it

    def order(pair: tuple[int, float]) -> tuple[float, int, int]:
        pos, sim = pair
        return clip(sim), -lengths[pos], -pos

    def closest(members: BitMap) -> list[tuple[int, float]]:
        """The `limit` members with a meaning that rank first, each with its
        similarity: by similarity, then the shorter question, then file order."""
        pool = list(members & near_set) if near_set else []
        if len(pool) > limit:
            # Only members at least as similar as the limit-th can rank first;
            # finding them first keeps the slow sort key off a big group.
            sims = list(map(near.__getitem__, pool))
            floor = clip(heapq.nlargest(limit, sims)[-1])
            pool = list(compress(pool, map(floor.__le__, sims))) if floor > 0 else pool
        best = heapq.nlargest(limit, ((p, near[p]) for p in pool), key=order) if pool else []
        rest = members & far_set if far_set else far_set
        if similar and similar.cluster_of and len(rest) < len(far):  # fewer members than clusters
            found = map(similar.cluster_sims.__getitem__, map(similar.cluster_of.__getitem__, rest))
            return heapq.nlargest(limit, best + list(zip(rest, found, strict=True)), key=order)
        for sim, cluster in far:
            if not rest or (len(best) == limit and clip(best[-1][1]) > clip(sim)):
                break  # no member left can rank first
            if part := rest & cluster:
                rest -= part
                best = heapq.nlargest(limit, best + [(p, sim) for p in first(part)], key=order)
        return best

    # No entry is more similar than the most similar one; an entry without a
    # meaning scores by its words alone.
    most = clip(max(max(near.values(), default=-1.0), far[0][0] if far else -1.0))
    some_without = any(members - with_meaning for _, members in groups)
    for lex, members in sorted(groups, key=lambda g: -g[0].score):
        best_possible = max(lex.score / 2 + 50 * most, lex.score if some_without or not similar else 0.0)
        if len(kept) >= limit and best_possible < -kept[limit - 1][0][0]:
            break
        for pos, sim in closest(members):
            offer(lex, pos, sim)
        if without := members - with_meaning:
            for pos in first(without):
                offer(lex, pos, None)
        kept.sort(key=lambda pair: pair[0])
        del kept[limit:]
    # Entries found by meaning alone score at most 50.
    if similar and (len(kept) < limit or -kept[-1][0][0] <= 50):
        close_enough = BitMap(compress(near.keys(), map(threshold.__le__, near.values())))
        close_enough |= BitMap().union(*(cluster for sim, cluster in far if sim >= threshold))
        for _, members in groups:
            close_enough -= members
        for pos, sim in closest(close_enough):
            offer(None, pos, sim)
        kept.sort(key=lambda pair: pair[0])
    return [ranked for _, ranked in kept[:limit]]


# How far below the FAQ's threshold a similarity may be when the query's words
# back it up but do not vouch for the entry: WORD_SLACK in proportion to how
# closely they match, FOUND_SLACK when every informative word is there.
WORD_SLACK = 0.1
FOUND_SLACK = 0.3


def fuse(lex: Lexical | None, sim: float | None, threshold: float) -> float | None:
    """One entry's score, 0-100, or None when the query is not about it. `sim`
    is the cosine similarity of meanings, None when there is no model."""
    words = lex is not None and lex.coverage >= MIN_COVERAGE
    if sim is None:  # words alone, as they always did
        return lex.score if lex and words else None
    word_score = lex.score if lex else 0.0
    if lex and lex.vouched:
        slack = 2.0  # any cosine passes: names and rare terms, whose vectors say little
    elif lex and words and lex.found == 1:
        slack = FOUND_SLACK
    else:
        slack = WORD_SLACK * (lex.coverage if lex else 0.0)
    if sim < threshold - slack:
        return None
    # Half words, half meaning: either alone ranked worse on the evaluation sets.
    return word_score / 2 + 50 * max(0.0, min(1.0, sim))


# With the sentence model, an entry's score is (1 - w) x its words' score +
# 100 w x its similarity, w the meaning's weight: CONTEXT_WEIGHT when some
# informative word of the query is not in the entry, for there the model says
# more than the words can; ALL_FOUND_WEIGHT when every one is, and the words
# have said much already.
CONTEXT_WEIGHT = 0.7
ALL_FOUND_WEIGHT = 0.4


def fuse_context(lex: Lexical | None, sim: float, threshold: float, static: bool) -> float | None:
    """One entry's score, 0-100, by its words and the sentence model's cosine
    similarity `sim`, or None when the query is not about it. It is about it
    when the words vouch for it, when the model puts it at `threshold` or
    closer, or when the static vectors and the words (`fuse`) say so: `static`."""
    if not (sim >= threshold or static or (lex and lex.vouched)):
        return None
    weight = ALL_FOUND_WEIGHT if lex and lex.found == 1 else CONTEXT_WEIGHT
    return (1 - weight) * (lex.score if lex else 0.0) + 100 * weight * max(0.0, min(1.0, sim))


def rank_every(
    groups: list[Group],
    lengths: Sequence[int],
    limit: int,
    min_score: int,
    score: Callable[[Lexical | None, int], float | None],
) -> list[Ranked]:
    """The best `limit` of all the entries, each scored by `score` (its words'
    match, its position), in the order `rank` uses: for a FAQ small enough to
    score every entry, as the sentence model's is."""
    import heapq

    by_pos = {pos: lex for lex, members in groups for pos in members}
    kept = []
    for pos in range(len(lengths)):
        lex = by_pos.get(pos)
        value = score(lex, pos)
        if value is not None and round(value) >= min_score:
            key = (-value, -(lex.covered if lex else 0.0), lengths[pos], pos)
            kept.append((key, Ranked(pos, round(value), lex is not None)))
    return [ranked for _, ranked in heapq.nsmallest(limit, kept)]


def confident(postings: Postings, qwords: Sequence[str], matches: dict[str, dict[str, float]]) -> bool:
    """Whether the query's words answer it alone: some entry has every
    informative word surely in its question, tags or sources (names, codes,
    keywords). Such a query needs no sentence model."""
    from pyroaring import BitMap

    common: BitMap | None = None
    for q in informative(qwords):
        heads = BitMap()
        for w, sim in matches[q].items():
            if sim >= SURE:
                head, source, _ = postings(w)
                heads |= head | source
        common = heads if common is None else common & heads
        if not common:
            return False
    return common is not None


def exact(entries: Iterable[Entry], query: str, limit: int) -> list[tuple[int, dict[str, frozenset[str]]]]:
    """Literal substring search, ignoring case and accents; question hits first.
    Each hit is a position, with the fields' words that the query's words are."""
    needle = fold(query).strip()
    qwords = frozenset(words(query))
    hits = []
    for pos, e in enumerate(entries):
        if fields := literally(e, needle):
            found = dict(zip(FIELDS, field_words(e), strict=True))
            matched = {f: frozenset(found[f] & qwords) for f in fields}
            hits.append(((FIELDS.index(fields[0]), len(e.question), pos), (pos, matched)))
    hits.sort(key=lambda pair: pair[0])
    return [hit for _, hit in hits[:limit]]


def literally(entry: Entry, needle: str) -> list[str]:
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


def as_entry(item: Entry | Summary) -> Entry:
    """The summary in the shape of an entry with no id (headline as question,
    text as answer), as it is indexed, searched and shown among results."""
    if isinstance(item, Entry):
        return item
    return Entry(None, item.headline, item.text, (item.source,) if item.source else ())  # type: ignore[arg-type]


def meaning_texts(e: Entry) -> tuple[str, str]:
    """What an entry's meaning is made of: its question with its tags, and its
    answer. A question says what the entry is about; the answer says more, but
    also much else, so an entry's vector is the mean of the question's and the
    whole entry's."""
    return " ".join([e.question, *e.tags]), e.answer


def whole_text(e: Entry) -> str:
    """An entry's question, tags and answer, as one text for the sentence model."""
    return " ".join([e.question, *e.tags, e.answer])


def context_texts(e: Entry) -> tuple[str, str]:
    """What the sentence model reads of an entry: its question with its tags,
    and its whole text. The entry's vector is the mean of the two: the question
    says what it is about, and the answer (its start) how it is put."""
    return " ".join([e.question, *e.tags]), whole_text(e)
