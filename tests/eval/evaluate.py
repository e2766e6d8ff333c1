"""Search evaluation: top-1 accuracy, MRR@5 and rejections on the query sets.

    python tests/eval/evaluate.py            # the development sets
    python tests/eval/evaluate.py --heldout  # the first held-out sets (see README)
    python tests/eval/evaluate.py --heldout2 # the second held-out sets

Three FAQs: the shipped one, Debian's and Python's; and "merged", the three
in one file of 307 entries (ids kept apart by OFFSETS), where every query of
the three asks for its own entry among all of them. Each has query sets:
- "words": queries sharing words with their entry (typos, accents, sources);
- "meaning": paraphrases, in a user's own words;
- "offtopic": everyday questions that every FAQ must answer with nothing.
A line's expected answer is an entry id, "summary" for the news summary, or
"-" for nothing. And generated sets (`make_word_sets.py`), single words
taken from the FAQ: "answer" (a rare word found only in answers), "typo"
(a question word with one typo), "prefix" (a long question word's first 6
letters); right when the entry ranked first contains the word, or a word of
its family.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faq_cli.index import build
from faq_cli.load import load_path
from faq_cli.match import as_document
from faq_cli.model import Entry, Faq, Summary
from faq_cli.store import Store, open_store
from faq_cli.text import stem, words

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
FAQS = {
    "partnership": ROOT / "data" / "faq.yaml",
    "debian": HERE / "debian-faq.yaml",
    "python": HERE / "python-faq.yaml",
}
Expected = int | str | None  # an id, "summary", or None for nothing
# The merged FAQ's ids: each FAQ's own, plus its offset.
OFFSETS = {"partnership": 0, "debian": 1000, "python": 2000}


def merged() -> Faq:
    """The three FAQs as one, with the shipped FAQ's title and summary."""
    faqs = {corpus: load_path(FAQS[corpus]) for corpus in OFFSETS}
    entries = tuple(e._replace(id=e.id + OFFSETS[c]) for c, faq in faqs.items() for e in faq.entries)
    return Faq(entries, "Three FAQs in one", faqs["partnership"].summary)


def set_file(corpus: str, kind: str, heldout: str = "") -> Path | None:
    """The query file of one kind for one FAQ, or None when it has none;
    `heldout` names a held-out set ("heldout", "heldout2"), "" the development set."""
    tail = f"-{heldout}" if heldout else ""
    path = {
        "words": HERE / f"{corpus}.tsv",
        "meaning": HERE / "meaning" / f"{corpus}{tail}.tsv",
        "offtopic": HERE / "meaning" / f"offtopic{tail}.tsv",
    }[kind]
    if kind == "words" and heldout:
        return None
    return path if path.exists() else None


def cases(corpus: str, kind: str = "words", heldout: str = "") -> list[tuple[Expected, str]]:
    if corpus == "merged":
        if kind == "offtopic":
            return cases("partnership", kind, heldout)
        # An unrelated query of one FAQ may be about another: only those with an answer.
        return [
            (e if e == "summary" else e + OFFSETS[c], q)  # type: ignore[operator]
            for c in OFFSETS
            for e, q in cases(c, kind, heldout)
            if e is not None
        ]
    path = set_file(corpus, kind, heldout)
    lines = path.read_text(encoding="utf-8").splitlines() if path else []
    if kind == "offtopic" and not heldout:  # a third development set, written for issue #17
        lines += (HERE / "meaning" / "offtopic-more.tsv").read_text(encoding="utf-8").splitlines()
    out: list[tuple[Expected, str]] = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        if kind == "offtopic":
            out.append((None, line.strip()))
            continue
        expected, query = line.split("\t")[:2]
        out.append((None if expected == "-" else expected if expected == "summary" else int(expected), query))
    return out


def store(corpus: str) -> Store:
    """The FAQ as the command line reads it (built in memory, not cached)."""
    if corpus == "merged":
        return Store(build(merged(), {}))
    return open_store(FAQS[corpus], use_cache=False)


Ranker = Callable[[str], list[Expected]]


def ours(faq: Store) -> Ranker:
    return lambda query: [h.entry.id if isinstance(h.entry, Entry) else "summary" for h in faq.search(query)]


@dataclass
class Report:
    corpus: str
    kind: str
    queries: int = 0  # with an expected answer
    top1: int = 0
    reciprocal_ranks: float = 0.0
    unrelated: int = 0
    rejected: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.top1 / self.queries if self.queries else 1.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.queries if self.queries else 1.0


