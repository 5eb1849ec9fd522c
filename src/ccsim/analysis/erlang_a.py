"""Erlang A: the M/M/c+M queue (Palm's model), where waiting customers abandon.

Units: rates are per second, times are in seconds.  Patience is exponential with mean
``patience_s``; a waiting customer abandons when its patience runs out.

``erlang_a_metrics`` uses the closed forms of Mandelbaum & Zeltyn, "The Palm/Erlang-A
queue, with applications to call centers" (Technion note, 2004/2005) and
Garnett, Mandelbaum & Reiman (2002), written with ``x = c mu / theta``,
``y = lambda / theta``, ``theta = 1 / patience_s``, the regularised lower
incomplete gamma ``P(s, z)`` (``scipy.special.gammainc``) and
``A(x, y) = x e^y y^-x gamma(x, y) = sum_{m>=0} y^m / ((x+1)(x+2)...(x+m))``
(in log space: :mod:`ccsim.analysis._special`).  With ``u = exp(-theta t)``:

- ``P(W > 0) = A E_B / (1 + (A - 1) E_B)``
- ``P(served after waiting) = P(W > 0) (x / y) (1 - 1/A)``
- ``P(Ab) = P(W > 0) - P(served after waiting)``;  ``E[W] = P(Ab) / theta``
- ``P(W > t | W > 0) = u P(x, y u) / P(x, y)``
- ``P(V > t | served after waiting) = P(x+1, y u) / P(x+1, y)``

(the offered wait V of a customer who finds ``m`` customers waiting is
``-log(U) / theta`` with ``U ~ Beta(x, m + 1)``; summing over the stationary
queue gives the formulas).  ``E[W | served]`` has no closed form: it is
``P(served after waiting) / (theta P(served)) * E[log(y / R) | R <= y]`` with
``R ~ Gamma(x + 1)``, a one-dimensional expectation computed by adaptive quadrature.
``patience_s = inf`` is Erlang C, ``patience_s = 0`` the loss (Erlang B) limit.

Accuracy: against an independent birth-death-chain/matrix-exponential solution
and 40-digit ``mpmath`` sums, relative errors are around 1e-13 (P(Ab) can lose
relative accuracy ``~ 1e-16 (x + 1)`` when it is tiny compared with P(W > 0), i.e.
for very patient customers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ccsim.analysis._arguments import (
    check_agents,
    check_aht,
    check_patience,
    check_rate,
    check_target,
)
from ccsim.analysis._special import (
    clip01,
    log_kummer_a,
    mean_log_ratio_truncated_gamma,
    one_minus_lower_gamma_ratio,
)
from ccsim.analysis.erlang import erlang_c_from_b, log_erlang_b

__all__ = ["ErlangAResult", "erlang_a_metrics"]


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


def erlang_a_core(
    lam: float, aht: float, n: int, patience: float, t: float, *, with_answered_mean: bool
) -> ErlangAResult:
    """Erlang A on checked inputs (see the module docstring for the formulas).

    ``with_answered_mean=False`` skips the quadrature for ``mean_wait_answered_s`` (left
    nan): a staffing search needs only the service level and occupancy.
    """
    load = lam * aht
    if patience == 0.0:
        # limit theta -> inf: customers who find all agents busy leave at once (Erlang B)
        b = math.exp(log_erlang_b(load, n)) if lam > 0 else (1.0 if n == 0 else 0.0)
        occ = (1.0 - b) * load / n if n > 0 else 0.0
        return ErlangAResult(b, b, 0.0, 0.0 if b < 1.0 else math.nan, 1.0 - b, 1.0, clip01(occ))
    if math.isinf(patience):
        # infinitely patient customers: Erlang C
        if n == 0 or load >= n:
            return ErlangAResult(1.0, 0.0, math.inf, math.inf, 0.0, 0.0, 1.0 if n > 0 else 0.0)
        c = erlang_c_from_b(load, n)
        gap = n - load
        mean_wait = c * aht / gap
        sl = clip01(1.0 - c * math.exp(-gap * t / aht))
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
    log_a = log_kummer_a(x, y)
    log_b = log_erlang_b(load, n)
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
        served_share = x / (x + 1.0) * math.exp(log_kummer_a(x + 1.0, y) - log_a)
    p_served_after_wait = p_wait * min(1.0, served_share)
    p_abandon = max(0.0, p_wait - p_served_after_wait)
    mean_wait = p_abandon * patience
    occupancy = clip01((1.0 - p_abandon) * load / n)

    if t > 0.0:
        log_u = -theta * t
        # P(W > t | W > 0) = u P(x, yu) / P(x, y)
        u = math.exp(log_u)
        waited_le_t = p_wait * clip01(  # P(0 < W <= t)
            -math.expm1(log_u) + u * one_minus_lower_gamma_ratio(x, y, log_u)
        )
        # P(V > t | served after waiting) = P(x+1, yu) / P(x+1, y)
        served_after_wait_le_t = p_served_after_wait * one_minus_lower_gamma_ratio(
            x + 1.0, y, log_u
        )
    else:
        waited_le_t = 0.0
        served_after_wait_le_t = 0.0
    sl_wait = clip01(p_no_wait + waited_le_t)
    sl_answered = clip01(p_no_wait + served_after_wait_le_t)

    p_served = 1.0 - p_abandon
    if not with_answered_mean:
        mean_wait_answered = math.nan
    elif p_served <= 0.0:
        mean_wait_answered = math.nan
    elif p_served_after_wait <= 0.0:
        mean_wait_answered = 0.0
    else:
        ev = mean_log_ratio_truncated_gamma(x, y)
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
    lam = check_rate(arrival_rate_per_s)
    aht = check_aht(aht_s)
    n = check_agents("agents", agents)
    patience = check_patience(patience_s)
    t = check_target(target_s)
    return erlang_a_core(lam, aht, n, patience, t, with_answered_mean=True)
