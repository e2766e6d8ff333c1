"""The command line: Typer wiring only. Parses arguments, calls the other
modules, picks a renderer, and maps errors to exit codes in one place."""

# No `from __future__ import annotations` here: Typer would eval every
# annotation string on each run; names only mypy needs are quoted instead.

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

# Typer vendors Click from 0.27 on; its exceptions are not re-exported.
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from faq_cli import process, usage
from faq_cli.errors import FaqError, UsageError
from faq_cli.output import Color, Out, Progress
from faq_cli.process import error, hint

if TYPE_CHECKING:
    from faq_cli.model import Entry, Summary
    from faq_cli.store import Store

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_QUERY_CHARS = 1000

EPILOG = (
    "Exit codes: 0 found, 1 nothing found, 2 usage error or bad data, 130 interrupted, "
    "141 output pipe closed.  "
    "Data: --data PATH, else $FAQ_DATA, else the bundled FAQ. "
    "--data, --json, --color, --no-cache and --no-pager may come before the command too."
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
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = process.broken_pipe()
        except OSError as exc:
            code = process.unwritable(exc)
        sys.exit(code)

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


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"faq {version('faq-cli')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar="[SHELL]",
            callback=usage.install_completion,
            is_eager=True,
            expose_value=False,
            help="Install completion for SHELL (bash, zsh, fish, powershell), else for this shell.",
        ),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="[SHELL]",
            callback=usage.show_completion,
            is_eager=True,
            expose_value=False,
            help="Print the completion script for SHELL, else for this shell.",
        ),
    ] = None,
) -> None:
    """Answer questions from a FAQ file: list, show, search and summarise it."""


# --- shared options, defined once ---------------------------------------------

# Paths arrive as text and become Paths in `_store`: Typer's own path type
# stats the name while parsing, and a NUL in it raises there.
DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        envvar="FAQ_DATA",
        show_envvar=True,
        metavar="PATH",
        help="FAQ file to read (default: the bundled FAQ).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document for scripts.")]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Read the FAQ file afresh, without the index cache.")
]
PagerOpt = Annotated[
    bool,
    typer.Option("--no-pager", help="Print all at once, even when it is taller than the terminal."),
]
ColorOpt = Annotated[
    Color,
    typer.Option(
        "--color",
        case_sensitive=False,
        metavar="WHEN",
        help="Colour: auto (terminals, unless NO_COLOR is set), always or never.",
    ),
]


def _store(data: str | None, no_cache: bool = False) -> "Store":
    from faq_cli.source import bundled
    from faq_cli.store import open_store

    with Progress() as progress:
        return open_store(Path(data) if data is not None else bundled(), not no_cache, progress, hint)


def _query(words: list[str]) -> str:
    """The query words as one query ('faq search costa rica' is 'faq search
    "costa rica"'), within the length limit."""
    # Bytes that are not UTF-8 arrive as lone surrogates; they are no text to search.
    query = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in " ".join(words))
    if len(query) > MAX_QUERY_CHARS:
        raise UsageError(f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    return query


# --- commands -------------------------------------------------------------------


@app.command("list", short_help="List every entry's id and question.")
def list_(
    data: DataOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    no_cache: NoCacheOpt = False,
    no_pager: PagerOpt = False,
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

    store = _store(data, no_cache)
    entries = store.entries()  # all read before any is shown
    out = Out(as_json, color, paged=not no_pager)
    if out.json:
        out.json_doc([render.entry_dict(e) for e in entries])
    elif not entries:
        hint("this FAQ has no entries")
    elif out.rich:
        render.rich_list(out.console(), store.title, entries, store.id_width())
    else:
        out.lines(render.plain_list(entries))
    out.close()


def _complete_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    # While completing, --data (or $FAQ_DATA) arrives unconverted, as a string.
    data = ctx.params.get("data")
    try:
        store = _store(data or None)
    except FaqError:
        return []
    found = [(str(e.id), e.question) for e in store.entries() if str(e.id).startswith(incomplete)]
    if store.summary is not None and "summary".startswith(incomplete):
        found.append(("summary", store.summary.headline))
    return found


@app.command(short_help="Show one entry, or the summary, in full.")
def show(
    entry_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Entry id (see 'faq list'), or 'summary' for the news summary.",
            autocompletion=_complete_id,
            show_default=False,
        ),
    ],
    data: DataOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    no_cache: NoCacheOpt = False,
    no_pager: PagerOpt = False,
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
        return summary(data, as_json, color, no_cache, no_pager)
    try:
        number = int(entry_id)
    except ValueError:
        raise UsageError(f"ID must be an entry's number or 'summary', not {entry_id!r}") from None
    store = _store(data, no_cache)
    entry = store.get(number)
    out = Out(as_json, color, paged=not no_pager)
    if entry is None:
        ids = store.ids()
        valid = _ranges(ids) if ids else "none, the FAQ is empty"
        error(f"no entry with id {number}; valid ids: {valid}")
        if out.json:
            out.json_doc(None)  # a script still gets one JSON document
        return EXIT_NOT_FOUND
    _print_item(out, entry)
    out.close()
    return EXIT_OK


def _print_item(out: Out, item: "Entry | Summary") -> None:
    """An entry as 'faq show' prints it, or the summary as 'faq summary' does."""
    from faq_cli import render
    from faq_cli.model import Entry

    if out.json:
        out.json_doc(render.entry_dict(item) if isinstance(item, Entry) else render.summary_dict(item))
    elif out.rich:
        if isinstance(item, Entry):
            render.rich_entry(out.console(), item)
        else:
            render.rich_summary(out.console(), item)
    else:
        out.lines(render.plain_entry(item) if isinstance(item, Entry) else render.plain_summary(item))


def _ranges(ids: list[int]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"."""
    ids, parts, start = sorted(ids), [], None
    for i, n in enumerate(ids):
        start = n if start is None else start
        if i + 1 == len(ids) or ids[i + 1] != n + 1:
            parts.append(str(n) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(parts)


@app.command(short_help="Search the FAQ; best match first.")
def search(
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            help="What to look for, in your own words; quotes are optional.",
            show_default=False,
        ),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, metavar="N", help="Show at most N results.")
    ] = 5,
    min_score: Annotated[
        int,
        typer.Option(
            "--min-score", min=0, max=100, metavar="S", help="Hide results scoring below S (0-100)."
        ),
    ] = 0,
    exact: Annotated[
        bool, typer.Option("--exact", help="Literal substring search (ignores case and accents).")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="In a terminal, show every result in full, not only the best.")
    ] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    no_cache: NoCacheOpt = False,
    no_pager: PagerOpt = False,
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

    query = _query(words)
    if not query.strip():
        raise UsageError("the query is empty; try 'faq search \"Costa Rica\"'")
    store = _store(data, no_cache)
    if exact:
        hits = [h for h in store.exact(query, limit) if h.score >= min_score]
    else:
        hits = store.search(query, limit, min_score)
    out = Out(as_json, color, paged=not no_pager)
    if out.json:
        out.json_doc([render.hit_dict(h) for h in hits])
    elif out.rich:
        render.rich_hits(out.console(), hits, full)
    else:
        out.lines(render.plain_hits(hits))
    out.close()
    if not hits:
        _explain_nothing(store, query, limit, min_score, exact)
        return EXIT_NOT_FOUND
    return EXIT_OK


