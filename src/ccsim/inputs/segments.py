"""Activity-segment schedules, as workforce-management tools export them: one row per agent and
segment of their day (``Open`` 08:00-10:00, ``Break`` 10:00-10:15, ``Lunch``, ``Meeting``...),
read as a roster: per pool and interval, the agents scheduled (paid segments) and the agents on
the phone (on-phone segments). The file format is in ``docs/input_files.md`` ("Activity
segments"); CSV files and Excel sheets are read by :func:`ccsim.inputs.tables.read_table`, with
its column mapping for the export's own headers.

Every problem raises :class:`~ccsim.errors.InputFileError` naming the file, the line (Excel:
the sheet and row) and the column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

import numpy as np

from ccsim.errors import InputFileError
from ccsim.inputs.excel import TIMESTAMP, Kind
from ccsim.inputs.shifts import Shift, agents_per_interval
from ccsim.inputs.tables import Row, Table, parse_timestamp, read_table

__all__ = [
    "CATEGORIES",
    "PAID",
    "SEGMENT_COLUMNS",
    "Segment",
    "read_segments",
    "segment_staffing",
]

SEGMENT_COLUMNS = ("agent", "team", "date", "activity", "start", "end")
# How Excel cells are read: a date cell shown as a number (its serial) is the date it stands
# for; time cells (08:00) and date-and-time cells are read as they show.
SEGMENT_KINDS: dict[str, Kind] = {"date": TIMESTAMP}
# What an activity is: on the phone (paid, taking contacts), paid but off the phone (planned
# shrinkage: breaks, meetings, training), or unpaid (not scheduled: an unpaid lunch).
CATEGORIES = ("on_phone", "off_phone", "unpaid")
PAID = ("on_phone", "off_phone")

_DATE_RE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?")
_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_CLOCK = "a clock time HH:MM (seconds optional; 24:00 as an end), or a date and time"


@dataclass(frozen=True)
class Segment:
    """One row: ``agent`` in ``pool`` (None: a team the mapping leaves out) doing ``activity``
    (its ``category``, one of :data:`CATEGORIES`) from ``start_s`` to ``end_s``, seconds from the
    horizon start (negative before it); ``line``: its line (Excel: row) in the file."""

    agent: str
    pool: str | None
    activity: str
    category: str
    start_s: float
    end_s: float
    line: int


def read_segments(
    path: str,
    *,
    teams: Mapping[str, str | None],
    activities: Mapping[str, Sequence[str]],
    horizon_start: datetime,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    option_prefix: str = "",
    teams_key: str = "centre.roster_teams",
    activities_key: str = "centre.roster_activities",
    teams_are_pools: bool = False,
) -> list[Segment]:
    """Read and check an activity-segment schedule: CSV, or a sheet of an ``.xlsx``/``.xlsm``
    workbook. ``teams``: the file's team -> pool (None: leave the team out). ``activities``:
    category (:data:`CATEGORIES`) -> its activities' names (matched without regard to case).
    ``teams_key`` and ``activities_key`` name the config keys in messages;
    ``teams_are_pools``: no mapping was given (``teams`` maps each pool to itself). Segments in
    file order; one agent's segments must not overlap. A header with no rows is an empty
    schedule.
    """
    table = read_table(
        path,
        required=SEGMENT_COLUMNS,
        columns=columns,
        sheet=sheet,
        header_row=header_row,
        kinds=SEGMENT_KINDS,
        option_prefix=option_prefix,
    )
    keys = (teams_key, activities_key, teams_are_pools)
    category_of = {a.strip().casefold(): c for c, names in activities.items() for a in names}
    try:
        segments = [
            _segment(table, row, teams, (category_of, activities), horizon_start, keys)
            for row in table.rows
        ]
        _check_overlaps(table.path, segments, horizon_start)
    except InputFileError as exc:
        raise table.locate(exc) from None
    return segments


def _segment(
    table: Table,
    row: Row,
    teams: Mapping[str, str | None],
    activities: tuple[Mapping[str, str], Mapping[str, Sequence[str]]],
    horizon_start: datetime,
    keys: tuple[str, str, bool],
) -> Segment:
    teams_key, activities_key, teams_are_pools = keys
    p, line, cells = table.path, row.line, row.cells
    agent = cells["agent"]
    if not agent:
        raise InputFileError(p, line, "agent", "empty; every row must name an agent")
    pool = _pool(p, line, cells["team"], teams, teams_key, teams_are_pools)
    activity = cells["activity"]
    category_of, listed = activities
    category = category_of.get(activity.casefold())
    if category is None:
        raise InputFileError(
            p, line, "activity", _unknown_activity(activity, listed, activities_key)
        )
    day = _date(p, line, cells["date"])
    start, start_clock = _time(p, line, "start", cells["start"], day)
    end, end_clock = _time(p, line, "end", cells["end"], day)
    if start_clock and end_clock and end < start:
        end += timedelta(days=1)  # past midnight: 22:00 to 06:00 ends the next morning
    if end <= start:
        raise InputFileError(
            p,
            line,
            "end",
            f"segment ends ({_fmt(end)}) when or before it starts ({_fmt(start)}); a segment "
            "lasts more than 0 minutes (one past midnight ends on the next day: an end clock "
            "time before the start, 22:00 to 06:00)",
        )
    if end - start > timedelta(days=1):
        raise InputFileError(
            p, line, "end", f"segment {_fmt(start)} to {_fmt(end)} is longer than 24 hours"
        )
    return Segment(
        agent=agent,
        pool=pool,
        activity=activity,
        category=category,
        start_s=(start - horizon_start).total_seconds(),
        end_s=(end - horizon_start).total_seconds(),
        line=line,
    )


def _pool(
    p: str, line: int, team: str, teams: Mapping[str, str | None], key: str, are_pools: bool
) -> str | None:
    if team in teams:
        return teams[team]
    if not team:
        raise InputFileError(p, line, "team", "empty; every row must name a team")
    close = difflib.get_close_matches(team, list(teams), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    if are_pools:
        known = f"{key} is empty, so a team must be a pool's name ({', '.join(teams)})"
    else:
        known = f"{key} maps " + "; ".join(
            f"{t!r} -> {v if v is not None else 'null (left out)'}" for t, v in teams.items()
        )
    raise InputFileError(
        p,
        line,
        "team",
        f"unknown team {team!r}{hint}; {known}: add the team to {key} ({team}: POOL; null "
        "leaves the team out)",
    )


def _unknown_activity(activity: str, listed: Mapping[str, Sequence[str]], key: str) -> str:
    if not activity:
        return "empty; every row must name an activity"
    names = {a.strip().casefold(): a.strip() for c in CATEGORIES for a in listed.get(c, ())}
    close = difflib.get_close_matches(activity.casefold(), list(names), n=1)
    hint = f" (did you mean {names[close[0]]!r}?)" if close else ""
    lists = "; ".join(f"{c}: {', '.join(listed.get(c, ())) or '(none)'}" for c in CATEGORIES)
    return (
        f"unknown activity {activity!r}{hint}; add it to {key}.on_phone, .off_phone or .unpaid "
        f"(now {lists}; names match without regard to case)"
    )


def _date(p: str, line: int, text: str) -> date:
    m = _DATE_RE.fullmatch(text)
    if m is None:
        shown = repr(text) if text else "empty"
        raise InputFileError(
            p, line, "date", f"{shown} is not a date; expected YYYY-MM-DD (the segment's day)"
        )
    try:
        return date.fromisoformat(m[1])
    except ValueError as exc:
        raise InputFileError(p, line, "date", f"{text!r} is not a valid date ({exc})") from None


def _time(p: str, line: int, column: str, text: str, day: date) -> tuple[datetime, bool]:
    """A clock time on ``day`` (``24:00``: the next midnight), or a full date and time; and
    whether it was a clock time."""
    m = _CLOCK_RE.fullmatch(text)
    if m is None:
        if not text:
            raise InputFileError(p, line, column, f"empty; expected {_CLOCK}")
        if text[:1].isdigit() and len(text) > 8:
            t = parse_timestamp(p, line, column, text)
            if t.year < 1905:  # an Excel time cell stored on the epoch's day: its clock time
                return datetime.combine(day, t.time()), True
            return t, False
        raise InputFileError(p, line, column, f"{text!r} is not a clock time; expected {_CLOCK}")
    hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
    if (hh, mm, ss) == (24, 0, 0) and column == "end":
        return datetime.combine(day, datetime.min.time()) + timedelta(days=1), True
    if hh > 23 or mm > 59 or ss > 59:
        raise InputFileError(
            p, line, column, f"{text!r} has no such clock time; expected HH 00-23, MM 00-59"
        )
    return datetime(day.year, day.month, day.day, hh, mm, ss), True


def _fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _check_overlaps(p: str, segments: Sequence[Segment], horizon_start: datetime) -> None:
    """One agent does one thing at a time: their segments may touch, not overlap."""
    by_agent: dict[str, list[Segment]] = {}
    for s in segments:
        by_agent.setdefault(s.agent, []).append(s)
    for agent, own in by_agent.items():
        own.sort(key=lambda s: (s.start_s, s.line))
        for a, b in pairwise(own):
            if b.start_s < a.end_s:
                later, earlier = (b, a) if b.line > a.line else (a, b)
                raise InputFileError(
                    p,
                    later.line,
                    "start",
                    f"agent {agent!r}: {later.activity} {_span(later, horizon_start)} overlaps "
                    f"{earlier.activity} {_span(earlier, horizon_start)} (line {earlier.line}); "
                    "one agent's segments must not overlap (list each part of the day once: "
                    "no whole-shift row under its breaks)",
                )


def _span(s: Segment, horizon_start: datetime) -> str:
    a = horizon_start + timedelta(seconds=s.start_s)
    b = horizon_start + timedelta(seconds=s.end_s)
    return f"{_fmt(a)} to " + (f"{b:%H:%M}" if b.date() == a.date() else _fmt(b))


def segment_staffing(
    segments: Sequence[Segment], pool: str, interval_s: float, n_intervals: int
) -> tuple[np.ndarray, np.ndarray]:
    """``pool``'s agents scheduled (paid segments) and on the phone (on-phone segments) in each
    interval, time-weighted means as for shift rosters (an agent on a 15-minute break in a
    30-minute interval counts half). Time outside the horizon is left out."""
    paid = [
        Shift(pool, s.start_s, s.end_s, (), 1)
        for s in segments
        if s.pool == pool and s.category in PAID
    ]
    on = [
        Shift(pool, s.start_s, s.end_s, (), 1)
        for s in segments
        if s.pool == pool and s.category == "on_phone"
    ]
    return (
        agents_per_interval(paid, pool, interval_s, n_intervals),
        agents_per_interval(on, pool, interval_s, n_intervals),
    )
