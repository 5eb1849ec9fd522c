"""GI/M/c: renewal arrivals, exponential handle times, ``c`` agents, an unlimited queue (FCFS).

Units: rates are per second, times in seconds; ``load_erl = arrival_rate_per_s * aht_s``,
``rho = load_erl / agents``. The inter-arrival time is one of the shapes of
:class:`~ccsim.model.arrival_process.ArrivalProcess` (exponential, deterministic, Erlang-k,
balanced two-phase hyperexponential), scaled to mean ``1 / arrival_rate_per_s``; ``A*`` is its
Laplace-Stieltjes transform. With exponential inter-arrival times this is Erlang C (M/M/c).

Arrival-epoch analysis (Takacs, *Introduction to the Theory of Queues*, Oxford 1962;
Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed., Wiley 2008, the
G/M/1 and G/M/c sections; Kleinrock, *Queueing Systems* I, Wiley 1975, ch. 6, "The Queue
G/M/m"). The number in the system that an arrival finds is an embedded Markov chain; with all
agents busy the queue empties at rate ``c mu``, so its law at arrivals is geometric above the
agents:

* ``sigma`` is the root in (0, 1) of ``sigma = A*(c mu (1 - sigma))``. It depends on the load
  only through ``rho`` (``A*(s)`` at ``s = c mu (1 - sigma)`` is the unit-mean transform at
  ``(1 - sigma) / rho``); ``1 - sigma`` is found as the root of the concave
  ``g(x) = 1 - A*_1(x / rho) - x`` by Brent's method, with ``1 - A*_1`` computed without
  cancellation, on a bracket whose left end ``rho (1 - rho) / (1 + cv^2)`` is proved to have
  ``g > 0`` (``A*_1(u) <= 1 - u + u^2 E[T^2] / 2``).
* An arrival finds ``c + k`` in the system with probability ``q_{c+k} = D sigma^k``, k >= 0,
  with Takacs' boundary constant (``C_0 = 1``)

      C_j = prod_{i=1..j} A*(i mu) / (1 - A*(i mu)),
      T_j = binom(c, j) / (C_j (1 - A*(j mu))) * (c (1 - A*(j mu)) - j) / (c (1 - sigma) - j),
      D   = 1 / (1 / (1 - sigma) + sum_{j=1..c} T_j).

  Every ``T_j`` is positive (``c (1 - A*(x mu)) - x`` is concave, zero at 0 and at
  ``c (1 - sigma)``); its last factor is computed as ``1 - c mu [A*(j mu) - A*(s)] / (s - j mu)``
  at ``s = c mu (1 - sigma)``, a divided difference written without cancellation for each
  shape, so the removable singularity at ``j = c (1 - sigma)`` does no harm. The sum is taken
  in log space (``C_j`` grows like ``load^j / j!``): no overflow for any ``c``.
* ``P(wait > 0) = sum_k q_{c+k} = D / (1 - sigma)``; a contact that waits waits an exponential
  time of rate ``c mu (1 - sigma)`` (it finds ``k`` ahead with probability ``(1 - sigma)
  sigma^k``), so ``P(wait > t) = P(wait > 0) exp(-c mu (1 - sigma) t)``, ``E[W] =
  P(wait > 0) / (c mu (1 - sigma))`` and the service level is ``P(wait <= t)``.
* Below the agents, ``q_j = D sum_{i=j..c-1} (-1)^(i-j) binom(i, j) C_i sum_{r>i} T_r``
  (:func:`gi_m_c_arrival_probabilities`). The alternating sum cancels more as ``c`` and the
  load grow (about 1e-9 relative at c = 10, rho = 0.85); where more than 6 digits would be
  lost (from about 15 to 30 agents) it raises ``ValueError``. The measures above do not use it.

By Little's law the time-average number waiting is ``arrival_rate_per_s * E[W]``; agents are
busy ``rho`` of the time. Time-average state probabilities and the virtual wait of a random
instant are not those an arrival sees (no PASTA) and are not given here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from ccsim.analysis._arguments import check_agents, check_aht, check_rate, check_target
from ccsim.analysis._special import clip01
from ccsim.model.arrival_process import (
    DETERMINISTIC,
    ERLANG,
    HYPEREXPONENTIAL,
    POISSON,
    POISSON_ARRIVALS,
    ArrivalProcess,
)

__all__ = [
    "GIMcResult",
    "gi_m_c_arrival_probabilities",
    "gi_m_c_metrics",
    "gi_m_c_sigma",
    "interarrival_lst",
]


# q_n below the agents must exceed this many roundings of its terms (1e6 x eps: about 6 of
# the 16 digits survive).
_MAX_CANCELLATION = 1e6


class _Shape:
    """The unit-mean inter-arrival transform ``A*_1(u)`` of one shape, with ``1 - A*_1``,
    the logarithms and divided differences written so that no subtraction cancels."""

    def __init__(self, arrivals: ArrivalProcess) -> None:
        if not isinstance(arrivals, ArrivalProcess):
            raise ValueError(f"arrivals must be an ArrivalProcess, got {arrivals!r}")
        self.process = arrivals.process
        self.k = float(arrivals.k or 1)
        self.m2 = 1.0 + arrivals.cv_gap**2  # E[T^2] at mean 1
        if self.process == HYPEREXPONENTIAL:
            (p1, r1), (p2, r2) = arrivals.phases()
            self.p, self.r = np.array([p1, p2]), np.array([r1, r2])

    def lst(self, u: np.ndarray) -> np.ndarray:
        return np.exp(self.log_lst(u))

    def log_lst(self, u: np.ndarray) -> np.ndarray:
        if self.process == POISSON:
            return -np.log1p(u)
        if self.process == DETERMINISTIC:
            return -u
        if self.process == ERLANG:
            return -self.k * np.log1p(u / self.k)
        return np.log((self.p * self.r / (self.r + u[..., None])).sum(axis=-1))

    def one_minus(self, u: np.ndarray) -> np.ndarray:
        """``1 - A*_1(u)``."""
        if self.process == POISSON:
            return u / (1.0 + u)
        if self.process == DETERMINISTIC:
            return -np.expm1(-u)
        if self.process == ERLANG:
            return -np.expm1(-self.k * np.log1p(u / self.k))
        return (self.p * u[..., None] / (self.r + u[..., None])).sum(axis=-1)

    def chord(self, u1: np.ndarray, u2: float) -> np.ndarray:
        """``(A*_1(u1) - A*_1(u2)) / (u2 - u1)``, and ``-A*_1'(u1)`` where ``u1 = u2``."""
        if self.process == POISSON:
            return 1.0 / ((1.0 + u1) * (1.0 + u2))
        if self.process == HYPEREXPONENTIAL:
            pr, r = self.p * self.r, self.r
            return (pr / ((r + u1[..., None]) * (r + u2))).sum(axis=-1)
        d = u2 - u1
        if self.process == DETERMINISTIC:
            return np.exp(-u1) * _one_minus_exp_ratio(d)
        # Erlang: A(u1) - A(u2) = A(u1) (1 - exp(-y)), y = -k log1p(-z), z = d / (k + u2).
        k = self.k
        z = d / (k + u2)
        y = -k * np.log1p(-z)
        return self.lst(u1) * _one_minus_exp_ratio(y) * (k / (k + u2)) * _log1p_ratio(z)


