"""The demand delta of async channels, by deadline: the capacity their response-time targets
need, not the work arriving in each interval.

An e-mail arriving at 02:00 with a 24-hour target does not need an agent at 02:00: it needs one
before 02:00 the next day. So the delta of an async channel compares the work **due** by the
end of each interval with the capacity available **before that deadline**, the backlog carried
from interval to interval (a fluid model of the inbox, the back-office planner's backlog flow:
backlog at the end = backlog at the start + work arriving - work done):

* Work arriving in an interval arrives evenly over it and is due the response-time target T
  later: by the end of interval j, the work that arrived up to (end of j) - T is due (a target
  that is not a whole number of intervals splits an interval's work between two deadlines).
  At the start of the horizon the inbox is empty, as in the simulation; work not yet due at
  the end of the horizon is never short.
* Capacity works the work due first first (earliest deadline first: the order that meets every
  deadline whenever any order does) and cannot be stored: capacity that finds the inbox empty
  is lost. Async channels whose agents are the same (a pool serving both) share their capacity
  that way: an agent answers the message due in an hour before the e-mail due tomorrow.
* **Agent-hours short** in interval j: the work due by the end of j that the capacity up to j
  cannot have done, once the extra capacity of the intervals before is counted as added.
  It is the extra capacity that meets every deadline, placed in the last interval before the
  deadline it saves: the least extra capacity that meets them all (the tests check it against
  a linear programme), and its placement shows when to add it.
* **Spare** in interval j: capacity that found the inbox empty (no work due, nor any early),
  the capacity that could go without missing a deadline.

The delta is short - spare, positive = short. With a target of 0 it is the sync channels'
demand workload - capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DeadlineDelta", "deadline_delta", "deadline_deltas", "due_h"]

# Below this share of the horizon's work or capacity, a result is floating-point noise.
_REL_TOL = 1e-12


@dataclass(frozen=True)
class DeadlineDelta:
    """Agent-hours per interval: [k] arrays for one channel, [c, k] for several."""

    due_h: np.ndarray  #: work falling due in the interval (its deadline in it)
    short_h: np.ndarray  #: extra capacity the deadlines need, placed before them (>= 0)
    spare_h: np.ndarray  #: capacity that found the inbox empty (>= 0)
    backlog_h: np.ndarray  #: work waiting at the interval's end, the extra capacity counted

    @property
    def delta_h(self) -> np.ndarray:
        """short - spare: positive = short, negative = spare, 0 = every agent-hour used."""
        return self.short_h - self.spare_h


def _split(lag: float) -> tuple[int, float]:
    """An interval's work is due (1 - f) at the end of the interval ``q`` later, f one later."""
    if not lag >= 0:
        raise ValueError(f"lag must be >= 0, got {lag}")
    q = int(np.floor(lag))
    return q, float(lag - q)


def due_h(work_h: np.ndarray, lag: float) -> np.ndarray:
    """[k]: the work falling due in each interval: ``work_h`` (arriving evenly over each
    interval) ``lag`` intervals later; work due after the last interval is left out."""
    work = np.asarray(work_h, dtype=np.float64)
    q, f = _split(lag)
    n = len(work)
    due = np.zeros(n + q + 2)
    due[q : q + n] += (1.0 - f) * work
    due[q + 1 : q + 1 + n] += f * work
    return due[:n]


def deadline_deltas(
    work_h: np.ndarray, capacity_h: np.ndarray, lags: Sequence[float]
) -> DeadlineDelta:
    """The deadline delta of channels that share their capacity: ``work_h[c, k]`` of channel c
    arriving in interval k, due ``lags[c]`` intervals later (target / interval length);
    ``capacity_h[c, k]`` channel c's capacity, which the channels pool.

    Per channel: the agent-hours short placed before the deadlines of its work they save (work
    due in the same interval shares them pro rata), and the spare capacity split as the
    channels' capacity is."""
    work = np.atleast_2d(np.asarray(work_h, dtype=np.float64))
    cap = np.atleast_2d(np.asarray(capacity_h, dtype=np.float64))
    if work.shape != cap.shape or work.ndim != 2 or len(lags) != work.shape[0]:
        raise ValueError("work_h and capacity_h must be [channel, interval] arrays, one lag each")
    m, n = work.shape
    due = np.stack([due_h(work[c], lags[c]) for c in range(m)])
    tol = _REL_TOL * max(float(work.sum()), float(cap.sum()), 1.0)
    if m == 1:  # one channel: first in, first due
        short, spare, backlog = _first_due_first(work[0], cap[0], due[0], tol)
        return DeadlineDelta(due_h=due, short_h=short, spare_h=spare, backlog_h=backlog)
    short, spare, backlog = _earliest_deadline_first(work, cap, [_split(lag) for lag in lags], tol)
    return DeadlineDelta(due_h=due, short_h=short, spare_h=spare, backlog_h=backlog)


