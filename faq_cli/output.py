"""Where results go: JSON for scripts, plain text for pipes, Rich for
terminals, and a progress bar on stderr for a slow first read."""

import contextlib
import os
import sys
import time
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Out:
    """Where results go: JSON, plain text for pipes, or Rich for terminals."""

    def __init__(self, as_json: bool, color: Color) -> None:
        self.json = as_json
        # Under a non-UTF-8 locale, show what the encoding cannot hold as
        # escapes rather than fail halfway through the output.
        with contextlib.suppress(AttributeError, ValueError):
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        tty = sys.stdout.isatty()
        self.rich = not as_json and (tty or color is Color.always)
        self.color = color is Color.always or (color is Color.auto and tty and not os.environ.get("NO_COLOR"))

    def console(self) -> "Console":
        from rich.console import Console

        return Console(
            force_terminal=self.rich, no_color=not self.color, highlight=False, emoji=False, markup=False
        )

    def lines(self, lines: Iterable[str]) -> None:
        write = sys.stdout.write
        for line in lines:
            write(line + "\n")

    def json_doc(self, value: object) -> None:
        from faq_cli.render import to_json

        # JSON is UTF-8 whatever the locale says. Unbuffered (PYTHONUNBUFFERED),
        # stdout.buffer is raw and may write only part of what it is given:
        # write the rest too, so a closed pipe is an error and not a silent cut.
        sys.stdout.flush()
        data = memoryview((to_json(value) + "\n").encode("utf-8"))
        while data:
            data = data[sys.stdout.buffer.write(data) or 0 :]


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
