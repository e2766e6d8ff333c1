"""Search evaluation: top-1 accuracy, MRR@5 and rejections on the query sets.

    python tests/eval/evaluate.py            # the development sets
    python tests/eval/evaluate.py --heldout  # the first held-out sets (see README)
    python tests/eval/evaluate.py --heldout2 # the second held-out sets

Three FAQs: the shipped one, Debian's and Python's. Each has query sets:
- "words": queries sharing words with their entry (typos, accents, sources);
- "meaning": paraphrases, in a user's own words;
- "offtopic": everyday questions that every FAQ must answer with nothing.
A line's expected answer is an entry id, "summary" for the news summary, or
"-" for nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faq_cli.model import Entry
from faq_cli.store import Store, open_store

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
FAQS = {
    "partnership": ROOT / "data" / "faq.yaml",
    "debian": HERE / "debian-faq.yaml",
    "python": HERE / "python-faq.yaml",
}
Expected = int | str | None  # an id, "summary", or None for nothing


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
    path = set_file(corpus, kind, heldout)
    out: list[tuple[Expected, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines() if path else []:
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


def held_out(argv: list[str]) -> str:
    """The held-out set that the command line asks for, "" for none."""
    return next((a[2:] for a in argv if a in ("--heldout", "--heldout2")), "")


def main() -> None:
    heldout = held_out(sys.argv)
    for corpus in FAQS:
        rank = ours(store(corpus))
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


if __name__ == "__main__":
    main()
