"""How the centre's planners' files are read: ``centre.forecast_csv`` / ``centre.roster_csv``
(a CSV file or an Excel workbook) and the options beside them, ``*_sheet``, ``*_columns`` and
``*_header_row`` (docs/input_files.md), checked as config values before the file is opened."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ccsim.errors import ConfigError
from ccsim.inputs.tables import EXCEL_SUFFIXES, check_column_mapping, is_excel

__all__ = ["InputFile", "input_file"]

_P = "centre."


@dataclass(frozen=True)
class InputFile:
    """A file to read and how: ``reader_options`` are the readers' keyword arguments
    (``read_forecast_csv``, ``read_roster_csv`` in :mod:`ccsim.inputs`)."""

    path: Path
    sheet: str | int | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    header_row: int | None = None
    option_prefix: str = ""

    @property
    def reader_options(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "columns": dict(self.columns),
            "header_row": self.header_row,
            "option_prefix": self.option_prefix,
        }


def input_file(
    d: Mapping[str, Any], which: str, columns: Sequence[str], *, base_dir: Path
) -> InputFile | None:
    """``centre.<which>_csv`` and its options from ``d`` (the centre config with defaults), or
    None when no file is given; ``columns`` are ccsim's column names for the file. Relative
    paths resolve from ``base_dir``."""
    prefix = f"{_P}{which}_"
    path_v = d[f"{which}_csv"]
    sheet = d[f"{which}_sheet"]
    mapping = d[f"{which}_columns"]
    header_row = d[f"{which}_header_row"]
    if not path_v:
        for key, value, default in (
            ("sheet", sheet, None),
            ("columns", mapping, {}),
            ("header_row", header_row, None),
        ):
            if value != default and not (key == "columns" and value is None):
                raise ConfigError(
                    f"{prefix}{key}", value, f"only with a file to read: set {prefix}csv too"
                )
        return None
    if not isinstance(path_v, str):
        raise ConfigError(f"{prefix}csv", path_v, "must be the path of a CSV or Excel file")
    path = Path(path_v)
    path = path if path.is_absolute() else base_dir / path

    if sheet is not None:
        if not is_excel(path):
            raise ConfigError(
                f"{prefix}sheet",
                sheet,
                f"only for Excel workbooks ({', '.join(EXCEL_SUFFIXES)}); {prefix}csv="
                f"{path_v!r} is read as CSV",
            )
        if isinstance(sheet, bool) or not isinstance(sheet, (int, str)):
            raise ConfigError(
                f"{prefix}sheet", sheet, "must be a sheet's name or its position (1 = the first)"
            )
        if isinstance(sheet, int) and sheet < 1:
            raise ConfigError(
                f"{prefix}sheet", sheet, "sheets are counted from 1 (the first); or give its name"
            )
        if isinstance(sheet, str) and not sheet.strip():
            raise ConfigError(f"{prefix}sheet", sheet, "must be a sheet's name (not empty)")

    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping):
        raise ConfigError(
            f"{prefix}columns",
            mapping,
            "must map ccsim's column names to the file's headers, e.g. {volume: Offered}",
        )
    for name in mapping:
        problem = check_column_mapping({name: mapping[name]}, columns)
        if problem:
            raise ConfigError(f"{prefix}columns.{name}", mapping[name], problem)
    problem = check_column_mapping(mapping, columns)
    if problem:  # two columns reading one header
        raise ConfigError(f"{prefix}columns", dict(mapping), problem)

    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
    ):
        raise ConfigError(
            f"{prefix}header_row",
            header_row,
            "must be the line (Excel: row) number of the header, counted from 1; null: the "
            "first non-blank line",
        )
    return InputFile(
        path=path,
        sheet=sheet,
        columns={str(k): str(v) for k, v in mapping.items()},
        header_row=header_row,
        option_prefix=prefix,
    )
