"""Renderings of the same results: JSON for scripts, plain text for pipes,
and the panel of an entry that `faq browse` shows (Rich, inside Textual); the
terminal's own is `ansi`. FAQ text is data: it is never read as markup, and
control, bidi and invisible characters are shown as visible escapes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from faq_cli.match import as_document
from faq_cli.model import Document, Entry, Summary
from faq_cli.text import UNSAFE, compiled, spans, visible

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from faq_cli.errors import Problem
    from faq_cli.model import Faq
    from faq_cli.rank import Hit
    from faq_cli.readers.base import Read

# --- JSON ---------------------------------------------------------------------


def entry_dict(entry: Entry | Document) -> dict[str, Any]:
    return {
        "id": entry.id,
        "question": entry.question,
        "answer": entry.answer,
        "sources": list(entry.sources),
        "tags": list(entry.tags),
    }


def validation_dict(
    file: str, problems: Sequence[Problem] = (), entries: int = 0, read: Read | None = None
) -> dict[str, Any]:
    """What `faq validate --json` reports: the problems, or how many entries,
    read as which format (and at which heading level), and what was left out."""
    if problems:
        rows = [{"message": p.message, "path": p.path, "line": p.line, "column": p.column} for p in problems]
        return {"valid": False, "file": file, "problems": rows}
    out: dict[str, Any] = {"valid": True, "file": file, "entries": entries}
    if read is not None:
        out |= {"format": read.format, "level": read.level, "notes": list(read.notes)}
    return out


def faq_dict(faq: Faq) -> dict[str, Any]:
    """A FAQ in our own file format's shape: what `faq convert` writes."""
    out: dict[str, Any] = {}
    if faq.title:
        out["title"] = faq.title
    if faq.summary:
        out["summary"] = {"headline": faq.summary.headline, "text": faq.summary.text}
        if faq.summary.source:
            out["summary"]["source"] = faq.summary.source
    out["entries"] = [
        {
            "id": e.id,
            "question": e.question,
            "answer": e.answer,
            **({"sources": list(e.sources)} if e.sources else {}),
            **({"tags": list(e.tags)} if e.tags else {}),
        }
        for e in faq.entries
    ]
    return out


def faq_yaml(faq: Faq, origin: str) -> str:
    """A FAQ as a file of our own format, for a person to curate: multi-line
    text as literal blocks, anything YAML would misread quoted."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None  # the emitter quotes it instead where a block cannot hold it
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump(faq_dict(faq), Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"# Converted by 'faq convert' from {visible(origin, one_line=True)}.\n{body}"


def hit_dict(hit: Hit) -> dict[str, Any]:
    """An entry's keys, score, matched fields and kind: "entry", or "summary"
    for the news summary, whose id is null (headline as question, text as answer)."""
    kind = "entry" if isinstance(hit.entry, Entry) else "summary"
    return {
        **entry_dict(as_document(hit.entry)),
        "score": hit.score,
        "matched": list(hit.matched),
        "kind": kind,
    }


def summary_dict(summary: Summary) -> dict[str, Any]:
    return {"headline": summary.headline, "text": summary.text, "source": summary.source}


def to_json(value: Any) -> str:
    """UTF-8 JSON; characters that could upset a terminal are \\u-escaped, which
    any JSON parser reads back exactly."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return compiled(UNSAFE).sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- plain text: one record per line, tab-separated ---------------------------


def ranges(ids: list[int]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"."""
    ids, parts, start = sorted(ids), [], None
    for i, n in enumerate(ids):
        start = n if start is None else start
        if i + 1 == len(ids) or ids[i + 1] != n + 1:
            parts.append(str(n) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(parts)


def plain_list(entries: Iterable[Entry]) -> Iterable[str]:
    for e in entries:
        yield f"{e.id}\t{visible(e.question, True)}"


def plain_hits(hits: Iterable[Hit]) -> Iterable[str]:
    """id, score, question, then what the terminal view shows too: answer, sources, tags."""
    for h in hits:
        e = as_document(h.entry)
        label = "summary" if e.id is None else str(e.id)
        fields = [label, str(h.score), e.question, e.answer, "; ".join(e.sources), ", ".join(e.tags)]
        yield "\t".join(visible(f, True) for f in fields)


def plain_entry(e: Entry) -> Iterable[str]:
    yield visible(e.question)
    yield ""
    yield visible(e.answer)
    if e.sources or e.tags:
        yield ""
    if e.sources:
        yield "Sources: " + "; ".join(visible(s, True) for s in e.sources)
    if e.tags:
        yield "Tags: " + ", ".join(visible(t, True) for t in e.tags)


def plain_summary(s: Summary) -> Iterable[str]:
    yield visible(s.headline)
    yield ""
    yield visible(s.text)
    if s.source:
        yield ""
        yield "Source: " + visible(s.source, True)


# --- Rich, for faq browse ------------------------------------------------------

HIGHLIGHT = "bold yellow"


def _text(value: str, style: str = "", marks: frozenset[str] = frozenset()) -> Text:
    """A Rich Text of data (never markup), with matched words highlighted."""
    from rich.text import Text

    out = Text(style=style, overflow="fold")
    pos = 0
    for word, start, end in spans(value) if marks else ():
        if word in marks and start >= pos:
            out.append(visible(value[pos:start]))
            out.append(visible(value[start:end]), style=HIGHLIGHT)
            pos = end
    out.append(visible(value[pos:]))
    return out


def _meta(label: str, items: Sequence[str], marks: frozenset[str] = frozenset()) -> Text:
    from rich.text import Text

    line = Text(f"{label}: ", style="dim")
    for i, item in enumerate(items):
        if i:
            line.append(", " if label == "Tags" else "; ", style="dim")
        line.append_text(_text(item, "dim", marks))
    return line


def entry_panel(
    e: Entry | Document, subtitle: str = "", matched: dict[str, frozenset[str]] | None = None
) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    m = matched or {}
    parts: list[RenderableType] = [
        _text(e.question, "bold", m.get("question", frozenset())),
        "",
        _text(e.answer, "", m.get("answer", frozenset())),
    ]
    if e.sources or e.tags:
        parts.append("")
    if e.sources:
        parts.append(_meta("Sources", e.sources, m.get("sources", frozenset())))
    if e.tags:
        parts.append(_meta("Tags", e.tags, m.get("tags", frozenset())))
    return Panel(
        Group(*parts),
        title=Text("Summary" if e.id is None else f"#{e.id}", style="cyan"),
        title_align="left",
        subtitle=Text(subtitle, style="dim") if subtitle else None,
        subtitle_align="right",
        border_style="blue",
    )
