"""Rosters: shifts (with breaks) per agent pool, from a file (CSV or an Excel sheet) or from
the config; :class:`Shift` and the agent head-count shifts give over time live in
:mod:`ccsim.inputs.shifts` (and are exported here too).

The file format is described in ``docs/input_files.md``. File problems raise
:class:`~ccsim.errors.InputFileError` (file, line, column); config problems raise
:class:`~ccsim.errors.ConfigError` (key, value, what is allowed).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import re
import tempfile
from datetime import datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ccsim.errors import ConfigError, InputFileError
from ccsim.inputs.excel import TIMESTAMP, Kind
from ccsim.inputs.shifts import Shift, agents_per_interval, cut_at_start, staffing_events
from ccsim.inputs.tables import Table, parse_float, parse_timestamp, required_text, stream_table

__all__ = [
    "Shift",
    "read_roster_csv",
    "write_roster_csv",
    "shifts_from_config",
    "staffing_events",
    "agents_per_interval",
]

ROSTER_REQUIRED = ("pool", "start", "length_h")
ROSTER_OPTIONAL = ("count", "breaks")
ROSTER_COLUMNS = ROSTER_REQUIRED + ROSTER_OPTIONAL
# How Excel cells are read: serial numbers as dates, durations (8:30) as hours.
ROSTER_KINDS: dict[str, Kind] = {"start": TIMESTAMP, "length_h": 3600.0}
CONFIG_KEYS = ("pool", "start", "length_h", "count", "breaks", "days")

_BREAK_RE = re.compile(r"(\d{1,2}):(\d{2})\+(\d+)")
_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})")
BREAK_FORMAT = "HH:MM+MIN, e.g. '12:00+30' (a 30-minute break at 12:00), several joined by ';'"

log = logging.getLogger("ccsim")


# --------------------------------------------------------------------------- breaks


class _BreakError(ValueError):
    """A break that does not fit its shift; ``index`` is its position in the input list."""

    def __init__(self, index: int, message: str) -> None:
        self.index = index
        super().__init__(message)


def _parse_break(text: str) -> tuple[time, int]:
    """``HH:MM+MIN`` -> (clock time, minutes); ValueError with a message otherwise."""
    m = _BREAK_RE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"break {text!r} is malformed; expected {BREAK_FORMAT}")
    hh, mm, minutes = int(m[1]), int(m[2]), int(m[3])
    if hh > 23 or mm > 59:
        raise ValueError(f"break {text!r} has no such clock time; expected HH 00-23, MM 00-59")
    if minutes < 1:
        raise ValueError(f"break {text!r} lasts 0 minutes; expected a length of at least 1")
    return time(hh, mm), minutes


def _place_breaks(
    start: datetime, length_h: float, breaks: Sequence[tuple[str, time, int]]
) -> list[tuple[int, datetime, datetime]]:
    """Anchor each break on the shift's day (or the next day, if its clock time is earlier than
    the shift start) and check it. Returns ``(index in input, start, end)`` sorted by start.

    Raises :class:`_BreakError` for a break outside the shift or overlapping another.
    """
    end = start + timedelta(hours=length_h)
    placed: list[tuple[int, datetime, datetime]] = []
    for j, (text, clock, minutes) in enumerate(breaks):
        b0 = datetime.combine(start.date(), clock)
        if clock < start.time():
            b0 += timedelta(days=1)
        b1 = b0 + timedelta(minutes=minutes)
        if not (start < b0 and b1 < end):
            raise _BreakError(
                j,
                f"break {text!r} ({_fmt(b0)} to {_fmt(b1)}) is outside the shift "
                f"({_fmt(start)} to {_fmt(end)}); a break must start after the shift starts "
                "and end before it ends",
            )
        placed.append((j, b0, b1))
    placed.sort(key=lambda b: b[1])
    for (j0, _, a1), (j1, c0, _) in pairwise(placed):
        if c0 <= a1:
            raise _BreakError(
                j1,
                f"break {breaks[j1][0]!r} overlaps or touches break {breaks[j0][0]!r} "
                f"(which ends at {a1:%H:%M}); breaks of a shift must not overlap "
                "(write back-to-back breaks as one)",
            )
    return placed


def _fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- CSV


def read_roster_csv(
    path: str | Path,
    *,
    pools: Sequence[str],
    horizon_start: datetime,
    horizon_end: datetime | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    option_prefix: str = "",
) -> list[Shift]:
    """Read and check a roster file (see ``docs/input_files.md``): CSV, or a worksheet of an
    ``.xlsx`` / ``.xlsm`` workbook (by the extension); shifts in file order. The file is
    streamed: one row in memory at a time.

    A file with a header and no rows gives an empty roster. Rows whose shift starts at or after
    ``horizon_end`` (if given) are counted and left out once their pool and start are checked:
    they cannot staff the horizon; a shift from before ``horizon_start`` is cut to start at it
    (:func:`ccsim.inputs.shifts.cut_at_start`), or left out if it ends by then. ``columns``,
    ``sheet``, ``header_row``, ``option_prefix``: see :func:`ccsim.inputs.tables.read_table`.
    """
    if isinstance(pools, str):
        raise TypeError(f"pools must be a sequence of names, not the string {pools!r}")
    pool_names = tuple(pools)
    table = stream_table(
        path,
        required=ROSTER_REQUIRED,
        optional=ROSTER_OPTIONAL,
        columns=columns,
        sheet=sheet,
        header_row=header_row,
        kinds=ROSTER_KINDS,
        option_prefix=option_prefix,
    )
    try:
        shifts, (earlier, cut_rows, later) = _roster(table, pool_names, horizon_start, horizon_end)
    except InputFileError as exc:
        raise table.locate(exc) from None
    finally:
        getattr(table.rows, "close", lambda: None)()
    if earlier or cut_rows:
        log.info(
            "roster %s: %s rows start before the horizon start %s; %s of them end by then and "
            "are ignored, the others are cut to start at it",
            table.path,
            f"{earlier + cut_rows:,}",
            _fmt(horizon_start),
            f"{earlier:,}",
        )
    if later:
        log.info(
            "roster %s: %s rows start at or after the horizon end %s and are ignored",
            table.path,
            f"{later:,}",
            _fmt(horizon_end) if horizon_end is not None else "",
        )
    return shifts


def _roster(
    table: Table,
    pool_names: tuple[str, ...],
    horizon_start: datetime,
    horizon_end: datetime | None,
) -> tuple[list[Shift], tuple[int, int, int]]:
    """The shifts, and how many rows end by the horizon start (left out), start before it
    and end after it (cut at it), or start at or after its end (left out)."""
    p = table.path
    shifts: list[Shift] = []
    earlier = cut_rows = later = 0
    for row in table.rows:
        pool = required_text(p, row, "pool", pool_names, "pool")
        start_text = row.cells["start"]
        start = parse_timestamp(p, row.line, "start", start_text)
        if horizon_end is not None and start >= horizon_end:
            later += 1
            continue
        length_text = row.cells["length_h"]
        allowed_len = "expected a shift length in hours > 0 and <= 24"
        length_h = parse_float(p, row.line, "length_h", length_text, allowed_len)
        if not 0 < length_h <= 24:
            raise InputFileError(
                p, row.line, "length_h", f"{length_text!r} is out of range; {allowed_len}"
            )
        count = 1
        count_text = row.cells.get("count", "")
        if count_text:
            try:
                count = int(count_text)
            except ValueError:
                count = 0
            if count < 1:
                raise InputFileError(
                    p,
                    row.line,
                    "count",
                    f"{count_text!r} is not a whole number >= 1; expected the number of "
                    "identical shifts (empty = 1)",
                )
        texts = [t.strip() for t in row.cells.get("breaks", "").split(";") if t.strip()]
        parsed = []
        for text in texts:
            try:
                parsed.append((text, *_parse_break(text)))
            except ValueError as exc:
                raise InputFileError(p, row.line, "breaks", str(exc)) from None
        try:
            placed = _place_breaks(start, length_h, parsed)
        except _BreakError as exc:
            raise InputFileError(p, row.line, "breaks", str(exc)) from None
        start_s = (start - horizon_start).total_seconds()
        end_s = start_s + 3600.0 * length_h
        breaks = [
            ((b0 - horizon_start).total_seconds(), (b1 - horizon_start).total_seconds())
            for _, b0, b1 in placed
        ]
        if start_s < 0:  # a night shift from the day before: its part in the horizon
            cut = cut_at_start(start_s, end_s, breaks)
            if cut is None:
                earlier += 1
                continue
            start_s, breaks = cut
            cut_rows += 1
        shifts.append(Shift(pool, start_s, end_s, tuple(breaks), count))
    return shifts, (earlier, cut_rows, later)


def _roster_row(s: Shift, horizon_start: datetime) -> list[str]:
    """``s`` as a roster row that reads back (as :func:`read_roster_csv` parses it) to exactly
    ``s``; ValueError for a shift the format cannot hold."""
    if not isinstance(s.count, int) or s.count < 1:
        raise ValueError(f"{s}: count must be a whole number >= 1")
    if not s.pool or s.pool != s.pool.strip() or s.pool.startswith("#") or "\n" in s.pool:
        raise ValueError(f"{s}: pool name {s.pool!r} cannot be a roster cell")
    start = horizon_start + timedelta(seconds=s.start_s)
    start_text = f"{start:%Y-%m-%d %H:%M}" + (f":{start:%S}" if start.second else "")
    b_texts = [
        f"{horizon_start + timedelta(seconds=b0):%H:%M}+{round((b1 - b0) / 60)}"
        for b0, b1 in s.breaks
    ]
    back = datetime.fromisoformat(start_text)
    start_s = (back - horizon_start).total_seconds()
    exact = (s.start_s, s.end_s, s.breaks)
    nearest_h = (s.end_s - s.start_s) / 3600.0
    # The float nearest the length, or a neighbour, if that is the one that reads back exactly.
    for length_h in (nearest_h, np.nextafter(nearest_h, 25.0), np.nextafter(nearest_h, 0.0)):
        try:
            placed = _place_breaks(back, length_h, [(t, *_parse_break(t)) for t in b_texts])
        except ValueError:
            continue
        breaks = tuple(
            ((b0 - horizon_start).total_seconds(), (b1 - horizon_start).total_seconds())
            for _, b0, b1 in placed
        )
        if (
            start_s >= 0
            and 0 < length_h <= 24
            and (start_s, start_s + 3600.0 * length_h, breaks) == exact
        ):
            return [s.pool, start_text, repr(float(length_h)), str(s.count), ";".join(b_texts)]
    raise ValueError(
        f"{s} cannot be written exactly as a roster row (start at or after the horizon start "
        "on a whole second, breaks on whole minutes strictly inside the shift, length <= 24 h)"
    )


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_roster_csv(path: str | Path, shifts: Sequence[Shift], horizon_start: datetime) -> None:
    """Write ``shifts`` as a roster file (one row per shift, in order) that
    :func:`read_roster_csv` reads back to exactly the same shifts, so a planned roster is the
    roster the centre simulates. Written to a temporary file beside ``path`` and renamed into
    place: a reader never sees half a roster. ValueError (nothing written) for a shift the
    format cannot hold exactly (see :func:`_roster_row`).
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ROSTER_REQUIRED + ROSTER_OPTIONAL)
    w.writerows(_roster_row(s, horizon_start) for s in shifts)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a roster is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- config


