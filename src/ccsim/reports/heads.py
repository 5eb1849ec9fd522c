"""Heads: agents required against agents scheduled, in whole agents, per channel (and pool) and
interval: what planners staff in ("Mon 10:00 voice: 7 short").

* **Required**: the scheduled agents (shrinkage included) that Erlang A (Erlang C where
  customers do not abandon) needs for the channel's service-level target at the forecast's
  arrival rate: ``intervals.csv``'s ``required_agents_erlang_a`` / ``_c``, the requirement
  ``staffing_delta`` uses, rounded up to whole agents. It is a formula's requirement, not the
  simulation's (the simulated one per pool and interval is ``mode=staff``'s
  ``staffing.csv``).
* **Scheduled**: ``agents_scheduled`` as planned; a pool shared between channels is split
  between them by planned workload (as their capacity is), so a channel's count may be a
  fraction.
* **Short**: the whole agents to add for the requirement, ceil(required - scheduled); negative:
  whole agents spare. Head-hours short: short agents x the interval's hours.
* Async channels (a backlog answered within hours) have no heads per interval: an e-mail needs
  an agent before its deadline, not in the interval it arrives (the demand delta measures them
  by deadline), so they are left out and said so.

A pool's requirement is its channels' requirements split as their scheduled agents are (evenly
between the pools with the skill where a channel has none scheduled); a pool with a primary skill
on an async channel has none. Reads results; never runs the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.analysis.demand_delta import planned_workload_h, pool_shares
from ccsim.analysis.results import RunResult
from ccsim.model.centre import ASYNC
from ccsim.reports.days import day_name, days_of, measured_intervals
from ccsim.reports.palette import channel_colours, pool_colours
from ccsim.reports.tables import when
from ccsim.reports.templating import BAD, GOOD, MUTED, Cell, Table

__all__ = [
    "WORST",
    "Heads",
    "heads_of",
    "agents",
    "Worst",
    "worst_intervals",
    "Summary",
    "day_rows",
    "pool_rows",
    "BASIS",
    "async_note",
    "worst_text",
    "heads_md",
    "HeadsSection",
    "heads_html",
]

WORST = 10  # rows of the worst-intervals table
_EPS = 1e-9  # float noise: 3 + 1e-12 required agents are 3


@dataclass(frozen=True)
class Heads:
    """[c, k] arrays over every channel and interval; async channels' rows are NaN (required)
    and 0 (short)."""

    required: np.ndarray  #: whole agents the formula needs (NaN: async)
    scheduled: np.ndarray  #: agents scheduled (a shared pool's split by planned workload)
    short: np.ndarray  #: whole agents to add (negative: spare), int
    sync: tuple[int, ...]  #: the channels with heads (sync)
    measured: np.ndarray  #: [k] after the warm-up
    interval_h: float

    def formula(self, result: RunResult, c: int) -> str:
        ch = result.centre.channels[c]
        return "Erlang C" if ch.patience is None else "Erlang A"


def heads_of(result: RunResult) -> Heads:
    """Every channel's heads per interval, from the interval means (``intervals.csv``)."""
    c = result.centre
    n_c, n_k = len(c.channels), c.n_intervals
    iv = result.interval_means()
    req_a = iv["required_agents_erlang_a"].reshape(n_c, n_k)
    req = np.where(np.isnan(req_a), iv["required_agents_erlang_c"].reshape(n_c, n_k), req_a)
    sync = tuple(i for i, ch in enumerate(c.channels) if ch.mode != ASYNC)
    is_sync = np.array([ch.mode != ASYNC for ch in c.channels])[:, None]
    required = np.where(is_sync, np.ceil(np.nan_to_num(req) - _EPS), np.nan)
    scheduled = iv["agents_scheduled"].reshape(n_c, n_k)
    short = np.where(is_sync, np.ceil(np.nan_to_num(required) - scheduled - _EPS), 0.0)
    return Heads(
        required=required,
        scheduled=scheduled,
        short=(short + 0.0).astype(np.int64),  # + 0.0: no -0
        sync=sync,
        measured=measured_intervals(result),
        interval_h=c.interval_s / 3600.0,
    )


def agents(x: float) -> str:
    """A number of agents: whole as a whole number, else to one decimal (a shared pool's split)."""
    if abs(x - round(x)) < 1e-6:
        return f"{x:,.0f}"
    return f"{x:,.1f}" if abs(x - round(x)) >= 0.05 else f"{x:,.2f}"  # 58.97, not 59.0


@dataclass(frozen=True)
class Worst:
    """One channel-interval short of heads."""

    day: str
    time: str
    channel: str
    required: int
    scheduled: float
    short: int
    formula: str


def worst_intervals(result: RunResult, h: Heads, n: int = WORST) -> list[Worst]:
    """The ``n`` measured channel-intervals with the most heads short (ties: in time, then
    channel order)."""
    c = result.centre
    found = [
        (-int(h.short[ci, k]), k, ci)
        for ci in h.sync
        for k in np.flatnonzero(h.measured)
        if h.short[ci, k] > 0
    ]
    out = []
    for neg, k, ci in sorted(found)[:n]:
        day, clock = when(result, k * c.interval_s / 60)
        out.append(
            Worst(
                day=day_name(result, day),
                time=clock,
                channel=c.channels[ci].name,
                required=int(h.required[ci, k]),
                scheduled=float(h.scheduled[ci, k]),
                short=-neg,
                formula=h.formula(result, ci),
            )
        )
    return out


