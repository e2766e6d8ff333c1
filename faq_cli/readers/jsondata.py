"""JSON, in the shapes FAQs are found in: our own YAML shape as JSON (checked
as a YAML file is, with the same messages); a list of objects with question
and answer keys (`question`/`answer`, `q`/`a`, `Question`/`Answer`, in any
case), or an object holding such a list; or schema.org `FAQPage` JSON-LD."""

from __future__ import annotations

import json
from typing import Any

from faq_cli.errors import DataError, Problem
from faq_cli.readers import html
from faq_cli.readers.base import Raw, refused
from faq_cli.readers.table import NAMES, columns


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, refusing a key given twice: one value would be lost."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def parse(text: str, name: str) -> Any:
    """The JSON value of `text`, or its problem, located."""
    try:
        return json.loads(text, object_pairs_hook=_pairs)
    except _Duplicate as exc:
        raise DataError(name, [Problem(f"duplicate key {exc.args[0]!r}; one value would be lost")]) from None
    except json.JSONDecodeError as exc:
        raise DataError(
            name, [Problem(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]
        ) from None
    except RecursionError:
        raise DataError(name, [Problem("nested too deeply")]) from None


def ours(value: Any) -> bool:
    """Whether a JSON value is our own shape: an object with `entries`."""
    return isinstance(value, dict) and "entries" in value and not html.faq_page(value)


def entries(value: Any, name: str) -> list[Raw]:
    """The entries of a list of question-and-answer objects, wherever it is
    (the value itself, or a list in an object), or of `FAQPage` data."""
    if found := html.faq_page(value):
        return found
    listed = _question_list(value)
    if listed is None:
        raise DataError(
            name,
            [
                Problem(
                    "no questions found: no list of objects with question and answer keys "
                    "(question/answer, q/a), no 'entries', and no schema.org FAQPage"
                )
            ],
        )
    items, keys = listed
    out = []
    problems = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(Problem("expected an object with a question and an answer", path=f"[{i}]"))
            continue
        fields = {key: item.get(real) for key, real in keys.items()}
        for key in ("question", "answer"):
            if not isinstance(fields[key], str):
                got = "missing" if fields[key] is None else f"not a string ({type(fields[key]).__name__})"
                problems.append(Problem(f"{key} {got}", path=f"[{i}].{keys[key]}"))
        ident = fields.get("id")
        if ident is not None and not (isinstance(ident, int) and not isinstance(ident, bool) and ident > 0):
            problems.append(
                Problem(f"expected a positive integer, got {ident!r}", path=f"[{i}].{keys['id']}")
            )
            ident = None
        out.append(
            Raw(
                fields["question"] if isinstance(fields["question"], str) else "",
                fields["answer"] if isinstance(fields["answer"], str) else "",
                None,
                _strings(fields.get("sources")),
                _strings(fields.get("tags")),
                ident,
            )
        )
    if problems:
        raise refused(name, problems)
    return out


def _question_list(value: Any) -> tuple[list[Any], dict[str, str]] | None:
    """A list of objects whose keys name a question and an answer, with those
    keys by what they hold; breadth first, the value itself first."""
    queue = [value]
    while queue:
        item = queue.pop(0)
        if isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
            keys = _keys(item)
            if keys is not None:
                return item, keys
        if isinstance(item, dict):
            queue += [v for v in item.values() if isinstance(v, list | dict)]
    return None


def _keys(items: list[dict[str, Any]]) -> dict[str, str] | None:
    """The keys of question, answer, sources, tags and id among the objects'."""
    names = list(dict.fromkeys(k for item in items for k in item))
    found = columns(names)
    return None if found is None else {key: names[i] for key, i in found.items() if key in NAMES}


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int | float))
    return ()
