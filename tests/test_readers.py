"""Any FAQ file: Markdown, reStructuredText, HTML, CSV, TSV and JSON read as
exactly their questions (no navigation, no table of contents), each the same
checked FAQ a YAML file gives; bad files located; `faq convert` round-trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faq_cli.errors import DataError
from faq_cli.readers import detect, read

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "readers"


def questions(name: str, **how: object) -> list[str]:
    path = FIXTURES / name
    return [e.question for e in read(path.read_bytes(), str(path), **how).faq.entries]  # type: ignore[arg-type]


def entries(name: str) -> dict[str, object]:
    path = FIXTURES / name
    return {e.question: e for e in read(path.read_bytes(), str(path)).faq.entries}


# --- real FAQs, as published ---------------------------------------------------------


def test_black_s_markdown_faq_reads_as_its_thirteen_questions() -> None:
    found = questions("black-faq.md")
    assert len(found) == 13
    assert found[0] == "Why spaces? I prefer tabs"  # a question by its question mark, not its end
    assert found[-1] == "Why are emoji not displaying correctly on Windows?"
    answer = entries("black-faq.md")["Does Black have an API?"].answer  # type: ignore[attr-defined]
    assert "Many integrations are provided" in answer  # link text kept, the link's target not
    assert "](" not in answer and "_Black_" not in answer


def test_requests_rst_faq_keeps_role_text_and_leaves_out_the_title() -> None:
    found = questions("requests-faq.rst")
    assert found == [
        "Encoded Data?",
        "Custom User-Agents?",
        "Why not Httplib2?",
        "Python 3 Support?",
        "Python 2 Support?",
        'What are "hostname doesn\'t match" errors?',
    ]
    said = entries("requests-faq.rst")["Custom User-Agents?"].answer  # type: ignore[attr-defined]
    assert "See documentation about headers." in said  # :ref:`text <target>` reads as its text


def test_charset_normalizer_rst_faq_has_its_statement_as_a_question_too() -> None:
    found = questions("charset-normalizer-faq.rst")
    assert found[-1] == "I can't build standalone executable"
    assert len(found) == 5


def test_an_old_html_page_of_layout_tables_reads_as_its_list_of_questions() -> None:
    # libxslt's FAQ: menus in layout tables, questions as emphasised list items.
    found = entries("libxslt-faq.html")
    assert list(found) == [
        "Troubles compiling or linking programs using libxslt",
        "passing parameters on the xsltproc command line doesn't work",
        "Is there C++ bindings ?",
    ]
    assert "xslt-config --cflags" in found["Troubles compiling or linking programs using libxslt"].answer  # type: ignore[attr-defined]
    text = " ".join(e.answer for e in found.values())  # type: ignore[attr-defined]
    assert "Main Menu" not in text and "Downloads" not in text


# --- Markdown ----------------------------------------------------------------------


def test_markdown_raw_html_headings_front_matter_comments_and_a_table_of_contents() -> None:
    found = entries("handbook.md")
    assert list(found) == [
        "How do I install a widget?",
        "Why does my widget hum?",
        "Can widgets run on batteries?",
    ]
    install = found["How do I install a widget?"].answer  # type: ignore[attr-defined]
    # A heading inside a code block is code; the code keeps its lines.
    assert "widget install --all\n# This is a comment in a shell script, not a heading" in install
    assert "setup guide" in install and "guide.md" not in install
    hum = found["Why does my widget hum?"].answer  # type: ignore[attr-defined]
    assert "Still humming?" in hum and "555\u00a00100" in hum  # a deeper heading stays in its answer
    faq = read((FIXTURES / "handbook.md").read_bytes(), "handbook.md").faq
    assert faq.title == "Widget FAQ"
    assert "Maintainers" not in " ".join(e.answer for e in faq.entries)  # an HTML comment is no text


def test_markdown_details_blocks_are_questions_and_the_sections_their_tags() -> None:
    found = entries("details.md")
    assert {q: e.tags for q, e in found.items()} == {  # type: ignore[attr-defined]
        "Where can I buy a gadget?": ("Buying",),
        "Is there a student discount?": ("Buying",),
        "How do I reset my gadget?": ("Using",),
    }
    assert found["How do I reset my gadget?"].answer.startswith("Hold the reset button")  # type: ignore[attr-defined]
    assert "1. unplug it;" in found["How do I reset my gadget?"].answer  # type: ignore[attr-defined]


def test_a_troubleshooting_faq_without_question_marks_reads_its_topics() -> None:
    found = entries("troubleshooting.md")
    assert list(found) == [
        "Connection problems",  # a section with a say of its own
        "Device not detected",
        "Device unauthorized",
        "Black screen",
        "Crashes on start",
    ]  # and "Contributing" is the document's furniture
    assert found["Black screen"].tags == ("Display problems",)  # type: ignore[attr-defined]


@pytest.mark.parametrize("suffix", [".md", ".rst"])
def test_numbering_and_q_marks_are_the_document_s_not_the_question_s(suffix: str, tmp_path: Path) -> None:
    headings = ["1. What is a widget?", "1.2. Q: Why does it hum?", "B. How big is it?", "Q) Where is it?"]
    if suffix == ".md":
        text = "".join(f"## {h}\n\nA: Answer {i}.\n\n" for i, h in enumerate(headings))
    else:
        text = "".join(f"{h}\n{'=' * len(h)}\n\nAnswer {i}.\n\n" for i, h in enumerate(headings))
    faq = read(text.encode(), f"numbered{suffix}").faq
    assert [e.question for e in faq.entries] == [
        "What is a widget?",
        "Why does it hum?",
        "How big is it?",
        "Where is it?",
    ]
    assert [e.answer for e in faq.entries] == [f"Answer {i}." for i in range(4)]


def test_questions_at_two_levels_are_a_choice_the_user_sees_and_makes() -> None:
    path = FIXTURES / "two-levels.md"
    first = read(path.read_bytes(), str(path))
    assert [e.question for e in first.faq.entries] == ["What is a raised bed?", "When should I plant?"]
    assert "How high should it be?" in first.faq.entries[0].answer  # nothing is left out
    assert "level-3 headings ask 3 questions too (--level 3)" in first.notes
    deeper = read(path.read_bytes(), str(path), level=3)
    assert [e.question for e in deeper.faq.entries] == [
        "How high should it be?",
        "What wood should I use?",
        "Can I plant in autumn?",
    ]


# --- HTML ---------------------------------------------------------------------------


def test_html_faqpage_json_ld_comes_first_and_scripts_are_never_text() -> None:
    found = entries("faqpage.html")
    assert list(found) == ["Do I need an appointment?", "Is parking free?"]
    assert found["Do I need an appointment?"].answer == "Yes. Call us or book online."  # type: ignore[attr-defined]
    assert found["Is parking free?"].answer == "Free for the first two hours & then £1 an hour."  # type: ignore[attr-defined]


def test_html_faqpage_microdata() -> None:
    found = entries("microdata.html")
    assert list(found) == ["How many books can I borrow?", "Can I renew online?"]
    assert found["How many books can I borrow?"].answer == "Up to twelve at a time."  # type: ignore[attr-defined]


def test_html_headings_in_the_main_content_without_header_nav_footer_or_pop_ups() -> None:
    found = entries("headings.html")
    assert list(found) == ["Can I take my car?", "Are dogs allowed?", "How early should I arrive?"]
    assert found["Can I take my car?"].answer == "Yes, book a vehicle space in advance."  # type: ignore[attr-defined]
    assert "  deck 2, rear\n  deck 3, rear" in found["Are dogs allowed?"].answer  # type: ignore[attr-defined]
    assert found["How early should I arrive?"].answer.endswith("sailing — forty with a car.")  # type: ignore[attr-defined]


def test_html_navigation_is_never_an_entry_even_with_headings_of_its_own() -> None:
    page = (
        b"<body><nav><h2>How do I find my way?</h2><p>Use the menu on the left.</p></nav>"
        b"<h2>Why?</h2><p>Because.</p><aside><h2>Who are we?</h2><p>A shop.</p></aside></body>"
    )
    assert [(e.question, e.answer) for e in read(page, "page.html").faq.entries] == [("Why?", "Because.")]


def test_html_docbook_question_and_answer_rows() -> None:
    found = entries("docbook.html")
    assert list(found) == ["What is the tool?", "My program dies like this:\n\nfatal error 7"]
    assert found["What is the tool?"].tags == ("Basics",)  # type: ignore[attr-defined]


def test_hostile_html_is_data(tmp_path: Path) -> None:
    deep = "<div>" * 100_000 + "<h2>Is it deep?</h2><p>Very.</p>"  # past 256 levels: read as text
    page = "<script>alert(1)</script><h2>Why?</h2><p>Because.<img src=x onerror=alert(1) alt=''></p>" + deep
    faq = read(page.encode(), "page.html").faq
    assert [(e.question, e.answer) for e in faq.entries] == [("Why?", "Because.\n\nIs it deep?Very.")]
    with pytest.raises(DataError, match="elements"):
        read(("<b>" * 2_000_001).encode(), "many.html")


# --- CSV, TSV, JSON ------------------------------------------------------------------


def test_csv_columns_by_name_quoted_fields_kept_exactly() -> None:
    found = entries("export.csv")
    assert list(found) == [
        "How do I reset my password?",
        "Can I pay by card, cash or cheque?",
        "What are your hours?",
    ]
    assert found["How do I reset my password?"].answer == 'Click "Forgot password", then follow the email.'  # type: ignore[attr-defined]
    assert found["How do I reset my password?"].sources == ("https://example.org/help",)  # type: ignore[attr-defined]
    assert found["Can I pay by card, cash or cheque?"].answer == "Card and cash, yes.\nCheques, no."  # type: ignore[attr-defined]
    assert found["What are your hours?"].tags == ("Shop", "Hours")  # type: ignore[attr-defined]


def test_csv_tags_and_sources_split_as_exports_list_them() -> None:
    text = b'question,answer,tags,links\nQ?,A.,"billing|refunds; cards, cash","https://a.example/x https://b.example/y"\n'
    (entry,) = read(text, "export.csv").faq.entries
    assert entry.tags == ("billing", "refunds", "cards", "cash")
    assert entry.sources == ("https://a.example/x", "https://b.example/y")


def test_tsv_without_a_header_is_question_then_answer() -> None:
    assert [
        (e.id, e.question) for e in read((FIXTURES / "export.tsv").read_bytes(), "x.tsv").faq.entries
    ] == [
        (1, "How do I cancel?"),
        (2, "Is there a trial?"),
    ]


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [("unclosed.csv", 2, "a quoted field is never closed"), ("noanswer.csv", 3, "this row has no answer")],
)
def test_malformed_csv_is_located_by_line(run, name: str, line: int, message: str) -> None:  # type: ignore[no-untyped-def]
    path = FIXTURES / name
    result = run("list", "--data", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"faq: error: {path}:{line}: {message}\n"


def test_json_lists_wrapped_lists_faqpage_and_our_own_shape() -> None:
    assert list(entries("list.json")) == ["What is the return window?", "Do you ship abroad?"]
    assert entries("list.json")["Do you ship abroad?"].sources == ("https://example.org/shipping",)  # type: ignore[attr-defined]
    assert entries("wrapped.json")["Who makes the bread?"].tags == ("Bakery",)  # type: ignore[attr-defined]
    assert list(entries("faqpage.jsonld")) == ["Is it open on Sundays?"]
    ours = read((FIXTURES / "ours.json").read_bytes(), "ours.json").faq
    assert [(e.id, e.question) for e in ours.entries] == [(7, "Why JSON?"), (2, "And YAML?")]
    assert ours.title == "Tiny FAQ"


def test_json_with_a_key_given_twice_is_refused_not_half_read(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "faq.json"
    path.write_text('[{"question": "Open?", "answer": "Yes.", "answer": "No."}]')
    result = run("list", "--data", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"faq: error: {path}: duplicate key 'answer'; one value would be lost\n"


def test_our_shape_as_json_is_checked_as_yaml_is_located_in_the_file() -> None:
    with pytest.raises(DataError) as caught:
        read(b'{"entries": [\n  {"question": "Q?", "answr": "A."}\n]}', "bad.json")
    messages = [p.format("bad.json") for p in caught.value.problems]
    assert "bad.json:2:22: entries[0].answr: unknown key; did you mean 'answer'?" in messages


# --- choosing the format --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"entries:\n- question: q\n", "faq.txt", "yaml"),
        (b"# Title\n\n## Why?\n\nBecause.\n", "FAQ", "markdown"),
        (b"Title\n=====\n\nWhy?\n----\n\nBecause.\n", "faq.txt", "rst"),
        (b"<!DOCTYPE html><html><body></body></html>", "index", "html"),
        (b'[{"q": "x", "a": "y"}]', "data", "json"),
        (b"question\tanswer\nWhy?\tBecause.\n", "export", "tsv"),
        (b"question,answer\nWhy?,Because.\n", "export", "csv"),
        (b"<h2>Why?</h2>", "faq.md", "markdown"),  # the extension first
    ],
)
def test_the_format_by_extension_then_content(content: bytes, name: str, expected: str) -> None:
    assert detect(content, name) == expected


def test_format_overrides_the_guess(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("## Why?\n\nBecause.\n", "notes.txt")  # content alone would say Markdown too
    assert run("list", "--data", str(path)).stdout == "1\tWhy?\n"
    as_yaml = run("list", "--data", str(path), "--format", "yaml")
    assert as_yaml.exit_code == 2 and "expected a mapping" in as_yaml.stderr
    assert (
        run("--format", "markdown", "list", "--data", str(path)).stdout == "1\tWhy?\n"
    )  # before the command too


def test_a_file_without_questions_says_what_was_looked_for(run, faq_file) -> None:  # type: ignore[no-untyped-def]
    path = faq_file("# Notes\n\nJust some text.\n", "notes.md")
    result = run("search", "text", "--data", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"faq: error: {path}: read as Markdown, no questions found: no headings")
    assert "Traceback" not in result.stderr


# --- validate and convert -----------------------------------------------------------


def test_validate_says_how_it_read_any_format(run) -> None:  # type: ignore[no-untyped-def]
    path = FIXTURES / "two-levels.md"
    said = run("validate", str(path))
    assert said.exit_code == 0 and said.stdout == ""
    assert said.stderr == (
        f"faq: {path}: valid, 2 entries, read as Markdown; questions: level-2 headings; "
        "level-3 headings ask 3 questions too (--level 3)\n"
    )
    report = json.loads(run("validate", str(path), "--json", "--level", "3").stdout)
    assert report == {
        "valid": True,
        "file": str(path),
        "entries": 3,
        "format": "markdown",
        "level": 3,
        "notes": [
            "questions: level-3 headings",
            "level-2 headings ask 2 questions too (--level 2)",
            "left out: 2 × text outside any question",  # the level-2 questions' own answers
        ],
    }


@pytest.mark.parametrize(
    "name",
    [
        p.name
        for p in sorted(FIXTURES.iterdir())
        if p.name not in ("SOURCES.md", "unclosed.csv", "noanswer.csv")
    ],
)
def test_convert_round_trips(run, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    source = FIXTURES / name
    converted = run("convert", str(source))
    assert converted.exit_code == 0 and converted.stderr == ""
    assert converted.stdout.startswith(f"# Converted by 'faq convert' from {source}.\n")
    copy = tmp_path / "converted.yaml"
    copy.write_text(converted.stdout, encoding="utf-8")
    assert run("validate", str(copy)).exit_code == 0
    original = json.loads(run("list", "--json", "--data", str(source), "--no-cache").stdout)
    again = json.loads(run("list", "--json", "--data", str(copy), "--no-cache").stdout)
    assert again == original  # the same entries, in the same order, ids, sources and tags
    as_json = json.loads(run("convert", str(source), "--json").stdout)
    assert [e["question"] for e in as_json["entries"]] == [e["question"] for e in original]


def test_a_warm_search_of_markdown_parses_nothing(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "FAQ_BACKGROUND": "0"}
    path = str(FIXTURES / "black-faq.md")
    search = [sys.executable, "-m", "faq_cli", "search", "pypy", "--json", "--data", path]
    assert subprocess.run(search, env=env, capture_output=True).returncode == 0  # cold: the index is built
    parsers = ("markdown_it", "docutils", "yaml")
    check = (
        "import sys, faq_cli.process as p\n"
        f"p.finish = lambda code: print(sorted(m for m in {parsers!r} if m in sys.modules))\n"
        f"sys.argv = {search[2:]!r}\n"
        "from faq_cli.cli import main\nmain()\n"
    )
    warm = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True)
    assert warm.stdout.strip().splitlines()[-1] == "[]", warm.stderr
