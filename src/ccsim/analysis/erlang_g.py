"""M/M/c+G: Erlang A with a general patience distribution.

Poisson arrivals (rate ``lambda``), ``c`` agents with exponential handle times (rate
``mu = 1 / aht_s``), one FCFS queue with unlimited room, and customers who abandon when their
patience ``tau ~ G`` runs out before they are answered. The exact analysis is Baccelli &
Hebuterne, "On queues with impatient customers" (Performance '81, North-Holland 1981), in the
form of Zeltyn & Mandelbaum, "Call centers with impatient customers: many-server asymptotics
of the M/M/n+G queue", Queueing Systems 51 (2005), section 2.

With the survival function ``S(x) = P(tau > x)`` and ``H(x) = int_0^x S(u) du = E[min(tau, x)]``,
let ``phi(x) = lambda H(x) - c mu x`` and ``J = int_0^inf exp(phi(x)) dx``. The offered wait
``V`` (the wait of a customer who would never abandon) is 0 with probability
``P(V = 0) = sum_{j<c} pi_j`` and otherwise has the density

    f_V(x) = lambda pi_{c-1} exp(phi(x)),     x > 0,

where ``pi_j = pi_0 a^j / j!`` (``a = lambda / mu``) for ``j < c``, and normalising gives
``pi_{c-1} = B / (1 + lambda J B)`` with ``B = E_B(c - 1, a)``, Erlang B with one agent fewer.
A customer is answered iff ``tau > V``, and waits ``W = min(V, tau)``, so

- ``P(W > 0) = lambda J B / (1 + lambda J B)``
- ``P(Ab) = P(W > 0) int_0^inf G(x) e^phi dx / J``          (``G = 1 - S``)
- ``E[W] = P(W > 0) int_0^inf H(x) e^phi dx / J``             (``E[min(x, tau)] = H(x)``)
- ``P(answered, W <= t) = P(V = 0) + P(W > 0) int_0^t S(x) e^phi dx / J``.

(Zeltyn & Mandelbaum write ``P(Ab) = (1 + (lambda - c mu) J) / (epsilon + lambda J)``; the
same quantity, since ``(lambda S - c mu) e^phi = d/dx e^phi`` integrates to -1, but as an
integral of a positive function it has no cancellation.) With exponential patience these are
Erlang A's closed forms (:mod:`ccsim.analysis.erlang_a`), which the tests check to 1e-9.

Numerics: ``phi`` is concave (``phi'' = -lambda g``) with its maximum at ``x*``, where
``S(x*) = c mu / lambda`` (0 when ``lambda <= c mu``): the patience quantile at
``1 - c mu / lambda``. Every integrand is scaled by ``exp(-phi(x*))``, so nothing overflows
however large ``lambda E[tau]`` is, and integrated by adaptive quadrature
(``scipy.integrate.quad``) on pieces that double in length away from ``x*``, starting at the
finest scale ``phi`` can change on (``|phi'| <= max(c mu, lambda - c mu)``), with the patience
distribution's kinks as break points. The integrals stop where ``phi`` has fallen 60 below its
peak: since ``H <= E[tau]``, ``phi(x) <= lambda E[tau] - c mu x`` bounds the tail.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special

from ccsim.analysis._arguments import check_agents, check_aht, check_rate, check_target
from ccsim.analysis._special import clip01
from ccsim.analysis.erlang import log_erlang_b
from ccsim.model.distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Hyperexponential,
    Lognormal,
    Uniform,
)

__all__ = ["MMCGResult", "mmcg_metrics"]

# The integrals stop where the integrand is below exp(-60) of its peak (1e-26): far below the
# quadrature's own relative error.
_TAIL_LOG = 60.0
_EPSREL = 1e-12


@dataclass(frozen=True)
class MMCGResult:
    """M/M/c+G performance measures, as in :class:`~ccsim.analysis.erlang_a.ErlangAResult`."""

    p_wait: float  #: P(an arrival finds every agent busy, V > 0)
    p_abandon: float  #: P(abandon)
    mean_wait_s: float  #: E[W] over all arrivals (answered or abandoned)
    sl_answered_within_t: float  #: P(answered and W <= t): answered within t / all arrivals
    occupancy: float  #: (1 - p_abandon) * load / agents


def mmcg_metrics(
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    patience: Distribution,
    target_s: float,
) -> MMCGResult:
    """M/M/c+G metrics: exponential handle times of mean ``aht_s``, ``agents`` agents and the
    patience distribution ``patience`` (any built-in :class:`Distribution`: exponential,
    uniform, hyperexponential, gamma, lognormal, deterministic, empirical). Stable for any
    load: customers who wait long enough leave. See the module docstring for the formulas."""
    lam = check_rate(arrival_rate_per_s)
    aht = check_aht(aht_s)
    n = check_agents("agents", agents)
    t = check_target(target_s)
    survival, integrated, kinks = _patience_functions(patience)
    mean_patience = patience.mean_s
    if n == 0:  # nobody is ever answered: everyone waits out their patience
        return MMCGResult(1.0, 1.0, mean_patience, 0.0, 0.0)
    if lam == 0.0:
        return MMCGResult(0.0, 0.0, 0.0, 1.0, 0.0)
    mu_n = n / aht  # c mu: the rate at which a queue with every agent busy moves
    load = lam * aht

    def phi(x: float) -> float:
        return lam * integrated(x) - mu_n * x

    # The peak of phi: where lambda S(x) = c mu.
    peak = patience.quantile_function()(1.0 - mu_n / lam) if lam > mu_n else 0.0
    phi_peak = phi(peak)
    end = max(peak, (lam * mean_patience - phi_peak + _TAIL_LOG) / mu_n)
    edges = _edges(peak, end, 1.0 / mu_n, 1.0 / (lam - mu_n) if lam > mu_n else math.inf, kinks)

    def scaled(x: float) -> float:
        return math.exp(phi(x) - phi_peak)

    j = _integral(scaled, edges, end)
    abandon = _integral(lambda x: (1.0 - survival(x)) * scaled(x), edges, end)
    wait = _integral(lambda x: integrated(x) * scaled(x), edges, end)
    answered_le_t = _integral(lambda x: survival(x) * scaled(x), edges, min(t, end))

    # lambda J B = exp(log_l), computed in logs: J alone can be astronomically large.
    log_l = math.log(lam) + phi_peak + math.log(j) + log_erlang_b(load, n - 1)
    if log_l > 0.0:
        inv = math.exp(-log_l)
        p_wait, p_no_wait = 1.0 / (1.0 + inv), inv / (1.0 + inv)
    else:
        l_ = math.exp(log_l)
        p_wait, p_no_wait = l_ / (1.0 + l_), 1.0 / (1.0 + l_)
    p_abandon = clip01(p_wait * abandon / j)
    return MMCGResult(
        p_wait=p_wait,
        p_abandon=p_abandon,
        mean_wait_s=p_wait * wait / j,
        sl_answered_within_t=clip01(p_no_wait + p_wait * answered_le_t / j),
        occupancy=clip01((1.0 - p_abandon) * load / n),
    )


def _edges(
    peak: float, end: float, right_scale: float, left_scale: float, kinks: list[float]
) -> list[float]:
    """Break points on [0, end]: from ``peak``, steps that double from the finest scale of
    ``phi`` on each side (so every piece is smooth on its own scale), and the kinks."""
    points = {0.0, peak, end, *(k for k in kinks if 0.0 < k < end)}
    step = right_scale
    while peak + step < end:
        points.add(peak + step)
        step *= 2.0
    step = left_scale
    while peak - step > 0.0:
        points.add(peak - step)
        step *= 2.0
    return sorted(points)


def _integral(f: Callable[[float], float], edges: list[float], upper: float) -> float:
    """int_0^upper f, piece by piece between ``edges``."""
    total = 0.0
    with warnings.catch_warnings():
        # smooth positive integrands on each piece; a roundoff notice near 1e-12 is harmless
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            if a >= upper:
                break
            total += integrate.quad(f, a, min(b, upper), epsabs=0.0, epsrel=_EPSREL, limit=200)[0]
    return total


Tail = tuple[Callable[[float], float], Callable[[float], float], list[float]]


def _patience_functions(d: Distribution) -> Tail:
    """``(S, H, kinks)``: the survival function ``S(x) = P(tau > x)``, its integral
    ``H(x) = E[min(tau, x)]`` and the points where they are not smooth."""
    exp, expm1 = math.exp, math.expm1
    if isinstance(d, Exponential):
        m = d.mean
        return (lambda x: exp(-x / m)), (lambda x: -m * expm1(-x / m)), []
    if isinstance(d, Hyperexponential):
        (p1, p2), (m1, m2) = d.probabilities, d.means
        return (
            lambda x: p1 * exp(-x / m1) + p2 * exp(-x / m2),
            lambda x: -p1 * m1 * expm1(-x / m1) - p2 * m2 * expm1(-x / m2),
            [],
        )
    if isinstance(d, Uniform):
        low, high = d.low, d.high
        width = high - low

        def uniform_h(x: float) -> float:
            if x <= low:
                return x
            left = max(high - x, 0.0)
            return low + (width * width - left * left) / (2.0 * width)

        return (lambda x: min(1.0, max(0.0, (high - x) / width))), uniform_h, [low, high]
    if isinstance(d, Deterministic):
        v = d.value
        return (lambda x: 1.0 if x < v else 0.0), (lambda x: min(x, v)), [v]
    if isinstance(d, Empirical):
        values = np.asarray(d.values, dtype=np.float64)
        p = np.asarray(d.weights if d.weights is not None else np.ones(len(values)), float)
        p = p / p.sum()
        return (
            lambda x: float(p[values > x].sum()),
            lambda x: float(np.dot(p, np.minimum(values, x))),
            sorted(set(d.values)),
        )
    if isinstance(d, Gamma):
        shape = 1.0 / d.cv**2
        scale, mean = d.mean / shape, d.mean

        def gamma_s(x: float) -> float:
            return float(special.gammaincc(shape, x / scale))

        return (
            gamma_s,
            lambda x: x * gamma_s(x) + mean * float(special.gammainc(shape + 1.0, x / scale)),
            [],
        )
    if isinstance(d, Lognormal):
        sigma = math.sqrt(math.log1p(d.cv**2))
        mu, mean = math.log(d.mean) - sigma**2 / 2, d.mean

        def lognormal_s(x: float) -> float:
            return float(special.ndtr(-(math.log(x) - mu) / sigma)) if x > 0.0 else 1.0

        def lognormal_h(x: float) -> float:
            if x <= 0.0:
                return 0.0
            z = (math.log(x) - mu) / sigma
            return x * lognormal_s(x) + mean * float(special.ndtr(z - sigma))

        return lognormal_s, lognormal_h, []
    raise ValueError(f"patience must be one of ccsim's built-in distributions, got {d!r}")
