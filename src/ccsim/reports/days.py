"""A run's demand delta by day, for ``report.html``: the centre's delta per interval (channels
netted), the agent-hours short per interval (mean over replications of its positive part: they
add up to ``positive_demand_delta_h``), the measured intervals grouped by calendar day."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.analysis.results import RunResult
from ccsim.reports.formats import num
from ccsim.reports.tables import when
from ccsim.reports.templating import BAD, GOOD, Cell, Table

__all__ = [
    "measured_intervals",
    "centre_delta",
    "short_per_interval",
    "Day",
    "day_name",
    "days_of",
    "worst_interval",
    "day_table",
]


def measured_intervals(result: RunResult) -> np.ndarray:
    """[k]: intervals after the warm-up."""
    return np.asarray(result.centre.interval_starts_s >= result.settings.warmup_s)


def centre_delta(result: RunResult) -> np.ndarray:
    """[k]: the centre's demand delta of the mean interval curve, NaN in the warm-up (the curve
    report.md reads its peak from)."""
    c = result.centre
    iv = result.interval_means()
    delta = iv["demand_delta_h"].reshape(len(c.channels), c.n_intervals).sum(axis=0)
    return np.where(measured_intervals(result), delta, np.nan)


def short_per_interval(result: RunResult) -> np.ndarray:
    """[k]: agent-hours short per interval, mean over replications of the positive part of the
    centre's delta (channels netted first): over the measured intervals they add up to the
    total ``positive_demand_delta_h``."""
    n_k = result.centre.n_intervals
    short = []
    for r in result.replications:
        k = r.intervals["interval"].astype(np.int64)
        d = np.bincount(k, weights=r.intervals["demand_delta_h"], minlength=n_k)
        short.append(np.clip(d, 0.0, None))
    return np.where(measured_intervals(result), np.mean(short, axis=0), 0.0)


@dataclass(frozen=True)
class Day:
    label: str
    intervals: list[int]


def day_name(result: RunResult, day: str) -> str:
    """A day label as a sentence reads it: the date, or "day 3" for a run without a calendar."""
    return day if result.start is not None else f"day {day}"


def worst_interval(result: RunResult, ks: np.ndarray | None = None) -> tuple[int, float] | None:
    """(interval, agent-hours short) of the measured interval (among ``ks``) with the most
    agent-hours short; None when none is short."""
    short = short_per_interval(result)
    ks = np.flatnonzero(measured_intervals(result)) if ks is None else ks
    if ks.size == 0 or not short[ks].max() > 0:
        return None
    k = int(ks[np.argmax(short[ks])])  # the first of equals
    return k, float(short[k])


def days_of(result: RunResult) -> list[Day]:
    """The measured intervals grouped by day (in order)."""
    c = result.centre
    measured = measured_intervals(result)
    days: dict[str, list[int]] = {}
    for k in range(c.n_intervals):
        if measured[k]:
            day, _ = when(result, k * c.interval_s / 60)
            days.setdefault(day, []).append(k)
    return [Day(day_name(result, d), ks) for d, ks in days.items()]


def day_table(result: RunResult) -> tuple[Table, Day | None, float]:
    """Per day: workload, capacity, agent-hours short (with a bar against the worst day), the
    interval with the most agent-hours short. Returns the table, the worst day and its
    agent-hours short."""
    c = result.centre
    iv = result.interval_means()
    n_c, n_k = len(c.channels), c.n_intervals
    work = iv["demand_workload_h"].reshape(n_c, n_k).sum(axis=0)
    cap = iv["capacity_h"].reshape(n_c, n_k).sum(axis=0)
    short = short_per_interval(result)
    days = days_of(result)
    per_day = [float(short[d.intervals].sum()) for d in days]
    top = max(per_day, default=0.0)
    rows = []
    for d, s in zip(days, per_day, strict=True):
        ks = np.asarray(d.intervals)
        worst = worst_interval(result, ks)
        clock = "" if worst is None else when(result, worst[0] * c.interval_s / 60)[1]
        rows.append(
            [
                d.label,
                num(float(work[ks].sum())),
                num(float(cap[ks].sum())),
                Cell(num(s), BAD if s > 0 else GOOD, bar=100 * s / top if top > 0 else 0.0),
                clock,
                "" if worst is None else num(worst[1], 2),
            ]
        )
    table = Table(
        [
            "day",
            "demand workload (agent-h)",
            "capacity (agent-h)",
            "agent-h short",
            "worst interval",
            "agent-h short in it",
        ],
        rows,
        align="lrrlcr",
    )
    # A worst day only when there are several to choose from.
    worst_day = None if len(days) < 2 or top <= 0 else days[int(np.argmax(per_day))]
    return table, worst_day, top
