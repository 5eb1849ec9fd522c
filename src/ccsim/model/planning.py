"""What a staffing plan must meet and how the simulation-based search runs: typed, built by
:mod:`ccsim.config.planning` from the ``planning`` config node."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["StaffingTargets", "SearchSpec", "Lever"]


@dataclass(frozen=True)
class StaffingTargets:
    """Per channel (index order of ``Centre.channels``): the service level to reach within the
    channel's own target time (``ChannelSpec.target_s``), and the highest abandonment rate
    allowed (None: no limit). ``confidence``: how sure a plan must be to meet them: the
    one-sided lower (upper) confidence bound of the service level (abandonment) over the check
    replications is compared with the target. Live channels meet their targets in every
    interval; async channels in every day (``async_period="day"``, a response target lets the
    night's messages wait for the morning) or every interval."""

    service_level: tuple[float, ...]
    max_abandon_rate: tuple[float | None, ...]
    confidence: float
    async_period: str = "day"  # async channels' service level per "day" or per "interval"


@dataclass(frozen=True)
class SearchSpec:
    """Simulation-based staffing: ``replications`` replications with common random numbers per
    round, at most ``max_iterations`` rounds; ``check_replications`` replications on another
    seed then check the plan; ``remove``: also take back agents a target does not need."""

    replications: int
    check_replications: int
    max_iterations: int
    remove: bool


@dataclass(frozen=True)
class Lever:
    """A candidate lever of the cheapest plan: strategy ``strategy`` with the key ``path``
    under ``strategy.<strategy>`` (empty: the strategy as configured) set to each of ``values``;
    a value None (or False) is the lever off."""

    name: str
    strategy: str
    path: tuple[str, ...]
    values: tuple[Any, ...]

    @staticmethod
    def is_off(value: Any) -> bool:
        return value is None or value is False
