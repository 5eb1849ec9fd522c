"""The small CSV reader the input files share (forecast, roster): comments, blank lines,
header checks, and cell parsers whose errors name the file, the line and the column
(:class:`~ccsim.errors.InputFileError`).
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

from ccsim.errors import InputFileError

__all__ = [
    "TIMESTAMP_FORMAT",
    "Row",
    "Table",
    "read_table",
    "parse_timestamp",
    "parse_float",
    "required_text",
]

_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
TIMESTAMP_FORMAT = "YYYY-MM-DD HH:MM (or YYYY-MM-DDTHH:MM; seconds optional, no time zone)"


@dataclass(frozen=True)
class Row:
    """One data line of a table: its 1-based line number and its cells by column name."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    path: str
    header_line: int
    columns: tuple[str, ...]
    rows: list[Row]


def _quote_list(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "(none configured)"


def read_table(path: str | Path, *, required: Sequence[str], optional: Sequence[str] = ()) -> Table:
    """Read a comma-separated file with a header line.

    Blank lines (also lines of only commas) and lines starting with ``#`` are skipped; they
    still count for line numbers.
    Column names are case-sensitive and stripped; so are cells. Missing required columns,
    unknown or repeated columns and rows whose number of values differs from the header raise
    :class:`InputFileError`. A quoted value may not span lines.
    """
    p = str(path)
    allowed = tuple(required) + tuple(optional)
    try:
        with open(path, encoding="utf-8-sig", newline=None) as f:
            lines = f.readlines()
    except FileNotFoundError:
        raise InputFileError(p, 0, "", "file not found") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(p, 0, "", f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputFileError(p, 0, "", f"cannot read the file ({exc.strerror or exc})") from None

    header: list[str] | None = None
    header_line = 0
    rows: list[Row] = []
    for lineno, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            cells = next(csv.reader([text], strict=True))
        except csv.Error as exc:
            raise InputFileError(p, lineno, "", f"malformed CSV line ({exc})") from None
        cells = [c.strip() for c in cells]
        if not any(cells):  # a line of only commas, as spreadsheets write: blank
            continue
        if header is None:
            header, header_line = cells, lineno
            _check_header(p, lineno, header, tuple(required), allowed)
            continue
        if len(cells) != len(header):
            if len(cells) < len(header):
                missing = header[len(cells)]
                problem = (
                    f"row has {len(cells)} values but the header names {len(header)} columns; "
                    f"no value for {missing!r} (leave it empty with a trailing comma if allowed)"
                )
                raise InputFileError(p, lineno, missing, problem)
            raise InputFileError(
                p,
                lineno,
                "",
                f"row has {len(cells)} values but the header names {len(header)} columns "
                f"({', '.join(header)}); extra values: {cells[len(header) :]!r}",
            )
        rows.append(Row(lineno, dict(zip(header, cells, strict=True))))
    if header is None:
        raise InputFileError(
            p,
            1,
            "",
            "file is empty (no header line, only blank or comment lines); expected a header "
            f"with columns {', '.join(required)}"
            + (f" and optionally {', '.join(optional)}" if optional else ""),
        )
    return Table(p, header_line, tuple(header), rows)


def _check_header(
    path: str, line: int, header: list[str], required: tuple[str, ...], allowed: tuple[str, ...]
) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputFileError(path, line, name, f"column {name!r} is given twice in the header")
        seen.add(name)
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if ";" in name or "\t" in name:
                hint += " (the file must be comma-separated)"
            raise InputFileError(
                path,
                line,
                name,
                f"unknown column {name!r}{hint}; allowed columns: {', '.join(allowed)} "
                "(names are case-sensitive)",
            )
    for name in required:
        if name not in seen:
            raise InputFileError(
                path,
                line,
                name,
                f"required column {name!r} is missing; the header has: {', '.join(header)}",
            )


def parse_timestamp(path: str, line: int, column: str, text: str) -> datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` or with ``T``; nothing else (no time zone, no fractions)."""
    if not text:
        raise InputFileError(path, line, column, f"empty; expected a timestamp {TIMESTAMP_FORMAT}")
    if _TIMESTAMP_RE.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError as exc:
            raise InputFileError(
                path, line, column, f"{text!r} is not a valid date and time ({exc})"
            ) from None
    raise InputFileError(
        path, line, column, f"{text!r} is not a timestamp; expected {TIMESTAMP_FORMAT}"
    )


def parse_float(path: str, line: int, column: str, text: str, allowed: str) -> float:
    """A finite number; ``allowed`` says what is allowed, for the message."""
    try:
        value = float(text)
    except ValueError:
        shown = repr(text) if text else "empty"
        raise InputFileError(path, line, column, f"{shown} is not a number; {allowed}") from None
    if not math.isfinite(value):
        raise InputFileError(path, line, column, f"{text!r} is not finite; {allowed}")
    return value


def required_text(path: str, row: Row, column: str, choices: Sequence[str], what: str) -> str:
    """A non-empty cell whose value is one of ``choices`` (case-sensitive)."""
    value = row.cells[column]
    if value in choices:
        return value
    shown = f"unknown {what} {value!r}" if value else f"empty; every row must name a {what}"
    close = difflib.get_close_matches(value, choices, n=1) if value else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputFileError(path, row.line, column, f"{shown}{hint}; allowed: {_quote_list(choices)}")
