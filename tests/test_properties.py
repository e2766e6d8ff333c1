"""Property-based tests: whatever the file, query or arguments, the CLI never
raises, exits 0, 1 or 2, prints no traceback, and its --json output parses.

CI runs more examples (the "ci" profile, chosen when CI is set)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from faq_cli.cli import app

settings.register_profile(
    "ci",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

runner = CliRunner()
COMMANDS = (["list"], ["show", "1"], ["search", "chain"], ["summary"], ["validate"])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
entry = st.fixed_dictionaries(
    {"question": st.text(min_size=1, max_size=40), "answer": st.text(min_size=1, max_size=80)},
    optional={
        "id": st.integers(min_value=-2, max_value=5),
        "sources": st.lists(st.text(max_size=10), max_size=3),
        "tags": st.lists(st.text(max_size=10), max_size=3),
        "extra": values,
    },
)
faq_like = st.fixed_dictionaries(
    {"entries": st.lists(entry, max_size=5)}, optional={"title": values, "summary": values}
)


def check(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    options = args[: args.index("--")] if "--" in args else args  # after "--", "--json" is a query
    if "--json" in options and result.exit_code != 2:
        json.loads(result.stdout)
    if result.exit_code == 2:  # an error, or the help when no command is given
        assert result.stderr.startswith(("faq: error: ", "Usage: faq")), result.stderr


def run_on(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    for command in COMMANDS:
        check([*command, "--data", str(path)])
        check([*command, "--json", "--data", str(path)])


@given(doc=values | faq_like)
def test_any_yaml_document(tmp_path: Path, doc: object) -> None:
    run_on(tmp_path / "faq.yaml", yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass"))


@given(content=st.binary(max_size=300))
def test_any_bytes(tmp_path: Path, content: bytes) -> None:
    run_on(tmp_path / "faq.yaml", content)


FAQ = Path(__file__).resolve().parent.parent / "data" / "faq.yaml"


@given(query=st.text(max_size=60))
def test_any_query(query: str) -> None:
    check(["search", "--data", str(FAQ), "--json", "--", query])
    check(["search", "--data", str(FAQ), "--exact", "--", query])


tokens = st.sampled_from(
    [
        "list",
        "show",
        "search",
        "summary",
        "validate",
        "schema",
        "--json",
        "--limit",
        "-n",
        "--min-score",
        "--exact",
        "--color",
        "always",
        "never",
        "--no-cache",
        "--",
        "-1",
        "0",
        "8",
        "abc",
        "",
        "--data",
        str(FAQ),
        "--version",
        "--help",
    ]
)


# A real argv cannot hold NUL (execve ends strings there); Typer's Path type
# would meet one with a ValueError from os.stat that no user can cause.
argv_text = st.text(st.characters(blacklist_characters="\x00"), max_size=8)


@given(args=st.lists(tokens | argv_text, max_size=6))
def test_any_arguments(args: list[str]) -> None:
    if "--help" in args or "--version" in args or "schema" in args:
        args = [a for a in args if a != "--json"]  # these print text by design
    check(args)


def test_the_oracle_reads_a_query_after_double_dash_as_a_query() -> None:
    check(["search", "--data", str(FAQ), "--", "--json"])  # text output: "--json" is the query
