"""Loading and validation: the data as shipped, and every problem located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faq_cli.errors import DataError
from faq_cli.load import load_path, load_text
from faq_cli.source import bundled

ROOT = Path(__file__).resolve().parent.parent
# The seed document the shipped FAQ is copied from; kept here too, so that the
# test runs wherever the repository is (../shared is only beside our checkouts).
SEED = ROOT / "tests" / "fixtures" / "partnership-faq.txt"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "partnership-faq.txt"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def problems(text: str) -> list[str]:
    with pytest.raises(DataError) as info:
        load_text(text, "f.yaml")
    return str(info.value).splitlines()


def test_shipped_faq_has_eight_entries_in_document_order() -> None:
    faq = load_path(ROOT / "data" / "faq.yaml")
    assert [e.id for e in faq.entries] == list(range(1, 9))
    assert faq.summary is not None and faq.summary.source == "Link"


def test_bundled_resource_is_the_repository_file() -> None:
    from importlib.resources import files

    assert bundled().read_bytes() == (ROOT / "data" / "faq.yaml").read_bytes()
    assert bundled().read_bytes() == files("faq_cli.data").joinpath("faq.yaml").read_bytes()


@pytest.mark.skipif(
    not SHARED_SEED.exists(), reason="../shared is beside our checkouts only; the copy is tested"
)
def test_the_seed_copy_is_the_shared_seed() -> None:
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_text_is_verbatim_from_the_seed() -> None:
    seed = squash(SEED.read_text(encoding="utf-8"))
    faq = load_path(ROOT / "data" / "faq.yaml")
    for e in faq.entries:
        assert f"{e.id}. {squash(e.question)}" in seed
        assert f"- {squash(e.answer)} (Source:" in seed
    assert faq.summary is not None and squash(faq.summary.text) in seed


def test_damaged_sources_are_recorded_honestly() -> None:
    entries = {e.id: e for e in load_path(ROOT / "data" / "faq.yaml").entries}
    assert entries[4].sources == ()
    assert entries[5].sources == entries[7].sources == ("White House",)
    assert entries[2].sources == ("Reuters", "State Department")
    assert "7 to 8 hours ago" in entries[2].answer


def test_ids_default_to_position() -> None:
    faq = load_text("entries:\n- question: q1\n  answer: a1\n- question: q2\n  answer: a2\n", "f")
    assert [e.id for e in faq.entries] == [1, 2]


def test_every_problem_is_reported_with_line_and_column_in_file_order() -> None:
    text = (
        "entries:\n"
        "  - id: 1\n"
        "    quesiton: What?\n"
        "    answer: ''\n"
        "  - id: 1\n"
        "    question: yes\n"
        "    answer: fine\n"
        "    tags: [ok, 3]\n"
    )
    assert problems(text) == [
        "f.yaml:2:5: entries[0].question: missing; expected a non-empty string",
        "f.yaml:3:5: entries[0].quesiton: unknown key; did you mean 'question'?",
        "f.yaml:4:13: entries[0].answer: expected a non-empty string",
        "f.yaml:5:9: entries[1].id: duplicate id 1 (also entries[0])",
        'f.yaml:6:15: entries[1].question: expected a non-empty string, got a boolean (quote it: "yes")',
        'f.yaml:8:16: entries[1].tags[1]: expected a non-empty string, got an integer (quote it: "3")',
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n", "f.yaml:1:1: (top level): expected a mapping, got a list"),
        ("title: x\n", "f.yaml:1:1: entries: missing; expected a list of entries"),
        ("entries: 3\n", "f.yaml:1:10: entries: expected a list, got an integer"),
        ("entries: []\nentries: []\n", "f.yaml:2:1: duplicate key 'entries' (first at line 1)"),
        ("entries:\n\t- x\n", "f.yaml:2:1: not valid YAML"),
        (
            "x: !!python/object/apply:os.system [echo]\n",
            "f.yaml:1:4: tag '!!python/object/apply:os.system' is not allowed",
        ),
        ("a: &x 1\nb: *x\n", "f.yaml:2:4: aliases (*x) are not supported"),
        ("entries: []\n---\nentries: []\n", "f.yaml:2:1: a FAQ file holds one YAML document"),
        ("", "f.yaml: the file is empty"),
        (
            "entries:\n- id: 0\n  question: q\n  answer: a\n",
            "f.yaml:2:7: entries[0].id: expected a positive integer",
        ),
    ],
)
def test_structural_problems(text: str, expected: str) -> None:
    assert any(line.startswith(expected) for line in problems(text)), problems(text)


def test_tab_indentation_says_so() -> None:
    assert "tab" in problems("entries:\n\t- x\n")[0]


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_an_unquoted_colon_in_a_value_says_to_quote_it(loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from faq_cli import load

    monkeypatch.setattr(load, "_Loader", getattr(yaml, loader, yaml.SafeLoader))
    found = problems("entries:\n- question: Note: how do I\n  answer: a\n")
    assert len(found) == 1
    assert found[0].startswith("f.yaml:2:17: not valid YAML: mapping values are not allowed")
    assert found[0].endswith(" (a value containing ': ' must be quoted)")


def test_a_quoted_id_says_it_is_a_string() -> None:
    assert problems('entries:\n- id: "3"\n  question: q\n  answer: a\n') == [
        "f.yaml:2:7: entries[0].id: expected a positive integer, got the string '3'; write 3 without quotes"
    ]


def test_unknown_key_without_close_match_lists_allowed_keys() -> None:
    assert problems("entries: []\ncolour: red\n") == [
        "f.yaml:2:1: colour: unknown key (allowed: title, summary, entries)"
    ]


def test_non_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"entries:\n- question: caf\xe9\n  answer: a\n")
    with pytest.raises(DataError, match=r"latin1.yaml:2:16: not valid UTF-8 \(byte 0xe9 at offset 24\)"):
        load_path(path)


def test_bom_and_crlf_load(tmp_path: Path) -> None:
    path = tmp_path / "win.yaml"
    path.write_bytes(b"\xef\xbb\xbfentries:\r\n- question: q\r\n  answer: a\r\n")
    assert load_path(path).entries[0].question == "q"


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    assert "nest" in problems("x: " + "[" * 100_000)[0]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_path(tmp_path / "nope.yaml")
    with pytest.raises(DataError, match="is a directory"):
        load_path(tmp_path)


def test_size_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("entries: []\n" + "#" * 200 + "\n")
    monkeypatch.setenv("FAQ_MAX_BYTES", "100")
    with pytest.raises(DataError, match="over the 100-byte limit"):
        load_path(path)
    monkeypatch.setenv("FAQ_MAX_BYTES", "1000")
    assert load_path(path).entries == ()


@pytest.mark.parametrize(
    "text",
    [
        "entries: [\n",
        "a: b: c\n",
        "entries:\n\t- x\n",
        'x: "unterminated\n',
        "x: [1, 2\ny: 3\n",
        "a:\n  - b\n c: d\n",
        "k: @foo\n",
        "entries: !!python/name:os.system x\n",
        "a: 1\na: 2\n",
        "x: *unknown\n",
        "entries:\n- {question: q, answer: a}\n---\nx: 1\n",
        "entries:\n- question: 3\n  answr: a\n",
    ],
)
def test_c_and_python_loaders_locate_problems_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from faq_cli import load

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    found = []
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        monkeypatch.setattr(load, "_Loader", loader)
        found.append(problems(text))
    c, python = found
    # Same places; YAML syntax errors are worded by each parser in its own way.
    assert [p.split(": ")[0] for p in c] == [p.split(": ")[0] for p in python]
    assert [p for p in c if "not valid YAML" not in p] == [p for p in python if "not valid YAML" not in p]


def test_the_size_limit_takes_a_file_of_exactly_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("entries:\n- {question: q, answer: a}\n")
    size = path.stat().st_size
    monkeypatch.setenv("FAQ_MAX_BYTES", str(size))
    assert len(load_path(path).entries) == 1
    monkeypatch.setenv("FAQ_MAX_BYTES", str(size - 1))
    with pytest.raises(DataError, match=f"file is {size:,} bytes, over the {size - 1:,}-byte limit"):
        load_path(path)


def test_an_unclosed_quote_is_found_where_it_opens() -> None:
    text = 'entries:\n- question: "What is it\n  answer: x\n- question: q\n  answer: a\n'
    assert problems(text) == ["f.yaml:2:13: not valid YAML: this quoted string is never closed"]


def test_a_bare_list_of_entries_is_told_where_they_go() -> None:
    assert problems("- question: q\n  answer: a\n") == [
        "f.yaml:1:1: (top level): expected a mapping, got a list; put the entries under 'entries:'"
    ]
