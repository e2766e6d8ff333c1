"""The command line: Typer wiring only. Parses arguments, calls the other
modules, picks a renderer, and maps errors to exit codes in one place."""

# No `from __future__ import annotations` here: Typer would eval every
# annotation string on each run; names only mypy needs are quoted instead.

import contextlib
import errno
import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

# Typer vendors Click from 0.27 on; its exceptions are not re-exported.
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperArgument, TyperGroup

from faq_cli.errors import FaqError, UsageError
from faq_cli.output import Color, Out, Progress

if TYPE_CHECKING:
    from faq_cli.model import Entry, Summary
    from faq_cli.store import Store

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141
EXIT_SIGNAL = 128  # plus the signal's number, as a shell reports a program it ended
MAX_QUERY_CHARS = 1000

EPILOG = (
    "Exit codes: 0 found, 1 nothing found, 2 usage error or bad data, 130 interrupted, "
    "141 output pipe closed.  "
    "Data: --data PATH, else $FAQ_DATA, else the bundled FAQ."
)


class FaqGroup(TyperGroup):
    """Runs the command and turns every expected failure into one stderr line
    and an exit code, so no user mistake ends in a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> NoReturn:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        _standard_streams()
        # Click never wraps help narrower than 50 columns, which garbles it in a
        # narrower terminal; follow the terminal down to 20 instead.
        import shutil

        columns = shutil.get_terminal_size().columns
        self.context_settings.setdefault("terminal_width", max(min(columns, 80) - 2, 20))
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
        except _Signalled as exc:
            code = EXIT_SIGNAL + exc.signum
        except _PipeClosed:
            code = _broken_pipe()
        except OSError as exc:  # FAQ files and the cache have their own errors: this is the output
            code = _unwritable(exc)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = _broken_pipe()
        except OSError as exc:
            code = _unwritable(exc)
        sys.exit(code)

    def invoke(self, ctx: Any) -> Any:
        # Click turns a closed pipe into exit 1, which means "nothing found"
        # here; carry it past Click instead, to exit as SIGPIPE would.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _PipeClosed from None


_typer_metavar = TyperArgument.make_metavar


def _metavar(self: TyperArgument, ctx: Any, *, usage: bool = False) -> str:
    # Usage lines read 'faq search [OPTIONS] QUERY...', as Unix tools write them;
    # Typer would print '{QUERY...}'. Our arguments all name their metavar.
    return self.metavar if self.metavar is not None else _typer_metavar(self, ctx, usage=usage)


TyperArgument.make_metavar = _metavar  # type: ignore[method-assign]


class _PipeClosed(Exception):
    pass


class _Signalled(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so that it cleans up as
    for Ctrl-C (a half-built cache is removed) and exits as the signal would."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> None:
    raise _Signalled(signum)


def _catch_signals() -> None:
    import signal

    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup's choice stands
            signal.signal(signum, _on_signal)


class _ClosedOutput(io.TextIOBase):
    """Standard output that the shell closed (`faq list >&-`): writing to it
    is an error, as writing to a full disk is; nothing is lost silently."""

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    @property
    def buffer(self) -> "_ClosedOutput":
        return self


def _standard_streams() -> None:
    """Stand-ins for the streams the shell closed (`>&-`, `2>&-`, `<&-`). Their
    descriptors get /dev/null, so that no file opened later takes one of
    them; stdin reads nothing, diagnostics go nowhere, output is an error."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        stand_in = _ClosedOutput() if name == "stdout" else open(fd, "r" if fd == 0 else "w", closefd=False)  # noqa: SIM115
        setattr(sys, name, stand_in)


def _broken_pipe() -> int:
    # The reader went away (`faq list | head -1`): stop quietly.
    _drop_stdout()
    return EXIT_PIPE


def _drop_stdout() -> None:
    # What is still buffered could never be written: send it nowhere, so that
    # no later flush complains.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _unwritable(exc: OSError) -> int:
    # A full disk (`faq list > /dev/full`): say so, and exit as for any other error.
    error(f"cannot write output: {exc.strerror or exc}")
    _drop_stdout()
    return EXIT_USAGE


