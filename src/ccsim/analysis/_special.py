"""Special functions in log space for the Erlang formulas (private to :mod:`ccsim.analysis`).

Everything works in log space so that the formulas stay stable for many thousands of agents
and never overflow, whatever the load:

* ``log_poisson_like(s, z) = log(z^s e^-z / Gamma(s+1))`` with Loader's saddle-point
  decomposition (Stirling error term :func:`stirlerr` and the ``bd0`` deviance :func:`bd0`):
  no cancellation between huge terms.
* ``log_kummer_a(x, z) = log A(x, z)``, Mandelbaum & Zeltyn's
  ``A(x, z) = x e^z z^-x gamma(x, z) = sum_{m>=0} z^m / ((x+1)(x+2)...(x+m))``, from
  ``scipy.special.gammainc`` with the saddle-point prefactor, or from the (then quickly
  converging) series when ``z`` is well below ``x``.
* :func:`one_minus_lower_gamma_ratio`: ``1 - P(s, y u) / P(s, y)`` through the upper
  function ``gammaincc`` when ``P`` is close to 1, so small service-level deficits keep their
  relative accuracy.
* :func:`mean_log_ratio_truncated_gamma`: ``E[log(y / R) | R <= y]`` with
  ``R ~ Gamma(x + 1)``, by adaptive quadrature (``scipy.integrate.quad``) of a log-concave
  density.
* :func:`series_sum`: a series with non-increasing term ratios, summed in vectorised chunks.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
from scipy import integrate, special

__all__ = [
    "TINY",
    "clip01",
    "log_kummer_a",
    "log_poisson_like",
    "mean_log_ratio_truncated_gamma",
    "one_minus_lower_gamma_ratio",
    "series_sum",
]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Below this, gammainc/gammaincc results are too close to underflow to be used in log space.
TINY = 1e-280
_MAX_SERIES_TERMS = 50_000_000


def clip01(v: float) -> float:
    return min(1.0, max(0.0, v))


def stirlerr(s: float) -> float:
    """log Gamma(s+1) - [(s + 1/2) log s - s + log(2 pi)/2]  for s > 0."""
    if s < 15.0:
        return float(special.gammaln(s + 1.0)) - (s + 0.5) * math.log(s) + s - _HALF_LOG_2PI
    s2 = s * s
    # Stirling series 1/(12 s) - 1/(360 s^3) + 1/(1260 s^5) - 1/(1680 s^7) + 1/(1188 s^9)
    inner = 1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * s2)) / s2
    return (1.0 / 12.0 - (1.0 / 360.0 - inner / s2) / s2) / s


def bd0(s: float, z: float) -> float:
    """Deviance s log(s/z) + z - s >= 0 without cancellation (Loader 2000)."""
    if abs(s - z) < 0.1 * (s + z):
        v = (s - z) / (s + z)
        total = (s - z) * v
        ej = 2.0 * s * v
        v2 = v * v
        j = 1
        while True:
            ej *= v2
            nxt = total + ej / (2 * j + 1)
            if nxt == total:
                return nxt
            total = nxt
            j += 1
    return s * math.log(s / z) + z - s


def log_poisson_like(s: float, z: float) -> float:
    """log(z^s e^-z / Gamma(s+1)) for real s >= 0, z >= 0 (the Poisson pmf for integer s)."""
    if z == 0.0:
        return 0.0 if s == 0.0 else -math.inf
    if s == 0.0:
        return -z
    return -(_HALF_LOG_2PI + 0.5 * math.log(s) + stirlerr(s) + bd0(s, z))


def series_sum(ratio_of: Callable[[np.ndarray], np.ndarray], first: float = 1.0) -> float:
    """Sum of t_0 = first, t_m = t_{m-1} * ratio_of(m) for non-increasing ratios in [0, 1).

    Vectorised in chunks of growing size; stops once the geometric bound on the
    remaining tail is below 1e-17 of the sum.
    """
    total = first
    last = first
    start = 1
    size = 64
    while True:
        ratios = ratio_of(np.arange(start, start + size, dtype=float))
        terms = last * np.cumprod(ratios)
        total += float(np.sum(terms))
        last = float(terms[-1])
        r = float(ratios[-1])
        if last == 0.0 or (r < 1.0 and last * r / (1.0 - r) <= 1e-17 * total):
            return total
        start += size
        size = min(size * 2, 1 << 20)
        if start > _MAX_SERIES_TERMS:  # pragma: no cover - excluded by the regime selection
            raise FloatingPointError("series did not converge")


def log_kummer_a(x: float, z: float) -> float:
    """log A(x, z), A(x, z) = sum_{m>=0} z^m / ((x+1)...(x+m)) = x e^z z^-x gamma(x, z).

    x > 0, z >= 0.  (Mandelbaum & Zeltyn's A; also 1F1(1; x+1; z).)  The series is
    used while it is short (z below x + 1, at most ~20000 terms): it is more accurate
    than ``gammainc`` deep in its lower tail.  Otherwise
    A = Gamma(x+1) e^z z^-x P(x, z) with the saddle-point form of the prefactor.
    """
    if z == 0.0:
        return 0.0
    if z < x + 1.0:
        delta = math.log((x + 1.0) / z)
        # terms needed for the log-terms to fall by 40: m delta + m^2 / (2 x) = 40
        m_est = 80.0 / (delta + math.sqrt(delta * delta + 80.0 / x))
        if m_est <= 20_000:
            return math.log(series_sum(lambda m: z / (x + m)))
    p = float(special.gammainc(x, z))
    if p > TINY:
        return math.log(p) - log_poisson_like(x, z)
    # z is far below x (many standard deviations): the series converges quickly
    return math.log(series_sum(lambda m: z / (x + m)))


def one_minus_lower_gamma_ratio(s: float, y: float, log_u: float) -> float:
    """1 - P(s, y u) / P(s, y) for the regularised lower incomplete gamma P, u = exp(log_u) <= 1.

    Evaluated without cancellation: through the upper functions Q = 1 - P when P(s, y)
    is above 1/2, otherwise through log P(s, z) = log A(s, z) + s log z - z - log Gamma(s+1),
    whose last terms differ exactly by s log u + y (1 - u).
    """
    yu = y * math.exp(log_u)
    p_den = float(special.gammainc(s, y))
    if p_den > 0.5:
        q_num = float(special.gammaincc(s, yu))
        if q_num < 0.5:
            return clip01((q_num - float(special.gammaincc(s, y))) / p_den)
        return clip01((p_den - float(special.gammainc(s, yu))) / p_den)
    log_ratio = log_kummer_a(s, yu) - log_kummer_a(s, y) + s * log_u - y * math.expm1(log_u)
    return clip01(-math.expm1(min(log_ratio, 0.0)))


def _d_plus_expm1_neg(d: float) -> float:
    """d + exp(-d) - 1 (>= 0) without cancellation for small |d|."""
    if abs(d) > 0.5:
        return d + math.expm1(-d)
    term = 0.5 * d * d
    total = term
    k = 2
    while True:
        k += 1
        term *= -d / k
        nxt = total + term
        if nxt == total:
            return total
        total = nxt


def mean_log_ratio_truncated_gamma(x: float, y: float) -> float:
    """E[log(y / R) | R <= y] for R ~ Gamma(x + 1, 1), by adaptive quadrature.

    With v = log(y / R) >= 0 the conditional density is proportional to
    exp(-(x+1) v - y expm1(-v)), which is log-concave; it is integrated around its
    mode v0 in the variable d = v - v0.
    """
    s1 = x + 1.0
    if y > s1:
        v0 = math.log(y / s1)
        c = s1  # = y exp(-v0)
        scale = 1.0 / math.sqrt(s1)
    else:
        v0 = 0.0
        c = y
        scale = 1.0 / max(s1 - y, math.sqrt(y))
    slope = s1 - c  # >= 0

    def psi(d: float) -> float:  # log density relative to the mode
        return -slope * d - c * _d_plus_expm1_neg(d)

    hi = scale
    while psi(hi) > -60.0:
        hi *= 2.0
    pieces = [(0.0, hi)]
    if v0 > 0.0:
        lo = scale
        while lo < v0 and psi(-lo) > -60.0:
            lo *= 2.0
        pieces.insert(0, (-min(lo, v0), 0.0))

    num = 0.0
    den = 0.0
    with warnings.catch_warnings():
        # the integrands are smooth and positive; a roundoff notice near 1e-12 is harmless
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a, b in pieces:
            den += integrate.quad(
                lambda d: math.exp(psi(d)), a, b, epsabs=0.0, epsrel=1e-11, limit=200
            )[0]
            num += integrate.quad(
                lambda d: d * math.exp(psi(d)), a, b, epsabs=0.0, epsrel=1e-11, limit=200
            )[0]
    return max(v0 + num / den, 0.0)
