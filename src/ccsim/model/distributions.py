"""Duration distributions (handle time, patience) that know their own mean and variance."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
from scipy.special import gammaincinv

__all__ = [
    "Distribution",
    "Exponential",
    "Lognormal",
    "Gamma",
    "Deterministic",
    "Empirical",
    "Uniform",
    "Hyperexponential",
    "DISTRIBUTION_NAMES",
]


class Distribution:
    """A non-negative duration in seconds."""

    name: str = ""

    @property
    def mean_s(self) -> float:
        raise NotImplementedError

    @property
    def var_s2(self) -> float:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws, in seconds, as float64."""
        raise NotImplementedError

    def scaled(self, factor: float) -> "Distribution":
        """The same shape with every duration multiplied by ``factor`` (mean * factor)."""
        raise NotImplementedError

    def quantile_function(self) -> Callable[[float], float]:
        """The inverse CDF as a plain function of one uniform ``u`` in [0, 1): ``q(u)`` has
        this distribution when ``u`` is uniform. Inverse transform turns one keyed uniform into a
        duration only when a contact needs it, and couples paired runs monotonically (the
        engine's keyed follow-up draws). Returned as a closure with its parameters computed once:
        it is called per contact."""
        raise NotImplementedError


@dataclass(frozen=True)
class Exponential(Distribution):
    mean: float
    name: str = field(default="exponential", init=False)

    @property
    def mean_s(self) -> float:
        return self.mean

    @property
    def var_s2(self) -> float:
        return self.mean**2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, n)

    def scaled(self, factor: float) -> "Exponential":
        return Exponential(self.mean * factor)

    def quantile_function(self) -> Callable[[float], float]:
        mean, log1p = self.mean, math.log1p
        return lambda u: -mean * log1p(-u)


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Parameterised by mean and coefficient of variation, as planners quote handle times."""

    mean: float
    cv: float
    name: str = field(default="lognormal", init=False)

    @property
    def mean_s(self) -> float:
        return self.mean

    @property
    def var_s2(self) -> float:
        return (self.cv * self.mean) ** 2

    def _mu_sigma(self) -> tuple[float, float]:
        sigma2 = math.log1p(self.cv**2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._mu_sigma()
        return rng.lognormal(mu, sigma, n)

    def scaled(self, factor: float) -> "Lognormal":
        return Lognormal(self.mean * factor, self.cv)

    def quantile_function(self) -> Callable[[float], float]:
        inv, exp = NormalDist(*self._mu_sigma()).inv_cdf, math.exp  # inv_cdf: C in recent CPython
        return lambda u: exp(inv(u)) if u > 0.0 else 0.0


@dataclass(frozen=True)
class Gamma(Distribution):
    """Parameterised by mean and coefficient of variation (shape = 1 / cv^2)."""

    mean: float
    cv: float
    name: str = field(default="gamma", init=False)

    @property
    def mean_s(self) -> float:
        return self.mean

    @property
    def var_s2(self) -> float:
        return (self.cv * self.mean) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, n)

    def scaled(self, factor: float) -> "Gamma":
        return Gamma(self.mean * factor, self.cv)

    def quantile_function(self) -> Callable[[float], float]:
        shape = 1.0 / self.cv**2
        scale = self.mean / shape
        return lambda u: float(gammaincinv(shape, u)) * scale


@dataclass(frozen=True)
class Deterministic(Distribution):
    value: float
    name: str = field(default="deterministic", init=False)

    @property
    def mean_s(self) -> float:
        return self.value

    @property
    def var_s2(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # Still consume the stream so switching distribution families keeps other draws aligned.
        rng.random(n)
        return np.full(n, self.value, dtype=np.float64)

    def scaled(self, factor: float) -> "Deterministic":
        return Deterministic(self.value * factor)

    def quantile_function(self) -> Callable[[float], float]:
        value = self.value
        return lambda u: value


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resamples observed durations (for example a month of handle times) with optional weights."""

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None
    name: str = field(default="empirical", init=False)

    def _p(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.values), 1.0 / len(self.values))
        w = np.asarray(self.weights, dtype=np.float64)
        return w / w.sum()

    @property
    def mean_s(self) -> float:
        return float(np.dot(self._p(), self.values))

    @property
    def var_s2(self) -> float:
        v = np.asarray(self.values, dtype=np.float64)
        p = self._p()
        return float(np.dot(p, (v - np.dot(p, v)) ** 2))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        v = np.asarray(self.values, dtype=np.float64)
        cdf = np.cumsum(self._p())
        idx = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
        return v[np.minimum(idx, len(v) - 1)]

    def scaled(self, factor: float) -> "Empirical":
        return Empirical(tuple(x * factor for x in self.values), self.weights)

    def quantile_function(self) -> Callable[[float], float]:
        # The same rule as ``sample``: the first value whose cumulative weight exceeds u, the
        # last one at most. Searching the cumulative weights without the last one gives exactly
        # that, with no min() per call.
        cdf = np.cumsum(self._p()).tolist()
        below_last, total, values = cdf[:-1], cdf[-1], list(self.values)
        return lambda u: values[bisect_right(below_last, u * total)]


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [``low``, ``high``]: a duration quoted as a range ("between 2 and 5 min")."""

    low: float
    high: float
    name: str = field(default="uniform", init=False)

    @property
    def mean_s(self) -> float:
        return (self.low + self.high) / 2

    @property
    def var_s2(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def scaled(self, factor: float) -> "Uniform":
        return Uniform(self.low * factor, self.high * factor)

    def quantile_function(self) -> Callable[[float], float]:
        low, width = self.low, self.high - self.low
        return lambda u: low + width * u


# Newton on the log survival function stops once a step is below this share of the duration:
# far below any time the engine resolves, a few steps from any start (quadratic convergence).
_H2_REL_TOL = 1e-13
_H2_MAX_STEPS = 60


@dataclass(frozen=True)
class Hyperexponential(Distribution):
    """Two-phase hyperexponential (H2): with probability ``probabilities[i]`` an exponential of
    mean ``means[i]``. The usual model of a duration more variable than exponential (cv > 1):
    most contacts short, a few very long. :meth:`balanced` fits it to a mean and a cv."""

    probabilities: tuple[float, float]
    means: tuple[float, float]
    name: str = field(default="hyperexponential", init=False)

    @classmethod
    def balanced(cls, mean: float, cv: float) -> "Hyperexponential":
        """The balanced-means fit (each phase carries half the mean: p_i m_i = mean / 2), the
        standard H2 of a given mean and cv >= 1 (Whitt, Operations Research 30, 1982):
        p_1 = (1 + sqrt((cv^2 - 1) / (cv^2 + 1))) / 2. At cv = 1 both phases are the
        exponential of that mean."""
        p1 = (1.0 + math.sqrt((cv * cv - 1.0) / (cv * cv + 1.0))) / 2.0
        p2 = 1.0 - p1
        return cls((p1, p2), (mean / (2.0 * p1), mean / (2.0 * p2)))

    @property
    def mean_s(self) -> float:
        (p1, p2), (m1, m2) = self.probabilities, self.means
        return p1 * m1 + p2 * m2

    @property
    def var_s2(self) -> float:
        (p1, p2), (m1, m2) = self.probabilities, self.means
        return 2.0 * (p1 * m1 * m1 + p2 * m2 * m2) - self.mean_s**2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # One uniform picks the phase, one standard exponential its length: two vectorised
        # draws, no root finding.
        (p1, _), (m1, m2) = self.probabilities, self.means
        phase_mean = np.where(rng.random(n) < p1, m1, m2)
        return rng.standard_exponential(n) * phase_mean

    def scaled(self, factor: float) -> "Hyperexponential":
        m1, m2 = self.means
        return Hyperexponential(self.probabilities, (m1 * factor, m2 * factor))

    def quantile_function(self) -> Callable[[float], float]:
        """Solves S(x) = 1 - u for the survival S(x) = p1 e^(-x/m1) + p2 e^(-x/m2) by Newton's
        method on g(x) = log S(x) - log(1 - u). g is convex (a log-sum-exp of linear functions)
        and decreasing, so Newton started below the root climbs to it without ever passing it,
        and the start here is a lower bound: the largest of m_i log(p_i / (1 - u)) (one phase
        alone) and -log(1 - u) / (p1/m1 + p2/m2) (Jensen). The result is then monotone in u up
        to the stopping tolerance, and u = 0 gives 0. For u < 1/2, log S is taken as
        log1p(-F(x)) with F from expm1: log(S) of an S close to 1 would keep only the absolute
        precision of S, too little for short durations."""
        (p1, p2), (m1, m2) = self.probabilities, self.means
        r1, r2 = 1.0 / m1, 1.0 / m2
        log_p1, log_p2 = math.log(p1), math.log(p2)
        mixed_rate = p1 * r1 + p2 * r2
        exp, expm1, log, log1p = math.exp, math.expm1, math.log, math.log1p

        def q(u: float) -> float:
            log_s = log1p(-u)  # the log survival probability sought, <= 0
            x = max(-log_s / mixed_rate, m1 * (log_p1 - log_s), m2 * (log_p2 - log_s))
            head = u < 0.5
            for _ in range(_H2_MAX_STEPS):
                if head:
                    e1, e2 = expm1(-x * r1), expm1(-x * r2)
                    a, b = p1 * (1.0 + e1), p2 * (1.0 + e2)
                    g = log1p(p1 * e1 + p2 * e2) - log_s
                else:
                    a, b = p1 * exp(-x * r1), p2 * exp(-x * r2)
                    g = log(a + b) - log_s
                step = g * (a + b) / (a * r1 + b * r2)
                x += step
                if step <= _H2_REL_TOL * x:
                    break
            return x

        return q


DISTRIBUTION_NAMES = (
    "exponential",
    "lognormal",
    "gamma",
    "deterministic",
    "empirical",
    "uniform",
    "hyperexponential",
)
