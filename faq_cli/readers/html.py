"""HTML: a FAQ page as a browser would show it, read with the standard
library's parser into a tree, then: schema.org `FAQPage` markup, as JSON-LD
or as microdata, first; else the questions of the page's main content, as an
outline (`outline`): `<details>`/`<summary>`, definition lists, DocBook's
question and answer rows, or headings. Navigation, headers, footers, scripts,
pop-up help and hidden parts are never read as questions.

Hostile HTML is data: nothing is fetched or run, the tree is bounded in size
and depth, and text keeps no markup (entities decoded).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from faq_cli.errors import DataError, Problem
from faq_cli.readers.base import Raw, tidy
from faq_cli.readers.outline import PAIRED, End, Heading, Item, Text, question_like

MAX_DEPTH = 256  # elements nested deeper are read as part of their parent
MAX_ELEMENTS = 2_000_000  # a page with more is no FAQ, or an attack

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
BLOCKS = frozenset(
    """address article aside blockquote caption details dialog dd div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul""".split()
)
# Never read: what is not text, and the page's chrome.
SKIP = frozenset(
    "script style template noscript head nav header footer aside dialog button svg select".split()
)
SKIP_ROLES = frozenset(
    "navigation banner contentinfo dialog alertdialog tooltip search complementary".split()
)
SKIP_CLASSES = re.compile(r"\b(toc|table-of-contents|tooltip|popover|modal|sr-only|visually-hidden)\b")
# A new element of a key closes an open one of the value, as browsers do.
_CLOSES = {
    "li": ({"li"}, {"ul", "ol", "menu"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table", "thead", "tbody", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "option": ({"option"}, {"select"}),
}
_WHITESPACE = re.compile(r"\s+")
_NOT_WORDS = re.compile(r"^[\W\d_]*$")  # numbering, punctuation: what a table of contents has besides links


class Element:
    """An element of the tree; `closed` once its end tag was seen. An end tag
    with nothing open to close (a fragment's `</details>`) is kept as an
    element named "/details"."""

    __slots__ = ("attrs", "children", "closed", "line", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag, self.attrs, self.line = tag, attrs, line
        self.children: list[Element | str] = []
        self.closed = False


class _Builder(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.root = Element("#document", {}, 1)
        self.stack = [self.root]
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise DataError(self.name, [Problem(f"more than {MAX_ELEMENTS:,} elements; is this a FAQ page?")])
        closes, within = _CLOSES.get(tag, ((), ()))
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag in within:
                break
            if self.stack[i].tag in closes:
                del self.stack[i:]
                break
        if tag in BLOCKS and self.stack[-1].tag == "p":
            self.stack.pop()
        if len(self.stack) >= MAX_DEPTH:
            return  # read as part of its parent: its text goes there
        element = Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop().closed = True

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                for element in self.stack[i:]:
                    element.closed = element.tag == tag
                del self.stack[i:]
                return
        if tag in ("details", "dd", "dl"):
            self.stack[-1].children.append(Element("/" + tag, {}, self.getpos()[0]))

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def tree(text: str, name: str) -> Element:
    """The document's tree, however broken its markup."""
    builder = _Builder(name)
    builder.feed(text)
    builder.close()
    return builder.root


def skipped(element: Element) -> bool:
    """Whether an element is chrome or hidden: never read as questions or answers."""
    attrs = element.attrs
    return (
        element.tag in SKIP
        or "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or attrs.get("role", "") in SKIP_ROLES
        or bool(SKIP_CLASSES.search(attrs.get("class", "") + " " + attrs.get("id", "")))
    )


def text_of(element: Element, keep_all: bool = False) -> str:
    """The text of an element as a reader sees it: blocks on lines of their
    own, list items marked, code as written, images by their alt text."""
    out: list[str] = []
    _text(element, out, element.tag == "pre", keep_all)
    return tidy("".join(out))


def _text(element: Element, out: list[str], pre: bool, keep_all: bool) -> None:
    for child in element.children:
        if isinstance(child, str):
            if not pre:
                child = _WHITESPACE.sub(" ", child)
                if not out or out[-1].endswith("\n"):
                    child = child.lstrip()
            out.append(child)
            continue
        tag = child.tag
        if tag.startswith("/") or (not keep_all and skipped(child)):
            continue
        if tag == "br":
            out.append("\n")
        elif tag == "img":
            out.append(child.attrs.get("alt", ""))
        elif tag in BLOCKS:
            out.append("\n\n" if tag not in ("li", "tr", "dd", "dt") else "\n")
            out.append("- " if tag == "li" else "")
            _text(child, out, pre or tag == "pre", keep_all)
            out.append("\n")
        else:
            out.append(" " if tag in ("td", "th") else "")
            _text(child, out, pre, keep_all)


# --- schema.org FAQPage ------------------------------------------------------


def json_ld(root: Element) -> list[Raw]:
    """The questions of the page's JSON-LD `FAQPage` blocks."""
    out: list[Raw] = []
    for script in _all(root, lambda e: e.tag == "script"):
        if "ld+json" not in script.attrs.get("type", "").lower():
            continue
        try:
            data = json.loads("".join(c for c in script.children if isinstance(c, str)))
        except ValueError:
            continue  # a broken block beside a good one: the good one still counts
        out += faq_page(data, script.line)
    return out


def faq_page(data: Any, line: int | None = None) -> list[Raw]:
    """The questions of schema.org `FAQPage` objects anywhere in JSON-LD data
    (a list, an `@graph`, nested)."""
    out: list[Raw] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack += reversed(item)
        elif isinstance(item, dict):
            if _is_type(item, "FAQPage"):
                entities = item.get("mainEntity", [])
                for question in entities if isinstance(entities, list) else [entities]:
                    if isinstance(question, dict) and _is_type(question, "Question"):
                        out.append(_question(question, line))
            else:
                stack += reversed([v for v in item.values() if isinstance(v, list | dict)])
    return out


def _question(question: dict[str, Any], line: int | None) -> Raw:
    answer = question.get("acceptedAnswer") or question.get("suggestedAnswer") or {}
    if isinstance(answer, list):
        answer = answer[0] if answer else {}
    text = answer.get("text", "") if isinstance(answer, dict) else ""
    name = question.get("name", "") or question.get("text", "")
    return Raw(fragment_text(str(name)), fragment_text(str(text)), line)


def _is_type(item: dict[str, Any], name: str) -> bool:
    kind = item.get("@type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).rsplit("/", 1)[-1] == name for k in kinds)


def fragment_text(fragment: str) -> str:
    """The plain text of an HTML fragment (JSON-LD answers are often HTML)."""
    if "<" not in fragment and "&" not in fragment:
        return tidy(fragment)
    return text_of(tree(fragment, "(fragment)"), keep_all=True)


def microdata(root: Element) -> list[Raw]:
    """The questions of microdata `FAQPage` markup: each `Question` item's
    `name`, and its `acceptedAnswer`'s `text`."""
    out = []
    for page in _all(root, lambda e: "FAQPage" in e.attrs.get("itemtype", "")):
        for question in _all(page, lambda e: e.attrs.get("itemtype", "").endswith("Question")):
            name = _prop(question, "name")
            answer = _prop(question, "acceptedAnswer") or _prop(question, "suggestedAnswer")
            text = _prop(answer, "text") if answer is not None else None
            out.append(
                Raw(
                    text_of(name, keep_all=True) if name is not None else "",
                    text_of(text, keep_all=True) if text is not None else "",
                    question.line,
                )
            )
    return out


def _prop(scope: Element, name: str) -> Element | None:
    """The first element below `scope` with itemprop `name`, not inside a nested item."""
    stack = [c for c in reversed(scope.children) if isinstance(c, Element)]
    while stack:
        element = stack.pop()
        if name in element.attrs.get("itemprop", "").split():
            return element
        if "itemscope" not in element.attrs:
            stack += [c for c in reversed(element.children) if isinstance(c, Element)]
    return None


def _all(root: Element, wanted: Any) -> Iterator[Element]:
    """Every element below `root` that `wanted` accepts, in document order."""
    stack = [root]
    while stack:
        element = stack.pop()
        if element is not root and wanted(element):
            yield element
        stack += [c for c in reversed(element.children) if isinstance(c, Element)]


# --- the page's own structure ------------------------------------------------


def main_content(root: Element) -> Element:
    """Where the page's content is: its `<main>` (or role=main), else its
    body; the title and navigation around it are not questions."""
    for element in _all(root, lambda e: e.tag == "main" or e.attrs.get("role") == "main"):
        return element
    for element in _all(root, lambda e: e.tag == "body"):
        return element
    return root


def page_title(root: Element) -> str | None:
    for element in _all(root, lambda e: e.tag == "title"):
        return text_of(element, keep_all=True) or None
    return None


def outline(root: Element) -> list[Item]:
    """The element's content as an outline: headings (and questions given as
    pairs) and the text between them."""
    items: list[Item] = []
    buffer: list[str] = []
    links_only = [True]

    def flush() -> None:
        text = tidy("".join(buffer))
        if text:
            items.append(Text(text, links_only[0]))
        buffer.clear()
        links_only[0] = True

    def emit(item: Item) -> None:
        flush()
        items.append(item)

    def walk(element: Element, in_link: bool) -> None:
        for at, child in enumerate(element.children):
            if isinstance(child, str):
                if not in_link and not _NOT_WORDS.match(child):
                    links_only[0] = False
                buffer.append(_WHITESPACE.sub(" ", child))
                continue
            tag = child.tag
            if tag.startswith("/"):
                if tag == "/details":
                    emit(End())
                continue
            if skipped(child):
                continue
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                emit(Heading(int(tag[1]), text_of(child), child.line))
            elif tag == "details":
                summary = next(
                    (c for c in child.children if isinstance(c, Element) and c.tag == "summary"), None
                )
                emit(Heading(PAIRED, text_of(summary) if summary is not None else "", child.line))
                walk(child, in_link)
                if child.closed:
                    emit(End())
            elif tag == "summary":
                continue  # read with its details
            elif tag == "dt" and question_like(term := text_of(child)):
                emit(Heading(PAIRED, term, child.line))
            elif tag == "dd" and items and isinstance(items[-1], Heading) and items[-1].level == PAIRED:
                buffer.append("\n\n")
                walk(child, in_link)
                following = (c for c in element.children[at + 1 :] if isinstance(c, Element))
                if next((c.tag for c in following), "dt") == "dt":  # its term's last definition
                    emit(End())
            elif tag == "tr" and "question" in child.attrs.get("class", "").split():
                cells = [c for c in child.children if isinstance(c, Element) and c.tag in ("td", "th")]
                emit(Heading(PAIRED, text_of(cells[-1]) if cells else text_of(child), child.line))
            elif tag == "tr" and "answer" in child.attrs.get("class", "").split():
                cells = [c for c in child.children if isinstance(c, Element) and c.tag in ("td", "th")]
                buffer.append("\n\n" + text_of(cells[-1] if cells else child))
                links_only[0] = False
                emit(End())
            elif tag == "li" and (lead := _lead(child)) is not None:
                emit(Heading(PAIRED, text_of(lead), child.line))
                rest = Element("li", {}, child.line)
                rest.children = [c for c in child.children if c is not lead]
                walk(rest, in_link)
                emit(End())
            elif tag == "br":
                buffer.append("\n")
            elif tag == "img":
                buffer.append(child.attrs.get("alt", ""))
            elif tag == "pre":
                buffer.append("\n\n" + text_of(child) + "\n\n")
                links_only[0] = False
            else:
                block = tag in BLOCKS
                buffer.append("\n\n" if block and tag != "li" else "\n- " if tag == "li" else "")
                walk(child, in_link or tag == "a")
                buffer.append("\n\n" if block else "")

    walk(root, False)
    flush()
    return items


_LEADS = ("em", "strong", "b", "i")
_FOLLOWS = frozenset("p pre ul ol dl div blockquote table".split())


def _lead(item: Element) -> Element | None:
    """The question of a list item written as one: an emphasised lead-in
    ("<li><em>Is there ...?</em><p>Yes...") followed by blocks of answer."""
    children = [c for c in item.children if isinstance(c, Element) or c.strip()]
    if len(children) < 2 or not isinstance(children[0], Element) or children[0].tag not in _LEADS:
        return None
    rest = [c for c in children[1:] if isinstance(c, Element)]
    return children[0] if rest and all(c.tag in _FOLLOWS for c in rest) else None


def decode(data: bytes, name: str) -> str:
    """The page's text: UTF-8 (with or without a BOM), else the charset its
    `<meta>` declares, else Windows-1252, as browsers fall back to."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", data[:4096], re.IGNORECASE)
    for charset in (declared.group(1).decode("ascii"),) if declared else ():
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", "replace")
