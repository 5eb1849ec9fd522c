"""An HTML page beside a Markdown report (the planning modes' ``staffing.md``, ``schedule.md``,
``plan.md``): the same text, read as blocks (headings, paragraphs, tables, lists, images) and
rendered with the run report's template and stylesheet (:mod:`ccsim.reports.templating`),
its figures embedded. Only the Markdown ccsim writes is read: ``#`` headings, pipe tables,
``- `` lists, ``**bold**`` and ```code``` inline, ``![name](file.png)`` images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ccsim.reports.templating import Figure, Table, Text, figure, write_page

__all__ = ["Block", "blocks", "write_markdown_page"]

_INLINE = re.compile(r"(\*\*.+?\*\*|`[^`]+`)")
_IMAGE = re.compile(r"^!\[[^\]]*\]\(([^)\s]+)\)$")


@dataclass(frozen=True)
class Block:
    """One block of the page: ``kind`` is ``heading`` (``level``, ``text``, ``id``), ``para``
    (``text``), ``list`` (``items``), ``table`` or ``figure``."""

    kind: str
    text: Text = field(default_factory=Text)
    level: int = 0
    id: str = ""
    items: tuple[Text, ...] = ()
    table: Table | None = None
    figure: Figure | None = None


def _inline(line: str) -> Text:
    parts: list[tuple[str, str]] = []
    for piece in _INLINE.split(line):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            parts.append(("b", piece[2:-2]))
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 2:
            parts.append(("code", piece[1:-1]))
        else:
            parts.append(("", piece))
    return Text(tuple(parts))


def _plain(t: Text) -> str:
    return "".join(p for _, p in t.parts)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(lines: list[str]) -> Table:
    head, rule, *body = lines
    align = "".join(
        "c" if r.startswith(":") and r.endswith(":") else "r" if r.endswith(":") else "l"
        for r in _cells(rule)
    )
    rows = [[_plain(_inline(c)) for c in _cells(line)] for line in body]
    return Table([_plain(_inline(c)) for c in _cells(head)], rows, align=align)


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


def blocks(markdown: str, folder: Path | None = None) -> list[Block]:
    """The blocks of ``markdown``; images are embedded from ``folder`` (left out when the file
    is not there)."""
    out: list[Block] = []
    used: set[str] = set()
    para: list[str] = []
    lines = markdown.split("\n")

    def flush() -> None:
        if para:
            out.append(Block("para", _inline(" ".join(para))))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            flush()
        elif line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            text = _inline(line[level:].strip())
            out.append(Block("heading", text, level=level, id=_slug(_plain(text), used)))
        elif line.startswith("|"):
            flush()
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            out.append(Block("table", table=_table(lines[i:j])))
            i = j
            continue
        elif line.startswith("- "):
            flush()
            j = i
            while j < len(lines) and lines[j].startswith("- "):
                j += 1
            out.append(Block("list", items=tuple(_inline(x[2:]) for x in lines[i:j])))
            i = j
            continue
        elif (m := _IMAGE.match(line.strip())) is not None:
            flush()
            path = None if folder is None else folder / m.group(1)
            if path is not None and path.is_file() and path.suffix == ".png":
                out.append(Block("figure", figure=figure(path)))
        else:
            para.append(line.strip())
        i += 1
    flush()
    return out


def write_markdown_page(
    md_path: Path, figures: Sequence[Path] = (), kicker: str = "ccsim report"
) -> Path:
    """Write ``md_path`` as HTML beside it (``staffing.md`` -> ``staffing.html``), the PNG
    ``figures`` embedded after its introduction (before its first section)."""
    md_path = Path(md_path)
    body = blocks(md_path.read_text(encoding="utf-8"), md_path.parent)
    title = next((b for b in body if b.kind == "heading" and b.level == 1), None)
    if title is not None:
        body.remove(title)
    first = next((n for n, b in enumerate(body) if b.kind == "heading"), len(body))
    embedded = [Block("figure", figure=figure(p, "")) for p in figures if Path(p).suffix == ".png"]
    body[first:first] = embedded
    heading = _plain(title.text) if title is not None else md_path.stem
    return write_page(
        md_path.with_suffix(".html"),
        "document.html",
        title=f"ccsim: {heading}",
        heading=heading,
        kicker_text=kicker,
        blocks=body,
        toc=[(b.id, _plain(b.text)) for b in body if b.kind == "heading" and b.level == 2],
        source=md_path.name,
    )
