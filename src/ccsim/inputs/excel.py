"""Excel workbooks (``.xlsx``, ``.xlsm``) as input tables: one worksheet streamed with openpyxl
(``read_only``), its cells turned into the text a CSV export of the sheet would hold, so that
the forecast and roster readers check both kinds of file with one code path
(:mod:`ccsim.inputs.tables`).
"""

from __future__ import annotations

import difflib
import math
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator, Union

from ccsim.errors import InputFileError

__all__ = [
    "EXCEL_SUFFIXES",
    "TIMESTAMP",
    "Kind",
    "iter_sheet",
    "read_sheet",
    "cell_text",
    "column_letter",
]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
# What a column holds, for the cells whose Excel type needs it: a timestamp column reads an
# Excel serial number (a date cell formatted as a number) as the date and time it stands for;
# a duration column (the number: its unit in seconds) reads a duration or time-of-day cell
# (``0:05:20``, ``8:30``) as a number in its unit (320 seconds, 8.5 hours).
TIMESTAMP = "timestamp"
Kind = Union[str, float, None]


def _quote(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "(none)"


def read_sheet(path: str, sheet: str | int | None) -> tuple[str, datetime, list[tuple[int, tuple]]]:
    """:func:`iter_sheet` with the rows read into a list (and the workbook closed)."""
    title, epoch, rows = iter_sheet(path, sheet)
    return title, epoch, list(rows)


def iter_sheet(
    path: str, sheet: str | int | None
) -> tuple[str, datetime, Iterator[tuple[int, tuple]]]:
    """The worksheet ``sheet`` of the workbook at ``path`` (a name, a 1-based position, or None
    for the first): its title, the workbook's date epoch and its rows as ``(Excel row number,
    cell values)``, without blank rows and rows whose first cell starts with ``#``. The rows
    are streamed (openpyxl's read-only mode: one row in memory at a time); the workbook is
    closed when they are read to the end or the iterator is closed.

    Every problem (no such file, not a workbook, no such sheet, a damaged sheet) raises
    :class:`InputFileError`.
    """
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise InputFileError(
            path, 0, "", "reading Excel files needs openpyxl (pip install openpyxl)"
        ) from None
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputFileError(path, 0, "", "file not found") from None
    except OSError as exc:
        raise InputFileError(path, 0, "", f"cannot read the file ({exc.strerror or exc})") from None
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors: not a workbook
        raise InputFileError(
            path,
            0,
            "",
            f"not an Excel workbook ({type(exc).__name__}: {exc}); expected an .xlsx or .xlsm "
            "file as Excel saves it (a CSV file must be named .csv)",
        ) from None
    try:
        ws = _worksheet(path, wb, sheet)
        ws.reset_dimensions()  # exports often record wrong sheet dimensions: read every row
        epoch = wb.epoch
    except InputFileError:
        wb.close()
        raise
    except Exception as exc:  # a damaged workbook
        wb.close()
        raise InputFileError(
            path, 0, "", f"cannot read the workbook ({type(exc).__name__}: {exc})"
        ) from None
    return ws.title, epoch, _sheet_rows(path, wb, ws)


def _sheet_rows(path: str, wb: Any, ws: Any) -> Iterator[tuple[int, tuple]]:
    row_no = 0
    try:
        for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            first = values[0]
            if isinstance(first, str) and first.lstrip().startswith("#"):
                continue
            yield row_no, tuple(values)
    except InputFileError:
        raise
    except Exception as exc:  # a damaged sheet
        raise InputFileError(
            path,
            row_no,
            "",
            f"cannot read the sheet ({type(exc).__name__}: {exc})",
            sheet=ws.title,
        ) from None
    finally:
        wb.close()


def _worksheet(path: str, wb: Any, sheet: str | int | None) -> Any:
    sheets = list(wb.worksheets)
    titles = [ws.title for ws in sheets]
    if not sheets:
        raise InputFileError(path, 0, "", "the workbook has no worksheets")
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 1 <= sheet <= len(sheets):
            return sheets[sheet - 1]
        raise InputFileError(
            path,
            0,
            "",
            f"there is no sheet {sheet} (sheets are counted from 1); the workbook has "
            f"{len(sheets)}: {_quote(titles)}",
        )
    name = str(sheet)
    if name in titles:
        return sheets[titles.index(name)]
    folded = [t for t in titles if t.casefold() == name.casefold()]
    if len(folded) == 1:  # Excel's sheet names are case-insensitive
        return sheets[titles.index(folded[0])]
    close = difflib.get_close_matches(name, titles, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputFileError(
        path, 0, "", f"no sheet named {name!r}{hint}; the workbook has sheets: {_quote(titles)}"
    )


def column_letter(index: int) -> str:
    """``0`` -> ``A``, ``25`` -> ``Z``, ``26`` -> ``AA``."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def _number_text(v: float) -> str:
    if isinstance(v, int):
        return str(v)
    if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _clock_text(h: int, m: int, s: int, us: int) -> str:
    out = f"{h:02d}:{m:02d}"
    if s or us:
        out += f":{s:02d}"
    if us:
        out += f".{us:06d}"
    return out


def _timestamp_text(t: datetime) -> str:
    text = f"{t:%Y-%m-%d} " + _clock_text(t.hour, t.minute, t.second, t.microsecond)
    if t.tzinfo is not None:  # openpyxl gives naive datetimes; an aware one is rejected as such
        text = t.isoformat(sep=" ")
    return text


def cell_text(value: Any, kind: Kind, epoch: datetime) -> str:
    """The text a CSV export would hold for an Excel cell ``value`` in a column of ``kind``:
    empty for an empty cell, ``YYYY-MM-DD HH:MM[:SS]`` for a date, ``HH:MM`` for a time of day,
    whole numbers without ``.0``; see :data:`TIMESTAMP` for the cells ``kind`` converts."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return _timestamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        if isinstance(kind, float):
            seconds = 3600 * value.hour + 60 * value.minute + value.second
            return _number_text((seconds + value.microsecond / 1e6) / kind)
        return _clock_text(value.hour, value.minute, value.second, value.microsecond)
    if isinstance(value, timedelta):
        if isinstance(kind, float):
            return _number_text(value.total_seconds() / kind)
        return str(value)
    if isinstance(value, (int, float)):
        if kind == TIMESTAMP and math.isfinite(value) and value >= 1:
            from openpyxl.utils.datetime import from_excel

            try:
                t = from_excel(value, epoch)
            except (OverflowError, ValueError):
                return _number_text(value)
            if isinstance(t, datetime):
                return _timestamp_text(t)
        return _number_text(value)
    return str(value).strip()
