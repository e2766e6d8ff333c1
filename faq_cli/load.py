"""Read a FAQ file: bytes -> YAML events -> located nodes -> a checked `Faq`.

The YAML is built from parser events, not `yaml.load`, so that every value
keeps its line and column, duplicate keys are caught (PyYAML keeps the last
one silently), tags are never constructed, and nesting depth is bounded
without recursion.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from faq_cli.errors import DataError, Problem
from faq_cli.model import Entry, Faq, Summary

MAX_DEPTH = 32  # a FAQ needs 4 levels; anything deeper is a mistake or an attack
MAX_PROBLEMS = 50  # beyond this, more messages no longer help anyone
# Values held at once while parsing: one entry, or the top of the file. A FAQ
# entry has a handful; a 7-million-item list would otherwise take gigabytes.
MAX_HELD = 50_000

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "bool", "null", "float")}
_KIND_NAMES = {
    "str": "a string",
    "int": "an integer",
    "bool": "a boolean",
    "null": "null",
    "float": "a number",
    "seq": "a list",
    "map": "a mapping",
}

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


@dataclass(slots=True)
class Node:
    """A YAML value with its position: kind is "str", "int", ..., "seq" or "map"."""

    kind: str
    line: int
    column: int
    text: str = ""  # scalars: the source text
    items: list[Any] = None  # type: ignore[assignment]  # seq: [Node]; map: [(Node, Node)]; scalars: None


def decode(data: bytes, name: str) -> str:
    """UTF-8 (a BOM is allowed); anything else is located by line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise DataError(
            name,
            [
                Problem(
                    f"not valid UTF-8 (byte 0x{data[start]:02x} at offset {start}); save the file as UTF-8",
                    line=line,
                    column=column,
                )
            ],
        ) from None


