"""How a centre is run: seed, replications, parallel jobs, warm-up, plots and report thresholds."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RunSettings"]


@dataclass(frozen=True)
class RunSettings:
    seed: int
    replications: int
    n_jobs: int
    warmup_s: float
    plots: bool
    heat_map: bool = True  # write the day x time-of-day heat map of the delta (with plots)
    occupancy_ceiling: float = 0.9  # the report warns of pool-intervals above this occupancy