def error(message: str) -> None:
    print(f"faq: error: {_safe(message)}", file=sys.stderr)


def hint(message: str) -> None:
    print(f"faq: {_safe(message)}", file=sys.stderr)


def _safe(message: str) -> str:
    from faq_cli.text import visible

    return visible(message, one_line=True)


app = typer.Typer(
    cls=FaqGroup,
    name="faq",
    help="Answer questions from a FAQ file: list, show, search and summarise it.",
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
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


@app.command("list")
def list_(
    data: DataOpt = None, as_json: JsonOpt = False, color: ColorOpt = Color.auto, no_cache: NoCacheOpt = False
) -> None:
    """List every entry's id and question.

    Examples:

    \b
      faq list
      faq list --json | jq -r '.[].question'
      faq list | grep -i canada
    """
    from faq_cli import render

    store, out = _store(data, no_cache), Out(as_json, color)
    if out.json:
        out.json_doc([render.entry_dict(e) for e in store.entries()])
    elif not len(store):
        hint("this FAQ has no entries")
    elif out.rich:
        render.rich_list(out.console(), store.title, store.entries(), store.id_width())
    else:
        out.lines(render.plain_list(store.entries()))


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


@app.command()
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
) -> int:
    """Show one entry in full: question, answer, sources.

    'summary' shows the news summary, as search results name it.

    Examples:

    \b
      faq show 8
      faq show 8 --json | jq -r .answer
      faq show "$(faq search mexico | head -1 | cut -f1)"
    """
    if entry_id.strip().casefold() == "summary":
        return summary(data, as_json, color, no_cache)
    try:
        number = int(entry_id)
    except ValueError:
        raise UsageError(f"ID must be an entry's number or 'summary', not {entry_id!r}") from None
    store, out = _store(data, no_cache), Out(as_json, color)
    entry = store.get(number)
    if entry is None:
        ids = store.ids()
        valid = _ranges(ids) if ids else "none, the FAQ is empty"
        error(f"no entry with id {number}; valid ids: {valid}")
        if out.json:
            out.json_doc(None)  # a script still gets one JSON document
        return EXIT_NOT_FOUND
    _print_item(out, entry)
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


@app.command()
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
    data: DataOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    no_cache: NoCacheOpt = False,
) -> int:
    """Search questions, answers, sources and tags; best match first.

    Examples:

    \b
      faq search costa rica
      faq search is canada involved too -n 1
      faq search "Costa Rica" --json | jq -r '.[0].answer'
      faq search -- "-flag"          (a query starting with "-")
    """
    from faq_cli import render

    query = _query(words)
    if not query.strip():
        raise UsageError("the query is empty; try 'faq search \"Costa Rica\"'")
    store, out = _store(data, no_cache), Out(as_json, color)
    if exact:
        hits = [h for h in store.exact(query, limit) if h.score >= min_score]
    else:
        hits = store.search(query, limit, min_score)
    if out.json:
        out.json_doc([render.hit_dict(h) for h in hits])
    elif out.rich:
        render.rich_hits(out.console(), hits)
    else:
        out.lines(render.plain_hits(hits))
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


@app.command()
def summary(
    data: DataOpt = None, as_json: JsonOpt = False, color: ColorOpt = Color.auto, no_cache: NoCacheOpt = False
) -> int:
    """Show the news summary the FAQ is about, with its headline.

    Examples:

    \b
      faq summary
      faq summary --json | jq -r .headline
    """
    store, out = _store(data, no_cache), Out(as_json, color)
    if (summary := store.summary) is None:
        if out.json:
            out.json_doc(None)
        hint("this FAQ has no summary")
        return EXIT_NOT_FOUND
    _print_item(out, summary)
    return EXIT_OK


@app.command()
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


@app.command()
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


@app.command()
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
    _standard_streams()
    _catch_signals()
    try:
        app()
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else EXIT_USAGE
    # Every file is closed and every cache written by now: skip the interpreter's
    # teardown, which takes about 10 ms once Typer is loaded, a third of our
    # start-up budget. Only the output buffers need flushing.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            code = code or EXIT_PIPE
        except OSError as exc:
            code = _unwritable(exc)
    os._exit(code)
