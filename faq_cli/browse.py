"""`faq browse`: search as you type, in a full-screen view drawn by Textual.

Textual is imported only here, so no other command pays for it. It draws on
stderr and reads keys from stdin, which leaves stdout free for the entry that
Enter prints (`faq browse --json | jq -r .answer`).

Searches run on one worker thread, on the same index as `faq search`; keys
typed while a search runs replace the query it will run next, so fast typing
is coalesced rather than queued. Each key first shows what the words and the
static vectors find, at once; when typing pauses, the sentence model (loaded
in the background once the view is drawn) reads the query, and the list is
redrawn if it ranks otherwise.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NamedTuple

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.driver import Driver
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from faq_cli.match import as_document
from faq_cli.model import Entry, Summary
from faq_cli.rank import Hit
from faq_cli.render import entry_panel
from faq_cli.store import Store
from faq_cli.text import visible

LIMIT = 50  # results listed for a query; `faq search -n` has no cap either, but a screen does
PAUSE = 0.25  # seconds without a key before the sentence model reads the query
# Columns below which the preview goes under the list instead of beside it:
# beside a preview, a list narrower than this cuts most questions short.
NARROW = 120
EXIT_INTERRUPTED, EXIT_SIGNAL = 130, 128
# The key help, from the fullest to the shortest: a screen shows the first that
# fits. Every form keeps Esc, so that any width says how to leave.
KEYS = (
    "↑↓ move · Enter print · Esc quit · PgUp/PgDn scroll · ^U clear",
    "↑↓ move · Enter print · Esc quit · PgUp/PgDn · ^U clear",
    "↑↓ · Enter print · Esc quit · PgUp/Dn · ^U clear",
    "↑↓ · Enter · Esc quit · PgUp/Dn · ^U",
    "↑↓ · Enter · Esc quit",
    "Esc quit",
)
SUGGESTED = "Tab: search for it"  # shown with a did-you-mean


class Found(NamedTuple):
    """What one query shows: its hits, or, when there are none, a suggestion
    and the entries the sentence model put nearest (`Store.near_misses`)."""

    query: str
    hits: Sequence[Hit]
    suggestion: str | None = None
    final: bool = True  # False: the sentence model may read the query yet, when typing pauses
    nearest: Sequence[Entry | Summary] = ()


class Searcher:
    """Runs one search at a time on a thread. A query submitted while a search
    runs replaces any query still waiting: the latest keystroke wins. Then,
    if no other query comes for PAUSE seconds, `deeper` searches it again,
    and its result is handed on too when it differs."""

    def __init__(
        self,
        search: Callable[[str], Found],
        done: Callable[[Found | BaseException], None],
        deeper: Callable[[str], Found] | None = None,
    ) -> None:
        self._search, self._done, self._deeper = search, done, deeper
        self._waiting: str | None = None
        self._wake = threading.Condition()
        threading.Thread(target=self._run, name="faq-search", daemon=True).start()

    def submit(self, query: str) -> None:
        with self._wake:
            self._waiting = query
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._waiting is None:
                    self._wake.wait()
                query, self._waiting = self._waiting, None
            result = self._try(self._search, query)
            deeper = self._deeper if isinstance(result, Found) and query.strip() else None
            if deeper is not None and isinstance(result, Found):
                result = result._replace(final=False)
            if not self._hand_on(result):
                return
            if deeper is None:
                continue
            with self._wake:  # typing goes on: the next key's query comes first
                if self._wake.wait_for(lambda: self._waiting is not None, PAUSE):
                    continue
            if not self._hand_on(self._try(deeper, query)):
                return

    def _hand_on(self, result: Found | BaseException) -> bool:
        """Give `result` to the app; False once the app has closed."""
        try:
            self._done(result)
        except RuntimeError:
            return False
        return True

    @staticmethod
    def _try(search: Callable[[str], Found], query: str) -> Found | BaseException:
        try:
            return search(query)
        except Exception as exc:  # handed to the app, which exits and re-raises it
            return exc


def finder(store: Store, sentences: bool = True) -> Callable[[str], Found]:
    """The search behind the view: `faq search`'s ranking (without the sentence
    model unless `sentences`), or every entry in file order (the summary
    first) for an empty query."""
    everything: list[Hit] = []

    def find(query: str) -> Found:
        if not query.strip():
            if not everything:
                items: list[Entry | Summary] = [store.summary] if store.summary else []
                everything.extend(Hit(item, 0, {}) for item in [*items, *store.entries()])
            return Found(query, everything)
        hits = store.search(query, LIMIT, sentences=sentences)
        if hits:
            return Found(query, hits)
        return Found(query, hits, store.suggest(query), nearest=store.near_misses)

    return find


def label(hit: Hit, selected: bool = False) -> Text:
    """One line of the results list: a marker when selected (not colour alone,
    which NO_COLOR takes away), the entry's id (or "Summary") and question."""
    entry = as_document(hit.entry)
    line = Text("▶ " if selected else "  ")
    line.append("Summary" if entry.id is None else str(entry.id), style="cyan")
    line.append(" " + visible(entry.question, one_line=True))
    return line


