"""The command line: Typer wiring only. Parses arguments, calls the other
modules, picks a renderer, and maps errors to exit codes in one place."""

# No `from __future__ import annotations` here: Typer would eval every
# annotation string on each run; names only mypy needs are quoted instead.

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

# Typer vendors Click from 0.27 on; its exceptions are not re-exported.
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from faq_cli import options, process, usage
from faq_cli.errors import FaqError, UsageError
from faq_cli.output import Color, Out, Progress
from faq_cli.process import error, hint

if TYPE_CHECKING:
    from faq_cli.model import Entry, Summary
    from faq_cli.readers.base import Read
    from faq_cli.store import Store

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

EPILOG = (
    "Exit codes: 0 found, 1 nothing found, 2 usage error or bad data, 130 interrupted, "
    "141 output pipe closed.  "
    "Data: --data PATH, else $FAQ_DATA, else the bundled FAQ. "
    "--data, --format, --level, --json, --color, --no-cache and --no-pager may come before the command too."
)


class FaqGroup(usage.HelpGroup):
    """Runs the command and turns every expected failure into one stderr line
    and an exit code, so no user mistake ends in a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> NoReturn:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        process.standard_streams()
        if "_FAQ_COMPLETE" in os.environ:
            usage.completion_answer()
        given = list(sys.argv[1:] if args is None else args)
        args = usage.optional_values(usage.hoist(given, set(self.commands)))
        from faq_cli.cache import rebuilt

        try:
            # A cached index found damaged as it is read is dropped, and the
            # command runs once more, on an index built afresh.
            result = rebuilt(
                lambda: super(FaqGroup, self).main(args, prog_name or "faq", standalone_mode=False, **extra)
            )
            code = result if isinstance(result, int) else EXIT_OK
        except FaqError as exc:
            for line in exc.message.splitlines():
                error(line)
            code = exc.exit_code
        except NoArgsIsHelpError as exc:
            # Bare 'faq' asks what the tool does: help on stdout, as git and gh do.
            print(exc.ctx.get_help() if exc.ctx else exc.format_message())
            code = EXIT_OK
        except ClickException as exc:
            error(exc.format_message())
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                hint(f"try '{ctx.command_path} --help'")
            code = EXIT_USAGE
        except (KeyboardInterrupt, typer.Abort):
            code = EXIT_INTERRUPTED
        except process.Signalled as exc:
            code = process.EXIT_SIGNAL + exc.signum
        except process.PipeClosed:
            code = process.broken_pipe()
        except OSError as exc:  # FAQ files and the cache have their own errors: this is the output
            code = process.unwritable(exc)
        sys.exit(process.flushed(code))

    def invoke(self, ctx: Any) -> Any:
        # Click turns a closed pipe into exit 1, which means "nothing found"
        # here; carry it past Click instead, to exit as SIGPIPE would.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise process.PipeClosed from None


usage.fit_help()


app = typer.Typer(
    cls=FaqGroup,
    name="faq",
    help="Answer questions from a FAQ file: list, show, search and summarise it.",
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,  # our own options, which take the shell's name (usage.py)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _store(
    data: str | None,
    no_cache: bool = False,
    fmt: "options.FormatName | None" = None,
    level: int | None = None,
) -> "Store":
    """The FAQ that `--data` names (a file or a URL), read as `--format` and
    `--level` say."""
    from faq_cli.source import How, bundled, is_url
    from faq_cli.store import open_store

    how = How(fmt.value if fmt else None, level)
    with Progress() as progress:
        if data is not None and is_url(data):
            from faq_cli.source import fetch, shown

            with fetch(data, not no_cache, hint) as fetched:
                how = how._replace(media=fetched.media)
                return open_store(fetched.path, not no_cache, progress, hint, how, shown(data))
        return open_store(Path(data) if data is not None else bundled(), not no_cache, progress, hint, how)


@app.callback()
def _root(
    version: options.Version = False,
    install_completion: options.InstallCompletion = None,
    show_completion: options.ShowCompletion = None,
) -> None:
    """Answer questions from a FAQ file: list, show, search and summarise it."""


@app.command("list", short_help="List every entry's id and question.")
def list_(
    data: options.Data = None,
    as_json: options.Json = False,
    color: options.ColorWhen = Color.auto,
    no_cache: options.NoCache = False,
    no_pager: options.Pager = False,
    fmt: options.Format = None,
    level: options.Level = None,
) -> None:
    """List every entry's id and question.

    Examples:

    \b
      faq list
      faq list --json |
        jq -r '.[].question'
      faq list | grep -i canada
    """
    from faq_cli import render

    store = _store(data, no_cache, fmt, level)
    entries = store.entries()  # all read before any is shown
    out = Out(as_json, color, paged=not no_pager)
    if out.json:
        out.json_doc([render.entry_dict(e) for e in entries])
    elif not entries:
        hint("this FAQ has no entries")
    elif out.terminal:
        from faq_cli import ansi

        out.show(ansi.listing(out.screen(), store.title, entries, store.id_width()))
    else:
        out.lines(render.plain_list(entries))
    out.close()


@app.command(short_help="Show one entry, or the summary, in full.")
def show(
    entry_id: options.Id,
    data: options.Data = None,
    as_json: options.Json = False,
    color: options.ColorWhen = Color.auto,
    no_cache: options.NoCache = False,
    no_pager: options.Pager = False,
    fmt: options.Format = None,
    level: options.Level = None,
) -> int:
    """Show one entry in full: question, answer, sources.

    'summary' shows the news summary, as search results name it.

    Examples:

    \b
      faq show 8
      faq show 8 --json | jq -r .answer
      faq show summary
    """
    if entry_id.strip().casefold() == "summary":
        return summary(data, as_json, color, no_cache, no_pager, fmt, level)
    try:
        number = int(entry_id)
    except ValueError:
        raise UsageError(f"ID must be an entry's number or 'summary', not {entry_id!r}") from None
    store = _store(data, no_cache, fmt, level)
    entry = store.get(number)
    out = Out(as_json, color, paged=not no_pager)
    if entry is None:
        ids = store.ids()
        from faq_cli.render import ranges

        valid = ranges(ids) if ids else "none, the FAQ is empty"
        error(f"no entry with id {number}; valid ids: {valid}")
        if out.json:
            out.json_doc(None)  # a script still gets one JSON document
        return EXIT_NOT_FOUND
    out.item(entry)
    out.close()
    return EXIT_OK


@app.command(short_help="Search the FAQ; best match first.")
def search(
    words: options.Query,
    limit: options.Limit = 5,
    min_score: options.MinScore = 0,
    exact: options.Exact = False,
    full: options.Full = False,
    data: options.Data = None,
    as_json: options.Json = False,
    color: options.ColorWhen = Color.auto,
    no_cache: options.NoCache = False,
    no_pager: options.Pager = False,
    fmt: options.Format = None,
    level: options.Level = None,
) -> int:
    """Search questions, answers, sources and tags; best match first.

    In a terminal, the best match is shown in full and the others one line
    each; --full shows them all.

    Examples:

    \b
      faq search costa rica
      faq search is canada in it -n 1
      faq search costa --json |
        jq -r '.[0].answer'
      faq search -- -flag
    """
    from faq_cli import render

    query = usage.query(words)
    if not query.strip():
        raise UsageError("the query is empty; try 'faq search \"Costa Rica\"'")
    store = _store(data, no_cache, fmt, level)
    if exact:
        hits = [h for h in store.exact(query, limit) if h.score >= min_score]
    else:
        hits = store.search(query, limit, min_score)
    out = Out(as_json, color, paged=not no_pager)
    if out.json:
        out.json_doc([render.hit_dict(h) for h in hits])
    elif out.terminal:
        from faq_cli import ansi

        out.show(ansi.hits(out.screen(), hits, full))
    else:
        out.lines(render.plain_hits(hits))
    out.close()
    if store.reading is not None and sys.stderr.isatty():
        hint(
            f"the sentence model has read {store.reading:.0%} of this FAQ (it goes on in the background); "
            "until it is done, questions in your own words are matched by static vectors"
        )
    if not hits:
        _explain_nothing(store, query, limit, min_score, exact)
        return EXIT_NOT_FOUND
    return EXIT_OK


def _explain_nothing(store: "Store", query: str, limit: int, min_score: int, exact: bool) -> None:
    """Why a search found nothing, and what to try instead, on stderr."""
    from faq_cli.match import informative, query_words

    if min_score and not exact and (hidden := store.search(query, limit)):
        many = f"{len(hidden)} result{'s' * (len(hidden) > 1)}"
        hint(f"{many} scored below {min_score} (the best: {hidden[0].score}); try a lower --min-score")
        return
    hint(f"nothing found for {query!r}")
    if exact:
        return
    for near in store.near_misses:
        hint(f"nearest: {_named(near)}")
    qwords = query_words(query)
    if qwords and not informative(qwords):
        hint("the query has only common words (such as 'how' or 'the'); add one that says what you want")
    elif store.finds_literally(query):
        hint("try --exact: it finds the query as written")
    elif better := store.suggest(query):
        hint(f"did you mean: faq search {better!r}?")


def _named(item: "Entry | Summary", width: int = 60) -> str:
    """An entry (or the summary) named in one line: its id, its question cut to
    `width`, and the command that shows it."""
    from faq_cli.match import as_document

    doc = as_document(item)
    question = doc.question
    if len(question) > width:
        question = question[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    if doc.id is None:
        return f"the summary, {question} (faq show summary)"
    return f"#{doc.id} {question} (faq show {doc.id})"


@app.command(short_help="Show the news summary the FAQ is about.")
def summary(
    data: options.Data = None,
    as_json: options.Json = False,
    color: options.ColorWhen = Color.auto,
    no_cache: options.NoCache = False,
    no_pager: options.Pager = False,
    fmt: options.Format = None,
    level: options.Level = None,
) -> int:
    """Show the news summary the FAQ is about, with its headline.

    Examples:

    \b
      faq summary
      faq summary --json | jq -r .headline
    """
    store = _store(data, no_cache, fmt, level)
    out = Out(as_json, color, paged=not no_pager)
    if (summary := store.summary) is None:
        if out.json:
            out.json_doc(None)
        hint("this FAQ has no summary")
        return EXIT_NOT_FOUND
    out.item(summary)
    out.close()
    return EXIT_OK


@app.command(short_help="Search as you type, in a full-screen view.")
def browse(
    words: options.FirstQuery = None,
    data: options.Data = None,
    as_json: options.Json = False,
    color: options.ColorWhen = Color.auto,
    no_cache: options.NoCache = False,
    fmt: options.Format = None,
    level: options.Level = None,
) -> int:
    """Search as you type, in a full-screen view.

    Keys: Up/Down or Ctrl-P/Ctrl-N move, PgUp/PgDn scroll the preview, Enter
    prints the selected entry as 'faq show' would (its JSON with --json) and
    exits 0, Esc or Ctrl-C exits 130, Ctrl-U clears the query.

    Examples:

    \b
      faq browse
      faq browse costa rica
      faq browse --json | jq -r .answer
    """
    # The view is drawn on stderr and read from stdin; stdout may be a pipe.
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError("browse needs a terminal; use 'faq search'")
    query = usage.query(words or [])
    store = _store(data, no_cache, fmt, level)
    if color is Color.never:
        os.environ["NO_COLOR"] = "1"  # Textual's own switch
    from faq_cli.browse import browse as run

    chosen, code = run(store, query)
    if chosen is None:
        return code or EXIT_INTERRUPTED
    Out(as_json, color).item(chosen)
    return EXIT_OK


@app.command(short_help="Check a FAQ file; say where it is wrong.")
def validate(
    ctx: typer.Context,
    path: options.Checked = None,
    data: options.Data = None,
    as_json: options.Json = False,
    fmt: options.Format = None,
    level: options.Level = None,
) -> int:
    """Check a FAQ file of any format; report each problem where it is.

    Says how it was read: as which format, with how many entries, and which
    heading level holds the questions. Exit 0 when valid, 2 when not.

    Examples:

    \b
      faq validate my-faq.yaml
      faq validate docs/FAQ.md --level 3
      FAQ_DATA=my-faq.yaml faq validate
    """
    from faq_cli.errors import DataError
    from faq_cli.render import validation_dict

    # PATH wins over $FAQ_DATA, as --data does; PATH with --data is ambiguous.
    if path is not None and data is not None and ctx.get_parameter_source("data").name == "COMMANDLINE":  # type: ignore[union-attr]
        raise UsageError("give the file to check as PATH or with --data, not both")
    try:
        name, read = _read(path or data, fmt, level)
    except DataError as exc:
        if as_json:
            Out(True, Color.never).json_doc(validation_dict(exc.file, exc.problems))
        raise
    if as_json:
        Out(True, Color.never).json_doc(validation_dict(name, entries=len(read.faq.entries), read=read))
    else:
        from faq_cli.readers import NAMES

        notes = "".join(f"; {note}" for note in read.notes)
        count = len(read.faq.entries)
        entries = f"{count} entr{'y' if count == 1 else 'ies'}"
        hint(f"{name}: valid, {entries}, read as {NAMES[read.format]}{notes}")
    return EXIT_OK


@app.command(short_help="Print a FAQ of any format in faq's own YAML.")
def convert(
    path: options.Converted,
    as_json: options.Json = False,
    fmt: options.Format = None,
    level: options.Level = None,
) -> int:
    """Print a FAQ file of any format (or at a URL) in faq's own YAML format:
    entries, sources, tags and the summary, for you to curate.

    'faq validate' accepts what it prints, with the same entries in the
    same order; --json prints the same document as JSON.

    Examples:

    \b
      faq convert docs/FAQ.md > faq.yaml
      faq convert https://example.org/faq.html
      faq convert export.csv --json | jq '.entries | length'
    """
    from faq_cli import render

    name, read = _read(path, fmt, level)
    if as_json:
        Out(True, Color.never).json_doc(render.faq_dict(read.faq))
    else:
        Out(False, Color.never).lines([render.faq_yaml(read.faq, name).rstrip("\n")])
    return EXIT_OK


def _read(given: str | None, fmt: "options.FormatName | None", level: int | None) -> "tuple[str, Read]":
    """The FAQ file (or URL) `given`, else the bundled FAQ, read and checked
    whole, with no index: its name in messages, and how it was read."""
    from faq_cli import readers
    from faq_cli.source import bundled, fetch, is_url, read_bytes, shown

    if given is not None and is_url(given):
        with fetch(given, True, hint) as fetched:
            name, data, media = shown(given), read_bytes(fetched.path), fetched.media
    else:
        target = Path(given) if given else bundled()
        name, data, media = str(target), read_bytes(target), None
    return name, readers.read(data, name, fmt.value if fmt else None, level, media)


@app.command(short_help="Print the FAQ file format's JSON Schema.")
def schema() -> None:
    """Print the JSON Schema of the FAQ file format.

    For editors and CI checks.

    Examples:

    \b
      faq schema > faq.schema.json
    """
    from importlib.resources import files

    sys.stdout.write(files("faq_cli").joinpath("schema.json").read_text(encoding="utf-8"))


def only(full: typer.Typer, args: list[str]) -> typer.Typer:
    """The app with just the command `args` run: Typer makes every command's
    Click object from its signature on each run, a few milliseconds that one
    command does not need. Help, completion and mistakes get the whole app."""
    import copy

    named = {
        info.name or (info.callback.__name__ if info.callback else ""): info
        for info in full.registered_commands
    }
    hoisted = usage.hoist(args, set(named))
    if "_FAQ_COMPLETE" in os.environ or not hoisted or hoisted[0] not in named:
        return full
    lean = copy.copy(full)
    lean.registered_commands = [named[hoisted[0]]]
    return lean


def main() -> None:
    """Console-script entry point."""
    process.one_blas_thread()
    process.standard_streams()
    process.catch_signals()
    try:
        only(app, sys.argv[1:])()
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else EXIT_USAGE
    process.finish(code)
