"""How a centre is run: seed, replications, parallel jobs, warm-up, plots."""

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
