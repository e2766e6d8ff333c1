"""`faq browse` responsiveness: from a keystroke to the redrawn screen.

    python benchmarks/browse.py                # 10,000 entries
    python benchmarks/browse.py --sizes 8 10000 100000

Builds an N-entry FAQ from the Debian FAQ's entries (generate.py --real),
warms its index, then types queries into the view one key at a time through
Textual's pilot (headless, 100x30). Each key's time runs from the key's
arrival to the screen repainted with that query's results.
Prints the median and 90th percentile per FAQ size, and the ratio of the
median to the 8-entry shipped FAQ's, measured in the same run.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from generate import repeat_real  # noqa: E402

from faq_cli.browse import Browse, Found  # noqa: E402
from faq_cli.source import bundled  # noqa: E402
from faq_cli.store import Store, open_store  # noqa: E402

# What people type: common words, a prefix of a very common one, typos, only
# stop words, no such words, and a long question in their own words.
QUERIES = [
    "install a package",
    "debian",
    "upgade kernal",
    "how do i",
    "xylophone quartz",
    "how can I give money to the project",
]
TARGET_MS = 50


class Timed(Browse):
    """The view, telling when the screen has been repainted with a query's results."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.expected = ""
        self.drawn = asyncio.Event()

    def _show(self, result: Found | BaseException) -> None:
        super()._show(result)
        if isinstance(result, Found) and result.query == self.expected:
            self.call_after_refresh(self.drawn.set)


async def keystrokes(path: Path) -> list[float]:
    """Seconds from each key press to the repainted screen. (The pilot's own
    `press` also waits for idle, a fixed ~85 ms, so the key is timed from its
    posting to Textual's after-refresh callback instead.)"""
    app = Timed(open_store(path))
    times: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        for query in QUERIES:
            await _type(app, pilot, "ctrl+u", "")
            for i in range(len(query)):
                key = "space" if query[i] == " " else query[i]
                times.append(await _type(app, pilot, key, query[: i + 1]))
    return times


async def _type(app: Timed, pilot, key: str, expected: str) -> float:  # type: ignore[no-untyped-def]
    app.expected = expected
    app.drawn.clear()
    start = time.perf_counter()
    pressing = asyncio.create_task(pilot.press(key))
    await app.drawn.wait()
    elapsed = time.perf_counter() - start
    await pressing
    return elapsed


def main() -> None:
    sizes = [int(a) for a in sys.argv[sys.argv.index("--sizes") + 1 :]] if "--sizes" in sys.argv else [10000]
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {8: bundled()}
        for n in sizes:
            if n != 8:
                paths[n] = Path(tmp) / f"faq-{n}.yaml"
                repeat_real(n, paths[n])
            open_store(paths[n])  # the cold build, not timed here
        results: dict[int, list[float]] = {n: [] for n in paths}
        for _ in range(3):  # interleaved rounds
            for n, path in paths.items():
                results[n] += asyncio.run(keystrokes(path))
    base = statistics.median(results[8])
    print(f"{'entries':>8}  {'keys':>5}  {'median ms':>9}  {'p90 ms':>7}  {'ratio':>5}")
    for n, times in results.items():
        median = statistics.median(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{n:>8}  {len(times):>5}  {median * 1000:9.1f}  {p90 * 1000:7.1f}  {median / base:5.2f}")
    worst = max(statistics.median(t) for t in results.values()) * 1000
    print(f"worst median {worst:.1f} ms; target {TARGET_MS} ms: {'met' if worst <= TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
