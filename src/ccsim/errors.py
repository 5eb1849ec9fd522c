"""Errors a user can cause, reported as one line before any simulation starts."""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "InputFileError"]


class ConfigError(ValueError):
    """A configuration value is not allowed.

    The message always names the key, the value given and what is allowed, so the CLI can print
    it as one line and exit with status 2.
    """

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"{key}={value!r}: {allowed}")


class InputFileError(ValueError):
    """A user-supplied data file (forecast, roster) is malformed: names file, line and column.

    In an Excel workbook ``sheet`` names the worksheet and ``line`` is the Excel row number;
    ``where`` adds the file's own header and the cell (``header 'Offered', cell C14``) when the
    column is read under another name (``centre.forecast_columns``) or from a workbook.
    """

    def __init__(
        self,
        path: str,
        line: int,
        column: str,
        problem: str,
        *,
        sheet: str | None = None,
        where: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.problem = problem
        self.sheet = sheet
        self.where = where
        place = f"{path}:{line}" if sheet is None else f"{path}, sheet {sheet!r}, row {line}"
        label = f"column {column!r}" + (f" ({where})" if where else "")
        super().__init__(f"{place}: {label}: {problem}")
