"""Regenerate tests/eval/debian-faq.yaml from Debian's `debian-faq` package.

    apt-get install debian-faq && python tests/eval/make_debian_faq.py

Each numbered section whose heading is a question becomes an entry; the
answer is the section's text with its line wrapping undone.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

import yaml

SOURCE = Path("/usr/share/doc/debian/FAQ/debian-faq.en.txt.gz")
OUT = Path(__file__).with_name("debian-faq.yaml")
HEADING = re.compile(r"^(\d+(?:\.\d+)+)\. (.*)")
CHAPTER = re.compile(r"^\d+\. \S")

NOTICE = """\
# The Debian GNU/Linux FAQ, Version 11.0 (January 2021), converted to the faq
# file format by tests/eval/make_debian_faq.py from Debian's debian-faq package.
#
# Copyright (C) 1996-2021 Software in the Public Interest
#
#     Permission is granted to make and distribute verbatim copies of
#     this document provided the copyright notice and this permission
#     notice are preserved on all copies.
#
#     Permission is granted to copy and distribute modified versions of
#     this document under the conditions for verbatim copying, provided
#     that the entire resulting derived work is distributed under the
#     terms of a permission notice identical to this one.
#
#     Permission is granted to copy and distribute translations of this
#     document into another language, under the above conditions for
#     modified versions, except that this permission notice may be
#     included in translations approved by the Free Software Foundation
#     instead of in the original English.
"""


def paragraphs(lines: list[str]) -> str:
    text = "\n".join(line.strip() for line in lines)
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())


def main() -> None:
    # The text uses no-break spaces after section numbers and in indentation.
    with gzip.open(SOURCE, "rt", encoding="utf-8") as f:
        lines = f.read().replace("\u00a0", " ").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("1.1. "))
    entries, heading, body, in_heading = [], [], [], False
    for line in [*lines[start:], "99.99. end"]:
        m = HEADING.match(line)
        if m or CHAPTER.match(line):
            question = " ".join(" ".join(heading).split())
            if question.endswith("?") and body:
                entries.append({"question": question, "answer": paragraphs(body)})
            heading, body, in_heading = ([m.group(2)] if m else []), [], bool(m)
        elif in_heading and line.strip() and not line.startswith(" "):
            heading.append(line)
        else:
            in_heading = False
            body.append(line)
    doc = {"title": "The Debian GNU/Linux FAQ", "entries": entries}
    OUT.write_text(NOTICE + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), "utf-8")
    print(f"{len(entries)} entries -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
