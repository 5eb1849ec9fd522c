"""Staffing against lost contacts: blocking (Erlang B) and abandonment (Erlang A).

Units: rates are per second, times are in seconds; ``load_erl = arrival_rate_per_s * aht_s``.

Why a module of its own: :mod:`ccsim.analysis.erlang_staffing` sizes for a *service level*;
trunk groups, IVR ports and chat slots are sized for the share of contacts *lost*, either
blocked (all lines busy: Erlang B) or abandoned while waiting (Erlang A).  Both shares fall
monotonically as agents are added, so the fewest agents is found as in
:mod:`ccsim.analysis.erlang_staffing`: from a lower bound that is known to miss, gallop up,
then bisect; the answer's predecessor always misses.  The lower bound is the fluid one: the
agents carry at most ``agents`` Erlangs, so a lost share below ``target`` needs
``agents >= load_erl (1 - target)`` (for Erlang B, ``B >= 1 - agents / load_erl``).

The inverse of Erlang B (the most offered traffic ``agents`` lines carry at a blocking
target) solves ``log E_B(load, agents) = log(target)`` with Brent's method
(``scipy.optimize.brentq``) on the bracket ``[(target agents!)^(1/agents),
agents / (1 - target)]``: ``E_B <= load^agents / agents!`` at its left end and
``E_B >= 1 - agents / load`` at its right, and ``E_B`` increases in the load.
"""

from __future__ import annotations

import math

from scipy import optimize, special

from ccsim.analysis._arguments import (
    check_agents,
    check_aht,
    check_load,
    check_rate,
    check_real,
    check_target,
)
from ccsim.analysis.erlang import log_erlang_b
from ccsim.analysis.erlang_a import erlang_a_core
from ccsim.analysis.erlang_staffing import fewest_agents

__all__ = ["agents_for_abandonment", "agents_for_blocking", "load_for_blocking"]


def _check_share(name: str, value: object) -> float:
    return check_real(
        name, value, low=0.0, low_inclusive=False, high=1.0, allowed="strictly between 0 and 1"
    )


def _fluid_lower_bound(load: float, target: float, cap: int) -> int:
    """The largest agent count that must miss: ``c < load (1 - target)`` loses more."""
    bound = math.ceil(load * (1.0 - target) * (1.0 - 1e-12)) - 1
    return max(0, min(bound, cap))


def agents_for_blocking(load_erl: float, max_blocking: float, *, max_agents: int = 100_000) -> int:
    """Fewest lines (agents) whose Erlang B blocking ``E_B(load_erl, agents) <= max_blocking``.

    Zero load needs 0 lines.  ``agents - 1`` is guaranteed to miss the target.  Raises
    ``ValueError`` if more than ``max_agents`` would be needed.
    """
    load = check_load(load_erl)
    target = _check_share("max_blocking", max_blocking)
    cap = check_agents("max_agents", max_agents, minimum=1)
    if load == 0.0:
        return 0
    log_target = math.log(target)

    def meets(c: int) -> bool:
        return c > 0 and log_erlang_b(load, c) <= log_target

    lo = _fluid_lower_bound(load, target, cap)
    return fewest_agents(meets, lo, load, cap, f"max_blocking={target} at load_erl={load:.6g}")


def load_for_blocking(agents: int, max_blocking: float) -> float:
    """The most offered traffic (Erlangs) ``agents`` lines take at blocking ``max_blocking``.

    The root of ``E_B(load, agents) = max_blocking`` (Erlang B increases in the load), to
    about 1e-15 relative; the carried traffic is ``load * (1 - max_blocking)``.
    """
    n = check_agents("agents", agents, minimum=1)
    target = _check_share("max_blocking", max_blocking)
    log_target = math.log(target)
    lo = math.exp((log_target + float(special.gammaln(n + 1.0))) / n)
    hi = n / (1.0 - target)

    def excess(load: float) -> float:
        return log_erlang_b(load, n) - log_target

    if excess(lo) >= 0.0:  # only by rounding: E_B < load^n / n! strictly
        return lo
    while excess(hi) < 0.0:  # likewise: E_B > 1 - n / load strictly
        hi *= 2.0
    root = optimize.brentq(excess, lo, hi, xtol=1e-300, rtol=4.0 * 2.220446049250313e-16)
    return float(root)


def agents_for_abandonment(
    arrival_rate_per_s: float,
    aht_s: float,
    patience_s: float,
    max_abandon: float,
    *,
    target_s: float | None = None,
    service_level: float | None = None,
    max_agents: int = 100_000,
) -> int:
    """Fewest agents of the M/M/c+M (Erlang A) queue with ``P(abandon) <= max_abandon``.

    Optionally together with a service level: ``target_s`` and ``service_level`` (both or
    neither) add ``sl_answered_within_t >= service_level`` (answered within ``target_s`` over
    all arrivals, as :func:`ccsim.analysis.erlang_staffing.agents_for_service_level`).
    Patience is exponential with mean ``patience_s`` (finite; 0 is the loss limit, where
    abandonment is Erlang B).  Both measures improve with every agent, so the answer is
    minimal: one agent fewer misses.  Zero arrivals need 0 agents.
    """
    lam = check_rate(arrival_rate_per_s)
    aht = check_aht(aht_s)
    patience = check_real(
        "patience_s",
        patience_s,
        low=0.0,
        allowed="a finite number >= 0 (seconds); infinitely patient contacts never abandon",
    )
    target = _check_share("max_abandon", max_abandon)
    if (target_s is None) != (service_level is None):
        raise ValueError(
            f"target_s and service_level go together, got target_s={target_s!r} "
            f"and service_level={service_level!r}"
        )
    t = 0.0 if target_s is None else check_target(target_s)
    sl = None if service_level is None else _check_share("service_level", service_level)
    cap = check_agents("max_agents", max_agents, minimum=1)
    if lam == 0.0:
        return 0
    load = lam * aht

    def meets(c: int) -> bool:
        if c <= 0:
            return False
        r = erlang_a_core(lam, aht, c, patience, t, with_answered_mean=False)
        return r.p_abandon <= target and (sl is None or r.sl_answered_within_t >= sl)

    what = f"max_abandon={target}" + ("" if sl is None else f", service_level={sl} in {t} s")
    return fewest_agents(meets, _fluid_lower_bound(load, target, cap), load, cap, what)
