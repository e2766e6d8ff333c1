"""Where results go: JSON for scripts, plain text for pipes, Rich for
terminals, and a progress bar on stderr for a slow first read."""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faq_cli.ansi import Screen
    from faq_cli.model import Entry, Summary


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Out:
    """Where results go: JSON, plain text for pipes, or styled text for
    terminals (`ansi`), through a pager when that is taller than the
    terminal (`paged`)."""

    def __init__(self, as_json: bool, color: Color, paged: bool = False) -> None:
        self.json = as_json
        # Under a non-UTF-8 locale, show what the encoding cannot hold as
        # escapes rather than fail halfway through the output.
        with contextlib.suppress(AttributeError, ValueError):
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        tty = sys.stdout.isatty()
        self.terminal = not as_json and (tty or color is Color.always)
        self.color = color is Color.always or (color is Color.auto and tty and not os.environ.get("NO_COLOR"))
        self.pager = Pager() if paged and tty and not as_json else None

    def screen(self) -> "Screen":
        import shutil

        from faq_cli.ansi import Screen

        return Screen(shutil.get_terminal_size().columns, self.color)

    def show(self, lines: Iterable[str]) -> None:
        """Styled lines for the terminal: through the pager when there is one,
        in blocks of lines (a long listing starts showing at once)."""
        from itertools import islice

        write = self.pager.write if self.pager else sys.stdout.write
        rows = iter(lines)
        while block := list(islice(rows, 1000)):
            write("".join(line + "\n" for line in block))

    def lines(self, lines: Iterable[str]) -> None:
        text = "".join(line + "\n" for line in lines)
        emit(text.encode(getattr(sys.stdout, "encoding", None) or "utf-8", "backslashreplace"))

    def json_doc(self, value: object) -> None:
        from faq_cli.render import to_json

        emit((to_json(value) + "\n").encode("utf-8"))  # JSON is UTF-8, whatever the locale says

    def item(self, item: "Entry | Summary") -> None:
        """An entry as 'faq show' prints it, or the summary as 'faq summary' does."""
        from faq_cli import render
        from faq_cli.model import Entry

        if self.json:
            self.json_doc(render.entry_dict(item) if isinstance(item, Entry) else render.summary_dict(item))
        elif self.terminal:
            from faq_cli import ansi

            screen = self.screen()
            self.show(ansi.entry(screen, item) if isinstance(item, Entry) else ansi.summary(screen, item))
        else:
            self.lines(render.plain_entry(item) if isinstance(item, Entry) else render.plain_summary(item))

    def close(self) -> None:
        """Show what the pager holds, and wait for it."""
        if self.pager is not None:
            self.pager.show()


BLOCK = 1 << 16  # bytes a write(): what a pipe holds


def emit(data: bytes) -> None:
    """All of `data` to stdout, a block a write(), however stdout is buffered:
    unbuffered (PYTHONUNBUFFERED), every write() would be a system call, and a
    reader that goes away early (`head -1`) would see a closed pipe at random.
    A raw stdout may take only part of a block: the rest is written too, so a
    closed pipe is an error and never a silent cut."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    view = memoryview(data)
    while view:
        view = view[out.write(view[:BLOCK]) or 0 :]


class Pager:
    """Text for the terminal, held until it is taller than the screen; then a
    pager shows it, as git's does: $FAQ_PAGER, else $PAGER, else `less` with
    LESS=FRX (colours kept, the screen not cleared). What fits the screen is
    just printed. While the pager runs, Ctrl-C is the pager's alone."""

    def __init__(self) -> None:
        import shutil

        self.rows = shutil.get_terminal_size().lines
        self.held: list[str] = []
        self.lines = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.gone = False  # the pager has quit: the rest is not wanted

    def isatty(self) -> bool:
        return True

    def flush(self) -> None:
        if self.proc is not None and self.proc.stdin is not None and not self.gone:
            with contextlib.suppress(BrokenPipeError, ValueError):
                self.proc.stdin.flush()

    def write(self, text: str) -> int:
        if self.proc is not None:
            self._send(text)
        else:
            self.held.append(text)
            self.lines += text.count("\n")
            if self.lines >= self.rows:
                self._start()
        return len(text)

    def _start(self) -> None:
        import shutil
        import signal

        command = os.environ.get("FAQ_PAGER") or os.environ.get("PAGER") or "less"
        if command.strip() in ("", "cat") or (command == "less" and not shutil.which("less")):
            return  # no pager: printed as it is, at the end
        env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
        try:
            self.proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
        except OSError:
            return
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the pager's, while it runs
        held, self.held = "".join(self.held), []
        self._send(held)

    def _send(self, text: str) -> None:
        if self.gone or self.proc is None or self.proc.stdin is None:
            return
        try:
            self.proc.stdin.write(text.encode("utf-8", "backslashreplace"))
        except (BrokenPipeError, ValueError):
            self.gone = True  # quit early, with q: as asked

    def show(self) -> None:
        """Print what is held, or let the pager show the rest, and wait for it."""
        if self.proc is None:
            sys.stdout.write("".join(self.held))
            self.held = []
            return
        with contextlib.suppress(BrokenPipeError, OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        self.proc.wait()


class Progress:
    """A progress bar on stderr for a slow first read of a large FAQ: shown only
    on a terminal, and only once the work has taken more than a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if self.bar is None:
            if time.monotonic() - self.start < 1 or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(phase, total=total)
        self.bar.update(self.task, description=f"{phase} {done:,} entries", completed=done, total=total)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
