"""The uniform and hyperexponential duration distributions: moments, samples, inverse CDF.

Samples are checked against the exact moments within 99% intervals of their own spread, and
both ``sample`` and ``quantile_function`` against the exact CDF with Kolmogorov-Smirnov tests
(fixed seeds, p > 0.01). The exact CDFs here are written out independently of the classes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ccsim.model.distributions import (
    DISTRIBUTION_NAMES,
    Distribution,
    Exponential,
    Hyperexponential,
    Uniform,
)

N = 200_000
Z99 = 2.5758  # two-sided 99% normal quantile


def _uniform_survival(low: float, high: float):
    return lambda x: np.clip((high - np.asarray(x)) / (high - low), 0.0, 1.0)


def _h2_survival(p: tuple[float, float], m: tuple[float, float]):
    return lambda x: p[0] * np.exp(-np.asarray(x) / m[0]) + p[1] * np.exp(-np.asarray(x) / m[1])


def _balanced(cv: float) -> tuple[Distribution, object, float, float]:
    h = Hyperexponential.balanced(300.0, cv)
    return h, _h2_survival(h.probabilities, h.means), 300.0, (cv * 300.0) ** 2


CASES: list[tuple[Distribution, object, float, float]] = [
    # (distribution, exact survival function P(X > x), exact mean, exact variance)
    (Uniform(30.0, 90.0), _uniform_survival(30.0, 90.0), 60.0, 60.0**2 / 12),
    (Uniform(0.0, 600.0), _uniform_survival(0.0, 600.0), 300.0, 600.0**2 / 12),
    (
        Hyperexponential((0.3, 0.7), (10.0, 200.0)),
        _h2_survival((0.3, 0.7), (10.0, 200.0)),
        0.3 * 10 + 0.7 * 200,
        2 * (0.3 * 100 + 0.7 * 40_000) - (0.3 * 10 + 0.7 * 200) ** 2,
    ),
    _balanced(1.0),
    _balanced(1.5),
    _balanced(3.0),
]
IDS = ["uniform30-90", "uniform0-600", "h2-explicit", "h2-cv1", "h2-cv1.5", "h2-cv3"]


def test_names_are_registered():
    assert "uniform" in DISTRIBUTION_NAMES and "hyperexponential" in DISTRIBUTION_NAMES
    assert Uniform(1.0, 2.0).name == "uniform"
    assert Hyperexponential.balanced(1.0, 2.0).name == "hyperexponential"


@pytest.mark.parametrize("dist,survival,mean,var", CASES, ids=IDS)
def test_moments(dist, survival, mean, var):
    assert dist.mean_s == pytest.approx(mean, rel=1e-12)
    assert dist.var_s2 == pytest.approx(var, rel=1e-12)
    x = dist.sample(np.random.default_rng(7), N)
    assert x.dtype == np.float64 and x.shape == (N,) and np.all(x >= 0)
    assert abs(x.mean() - mean) < Z99 * x.std() / math.sqrt(N)
    dev2 = (x - mean) ** 2
    assert abs(dev2.mean() - var) < Z99 * dev2.std() / math.sqrt(N)


@pytest.mark.parametrize("dist,survival,mean,var", CASES, ids=IDS)
def test_sample_and_quantile_follow_the_cdf(dist, survival, mean, var):
    def cdf(x):
        return 1.0 - survival(x)

    rng = np.random.default_rng(11)
    assert stats.kstest(dist.sample(rng, 20_000), cdf).pvalue > 0.01
    q = dist.quantile_function()
    by_inverse = np.array([q(u) for u in rng.random(20_000)])
    assert stats.kstest(by_inverse, cdf).pvalue > 0.01
    # The inverse is exact: the survival function at q(u) gives 1 - u back, deep in the tail.
    u = np.concatenate([np.linspace(0.0, 0.999, 1001), 1.0 - np.logspace(-3, -15, 50)])
    x = np.array([q(v) for v in u])
    np.testing.assert_allclose(survival(x), 1.0 - u, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("dist,survival,mean,var", CASES, ids=IDS)
def test_quantile_is_monotone_from_its_lower_end(dist, survival, mean, var):
    q = dist.quantile_function()
    # The engine's keyed uniforms are float32 multiples of 2**-24 in [0, 1): the whole grid's
    # top and a dense float64 grid.
    u = np.concatenate(
        [np.linspace(0.0, 1.0, 200_001, endpoint=False), 1.0 - np.arange(2000, 0, -1) * 2.0**-24]
    )
    x = np.array([q(float(v)) for v in np.sort(u)])
    assert np.all(np.diff(x) >= 0.0)
    assert x[0] == (dist.low if isinstance(dist, Uniform) else 0.0)
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("dist,survival,mean,var", CASES, ids=IDS)
def test_scaled_keeps_the_shape(dist, survival, mean, var):
    factor = 1.7
    s = dist.scaled(factor)
    assert type(s) is type(dist)
    assert s.mean_s == pytest.approx(factor * mean, rel=1e-12)
    assert math.sqrt(s.var_s2) / s.mean_s == pytest.approx(math.sqrt(var) / mean, rel=1e-12)
    q, qs = dist.quantile_function(), s.quantile_function()
    for u in (0.0, 0.1, 0.5, 0.9, 0.999):
        assert qs(u) == pytest.approx(factor * q(u), rel=1e-11, abs=1e-12)


@pytest.mark.parametrize("cv", [1.0, 1.01, 2.0, 10.0, 100.0])
def test_balanced_fit(cv):
    h = Hyperexponential.balanced(240.0, cv)
    assert sum(h.probabilities) == pytest.approx(1.0, abs=1e-15)
    assert math.sqrt(h.var_s2) / h.mean_s == pytest.approx(cv, rel=1e-9)
    # balanced means: each phase carries half the mean
    for p, m in zip(h.probabilities, h.means, strict=True):
        assert p * m == pytest.approx(120.0, rel=1e-12)


def test_hyperexponential_of_cv_1_is_the_exponential():
    q_h = Hyperexponential.balanced(300.0, 1.0).quantile_function()
    q_e = Exponential(300.0).quantile_function()
    for u in (0.0, 1e-9, 0.3, 0.9, 1.0 - 2.0**-24):
        assert q_h(u) == pytest.approx(q_e(u), rel=1e-13, abs=1e-15)


def test_quantile_is_cheap():
    """Called once per contact: a handful of Newton steps from a lower bound."""
    import time

    q = Hyperexponential.balanced(300.0, 3.0).quantile_function()
    u = np.random.default_rng(3).random(20_000).tolist()
    start = time.perf_counter()
    for v in u:
        q(v)
    per_call_s = (time.perf_counter() - start) / len(u)
    assert per_call_s < 2e-5  # about 1 microsecond on a laptop; generous for loaded CI
