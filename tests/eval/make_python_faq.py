"""Regenerate tests/eval/python-faq.yaml from Debian's `python3.11-doc` package.

    apt-get install python3.11-doc && python tests/eval/make_python_faq.py

Each section of the Python FAQ's reStructuredText sources that has text of
its own becomes an entry: the heading is the question, the text (markup
simplified, code blocks kept) the answer, and the FAQ's chapter a tag.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

SOURCES = Path("/usr/share/doc/python3.11/html/_sources/faq")
CHAPTERS = ["general", "programming", "design", "library", "extending", "windows", "gui", "installed"]
OUT = Path(__file__).with_name("python-faq.yaml")
UNDERLINE = re.compile(r"^([=\-^~*+#\"'])\1{2,}\s*$")
ROLE = re.compile(r":[a-z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
LINK = re.compile(r"`([^`<]+?)\s*<[^>]+>`_+")

NOTICE = """\
# The Python 3.11 FAQ ("Python Frequently Asked Questions"), converted to the
# faq file format by tests/eval/make_python_faq.py from Debian's python3.11-doc
# package (/usr/share/doc/python3.11/html/_sources/faq).
#
# Copyright (c) 2001-2023 Python Software Foundation; All Rights Reserved.
# Distributed under the PSF License Agreement for Python 3.11
# (https://docs.python.org/3.11/license.html), as the documentation is.
"""


def clean(text: str) -> str:
    text = ROLE.sub(r"\1", LINK.sub(r"\1", text))
    text = text.replace("``", "").replace("**", "")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    out = []
    for p in paragraphs:
        if not p or p.startswith(".. "):
            continue
        lines = p.splitlines()
        indented = all(line.startswith((" ", "\t")) for line in lines)
        out.append(
            "\n".join(line.rstrip() for line in lines)
            if indented
            else " ".join(line.strip() for line in lines)
        )
    return "\n\n".join(out)


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, text of its own) for every heading of the file."""
    lines = text.splitlines()
    heads = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip()
        and UNDERLINE.match(lines[i + 1])
        and len(lines[i + 1].strip()) >= len(lines[i].strip())
    ]
    found = []
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        found.append((lines[i].strip(), clean("\n".join(lines[i + 2 : end]))))
    return found


def main() -> None:
    entries = []
    for chapter in CHAPTERS:
        for heading, body in sections((SOURCES / f"{chapter}.rst.txt").read_text(encoding="utf-8"))[1:]:
            if body and len(body) > 20:
                entries.append(
                    {"id": len(entries) + 1, "question": heading, "answer": body, "tags": [chapter]}
                )
    doc = {"title": "Python Frequently Asked Questions (3.11)", "entries": entries}
    OUT.write_text(
        NOTICE + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
    print(f"{OUT}: {len(entries)} entries")


if __name__ == "__main__":
    main()