def _one_minus_exp_ratio(x: np.ndarray) -> np.ndarray:
    """``(1 - exp(-x)) / x``, 1 at 0."""
    safe = np.where(x == 0.0, 1.0, x)
    return np.where(x == 0.0, 1.0, -np.expm1(-safe) / safe)


def _log1p_ratio(z: np.ndarray) -> np.ndarray:
    """``-log1p(-z) / z``, 1 at 0."""
    safe = np.where(z == 0.0, 1.0, z)
    return np.where(z == 0.0, 1.0, -np.log1p(-safe) / safe)


def interarrival_lst(arrivals: ArrivalProcess, s_per_s: float, arrival_rate_per_s: float) -> float:
    """``A*(s) = E[exp(-s T)]`` of the inter-arrival time ``T`` (mean ``1 / arrival_rate_per_s``)
    of ``arrivals``, at ``s_per_s`` >= 0."""
    lam = check_rate(arrival_rate_per_s)
    if lam == 0.0:
        raise ValueError("arrival_rate_per_s must be > 0 for an inter-arrival transform, got 0")
    u = np.asarray(float(s_per_s) / lam)
    return float(_Shape(arrivals).lst(u))


def _h(shape: _Shape, rho: float) -> float:
    """``1 - sigma``: the root in (0, 1) of ``1 - A*_1(x / rho) - x``, for 0 < rho < 1."""

    def g(x: float) -> float:
        return float(shape.one_minus(np.asarray(x / rho))) - x

    lo = rho * (1.0 - rho) / shape.m2  # g > 0 there (module docstring)
    if g(1.0) >= 0.0:  # A*_1(1 / rho) underflows: sigma is 0 to double precision
        return 1.0
    return float(optimize.brentq(g, lo, 1.0, xtol=1e-300, rtol=4.0 * np.finfo(float).eps))


