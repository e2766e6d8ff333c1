"""How the command line reads and explains itself, on top of Typer: help that
fits a narrow terminal, Unix usage lines, the common options before the
command as after it (`faq --json search costa`, as git's global options),
and shell completion for the shell that is named."""

import shutil
from typing import Any

import typer
from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperGroup

from faq_cli.errors import UsageError

# Options every command that reads a FAQ takes: given before the command, they
# are moved after it. Those that take a value.
COMMON = {"--json", "--no-cache", "--no-pager"}
COMMON_WITH_VALUE = {"--data", "--color", "--format", "--level"}
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
MAX_QUERY_CHARS = 1000
# Below this many columns, commands are listed with their description under
# their name rather than beside it, where it would be cut short. (Each
# command's short help is a whole sentence of at most 45 characters, which
# is what zsh and fish show beside the command's name as well.)
NARROW_HELP = 60


def hoist(args: list[str], commands: set[str]) -> list[str]:
    """`args` with the common options that come before the command moved to
    just after it: `--data X list` is `list --data X`."""
    before: list[str] = []
    i = 0
    while i < len(args) and args[i] not in commands and args[i] != "--":
        name = args[i].split("=", 1)[0]
        if name not in COMMON | COMMON_WITH_VALUE:
            return args  # --help, --version, a mistake: Click says what it is
        takes = name in COMMON_WITH_VALUE and "=" not in args[i]
        before += args[i : i + 1 + takes]
        i += 1 + takes
    if not before or i >= len(args) or args[i] not in commands:
        return args
    return [args[i], *before, *args[i + 1 :]]


class HelpGroup(TyperGroup):
    """Typer's group, with help that fits the terminal it is shown in."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Click never wraps help narrower than 50 columns, which garbles it in a
        # narrower terminal; follow the terminal down to 20 instead.
        columns = shutil.get_terminal_size().columns
        self.context_settings.setdefault("terminal_width", max(min(columns, 80) - 2, 20))
        return super().main(*args, **kwargs)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        if formatter.width >= NARROW_HELP:
            super().format_commands(ctx, formatter)
            return
        with formatter.section("Commands"):
            for name in self.list_commands(ctx):
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                formatter.write_text(name)
                with formatter.indentation():
                    formatter.write_text(command.get_short_help_str(limit=200))


_typer_metavar = TyperArgument.make_metavar


def _metavar(self: TyperArgument, ctx: Any, *, usage: bool = False) -> str:
    # Usage lines read 'faq search [OPTIONS] QUERY...', as Unix tools write them;
    # Typer would print '{QUERY...}'. Our arguments all name their metavar.
    return self.metavar if self.metavar is not None else _typer_metavar(self, ctx, usage=usage)


class _FittedFormatter(HelpFormatter):
    """Click's help formatter, whose first column (option names) takes at most
    a third of a narrow terminal: a long name then gets a line of its own,
    rather than leaving its description a few letters a line."""

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl(rows, min(col_max, max(10, self.width // 3)), col_spacing)


def fit_help() -> None:
    """Usage lines and help as above, for every command. (Typer offers no hook
    for either; both are set on its classes, once, here.)"""
    TyperArgument.make_metavar = _metavar  # type: ignore[method-assign]
    Context.formatter_class = _FittedFormatter


def optional_values(args: list[str]) -> list[str]:
    """`args`, where --install-completion and --show-completion given with no
    shell's name get an empty one (this shell's)."""
    out = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg in ("--install-completion", "--show-completion"):
            following = args[i + 1] if i + 1 < len(args) else "-"
            if following.startswith("-") or following in ("list", "show", "search", "summary"):
                out.append("")
    return out


def _shell(named: str) -> str:
    """The shell named, or this one's; a usage error when it is none we serve."""
    from typer._completion_shared import _get_shell_name

    shell = named or _get_shell_name() or ""
    if shell not in SHELLS:
        if not named:
            raise UsageError("cannot tell which shell this is; name it: faq --install-completion zsh")
        raise UsageError(f"no completion for {shell!r}; it is for {', '.join(SHELLS)}")
    return shell


def install_completion(value: str | None) -> None:
    """--install-completion [SHELL]: completion for the shell named, else this one."""
    if value is None:
        return
    from typer._completion_shared import install

    _zsh_quoting()
    shell, path = install(shell=_shell(value), prog_name="faq", complete_var="_FAQ_COMPLETE")
    print(f"{shell} completion installed in {path}; it works in new shells")
    raise typer.Exit()


def show_completion(value: str | None) -> None:
    """--show-completion [SHELL]: the completion script, to install by hand."""
    if value is None:
        return
    from typer._completion_shared import get_completion_script

    print(get_completion_script(prog_name="faq", complete_var="_FAQ_COMPLETE", shell=_shell(value)))
    raise typer.Exit()


def _zsh_quoting() -> None:
    """Typer's zsh completion doubles an apostrophe inside the single quotes
    zsh reads its answer in, which drops it ("entrys"); quote it as zsh does."""
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import ZshComplete, completion_init

    class Zsh(ZshComplete):
        def format_completion(self, item: Any) -> str:
            def escape(s: str) -> str:
                s = s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
                return s.replace(":", "\\:").replace("'", "'\\''")

            value = escape(item.value)
            return f'"{value}":"{escape(item.help)}"' if item.help else f'"{value}"'

    completion_init()
    add_completion_class(Zsh, "zsh")


def completion_answer() -> None:
    """Answer the shell's completion request with zsh quoted right."""
    _zsh_quoting()


def query(words: list[str]) -> str:
    """The query words as one query ('faq search costa rica' is 'faq search
    "costa rica"'), within the length limit."""
    # Bytes that are not UTF-8 arrive as lone surrogates; they are no text to search.
    query = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in " ".join(words))
    if len(query) > MAX_QUERY_CHARS:
        raise UsageError(f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    return query
