"""Summaries across independent replications: mean and Student-t 95% confidence interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

__all__ = ["Estimate", "estimate"]


@dataclass(frozen=True)
class Estimate:
    """Mean of ``n`` replications with a two-sided confidence interval (NaN when n < 2)."""

    mean: float
    ci_low: float
    ci_high: float
    std: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2.0


def estimate(values: Sequence[float], level: float = 0.95) -> Estimate:
    """Mean and t-interval of replication values; NaN replications (no data) are ignored."""
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        nan = float("nan")
        return Estimate(nan, nan, nan, nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, float("nan"), float("nan"), float("nan"), n)
    std = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * std / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, std, n)
