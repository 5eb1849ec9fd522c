"""Shifts (with breaks) per agent pool and the agent head-count they give over time; read from
a roster file or the config by :mod:`ccsim.inputs.roster`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Shift", "staffing_events", "agents_per_interval", "cut_at_start"]


@dataclass(frozen=True)
class Shift:
    """``count`` identical shifts of ``pool``; times in seconds from the horizon start.

    Breaks are sorted, do not overlap or touch, and lie strictly inside ``(start_s, end_s)``.
    """

    pool: str
    start_s: float
    end_s: float
    breaks: tuple[tuple[float, float], ...]
    count: int


def staffing_events(shifts: Sequence[Shift]) -> list[tuple[float, str, int]]:
    """``(time_s, pool, delta_agents)``: +count at shift start and break end, -count at break
    start and shift end; sorted by time, then pool, then delta (ascending).

    Breaks lie strictly inside their shift and never touch, so replaying one shift's events in
    this order never takes its head-count below zero.
    """
    events: list[tuple[float, str, int]] = []
    for s in shifts:
        events.append((s.start_s, s.pool, s.count))
        for b0, b1 in s.breaks:
            events.append((b0, s.pool, -s.count))
            events.append((b1, s.pool, s.count))
        events.append((s.end_s, s.pool, -s.count))
    events.sort()
    return events


def agents_per_interval(
    shifts: Sequence[Shift], pool: str, interval_s: float, n_intervals: int
) -> np.ndarray:
    """Mean number of ``pool`` agents present (on shift, not on break) in each interval
    ``[k * interval_s, (k + 1) * interval_s)``, time-weighted: a float array of length
    ``n_intervals``. Time outside ``[0, n_intervals * interval_s)`` is ignored.
    """
    if not interval_s > 0 or not math.isfinite(interval_s):
        raise ValueError(f"interval_s must be a finite number > 0, got {interval_s!r}")
    if n_intervals < 0:
        raise ValueError(f"n_intervals must be >= 0, got {n_intervals!r}")
    events = [(t, d) for t, p, d in staffing_events(shifts) if p == pool]
    if not events or n_intervals == 0:
        return np.zeros(n_intervals, dtype=np.float64)
    t = np.array([e[0] for e in events], dtype=np.float64)
    delta = np.array([e[1] for e in events], dtype=np.float64)
    times, inverse = np.unique(t, return_inverse=True)
    level = np.cumsum(np.bincount(inverse, weights=delta, minlength=len(times)))
    # Agent-seconds from the first event up to each event time; piecewise linear in between,
    # flat before the first and after the last event (nobody present there).
    area = np.concatenate(([0.0], np.cumsum(level[:-1] * np.diff(times))))
    edges = np.arange(n_intervals + 1, dtype=np.float64) * interval_s
    return np.diff(np.interp(edges, times, area)) / interval_s


def cut_at_start(
    start_s: float, end_s: float, breaks: Sequence[tuple[float, float]]
) -> tuple[float, list[tuple[float, float]]] | None:
    """A shift that starts before the horizon start (``start_s < 0``) cut to start at it: its
    breaks before then are dropped, and one in progress then starts the shift at its end. None
    when the shift ends by the horizon start (nothing of it is simulated)."""
    if end_s <= 0:
        return None
    start_s, kept = 0.0, []
    for b0, b1 in breaks:
        if b1 <= 0:
            continue
        if b0 <= 0:  # on break at the horizon start: the shift starts at its end
            start_s = b1
            continue
        kept.append((b0, b1))
    return start_s, kept
