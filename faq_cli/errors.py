"""The one error type that reaches the user, and its located problems."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with a FAQ file, located where the file allows."""

    message: str
    path: str = ""  # e.g. "entries[2].answer"; empty for the whole document
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def format(self, file: str) -> str:
        """One line: a name or message holding a newline cannot forge a second."""
        from faq_cli.text import visible

        where = visible(file, one_line=True)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        said = visible(self.message, one_line=True)
        return f"{where}: {visible(self.path, one_line=True)}: {said}" if self.path else f"{where}: {said}"


class FaqError(Exception):
    """A problem a user can cause; the CLI prints it and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DataError(FaqError):
    """The FAQ file cannot be read or is invalid; carries every problem found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.format(file) for p in problems))


class UsageError(FaqError):
    """Bad arguments that Typer's own parsing cannot catch (a blank query, say)."""
