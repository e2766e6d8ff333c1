"""The command line as users and scripts see it: exit codes, stdout and stderr
separately, JSON shape, plain output in pipes and Rich output in terminals."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import ClassVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
ENTRY_KEYS = ["id", "question", "answer", "sources", "tags"]

CASES = {
    "list": ["list"],
    "show": ["show", "8"],
    "search": ["search", "Costa Rica"],
    "summary": ["summary"],
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_golden_output(run, name: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    args = CASES[name] + (["--json"] if fmt == "json" else [])
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    golden = GOLDEN / f"{name}.{'json' if fmt == 'json' else 'txt'}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
        pytest.fail(f"{golden.name} rewritten; check the diff and run the tests again without UPDATE_GOLDEN")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_plain_output_has_no_escape_codes_or_boxes(run) -> None:  # type: ignore[no-untyped-def]
    for args in CASES.values():
        out = run(*args).stdout
        assert "\x1b" not in out and "─" not in out and "│" not in out


def test_search_json_contract(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "Costa Rica", "--json")
    hits = json.loads(result.stdout)
    assert [list(h) for h in hits] == [[*ENTRY_KEYS, "score", "matched", "kind"]] * len(hits)
    assert hits[0]["id"] == 8 and hits[0]["kind"] == "entry"
    assert 50 < hits[0]["score"] <= 100 and hits[0]["score"] >= max(h["score"] for h in hits)
    assert hits[0]["matched"] == ["tags", "answer"]


def test_list_and_show_json_contract(run) -> None:  # type: ignore[no-untyped-def]
    entries = json.loads(run("list", "--json").stdout)
    assert [list(e) for e in entries] == [ENTRY_KEYS] * 8
    assert json.loads(run("show", "4", "--json").stdout)["sources"] == []
    assert list(json.loads(run("summary", "--json").stdout)) == ["headline", "text", "source"]


def test_json_is_utf8_not_ascii_escaped(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("entries:\n- question: ¿Qué es México?\n  answer: Un país.\n")
    result = run("list", "--json", "--data", str(path))
    assert "¿Qué es México?" in result.stdout


def test_nothing_found_exits_1_with_empty_json_and_stderr_message(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "pizza recipe", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert result.stderr == "faq: nothing found for 'pizza recipe'\n"


def test_did_you_mean_hint(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "benefts", "pizza")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.endswith("faq: did you mean: faq search 'benefits pizza'?\n")
    for query in ("x", "xylophone", "the pizza"):
        assert "did you mean" not in run("search", query).stderr


def test_show_unknown_id_names_valid_ids(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "99")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "faq: error: no entry with id 99; valid ids: 1-8\n"
    as_json = run("show", "99", "--json")
    assert (as_json.exit_code, as_json.stdout) == (1, "null\n")


@pytest.mark.parametrize(
    "args",
    [
        ["search", ""],
        ["search", "   "],
        ["search", "x", "-n", "0"],
        ["search", "x", "-n", "abc"],
        ["show", "abc"],
        ["nope"],
        ["search", "x", "--color", "purple"],
    ],
)
def test_usage_errors_exit_2_on_stderr_only(run, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("faq: error: ")
    assert "Traceback" not in result.stderr


def test_invalid_data_exits_2_with_located_error(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("entries:\n- question: q\n  answer: ''\n")
    result = run("list", "--data", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"faq: error: {path}:3:11: entries[0].answer: expected a non-empty string\n"


def test_data_option_wins_over_environment(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    env_file = faq_file("entries:\n- {question: from env, answer: a}\n", "env.yaml")
    opt_file = faq_file("entries:\n- {question: from option, answer: a}\n", "opt.yaml")
    assert run("list", env={"FAQ_DATA": str(env_file)}).stdout == "1\tfrom env\n"
    assert run("list", "--data", str(opt_file), env={"FAQ_DATA": str(env_file)}).stdout == "1\tfrom option\n"


def test_validate(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    ok = run("validate", str(ROOT / "data" / "faq.yaml"))
    assert (ok.exit_code, ok.stdout) == (0, "")
    assert "valid, 8 entries" in ok.stderr
    bad = faq_file("entries:\n- question: q\n  anwser: a\n")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"faq: error: {bad}:2:3: entries[0].answer: missing; expected a non-empty string",
        f"faq: error: {bad}:3:3: entries[0].anwser: unknown key; did you mean 'answer'?",
    ]
    report = json.loads(run("validate", str(bad), "--json").stdout)
    assert report["valid"] is False and [p["line"] for p in report["problems"]] == [2, 3]


def test_schema_is_json_schema_and_matches_data(run) -> None:  # type: ignore[no-untyped-def]
    schema = json.loads(run("schema").stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["properties"]["entries"]["items"]["required"] == ["question", "answer"]


def test_version(run) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    assert run("--version").stdout == f"faq {version('faq-cli')}\n"


def test_every_command_help_leads_with_examples(run) -> None:  # type: ignore[no-untyped-def]
    for name in ["list", "show", "search", "summary", "validate", "schema"]:
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout and f"faq {name}" in result.stdout
    assert "Exit codes:" in run("--help").stdout


def test_rich_output_when_forced(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "Costa Rica", "--color", "always")
    assert result.exit_code == 0
    assert "╭" in result.stdout and "\x1b[" in result.stdout  # a panel, in colour
    assert "\x1b[1;33mCosta\x1b[0m" in result.stdout  # matched word highlighted


def test_no_color_env_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from faq_cli.output import Color, Out

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert Out(False, Color.auto).color is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert Out(False, Color.auto).color is False and Out(False, Color.auto).terminal is True
    assert Out(False, Color.always).color is True


def test_query_starting_with_dash_after_double_dash(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("entries:\n- {question: What does -verbose do?, answer: It talks.}\n")
    result = run("search", "--data", str(path), "--", "-verbose")
    assert result.exit_code == 0 and result.stdout.startswith("1\t")


def test_show_completion_offers_ids_with_questions() -> None:
    from faq_cli.options import complete_id

    class Ctx:
        params: ClassVar[dict[str, object]] = {}

    items = complete_id(Ctx(), "")  # type: ignore[arg-type]
    assert items[7] == (
        "8",
        "Are there any other international partnerships for semiconductor supply chains involving the US?",
    )
    assert items[-1] == ("summary", "US, Mexico to partner on semiconductor supply chain development")
    assert [i for i, _ in complete_id(Ctx(), "3")] == ["3"]  # type: ignore[arg-type]


def test_terminal_list_of_many_entries_is_one_table(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("entries:\n" + "".join(f"- {{question: Question {i}?, answer: a}}\n" for i in range(450)))
    out = run("list", "--data", str(path), "--color", "always").stdout  # Rich, though not a terminal
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()
    assert sum("Question" in line and "ID" in line for line in lines) == 1  # one header
    rows = [line.split() for line in lines if line.strip()[:1].isdigit()]
    assert [int(r[0]) for r in rows] == list(range(1, 451))
    assert len({line.index("Question") for line in lines if line.strip()[:1].isdigit()}) == 1  # aligned


@pytest.mark.parametrize(
    ("tty", "elapsed", "shown"), [(True, 0.5, False), (True, 2.0, True), (False, 2.0, False)]
)
def test_progress_bar_only_on_a_terminal_after_a_second(
    monkeypatch: pytest.MonkeyPatch, tty: bool, elapsed: float, shown: bool
) -> None:
    from faq_cli import output

    now = [100.0]
    monkeypatch.setattr(output.time, "monotonic", lambda: now[0])
    monkeypatch.setattr("sys.stderr.isatty", lambda: tty)
    with output.Progress() as progress:
        now[0] += elapsed
        progress("Reading", 1000, None)
        assert (progress.bar is not None) is shown


def test_show_completion_reads_the_faq_named_by_faq_data(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("entries:\n- {id: 42, question: Only one?, answer: Yes.}\n")
    env = {"FAQ_DATA": str(path), "_FAQ_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "faq show "}
    result = run(env=env)
    assert result.exit_code == 0, result.output
    assert '"42":"Only one?"' in result.stdout
    assert "Traceback" not in result.output


def test_bare_faq_prints_help_on_stdout_and_exits_0(run) -> None:  # type: ignore[no-untyped-def]
    result = run()
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: faq") and "search" in result.stdout
    assert result.stderr == ""


def test_an_unquoted_query_is_the_rest_of_the_arguments(run) -> None:  # type: ignore[no-untyped-def]
    unquoted = run("search", "costa", "rica", "--json")
    quoted = run("search", "costa rica", "--json")
    assert unquoted.exit_code == 0 and unquoted.stderr == ""
    assert unquoted.stdout == quoted.stdout
    assert json.loads(unquoted.stdout)[0]["id"] == 8
    dashed = run("search", "--json", "--", "-costa", "rica")  # after "--", words may start with "-"
    assert dashed.exit_code == 0 and json.loads(dashed.stdout)[0]["id"] == 8


def test_validate_refuses_a_path_and_data_together(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    good = str(ROOT / "data" / "faq.yaml")
    bad = str(faq_file("entries:\n- question: q\n  answer: ''\n"))
    both = run("validate", bad, "--data", good)
    assert (both.exit_code, both.stdout) == (2, "")
    assert both.stderr == "faq: error: give the file to check as PATH or with --data, not both\n"
    env_and_path = run("validate", good, env={"FAQ_DATA": bad})  # PATH wins over $FAQ_DATA
    assert env_and_path.exit_code == 0 and "valid, 8 entries" in env_and_path.stderr


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("search", "faq search [OPTIONS] QUERY..."),
        ("show", "faq show [OPTIONS] ID"),
        ("validate", "faq validate [OPTIONS] [PATH]"),
    ],
)
def test_usage_lines_name_arguments_the_unix_way(run, command: str, usage: str) -> None:  # type: ignore[no-untyped-def]
    assert run(command, "--help").stdout.splitlines()[0] == f"Usage: {usage}"


@pytest.mark.parametrize(
    "command", [[], ["search"], ["list"], ["show"], ["summary"], ["browse"], ["validate"], ["schema"]]
)
def test_help_reads_cleanly_at_40_columns(command: list[str], tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "40", "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "faq_cli", *command, "--help"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        assert len(line) <= 40, line  # examples too: none is hard-wrapped by the terminal
        assert not line.startswith((",", ".")), line  # no word broken across lines
    if not command:  # every command, with its description whole under its name
        assert "  search\n    Search the FAQ; best match first.\n" in proc.stdout


def test_layout_details(run, faq_file, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(
        "entries:\n- {id: 1, question: Short?, answer: a, tags: [x]}\n- {id: 2, question: Tiny, answer: b}\n"
    )
    table = run("list", "--data", str(path), "--color", "always").stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", table)
    header = next(line for line in plain.splitlines() if "Question" in line)
    assert header.index("ID") <= 2  # short questions leave the ids where they are
    assert run("show", "1", "--data", str(path)).stdout == "Short?\n\na\n\nTags: x\n"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text("entries:\n- question: q\n  answer: ''\n")
    for command in (["list"], ["validate"]):  # the file named as typed, wherever the error arises
        assert run(*command, "--data", "bad.yaml").stderr.startswith("faq: error: bad.yaml:3:11: ")


PYTHON_FAQ = str(ROOT / "tests" / "eval" / "python-faq.yaml")


def test_show_summary_prints_what_search_results_name_summary(run) -> None:  # type: ignore[no-untyped-def]
    first = run("search", "mexico").stdout.splitlines()[0].split("\t")[0]
    assert first == "summary"  # the news summary ranks first for the FAQ's own subject
    shown = run("show", first)
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout == run("summary").stdout
    assert run("show", "summary", "--json").stdout == run("summary", "--json").stdout
    assert run("show", " Summary ").stdout == shown.stdout  # as typed, in any case


def test_a_hit_in_a_pipe_is_one_line_of_six_fields_whatever_its_text(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file(
        "entries:\n"
        '- question: "Where do\\tkeys go?"\n'
        '  answer: "First paragraph about keys.\\n\\nSecond one,\\n  with code."\n'
        '  sources: ["a\\nb"]\n'
        '  tags: ["keys"]\n'
        "- question: Where do locks go?\n  answer: Keys and locks.\n"
    )
    result = run("search", "keys", "--data", str(path))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(len(line.split("\t")) == 6 for line in lines), lines
    first = lines[0].split("\t")
    answer = "First paragraph about keys.\\n\\nSecond one,\\n  with code."
    assert first[2:5] == ["Where do\\tkeys go?", answer, "a\\nb"]


def test_show_summary_of_a_faq_without_one_exits_1(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "summary", "--data", PYTHON_FAQ)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "faq: this FAQ has no summary\n")
    assert run("show", "summary", "--json", "--data", PYTHON_FAQ).stdout == "null\n"


def test_show_refuses_an_id_that_is_neither_a_number_nor_summary(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "3.5")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "faq: error: ID must be an entry's number or 'summary', not '3.5'\n"


def test_a_word_found_only_in_answers_is_found(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "numpy", "--json", "--data", PYTHON_FAQ)
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits and all("numpy" in (h["question"] + h["answer"]).lower() for h in hits)
    assert {tuple(h["matched"]) for h in hits} == {("answer",)}


def test_a_prefix_finds_every_entry_with_words_it_begins(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "semicond", "-n", "50", "--json")
    ids = [h["id"] for h in json.loads(result.stdout)]
    entries = json.loads(run("list", "--json").stdout)
    expected = [e["id"] for e in entries if "semicond" in (e["question"] + e["answer"]).lower()]
    assert len(expected) >= 8 and sorted(i for i in ids if i is not None) == sorted(expected)

    def found(query: str) -> list[object]:
        return [h["id"] for h in json.loads(run("search", query, "--json").stdout)]

    assert found("canad") == found("canada") != []  # the word being typed


def test_equal_scores_go_to_the_question_in_the_query_s_word_order(run) -> None:  # type: ignore[no-untyped-def]
    for query, first, second in [
        ("how do I convert a string to a number", 49, 50),
        ("how do I convert a number to a string", 50, 49),
    ]:
        hits = json.loads(run("search", query, "--json", "--data", PYTHON_FAQ).stdout)
        assert [h["id"] for h in hits[:2]] == [first, second]
        assert hits[0]["score"] == hits[1]["score"]  # a tie, which the word order breaks
        top = run("search", query, "-n", "1", "--data", PYTHON_FAQ).stdout
        assert top.startswith(f"{first}\t")


def test_a_min_score_that_hides_every_result_says_so(run) -> None:  # type: ignore[no-untyped-def]
    scores = [h["score"] for h in json.loads(run("search", "costa rica", "--json").stdout)]
    above = max(scores) + 1
    result = run("search", "costa rica", "--min-score", str(above))
    assert (result.exit_code, result.stdout) == (1, "")
    many = f"{len(scores)} result{'s' * (len(scores) > 1)}"
    assert result.stderr == (
        f"faq: {many} scored below {above} (the best: {max(scores)}); try a lower --min-score\n"
    )
    # At the best score itself, the best result is still shown.
    assert run("search", "costa rica", "--min-score", str(max(scores))).exit_code == 0


def test_a_query_of_common_words_only_says_so(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "how", "do", "I", "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert result.stderr == (
        "faq: nothing found for 'how do I'\n"
        "faq: the query has only common words (such as 'how' or 'the'); add one that says what you want\n"
    )


def test_nothing_found_that_exact_would_find_suggests_exact(run) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "ython", "--data", PYTHON_FAQ)
    assert (result.exit_code, result.stdout) == (1, "")
    hint = "faq: try --exact: it finds the query as written"
    assert result.stderr == f"faq: nothing found for 'ython'\n{hint}\n"
    assert run("search", "--exact", "ython", "--data", PYTHON_FAQ).exit_code == 0
    assert "--exact" not in run("search", "xylophone").stderr  # nothing to find as written either


def test_a_query_of_1000_characters_is_searched_and_1001_refused(run) -> None:  # type: ignore[no-untyped-def]
    at_limit = run("search", "costa " + "x" * 994)
    assert at_limit.exit_code in (0, 1) and "limit" not in at_limit.stderr
    over = run("search", "costa " + "x" * 995)
    assert (over.exit_code, over.stdout) == (2, "")
    assert over.stderr == "faq: error: the query is 1,001 characters long; the limit is 1,000\n"


def test_summary_of_a_faq_without_one_exits_1(run) -> None:  # type: ignore[no-untyped-def]
    result = run("summary", "--data", PYTHON_FAQ)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "faq: this FAQ has no summary\n")
    assert run("summary", "--data", PYTHON_FAQ, "--json").stdout == "null\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["--json", "search", "costa"], ["search", "costa", "--json"]),
        (["--data", PYTHON_FAQ, "list"], ["list", "--data", PYTHON_FAQ]),
        ([f"--data={PYTHON_FAQ}", "--color", "never", "show", "36"], ["show", "36", "--data", PYTHON_FAQ]),
        (["--no-cache", "--no-pager", "summary"], ["summary"]),
    ],
)
def test_the_common_options_may_come_before_the_command(run, before: list[str], after: list[str]) -> None:  # type: ignore[no-untyped-def]
    first, then = run(*before), run(*after)
    assert (first.exit_code, first.stdout, first.stderr) == (then.exit_code, then.stdout, then.stderr)
    assert first.exit_code == 0 and first.stdout


def test_the_command_s_own_option_wins_over_one_before_it(run) -> None:  # type: ignore[no-untyped-def]
    both = run("--data", "/no/such.yaml", "list", "--data", PYTHON_FAQ)
    assert both.exit_code == 0 and both.stdout.startswith("1\tWhat is Python?")


def test_an_unknown_option_before_the_command_is_still_an_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--frobnicate", "list")
    assert result.exit_code == 2 and "No such option" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_of_the_shell_named(run, shell: str) -> None:  # type: ignore[no-untyped-def]
    result = run("--show-completion", shell, env={"SHELL": "/bin/bash"})
    assert result.exit_code == 0
    mark = {"bash": "complete -o default", "zsh": "#compdef faq", "fish": "complete --command faq"}[shell]
    assert mark in result.stdout


def test_completion_for_a_shell_it_does_not_serve_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--install-completion", "tcsh")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr == "faq: error: no completion for 'tcsh'; it is for bash, zsh, fish, powershell, pwsh\n"
    )


def test_zsh_completion_keeps_apostrophes_and_whole_sentences(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed: zsh's completion of ids goes untested here")
    env = {
        **os.environ,
        "_TYPER_COMPLETE_ARGS": "faq ",
        "_FAQ_COMPLETE": "complete_zsh",
        "XDG_CACHE_HOME": str(tmp_path),
    }
    # What zsh makes of the answer: its own quoting, with _arguments shown instead of run.
    script = f'function _arguments {{ print -r -- "$@" }}; eval $({sys.executable} -m faq_cli)'
    shown = subprocess.run([zsh, "-c", script], env=env, capture_output=True, text=True).stdout
    assert '"list":"List every entry\'s id and question."' in shown
    assert "..." not in shown


def test_a_run_builds_only_the_command_it_runs() -> None:
    from faq_cli.cli import app, only

    def names(args: list[str]) -> list[str | None]:
        return [c.name or getattr(c.callback, "__name__", None) for c in only(app, args).registered_commands]

    assert names(["search", "costa"]) == ["search"]
    assert names(["--json", "--data", "x.md", "list"]) == ["list"]  # the options before it hoisted
    everything = names([])
    assert len(everything) == len(app.registered_commands) >= 8
    assert names(["--help"]) == names(["serch", "x"]) == names(["--version"]) == everything
