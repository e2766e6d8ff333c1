"""Pure ranking: a query's word matches (`match`) and meaning similarities
in, ranked entries out. No I/O, no Rich.

Each candidate entry is scored by the best match of every query word in its
fields, read from the words' postings alone; then fused with how close its
meaning is to the query's, and kept only when the query is about it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress, pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

from faq_cli.match import SURE, informative
from faq_cli.model import Entry, Summary
from faq_cli.text import STOPWORDS, words

# Question and tags say what an entry is about; the answer mentions much else.
FIELD_WEIGHT = {"question": 1.0, "tags": 1.0, "sources": 0.85, "answer": 0.7}
STOPWORD_WEIGHT = 0.2
# Without a meaning model, an entry is shown only when the query's informative
# (non-stop) words match it this well on average, each counting its closeness
# (exact 1, a typo 0.65-0.8): half of a two-word query found exactly is enough.
MIN_COVERAGE = 0.5
# An informative word in more than this share of a FAQ's entries says nothing
# about which one a question means (as "debian" in the Debian FAQ).
COMMON = 0.5
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


if TYPE_CHECKING:
    from pyroaring import BitMap

    from faq_cli.meaning import Meaning


# A word's positions, in each of TIERS: question or tags; sources; answer.
Postings = Callable[[str], "tuple[BitMap, BitMap, BitMap]"]


class Lexical(NamedTuple):
    """How one entry matches the query's words."""

    score: float  # 0-100: every query word's best closeness, field-weighted and averaged
    coverage: float  # 0-1: the informative words' best closeness, averaged
    found: float  # 0-1: the share of informative words found at all
    covered: float  # weight of the query words found at all
    vouched: bool  # the words alone make it a result (see `vouches`)
    evidence: float = 0.0  # 0-1: how much, and how specific, of the query it holds (`evidence`)


def vouches(found_all_surely: bool, keywords: bool, beyond_answer: bool, specific: bool) -> bool:
    """Whether the query's words alone make an entry a result, whatever its
    meaning: every informative word is in it, surely (`SURE`); and the query
    is bare keywords, searched as grep would, or a question of which some
    informative word is surely in the entry's question, tags or sources and
    some is `specific` (not `COMMON`). A question's words found only in an
    answer may be used there in another sense (an answer's passing example
    shares words with questions about something else): there the meaning
    decides."""
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
    beyond = BitMap()  # an informative word surely in the question, tags or sources
    per_word = {}
    found: dict[str, tuple[BitMap, ...]]
    for q in info:
        found = {w: postings(w) for w in matches[q]}
        for w, (head, source, _) in found.items():
            if matches[q][w] >= SURE:
                beyond |= head | source
        per_word[q] = _classes(found, matches[q])
    candidates = BitMap().union(*(seen for _, seen in per_word.values()))
    for q in qwords:  # stop words: only where they meet the candidates
        if q in STOPWORDS:
            found = {w: tuple(candidates & p for p in postings(w)) for w in matches[q]}
            per_word[q] = _classes(found, matches[q])
    specific = any(len(per_word[q][1]) <= COMMON * rows for q in info)
    rarity = {q: idf(len(per_word[q][1]), rows) for q in info}
    out = []
    for key, members in _groups(candidates, [per_word[q] for q in qwords]):
        lex = _scored(qwords, key, rarity, rows)
        for part, flag in ((members & beyond, True), (members - beyond, False)):
            if part:
                vouched = vouches(lex.vouched, len(info) == len(qwords), flag, specific)
                out.append((lex._replace(vouched=vouched), part))
    return out


Key = tuple[tuple[float, float] | None, ...]  # each query word's (value, closeness) in an entry, or None


def _groups(
    candidates: BitMap, per_word: list[tuple[list[tuple[tuple[float, float], BitMap]], BitMap]]
) -> list[tuple[Key, BitMap]]:
    """The candidates, split by how each query word matches them (its class,
    or None where it does not)."""
    groups: list[tuple[Key, BitMap]] = [((), candidates)]
    for classes, seen in per_word:
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
    return groups


def idf(entries: int, rows: int) -> float:
    """How much a query word found in `entries` of a FAQ's `rows` says about
    which entry is meant: its inverse document frequency. A word in every
    entry says nothing; a word in none, as much as a word can."""
    return math.log((rows + 1) / (entries + 1))