def check_utf8(data: bytes, name: str) -> None:
    """`decode`'s check, without keeping a decoded copy of a large file."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        decode(data, name)  # raises the located error
        raise


_SCALAR, _SEQ, _MAP, _END, _ALIAS, _DOC_END, _SKIP = range(7)
_EVENTS = {
    yaml.ScalarEvent: _SCALAR,
    yaml.SequenceStartEvent: _SEQ,
    yaml.MappingStartEvent: _MAP,
    yaml.SequenceEndEvent: _END,
    yaml.MappingEndEvent: _END,
    yaml.AliasEvent: _ALIAS,
    yaml.DocumentEndEvent: _DOC_END,
    yaml.StreamStartEvent: _SKIP,
    yaml.DocumentStartEvent: _SKIP,
}
_NOT_PLAIN_STR = frozenset("0123456789+-.~<=nNtTfFyYoO")  # first letters that may resolve to non-strings


def parse(text: str | bytes, name: str, on_entry: Callable[[Node], None]) -> Node | None:
    """Build located nodes from YAML events; None for an empty document.

    Each item of the top-level `entries` list goes to `on_entry` as soon as it
    is complete and is not kept, so a large FAQ is never held as nodes all at
    once."""
    loader = _Loader(text)
    try:
        return _walk(loader, name, on_entry)
    except yaml.MarkedYAMLError as exc:
        source = text if isinstance(text, str) else text.decode("utf-8-sig")  # marks count characters
        raise DataError(name, [_yaml_problem(exc, source)]) from None
    except yaml.YAMLError as exc:  # e.g. the reader's "unacceptable character"
        raise DataError(name, [Problem(f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()


def _walk(loader: Any, name: str, on_entry: Callable[[Node], None]) -> Node | None:
    """`parse`'s loop over the events. A hot loop, kept in one piece: 100,000
    entries are 1.7 million events."""
    get_event = loader.get_event
    stack: list[Node] = []  # open collections
    pending: list[Node | None] = []  # per open collection: a mapping key awaiting its value
    keys: list[dict[str, Node]] = []  # per open collection: a mapping's keys so far
    held = 0  # nodes not yet handed to on_entry
    root: Node | None = None
    stream: Node | None = None  # the top-level `entries` list
    while not isinstance(event := get_event(), yaml.StreamEndEvent):
        kind = _EVENTS[type(event)]
        if kind == _END:
            done = stack.pop()
            pending.pop()
            keys.pop()
            if stream is not None and stack and stack[-1] is stream:
                on_entry(done)
                held = 0
            continue
        if kind == _SKIP:
            continue
        mark = event.start_mark
        if kind == _SCALAR:
            node = _scalar(event, name)
        elif kind in (_SEQ, _MAP):
            node = _collection(event, kind, len(stack), name)
        elif kind == _ALIAS:
            raise _at(name, f"aliases (*{event.anchor}) are not supported; write the value out", mark)
        else:  # _DOC_END: a second document would be silently ignored, so refuse it
            if isinstance(nxt := loader.peek_event(), yaml.DocumentStartEvent):
                raise _at(name, "a FAQ file holds one YAML document; found a second", nxt.start_mark)
            continue
        held += 1
        if held > MAX_HELD:
            raise _at(name, f"more than {MAX_HELD:,} values in one entry; is this a FAQ file?", mark)
        if stack:
            parent = stack[-1]
            if parent is stream:
                if node.kind != "seq" and node.kind != "map":
                    on_entry(node)
                    held = 0
            elif parent.kind == "seq":
                parent.items.append(node)
            elif (key := pending[-1]) is not None:
                parent.items.append((key, node))
                pending[-1] = None
                if kind == _SEQ and len(stack) == 1 and key.text == "entries":
                    stream = node
            else:
                _check_key(node, keys[-1], name)
                pending[-1] = node
        elif root is None:
            root = node
        if node.kind == "seq" or node.kind == "map":
            stack.append(node)
            pending.append(None)
            keys.append({})
    return root


def _scalar(event: Any, name: str) -> Node:
    """A scalar's node, its tag resolved as YAML's core schema would, without
    the resolver's regular expressions for what is plainly a string."""
    tag, value, mark = event.tag, event.value, event.start_mark
    if tag is None:
        if event.implicit[0] and value and value[0] in _NOT_PLAIN_STR:
            tag = _resolver.resolve(yaml.ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
        elif event.implicit[0] and not value:
            tag = _STD + "null"
        else:
            tag = _STD + "str"
    elif tag == "!":
        tag = _STD + "str"
    if tag not in _SCALAR_TAGS:
        raise _at(name, f"tag {tag.replace(_STD, '!!')!r} is not allowed in FAQ files", mark)
    return Node(tag[len(_STD) :], mark.line + 1, mark.column + 1, text=value)


def _collection(event: Any, kind: int, depth: int, name: str) -> Node:
    """A sequence's or a mapping's node, at `depth` open collections."""
    tag, want, mark = event.tag, "seq" if kind == _SEQ else "map", event.start_mark
    if tag not in (None, "!", _STD + want):
        raise _at(name, f"tag {tag.replace(_STD, '!!')!r} is not allowed in FAQ files", mark)
    if depth >= MAX_DEPTH:
        raise _at(name, f"nested deeper than {MAX_DEPTH} levels", mark)
    return Node(want, mark.line + 1, mark.column + 1, items=[])


def _check_key(key: Node, seen: dict[str, Node], name: str) -> None:
    """Keys are scalars, and unique: PyYAML would keep the last of two silently."""
    if key.kind == "seq" or key.kind == "map":
        raise _at_node(name, "mapping keys must be plain strings", key)
    if (other := seen.setdefault(key.text, key)) is not key:
        message = f"duplicate key {key.text!r} (first at line {other.line}); one would be lost"
        raise _at_node(name, message, key)


def _at_node(name: str, message: str, node: Node) -> DataError:
    return DataError(name, [Problem(message, line=node.line, column=node.column)])


def _at(name: str, message: str, mark: Any) -> DataError:
    return DataError(name, [Problem(message, line=mark.line + 1, column=mark.column + 1)])


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"not valid YAML: {exc.problem or exc.context}"
    if exc.context_mark is not None and (exc.context or "").startswith("while scanning a quoted"):
        # A quote never closed: the end of the file is where it was found, but
        # where it opened is where to look.
        mark = exc.context_mark
        message = "not valid YAML: this quoted string is never closed"
    if mark is None or mark.line is None:
        return Problem(message)
    if 0 <= mark.index < len(text) and text[mark.index] == "\t":
        message += " (a tab; YAML indents with spaces only)"
    elif (exc.problem or "").startswith("mapping values are not allowed"):
        message += " (a value containing ': ' must be quoted)"
    return Problem(message, line=mark.line + 1, column=mark.column + 1)


# --- validation: nodes -> Faq ------------------------------------------------

_TOP = ("title", "summary", "entries")
_SUMMARY = ("headline", "text", "source")
_ENTRY = ("id", "question", "answer", "sources", "tags")


class _Checker:
    def __init__(self, sink: Callable[[Entry], None] | None = None) -> None:
        self.problems: list[Problem] = []
        self.entries: list[Entry] = []
        self.sink = sink or self.entries.append  # where each sound entry goes
        self.seen: dict[int, int] = {}  # id -> position, for duplicates
        self.count = 0
        self.truncated = False

    def entry(self, node: Node) -> None:
        """Check the next item of `entries`."""
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
        elif (entry := _check_entry(self, node, self.count, self.seen)) is not None and not self.problems:
            self.sink(entry)
        self.count += 1

    def add(self, node: Node, path: str, message: str) -> None:
        self.problems.append(Problem(message, path=path, line=node.line, column=node.column))

    def mapping(self, node: Node, path: str, allowed: tuple[str, ...]) -> dict[str, Node] | None:
        if node.kind != "map":
            message = f"expected a mapping, got {_KIND_NAMES[node.kind]}"
            if not path and node.kind == "seq":
                message += "; put the entries under 'entries:'"
            self.add(node, path or "(top level)", message)
            return None
        fields: dict[str, Node] = {}
        for key, value in node.items:
            if key.text in allowed:
                fields[key.text] = value
                continue
            hint = difflib.get_close_matches(key.text, allowed, n=1, cutoff=0.6)
            where = f"{path}.{key.text}" if path else key.text
            self.add(
                key,
                where,
                "unknown key"
                + (f"; did you mean {hint[0]!r}?" if hint else f" (allowed: {', '.join(allowed)})"),
            )
        return fields

    def string(self, node: Node | None, path: str, parent: Node, required: bool = True) -> str | None:
        if node is None:
            if required:
                self.add(parent, path, "missing; expected a non-empty string")
            return None
        if node.kind != "str":
            hint = (
                f' (quote it: "{node.text}")'
                if node.kind in ("int", "bool", "float", "null") and node.text
                else ""
            )
            self.add(node, path, f"expected a non-empty string, got {_KIND_NAMES[node.kind]}{hint}")
            return None
        if not node.text.strip():
            self.add(node, path, "expected a non-empty string")
            return None
        return node.text

    def strings(self, node: Node | None, path: str) -> tuple[str, ...]:
        if node is None or node.kind == "null":
            return ()
        if node.kind != "seq":
            self.add(node, path, f"expected a list of strings, got {_KIND_NAMES[node.kind]}")
            return ()
        out = []
        for i, item in enumerate(node.items):
            text = self.string(item, f"{path}[{i}]", node)
            if text is not None:
                out.append(text)
        return tuple(out)


def validate(root: Node | None, name: str, c: _Checker) -> Faq:
    """Turn nodes into a `Faq`, or raise `DataError` listing every problem.

    `c` is the checker that took the entries while they were parsed."""
    if root is None:
        raise DataError(name, [Problem("the file is empty; expected a mapping with 'entries'")])
    top = c.mapping(root, "", _TOP)
    if top is None:
        raise DataError(name, c.problems)
    title = c.string(top.get("title"), "title", root, required=False)
    summary = None
    if (node := top.get("summary")) is not None:
        fields = c.mapping(node, "summary", _SUMMARY)
        if fields is not None:
            headline = c.string(fields.get("headline"), "summary.headline", node)
            text = c.string(fields.get("text"), "summary.text", node)
            source = c.string(fields.get("source"), "summary.source", node, required=False)
            if headline and text:
                summary = Summary(headline, text, source)
    node = top.get("entries")
    if node is None:
        c.add(root, "entries", "missing; expected a list of entries")
    elif node.kind != "seq":
        c.add(node, "entries", f"expected a list, got {_KIND_NAMES[node.kind]}")
    if c.problems:
        problems = sorted(c.problems[:MAX_PROBLEMS], key=lambda p: (p.line or 0, p.column or 0))
        if c.truncated:
            problems.append(Problem(f"... stopped after {MAX_PROBLEMS} problems"))
        raise DataError(name, problems)
    return Faq(tuple(c.entries), title, summary)


def _check_entry(c: _Checker, node: Node, i: int, seen: dict[int, int]) -> Entry | None:
    path = f"entries[{i}]"
    fields = c.mapping(node, path, _ENTRY)
    if fields is None:
        return None
    before = len(c.problems)
    ident = i + 1
    if (id_node := fields.get("id")) is not None:
        value = _int(id_node)
        if value is None or value < 1:
            if id_node.kind == "str" and id_node.text.strip().isdigit():
                got = f"the string {id_node.text!r}; write {id_node.text.strip()} without quotes"
            else:
                got = repr(id_node.text)
            c.add(id_node, f"{path}.id", f"expected a positive integer, got {got}")
        else:
            ident = value
    if ident in seen:
        c.add(id_node or node, f"{path}.id", f"duplicate id {ident} (also entries[{seen[ident]}])")
    seen.setdefault(ident, i)
    question = c.string(fields.get("question"), f"{path}.question", node)
    answer = c.string(fields.get("answer"), f"{path}.answer", node)
    sources = c.strings(fields.get("sources"), f"{path}.sources")
    tags = c.strings(fields.get("tags"), f"{path}.tags")
    if len(c.problems) > before or question is None or answer is None:
        return None
    return Entry(ident, question, answer, sources, tags)


def _int(node: Node) -> int | None:
    if node.kind != "int":
        return None
    try:
        value = _constructor.construct_yaml_int(yaml.ScalarNode(_STD + "int", node.text))
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, int) and value < 2**63 else None


