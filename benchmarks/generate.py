"""Write a large FAQ for benchmarks (standard library only).

    python benchmarks/generate.py 10000 /tmp/faq-10k.yaml          # word salad
    python benchmarks/generate.py 10000 /tmp/faq-10k.yaml --real   # Debian FAQ, repeated

Word salad: block-style YAML with words drawn, Zipf-like, from the Debian FAQ
in tests/eval, so word frequencies look like a real FAQ's. Real: the Debian
FAQ's own entries over and over, each copy's questions made distinct, so
common words are as common as in a real FAQ, at any size.
"""

from __future__ import annotations

import itertools
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "eval" / "debian-faq.yaml"


def vocabulary() -> list[str]:
    words = re.findall(r"[A-Za-z][a-z]{2,}", SOURCE.read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return sorted(counts, key=lambda w: -counts[w])


def sentence(rng: random.Random, vocab: list[str], cum_weights: list[float], n: int) -> str:
    return " ".join(rng.choices(vocab, cum_weights=cum_weights, k=n)).capitalize()


def generate(count: int, path: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    vocab = vocabulary()
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))
    with path.open("w", encoding="utf-8") as f:
        f.write(f"title: Generated FAQ with {count} entries\nentries:\n")
        for i in range(1, count + 1):
            question = sentence(rng, vocab, weights, rng.randint(6, 14)) + f" {i}?"
            answer = (
                ". ".join(sentence(rng, vocab, weights, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))
                + "."
            )
            tags = ", ".join(f'"{t}"' for t in rng.sample(vocab[:300], 2))
            f.write(
                f'  - id: {i}\n    question: "{question}"\n    answer: >-\n      {answer}\n'
                f'    sources: ["Generator"]\n    tags: [{tags}]\n'
            )


def repeat_real(count: int, path: Path) -> None:
    """`count` entries: the Debian FAQ's, repeated, with distinct questions."""
    import json

    entries = _debian_entries()
    with path.open("w", encoding="utf-8") as f:
        f.write(f"title: The Debian FAQ, repeated to {count} entries\nentries:\n")
        for i in range(count):
            e = entries[i % len(entries)]
            copy = i // len(entries)
            question = e["question"] if not copy else f"{e['question']} (copy {copy})"
            # JSON strings are valid YAML flow scalars, and keep every character.
            f.write(f"  - id: {i + 1}\n    question: {json.dumps(question)}\n")
            f.write(f"    answer: {json.dumps(e['answer'])}\n")
            f.write(f"    sources: {json.dumps(e.get('sources', []))}\n")
            f.write(f"    tags: {json.dumps(e.get('tags', []))}\n")


def _debian_entries() -> list[dict[str, object]]:
    sys.path.insert(0, str(ROOT))
    from faq_cli.load import load_path

    return [e._asdict() for e in load_path(SOURCE).entries]


if __name__ == "__main__":
    (repeat_real if "--real" in sys.argv else generate)(int(sys.argv[1]), Path(sys.argv[2]))