def evidence(held: float, total: float, rows: int) -> float:
    """The strength of an entry's word evidence, 0-1, from the `held` part of
    the query's informative words' idf `total` that the entry holds (each
    word's idf times its closeness and its field's weight): the share of the
    query it holds, times how specific that is, where one word found in a
    single entry of the FAQ is nearly all that words can say. Words that many
    entries share hold little, however many of them match."""
    if not total:
        return 0.0
    return held / total * min(1.0, held / math.log(rows + 1))


def _scored(qwords: Sequence[str], key: Key, rarity: Mapping[str, float], rows: int) -> Lexical:
    """The word-level score of the entries that match the query words as `key`
    says; `vouched` here is whether every informative word is there surely."""
    weight = {q: (STOPWORD_WEIGHT if q in STOPWORDS else 1.0) for q in qwords}
    info = informative(qwords)
    covered = closeness = coverage = hits = sure = held = 0.0
    for q, how in zip(qwords, key, strict=True):
        if how:
            value, sim = how
            covered += weight[q]
            closeness += weight[q] * value
            if q not in STOPWORDS:
                coverage += sim
                hits += 1
                sure += sim >= SURE
                held += rarity[q] * value
    score = 100 * closeness / sum(weight.values())
    strength = evidence(held, sum(rarity.values()), rows)
    return Lexical(score, coverage / len(info), hits / len(info), covered, sure == len(info), strength)


