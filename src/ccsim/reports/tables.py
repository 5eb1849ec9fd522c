"""A run's tables, column by column: what ``intervals.csv``, ``pools.csv`` and
``replications.csv`` hold, for the CSV and Parquet writers and the DataFrame API alike.

A table is an ordered ``{column: list}``: the first columns label the row (``day``, ``time``,
then ``channel`` or ``pool``), the others are numbers. Reads results; never runs the model.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ccsim.analysis.contact_flags import with_cleared
from ccsim.analysis.metrics import INTERVAL_COLUMNS, POOL_COLUMNS
from ccsim.analysis.results import RESULT_TOTAL_KEYS, RunResult

__all__ = [
    "Table",
    "when",
    "interval_start",
    "interval_table",
    "pool_table",
    "replication_table",
    "LABEL_COLUMNS",
]

Table = dict[str, list[Any]]

# The columns that name a row rather than measure it (text in CSV, strings in Parquet).
LABEL_COLUMNS = ("day", "time", "channel", "pool", "metric")


def when(result: RunResult, start_min: float) -> tuple[str, str]:
    """(day label, HH:MM): the calendar date when the centre has one, else day 1, 2, ..."""
    if result.start is not None:
        t = result.start + timedelta(minutes=float(start_min))
        return t.strftime("%Y-%m-%d %a"), t.strftime("%H:%M")
    minutes = int(round(result.centre.clock_start_h * 60 + start_min))
    day, m = divmod(minutes, 24 * 60)
    return str(day + 1), f"{m // 60:02d}:{m % 60:02d}"


def interval_start(result: RunResult, start_min: float) -> datetime | None:
    """The calendar start of an interval (None when the run has no calendar start)."""
    if result.start is None:
        return None
    return result.start + timedelta(minutes=float(start_min))


def interval_table(result: RunResult) -> Table:
    """One row per channel and interval: means over replications (``intervals.csv``)."""
    c = result.centre
    iv = result.interval_means()
    cols = [col for col in with_cleared(INTERVAL_COLUMNS, c) if col != "channel"]
    out: Table = {"day": [], "time": [], "channel": [], **{col: [] for col in cols}}
    for r in range(len(iv["interval"])):
        day, clock = when(result, iv["start_min"][r])
        out["day"].append(day)
        out["time"].append(clock)
        out["channel"].append(c.channels[int(iv["channel"][r])].name)
        for col in cols:
            out[col].append(iv[col][r])
    return out


def pool_table(result: RunResult) -> Table:
    """One row per pool and interval: staffing and occupancy (``pools.csv``)."""
    c = result.centre
    pv = result.pool_means()
    cols = [col for col in POOL_COLUMNS if col != "pool"]
    out: Table = {"day": [], "time": [], "pool": [], **{col: [] for col in cols}}
    for r in range(len(pv["interval"])):
        day, clock = when(result, pv["interval"][r] * c.interval_s / 60)
        out["day"].append(day)
        out["time"].append(clock)
        out["pool"].append(c.pools[int(pv["pool"][r])].name)
        for col in cols:
            out[col].append(pv[col][r])
    return out


def replication_table(result: RunResult) -> Table:
    """One row per replication, channel (``all``: the centre) and metric (tidy;
    ``replications.csv``)."""
    c = result.centre
    keys = with_cleared(RESULT_TOTAL_KEYS, c)
    out: Table = {"replication": [], "channel": [], "metric": [], "value": []}

    def add(rep: int, channel: str, totals: dict[str, float]) -> None:
        for k in keys:
            out["replication"].append(rep)
            out["channel"].append(channel)
            out["metric"].append(k)
            out["value"].append(totals[k])

    for rep in result.replications:
        add(rep.replication, "all", rep.totals)
        for ch, tot in zip(c.channels, rep.channel_totals, strict=True):
            add(rep.replication, ch.name, tot)
    return out


def rows(table: Table) -> list[list[Any]]:
    """The table row by row, in column order (for the CSV writer)."""
    return [list(r) for r in zip(*table.values(), strict=True)]
