"""The small table reader the input files share (forecast, roster): CSV files and Excel
worksheets, comments, blank lines, header checks, an optional mapping from ccsim's column names
to the file's own headers, and cell parsers whose errors name the file, the line and the column
(:class:`~ccsim.errors.InputFileError`).

An Excel sheet's cells are first turned into the text a CSV export would hold
(:func:`ccsim.inputs.excel.cell_text`), so both kinds of file are checked by the same code.
"""

from __future__ import annotations

import csv
import difflib
import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from ccsim.errors import InputFileError
from ccsim.inputs.excel import EXCEL_SUFFIXES, Kind, cell_text, column_letter, iter_sheet
from ccsim.inputs.headers import check_header, mapped_columns
from ccsim.inputs.timestamps import TIMESTAMP_FORMAT, parse_timestamp

__all__ = [
    "EXCEL_SUFFIXES",
    "TIMESTAMP_FORMAT",
    "Row",
    "Table",
    "is_excel",
    "check_column_mapping",
    "read_table",
    "stream_table",
    "parse_timestamp",
    "parse_float",
    "required_text",
]


@dataclass(frozen=True)
class Row:
    """One data line of a table: its 1-based line number and its cells by column name."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """The rows of a CSV file or an Excel sheet, by ccsim's column names. ``sheet``: the
    worksheet's title (None for CSV; ``line`` is then the Excel row number). ``headers``: the
    file's header of each column; ``letters``: each column's Excel letter. ``rows``: a list
    (:func:`read_table`), or an iterator that reads the file as it goes (:func:`stream_table`)."""

    path: str
    header_line: int
    columns: tuple[str, ...]
    rows: Iterable[Row]
    sheet: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    letters: Mapping[str, str] = field(default_factory=dict)

    @property
    def row_word(self) -> str:
        """How messages count: CSV lines, Excel rows."""
        return "line" if self.sheet is None else "row"

    def where(self, column: str, line: int) -> str | None:
        """The file's header and the cell of ``column`` on ``line``, where that tells more than
        the column's name: ``header 'Offered', cell C14``."""
        parts = []
        header = self.headers.get(column)
        if header is not None and header != column:
            parts.append(f"header {header!r}")
        if column in self.letters and line > 0:
            parts.append(f"cell {self.letters[column]}{line}")
        return ", ".join(parts) or None

    def locate(self, exc: InputFileError) -> InputFileError:
        """``exc`` (raised for a cell of this table) with the sheet, the file's header and the
        cell; unchanged for a CSV file read under ccsim's own column names."""
        if self.sheet is None and exc.where is None and self.where(exc.column, exc.line) is None:
            return exc
        return InputFileError(
            exc.path,
            exc.line,
            exc.column,
            exc.problem,
            sheet=exc.sheet if exc.sheet is not None else self.sheet,
            where=exc.where if exc.where is not None else self.where(exc.column, exc.line),
        )