def _classes(
    found: Mapping[str, tuple[BitMap, ...]], matches: dict[str, float]
) -> tuple[list[tuple[tuple[float, float], BitMap]], BitMap]:
    """One query word's classes of entries, by (its best closeness times the
    tier's weight, its best closeness), and every entry it matches."""
    from pyroaring import BitMap

    by_value: list[tuple[float, BitMap]] = []
    seen = BitMap()
    segments = [
        (sim * tier, p) for w, sim in matches.items() for p, tier in zip(found[w], TIERS, strict=True)
    ]
    for value, positions in sorted(segments, key=lambda seg: -seg[0]):  # best first: each entry's best
        if new := positions - seen:
            seen |= new
            by_value.append((value, new))
    by_sim: list[tuple[float, BitMap]] = []
    seen_sim = BitMap()
    for w, sim in sorted(matches.items(), key=lambda pair: -pair[1]):
        if new := BitMap().union(*found[w]) - seen_sim:
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
    question has side by side, in the query's order: of two questions with the
    same words, the one that says them in the order the query does, since word
    order carries meaning (which of two things becomes the other)."""
    pairs = list(pairwise(sequence))

    def in_a_row(pos: int) -> int:
        said = [{q for q in matches if w in matches[q]} for w in words(questions[pos])]
        found = {(a, b) for here, after in pairwise(said) for a in here for b in after}
        return sum(pair in found for pair in pairs)

    order = {r.pos: i for i, r in enumerate(ranked)}
    return sorted(ranked, key=lambda r: (-r.score, -in_a_row(r.pos), order[r.pos]))[:limit]


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
    ranking = _Ranking(lengths, limit, min_score, similar, threshold)
    ranking.by_words(groups)
    ranking.by_meaning_alone(groups)
    return ranking.best()


def _clip(sim: float) -> float:
    return max(0.0, min(1.0, sim))  # as scores use it


class _Ranking:
    """The entries kept so far, best first, at most `limit` of them at a time."""

    def __init__(
        self, lengths: Sequence[int], limit: int, min_score: int, similar: Meaning | None, threshold: float
    ) -> None:
        from pyroaring import BitMap

        self.lengths, self.limit, self.min_score = lengths, limit, min_score
        self.similar, self.threshold = similar, threshold
        self.near = similar.near if similar else {}
        self.far = similar.far if similar else []
        self.near_set = BitMap(self.near)
        self.far_set = BitMap().union(*(cluster for _, cluster in self.far))
        self.kept: list[tuple[tuple[float, float, int, int], Ranked]] = []

    def by_words(self, groups: list[Group]) -> None:
        """The entries the query's words match, best group first, until no group
        left can reach the best `limit`."""
        with_meaning = self.near_set | self.far_set
        # No entry is more similar than the most similar one; an entry without a
        # meaning scores by its words alone.
        most = _clip(max(max(self.near.values(), default=-1.0), self.far[0][0] if self.far else -1.0))
        some_without = any(members - with_meaning for _, members in groups)
        for lex, members in sorted(groups, key=lambda g: -g[0].score):
            best_possible = max(
                lex.score / 2 + 50 * most, lex.score if some_without or not self.similar else 0.0
            )
            if len(self.kept) >= self.limit and best_possible < self._floor():
                break
            for pos, sim in self._closest(members):
                self._offer(lex, pos, sim)
            if without := members - with_meaning:
                for pos in self._first(without):
                    self._offer(lex, pos, None)
            self._trim()

    def by_meaning_alone(self, groups: list[Group]) -> None:
        """The entries close enough in meaning that no word matches: at most 50
        points, looked at only when they still could make the list."""
        from pyroaring import BitMap

        if not self.similar or (len(self.kept) >= self.limit and self._floor() > 50):
            return
        near, threshold = self.near, self.threshold
        close_enough = BitMap(compress(near.keys(), map(threshold.__le__, near.values())))
        close_enough |= BitMap().union(*(cluster for sim, cluster in self.far if sim >= threshold))
        for _, members in groups:
            close_enough -= members
        for pos, sim in self._closest(close_enough):
            self._offer(None, pos, sim)
        self._trim()

    def best(self) -> list[Ranked]:
        return [ranked for _, ranked in self.kept[: self.limit]]

    def _floor(self) -> float:
        """The score of the last entry kept."""
        return -self.kept[-1][0][0]

    def _trim(self) -> None:
        self.kept.sort(key=lambda pair: pair[0])
        del self.kept[self.limit :]

    def _offer(self, lex: Lexical | None, pos: int, sim: float | None) -> None:
        score = fuse(lex, sim, self.threshold)
        if score is not None and round(score) >= self.min_score:
            key = (-score, -(lex.covered if lex else 0.0), self.lengths[pos], pos)
            self.kept.append((key, Ranked(pos, round(score), lex is not None)))

    def _first(self, positions: Iterable[int]) -> list[int]:
        """The `limit` positions with the shortest questions, then in file order."""
        import heapq

        return heapq.nsmallest(self.limit, positions, key=lambda p: (self.lengths[p], p))

    def _order(self, pair: tuple[int, float]) -> tuple[float, int, int]:
        pos, sim = pair
        return _clip(sim), -self.lengths[pos], -pos

    def _closest(self, members: BitMap) -> list[tuple[int, float]]:
        """The `limit` members with a meaning that rank first, each with its
        similarity: by similarity, then the shorter question, then file order."""
        import heapq

        near, limit, similar = self.near, self.limit, self.similar
        pool = list(members & self.near_set) if self.near_set else []
        if len(pool) > limit:
            # Only members at least as similar as the limit-th can rank first;
            # finding them first keeps the slow sort key off a big group.
            sims = list(map(near.__getitem__, pool))
            floor = _clip(heapq.nlargest(limit, sims)[-1])
            pool = list(compress(pool, map(floor.__le__, sims))) if floor > 0 else pool
        best = heapq.nlargest(limit, ((p, near[p]) for p in pool), key=self._order) if pool else []
        rest = members & self.far_set if self.far_set else self.far_set
        if similar and similar.cluster_of and len(rest) < len(self.far):  # fewer members than clusters
            found = map(similar.cluster_sims.__getitem__, map(similar.cluster_of.__getitem__, rest))
            return heapq.nlargest(limit, best + list(zip(rest, found, strict=True)), key=self._order)
        for sim, cluster in self.far:
            if not rest or (len(best) == limit and _clip(best[-1][1]) > _clip(sim)):
                break  # no member left can rank first
            if part := rest & cluster:
                rest -= part
                best = heapq.nlargest(limit, best + [(p, sim) for p in self._first(part)], key=self._order)
        return best


# How far below the FAQ's static threshold a similarity may be when the
# query's words back it up but do not vouch for the entry (`slack`).
WORD_SLACK = 0.1
FOUND_SLACK = 0.3


def slack(lex: Lexical | None) -> float:
    """How far below the static threshold an entry's similarity may be, given
    how its words match: any for words that vouch (names and rare terms, whose
    vectors say little), FOUND_SLACK when every informative word is there,
    else WORD_SLACK in proportion to how closely they match."""
    if lex and lex.vouched:
        return 2.0
    if lex and lex.coverage >= MIN_COVERAGE and lex.found == 1:
        return FOUND_SLACK
    return WORD_SLACK * (lex.coverage if lex else 0.0)


def fuse(lex: Lexical | None, sim: float | None, threshold: float) -> float | None:
    """One entry's score, 0-100, by its words and the static vectors, or None
    when the query is not about it. `sim` is the cosine similarity of
    meanings, None when there is no model."""
    if sim is None:  # no model: the words alone decide
        return lex.score if lex and lex.coverage >= MIN_COVERAGE else None
    if sim < threshold - slack(lex):
        return None
    # Half words, half meaning: either alone ranked worse on the evaluation sets.
    return (lex.score if lex else 0.0) / 2 + 50 * max(0.0, min(1.0, sim))


# With the sentence model, an entry's score is its cosine similarity plus
# EVIDENCE_WEIGHT times the strength of its word evidence (`evidence`), scaled
# to 0-100: words that say which entry is meant move it up by up to 0.4 of
# cosine; words that many entries share, hardly at all. Chosen on the
# development sets (docs/ranking.md), with the CSLS calibration of `meaning`.
EVIDENCE_WEIGHT = 0.4
# The sentence model alone makes an entry a result when it puts it past the
# entry's own bar (`meaning.local_calibration`) and the static vectors do not
# put it far below theirs, by more than STATIC_DOUBT: two models of meaning
# must not disagree widely for a guess to be shown.
STATIC_DOUBT = 0.2


def agreed(margins: Any, static_margins: Any, static_bar: float) -> Any:
    """Which entries the sentence model puts past their own bars (`margins`,
    how far past, at least 0) with the static vectors' consent: their static
    similarity, less the entry's static scale (`static_margins`), not more
    than STATIC_DOUBT below the FAQ's static bar. numpy arrays by position."""
    return (margins >= 0) & (static_margins >= static_bar - STATIC_DOUBT)


