"""Erlang B and Erlang C: the classic closed forms for one stationary queue.

Units: rates are per second, times are in seconds.  The offered load in Erlangs
is ``load_erl = arrival_rate_per_s * aht_s``.

Models
------
* Erlang B  -- M/M/c/c loss system (blocked contacts are lost).
* Erlang C  -- M/M/c delay system, infinitely patient customers.

Erlang A (customers who abandon) is :mod:`ccsim.analysis.erlang_a`; the staffing a
service-level target needs, :mod:`ccsim.analysis.erlang_staffing`.

Numerical methods (in log space, :mod:`ccsim.analysis._special`; stable for many thousands of
agents, no overflow for any load):

* ``erlang_b``: ``B = p(c; a) / P(N <= c)`` with ``N ~ Poisson(a)``.  ``log p`` is
  evaluated with Loader's saddle-point decomposition, ``P(N <= c)`` is
  ``scipy.special.gammaincc(c + 1, a)``.  In deep overload, where that
  probability underflows, ``1/B = sum_j c!/(c-j)! a^-j`` is summed directly
  (it then converges geometrically).
* ``erlang_c``: ``C = B / (1 - rho (1 - B))`` from the Erlang B value.
* ``erlang_c_metrics``: the classical closed forms
  ``E[W] = C aht / (c - a)`` and ``P(W <= t) = 1 - C exp(-(c - a) t / aht)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from ccsim.analysis._arguments import check_agents, check_aht, check_load, check_rate, check_target
from ccsim.analysis._special import TINY, clip01, log_poisson_like, series_sum

__all__ = [
    "ErlangCResult",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
]


def log_erlang_b(load: float, agents: int) -> float:
    """log E_B(agents, load), on checked inputs."""
    if agents == 0:
        return 0.0
    if load == 0.0:
        return -math.inf
    n = float(agents)
    q = float(special.gammaincc(n + 1.0, load))  # P(Poisson(load) <= agents)
    if q > TINY:
        return min(0.0, log_poisson_like(n, load) - math.log(q))
    # deep overload: 1/B = sum_{j=0}^{n} n!/(n-j)! load^-j, ratios (n-j+1)/load < 1
    inv_b = series_sum(lambda j: np.maximum(n - j + 1.0, 0.0) / load)
    return -math.log(inv_b)


def erlang_c_from_b(load: float, n: int) -> float:
    """Erlang C from Erlang B, on checked inputs with ``0 <= load < n``."""
    b = math.exp(log_erlang_b(load, n))
    rho = load / n
    return clip01(b / ((1.0 - rho) + rho * b))


def erlang_b(load_erl: float, agents: int) -> float:
    """Blocking probability of the M/M/c/c loss system (Erlang B); ``agents=0`` gives 1.0."""
    load = check_load(load_erl)
    n = check_agents("agents", agents)
    return clip01(math.exp(log_erlang_b(load, n)))


def erlang_c(load_erl: float, agents: int) -> float:
    """P(wait > 0) for the M/M/c queue (Erlang C); 1.0 if ``load_erl >= agents`` (unstable)."""
    load = check_load(load_erl)
    n = check_agents("agents", agents)
    if n == 0 or load >= n:
        return 1.0
    return erlang_c_from_b(load, n)


@dataclass(frozen=True)
class ErlangCResult:
    """Erlang C (M/M/c) performance measures."""

    p_wait: float  #: P(W > 0)
    mean_wait_s: float  #: E[W] over all arrivals (ASA counting zero waits); inf if unstable
    service_level: float  #: P(W <= target_s); 0.0 if unstable
    occupancy: float  #: load / agents, capped at 1.0


def erlang_c_metrics(
    arrival_rate_per_s: float, aht_s: float, agents: int, target_s: float
) -> ErlangCResult:
    """Erlang C metrics: P(wait), ASA, service level P(W <= target_s) and occupancy.

    If ``load >= agents`` the queue is unstable: ``p_wait=1``, ``mean_wait_s=inf``,
    ``service_level=0`` and ``occupancy=1`` (0 when there is neither load nor agent).
    """
    lam = check_rate(arrival_rate_per_s)
    aht = check_aht(aht_s)
    n = check_agents("agents", agents)
    t = check_target(target_s)
    load = lam * aht
    if n == 0 or load >= n:
        return ErlangCResult(1.0, math.inf, 0.0, 1.0 if load > 0 else 0.0)
    c = erlang_c_from_b(load, n)
    gap = n - load
    mean_wait = c * aht / gap
    sl = 1.0 - c * math.exp(-gap * t / aht)
    return ErlangCResult(c, mean_wait, clip01(sl), min(1.0, load / n))