class Results(ScrollView, can_focus=False):
    """The list of results, one line each. Only the visible lines are drawn,
    so a list of every entry of a 100,000-entry FAQ costs no more than ten."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"results--cursor"}
    DEFAULT_CSS = """
    Results { overflow-x: hidden; scrollbar-size-vertical: 1; }
    Results > .results--cursor { background: $accent 40%; text-style: bold; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hits: Sequence[Hit] = ()
        self.cursor = 0

    def show(self, hits: Sequence[Hit], keep: bool = False) -> None:
        """List `hits`, the first selected; or, to `keep` it, the one selected
        now, where it is among them (the same query, ranked again)."""
        chosen = self.selected if keep else None
        self.hits = hits
        self.cursor = next((i for i, h in enumerate(hits) if chosen and h.entry == chosen.entry), 0)
        self.virtual_size = Size(self.size.width, len(hits))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    @property
    def selected(self) -> Hit | None:
        return self.hits[self.cursor] if self.hits else None

    def move(self, delta: int) -> None:
        if not self.hits:
            return
        self.cursor = max(0, min(len(self.hits) - 1, self.cursor + delta))
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self.hits):
            return Strip.blank(width, self.rich_style)
        line = label(self.hits[index], selected=index == self.cursor)
        line.truncate(width, overflow="ellipsis", pad=True)
        style = self.get_component_rich_style("results--cursor") if index == self.cursor else self.rich_style
        segments = list(line.render(self.app.console))
        return Strip(segments, width).apply_style(style).crop_extend(0, width, style)

    class Moved(Message):
        """The cursor moved by a mouse click."""

    def on_click(self, event: events.Click) -> None:
        self.move(self.scroll_offset.y + event.y - self.cursor)
        self.post_message(self.Moved())


