"""Search evaluation: top-1 accuracy, MRR@5 and rejections on the query sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from faq_cli.store import Store, open_store

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SETS = {
    "partnership": (ROOT / "data" / "faq.yaml", HERE / "partnership.tsv"),
    "debian": (HERE / "debian-faq.yaml", HERE / "debian.tsv"),
}


@dataclass
class Report:
    name: str
    queries: int  # with an expected entry
    top1: int
    reciprocal_ranks: float
    unrelated: int
    rejected: int
    misses: list[str]

    @property
    def accuracy(self) -> float:
        return self.top1 / self.queries

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.queries


def cases(name: str) -> list[tuple[int | None, str]]:
    out = []
    for line in SETS[name][1].read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, query = line.split("\t")[:2]
            out.append((None if expected == "-" else int(expected), query))
    return out


def store(name: str) -> Store:
    """The FAQ as the command line reads it (built in memory, not cached)."""
    return open_store(SETS[name][0], use_cache=False)


Ranker = Callable[[str], list[int]]


def ours(faq: Store) -> Ranker:
    return lambda query: [h.entry.id for h in faq.search(query, limit=5)]


def evaluate(name: str, rank: Ranker) -> Report:
    r = Report(name, 0, 0, 0.0, 0, 0, [])
    for expected, query in cases(name):
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


if __name__ == "__main__":
    for set_name in SETS:
        rep = evaluate(set_name, ours(store(set_name)))
        print(
            f"{set_name}: top-1 {rep.top1}/{rep.queries} = {rep.accuracy:.1%}, MRR@5 {rep.mrr:.3f}, "
            f"unrelated rejected {rep.rejected}/{rep.unrelated}"
        )
        for miss in rep.misses:
            print("  miss:", miss)
