"""reStructuredText, read with docutils (the reference parser) into an
outline (`outline`): section titles, and the text of the sections. Sphinx's
roles (`:ref:`, `:func:`, ...) keep their text, and its directives
(`code-block`, `versionadded`, ...) their content; nothing is included from
another file and no raw markup is passed through."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

from faq_cli.readers.outline import Heading, Item, Text

# Sphinx's directives whose content is code, or text after their argument (a
# version, a title); any other unknown one is left out.
_CODE = "code-block sourcecode code productionlist".split()
_TEXT = "versionadded versionchanged deprecated seealso glossary".split()
_DROPPED = "toctree index highlight currentmodule module automodule autoclass autofunction".split()
_TARGET = re.compile(r"^(.*?)\s*<[^<>]*>$", re.S)  # "text <target>": the text
# A role docutils does not know, or a substitution defined in another file, left
# as written: its text is what a reader sees.
_UNKNOWN_ROLE = re.compile(r":[\w.+-]+(?::[\w.+-]+)*:`([^`]*)`|\|(\w[\w -]*)\|_{0,2}")
_registered = False


def _register() -> None:
    """Teach docutils Sphinx's roles and directives, once."""
    global _registered
    if _registered:
        return
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives, roles

    def role(name: str, rawtext: str, text: str, *args: Any, **kwargs: Any) -> tuple[list[Any], list[Any]]:
        shown = _TARGET.sub(r"\1", text).lstrip("~!")
        return [nodes.literal(rawtext, shown)], []

    for name in (
        "ref doc term class func meth mod attr data exc obj envvar option command file program kbd "
        "abbr dfn guilabel menuselection samp keyword token py:class py:func py:meth py:mod py:attr "
        "c:func c:macro c:type c:data c:member source issue gh bpo"
    ).split():
        roles.register_local_role(name, role)

    options: defaultdict[str, Any] = defaultdict(lambda: directives.unchanged)

    class Code(Directive):  # type: ignore[misc]
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = options

        def run(self) -> list[Any]:
            text = "\n".join(self.content)
            return [nodes.literal_block(text, text)] if text.strip() else []

    class Said(Code):
        def run(self) -> list[Any]:
            text = " ".join([*self.arguments, *self.content])
            return [nodes.paragraph(text, text)] if text.strip() else []

    class Dropped(Code):
        def run(self) -> list[Any]:
            return []

    for name in _CODE:
        directives.register_directive(name, Code)
    for name in _TEXT:
        directives.register_directive(name, Said)
    for name in _DROPPED:
        directives.register_directive(name, Dropped)
    _registered = True


def outline(text: str) -> list[Item]:
    """The document's sections as headings (by depth) and their text."""
    from docutils import nodes
    from docutils.core import publish_doctree

    _register()
    settings = {
        "report_level": 5,  # quiet: problems of markup are not problems of the FAQ
        "halt_level": 5,
        "warning_stream": io.StringIO(),
        "file_insertion_enabled": False,  # no `include` of another file
        "raw_enabled": False,  # no raw HTML or LaTeX
        "doctitle_xform": False,  # the outline decides what the title is
        "input_encoding": "unicode",
    }
    document = publish_doctree(text, settings_overrides=settings)
    items: list[Item] = []

    def walk(node: Any, depth: int) -> None:
        for child in node.children:
            if isinstance(child, nodes.section):
                title = child.next_node(nodes.title)
                line = title.line if title is not None and title.line else child.line
                items.append(Heading(depth, _roles(title.astext()) if title is not None else "", line))
                walk(child, depth + 1)
            elif isinstance(child, nodes.title | nodes.system_message | nodes.target | nodes.comment):
                continue
            elif isinstance(child, nodes.Element):
                items.append(Text(_text(child), isinstance(child, nodes.bullet_list) and _links(child)))

    walk(document, 1)
    return items


def _text(node: Any) -> str:
    """A block's text: list items marked, literal blocks as written."""
    from docutils import nodes

    if isinstance(node, nodes.literal_block | nodes.doctest_block):
        return str(node.astext())
    if isinstance(node, nodes.bullet_list | nodes.enumerated_list):
        marker = "- " if isinstance(node, nodes.bullet_list) else "{}. "
        return "\n".join(
            marker.format(i) + _text_items(item).replace("\n", "\n  ")
            for i, item in enumerate(node.children, 1)
        )
    if isinstance(node, nodes.paragraph):
        return _roles(" ".join(str(node.astext()).split("\n")))
    return _text_items(node)


def _roles(text: str) -> str:
    return _UNKNOWN_ROLE.sub(lambda m: _TARGET.sub(r"\1", m.group(1) or m.group(2)).lstrip("~!"), text)


def _text_items(node: Any) -> str:
    from docutils import nodes

    if isinstance(node, nodes.TextElement):
        return _roles(" ".join(str(node.astext()).split("\n")))
    parts = [
        _text(child)
        for child in node.children
        if isinstance(child, nodes.Element) and not isinstance(child, nodes.system_message | nodes.target)
    ]
    return "\n\n".join(p for p in parts if p.strip())


def _links(node: Any) -> bool:
    """Whether a list is nothing but references (a table of contents)."""
    from docutils import nodes

    for paragraph in node.findall(nodes.paragraph):
        rest = [c for c in paragraph.children if not isinstance(c, nodes.reference | nodes.target)]
        if any(str(c.astext()).strip(" \t-–—:.") for c in rest):
            return False
    return True
