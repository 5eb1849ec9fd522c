"""Read a planners' forecast (a CSV file or an Excel sheet): contacts offered (and optionally
handle time) per interval, channel and intent, checked line by line.

The format is described in ``docs/input_files.md``. Every problem raises
:class:`~ccsim.errors.InputFileError` naming the file (and sheet), the line and the column.

Read for a horizon (``horizon_start``, ``horizon_intervals``: how the centre reads it), the file
is streamed once and only its rows inside the horizon are kept, in arrays the size of the
horizon: a file's size or span costs time, not memory. The rows outside are counted (their
timestamps are checked, nothing else). A file read again unchanged, with the same options, is
not parsed again (the command line builds the centre twice: its check, then the run).
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ccsim.errors import InputFileError
from ccsim.inputs.excel import TIMESTAMP, Kind
from ccsim.inputs.tables import Table, parse_float, parse_timestamp, required_text, stream_table

__all__ = ["Forecast", "read_forecast_csv", "span_text"]

log = logging.getLogger("ccsim")

FORECAST_REQUIRED = ("interval_start", "channel", "volume")
FORECAST_OPTIONAL = ("intent", "aht_s")
FORECAST_COLUMNS = FORECAST_REQUIRED + FORECAST_OPTIONAL
# How Excel cells are read: serial numbers as dates, durations (0:05:20) as seconds.
FORECAST_KINDS: dict[str, Kind] = {"interval_start": TIMESTAMP, "aht_s": 1.0}
# Interval indices count from a midnight, so every timestamp on the grid is a whole index.
_EPOCH = datetime(2000, 1, 3)
_MAX_LINE = 2**31 - 1  # line numbers kept per cell (int32) to name a duplicate's first line
# The last few forecasts read (by file, its size and times, and the options).
_CACHE: dict[tuple[Any, ...], Forecast] = {}
_CACHE_SIZE = 2


@dataclass(frozen=True)
class Forecast:
    """Forecast volumes and handle times on a regular grid.

    ``volume[c, i, k]`` is the number of contacts offered on ``channels[c]``, intent
    ``intents[i]`` (index 0 when the file has no intent column) in interval ``k``, which starts
    at ``start + k * interval_min``. Intervals the file does not list have volume 0 and
    ``aht_s`` NaN; so does every (channel, intent) the file does not mention. ``aht_s`` is NaN
    where the file leaves it empty ("use the configured handle time").

    Read for a horizon, ``start`` and ``n_intervals`` are the horizon's, else the file's
    first and last interval's. ``rows``: the file's data rows; ``rows_outside``: those outside
    the horizon (ignored); ``first``, ``last``: the earliest and latest ``interval_start`` in
    the file. The arrays are read-only (a forecast read again is the same object).
    """

    path: str
    start: datetime
    interval_min: int
    n_intervals: int
    channels: tuple[str, ...]
    intents: tuple[str, ...] | None
    volume: np.ndarray
    aht_s: np.ndarray
    rows: int = 0
    rows_outside: int = 0
    first: datetime | None = None
    last: datetime | None = None

    @property
    def interval_s(self) -> float:
        return 60.0 * self.interval_min

    @property
    def covers(self) -> tuple[datetime, datetime]:
        """The time the file's rows span: its first interval's start, its last one's end."""
        first = self.first if self.first is not None else self.start
        last = self.last if self.last is not None else self.start
        return first, last + timedelta(minutes=self.interval_min)


