"""Errors a user can cause, reported as one line before any simulation starts."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["ConfigError", "InputFileError", "OutputError"]


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


class OutputError(OSError):
    """An output folder or file cannot be written: a full disk, a read-only folder, a file where
    a folder should be. The CLI prints it as one line and exits with status 2:
    ``cannot write outputs to FOLDER: No space left on device (writing summary.json)``.

    An :class:`OSError` (``errno``, ``strerror``, ``filename`` the folder), so that code which
    handles write failures as ``OSError`` keeps doing so."""

    def __init__(self, errno: int | None, strerror: str | None, folder: str, detail: str = ""):
        super().__init__(errno, strerror or "cannot write", os.fspath(folder))
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes
        return type(self), (self.errno, self.strerror, self.filename, self.detail)

    def __str__(self) -> str:
        more = f" ({self.detail})" if self.detail else ""
        return f"cannot write outputs to {self.filename}: {self.strerror}{more}"

    @classmethod
    def wrap(cls, exc: OSError, folder: str | os.PathLike[str], detail: str = "") -> OutputError:
        """``exc`` (any OSError) as an OutputError for ``folder``; one already is, as it is."""
        if isinstance(exc, OutputError):
            return exc
        return cls(exc.errno, exc.strerror or str(exc), os.fspath(folder), detail)