def _quote_list(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "(none configured)"


def is_excel(path: str | Path) -> bool:
    """Whether ``path`` names an Excel workbook (by its extension, any case)."""
    return Path(path).suffix.lower() in EXCEL_SUFFIXES


def check_column_mapping(columns: Mapping[str, str] | None, allowed: Sequence[str]) -> str | None:
    """Why ``columns`` (ccsim's column name -> the file's header) is not a valid mapping, or
    None: keys must be among ``allowed``, headers non-empty strings, no header used twice."""
    if not columns:
        return None
    if not isinstance(columns, Mapping):
        return "must map ccsim's column names to the file's headers"
    seen: dict[str, str] = {}
    for name, header in columns.items():
        if name not in allowed:
            close = difflib.get_close_matches(str(name), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown column {name!r}{hint}; the mapping's keys are ccsim's columns: " + (
                ", ".join(allowed)
            )
        if not isinstance(header, str) or not header.strip():
            return (
                f"column {name!r}: the file's header must be a non-empty string, got {header!r}"
                + (" (quote it)" if isinstance(header, (int, float)) else "")
            )
        if header.strip() in seen:
            return (
                f"columns {seen[header.strip()]!r} and {name!r} both read header {header!r}; "
                "each header can be one column"
            )
        seen[header.strip()] = str(name)
    return None


def _csv_records(p: str, path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """The non-blank, non-comment lines of a CSV file, split and stripped, read as they come
    (one line in memory at a time). A line without quotes is split at its commas, as the csv
    module would; one with quotes goes through the csv module (strict: a quote may not open
    a value that runs past the end of the line)."""
    try:
        f = open(path, encoding="utf-8-sig", newline=None)
    except FileNotFoundError:
        raise InputFileError(p, 0, "", "file not found") from None
    except OSError as exc:
        raise InputFileError(p, 0, "", f"cannot read the file ({exc.strerror or exc})") from None
    lineno = 0
    with f:
        try:
            for lineno, raw in enumerate(f, start=1):
                text = raw.rstrip("\r\n")
                if not text or text.isspace() or text.lstrip().startswith("#"):
                    continue
                if '"' in text or "\0" in text:
                    try:
                        cells = next(csv.reader([text], strict=True))
                    except csv.Error as exc:
                        raise InputFileError(p, lineno, "", f"malformed CSV line ({exc})") from None
                else:
                    cells = text.split(",")
                cells = [c.strip() for c in cells]
                if not any(cells):  # a line of only commas, as spreadsheets write: blank
                    continue
                yield lineno, cells
        except UnicodeDecodeError as exc:
            where = f" after line {lineno}" if lineno else ""
            raise InputFileError(p, 0, "", f"not UTF-8 text{where} ({exc.reason})") from None
        except OSError as exc:
            raise InputFileError(
                p, 0, "", f"cannot read the file ({exc.strerror or exc})"
            ) from None


def stream_table(
    path: str | Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    kinds: Mapping[str, Kind] | None = None,
    option_prefix: str = "",
) -> Table:
    """Open a comma-separated file, or a worksheet of an ``.xlsx`` / ``.xlsm`` workbook (by
    the extension), with a header line: the header is read and checked now, the rows as the
    returned table's ``rows`` are iterated (once; the file is read as they come, so its size
    does not matter). :func:`read_table` reads them all into a list.

    Blank lines (also lines of only commas) and lines starting with ``#`` are skipped; they
    still count for line numbers.
    Column names are case-sensitive and stripped; so are cells. Missing required columns,
    unknown or repeated columns and rows whose number of values differs from the header raise
    :class:`InputFileError`. A quoted value may not span lines.

    ``columns`` maps ccsim's column names to the file's headers: a mapped column is read from
    its header, an unmapped one from a header of its own name, and every other header is
    ignored (exports carry columns ccsim does not read). ``sheet``: the worksheet (a name or a
    1-based position; default the first). ``header_row``: the line (Excel: row) the header is
    on; the lines above it are skipped (default: the first non-blank, non-comment line).
    ``kinds``: how Excel cells of a column are read (:data:`ccsim.inputs.excel.TIMESTAMP`, or
    a duration's unit in seconds). ``option_prefix`` names the options in messages (e.g.
    ``centre.forecast_`` for ``centre.forecast_header_row``).
    """
    p = str(path)
    allowed = tuple(required) + tuple(optional)
    problem = check_column_mapping(columns, allowed)
    if problem:
        raise ValueError(f"{option_prefix}columns: {problem}")
    mapping = {k: v.strip() for k, v in (columns or {}).items()}
    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
    ):
        raise ValueError(f"{option_prefix}header_row must be a whole number >= 1: {header_row!r}")
    excel = is_excel(path)
    if sheet is not None and not excel:
        raise ValueError(
            f"{option_prefix}sheet is only for Excel workbooks ({', '.join(EXCEL_SUFFIXES)}); "
            f"{p} is read as CSV"
        )
    if Path(path).suffix.lower() == ".xls":
        raise InputFileError(
            p,
            0,
            "",
            "an old-style .xls workbook; ccsim reads .xlsx and .xlsm workbooks and CSV files: "
            "save it as .xlsx (Excel Workbook) or CSV",
        )
    sheet_title: str | None = None
    kinds = kinds or {}
    epoch = datetime(1899, 12, 30)
    records: Iterator[tuple[int, Sequence[Any]]]
    if excel:
        sheet_title, epoch, records = iter_sheet(p, sheet)
    else:
        records = _csv_records(p, path)
    word = "line" if sheet_title is None else "row"

    def fail(line: int, column: str, problem: str, where: str | None = None) -> InputFileError:
        return InputFileError(p, line, column, problem, sheet=sheet_title, where=where)

    def text(value: Any, kind: Kind = None) -> str:
        return cell_text(value, kind, epoch) if excel else value

    rest = records
    header: list[str] | None = None
    header_line = 0
    for lineno, values in rest:
        if header_row is not None and lineno < header_row:
            continue
        if header_row is not None and lineno > header_row:
            raise fail(
                header_row,
                "",
                f"{word} {header_row} ({option_prefix}header_row) is blank or a comment; "
                f"expected the header there (the next {word} with values is {lineno})",
            )
        header, header_line = [text(v) for v in values], lineno
        break
    if header is None:
        raise fail(
            header_row or 1,
            "",
            ("file is empty" if sheet_title is None else "sheet is empty")
            + (
                f" at and after {word} {header_row} ({option_prefix}header_row)"
                if header_row
                else ""
            )
            + f" (no header {word}, only blank or comment {word}s); expected a header "
            f"with columns {', '.join(required)}"
            + (f" and optionally {', '.join(optional)}" if optional else ""),
        )
    if excel:
        while header and not header[-1]:  # empty cells right of the header
            header.pop()
    width = len(header)

    if mapping:
        index = mapped_columns(
            fail, header, header_line, word, mapping, required, allowed, option_prefix
        )
    else:
        check_header(p, header_line, header, tuple(required), allowed, sheet_title, option_prefix)
        index = {name: i for i, name in enumerate(header)}
    file_header = {name: header[i] for name, i in index.items()}
    letters = {name: column_letter(i) for name, i in index.items()} if excel else {}

    name_of = {i: name for name, i in index.items()}

    def rows() -> Iterator[Row]:
        try:
            for lineno, cells in rest:
                if excel:
                    if not mapping:
                        for i in range(width, len(cells)):
                            if text(cells[i]):
                                raise fail(
                                    lineno,
                                    "",
                                    f"cell {column_letter(i)}{lineno} holds "
                                    f"{text(cells[i])!r}, right of the last header column "
                                    f"({column_letter(width - 1)}: {header[-1]!r}); give it "
                                    "a header or clear it",
                                )
                    row_cells = {
                        name: text(cells[i] if i < len(cells) else None, kinds.get(name))
                        for name, i in index.items()
                    }
                    yield Row(lineno, row_cells)
                    continue
                if len(cells) != width:
                    if len(cells) < width:
                        missing = name_of.get(len(cells), header[len(cells)])
                        problem = (
                            f"row has {len(cells)} values but the header names {width} "
                            f"columns; no value for {missing!r} (leave it empty with a "
                            "trailing comma if allowed)"
                        )
                        raise fail(lineno, missing, problem, table.where(missing, lineno))
                    raise fail(
                        lineno,
                        "",
                        f"row has {len(cells)} values but the header names {width} columns "
                        f"({', '.join(header)}); extra values: {cells[width:]!r}",
                    )
                if mapping:
                    yield Row(lineno, {name: cells[i] for name, i in index.items()})
                else:
                    yield Row(lineno, dict(zip(header, cells, strict=True)))
        finally:
            close = getattr(rest, "close", None)
            if close is not None:
                close()  # a workbook stays open until its rows are read or given up

    table = Table(
        p,
        header_line,
        tuple(index),
        rows(),
        sheet_title,
        file_header if mapping else {},
        letters,
    )
    return table


def read_table(path: str | Path, **options: Any) -> Table:
    """:func:`stream_table` with every row read into a list (``rows``)."""
    table = stream_table(path, **options)
    return replace(table, rows=list(table.rows))


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
