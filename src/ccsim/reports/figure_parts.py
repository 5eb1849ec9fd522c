"""Pieces every figure of a run shares: the canvas (matplotlib's Agg, not pyplot), the time
axis (the calendar when the run has one, else the clock), the warm-up's shading and a legend
beside the axes. Reads results; never runs the model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ccsim.analysis.results import RunResult
from ccsim.reports.palette import DEFICIT_COLOUR, WARMUP_COLOUR

__all__ = [
    "WIDTH_IN",
    "TimeTicks",
    "new_figure",
    "time_ticks",
    "apply_time_axis",
    "clock_label",
    "origin",
    "day_name",
    "hhmm",
    "warmup_h",
    "shade_warmup",
    "warmup_handle",
    "side_legend",
]

WIDTH_IN = 13.5  # 1215 px at save_png's 90 dpi: a laptop screen or an HTML page
_DAY_H = 24.0


def new_figure(height_in: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasAgg(fig)  # draws and saves without pyplot or a display
    return fig


@dataclass(frozen=True)
class TimeTicks:
    """Tick positions (hours since the start of the horizon) and labels of a time axis."""

    major: list[float]
    major_labels: list[str]
    minor: list[float]
    minor_labels: list[str]
    label: str  # the axis label


def origin(result: RunResult) -> tuple[float, date | None]:
    """(hour of day at the start, the start's date or None for the clock)."""
    if result.start is not None:
        s = result.start
        return s.hour + s.minute / 60.0 + s.second / 3600.0, s.date()
    return float(result.centre.clock_start_h), None


def day_name(d0: date | None, day: int, short: bool = False) -> str:
    if d0 is None:
        return f"Day {day + 1}"
    return (d0 + timedelta(days=day)).strftime("%a %d" if short else "%a %d %b")


def hhmm(hour_of_day: float) -> str:
    m = int(round(hour_of_day * 60)) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def _at(a0: float, end: float, step: float) -> np.ndarray:
    """Multiples of ``step`` (absolute hours) within [a0, end]."""
    first = math.ceil(a0 / step - 1e-9) * step
    return np.arange(first, end + 1e-9, step)


def clock_label(result: RunResult, x_h: float) -> str:
    """A position as the calendar or the clock reads it ("Tue 06 Jan 08:00", "Day 2 08:00")."""
    a0, d0 = origin(result)
    a = a0 + x_h
    day = math.floor(a / _DAY_H + 1e-9)
    clock = hhmm(a - day * _DAY_H)
    if d0 is None and day == 0:
        return clock
    return f"{day_name(d0, day)} {clock}"


def time_ticks(result: RunResult) -> TimeTicks:
    """Ticks of a run's time axis, their density by horizon: up to 2.5 days, times of day with
    the day under each midnight; up to 16 days, the days (midnight ticks, names mid-day); up to
    3 months, weeks (Mondays on a calendar, days 1, 8, ... on the clock) with daily minor ticks;
    beyond, months (every 4 weeks on the clock) with weekly minor ticks."""
    a0, d0 = origin(result)
    horizon = result.centre.horizon_s / 3600.0
    end = a0 + horizon
    major: list[float] = []
    major_labels: list[str] = []
    minor: list[float] = []
    minor_labels: list[str] = []
    if horizon <= 60.0:
        step = next(s for s in (1, 2, 3, 4, 6, 12) if horizon / s <= 16)
        named = set()
        for a in _at(a0, end, step):
            day = math.floor(a / _DAY_H + 1e-9)
            hod = a - day * _DAY_H
            if abs(hod) < 1e-9:
                major.append(a - a0)
                ends = a >= end - 1e-9  # the horizon's end: no day follows
                major_labels.append("00:00" if ends else f"00:00\n{day_name(d0, day)}")
                named.add(day)
            else:
                minor.append(a - a0)
                minor_labels.append(hhmm(hod))
        first_day = math.floor(a0 / _DAY_H + 1e-9)
        if minor and first_day not in named and (d0 is not None or first_day > 0):
            # No midnight names the first day: the first tick does.
            if not major or minor[0] < major[0]:
                minor_labels[0] += f"\n{day_name(d0, first_day)}"
        label = "time of day" if d0 is None else f"day and time of day ({d0:%Y})"
    elif horizon <= 16 * _DAY_H:
        short = horizon > 10 * _DAY_H
        for a in _at(a0, end, _DAY_H):
            major.append(a - a0)
            major_labels.append("")
        for day in range(math.floor(a0 / _DAY_H), math.floor(end / _DAY_H) + 1):
            noon = day * _DAY_H + 12.0  # each day named mid-day, a partial first day too
            if a0 <= noon <= end:
                minor.append(noon - a0)
                minor_labels.append(day_name(d0, day, short))
        label = (
            "day (grid lines at midnight)"
            if d0 is None
            else f"day ({d0:%Y}; grid lines at midnight)"
        )
    elif horizon <= 92 * _DAY_H:
        for a in _at(a0, end, _DAY_H):
            day = int(round(a / _DAY_H))
            monday = d0 is not None and (d0 + timedelta(days=day)).weekday() == 0
            if (d0 is None and day % 7 == 0) or monday:
                major.append(a - a0)
                major_labels.append(day_name(d0, day))
            else:
                minor.append(a - a0)
                minor_labels.append("")
        label = "week" if d0 is None else f"week starting ({d0:%Y})"
    else:
        for a in _at(a0, end, _DAY_H):
            day = int(round(a / _DAY_H))
            if d0 is None:
                is_major, is_minor = day % 28 == 0, day % 7 == 0
                text = f"Day {day + 1}"
            else:
                d = d0 + timedelta(days=day)
                is_major, is_minor = d.day == 1, d.weekday() == 0
                text = d.strftime("%b %Y")
            if is_major:
                major.append(a - a0)
                major_labels.append(text)
            elif is_minor:
                minor.append(a - a0)
                minor_labels.append("")
        label = "day" if d0 is None else "month"
    return TimeTicks(major, major_labels, minor, minor_labels, label)


def apply_time_axis(result: RunResult, ax, ticks: TimeTicks) -> None:  # type: ignore[no-untyped-def]
    """Ticks, limits and a light grid at the major ticks; the cursor reads the clock."""
    ax.set_xlim(0.0, result.centre.horizon_s / 3600.0)
    ax.set_xticks(ticks.major, ticks.major_labels)
    ax.set_xticks(ticks.minor, ticks.minor_labels, minor=True)
    ax.tick_params(axis="x", which="major", length=7, labelsize=8)
    ax.tick_params(axis="x", which="minor", length=3, labelsize=8)
    ax.grid(axis="x", which="major", color="0.8", lw=0.8)
    ax.grid(axis="y", color="0.92", lw=0.6)
    ax.set_axisbelow(True)
    ax.fmt_xdata = lambda x: clock_label(result, x)


def shade_deficit(  # type: ignore[no-untyped-def]
    ax,
    xs: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    label: str,
    *,
    where: np.ndarray | None = None,
    alpha: float = 0.45,
    zorder: float = 1,
):
    """Red between two per-interval step curves (``low``, ``high``: one value per interval;
    ``xs``: the interval edges) where ``where`` (default ``high > low``): each interval is its
    own rectangle, since fill_between's ``where`` on step curves drops their edges."""
    x2, lo2, hi2 = np.repeat(xs, 2)[1:-1], np.repeat(low, 2), np.repeat(high, 2)
    mask = hi2 > lo2 if where is None else np.repeat(where, 2)
    return ax.fill_between(
        x2,
        lo2,
        hi2,
        where=mask,
        color=DEFICIT_COLOUR,
        alpha=alpha,
        lw=0,
        label=label,
        zorder=zorder,
    )


def warmup_h(result: RunResult) -> float:
    """The warm-up rounded up to whole intervals, in hours (what the totals leave out)."""
    w = result.settings.warmup_s
    if w <= 0:
        return 0.0
    dt = result.centre.interval_s
    return min(math.ceil(w / dt - 1e-9) * dt, result.centre.horizon_s) / 3600.0


def shade_warmup(result: RunResult, ax) -> bool:  # type: ignore[no-untyped-def]
    w = warmup_h(result)
    if w > 0:
        ax.axvspan(0, w, color=WARMUP_COLOUR, alpha=0.18, lw=0, zorder=0)
    return w > 0


def warmup_handle() -> Patch:
    return Patch(color=WARMUP_COLOUR, alpha=0.3, label="warm-up (not in totals)")


def side_legend(ax, handles: list) -> None:  # type: ignore[no-untyped-def]
    """Beside the axes, outside the data."""
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.005, 1.0),
        fontsize=8,
        frameon=False,
        borderaxespad=0,
    )