def evaluate(corpus: str, rank: Ranker, kind: str = "words", heldout: str = "") -> Report:
    r = Report(corpus, kind)
    for expected, query in cases(corpus, kind, heldout):
        ids = rank(query)[:5]
        if expected is None:
            r.unrelated += 1
            r.rejected += not ids
            if ids:
                r.misses.append(f"{query!r}: expected nothing, got {ids}")
            continue
        r.queries += 1
        if ids[:1] == [expected]:
            r.top1 += 1
        else:
            r.misses.append(f"{query!r}: expected {expected}, got {ids}")
        if expected in ids:
            r.reciprocal_ranks += 1 / (ids.index(expected) + 1)
    return r


GENERATED = ("answer", "typo", "prefix")


def generated(corpus: str, kind: str) -> list[tuple[str, str]]:
    """(query, the FAQ word it stands for) of one generated kind."""
    path = HERE / "generated" / f"{corpus}.tsv"
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    return [(query, word) for k, query, word in rows if k == kind]


def texts(corpus: str) -> dict[Expected, str]:
    """All of each entry's text (and the summary's, as "summary"), by id."""
    faq = load_path(FAQS[corpus])
    docs: list[Entry | Summary] = [*faq.entries, *([faq.summary] if faq.summary else [])]
    out: dict[Expected, str] = {}
    for d in docs:
        e = as_document(d)
        key: Expected = e.id if isinstance(d, Entry) else "summary"
        out[key] = " ".join([e.question, *e.tags, *e.sources, e.answer])
    return out


def evaluate_generated(corpus: str, rank: Ranker, kind: str) -> Report:
    """Top-1 on a generated set: the first entry contains the word or one of its family."""
    r = Report(corpus, kind)
    text = texts(corpus)
    for query, word in generated(corpus, kind):
        r.queries += 1
        first = rank(query)[:1]
        if first and any(w == word or stem(w) == stem(word) for w in words(text[first[0]])):
            r.top1 += 1
            r.reciprocal_ranks += 1
        else:
            r.misses.append(f"{query!r} ({word}): got {[text[i][:50] for i in first]}")
    return r


def near_misses(corpus: str, faq: Store, heldout: str = "") -> str:
    """How often a search that found nothing names a near miss: on off-topic
    questions (rarely, one hopes), and on paraphrases it failed to answer (and
    how often the entry meant is among those named)."""

    def named(query: str) -> list[Expected]:
        if faq.search(query):
            return []
        return [e.id if isinstance(e, Entry) else "summary" for e in faq.near_misses]

    off = [named(q) for _, q in cases(corpus, "offtopic", heldout)]
    missed = [(e, named(q)) for e, q in cases(corpus, "meaning", heldout) if not faq.search(q)]
    hinted = sum(bool(n) for _, n in missed)
    right = sum(e in n for e, n in missed)
    return (
        f"near misses named: off-topic {sum(map(bool, off))}/{len(off)}; "
        f"paraphrases found nothing for {hinted}/{len(missed)}, the right entry among them {right}"
    )


def held_out(argv: list[str]) -> str:
    """The held-out set that the command line asks for, "" for none."""
    return next((a[2:] for a in argv if a in ("--heldout", "--heldout2")), "")


def main() -> None:
    heldout = held_out(sys.argv)
    for corpus in [*FAQS, "merged"]:
        faq = store(corpus)
        rank = ours(faq)
        for kind in ("words", "meaning", "offtopic"):
            if not cases(corpus, kind, heldout):
                continue
            rep = evaluate(corpus, rank, kind, heldout)
            print(
                f"{corpus} {kind}: top-1 {rep.top1}/{rep.queries} = {rep.accuracy:.1%}, MRR@5 {rep.mrr:.3f}, "
                f"unrelated rejected {rep.rejected}/{rep.unrelated}"
            )
            for miss in rep.misses:
                print("  miss:", miss)
        print(f"{corpus} {near_misses(corpus, faq, heldout)}")
        if not heldout and corpus != "merged":
            for kind in GENERATED:
                rep = evaluate_generated(corpus, rank, kind)
                print(f"{corpus} generated {kind}: top-1 {rep.top1}/{rep.queries}")
                for miss in rep.misses:
                    print("  miss:", miss)


if __name__ == "__main__":
    main()