def _explain_nothing(store: "Store", query: str, limit: int, min_score: int, exact: bool) -> None:
    """Why a search found nothing, and what to try instead, on stderr."""
    from faq_cli.rank import informative, query_words

    if min_score and not exact and (hidden := store.search(query, limit)):
        many = f"{len(hidden)} result{'s' * (len(hidden) > 1)}"
        hint(f"{many} scored below {min_score} (the best: {hidden[0].score}); try a lower --min-score")
        return
    hint(f"nothing found for {query!r}")
    if exact:
        return
    qwords = query_words(query)
    if qwords and not informative(qwords):
        hint("the query has only common words (such as 'how' or 'the'); add one that says what you want")
    elif store.finds_literally(query):
        hint("try --exact: it finds the query as written")
    elif better := store.suggest(query):
        hint(f"did you mean: faq search {better!r}?")


@app.command(short_help="Show the news summary the FAQ is about.")
def summary(
    data: DataOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    no_cache: NoCacheOpt = False,
    no_pager: PagerOpt = False,
) -> int:
    """Show the news summary the FAQ is about, with its headline.

    Examples:

    \b
      faq summary
      faq summary --json | jq -r .headline
    """
    store = _store(data, no_cache)
    out = Out(as_json, color, paged=not no_pager)
    if (summary := store.summary) is None:
        if out.json:
            out.json_doc(None)
        hint("this FAQ has no summary")
        return EXIT_NOT_FOUND
    _print_item(out, summary)
    out.close()
    return EXIT_OK


@app.command(short_help="Search as you type, in a full-screen view.")
def browse(
    words: Annotated[
        list[str] | None,
        typer.Argument(metavar="[QUERY...]", help="A query to start with.", show_default=False),
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    no_cache: NoCacheOpt = False,
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
    query = _query(words or [])
    store = _store(data, no_cache)
    if color is Color.never:
        os.environ["NO_COLOR"] = "1"  # Textual's own switch
    from faq_cli.browse import browse as run

    chosen, code = run(store, query)
    if chosen is None:
        return code or EXIT_INTERRUPTED
    _print_item(Out(as_json, color), chosen)
    return EXIT_OK


@app.command(short_help="Check a FAQ file; say where it is wrong.")
def validate(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]", help="FAQ file to check (default: the active one).", show_default=False
        ),
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> int:
    """Check a FAQ file; report each problem where it is.

    Exit 0 when valid, 2 when not.

    Examples:

    \b
      faq validate my-faq.yaml
      FAQ_DATA=my-faq.yaml faq validate
    """
    from faq_cli.errors import DataError
    from faq_cli.load import load_path
    from faq_cli.source import bundled

    # PATH wins over $FAQ_DATA, as --data does; PATH with --data is ambiguous.
    if path is not None and data is not None and ctx.get_parameter_source("data").name == "COMMANDLINE":  # type: ignore[union-attr]
        raise UsageError("give the file to check as PATH or with --data, not both")
    given = path or data
    target = Path(given) if given else bundled()
    try:
        faq = load_path(target)
    except DataError as exc:
        if as_json:
            Out(True, Color.never).json_doc(
                {
                    "valid": False,
                    "file": str(target),
                    "problems": [
                        {"message": p.message, "path": p.path, "line": p.line, "column": p.column}
                        for p in exc.problems
                    ],
                }
            )
        raise
    if as_json:
        Out(True, Color.never).json_doc({"valid": True, "file": str(target), "entries": len(faq.entries)})
    else:
        hint(f"{target}: valid, {len(faq.entries)} entries")
    return EXIT_OK


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


def main() -> None:
    """Console-script entry point."""
    process.standard_streams()
    process.catch_signals()
    try:
        app()
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else EXIT_USAGE
    process.finish(code)