def _is_number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def shifts_from_config(
    items: Sequence[Mapping[str, Any]] | None,
    *,
    pools: Sequence[str],
    horizon_start: datetime,
    n_days: int,
    key_prefix: str,
) -> list[Shift]:
    """Expand config shifts ``{pool, start: "HH:MM", length_h, count, breaks, days}`` over the
    horizon: one :class:`Shift` per item and calendar day ``horizon_start.date() + d``
    (``d < n_days``) whose weekday (Monday = 0) is in ``days`` (default: every day).

    A shift that would start before ``horizon_start`` (e.g. a 07:00 shift on the first day of a
    horizon starting at 08:00) is cut to start at the horizon start; one that ends by then is
    left out. Result sorted by day, then item order.
    """
    if isinstance(n_days, bool) or not isinstance(n_days, int) or n_days < 1:
        raise ValueError(f"n_days must be an integer >= 1, got {n_days!r}")
    if items is None:
        return []
    if isinstance(items, (str, Mapping)) or not isinstance(items, Sequence):
        raise ConfigError(key_prefix, items, "must be a list of shifts")
    pool_names = tuple(pools)
    # Per item: pool, start clock, length_s, break offsets from shift start, count, weekdays.
    specs: list[tuple[str, time, float, tuple[tuple[float, float], ...], int, frozenset[int]]]
    specs = []
    for i, item in enumerate(items):
        key = f"{key_prefix}[{i}]"
        if not isinstance(item, Mapping):
            raise ConfigError(key, item, f"must be a mapping with keys {', '.join(CONFIG_KEYS)}")
        for k in item:
            if k not in CONFIG_KEYS:
                raise ConfigError(
                    f"{key}.{k}", item[k], f"unknown key; allowed: {', '.join(CONFIG_KEYS)}"
                )
        for k in ("pool", "start", "length_h"):
            if item.get(k) is None:
                raise ConfigError(f"{key}.{k}", None, "required")

        pool = item["pool"]
        if pool not in pool_names:
            raise ConfigError(
                f"{key}.pool", pool, f"unknown pool; allowed: {', '.join(pool_names) or '(none)'}"
            )

        start_v = item["start"]
        m = _CLOCK_RE.fullmatch(start_v.strip()) if isinstance(start_v, str) else None
        if m is None or int(m[1]) > 23 or int(m[2]) > 59:
            hint = (
                " (YAML reads an unquoted 12:30 as the number 750: write it in quotes, '12:30')"
                if isinstance(start_v, int) and not isinstance(start_v, bool)
                else ""
            )
            raise ConfigError(f"{key}.start", start_v, f"must be a clock time 'HH:MM'{hint}")
        clock = time(int(m[1]), int(m[2]))

        length_h = item["length_h"]
        if not _is_number(length_h) or not 0 < length_h <= 24:
            raise ConfigError(f"{key}.length_h", length_h, "must be a number > 0 and <= 24")

        count = item.get("count", 1)
        count = 1 if count is None else count
        if not _is_number(count) or count != int(count) or count < 1:
            raise ConfigError(f"{key}.count", count, "must be a whole number >= 1")

        raw_breaks = item.get("breaks") or []
        if isinstance(raw_breaks, str) or not isinstance(raw_breaks, Sequence):
            raise ConfigError(
                f"{key}.breaks", raw_breaks, f"must be a list of breaks, each {BREAK_FORMAT}"
            )
        parsed = []
        for j, b in enumerate(raw_breaks):
            if not isinstance(b, str):
                raise ConfigError(f"{key}.breaks[{j}]", b, f"must be a string {BREAK_FORMAT}")
            try:
                parsed.append((b.strip(), *_parse_break(b)))
            except ValueError as exc:
                raise ConfigError(f"{key}.breaks[{j}]", b, str(exc)) from None
        ref = datetime.combine(horizon_start.date(), clock)
        try:
            placed = _place_breaks(ref, float(length_h), parsed)
        except _BreakError as exc:
            j = exc.index
            raise ConfigError(f"{key}.breaks[{j}]", raw_breaks[j], str(exc)) from None
        offsets = tuple(
            ((b0 - ref).total_seconds(), (b1 - ref).total_seconds()) for _, b0, b1 in placed
        )

        days_v = item.get("days")
        if days_v is None:
            days = frozenset(range(7))
        else:
            if isinstance(days_v, str) or not isinstance(days_v, Sequence) or not days_v:
                raise ConfigError(
                    f"{key}.days", days_v, "must be a non-empty list of weekdays 0-6 (Monday = 0)"
                )
            for j, d in enumerate(days_v):
                if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6:
                    raise ConfigError(f"{key}.days[{j}]", d, "must be a weekday 0-6 (Monday = 0)")
            days = frozenset(days_v)
        specs.append((pool, clock, 3600.0 * float(length_h), offsets, int(count), days))

    shifts: list[Shift] = []
    first_day = horizon_start.date()
    for d in range(n_days):
        day = first_day + timedelta(days=d)
        for pool, clock, length_s, offsets, count, days in specs:
            if day.weekday() not in days:
                continue
            start_s = (datetime.combine(day, clock) - horizon_start).total_seconds()
            end_s = start_s + length_s
            breaks = [(start_s + a, start_s + b) for a, b in offsets]
            if start_s < 0:
                cut = cut_at_start(start_s, end_s, breaks)
                if cut is None:
                    continue
                start_s, breaks = cut
            shifts.append(Shift(pool, start_s, end_s, tuple(breaks), count))
    return shifts
