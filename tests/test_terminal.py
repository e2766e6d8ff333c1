"""`faq` in a terminal, through a real pseudo-terminal: the best answer on
screen, the others one line each, a pager for what is taller than the screen."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_FAQ = str(ROOT / "tests" / "eval" / "python-faq.yaml")


def terminal(
    *args: str, cols: int = 80, rows: int = 30, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run faq in a terminal of `cols` x `rows`; its exit code and what it printed."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PAGER", "FAQ_PAGER")}
    environ.update({"TERM": "xterm-256color", "NO_COLOR": "1", **(env or {})})
    command = shlex.join([sys.executable, "-m", "faq_cli", *args])
    child = pexpect.spawn("/bin/sh", ["-c", "exec " + command], dimensions=(rows, cols), env=environ)
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", (child.before or b"").decode("utf-8"))
    # A process ended by a signal has no exit status: report it as a shell does.
    code = child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus
    return code, text.replace("\r\n", "\n")


@pytest.fixture
def paged(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A pager that keeps what it is given, in a file."""
    kept = tmp_path / "paged.txt"
    return {"FAQ_PAGER": f"cat > {shlex.quote(str(kept))}", "PAGER": "false"}, kept


def test_a_search_shows_the_best_hit_in_full_and_the_others_one_line_each(paged) -> None:  # type: ignore[no-untyped-def]
    env, kept = paged
    code, shown = terminal("search", "mexico", env=env)
    assert code == 0 and not kept.exists()  # it fits the screen: no pager
    lines = shown.splitlines()
    assert lines[0].startswith("╭─ Summary") and "score" in shown.split("╰")[1].splitlines()[0]
    rest = shown.split("╯", 1)[1].strip().splitlines()
    assert len(rest) == 5  # four other hits, then how to see them
    assert all(len(line) <= 80 for line in rest)
    assert re.match(r"^ *3 +\d+ +Why are the US and Mexico", rest[0])
    assert rest[2].endswith("…")  # cut to the width, not wrapped
    assert rest[-1].strip() == "faq show 3 shows one in full; --full shows them all"


def test_a_single_hit_has_no_hint(paged) -> None:  # type: ignore[no-untyped-def]
    code, shown = terminal("search", "costa", "rica", env=paged[0])
    assert code == 0 and "--full" not in shown and shown.count("╭─") == 1


def test_full_output_taller_than_the_screen_goes_to_the_pager(paged) -> None:  # type: ignore[no-untyped-def]
    env, kept = paged
    code, shown = terminal("search", "--full", "mexico", rows=24, env=env)
    assert code == 0
    text = kept.read_text(encoding="utf-8")
    assert text.count("╭─") == 5 and "score" in text  # every hit, in full
    assert "╭─" not in shown  # the pager had it all


def test_no_pager_prints_it_all(paged) -> None:  # type: ignore[no-untyped-def]
    env, kept = paged
    code, shown = terminal("search", "--full", "--no-pager", "mexico", rows=24, env=env)
    assert code == 0 and not kept.exists() and shown.count("╭─") == 5


def test_a_long_entry_and_a_long_list_are_paged(paged) -> None:  # type: ignore[no-untyped-def]
    env, kept = paged
    code, _ = terminal("list", "--data", PYTHON_FAQ, rows=24, env=env)
    assert code == 0 and kept.read_text(encoding="utf-8").count("\n") > 179
    kept.unlink()
    code, _ = terminal("show", "36", "--data", PYTHON_FAQ, rows=24, env=env)
    assert code == 0 and "list 'y'" in kept.read_text(encoding="utf-8")


def test_nothing_found_exits_1_with_a_pager_set(paged) -> None:  # type: ignore[no-untyped-def]
    env, kept = paged
    code, shown = terminal("search", "xylophone", rows=24, env=env)
    assert code == 1 and "nothing found" in shown and not kept.exists()


def test_pipes_never_page(tmp_path: Path) -> None:
    import subprocess

    kept = tmp_path / "paged.txt"
    env = {**os.environ, "FAQ_PAGER": f"cat > {shlex.quote(str(kept))}", "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "faq_cli", "list", "--data", PYTHON_FAQ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 179 and not kept.exists()
