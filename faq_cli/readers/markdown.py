"""Markdown (CommonMark, with GitHub's tables), read with markdown-it-py into
an outline (`outline`): headings, raw-HTML headings and `<details>` blocks,
and the text between them. A heading in a code block is code; front matter
and HTML comments are not text; links keep their text, code its shape."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from faq_cli.readers import html
from faq_cli.readers.outline import Heading, Item, Text

_FRONT_MATTER = re.compile(
    r"\A(?:---\r?\n.*?\r?\n(?:---|\.\.\.)|\+\+\+\r?\n.*?\r?\n\+\+\+)[ \t]*(?:\r?\n|\Z)", re.S
)


def outline(text: str) -> list[Item]:
    """The document as headings and the text between them."""
    from markdown_it import MarkdownIt

    if front := _FRONT_MATTER.match(text):  # blank lines in its place keep the line numbers
        text = "\n" * front.group().count("\n") + text[front.end() :]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    items: list[Item] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = token.map[0] + 1 if token.map else None
        if token.type == "heading_open":
            items.append(Heading(int(token.tag[1]), _inline(tokens[i + 1]), line))
            i += 3
            continue
        if token.type == "html_block":
            fragment = html.tree(token.content, "(html)")
            items += [
                it._replace(line=line) if isinstance(it, Heading) else it for it in html.outline(fragment)
            ]
            i += 1
            continue
        end = _block_end(tokens, i)
        block = tokens[i:end]
        text_of_block = render(block)
        if text_of_block.strip():
            items.append(Text(text_of_block, _links_only(block)))
        i = end
    return items


def _block_end(tokens: Sequence[Any], start: int) -> int:
    """The index after the block that starts at `start` (its closing token)."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth <= 0:
            return i + 1
    return len(tokens)


def render(tokens: Sequence[Any]) -> str:
    """Block tokens as plain text: paragraphs apart, list items marked, code
    as written, table cells apart."""
    out: list[str] = []
    lists: list[list[int]] = []  # open lists: the next item's number, or -1 for bullets
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else -1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("\n")
        elif kind == "list_item_open":
            number = lists[-1][0] if lists else -1
            marker = "- " if number < 0 else f"{number}. "
            if lists and number >= 0:
                lists[-1][0] += 1
            out.append("\n" + "  " * (len(lists) - 1) + marker)
        elif kind == "inline":
            out.append(_inline(token))
        elif kind in ("paragraph_close", "heading_close", "blockquote_close"):
            out.append("\n" if lists else "\n\n")
        elif kind in ("fence", "code_block"):
            out.append("\n\n" + token.content.rstrip("\n") + "\n\n")
        elif kind == "html_block":
            out.append("\n\n" + html.fragment_text(token.content) + "\n\n")
        elif kind in ("th_open", "td_open"):
            out.append(" | " if out and not out[-1].endswith("\n") else "")
        elif kind == "tr_close" or kind == "table_close":
            out.append("\n")
    return "".join(out)


def _inline(token: Any) -> str:
    """An inline token's text: links by their text, code as written, images
    by their alt text, inline HTML left out but for line breaks."""
    out = []
    for child in token.children or ():
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(child.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "image":
            out.append(child.content)
        elif kind == "html_inline" and re.match(r"<br\s*/?>", child.content, re.IGNORECASE):
            out.append("\n")
    return "".join(out)


def _links_only(block: Sequence[Any]) -> bool:
    """Whether a block is a list of nothing but links: a table of contents."""
    if not block or block[0].type not in ("bullet_list_open", "ordered_list_open"):
        return False
    inlines = [t for t in block if t.type == "inline"]
    for token in inlines:
        inside = 0
        for child in token.children or ():
            if child.type == "link_open":
                inside += 1
            elif child.type == "link_close":
                inside -= 1
            elif not inside and child.content.strip(" \t-–—:.·|"):
                return False
    return bool(inlines)