def _first_due_first(
    work: np.ndarray, cap: np.ndarray, due: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One channel's inbox, oldest work first (its work falls due in the order it arrives):
    ``done`` (work done by the end of each interval) goes up by the capacity, no further than the
    work arrived, and no less than the work due (the extra capacity)."""
    n = len(work)
    short, spare, backlog = np.zeros((1, n)), np.zeros((1, n)), np.zeros((1, n))
    arrived = np.cumsum(work).tolist()
    due_by = np.cumsum(due).tolist()
    done = 0.0
    for j, (a, d, c) in enumerate(zip(arrived, due_by, cap.tolist(), strict=True)):
        worked = done + c
        if worked < d - tol:  # due work left undone: that much more capacity, now
            short[0, j] = d - worked
            worked = d
        elif worked > a + tol:  # the inbox emptied: the rest of the capacity found no work
            spare[0, j] = worked - a
        done = min(worked, a)
        backlog[0, j] = a - done
    return short, spare, backlog


def _earliest_deadline_first(
    work: np.ndarray, cap: np.ndarray, split: list[tuple[int, float]], tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channels pooling their capacity: the inbox by deadline, the earliest first."""
    m, n = work.shape
    # pending[c, d]: channel c's work in the inbox due at the end of interval d; d = n: later.
    width = max(q for q, _ in split) + 2  # every deadline the inbox can hold, from now
    pending = np.zeros((m, n + width + 1))
    pooled = cap.sum(axis=0)
    short, spare, backlog = np.zeros((m, n)), np.zeros((m, n)), np.zeros((m, n))
    for j in range(n):
        for c, (q, f) in enumerate(split):
            pending[c, min(j + q, n)] += (1.0 - f) * work[c, j]
            pending[c, min(j + q + 1, n)] += f * work[c, j]
        last = min(j + width, n) + 1
        window = pending[:, j:last]
        per_deadline = window.sum(axis=0)
        before = np.cumsum(per_deadline) - per_deadline  # due earlier, done first
        done = np.clip(pooled[j] - before, 0.0, per_deadline)
        left = np.divide(
            per_deadline - done, per_deadline, out=np.zeros_like(done), where=per_deadline > 0
        )
        window *= left  # a deadline's work is done pro rata between the channels
        free = pooled[j] - float(per_deadline.sum())
        if free > tol:  # the inbox emptied: the rest of the capacity found no work
            spare[:, j] = free * cap[:, j] / pooled[j]
        if pending[:, j].sum() > tol:  # work due now left undone: that much more capacity, now
            short[:, j] = pending[:, j]
        pending[:, j] = 0.0  # done, by the capacity added if need be
        backlog[:, j] = pending[:, j + 1 : last].sum(axis=1)
    return short, spare, backlog


def deadline_delta(work_h: np.ndarray, capacity_h: np.ndarray, lag: float) -> DeadlineDelta:
    """The deadline delta of one channel (:func:`deadline_deltas`): [k] arrays."""
    work = np.asarray(work_h, dtype=np.float64)
    cap = np.asarray(capacity_h, dtype=np.float64)
    if work.shape != cap.shape or work.ndim != 1:
        raise ValueError("work_h and capacity_h must be 1-D arrays of the same length")
    d = deadline_deltas(work[None, :], cap[None, :], [lag])
    return DeadlineDelta(d.due_h[0], d.short_h[0], d.spare_h[0], d.backlog_h[0])
