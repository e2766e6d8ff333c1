"""Search cost on large FAQs of real text, for every kind of query.

    python benchmarks/scale.py                    # 10,000 and 100,000 entries
    python benchmarks/scale.py --sizes 10000      # other sizes
    python benchmarks/scale.py --rounds 9         # fewer warm rounds

Each FAQ is the Debian FAQ's entries repeated with distinct questions
(generate.py --real), so common words are as common as in a real FAQ; 100,000
entries is about 114 MB, read with FAQ_MAX_BYTES raised. For each size: the
cold first search (empty cache) and its peak RSS (that of the command and
its second, parsing process together, sampled from /proc), then warm `faq search
--json` runs of six kinds of query, interleaved with the 8-entry search
`faq search 'Costa Rica' --json`, each kind's median given as a ratio to it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import repeat_real  # noqa: E402
from startup import FAQ, run, run_tree  # noqa: E402

QUERIES = {
    "common words": "install a package",
    "a very common word, many prefix variants": "debian",
    "typos": "upgade the kernal",
    "stop words only": "how do i",
    "no such words": "xylophone quartz",
    "a long natural question": "how can I give money to the project so that it keeps going",
}
TARGETS = {10_000: 1.2, 100_000: 1.5}  # worst kind's warm ratio, from issue #9


def measure(n: int, env: dict[str, str], work: Path, rounds: int) -> None:
    path = work / f"faq-{n}.yaml"
    repeat_real(n, path)
    size_mb = path.stat().st_size / 1e6
    env = {**env, "FAQ_MAX_BYTES": str(path.stat().st_size + 1)}
    shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
    cold, cold_rss = run_tree([FAQ, "search", "install a package", "--json", "--data", str(path)], env)
    base_argv = [FAQ, "search", "Costa Rica", "--json"]
    commands = {"8-entry search": base_argv}
    commands |= {kind: [FAQ, "search", q, "--json", "--data", str(path)] for kind, q in QUERIES.items()}
    for argv in commands.values():  # warm the OS cache
        run(argv, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    peak = 0  # of the warm runs on this FAQ
    for _ in range(rounds):
        for name, argv in commands.items():
            seconds, rss = run(argv, env)
            times[name].append(seconds)
            peak = max(peak, rss) if name != "8-entry search" else peak
    base = statistics.median(times["8-entry search"])
    cold_mb = cold_rss / 1024
    print(
        f"\n{n:,} entries ({size_mb:.0f} MB): cold first search {cold:.2f} s, "
        f"peak RSS {cold_mb:.0f} MB (all its processes together)"
    )
    print(f"warm: median of {rounds} interleaved runs; ratio to the 8-entry search ({base * 1000:.1f} ms)\n")
    print("| query kind | query | warm ms | ratio |\n|---|---|---|---|")
    worst = 0.0
    for name, argv in commands.items():
        median = statistics.median(times[name])
        worst = max(worst, median / base) if name != "8-entry search" else worst
        print(f"| {name} | {argv[2]!r} | {median * 1000:.1f} | {median / base:.2f} |")
    target = TARGETS.get(n)
    verdict = "" if target is None else f"; target <= {target}: {'met' if worst <= target else 'NOT met'}"
    print(f"\nworst kind {worst:.2f}{verdict}; peak RSS of any warm run {peak / 1024:.0f} MB")
    path.unlink()


def main() -> None:
    args = sys.argv[1:]
    sizes = []
    for a in args[args.index("--sizes") + 1 :] if "--sizes" in args else []:
        if not a.isdigit():
            break
        sizes.append(int(a))
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 15
    work = Path(tempfile.mkdtemp(prefix="faq-scale-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "COLUMNS": "100"}
    env.pop("FAQ_DATA", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        for n in sizes or [10_000, 100_000]:
            measure(n, env, work, rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
