"""The published JSON Schema and the loader agree on what a FAQ file is."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml

from faq_cli.errors import DataError
from faq_cli.load import load_text

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(files("faq_cli").joinpath("schema.json").read_text(encoding="utf-8"))


def schema_accepts(text: str) -> bool:
    try:
        jsonschema.validate(yaml.safe_load(text), SCHEMA)
    except jsonschema.ValidationError:
        return False
    return True


def loader_accepts(text: str) -> bool:
    try:
        load_text(text, "f.yaml")
    except DataError:
        return False
    return True


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", [ROOT / "data" / "faq.yaml", ROOT / "tests" / "eval" / "debian-faq.yaml"])
def test_real_faqs_pass_both(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert schema_accepts(text) and loader_accepts(text)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("entries: []\n", True),
        (
            "title: T\nsummary: {headline: H, text: X}\nentries:\n- {question: q, answer: a, sources: [s]}\n",
            True,
        ),
        ("entries:\n- {id: 7, question: q, answer: a, tags: [x, y]}\n", True),
        ("entries:\n- question: q\n  answer: a\n  sources:\n  tags: []\n", True),
        ("title:\nentries: []\n", False),
        ("entries:\n- {question: q, answer: a, tags: [x, 3]}\n", False),
        ("{}\n", False),
        ("entries: {}\n", False),
        ("entries:\n- {question: q}\n", False),
        ("entries:\n- {question: q, answer: ''}\n", False),
        ("entries:\n- {question: q, answer: '  '}\n", False),
        ("entries:\n- {question: q, answer: a, quesiton: b}\n", False),
        ("entries:\n- {id: 0, question: q, answer: a}\n", False),
        ("entries:\n- {question: q, answer: a, sources: s}\n", False),
        ("entries:\n- {question: q, answer: 3}\n", False),
        ("summary: {headline: H}\nentries: []\n", False),
        ("colour: red\nentries: []\n", False),
    ],
)
def test_schema_and_loader_agree(text: str, valid: bool) -> None:
    assert schema_accepts(text) is valid
    assert loader_accepts(text) is valid
