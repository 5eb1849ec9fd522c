"""Arrivals: a non-homogeneous Poisson process with piecewise-constant rates, and the
attributes each customer brings (handle time, patience), drawn from their own streams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Centre
from .rng import RandomStreams

__all__ = ["Customers", "sample_customers", "poisson_arrival_times"]


def poisson_arrival_times(
    rng: np.random.Generator, rate_per_s: np.ndarray, interval_s: float
) -> np.ndarray:
    """Sorted arrival times of a Poisson process whose rate is constant within each interval.

    Given the count in an interval, Poisson arrivals are uniform on it, so one vectorised draw
    of counts and one of positions replace an event-by-event loop.
    """
    counts = rng.poisson(rate_per_s * interval_s)
    starts = np.repeat(np.arange(len(rate_per_s), dtype=np.float64) * interval_s, counts)
    times = starts + rng.random(int(counts.sum())) * interval_s
    # Sorting within each interval keeps the grid: every time stays in its own interval.
    return np.sort(times, kind="stable")


@dataclass(frozen=True)
class Customers:
    """The customers who arrive of their own accord, in arrival order, with their attributes:
    channel and intent (indices), drawn handle time and patience (s), and the uniform draw that
    decides whether their contact is resolved (resolved when below the intent's FCR)."""

    arrival_s: np.ndarray
    channel: np.ndarray
    intent: np.ndarray
    handle_s: np.ndarray
    patience_s: np.ndarray
    resolve_u: np.ndarray


def sample_customers(centre: Centre, streams: RandomStreams) -> Customers:
    """Draw every new customer of a run. Each (channel, intent) has its own arrival stream and
    each channel its own attribute streams, drawn in arrival order: customer i of a channel gets
    the i-th draw whatever happens to anyone, so paired runs see the same customers."""
    n_ch, n_in, n_k = centre.rate_per_s.shape
    rate = centre.rate_per_s
    if centre.day_volume_cv > 0:
        # One multiplier per calendar day (days start at midnight, not at the horizon start).
        per_day = max(1, int(round(86400.0 / centre.interval_s)))
        first = int(round(centre.clock_start_h * 3600.0 / centre.interval_s))
        day = (np.arange(n_k) + first) // per_day
        shape = 1.0 / centre.day_volume_cv**2
        mult = streams.stream("day_volume").gamma(shape, 1.0 / shape, int(day[-1]) + 1)
        rate = rate * mult[day]
    times, chans, ints = [], [], []
    for c in range(n_ch):
        for j in range(n_in):
            name = f"arrivals/{centre.channels[c].name}/{centre.intents[j].name}"
            t = poisson_arrival_times(streams.stream(name), rate[c, j], centre.interval_s)
            times.append(t)
            chans.append(np.full(t.size, c, dtype=np.int8))
            ints.append(np.full(t.size, j, dtype=np.int8))
    arrival = np.concatenate(times) if times else np.zeros(0)
    order = np.argsort(arrival, kind="stable")
    arrival, channel, intent = (
        arrival[order],
        np.concatenate(chans)[order],
        np.concatenate(ints)[order],
    )
    handle = np.empty(arrival.size)
    patience = np.full(arrival.size, np.inf)
    for c, ch in enumerate(centre.channels):
        sel = channel == c
        handle[sel] = ch.handle_time.sample(
            streams.stream(f"handle_time/{ch.name}"), int(sel.sum())
        )
        if ch.patience is not None:
            patience[sel] = ch.patience.sample(
                streams.stream(f"patience/{ch.name}"), int(sel.sum())
            )
    resolve_u = streams.stream("resolution").random(arrival.size)
    return Customers(arrival, channel, intent, handle, patience, resolve_u)
