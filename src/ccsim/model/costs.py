"""The typed cost model: what a run's agents, bot, notices, calls, strategies and unmet contacts
cost. Built at the config boundary (:mod:`ccsim.config.costs`); the analysis
(:mod:`ccsim.analysis.costs`) prices each replication with it. Every default is an assumption
with its public source in ``docs/costs.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CostSpec", "SECONDS_PER_WEEK"]

SECONDS_PER_WEEK = 7 * 86400.0


@dataclass(frozen=True)
class CostSpec:
    """Prices of one centre, in ``currency``.

    ``agent_hour_cost[p]``: cost per paid agent-hour of pool p (``Centre.pools`` order); paid time
    is the scheduled heads (``PoolSpec.agents_scheduled``: shrinkage is paid, unpaid breaks are
    not scheduled) x the interval length. ``overtime_heads[p, k]``: the heads the ``staffing``
    strategy added to pool p in interval k (0 without it), paid at ``1 + overtime_premium`` times
    the pool's rate. ``bot_session_cost`` per chatbot session and ``bot_resolution_cost`` per
    contact the bot contained. ``notice_cost[i]``: per notice that outreach campaign i
    (``Centre.strategies.outreach`` order) sends by SMS, e-mail or push (0 for a campaign by
    call: its calls cost ``outbound_call_min_cost`` per minute of call time). ``fixed_per_week``:
    strategy -> fixed cost per week of each strategy switched on, prorated to the measured
    horizon. ``abandon_penalty`` per abandoned, blocked or cleared contact,
    ``late_async_penalty`` per async contact answered after its target or still waiting past it.
    """

    currency: str
    agent_hour_cost: tuple[float, ...]
    overtime_premium: float
    overtime_heads: np.ndarray
    bot_session_cost: float
    bot_resolution_cost: float
    notice_cost: tuple[float, ...]
    outbound_call_min_cost: float
    fixed_per_week: tuple[tuple[str, float], ...]
    abandon_penalty: float
    late_async_penalty: float

    @property
    def fixed_per_week_total(self) -> float:
        """The fixed cost per week of all the strategies switched on."""
        return float(sum(cost for _, cost in self.fixed_per_week))
