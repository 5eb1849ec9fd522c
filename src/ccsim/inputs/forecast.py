"""Read a planners' forecast (a CSV file or an Excel sheet): contacts offered (and optionally
handle time) per interval, channel and intent, checked line by line.

The format is described in ``docs/input_files.md``. Every problem raises
:class:`~ccsim.errors.InputFileError` naming the file (and sheet), the line and the column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ccsim.errors import InputFileError
from ccsim.inputs.excel import TIMESTAMP, Kind
from ccsim.inputs.tables import Table, parse_float, parse_timestamp, read_table, required_text

__all__ = ["Forecast", "read_forecast_csv"]

FORECAST_REQUIRED = ("interval_start", "channel", "volume")
FORECAST_OPTIONAL = ("intent", "aht_s")
FORECAST_COLUMNS = FORECAST_REQUIRED + FORECAST_OPTIONAL
# How Excel cells are read: serial numbers as dates, durations (0:05:20) as seconds.
FORECAST_KINDS: dict[str, Kind] = {"interval_start": TIMESTAMP, "aht_s": 1.0}


@dataclass(frozen=True)
class Forecast:
    """Forecast volumes and handle times on a regular grid.

    ``volume[c, i, k]`` is the number of contacts offered on ``channels[c]``, intent
    ``intents[i]`` (index 0 when the file has no intent column) in interval ``k``, which starts
    at ``start + k * interval_min``. Intervals the file does not list have volume 0 and
    ``aht_s`` NaN; so does every (channel, intent) the file does not mention. ``aht_s`` is NaN
    where the file leaves it empty ("use the configured handle time").
    """

    path: str
    start: datetime
    interval_min: int
    n_intervals: int
    channels: tuple[str, ...]
    intents: tuple[str, ...] | None
    volume: np.ndarray
    aht_s: np.ndarray

    @property
    def interval_s(self) -> float:
        return 60.0 * self.interval_min


def _check_names(arg: str, names: Sequence[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        raise TypeError(f"{arg} must be a sequence of names, not the string {names!r}")
    out = tuple(names)
    if len(set(out)) != len(out):
        raise ValueError(f"{arg} has repeated names: {out!r}")
    return out


def read_forecast_csv(
    path: str | Path,
    *,
    channels: Sequence[str],
    intents: Sequence[str],
    interval_min: int,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    option_prefix: str = "",
) -> Forecast:
    """Read and check a forecast file (see ``docs/input_files.md``): CSV, or a worksheet of an
    ``.xlsx`` / ``.xlsm`` workbook (by the extension).

    ``channels`` and ``intents`` are the names the configuration allows; the arrays follow
    their order. ``intents`` is ignored (``Forecast.intents`` is None) when the file has no
    ``intent`` column. ``interval_min`` must divide a day (1440 minutes): timestamps must lie on
    the grid of ``interval_min``-minute intervals counted from midnight. ``columns``,
    ``sheet``, ``header_row``, ``option_prefix``: see :func:`ccsim.inputs.tables.read_table`.
    """
    channel_names = _check_names("channels", channels)
    intent_names = _check_names("intents", intents)
    if (
        isinstance(interval_min, bool)
        or not isinstance(interval_min, (int, np.integer))
        or interval_min <= 0
        or 1440 % interval_min
    ):
        raise ValueError(
            f"interval_min must be a whole number of minutes dividing 1440, got {interval_min!r}"
        )
    interval_min = int(interval_min)

    table = read_table(
        path,
        required=FORECAST_REQUIRED,
        optional=FORECAST_OPTIONAL,
        columns=columns,
        sheet=sheet,
        header_row=header_row,
        kinds=FORECAST_KINDS,
        option_prefix=option_prefix,
    )
    try:
        return _forecast(table, channel_names, intent_names, interval_min)
    except InputFileError as exc:
        raise table.locate(exc) from None


def _forecast(
    table: Table, channel_names: tuple[str, ...], intent_names: tuple[str, ...], interval_min: int
) -> Forecast:
    p = table.path
    has_intent = "intent" in table.columns
    has_aht = "aht_s" in table.columns
    if not table.rows:
        raise InputFileError(p, table.header_line, "", "no data rows after the header")

    parsed: list[tuple[int, datetime, int, int, float, float]] = []
    first_seen: dict[tuple[datetime, str, str | None], int] = {}
    for row in table.rows:
        ts_text = row.cells["interval_start"]
        ts = parse_timestamp(p, row.line, "interval_start", ts_text)
        if ts.second or (ts.hour * 60 + ts.minute) % interval_min:
            raise InputFileError(
                p,
                row.line,
                "interval_start",
                f"{ts_text!r} is not the start of a {interval_min}-minute interval: minutes "
                f"since midnight must be a multiple of {interval_min} and seconds 0",
            )
        channel = required_text(p, row, "channel", channel_names, "channel")
        intent: str | None = None
        i_idx = 0
        if has_intent:
            intent = required_text(p, row, "intent", intent_names, "intent")
            i_idx = intent_names.index(intent)
        key = (ts, channel, intent)
        if key in first_seen:
            what = f"channel {channel!r}" + (f", intent {intent!r}" if has_intent else "")
            raise InputFileError(
                p,
                row.line,
                "interval_start",
                f"duplicate row (overlapping intervals): interval {ts_text!r}, {what} is "
                f"already given on {table.row_word} {first_seen[key]}; each interval may "
                "appear once per channel" + (" and intent" if has_intent else ""),
            )
        first_seen[key] = row.line
        volume = parse_float(
            p, row.line, "volume", row.cells["volume"], "expected a finite number >= 0"
        )
        if volume < 0:
            raise InputFileError(
                p, row.line, "volume", f"{row.cells['volume']!r} is negative; expected >= 0"
            )
        aht = math.nan
        if has_aht and row.cells["aht_s"]:
            aht = parse_float(
                p,
                row.line,
                "aht_s",
                row.cells["aht_s"],
                "expected a handle time in seconds > 0, or empty for the configured one",
            )
            if aht <= 0:
                raise InputFileError(
                    p,
                    row.line,
                    "aht_s",
                    f"{row.cells['aht_s']!r} is not > 0; expected a handle time in seconds > 0, "
                    "or empty for the configured one",
                )
        parsed.append((row.line, ts, channel_names.index(channel), i_idx, volume, aht))

    start = min(r[1] for r in parsed)
    step = timedelta(minutes=interval_min)
    # 1440 % interval_min == 0, so every aligned timestamp is a whole number of steps apart.
    index = [(r[1] - start) // step for r in parsed]
    n_intervals = max(index) + 1
    shape = (len(channel_names), len(intent_names) if has_intent else 1, n_intervals)
    volume_arr = np.zeros(shape, dtype=np.float64)
    aht_arr = np.full(shape, np.nan, dtype=np.float64)
    for (_, _, c, i, vol, aht), k in zip(parsed, index, strict=True):
        volume_arr[c, i, k] = vol
        aht_arr[c, i, k] = aht
    return Forecast(
        path=p,
        start=start,
        interval_min=interval_min,
        n_intervals=n_intervals,
        channels=channel_names,
        intents=intent_names if has_intent else None,
        volume=volume_arr,
        aht_s=aht_arr,
    )
