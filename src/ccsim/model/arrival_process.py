"""The shape of a channel's new arrivals in time: Poisson, or another renewal process.

A renewal process is given by its inter-arrival time. Here that time has mean 1 (a process of
unit rate) and one of four shapes; the engine runs it on the clock of the cumulative arrival
rate (a *time change*, :func:`ccsim.engine.arrivals.renewal_arrival_times`), so the forecast
sets the rate and this object only the regularity:

| ``process`` | inter-arrival time (mean 1) | coefficient of variation |
| --- | --- | --- |
| ``poisson`` | exponential | 1 |
| ``deterministic`` | exactly 1 | 0 |
| ``erlang`` | Erlang with ``k`` phases: Gamma(k, 1/k) | 1/sqrt(k) |
| ``hyperexponential`` | two exponential phases with balanced means (H2) | ``cv`` > 1 |

Balanced means (Whitt, "Approximating a point process by a renewal process", Operations
Research 30, 1982): phase i is chosen with probability ``p_i`` and has rate ``2 p_i``, so each
phase contributes half the mean, and ``p_1 = (1 + sqrt((cv^2 - 1) / (cv^2 + 1))) / 2`` gives
the coefficient of variation ``cv``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

__all__ = [
    "ARRIVAL_PROCESSES",
    "DETERMINISTIC",
    "ERLANG",
    "HYPEREXPONENTIAL",
    "POISSON",
    "POISSON_ARRIVALS",
    "ArrivalProcess",
]

POISSON, DETERMINISTIC, ERLANG, HYPEREXPONENTIAL = (
    "poisson",
    "deterministic",
    "erlang",
    "hyperexponential",
)
ARRIVAL_PROCESSES = (POISSON, DETERMINISTIC, ERLANG, HYPEREXPONENTIAL)


@dataclass(frozen=True)
class ArrivalProcess:
    """A renewal process of unit rate: ``process`` (see the module), ``k`` for ``erlang`` (an
    integer >= 1) and ``cv`` for ``hyperexponential`` (> 1), None otherwise. Built checked at
    the config boundary; checked again here (``ValueError``) for use from Python."""

    process: str = POISSON
    k: int | None = None
    cv: float | None = None

    def __post_init__(self) -> None:
        if self.process not in ARRIVAL_PROCESSES:
            raise ValueError(
                f"process must be one of {', '.join(ARRIVAL_PROCESSES)}, got {self.process!r}"
            )
        needs_k, needs_cv = self.process == ERLANG, self.process == HYPEREXPONENTIAL
        k, cv = self.k, self.cv
        if needs_k != (k is not None) or needs_cv != (cv is not None):
            raise ValueError(
                f"process={self.process!r} takes "
                + ("k" if needs_k else "cv" if needs_cv else "neither k nor cv")
                + f", got k={k!r}, cv={cv!r}"
            )
        if needs_k and (isinstance(k, bool) or not isinstance(k, Integral) or k < 1):
            raise ValueError(f"k must be an integer >= 1 (Erlang phases), got {k!r}")
        if needs_cv and (
            isinstance(cv, bool) or not isinstance(cv, Real) or not 1.0 < cv < math.inf
        ):
            raise ValueError(f"cv must be a finite number > 1 (hyperexponential), got {cv!r}")

    @property
    def is_poisson(self) -> bool:
        """Exponential inter-arrival times (Erlang with one phase is the same process, but it
        is drawn as a renewal process: only ``poisson`` keeps the Poisson draws)."""
        return self.process == POISSON

    @property
    def cv_gap(self) -> float:
        """Coefficient of variation of the inter-arrival time."""
        if self.process == DETERMINISTIC:
            return 0.0
        if self.process == ERLANG:
            assert self.k is not None
            return 1.0 / math.sqrt(self.k)
        if self.process == HYPEREXPONENTIAL:
            assert self.cv is not None
            return float(self.cv)
        return 1.0

    def phases(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Hyperexponential: ``((p_1, rate_1), (p_2, rate_2))`` of the unit-mean H2 with
        balanced means (``p_i / rate_i = 1/2``)."""
        assert self.process == HYPEREXPONENTIAL and self.cv is not None
        scv = float(self.cv) ** 2
        p1 = 0.5 * (1.0 + math.sqrt((scv - 1.0) / (scv + 1.0)))
        p2 = 1.0 - p1
        return (p1, 2.0 * p1), (p2, 2.0 * p2)

    def gaps(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent inter-arrival times of mean 1."""
        if self.process == DETERMINISTIC:
            return np.ones(n)
        if self.process == ERLANG:
            assert self.k is not None
            return rng.standard_gamma(float(self.k), n) / self.k
        if self.process == HYPEREXPONENTIAL:
            (p1, r1), (_, r2) = self.phases()
            first = rng.random(n) < p1
            return rng.standard_exponential(n) / np.where(first, r1, r2)
        return rng.standard_exponential(n)

    def first_gap(self, rng: np.random.Generator) -> float:
        """The time to the first epoch of the *stationary* process: the residual life, whose
        density is ``1 - F(x)`` (mean 1). Started this way the process has exactly rate 1
        from time 0 (the expected count in any window is its length), so no interval of the
        forecast gets more or fewer contacts on average than its volume."""
        if self.process == DETERMINISTIC:
            return float(rng.random())
        if self.process == ERLANG:
            # The phases still to run at a random time are uniform on 1..k.
            assert self.k is not None
            remaining = int(rng.integers(1, self.k + 1))
            return float(rng.standard_gamma(float(remaining))) / self.k
        if self.process == HYPEREXPONENTIAL:
            # A random time falls in a gap of phase i with probability p_i / rate_i (1/2 each
            # with balanced means); the rest of an exponential gap is exponential again.
            (p1, r1), (p2, r2) = self.phases()
            w1 = (p1 / r1) / (p1 / r1 + p2 / r2)
            rate = r1 if rng.random() < w1 else r2
            return float(rng.standard_exponential()) / rate
        return float(rng.standard_exponential())


POISSON_ARRIVALS = ArrivalProcess()
