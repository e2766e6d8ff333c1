"""Compare our search with plain RapidFuzz scorers on the evaluation sets.

    python benchmarks/search_quality.py

Prints, per FAQ and method: top-1 accuracy, MRR@5, unrelated queries rejected
and the median in-process time per query. The baselines keep a result when
its score reaches CUTOFF (a common choice); ours uses its own threshold.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "eval"))
from evaluate import SETS, Ranker, cases, evaluate, ours, store

from faq_cli.load import load_path
from faq_cli.model import Faq
from faq_cli.store import Store, build

CUTOFF = 60


def baseline(name: str, scorer: object, field: str) -> Ranker:
    entries = load_path(SETS[name][0]).entries
    ids = [e.id for e in entries]
    texts = [
        e.question if field == "question" else " ".join([e.question, *e.tags, *e.sources, e.answer])
        for e in entries
    ]

    def rank(query: str) -> list[int]:
        found = process.extract(
            query, texts, scorer=scorer, processor=utils.default_process, limit=5, score_cutoff=CUTOFF
        )
        return [ids[i] for _, _, i in found]

    return rank


def median_ms(rank: Ranker, queries: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        for q in queries:
            start = time.perf_counter()
            rank(q)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    print(f"{'FAQ':<12} {'method':<34} {'top-1':>7} {'MRR@5':>6} {'rejected':>9} {'ms/query':>9}")
    for name in ("partnership", "debian"):
        queries = [q for _, q in cases(name)]
        methods = {
            "faq search": ours(store(name)),
            "WRatio, question": baseline(name, fuzz.WRatio, "question"),
            "partial_ratio, all text": baseline(name, fuzz.partial_ratio, "all"),
            "token_set_ratio, all text": baseline(name, fuzz.token_set_ratio, "all"),
        }
        for label, rank in methods.items():
            r = evaluate(name, rank)
            print(
                f"{name:<12} {label:<34} {r.accuracy:>7.1%} {r.mrr:>6.3f} "
                f"{r.rejected:>4}/{r.unrelated:<4} {median_ms(rank, queries):>9.2f}"
            )
    # Time on a 200-entry FAQ: the Debian FAQ's 120 entries and 80 of them again.
    entries = load_path(SETS["debian"][0]).entries
    more = [e._replace(id=e.id + 1000) for e in entries[:80]]
    big = Store(build(Faq((*entries, *more)), {}))
    queries = [q for _, q in cases("debian")]
    ms = median_ms(lambda q: [h.entry.id for h in big.search(q)], queries)
    print(f"\n200-entry FAQ: median {ms:.2f} ms per query ({len(queries)} queries x 5)")


if __name__ == "__main__":
    main()
