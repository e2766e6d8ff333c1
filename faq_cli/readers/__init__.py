"""One reader per format, one `Faq` out: YAML (our own, `load`), JSON, CSV,
TSV, Markdown, reStructuredText and HTML. The format is chosen by the file's
extension, then by its content; `--format` overrides both. `read` returns the
checked `Faq` with how it was read, for `faq validate` to say."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from faq_cli.errors import DataError, Problem
from faq_cli.model import Faq
from faq_cli.readers.base import Raw, Read, checked
from faq_cli.source import How

FORMATS = ("yaml", "json", "csv", "tsv", "markdown", "rst", "html")
NAMES = {
    "yaml": "YAML",
    "json": "JSON",
    "csv": "CSV",
    "tsv": "TSV",
    "markdown": "Markdown",
    "rst": "reStructuredText",
    "html": "HTML",
}
EXTENSIONS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".jsonld": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".rst": "rst",
    ".rest": "rst",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
# Media types, for a FAQ fetched from a URL.
MEDIA = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
    "application/ld+json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/x-rst": "rst",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/x-yaml": "yaml",
}
_RST_UNDERLINE = re.compile(r"^(\S.*)\n([=\-~^\"'`#*+:.])\2{2,}\s*$", re.M)
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)


def detect(data: bytes, name: str, media: str | None = None) -> str:
    """The format of a file: by its extension, or its media type when it came
    from a URL, else by its content; YAML when nothing says otherwise."""
    suffix = PurePosixPath(name.split("?", 1)[0].split("#", 1)[0]).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if media and (media := media.split(";", 1)[0].strip().lower()) in MEDIA:
        return MEDIA[media]
    head = data[:65536].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    lowered = head[:1024].lower()
    if head.startswith(("{", "[")):
        return "json"
    if lowered.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in lowered or "<head" in lowered:
        return "html"
    if re.match(r"^(entries|title|summary)\s*:", head, re.M):
        return "yaml"
    lines = head.split("\n", 2)
    if len(lines) > 1 and "\t" in lines[0] and lines[0].count("\t") == lines[1].count("\t"):
        return "tsv"
    if _RST_UNDERLINE.search(head):
        return "rst"
    if _MD_HEADING.search(head) or "<details" in lowered:
        return "markdown"
    if "," in lines[0] and (lines[0].startswith('"') or re.search(r"(?i)question|answer", lines[0])):
        return "csv"
    return "yaml"


def read_hashed(
    path: Path, name: str, how: How, progress: Callable[[str, int, None], None] | None = None
) -> tuple[Faq, str]:
    """Read and check the FAQ file at `path` (named `name` in messages); with
    the SHA-256 of its content, which keys its cache."""
    import hashlib

    from faq_cli.source import read_bytes

    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    fmt = how.format or detect(data, name, how.media)
    if fmt == "yaml":
        from faq_cli.load import check_utf8, load_text

        check_utf8(data, name)
        return load_text(data, name, progress), digest
    return read(data, name, fmt, how.level).faq, digest


def is_yaml(path: Path, name: str, how: How) -> bool:
    """Whether the file will be read as YAML, from its first 64 KiB."""
    if how.format:
        return how.format == "yaml"
    try:
        with path.open("rb") as f:
            return detect(f.read(65536), name, how.media) == "yaml"
    except OSError:
        return True  # reading it will say what is wrong


def read(
    data: bytes, name: str, fmt: str | None = None, level: int | None = None, media: str | None = None
) -> Read:
    """The checked FAQ in `data`, read as `fmt`, or as `detect` says."""
    fmt = fmt or detect(data, name, media)
    if fmt == "yaml":
        from faq_cli.load import check_utf8, load_text

        check_utf8(data, name)
        return Read(load_text(data, name), fmt)
    if fmt == "html":
        return _html(data, name, level)
    text = _text(data, name)
    if fmt == "json":
        return _json(text, data, name)
    if fmt in ("csv", "tsv"):
        from faq_cli.readers import table

        raws = table.read(text, name, "," if fmt == "csv" else "\t")
        return _found(raws, name, fmt, "no rows with a question and an answer")
    if fmt == "markdown":
        from faq_cli.readers import markdown

        items = markdown.outline(text)
        looked = "no headings (or <details>) that ask a question, and none with text of their own"
    else:
        from faq_cli.readers import rst

        items = rst.outline(text)
        looked = "no section titles that ask a question, and none with text of their own"
    return _outlined(items, name, fmt, level, looked)


def _text(data: bytes, name: str) -> str:
    from faq_cli.load import decode

    return decode(data, name).replace("\r\n", "\n")


def _found(raws: list[Raw], name: str, fmt: str, looked: str, title: str | None = None) -> Read:
    if not raws:
        raise DataError(name, [Problem(f"read as {NAMES[fmt]}, no questions found: {looked}")])
    return Read(checked(raws, name, title), fmt)


def _outlined(items: list, name: str, fmt: str, level: int | None, looked: str) -> Read:  # type: ignore[type-arg]
    from faq_cli.readers import outline

    found = outline.questions(items, level, 1 if fmt == "html" else 6)
    if not found.entries:
        hint = f" at level {level}" if level is not None else ""
        raise DataError(name, [Problem(f"read as {NAMES[fmt]}, no questions found{hint}: {looked}")])
    notes = [f"questions: {_level_name(fmt, found.level)}"]
    others = outline.other_levels(items, found.level)
    notes += [
        f"{_level_name(fmt, lv)} ask {n} question{'s' * (n > 1)} too (--level {lv})" for lv, n in others
    ]
    notes += [f"left out: {what}" for what in found.notes]
    return Read(checked(found.entries, name, found.title), fmt, tuple(notes), found.level)


def _level_name(fmt: str, level: int | None) -> str:
    from faq_cli.readers.outline import PAIRED

    if level == PAIRED:
        return f"question-and-answer pairs such as <details> (level {PAIRED})"
    return f"level-{level} {'section titles' if fmt == 'rst' else 'headings'}"


def _html(data: bytes, name: str, level: int | None) -> Read:
    from faq_cli.readers import html

    root = html.tree(html.decode(data, name), name)
    title = html.page_title(root)
    if level is None:
        for how, found in (
            ("schema.org FAQPage, JSON-LD", html.json_ld),
            ("schema.org FAQPage, microdata", html.microdata),
        ):
            if raws := found(root):
                return Read(checked(raws, name, title), "html", (f"questions: {how}",))
    looked = "no FAQPage markup, no <details> or definition lists, and no headings that ask a question"
    read_ = _outlined(html.outline(html.main_content(root)), name, "html", level, looked)
    faq = read_.faq if read_.faq.title else read_.faq._replace(title=title)
    return read_._replace(faq=faq)


def _json(text: str, data: bytes, name: str) -> Read:
    from faq_cli.readers import jsondata

    value = jsondata.parse(text, name)
    if not jsondata.ours(value):
        return _found(jsondata.entries(value, name), name, "json", "")
    from faq_cli.load import load_text

    try:  # JSON is YAML enough: the same checks, located in the file
        return Read(load_text(data, name), "json")
    except DataError as exc:
        if not any(p.message.startswith("not valid YAML") for p in exc.problems):
            raise
    import yaml  # what YAML 1.1 cannot parse (a "\/" escape, say): checked all the same, unlocated

    try:
        return Read(load_text(yaml.safe_dump(value), name), "json")
    except DataError as exc:
        raise DataError(name, [p._replace(line=None, column=None) for p in exc.problems]) from None
