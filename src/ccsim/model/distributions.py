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


DISTRIBUTION_NAMES = ("exponential", "lognormal", "gamma", "deterministic", "empirical")