def _check(arrival_rate_per_s: float, aht_s: float, agents: int) -> tuple[float, float, int]:
    return check_rate(arrival_rate_per_s), check_aht(aht_s), check_agents("agents", agents)


def gi_m_c_sigma(
    arrival_rate_per_s: float, aht_s: float, agents: int, arrivals: ArrivalProcess
) -> float:
    """The root ``sigma`` in (0, 1) of ``sigma = A*(agents / aht_s * (1 - sigma))``; needs
    ``0 < load_erl < agents``."""
    lam, aht, c = _check(arrival_rate_per_s, aht_s, agents)
    shape = _Shape(arrivals)
    rho = lam * aht / c if c else math.inf
    if not 0.0 < rho < 1.0:
        raise ValueError(
            f"sigma needs 0 < load_erl < agents, got load_erl={lam * aht!r}, agents={c!r}"
        )
    return 1.0 - _h(shape, rho)


def _log_terms(shape: _Shape, load: float, c: int, h: float) -> np.ndarray:
    """``log T_j``, j = 1..c (module docstring)."""
    rho = load / c
    j = np.arange(1, c + 1, dtype=np.float64)
    u = j / load  # A*(j mu) = A*_1(j / load)
    log_om = np.log(shape.one_minus(u))
    log_c = np.cumsum(shape.log_lst(u) - log_om)
    log_binom = special.gammaln(c + 1.0) - special.gammaln(j + 1.0) - special.gammaln(c - j + 1.0)
    log_ratio = np.log1p(-shape.chord(u, h / rho) / rho)
    return log_binom - log_c - log_om + log_ratio


@dataclass(frozen=True)
class GIMcResult:
    """GI/M/c performance measures, over all arrivals (every contact is answered)."""

    sigma: float  #: root of sigma = A*(c mu (1 - sigma)); 1 if unstable
    p_wait: float  #: P(W > 0)
    mean_wait_s: float  #: E[W] over all arrivals (ASA counting zero waits); inf if unstable
    service_level: float  #: P(W <= target_s); 0.0 if unstable
    occupancy: float  #: load / agents, capped at 1.0
    mean_queue: float  #: time-average number waiting (Little: rate * E[W])
    wait_decay_per_s: float  #: c mu (1 - sigma): P(W > t) = p_wait exp(-wait_decay_per_s t)

    def p_wait_exceeds(self, t_s: float) -> float:
        """P(W > t_s)."""
        t = check_target(t_s)
        return self.p_wait * math.exp(-self.wait_decay_per_s * t) if self.p_wait else 0.0