class Browse(App[Entry | Summary | None]):
    """The view: a query line, the results, a preview of the selected one, keys."""

    TITLE = "faq browse"
    ENABLE_COMMAND_PALETTE = False  # it would take Ctrl-P, which moves up here
    CSS = """
    Screen { layout: vertical; }
    #top { height: 1; }
    #query { width: 1fr; height: 1; border: none; padding: 0 1; }
    #count { width: auto; color: $text-muted; padding: 0 1; }
    #body { height: 1fr; }
    #results { width: 2fr; height: 100%; }
    #preview { width: 3fr; height: 100%; padding: 0 1; scrollbar-size-vertical: 1; }
    #keys { height: 1; color: $text-muted; padding: 0 1; }
    Screen.narrow #body { layout: vertical; }
    Screen.narrow #results { width: 100%; height: 2fr; }
    Screen.narrow #preview { width: 100%; height: 3fr; padding: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,ctrl+p", "move(-1)", priority=True, show=False),
        Binding("down,ctrl+n", "move(1)", priority=True, show=False),
        Binding("pageup", "scroll_preview(-1)", priority=True, show=False),
        Binding("pagedown", "scroll_preview(1)", priority=True, show=False),
        Binding("enter", "choose", priority=True, show=False),
        Binding("escape,ctrl+c", "leave", priority=True, show=False),
        Binding("ctrl+u", "clear", priority=True, show=False),
        Binding("tab", "take_suggestion", priority=True, show=False),
    ]

    def __init__(self, store: Store, query: str = "", driver_class: type[Driver] | None = None) -> None:
        super().__init__(driver_class=driver_class)
        self.store, self.initial = store, query
        self.failure: BaseException | None = None
        self.shown: Found | None = None  # what the screen shows now; tests and benchmarks wait on it
        self.width = 80

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Input(self.initial, placeholder="Type to search", id="query", max_length=1000, compact=True)
            yield Static(id="count")
        with Horizontal(id="body"):
            yield Results(id="results")
            with VerticalScroll(id="preview", can_focus=False):
                yield Static(id="entry")
        yield Static(id="keys")

    def on_mount(self) -> None:
        import asyncio

        # SIGTERM, SIGHUP (the terminal went away) and SIGINT end the view as Esc
        # does, through Textual's shutdown, which gives the terminal back as it
        # was; the exit code is the signal's, as a shell reports it.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            loop.add_signal_handler(signum, self._signalled, signum)
        self.searcher = Searcher(finder(self.store, False), self._arrived, finder(self.store))
        self.searcher.submit(self.initial)
        # The sentence model takes a moment to load: once the view is drawn.
        warm = threading.Thread(target=self.store.warm, name="faq-model", daemon=True)
        self.call_after_refresh(warm.start)

    def _signalled(self, signum: int) -> None:
        self.exit(None, return_code=EXIT_SIGNAL + signum)

    def on_resize(self, event: events.Resize) -> None:
        self.width = event.size.width
        self.screen.set_class(self.width < NARROW, "narrow")
        self._status()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.searcher.submit(event.value)

    def _arrived(self, result: Found | BaseException) -> None:
        self.call_from_thread(self._show, result)

    def _show(self, result: Found | BaseException) -> None:
        if isinstance(result, BaseException):
            self.failure = result
            self.exit(None)
            return
        if result.query != self.query_one(Input).value:
            return  # typed over already: the newer query's results are on their way
        again = self.shown is not None and self.shown.query == result.query
        if self.shown is not None and again and self.shown.hits == result.hits:
            before, self.shown = self.shown, result  # the sentence model ranks them alike
            if result.nearest != before.nearest:  # but it names what came near
                self._preview()
            return
        self.query_one(Results).show(result.hits, keep=again)
        self.shown = result
        self._preview()
        self._status()

    def _preview(self) -> None:
        entry = self.query_one("#entry", Static)
        self.query_one("#preview", VerticalScroll).scroll_home(animate=False, immediate=True)
        hit = self.query_one(Results).selected
        if hit is not None:
            entry.update(entry_panel(as_document(hit.entry), matched=hit.matched))
        elif self.shown is not None and self.shown.query.strip():
            message = Text(f"Nothing found for {visible(self.shown.query.strip(), one_line=True)!r}.")
            for near in self.shown.nearest:
                doc = as_document(near)
                name = "the summary" if doc.id is None else f"#{doc.id}"
                message.append(f"\nNearest: {name} {visible(doc.question, one_line=True)}")
            if self.shown.suggestion:
                message.append(f"\nDid you mean: {visible(self.shown.suggestion, one_line=True)}?")
                message.append(f"\n{SUGGESTED}", style="dim")
            entry.update(message)
        else:
            entry.update(Text("This FAQ has no entries."))

    def _status(self) -> None:
        count = len(self.shown.hits) if self.shown else 0
        self.query_one("#count", Static).update(f"{count} result{'s' * (count != 1)}")
        line = next((keys for keys in KEYS if len(keys) <= self.width - 2), KEYS[-1])
        self.query_one("#keys", Static).update(Text(line, no_wrap=True, overflow="ellipsis"))

    def action_move(self, delta: int) -> None:
        results = self.query_one(Results)
        before = results.cursor
        results.move(delta)
        if results.cursor != before:
            self._preview()

    def on_results_moved(self) -> None:
        self._preview()

    def action_scroll_preview(self, direction: int) -> None:
        preview = self.query_one("#preview", VerticalScroll)
        if direction < 0:
            preview.scroll_page_up(animate=False)
        else:
            preview.scroll_page_down(animate=False)

    def action_choose(self) -> None:
        hit = self.query_one(Results).selected
        if hit is not None:
            self.exit(hit.entry)

    def action_leave(self) -> None:
        self.exit(None, return_code=EXIT_INTERRUPTED)

    def action_clear(self) -> None:
        self.query_one(Input).value = ""

    def action_take_suggestion(self) -> None:
        """Search for the did-you-mean shown, as if it had been typed."""
        if self.shown is not None and not self.shown.hits and self.shown.suggestion:
            query = self.query_one(Input)
            query.value = self.shown.suggestion
            query.cursor_position = len(query.value)


def _driver() -> type[Driver] | None:
    """Textual's driver, sized by the terminal it draws on (stderr): Textual asks
    stdout, and takes 80x24 when that is a pipe, as in `faq browse | jq`."""
    if os.name != "posix":
        return None
    from textual.drivers.linux_driver import LinuxDriver

    class Driver(LinuxDriver):
        def _get_terminal_size(self) -> tuple[int, int]:
            try:
                size = os.get_terminal_size(sys.__stderr__.fileno())  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                return super()._get_terminal_size()
            return size.columns, size.lines

    return Driver


def browse(store: Store, query: str = "") -> tuple[Entry | Summary | None, int]:
    """Run the view; return the chosen entry (None if none) and the exit code."""
    app = Browse(store, query, driver_class=_driver())
    chosen = app.run()
    if app.failure is not None:
        raise app.failure
    return chosen, app.return_code or 0
