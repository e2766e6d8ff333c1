"""What reading other formats costs: the parse of a 1 MB Markdown FAQ, and a
warm search of a Markdown FAQ against the same FAQ in YAML.

    python benchmarks/readers.py              # 15 interleaved rounds
    python benchmarks/readers.py --rounds 31

The FAQ is the Debian FAQ's entries (tests/eval), written as Markdown
(questions as level-2 headings under a title, answers as paragraphs) and as
YAML, repeated to 1 MB for the parse. Warm runs are `faq search ... --json`
with the index cached, interleaved with `python -c "import typer"`; each is
the median, as a ratio to that in the same run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from startup import FAQ, PY, run  # noqa: E402

from faq_cli.load import load_path  # noqa: E402
from faq_cli.readers import read  # noqa: E402

QUERY = "install a package"


def markdown(target: int) -> str:
    """The Debian FAQ as Markdown, repeated (questions made distinct) to `target` bytes."""
    entries = load_path(HERE.parent / "tests" / "eval" / "debian-faq.yaml").entries
    parts, size, copy = ["# The Debian FAQ\n\n"], 0, 0
    while size < target:
        for e in entries:
            text = f"## {e.question}{f' ({copy})' if copy else ''}\n\n{e.answer}\n\n"
            parts.append(text)
            size += len(text.encode())
        copy += 1
    return "".join(parts)


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 15
    big = markdown(1 << 20).encode()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        found = read(big, "big.md")
        times.append(time.perf_counter() - start)
    print(f"Parse of a {len(big) / 1e6:.2f} MB Markdown FAQ ({len(found.faq.entries):,} entries):")
    print(f"median of 5: {statistics.median(times):.2f} s (target < 1 s)\n")

    work = Path(tempfile.mkdtemp(prefix="faq-readers-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "FAQ_BACKGROUND": "0"}
    env.pop("FAQ_DATA", None)
    try:
        small = markdown(1)  # one copy: 120 entries
        (work / "faq.md").write_text(small, encoding="utf-8")
        as_yaml = read(small.encode(), "faq.md").faq
        import yaml

        from faq_cli.render import faq_dict

        (work / "faq.yaml").write_text(
            yaml.safe_dump(faq_dict(as_yaml), allow_unicode=True), encoding="utf-8"
        )
        commands = {
            "python -c 'import typer'": [PY, "-c", "import typer"],
            "Markdown": [FAQ, "search", QUERY, "--json", "--data", str(work / "faq.md")],
            "YAML": [FAQ, "search", QUERY, "--json", "--data", str(work / "faq.yaml")],
        }
        for argv in commands.values():
            run(argv, env)  # the indexes built, the OS cache warm
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, argv in commands.items():
                samples[name].append(run(argv, env)[0])
        medians = {name: statistics.median(t) for name, t in samples.items()}
        base = medians["python -c 'import typer'"]
        print(
            f"Warm `faq search '{QUERY}' --json` on the 120-entry FAQ, median of {rounds} interleaved runs:\n"
        )
        print("| FAQ file | median ms | ratio to import typer |\n|---|---|---|")
        for name, seconds in medians.items():
            print(f"| {name} | {seconds * 1000:.1f} | {seconds / base:.2f} |")
        print("\ntarget: Markdown <= 1.25, and what YAML costs")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