def span_text(t0: datetime, t1: datetime) -> str:
    """``2026-01-05 .. 2026-01-12``, with clock times where a bound is not a midnight."""

    def one(t: datetime) -> str:
        return f"{t:%Y-%m-%d}" if t.time() == datetime.min.time() else f"{t:%Y-%m-%d %H:%M}"

    return f"{one(t0)} .. {one(t1)}"


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
    horizon_start: datetime | None = None,
    horizon_intervals: int | None = None,
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
    the grid of ``interval_min``-minute intervals counted from midnight. ``horizon_start`` and
    ``horizon_intervals`` (both or neither): the period simulated; only the rows inside it are
    read (the module docstring), the arrays cover it. Without them the arrays span the file.
    ``columns``, ``sheet``, ``header_row``, ``option_prefix``: see
    :func:`ccsim.inputs.tables.read_table`.
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
    horizon = _horizon(horizon_start, horizon_intervals, interval_min)
    key = _cache_key(
        path,
        channel_names,
        intent_names,
        interval_min,
        horizon,
        columns,
        sheet,
        header_row,
        option_prefix,
    )
    if key is not None and key in _CACHE:
        return _CACHE[key]
    table = stream_table(
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
        fc = _forecast(table, channel_names, intent_names, interval_min, horizon)
    except InputFileError as exc:
        raise table.locate(exc) from None
    finally:
        getattr(table.rows, "close", lambda: None)()
    if horizon is not None and fc.rows_outside:
        log.info(
            "forecast %s: %s of its %s rows lie outside the horizon %s and are ignored (the "
            "file covers %s)",
            fc.path,
            f"{fc.rows_outside:,}",
            f"{fc.rows:,}",
            span_text(fc.start, fc.start + timedelta(minutes=interval_min * fc.n_intervals)),
            span_text(*fc.covers),
        )
    if key is not None:
        while len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = fc
    return fc


def _horizon(
    start: datetime | None, n: int | None, interval_min: int
) -> tuple[datetime, int, int] | None:
    """``(start, its interval index from the epoch, intervals)``, or None for no horizon."""
    if start is None and n is None:
        return None
    if not isinstance(start, datetime) or start.tzinfo is not None:
        raise ValueError(f"horizon_start must be a naive datetime (local time), got {start!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"horizon_intervals must be a whole number >= 1, got {n!r}")
    step = timedelta(minutes=interval_min)
    k0, rest = divmod(start - _EPOCH, step)
    if rest:
        raise ValueError(
            f"horizon_start {start} is not the start of a {interval_min}-minute interval"
        )
    return start, int(k0), int(n)


def _cache_key(path: str | Path, *options: Any) -> tuple[Any, ...] | None:
    """The file (resolved, with its size and times) and the options; None if it cannot be
    read (the reader says why)."""
    try:
        st = os.stat(path)
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    frozen = tuple(tuple(sorted(o.items())) if isinstance(o, Mapping) else o for o in options)
    try:
        hash(frozen)
    except TypeError:  # an odd option value: read without the cache (the reader checks it)
        return None
    return (real, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, *frozen)


def _forecast(
    table: Table,
    channel_names: tuple[str, ...],
    intent_names: tuple[str, ...],
    interval_min: int,
    horizon: tuple[datetime, int, int] | None,
) -> Forecast:
    p = table.path
    has_intent = "intent" in table.columns
    has_aht = "aht_s" in table.columns
    step = timedelta(minutes=interval_min)
    ch_index = {name: c for c, name in enumerate(channel_names)}
    it_index = {name: i for i, name in enumerate(intent_names)}
    shape = (len(channel_names), len(intent_names) if has_intent else 1)
    k0, n_k = (horizon[1], horizon[2]) if horizon is not None else (0, 0)
    if horizon is not None:
        volume_arr = np.zeros(shape + (n_k,), dtype=np.float64)
        aht_arr = np.full(shape + (n_k,), np.nan, dtype=np.float64)
        seen = np.zeros(shape + (n_k,), dtype=np.int32)  # the line that gave the cell
    parsed: list[tuple[int, int, int, float, float]] = []  # without a horizon: k, c, i, v, aht
    first_seen: dict[tuple[int, int, int], int] = {}
    n_rows = outside = 0
    k_min = k_max = 0
    ts_text: str | None = None
    k = 0
    for row in table.rows:
        cells = row.cells
        if cells["interval_start"] != ts_text:  # rows of one interval share its parse
            ts_text = cells["interval_start"]
            k = _interval(p, row.line, ts_text, interval_min, step)
            if not n_rows or k < k_min:
                k_min = k
            if not n_rows or k > k_max:
                k_max = k
        n_rows += 1
        kk = k - k0
        if horizon is not None and not 0 <= kk < n_k:
            outside += 1
            continue
        channel = cells["channel"]
        c = ch_index.get(channel)
        if c is None:
            required_text(p, row, "channel", channel_names, "channel")  # raises
            c = 0
        intent: str | None = None
        i = 0
        if has_intent:
            intent = cells["intent"]
            i = it_index.get(intent, -1)
            if i < 0:
                required_text(p, row, "intent", intent_names, "intent")  # raises
        before = int(seen[c, i, kk]) if horizon is not None else first_seen.get((k, c, i), 0)
        if before:
            what = f"channel {channel!r}" + (f", intent {intent!r}" if has_intent else "")
            raise InputFileError(
                p,
                row.line,
                "interval_start",
                f"duplicate row (overlapping intervals): interval {ts_text!r}, {what} is "
                f"already given on {table.row_word} {before}; each interval may "
                "appear once per channel" + (" and intent" if has_intent else ""),
            )
        volume, aht = _values(p, row, has_aht)
        if horizon is not None:
            seen[c, i, kk] = min(row.line, _MAX_LINE)
            volume_arr[c, i, kk] = volume
            aht_arr[c, i, kk] = aht
        else:
            first_seen[(k, c, i)] = row.line
            parsed.append((k, c, i, volume, aht))
    if not n_rows:
        raise InputFileError(p, table.header_line, "", "no data rows after the header")
    if horizon is not None:
        start = horizon[0]
    else:
        start, n_k = _EPOCH + k_min * step, k_max - k_min + 1
        volume_arr = np.zeros(shape + (n_k,), dtype=np.float64)
        aht_arr = np.full(shape + (n_k,), np.nan, dtype=np.float64)
        for k, c, i, volume, aht in parsed:
            volume_arr[c, i, k - k_min] = volume
            aht_arr[c, i, k - k_min] = aht
    volume_arr.setflags(write=False)
    aht_arr.setflags(write=False)
    return Forecast(
        path=p,
        start=start,
        interval_min=interval_min,
        n_intervals=n_k,
        channels=channel_names,
        intents=intent_names if has_intent else None,
        volume=volume_arr,
        aht_s=aht_arr,
        rows=n_rows,
        rows_outside=outside,
        first=_EPOCH + k_min * step,
        last=_EPOCH + k_max * step,
    )


def _interval(p: str, line: int, text: str, interval_min: int, step: timedelta) -> int:
    """The index of the interval ``text`` starts, counted from the epoch."""
    ts = parse_timestamp(p, line, "interval_start", text)
    if ts.second or (ts.hour * 60 + ts.minute) % interval_min:
        raise InputFileError(
            p,
            line,
            "interval_start",
            f"{text!r} is not the start of a {interval_min}-minute interval: minutes "
            f"since midnight must be a multiple of {interval_min} and seconds 0",
        )
    return (ts - _EPOCH) // step


def _values(p: str, row: Any, has_aht: bool) -> tuple[float, float]:
    """A row's volume and handle time (NaN: the configured one)."""
    text = row.cells["volume"]
    volume = parse_float(p, row.line, "volume", text, "expected a finite number >= 0")
    if volume < 0:
        raise InputFileError(p, row.line, "volume", f"{text!r} is negative; expected >= 0")
    aht = math.nan
    text = row.cells["aht_s"] if has_aht else ""
    if text:
        allowed = "expected a handle time in seconds > 0, or empty for the configured one"
        aht = parse_float(p, row.line, "aht_s", text, allowed)
        if aht <= 0:
            raise InputFileError(p, row.line, "aht_s", f"{text!r} is not > 0; {allowed}")
    return volume, aht
