"""Where a staffing misses its targets: per channel and interval, from the counts of a round
(pooled over replications); async channels per day of arrival or per interval."""

from __future__ import annotations

import math

import numpy as np

from ccsim.model.centre import ASYNC, Centre
from ccsim.model.planning import StaffingTargets
from ccsim.planning.evaluate import Counts

__all__ = ["rates", "failing", "window"]


def rates(counts: Counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    decided, met = counts.pooled("decided"), counts.pooled("met")
    to_agents, abandoned = counts.pooled("to_agents"), counts.pooled("abandoned")
    sl = np.divide(met, decided, out=np.ones(decided.shape), where=decided > 0)
    ab = np.divide(abandoned, to_agents, out=np.zeros(decided.shape), where=to_agents > 0)
    return sl, ab, decided


def failing(
    centre: Centre,
    counts: Counts,
    targets: StaffingTargets,
    first: int,
    room: float = 0.0,
    margin: np.ndarray | None = None,
) -> np.ndarray:
    """[c, k]: the channel misses a target in interval k (pooled over replications), from
    interval ``first`` on; with ``room``, also where it holds with less than that to spare.
    ``margin[c]`` raises channel c's service-level target (:func:`plan_staffing`)."""
    sl, ab, decided = rates(counts)
    target = np.array(targets.service_level)[:, None]
    if margin is not None:
        target = target + margin[:, None]
    ceiling = np.array([np.inf if m is None else m for m in targets.max_abandon_rate])[:, None]
    bad = (decided > 0) & ((sl < target + room) | (ab > ceiling - (room if room else 0.0)))
    bad[:, :first] = False
    if targets.async_period == "day":
        _async_by_day(centre, counts, bad, target[:, 0] + room, first, mark_day=room > 0)
    return bad


def _async_by_day(
    centre: Centre,
    counts: Counts,
    bad: np.ndarray,
    target: np.ndarray,
    first: int,
    *,
    mark_day: bool,
) -> None:
    """Async channels measured per day of arrival: a day below target marks its interval with
    the most misses (or, with ``mark_day``, every interval of the day: no removals there)."""
    decided, met = counts.pooled("decided"), counts.pooled("met")
    n_k = centre.n_intervals
    per_day = max(1, int(round(86400.0 / centre.interval_s)))
    for c, ch in enumerate(centre.channels):
        if ch.mode != ASYNC:
            continue
        below = bad[c].copy()  # the intervals below target on their own
        bad[c] = False
        for d0 in range(first, n_k, per_day):
            day = slice(d0, min(d0 + per_day, n_k))
            n = decided[c, day].sum()
            if n > 0 and met[c, day].sum() / n < target[c]:
                if mark_day:
                    bad[c, day] = True
                elif below[day].any():
                    bad[c, day] = below[day]
                else:
                    bad[c, d0 + int(np.argmax(decided[c, day] - met[c, day]))] = True


def window(centre: Centre, c: int) -> int:
    ch = centre.channels[c]
    return max(1, math.ceil(ch.target_s / centre.interval_s)) if ch.mode == ASYNC else 1
