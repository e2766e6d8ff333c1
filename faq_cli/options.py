"""The command line's options and arguments, each defined once and shared by
the commands that take it (as sqlite-utils does), and what completes them."""

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from faq_cli import usage
from faq_cli.output import Color


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"faq {version('faq-cli')}")
        raise typer.Exit()


Version = Annotated[
    bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
]


def _completion(name: str, callback: Callable[[str | None], None], says: str) -> Any:
    """An option of the root that takes a shell's name, handled at once."""
    return typer.Option(
        name, metavar="[SHELL]", callback=callback, is_eager=True, expose_value=False, help=says
    )


InstallCompletion = Annotated[
    str | None,
    _completion(
        "--install-completion",
        usage.install_completion,
        "Install completion for SHELL (bash, zsh, fish, powershell), else for this shell.",
    ),
]
ShowCompletion = Annotated[
    str | None,
    _completion(
        "--show-completion",
        usage.show_completion,
        "Print the completion script for SHELL, else for this shell.",
    ),
]

# Paths arrive as text and become Paths when a FAQ is opened: Typer's own path type
# stats the name while parsing, and a NUL in it raises there.
Data = Annotated[
    str | None,
    typer.Option(
        "--data",
        envvar="FAQ_DATA",
        show_envvar=True,
        metavar="PATH",
        help="FAQ file or http(s) URL to read (default: the bundled FAQ).",
    ),
]


class FormatName(StrEnum):
    """The formats `--format` names (`readers.FORMATS`)."""

    yaml = "yaml"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    markdown = "markdown"
    rst = "rst"
    html = "html"


Format = Annotated[
    FormatName | None,
    typer.Option(
        "--format",
        case_sensitive=False,
        metavar="NAME",
        help="Read the FAQ as yaml, json, csv, tsv, markdown, rst or html (default: by name, then content).",
    ),
]
Level = Annotated[
    int | None,
    typer.Option(
        "--level",
        min=1,
        max=7,
        metavar="N",
        help="The heading level of the questions in Markdown, reStructuredText or HTML (7: <details>).",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON document for scripts.")]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Read the FAQ file afresh, without the index cache.")
]
Pager = Annotated[
    bool,
    typer.Option("--no-pager", help="Print all at once, even when it is taller than the terminal."),
]
ColorWhen = Annotated[
    Color,
    typer.Option(
        "--color",
        case_sensitive=False,
        metavar="WHEN",
        help="Colour: auto (terminals, unless NO_COLOR is set), always or never.",
    ),
]


def complete_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The ids (and 'summary') that begin with `incomplete`, each with its question."""
    from faq_cli.errors import FaqError
    from faq_cli.source import bundled
    from faq_cli.store import open_store

    # While completing, --data (or $FAQ_DATA) arrives unconverted, as a string.
    data = ctx.params.get("data")
    if data and "://" in data:
        return []  # no fetching while a shell completes a word
    try:
        store = open_store(Path(data) if data else bundled())
    except FaqError:
        return []
    found = [(str(e.id), e.question) for e in store.entries() if str(e.id).startswith(incomplete)]
    if store.summary is not None and "summary".startswith(incomplete):
        found.append(("summary", store.summary.headline))
    return found


# Search's own.
Query = Annotated[
    list[str],
    typer.Argument(
        metavar="QUERY...",
        help="What to look for, in your own words; quotes are optional.",
        show_default=False,
    ),
]
Limit = Annotated[int, typer.Option("--limit", "-n", min=1, metavar="N", help="Show at most N results.")]
MinScore = Annotated[
    int,
    typer.Option("--min-score", min=0, max=100, metavar="S", help="Hide results scoring below S (0-100)."),
]
Exact = Annotated[bool, typer.Option("--exact", help="Literal substring search (ignores case and accents).")]
Full = Annotated[
    bool, typer.Option("--full", help="In a terminal, show every result in full, not only the best.")
]


# Arguments.
Id = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="Entry id (see 'faq list'), or 'summary' for the news summary.",
        autocompletion=complete_id,
        show_default=False,
    ),
]
FirstQuery = Annotated[
    list[str] | None,
    typer.Argument(metavar="[QUERY...]", help="A query to start with.", show_default=False),
]
Checked = Annotated[
    str | None,
    typer.Argument(
        metavar="[PATH]", help="FAQ file or URL to check (default: the active one).", show_default=False
    ),
]
Converted = Annotated[
    str,
    typer.Argument(metavar="PATH", help="FAQ file or URL to convert.", show_default=False),
]