@dataclass(frozen=True)
class Summary:
    """Heads short of one channel (or pool) over some intervals."""

    label: str
    name: str
    peak: int  #: most agents short in one interval (0: never short)
    at: str  #: when (HH:MM, or day and time over the horizon); "" when never short
    intervals: int  #: intervals under-staffed
    head_hours: float  #: short agents x hours, summed


def _summary(
    result: RunResult, label: str, name: str, short: np.ndarray, ks: np.ndarray, day: bool
) -> Summary:
    s = short[ks]
    pos = np.clip(s, 0, None)
    at = ""
    if pos.size and pos.max() > 0:
        k = int(ks[int(np.argmax(s))])
        d, clock = when(result, k * result.centre.interval_s / 60)
        at = f"{day_name(result, d)} {clock}" if day else clock
    return Summary(
        label=label,
        name=name,
        peak=int(pos.max()) if pos.size else 0,
        at=at,
        intervals=int((s > 0).sum()),
        head_hours=float(pos.sum()) * result.centre.interval_s / 3600.0,
    )


def day_rows(result: RunResult, h: Heads) -> list[Summary]:
    """Per calendar day and sync channel: peak heads short, intervals under-staffed, head-hours
    short."""
    rows = []
    for d in days_of(result):
        ks = np.asarray(d.intervals)
        for ci in h.sync:
            name = result.centre.channels[ci].name
            rows.append(_summary(result, d.label, name, h.short[ci], ks, False))
    return rows


def _pool_required(result: RunResult, h: Heads) -> np.ndarray:
    """[p, k] agents each pool's channels require of it (fractions: before rounding up)."""
    c = result.centre
    n_p, n_c = len(c.pools), len(c.channels)
    share = pool_shares(c, planned_workload_h(c))  # [p, c, k], as the capacity is split
    sched = np.stack([p.agents_scheduled for p in c.pools]).astype(np.float64)  # [p, k]
    part = share * sched[:, None, :]  # each pool's agents on each channel
    total = part.sum(axis=0)  # [c, k]: the channel's agents_scheduled
    serves = np.zeros((n_p, n_c))
    for p, pool in enumerate(c.pools):
        for s in pool.skills:
            if s.primary:
                serves[p, s.channel] = 1.0
    even = serves / np.maximum(serves.sum(axis=0), 1.0)  # [p, c]
    frac = np.where(total > 0, part / np.where(total > 0, total, 1.0), even[:, :, None])
    req = np.nan_to_num(h.required)  # async rows: 0 (their pools are left out)
    return (frac * req[None, :, :]).sum(axis=1)


def pool_rows(result: RunResult, h: Heads) -> list[tuple[Summary | None, str]]:
    """Per pool over the measured horizon: its heads' summary, and the channels it serves as
    primary skill; None for a pool with a primary skill on an async channel (or none)."""
    c = result.centre
    req = np.ceil(_pool_required(result, h) - _EPS)
    ks = np.flatnonzero(h.measured)
    out: list[tuple[Summary | None, str]] = []
    for p, pool in enumerate(c.pools):
        chans = sorted({s.channel for s in pool.skills if s.primary})
        names = ", ".join(c.channels[i].name for i in chans)
        if not chans or any(c.channels[i].mode == ASYNC for i in chans):
            out.append((None, names))
            continue
        short = np.ceil(req[p] - pool.agents_scheduled - _EPS).astype(np.int64)
        out.append((_summary(result, pool.name, pool.name, short, ks, True), names))
    return out


BASIS = (
    "Required: the whole agents, scheduled (shrinkage included), that Erlang A (Erlang C where "
    "customers do not abandon) needs for each live channel's service-level target at the "
    "forecast's arrival rate (intervals.csv: required_agents_erlang_a / _c; a formula's "
    "requirement: the simulated one per pool and interval, the roster beside it, is "
    "mode=staff's staffing.csv). Scheduled: as planned "
    "(a pool shared between channels split by planned workload, hence fractions). Short: the "
    "whole agents to add, ceil(required - scheduled)."
)


