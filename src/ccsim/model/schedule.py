"""Shift scheduling's inputs, typed: the allowed shift types and how the cheapest roster is
sought (``planning.schedule``, built by :mod:`ccsim.config.schedule`, solved by
:mod:`ccsim.planning.scheduling`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REQUIREMENTS", "ShiftType", "ScheduleSpec"]

# Where the heads to cover come from: the simulation-based staffing search, or Erlang A / C.
REQUIREMENTS = ("simulated", "erlang_a", "erlang_c")


@dataclass(frozen=True)
class ShiftType:
    """A kind of shift the roster may use, repeated on every day of the horizon whose weekday
    (Monday = 0) is in ``days``, for each pool in ``pools``, at each start in
    ``start_offsets_s`` (seconds after midnight, sorted, distinct).

    ``breaks``: ``(after_s, length_s)`` from the shift start, sorted, strictly inside the shift
    and not touching each other (as the roster file requires). Breaks are unpaid: a shift is
    paid ``paid_h`` hours, at ``cost_per_h`` (None: the pool's agent-hour rate).
    ``max_count``: the most shifts of this type per pool, start and day (None: no limit).
    """

    name: str
    pools: tuple[str, ...]
    start_offsets_s: tuple[float, ...]
    length_s: float
    breaks: tuple[tuple[float, float], ...]
    days: tuple[int, ...]
    cost_per_h: float | None = None
    max_count: int | None = None

    @property
    def paid_h(self) -> float:
        """Hours paid per shift: its length without its (unpaid) breaks."""
        return (self.length_s - sum(length for _, length in self.breaks)) / 3600.0


@dataclass(frozen=True)
class ScheduleSpec:
    """What the scheduler covers and how: ``requirement`` names the source of the heads per
    pool and interval (one of :data:`REQUIREMENTS`); every agent-hour left uncovered costs
    ``shortfall_cost_per_agent_h``; the solver stops after ``time_limit_s`` seconds."""

    shift_types: tuple[ShiftType, ...]
    requirement: str
    shortfall_cost_per_agent_h: float
    time_limit_s: float
