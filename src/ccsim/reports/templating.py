"""Self-contained HTML pages (``report.html``, ``comparison.html``, the planning modes' pages):
Jinja2 templates with autoescaping (``ccsim/reports/templates``), one stylesheet inlined, the
figures embedded as base64 PNG data URIs. No script, no network: a page opens offline, and the
same inputs give the same bytes.

The pages' builders (:mod:`ccsim.reports.html`, :mod:`ccsim.sweeps.html`,
:mod:`ccsim.planning.html`) hand the templates plain data: :class:`Table`, :class:`Cell`,
:class:`Figure`, :class:`Text`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import jinja2

from ccsim.reports.files import atomic_write_text
from ccsim.version import __version__

__all__ = ["Cell", "Table", "Figure", "Text", "figure", "figures", "render", "write_page"]

# Cell classes the stylesheet colours: good news, bad news, in between, quiet.
GOOD, BAD, WARN, MUTED = "good", "bad", "warn", "muted"


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (escaped on output), a CSS class (:data:`GOOD`, :data:`BAD`, ...),
    a tooltip, a colour swatch before the text (a channel's or pool's colour in the figures), a
    bar beside it (its width in percent of the track) and a second, smaller line (``sub``: an
    effect's confidence interval under its mean)."""

    text: str
    cls: str = ""
    title: str = ""
    colour: str = ""
    bar: float | None = None
    sub: str = ""


@dataclass(frozen=True)
class Table:
    """``align``: one letter per column, ``l``eft (on one line), ``w`` left and wrapping (long
    labels), ``r``ight (numbers) or ``c``entre; missing letters: the first column left, the
    others right. ``scroll``: a tall table scrolls inside its box under a sticky header;
    ``compact``: as wide as its content, not the page."""

    headers: Sequence[Cell | str]  # a Cell's title: the header's tooltip
    rows: Sequence[Sequence[Any]]  # Cells, or text
    align: str = ""
    caption: str = ""
    scroll: bool = False
    compact: bool = False
    footer_rows: int = 0  # the last rows are totals: set apart

    def column_align(self, i: int) -> str:
        if i < len(self.align):
            return self.align[i]
        return "l" if i == 0 else "r"

    def cells(self, row: Sequence[Any]) -> list[Cell]:
        return [c if isinstance(c, Cell) else Cell(str(c)) for c in row]


@dataclass(frozen=True)
class Figure:
    name: str  # the PNG's file name beside the page
    caption: str
    uri: str  # data:image/png;base64,...


@dataclass(frozen=True)
class Text:
    """A paragraph as runs of text: ``(style, text)`` with style ``""``, ``"b"`` (bold) or
    ``"code"``; escaped on output."""

    parts: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, *parts: str | tuple[str, str]) -> Text:
        return cls(tuple(("", p) if isinstance(p, str) else p for p in parts))


def figure(path: Path, caption: str | None = None) -> Figure:
    """A PNG file as an embedded figure; its caption by default the file's name in words."""
    path = Path(path)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    text = path.stem.replace("_", " ") if caption is None else caption
    return Figure(path.name, text, f"data:image/png;base64,{data}")


def figures(paths: Iterable[Path], captions: dict[str, str]) -> list[Figure]:
    """Every PNG among ``paths``, in their order, captioned from ``captions`` by file name."""
    return [figure(p, captions.get(Path(p).name)) for p in paths if Path(p).suffix == ".png"]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ccsim.reports", "templates"),
        autoescape=True,  # every template is HTML: names from configs are escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """A page from ``template`` (in ``ccsim/reports/templates``) and its data."""
    return _environment().get_template(template).render(version=__version__, **context)


def write_page(path: Path, template: str, **context: Any) -> Path:
    """Render and write atomically; returns ``path``."""
    atomic_write_text(Path(path), render(template, **context))
    return Path(path)
