"""Arrivals: a non-homogeneous Poisson process with piecewise-constant rates, and the
attributes each customer brings (handle time, patience), drawn from their own streams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rng import RandomStreams
from .scenario import Scenario

__all__ = ["ArrivalSample", "sample_arrivals", "poisson_arrival_times"]


@dataclass(frozen=True)
class ArrivalSample:
    """Every customer of a run, in arrival order: time (s), handle time (s), patience (s)."""

    arrival_s: np.ndarray
    handle_s: np.ndarray
    patience_s: np.ndarray


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


def sample_arrivals(scenario: Scenario, streams: RandomStreams) -> ArrivalSample:
    """Draw a whole run's customers. Customer i gets the i-th draw of each attribute stream,
    whatever later happens to it, so strategies compared on one seed see the same customers."""
    arrival_s = poisson_arrival_times(
        streams.stream("arrivals"), scenario.arrival_rate_per_s, scenario.interval_s
    )
    n = len(arrival_s)
    handle_s = scenario.handle_time.sample(streams.stream("handle_time"), n)
    if scenario.patience is None:
        patience_s = np.full(n, np.inf)
    else:
        patience_s = scenario.patience.sample(streams.stream("patience"), n)
    return ArrivalSample(arrival_s, handle_s, patience_s)
