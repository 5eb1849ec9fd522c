"""Analytic queueing formulas for contact centres: Erlang B, C and A, and staffing.

Units: rates are per second, times are in seconds.  The offered load in Erlangs
is ``load_erl = arrival_rate_per_s * aht_s``.

Models
------
* Erlang B  -- M/M/c/c loss system (blocked contacts are lost).
* Erlang C  -- M/M/c delay system, infinitely patient customers.
* Erlang A  -- M/M/c+M (Palm's model): exponential patience with mean
  ``patience_s``; a waiting customer abandons when its patience runs out.

Numerical methods (all work in log space; stable for many thousands of agents,
no overflow for any load):

* ``erlang_b``: ``B = p(c; a) / P(N <= c)`` with ``N ~ Poisson(a)``.  ``log p`` is
  evaluated with Loader's saddle-point decomposition (Stirling error term and
  ``bd0`` deviance, no cancellation between huge terms), ``P(N <= c)`` is
  ``scipy.special.gammaincc(c + 1, a)``.  In deep overload, where that
  probability underflows, ``1/B = sum_j c!/(c-j)! a^-j`` is summed directly
  (it then converges geometrically).
* ``erlang_c``: ``C = B / (1 - rho (1 - B))`` from the Erlang B value.
* ``erlang_c_metrics``: the classical closed forms
  ``E[W] = C aht / (c - a)`` and ``P(W <= t) = 1 - C exp(-(c - a) t / aht)``.
* ``erlang_a_metrics``: closed forms of Mandelbaum & Zeltyn, "The Palm/Erlang-A
  queue, with applications to call centers" (Technion note, 2004/2005) and
  Garnett, Mandelbaum & Reiman (2002), written with ``x = c mu / theta``,
  ``y = lambda / theta``, ``theta = 1 / patience_s``, the regularised lower
  incomplete gamma ``P(s, z)`` (``scipy.special.gammainc``) and
  ``A(x, y) = x e^y y^-x gamma(x, y) = sum_{m>=0} y^m / ((x+1)(x+2)...(x+m))``.
  ``log A`` comes from ``gammainc`` with the saddle-point prefactor above, or from
  the (then quickly converging) series when ``y`` is well below ``x``.  With
  ``u = exp(-theta t)``:

  - ``P(W > 0) = A E_B / (1 + (A - 1) E_B)``
  - ``P(served after waiting) = P(W > 0) (x / y) (1 - 1/A)``
  - ``P(Ab) = P(W > 0) - P(served after waiting)``;  ``E[W] = P(Ab) / theta``
  - ``P(W > t | W > 0) = u P(x, y u) / P(x, y)``
  - ``P(V > t | served after waiting) = P(x+1, y u) / P(x+1, y)``

  (the offered wait V of a customer who finds ``m`` customers waiting is
  ``-log(U) / theta`` with ``U ~ Beta(x, m + 1)``; summing over the stationary
  queue gives the formulas).  ``1 - P(s, y u) / P(s, y)`` is evaluated through the
  upper function ``gammaincc`` when ``P`` is close to 1, so small service-level
  deficits keep their relative accuracy.  ``E[W | served]`` has no closed form: it
  is ``P(served after waiting) / (theta P(served)) * E[log(y / R) | R <= y]`` with
  ``R ~ Gamma(x + 1)``, and that one-dimensional expectation is computed by
  adaptive quadrature (``scipy.integrate.quad``) of a log-concave density.
  ``patience_s = inf`` is Erlang C, ``patience_s = 0`` the loss (Erlang B) limit.
* ``agents_for_service_level``: galloping search from the offered load plus
  bisection on the (monotone) service level and occupancy.

Accuracy: against an independent birth-death-chain/matrix-exponential solution
and 40-digit ``mpmath`` sums, relative errors are around 1e-13 (P(Ab) can lose
relative accuracy ``~ 1e-16 (x + 1)`` when it is tiny compared with P(W > 0), i.e.
for very patient customers).  One ``erlang_a_metrics`` call takes well under 5 ms
for thousands of agents.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import integrate, special

__all__ = [
    "ErlangAResult",
    "ErlangCResult",
    "agents_for_service_level",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Below this, gammainc/gammaincc results are too close to underflow to be used in log space.
_TINY = 1e-280
_MAX_SERIES_TERMS = 50_000_000


# --------------------------------------------------------------------------- validation


def _check_real(
    name: str,
    value: object,
    *,
    low: float = 0.0,
    low_inclusive: bool = True,
    high: float = math.inf,
    high_inclusive: bool = False,
    allow_inf: bool = False,
    allowed: str,
) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number ({allowed}), got {value!r}")
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    if math.isinf(v) and not allow_inf:
        raise ValueError(f"{name} must be finite ({allowed}), got {value!r}")
    too_low = v < low if low_inclusive else v <= low
    too_high = v > high if high_inclusive else v >= high
    if math.isinf(v) and allow_inf and v > 0:
        too_high = False
    if too_low or too_high:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def _check_agents(name: str, value: object, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    v = int(value)
    if v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return v


def _rate(value: object) -> float:
    return _check_real(
        "arrival_rate_per_s", value, low=0.0, allowed="a finite number >= 0 (contacts per second)"
    )


def _aht(value: object) -> float:
    return _check_real(
        "aht_s", value, low=0.0, low_inclusive=False, allowed="a finite number > 0 (seconds)"
    )


def _target(value: object) -> float:
    return _check_real("target_s", value, low=0.0, allowed="a finite number >= 0 (seconds)")


def _patience(value: object) -> float:
    return _check_real(
        "patience_s",
        value,
        low=0.0,
        allow_inf=True,
        allowed="a number >= 0 (seconds; math.inf means infinitely patient)",
    )


def _load(value: object) -> float:
    return _check_real("load_erl", value, low=0.0, allowed="a finite number >= 0 (Erlangs)")


# --------------------------------------------------------------------------- log-space helpers


def _stirlerr(s: float) -> float:
    """log Gamma(s+1) - [(s + 1/2) log s - s + log(2 pi)/2]  for s > 0."""
    if s < 15.0:
        return float(special.gammaln(s + 1.0)) - (s + 0.5) * math.log(s) + s - _HALF_LOG_2PI
    s2 = s * s
    # Stirling series 1/(12 s) - 1/(360 s^3) + 1/(1260 s^5) - 1/(1680 s^7) + 1/(1188 s^9)
    inner = 1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * s2)) / s2
    return (1.0 / 12.0 - (1.0 / 360.0 - inner / s2) / s2) / s


def _bd0(s: float, z: float) -> float:
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


def _log_poisson_like(s: float, z: float) -> float:
    """log(z^s e^-z / Gamma(s+1)) for real s >= 0, z >= 0 (the Poisson pmf for integer s)."""
    if z == 0.0:
        return 0.0 if s == 0.0 else -math.inf
    if s == 0.0:
        return -z
    return -(_HALF_LOG_2PI + 0.5 * math.log(s) + _stirlerr(s) + _bd0(s, z))


def _series_sum(ratio_of: Callable[[np.ndarray], np.ndarray], first: float = 1.0) -> float:
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


def _log_kummer_a(x: float, z: float) -> float:
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
            return math.log(_series_sum(lambda m: z / (x + m)))
    p = float(special.gammainc(x, z))
    if p > _TINY:
        return math.log(p) - _log_poisson_like(x, z)
    # z is far below x (many standard deviations): the series converges quickly
    return math.log(_series_sum(lambda m: z / (x + m)))


def _one_minus_lower_gamma_ratio(s: float, y: float, log_u: float) -> float:
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
            return _clip01((q_num - float(special.gammaincc(s, y))) / p_den)
        return _clip01((p_den - float(special.gammainc(s, yu))) / p_den)
    log_ratio = _log_kummer_a(s, yu) - _log_kummer_a(s, y) + s * log_u - y * math.expm1(log_u)
    return _clip01(-math.expm1(min(log_ratio, 0.0)))


def _log_erlang_b(load: float, agents: int) -> float:
    """log E_B(agents, load)."""
    if agents == 0:
        return 0.0
    if load == 0.0:
        return -math.inf
    n = float(agents)
    q = float(special.gammaincc(n + 1.0, load))  # P(Poisson(load) <= agents)
    if q > _TINY:
        return min(0.0, _log_poisson_like(n, load) - math.log(q))
    # deep overload: 1/B = sum_{j=0}^{n} n!/(n-j)! load^-j, ratios (n-j+1)/load < 1
    inv_b = _series_sum(lambda j: np.maximum(n - j + 1.0, 0.0) / load)
    return -math.log(inv_b)


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


def _mean_log_ratio_truncated_gamma(x: float, y: float) -> float:
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


def _clip01(v: float) -> float:
    return min(1.0, max(0.0, v))


# --------------------------------------------------------------------------- Erlang B / C


def erlang_b(load_erl: float, agents: int) -> float:
    """Blocking probability of the M/M/c/c loss system (Erlang B); ``agents=0`` gives 1.0."""
    load = _load(load_erl)
    n = _check_agents("agents", agents)
    return _clip01(math.exp(_log_erlang_b(load, n)))


def _erlang_c_from_b(load: float, n: int) -> float:
    b = math.exp(_log_erlang_b(load, n))
    rho = load / n
    return _clip01(b / ((1.0 - rho) + rho * b))


def erlang_c(load_erl: float, agents: int) -> float:
    """P(wait > 0) for the M/M/c queue (Erlang C); 1.0 if ``load_erl >= agents`` (unstable)."""
    load = _load(load_erl)
    n = _check_agents("agents", agents)
    if n == 0 or load >= n:
        return 1.0
    return _erlang_c_from_b(load, n)


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
    lam = _rate(arrival_rate_per_s)
    aht = _aht(aht_s)
    n = _check_agents("agents", agents)
    t = _target(target_s)
    load = lam * aht
    if n == 0 or load >= n:
        return ErlangCResult(1.0, math.inf, 0.0, 1.0 if load > 0 else 0.0)
    c = _erlang_c_from_b(load, n)
    gap = n - load
    mean_wait = c * aht / gap
    sl = 1.0 - c * math.exp(-gap * t / aht)
    return ErlangCResult(c, mean_wait, _clip01(sl), min(1.0, load / n))


# --------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True)
class ErlangAResult:
    """Erlang A (M/M/c+M) performance measures.  W = min(V, patience) is the time in queue."""

    p_wait: float  #: P(an arrival has to wait, V > 0)
    p_abandon: float  #: P(abandon)
    mean_wait_s: float  #: E[W] over all arrivals (served or abandoned)
    mean_wait_answered_s: float  #: E[W | served] (ASA of answered contacts); nan if none is served
    sl_answered_within_t: float  #: P(served and W <= t): answered within t / all arrivals
    sl_wait_le_t: float  #: P(W <= t): time in queue (to answer OR abandonment) <= t
    occupancy: float  #: (1 - p_abandon) * load / agents


def _erlang_a_core(
    lam: float, aht: float, n: int, patience: float, t: float, *, with_answered_mean: bool
) -> ErlangAResult:
    """Erlang A on validated inputs (see module docstring for the formulas)."""
    load = lam * aht
    if patience == 0.0:
        # limit theta -> inf: customers who find all agents busy leave at once (Erlang B)
        b = math.exp(_log_erlang_b(load, n)) if lam > 0 else (1.0 if n == 0 else 0.0)
        occ = (1.0 - b) * load / n if n > 0 else 0.0
        return ErlangAResult(b, b, 0.0, 0.0 if b < 1.0 else math.nan, 1.0 - b, 1.0, _clip01(occ))
    if math.isinf(patience):
        # infinitely patient customers: Erlang C
        if n == 0 or load >= n:
            return ErlangAResult(1.0, 0.0, math.inf, math.inf, 0.0, 0.0, 1.0 if n > 0 else 0.0)
        c = _erlang_c_from_b(load, n)
        gap = n - load
        mean_wait = c * aht / gap
        sl = _clip01(1.0 - c * math.exp(-gap * t / aht))
        return ErlangAResult(c, 0.0, mean_wait, mean_wait, sl, sl, min(1.0, load / n))
    if n == 0:
        # nobody is ever served: everyone waits and abandons after Exp(mean patience)
        sl_wait = -math.expm1(-t / patience)
        return ErlangAResult(1.0, 1.0, patience, math.nan, 0.0, sl_wait, 0.0)
    if lam == 0.0:
        return ErlangAResult(0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0)

    theta = 1.0 / patience
    x = n * patience / aht  # n mu / theta
    y = lam * patience  # lambda / theta
    log_a = _log_kummer_a(x, y)
    log_b = _log_erlang_b(load, n)
    # P(W>0) = 1 / (1 + (1/B - 1) / A)
    log_ratio = math.log(-math.expm1(log_b)) - log_b - log_a if log_b < 0.0 else -math.inf
    if log_ratio > 0.0:
        inv = math.exp(-log_ratio)
        p_wait, p_no_wait = inv / (1.0 + inv), 1.0 / (1.0 + inv)
    else:  # p_no_wait is computed directly, not as 1 - p_wait (no cancellation)
        ratio = math.exp(log_ratio)
        p_wait, p_no_wait = 1.0 / (1.0 + ratio), ratio / (1.0 + ratio)
    # P(served after waiting) / P(W > 0) = (x / y) (1 - 1/A) = x A(x+1, y) / ((x + 1) A(x, y))
    if log_a > 1e-3:
        served_share = (x / y) * -math.expm1(-log_a)
    else:  # A close to 1 (tiny y): avoid 0/0
        served_share = x / (x + 1.0) * math.exp(_log_kummer_a(x + 1.0, y) - log_a)
    p_served_after_wait = p_wait * min(1.0, served_share)
    p_abandon = max(0.0, p_wait - p_served_after_wait)
    mean_wait = p_abandon * patience
    occupancy = _clip01((1.0 - p_abandon) * load / n)

    if t > 0.0:
        log_u = -theta * t
        # P(W > t | W > 0) = u P(x, yu) / P(x, y)
        u = math.exp(log_u)
        waited_le_t = p_wait * _clip01(  # P(0 < W <= t)
            -math.expm1(log_u) + u * _one_minus_lower_gamma_ratio(x, y, log_u)
        )
        # P(V > t | served after waiting) = P(x+1, yu) / P(x+1, y)
        served_after_wait_le_t = p_served_after_wait * _one_minus_lower_gamma_ratio(
            x + 1.0, y, log_u
        )
    else:
        waited_le_t = 0.0
        served_after_wait_le_t = 0.0
    sl_wait = _clip01(p_no_wait + waited_le_t)
    sl_answered = _clip01(p_no_wait + served_after_wait_le_t)

    p_served = 1.0 - p_abandon
    if not with_answered_mean:
        mean_wait_answered = math.nan
    elif p_served <= 0.0:
        mean_wait_answered = math.nan
    elif p_served_after_wait <= 0.0:
        mean_wait_answered = 0.0
    else:
        ev = _mean_log_ratio_truncated_gamma(x, y)
        mean_wait_answered = p_served_after_wait * patience * ev / p_served
    return ErlangAResult(
        p_wait, p_abandon, mean_wait, mean_wait_answered, sl_answered, sl_wait, occupancy
    )


def erlang_a_metrics(
    arrival_rate_per_s: float, aht_s: float, agents: int, patience_s: float, target_s: float
) -> ErlangAResult:
    """Erlang A (M/M/c+M, Palm) metrics; exponential patience with mean ``patience_s``.

    Stable for any load.  ``patience_s=math.inf`` gives Erlang C (unstable if
    ``load >= agents``: waits are infinite, service levels 0); ``patience_s=0`` is
    the loss limit (``p_wait = p_abandon = erlang_b``).  With ``agents=0`` every
    contact abandons and ``mean_wait_answered_s`` is nan.

    P(wait), P(abandon), E[W] and both service levels use closed forms in the
    incomplete gamma function (Mandelbaum & Zeltyn); E[W | served] uses one
    adaptive quadrature.  See the module docstring.
    """
    lam = _rate(arrival_rate_per_s)
    aht = _aht(aht_s)
    n = _check_agents("agents", agents)
    patience = _patience(patience_s)
    t = _target(target_s)
    return _erlang_a_core(lam, aht, n, patience, t, with_answered_mean=True)


# --------------------------------------------------------------------------- staffing


def agents_for_service_level(
    arrival_rate_per_s: float,
    aht_s: float,
    target_s: float,
    service_level: float,
    *,
    patience_s: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    max_agents: int = 100_000,
) -> int:
    """Fewest agents meeting a service-level target, returned as agents *scheduled*.

    * ``patience_s is None``: Erlang C; the target is ``P(W <= target_s) >= service_level``
      (stability ``agents > load`` is required).
    * ``patience_s`` given: Erlang A; the target is ``sl_answered_within_t >= service_level``,
      i.e. contacts *answered* within ``target_s`` over *all* arrivals.  Abandoned
      contacts count as failures even if they abandoned quickly (the conservative
      industry definition; ``sl_wait_le_t`` would reward abandonment).
    * if ``max_occupancy`` is given, occupancy must also be ``<= max_occupancy``.

    The on-phone requirement ``c`` is found by galloping from the offered load
    and bisection (both measures are monotone in ``c``); ``c - 1`` is guaranteed
    to miss the target.  The result is ``ceil(c / (1 - shrinkage))``.  Zero
    arrivals need 0 agents.  Raises ``ValueError`` if more than ``max_agents`` on-phone
    agents would be needed.
    """
    lam = _rate(arrival_rate_per_s)
    aht = _aht(aht_s)
    t = _target(target_s)
    sl_target = _check_real(
        "service_level",
        service_level,
        low=0.0,
        low_inclusive=False,
        high=1.0,
        allowed="strictly between 0 and 1",
    )
    patience = None if patience_s is None else _patience(patience_s)
    max_occ = (
        None
        if max_occupancy is None
        else _check_real(
            "max_occupancy",
            max_occupancy,
            low=0.0,
            low_inclusive=False,
            high=1.0,
            high_inclusive=True,
            allowed="in (0, 1]",
        )
    )
    shrink = _check_real("shrinkage", shrinkage, low=0.0, high=1.0, allowed="in [0, 1)")
    cap = _check_agents("max_agents", max_agents, minimum=1)
    if lam == 0.0:
        return 0
    load = lam * aht

    def meets(c: int) -> bool:
        if c <= 0:
            return False
        if patience is None:
            if c <= load:
                return False
            rc = erlang_c_metrics(lam, aht, c, t)
            sl, occ = rc.service_level, rc.occupancy
        else:
            ra = _erlang_a_core(lam, aht, c, patience, t, with_answered_mean=False)
            sl, occ = ra.sl_answered_within_t, ra.occupancy
        if sl < sl_target:
            return False
        return max_occ is None or occ <= max_occ

    # Invariant: ``lo`` misses the target (or is 0), ``hi`` is the next candidate.
    erlang_c_like = patience is None or math.isinf(patience)
    # Erlang C needs c > load; with abandonment the answer may be below the load.
    lo = min(int(math.floor(load)), cap) if erlang_c_like else 0
    if lo >= cap:
        raise ValueError(
            f"no staffing level up to max_agents={cap} meets the target "
            f"(offered load {load:.6g} Erlangs needs more agents)"
        )
    step = max(1, int(math.sqrt(load)))
    hi = lo + 1 if erlang_c_like else max(1, min(cap, int(math.ceil(load))))
    while not meets(hi):
        if hi >= cap:
            raise ValueError(
                f"no staffing level up to max_agents={cap} meets service_level={sl_target} "
                f"within target_s={t} (offered load {load:.6g} Erlangs)"
            )
        lo = hi
        hi = min(cap, hi + step)
        step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    on_phone = hi
    scheduled = math.ceil(on_phone / (1.0 - shrink) * (1.0 - 1e-12))
    return max(on_phone, int(scheduled))
