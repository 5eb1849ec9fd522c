"""Summaries across independent replications: mean and Student-t 95% confidence interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

__all__ = ["Estimate", "estimate", "ratio_estimate"]


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


def ratio_estimate(
    numerators: Sequence[float], denominators: Sequence[float], level: float = 0.95
) -> Estimate:
    """The ratio of totals over replications, sum(x) / sum(y), with a delta-method t-interval:
    the half-width is t(n-1) sqrt(var(x - R y) / n) / mean(y) (the classical ratio estimator).

    Beside :func:`estimate` of the per-replication ratios x_r / y_r (the mean of ratios): that
    one estimates the expected ratio of one replication (a planner's weekly service level, each
    week counting once); the ratio of totals estimates the long-run share over all contacts (a
    steady-state probability, as Erlang's formulas give it), each contact counting once. They
    differ when the denominators vary between replications (day-level forecast error), and
    the ratio of totals is the right comparison with a closed form."""
    x = np.asarray(numerators, dtype=np.float64)
    y = np.asarray(denominators, dtype=np.float64)
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    n = int(x.size)
    nan = float("nan")
    if n == 0 or y.sum() <= 0:
        return Estimate(nan, nan, nan, nan, n)
    ratio = float(x.sum() / y.sum())
    if n < 2:
        return Estimate(ratio, nan, nan, nan, n)
    resid_sd = float((x - ratio * y).std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * resid_sd / (math.sqrt(n) * y.mean())
    return Estimate(ratio, ratio - half, ratio + half, resid_sd / y.mean(), n)