def load_text(
    text: str | bytes,
    name: str,
    progress: Callable[[str, int, None], None] | None = None,
    sink: Callable[[Entry], None] | None = None,
) -> Faq:
    """Parse and validate FAQ YAML text, reporting progress every 1,000 entries.
    The text may be UTF-8 bytes that `check_utf8` passed: libyaml reads them
    as they are, where a str would be encoded to a second copy first. With a
    `sink`, each entry goes to it as soon as it is checked, while the file has
    no problem so far, and the `Faq` returned has no entries."""
    checker = _Checker(sink)
    on_entry = checker.entry
    if progress is not None:

        def on_entry(node: Node) -> None:
            checker.entry(node)
            if checker.count % 1000 == 0:
                progress("Reading", checker.count, None)

    return validate(parse(text, name, on_entry), name, checker)


def read_hashed(
    path: Path, name: str, progress: Callable[[str, int, None], None] | None = None
) -> tuple[Faq, str]:
    """Read, check and parse a FAQ file, held once, as bytes, while it is
    parsed; with the SHA-256 of its content, which keys its cache."""
    import hashlib

    from faq_cli.source import read_bytes

    data = read_bytes(path)
    sha256 = hashlib.sha256(data).hexdigest()
    check_utf8(data, name)
    return load_text(data, name, progress), sha256


def load_path(path: Path) -> Faq:
    """Read, parse and validate a FAQ file."""
    from faq_cli.source import read_bytes

    name = str(path)
    return load_text(decode(read_bytes(path), name), name)