def gi_m_c_metrics(
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    arrivals: ArrivalProcess = POISSON_ARRIVALS,
    target_s: float = 20.0,
) -> GIMcResult:
    """GI/M/c measures: P(wait), mean wait, service level ``P(W <= target_s)``, occupancy.

    As :func:`~ccsim.analysis.erlang.erlang_c_metrics`: if ``load_erl >= agents`` the queue is
    unstable (``p_wait=1``, ``mean_wait_s=inf``, ``service_level=0``, ``occupancy=1``); with
    no arrivals nobody waits.
    """
    lam, aht, c = _check(arrival_rate_per_s, aht_s, agents)
    shape = _Shape(arrivals)
    t = check_target(target_s)
    load = lam * aht
    if load == 0.0:
        return GIMcResult(0.0, 0.0, 0.0, 1.0, 0.0, 0.0, math.inf)
    if c == 0 or load >= c:
        return GIMcResult(1.0, 1.0, math.inf, 0.0, 1.0, math.inf, 0.0)
    h = _h(shape, load / c)
    decay = c * h / aht
    if h == 1.0:  # sigma underflows to 0: nobody finds every agent busy
        p_wait = 0.0
    else:
        log_sum = special.logsumexp(_log_terms(shape, load, c, h))
        p_wait = float(special.expit(-(math.log(h) + log_sum)))  # 1 / (1 + h sum T)
    mean_wait = p_wait / decay
    sl = 1.0 - p_wait * math.exp(-decay * t)
    return GIMcResult(1.0 - h, p_wait, mean_wait, clip01(sl), load / c, lam * mean_wait, decay)


def gi_m_c_arrival_probabilities(
    arrival_rate_per_s: float, aht_s: float, agents: int, arrivals: ArrivalProcess, n_max: int
) -> np.ndarray:
    """``q_n``, n = 0..n_max: the probability that an arrival finds ``n`` contacts in the
    system (Takacs; below ``agents`` an alternating sum, see the module docstring)."""
    lam, aht, c = _check(arrival_rate_per_s, aht_s, agents)
    shape = _Shape(arrivals)
    n_max = check_agents("n_max", n_max)
    load = lam * aht
    if not 0.0 < load < c:
        raise ValueError(f"needs 0 < load_erl < agents, got load_erl={load!r}, agents={c!r}")
    h = _h(shape, load / c)
    if h == 1.0:
        raise ValueError(f"sigma underflows to 0 at load_erl={load!r}, agents={c!r}")
    log_t = _log_terms(shape, load, c, h)
    big = float(log_t.max())
    t_scaled = np.exp(log_t - big)  # T_j / e^big
    d = 1.0 / (math.exp(-big) / h + t_scaled.sum())  # D e^big
    j = np.arange(1, c + 1, dtype=np.float64)
    u = j / load
    log_c = np.concatenate(([0.0], np.cumsum(shape.log_lst(u) - np.log(shape.one_minus(u)))))
    tail = np.cumsum(t_scaled[::-1])[::-1]  # sum_{r > i} T_r, i = 0..c-1 (t_scaled[i] is T_{i+1})
    d_i = np.exp(log_c[:c]) * tail * d  # D C_i sum_{r>i} T_r
    q = np.zeros(n_max + 1)
    for n in range(min(c, n_max + 1)):
        i = np.arange(n, c)
        terms = np.where((i - n) % 2 == 0, 1.0, -1.0) * special.comb(i, n) * d_i[n:]
        q[n] = float(np.sum(terms))
        # The sum cancels: its rounding error is about eps times the sum of |terms|.
        if not q[n] > _MAX_CANCELLATION * np.finfo(float).eps * float(np.abs(terms).sum()):
            raise ValueError(
                f"q_{n} loses more than 6 digits to cancellation at agents={c!r}, "
                f"load_erl={load!r}: Takacs' alternating sum is for a few agents only"
            )
    if n_max >= c:
        sigma = 1.0 - h
        q[c:] = d * math.exp(-big) * sigma ** np.arange(n_max + 1 - c)
    return q