def _names(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def async_note(result: RunResult) -> str:
    """Why async channels have no heads ("" when there is none)."""
    names = [ch.name for ch in result.centre.channels if ch.mode == ASYNC]
    if not names:
        return ""
    return (
        f"{_names(names)} (async): no heads per interval; a backlog answered within hours "
        "needs its agents before each deadline, not in the interval the work arrives: see the "
        "deadline delta (Async channels: the demand delta by deadline) and the service against "
        "target."
    )


def worst_text(worst: list[Worst], n_sync: int) -> str:
    """The worst interval in one sentence, plain text."""
    if not n_sync:
        return ""
    if not worst:
        return (
            "Scheduled heads meet the requirement in every measured interval of every live channel."
        )
    w = worst[0]
    return (
        f"Worst interval: {w.short} short on {w.channel}, {w.day} {w.time} ({w.required} "
        f"required by {w.formula}, {agents(w.scheduled)} scheduled)."
    )


def _md_table(headers: list[str], rows: list[list[str]], align: str) -> list[str]:
    sep = ["---" if a == "l" else "---:" for a in align]
    return [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(sep) + " |",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def heads_md(result: RunResult) -> list[str]:
    """report.md's heads section (its lines)."""
    h = heads_of(result)
    lines = ["## Heads: agents required vs scheduled", ""]
    note = async_note(result)
    if not h.sync:
        return lines + [note, ""]
    worst = worst_intervals(result, h)
    lines += [BASIS, "", f"**{worst_text(worst, len(h.sync))}**", ""]
    if note:
        lines += [note, ""]
    if worst:
        lines += [f"### Worst intervals (top {WORST}, heads)", ""]
        lines += _md_table(
            ["day", "time", "channel", "required", "scheduled", "short"],
            [
                [w.day, w.time, w.channel, str(w.required), agents(w.scheduled), str(w.short)]
                for w in worst
            ],
            "lllrrr",
        )
        lines.append("")
    lines += ["### Heads per day", ""]
    lines += _md_table(
        ["day", "channel", "peak short", "at", "intervals under-staffed", "head-hours short"],
        [
            [s.label, s.name, str(s.peak), s.at, str(s.intervals), f"{s.head_hours:,.1f}"]
            for s in day_rows(result, h)
        ],
        "llrlrr",
    )
    lines += ["", "### Heads per pool (over the horizon)", ""]
    pools = []
    for s, names in pool_rows(result, h):
        if s is None:
            why = "n/a (async)" if names else "n/a (no primary skill)"
            pools.append(["", names, why, "", "", ""])
        else:
            pools.append(
                [s.name, names, str(s.peak), s.at, str(s.intervals), f"{s.head_hours:,.1f}"]
            )
    for row, pool in zip(pools, result.centre.pools, strict=True):
        row[0] = pool.name
    lines += _md_table(
        ["pool", "serves", "peak short", "at", "intervals under-staffed", "head-hours short"],
        pools,
        "llrlrr",
    )
    return lines + [""]


@dataclass(frozen=True)
class HeadsSection:
    """report.html's heads: the headline card, the sentences and the tables."""

    kpi_value: str
    kpi_note: str
    kpi_raw: float
    basis: str
    worst_line: str
    async_line: str
    worst: Table | None
    days: Table | None
    pools: Table | None


def heads_html(result: RunResult) -> HeadsSection:
    """The heads of :func:`heads_md` as report.html shows them."""
    h = heads_of(result)
    note = async_note(result)
    if not h.sync:
        return HeadsSection("", "", 0.0, "", "", note, None, None, None)
    worst = worst_intervals(result, h)
    colours = channel_colours(ch.name for ch in result.centre.channels)
    top = worst[0] if worst else None
    worst_table = Table(
        ["day", "time", "channel", "required", "scheduled", "short"],
        [
            [
                w.day,
                w.time,
                Cell(w.channel, colour=colours[w.channel]),
                Cell(str(w.required), title=w.formula),
                agents(w.scheduled),
                Cell(str(w.short), BAD),
            ]
            for w in worst
        ],
        align="lllrrr",
        compact=True,
    )
    days = Table(
        ["day", "channel", "peak short", "at", "intervals under-staffed", "head-hours short"],
        [
            [
                s.label,
                Cell(s.name, colour=colours[s.name]),
                Cell(str(s.peak), BAD if s.peak else GOOD),
                s.at,
                str(s.intervals),
                f"{s.head_hours:,.1f}",
            ]
            for s in day_rows(result, h)
        ],
        align="llrcrr",
        compact=True,
    )
    pool_colour = pool_colours(p.name for p in result.centre.pools)
    pools = []
    for (s, names), pool in zip(pool_rows(result, h), result.centre.pools, strict=True):
        first = Cell(pool.name, colour=pool_colour[pool.name])
        if s is None:
            why = "n/a (async)" if names else "n/a (no primary skill)"
            pools.append([first, names, Cell(why, MUTED), "", "", ""])
            continue
        pools.append(
            [
                first,
                names,
                Cell(str(s.peak), BAD if s.peak else GOOD),
                s.at,
                str(s.intervals),
                f"{s.head_hours:,.1f}",
            ]
        )
    return HeadsSection(
        kpi_value=str(top.short) if top else "0",
        kpi_note=(
            f"{top.channel}, {top.day} {top.time}: {top.required} required ({top.formula}), "
            f"{agents(top.scheduled)} scheduled"
            if top
            else "scheduled heads meet the requirement in every interval of every live channel"
        ),
        kpi_raw=float(top.short) if top else 0.0,
        basis=BASIS,
        worst_line=worst_text(worst, len(h.sync)),
        async_line=note,
        worst=worst_table if worst else None,
        days=days,
        pools=Table(
            ["pool", "serves", "peak short", "at", "intervals under-staffed", "head-hours short"],
            pools,
            align="llrlrr",
            compact=True,
        ),
    )