class Sentences(NamedTuple):
    """The sentence model's judgement of every entry, as numpy arrays by
    position: `sims`, the cosine similarity to the query; `close`, whether
    the model (with the static vectors' consent) puts it past its bar."""

    sims: Any
    close: Any


def rank_sentences(
    groups: list[Group],
    sentences: Sentences,
    static: Any,
    threshold: float,
    lengths: Sequence[int],
    limit: int,
    min_score: int,
) -> list[Ranked]:
    """The best `limit` entries by the sentence model and the words together:
    an entry is a result when its words vouch for it, when the model puts it
    close (`Sentences.close`), or when the static vectors and its words do
    (`fuse`; `static` holds every entry's static similarity, `threshold` the
    FAQ's static threshold). Its score is its similarity plus its words'
    evidence (EVIDENCE_WEIGHT). Ties as `rank`."""
    import numpy as np

    sims, close = sentences.sims, sentences.close
    scale = 100 / (1 + EVIDENCE_WEIGHT)
    kept: list[tuple[tuple[float, float, int, int], Ranked]] = []

    def offer(positions: Any, scores: Any, lex: Lexical | None) -> None:
        if len(positions) > limit:
            best = np.argpartition(-scores, limit - 1)[:limit]
            positions, scores = positions[best], scores[best]
        for pos, score in zip(positions.tolist(), scores.tolist(), strict=True):
            if round(score) >= min_score:
                key = (-score, -(lex.covered if lex else 0.0), lengths[pos], pos)
                kept.append((key, Ranked(pos, round(score), lex is not None)))

    by_words = np.zeros(len(sims), bool)
    for lex, members in groups:
        positions = np.frombuffer(members.to_array(), np.uint32).astype(np.intp)
        by_words[positions] = True
        if not lex.vouched:
            passes = close[positions] | (static[positions] >= threshold - slack(lex))
            positions = positions[passes]
        offer(positions, (sims[positions] + EVIDENCE_WEIGHT * lex.evidence) * scale, lex)
    alone = np.flatnonzero(close & ~by_words)
    offer(alone, sims[alone] * scale, None)
    return [ranked for _, ranked in sorted(kept)[:limit]]


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
