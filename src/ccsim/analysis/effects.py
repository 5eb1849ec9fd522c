"""The effect of a change (job A minus job B) with a 95% confidence interval.

Paired: replication r of both jobs saw the same customers (common random numbers), so the
differences d_r = a_r - b_r are independent across r and their Student-t interval,
mean(d) +- t(n-1) s_d / sqrt(n), is the effect's interval. Independent: two samples with
different seeds; Welch's interval, mean(a) - mean(b) +- t(df) sqrt(s_a^2/n_a + s_b^2/n_b), with
Welch-Satterthwaite degrees of freedom. The ratio of the two half-widths says how many times
narrower common random numbers made the interval (its square: how many times fewer replications
the same precision needs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
from scipy import stats

__all__ = ["Effect", "paired_effect", "independent_effect", "welch_half_width"]

NAN = float("nan")


@dataclass(frozen=True)
class Effect:
    """``mean`` with its interval [ci_low, ci_high] (NaN when it cannot be computed: fewer
    than two replications); ``independent_half_width``: the half-width an independent-seeds
    comparison of the same two samples would have (Welch, from the marginal spreads)."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
    independent_half_width: float = NAN

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2.0

    @property
    def ratio(self) -> float:
        """Independent half-width / paired half-width (inf when the pairs do not vary)."""
        ind, pw = self.independent_half_width, self.half_width
        if math.isnan(ind) or math.isnan(pw):
            return NAN
        if pw == 0.0:
            return NAN if ind == 0.0 else math.inf
        return ind / pw

    @property
    def note(self) -> str:
        if self.n == 0:
            return "no data"
        if self.n < 2:
            return "one replication: no CI"
        return ""


def _t(df: float, level: float) -> float:
    return float(stats.t.ppf(0.5 + level / 2.0, df))


def welch_half_width(var_a: float, n_a: int, var_b: float, n_b: int, level: float = 0.95) -> float:
    """t(df) sqrt(var_a/n_a + var_b/n_b), df by Welch-Satterthwaite; 0 when neither varies,
    NaN when a sample has fewer than two values."""
    if n_a < 2 or n_b < 2:
        return NAN
    ua, ub = var_a / n_a, var_b / n_b
    se2 = ua + ub
    if se2 == 0.0:
        return 0.0
    df = se2**2 / (ua**2 / (n_a - 1) + ub**2 / (n_b - 1))
    return _t(df, level) * math.sqrt(se2)


def _common(a: Mapping[int, float], b: Mapping[int, float]) -> tuple[np.ndarray, np.ndarray]:
    reps = sorted(r for r in set(a) & set(b) if not (math.isnan(a[r]) or math.isnan(b[r])))
    return (
        np.array([a[r] for r in reps], dtype=np.float64),
        np.array([b[r] for r in reps], dtype=np.float64),
    )


def paired_effect(a: Mapping[int, float], b: Mapping[int, float], level: float = 0.95) -> Effect:
    """Effect of ``a`` over ``b`` (``{replication: value}`` each), paired by replication.
    Replications missing or NaN in either are left out of both."""
    xa, xb = _common(a, b)
    n = int(xa.size)
    if n == 0:
        return Effect(NAN, NAN, NAN, 0)
    d = xa - xb
    mean = float(d.mean())
    if n < 2:
        return Effect(mean, NAN, NAN, n)
    half = _t(n - 1, level) * float(d.std(ddof=1)) / math.sqrt(n)
    ind = welch_half_width(float(xa.var(ddof=1)), n, float(xb.var(ddof=1)), n, level)
    return Effect(mean, mean - half, mean + half, n, ind)


def independent_effect(
    a: Mapping[int, float], b: Mapping[int, float], level: float = 0.95
) -> Effect:
    """Effect of ``a`` over ``b`` from two independent samples (different seeds): Welch."""
    xa = np.array([v for v in a.values() if not math.isnan(v)], dtype=np.float64)
    xb = np.array([v for v in b.values() if not math.isnan(v)], dtype=np.float64)
    n = min(int(xa.size), int(xb.size))
    if n == 0:
        return Effect(NAN, NAN, NAN, 0)
    mean = float(xa.mean() - xb.mean())
    if n < 2:
        return Effect(mean, NAN, NAN, n)
    half = welch_half_width(
        float(xa.var(ddof=1)), int(xa.size), float(xb.var(ddof=1)), int(xb.size), level
    )
    return Effect(mean, mean - half, mean + half, n, half)
