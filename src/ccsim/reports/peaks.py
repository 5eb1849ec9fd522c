"""The demand delta's context in the reports: the centre's total (channels netted within each
interval) beside the channels' own shortfalls, and what the busiest interval's contacts were
(new, retries, repeats, chasers). Reads results; never runs the model."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ccsim.analysis.results import RunResult
from ccsim.reports.days import day_name, measured_intervals
from ccsim.reports.tables import when

__all__ = ["channels_short", "netting_text", "Peak", "offered_peak", "peak_text"]

# The kinds of an offered contact, as intervals.csv counts them; "other": the kinds strategies
# add (replies to a notice, a campaign's outbound calls, contacts leaving a failed bot session).
_KINDS = (("new", "new"), ("retries", "retries"), ("repeats", "repeats"), ("chasers", "chasers"))
_ONE = {"retries": "retry", "repeats": "repeat", "chasers": "chaser"}


def channels_short(result: RunResult) -> float:
    """The channels' own agent-hours short, summed (each channel's positive delta per interval:
    no channel's spare capacity covers another's shortfall)."""
    return float(sum(ce["positive_demand_delta_h"].mean for ce in result.channel_estimates))


def netting_text(result: RunResult) -> str:
    """How the centre's total nets the channels, with the channels' own sum ("" for one
    channel)."""
    if len(result.centre.channels) < 2:
        return ""
    return (
        "channels netted within each interval; the channels' own shortfalls sum to "
        f"{channels_short(result):,.1f} agent-hours"
    )


@dataclass(frozen=True)
class Peak:
    """The measured channel-interval with the most contacts offered (mean over replications),
    its offered count and kinds as whole contacts that add up to it."""

    channel: str
    day: str
    time: str
    offered: int
    parts: tuple[tuple[str, int], ...]


def _whole(values: list[float], total: int) -> list[int]:
    """``values`` rounded to whole numbers that add up to ``total`` (largest remainders)."""
    floors = [math.floor(v) for v in values]
    left = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in order[: max(left, 0)]:
        floors[i] += 1
    return floors


def offered_peak(result: RunResult) -> Peak | None:
    """The busiest measured channel-interval; None when no contact was offered."""
    c, iv = result.centre, result.interval_means()
    n_k = c.n_intervals
    offered = np.where(np.tile(measured_intervals(result), len(c.channels)), iv["offered"], 0.0)
    offered = np.nan_to_num(offered)
    if not offered.max() > 0:
        return None
    r = int(np.argmax(offered))
    counts = [float(np.nan_to_num(iv[key][r])) for key, _ in _KINDS]
    other = max(float(offered[r]) - sum(counts), 0.0)
    labels = [label for _, label in _KINDS] + (["other"] if other >= 0.5 else [])
    values = counts + ([other] if other >= 0.5 else [])
    total = int(round(float(offered[r])))
    day, clock = when(result, (r % n_k) * c.interval_s / 60)
    return Peak(
        channel=c.channels[r // n_k].name,
        day=day_name(result, day),
        time=clock,
        offered=total,
        parts=tuple(zip(labels, _whole(values, total), strict=True)),
    )


def peak_text(result: RunResult) -> str:
    """The busiest interval and its contacts by kind, in one sentence ("" when none)."""
    p = offered_peak(result)
    if p is None:
        return ""
    parts = ", ".join(
        f"{n:,} {_ONE.get(label, label) if n == 1 else label}" for label, n in p.parts
    )
    return (
        f"The busiest interval: {p.offered:,} contacts offered on {p.channel}, {p.day} {p.time} "
        f"(mean over replications): {parts}."
    )
