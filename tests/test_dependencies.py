"""What the pins in pyproject.toml protect: a new Typer must fail here, loudly,
before it can slow every run or break the private import cli.py relies on."""

from __future__ import annotations

import subprocess
import sys


def test_running_a_command_does_not_import_pydantic() -> None:
    # Typer 0.29 and later build pydantic adapters for every parameter when a
    # command runs, which imports pydantic on every run: 150-200 ms of
    # start-up. Hence '<0.29'. The command is run, not only imported.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "faq_cli", "search", "costa", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    imported = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "typer" in imported and not [m for m in imported if m.split(".")[0] == "pydantic"]


def test_the_private_click_exceptions_are_the_ones_typer_raises(run) -> None:  # type: ignore[no-untyped-def]
    # Typer vendors Click from 0.27 on and does not re-export its exceptions;
    # cli.py imports them from typer._click, which the pin keeps in place.
    import typer
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    assert not hasattr(typer, "ClickException")  # when this fails, use the public name
    assert issubclass(NoArgsIsHelpError, ClickException)
    result = run("show", "not-a-number")
    assert result.exit_code == 2 and result.stderr.startswith("faq: error: ")  # caught as a ClickException
