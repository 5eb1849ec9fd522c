"""Staffing from the Erlang formulas: the fewest agents that meet a service-level target.

The inverse of :mod:`ccsim.analysis.erlang` (Erlang C) and :mod:`ccsim.analysis.erlang_a`
(Erlang A): both service level and occupancy are monotone in the number of agents, so a
galloping search from the offered load followed by bisection finds the smallest one that
meets the target with a number of formula evaluations logarithmic in the answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ccsim.analysis._arguments import (
    check_agents,
    check_aht,
    check_patience,
    check_rate,
    check_real,
    check_target,
)
from ccsim.analysis.erlang import erlang_c_metrics
from ccsim.analysis.erlang_a import erlang_a_core

__all__ = ["agents_for_service_level", "fewest_agents"]


def fewest_agents(
    meets: Callable[[int], bool],
    lo: int,
    load: float,
    cap: int,
    what: str,
    first: int | None = None,
) -> int:
    """The smallest ``c`` in ``(lo, cap]`` with ``meets(c)``, for a monotone ``meets``.

    ``lo`` must miss (or be 0); ``first`` is the first candidate (default ``lo + 1``).
    Galloping steps of ``sqrt(load)``, doubling, then bisection: a number of evaluations
    logarithmic in the distance from the bound. Shared by the service-level, blocking and
    abandonment staffing searches.
    """
    if lo >= cap:
        raise ValueError(f"no staffing level up to max_agents={cap} meets {what}")
    step = max(1, int(math.sqrt(load)))
    hi = lo + 1 if first is None else first
    while not meets(hi):
        if hi >= cap:
            raise ValueError(f"no staffing level up to max_agents={cap} meets {what}")
        lo = hi
        hi = min(cap, hi + step)
        step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


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
    lam = check_rate(arrival_rate_per_s)
    aht = check_aht(aht_s)
    t = check_target(target_s)
    sl_target = check_real(
        "service_level",
        service_level,
        low=0.0,
        low_inclusive=False,
        high=1.0,
        allowed="strictly between 0 and 1",
    )
    patience = None if patience_s is None else check_patience(patience_s)
    max_occ = (
        None
        if max_occupancy is None
        else check_real(
            "max_occupancy",
            max_occupancy,
            low=0.0,
            low_inclusive=False,
            high=1.0,
            high_inclusive=True,
            allowed="in (0, 1]",
        )
    )
    shrink = check_real("shrinkage", shrinkage, low=0.0, high=1.0, allowed="in [0, 1)")
    cap = check_agents("max_agents", max_agents, minimum=1)
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
            ra = erlang_a_core(lam, aht, c, patience, t, with_answered_mean=False)
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
    first = lo + 1 if erlang_c_like else max(1, min(cap, int(math.ceil(load))))
    what = f"service_level={sl_target} within target_s={t} (offered load {load:.6g} Erlangs)"
    on_phone = fewest_agents(meets, lo, load, cap, what, first)
    scheduled = math.ceil(on_phone / (1.0 - shrink) * (1.0 - 1e-12))
    return max(on_phone, int(scheduled))
