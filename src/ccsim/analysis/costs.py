"""What one replication costs: agents, overtime, bot, notices, outbound calls, fixed strategy
costs and penalties, for the centre, per channel and per pool (prices: the centre's
:class:`~ccsim.model.costs.CostSpec`, docs/costs.md).

Everything is priced over the measured part of the run (the intervals after the warm-up, as the
totals of :mod:`ccsim.analysis.metrics`): agents by the interval they are scheduled in, contacts
by the interval they arrive in, call minutes as they are spent, notices when they are sent, and
fixed costs prorated to the measured time.

* Agents: paid agent-hours = scheduled heads x interval length (shrinkage paid). Heads the
  ``staffing`` strategy added are overtime, at ``1 + overtime_premium`` times the pool's rate.
  Per channel, each pool's heads are allocated to the channels it serves as the interval
  metrics allocate them (:func:`ccsim.analysis.demand_delta.pool_shares`: in proportion to the
  planned workload), so the channels' agent costs add up to the centre's.
* Bot: a session for each contact the chatbot met first (on the channel of the session), a
  resolution for each contact it contained.
* Notices (SMS, e-mail, push) and fixed strategy costs belong to the centre, not to a channel:
  they are in the centre's total only.
* Outbound calls: minutes of call time (connected calls and attempts) on a campaign's internal
  call channel; they belong to that channel.
* Penalties: abandoned, blocked and cleared contacts, and ``late_async`` contacts (answered
  after the target or still waiting past it), by channel; a campaign's outbound calls have no
  customer waiting and carry no penalty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ccsim.analysis.contact_flags import ContactFlags
from ccsim.analysis.demand_delta import planned_workload_h, pool_shares
from ccsim.config.costs import costs_from_config
from ccsim.model.centre import Centre
from ccsim.model.costs import SECONDS_PER_WEEK, CostSpec
from ccsim.model.records import ContactRecords, Outcome
from ccsim.model.strategies import BOT_FIRST_KINDS

__all__ = [
    "COST_KEYS",
    "COST_PART_KEYS",
    "POOL_COST_KEYS",
    "ReplicationCosts",
    "bot_sessions",
    "cost_spec",
    "replication_costs",
]

# The parts of ``cost_total``, in the order reports list them.
COST_PART_KEYS = (
    "cost_agents",
    "cost_overtime",
    "cost_bot",
    "cost_notices",
    "cost_calls",
    "cost_fixed",
    "cost_penalties",
)
# Money (in the centre's currency) and what it pays for, for the centre and per channel.
COST_KEYS = (
    "cost_total",
    *COST_PART_KEYS,
    "cost_per_contact_handled",
    "paid_agent_h",
    "overtime_agent_h",
    "bot_sessions",
    "notices_sent",
    "outbound_call_min",
)
POOL_COST_KEYS = ("cost_total", "cost_agents", "cost_overtime", "paid_agent_h", "overtime_agent_h")


@dataclass(frozen=True)
class ReplicationCosts:
    """One replication's :data:`COST_KEYS` for the centre and each channel, and
    :data:`POOL_COST_KEYS` for each pool."""

    totals: dict[str, float]
    channels: list[dict[str, float]]
    pools: list[dict[str, float]]


def cost_spec(centre: Centre) -> CostSpec:
    """The centre's prices: its own, or the ``costs`` config's defaults (a centre built without
    the config boundary, such as ``Scenario.to_centre()``)."""
    return centre.costs if centre.costs is not None else costs_from_config(None, centre)


def bot_sessions(centre: Centre, records: ContactRecords) -> np.ndarray:
    """Per contact: whether it had a chatbot session. Without a capacity limit the bot meets
    every contact of a kind it meets first on a queue it fronts; with one, a contact the bot
    had no room for went straight to the agents, and a session shows as a bot outcome or a
    later time of joining the agents' queue than the arrival."""
    bot = centre.strategies.chatbot
    if bot is None:
        return np.zeros(len(records), dtype=bool)
    o = records.outcome
    met = (
        bot.fronted[records.channel, records.intent]
        & np.isin(records.kind, [int(k) for k in BOT_FIRST_KINDS])
        & (o != Outcome.PREVENTED)
    )
    if bot.capacity is None:
        return met
    in_bot = np.isin(o, [int(Outcome.CONTAINED), int(Outcome.IN_BOT), int(Outcome.SWITCHED)])
    return met & (in_bot | (records.queued_s > records.arrival_s))


def _call_minutes(records: ContactRecords, mask: np.ndarray, from_s: float) -> np.ndarray:
    """Per contact in ``mask``: minutes in service after ``from_s`` (to its end or the horizon)."""
    started = mask & ~np.isnan(records.answer_s)
    start = np.maximum(records.answer_s, from_s)
    end = np.minimum(
        np.where(np.isnan(records.end_s), records.horizon_s, records.end_s), records.horizon_s
    )
    return np.where(started, np.clip(end - start, 0.0, None), 0.0) / 60.0


def replication_costs(
    centre: Centre,
    records: ContactRecords,
    warmup_s: float,
    notices_sent: Sequence[float],
) -> ReplicationCosts:
    """Price one replication; ``notices_sent[i]``: the notices outreach campaign i sent in it
    (``ccsim.engine.arrivals.Customers.notices``, one per campaign)."""
    spec = cost_spec(centre)
    campaigns = centre.strategies.outreach
    if len(notices_sent) != len(campaigns):
        raise ValueError(f"notices_sent: {len(notices_sent)} counts for {len(campaigns)} campaigns")
    n_c, n_p, n_k = len(centre.channels), len(centre.pools), centre.n_intervals
    dt_h = centre.interval_s / 3600.0
    first = int(np.searchsorted(centre.interval_starts_s, warmup_s, side="left"))
    from_s = first * centre.interval_s
    measured = np.arange(n_k) >= first
    # Agents: heads [p, k] (base and overtime), allocated to channels by share [p, c, k].
    heads = np.stack([p.agents_scheduled for p in centre.pools]).astype(np.float64)
    over = np.minimum(spec.overtime_heads, heads)
    base = heads - over
    rate = np.array(spec.agent_hour_cost)[:, None]
    ot_rate = rate * (1.0 + spec.overtime_premium)
    share = pool_shares(centre, planned_workload_h(centre))
    w = measured * dt_h  # hours each interval counts for

    def by_channel(per_pool_k: np.ndarray) -> np.ndarray:
        return (share * per_pool_k[:, None, :] * w).sum(axis=(0, 2))

    # Contacts: measured by arrival; penalties and bot by the contact's channel.
    f = ContactFlags(centre, records)
    sel = records.arrival_s >= from_s
    ch = records.channel.astype(np.int64)
    calls = np.zeros(len(records), dtype=bool)
    for camp in campaigns:
        if camp.call_channel is not None:
            calls |= ch == camp.call_channel
    sessions = bot_sessions(centre, records) & sel
    contained = f.contained & sel
    penalised = (f.abandoned | f.blocked | f.cleared) & sel & ~calls
    late = f.late_async & sel & ~calls
    minutes = _call_minutes(records, calls, from_s)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        wts = None if weights is None else weights[mask]
        return np.bincount(ch[mask], weights=wts, minlength=n_c).astype(np.float64)

    handled = count(f.handled & sel) + count(contained)
    parts_c = {
        "cost_agents": by_channel(rate * base),
        "cost_overtime": by_channel(ot_rate * over),
        "cost_bot": spec.bot_session_cost * count(sessions)
        + spec.bot_resolution_cost * count(contained),
        "cost_notices": np.zeros(n_c),
        "cost_calls": spec.outbound_call_min_cost * count(calls, minutes),
        "cost_fixed": np.zeros(n_c),
        "cost_penalties": spec.abandon_penalty * count(penalised)
        + spec.late_async_penalty * count(late),
    }
    drivers_c = {
        "paid_agent_h": by_channel(heads),
        "overtime_agent_h": by_channel(over),
        "bot_sessions": count(sessions),
        "notices_sent": np.zeros(n_c),
        "outbound_call_min": count(calls, minutes),
    }
    # The centre: agents from the pools (not the allocation), centre-level notices and fixed.
    sent = [  # (notices, price) of the campaigns that sent theirs in the measured time
        (n, price)
        for n, price, camp in zip(notices_sent, spec.notice_cost, campaigns, strict=True)
        if max(camp.notify_s, 0.0) >= from_s
    ]
    measured_s = centre.horizon_s - from_s
    parts = {k: float(v.sum()) for k, v in parts_c.items()}
    parts["cost_agents"] = float((rate * base * w).sum())
    parts["cost_overtime"] = float((ot_rate * over * w).sum())
    parts["cost_notices"] = float(sum(n * price for n, price in sent))
    parts["cost_fixed"] = spec.fixed_per_week_total * measured_s / SECONDS_PER_WEEK
    drivers = {k: float(v.sum()) for k, v in drivers_c.items()}
    drivers["paid_agent_h"] = float((heads * w).sum())
    drivers["overtime_agent_h"] = float((over * w).sum())
    drivers["notices_sent"] = float(sum(n for n, _ in sent))

    def row(p: dict[str, float], d: dict[str, float], n_handled: float) -> dict[str, float]:
        total = sum(p[k] for k in COST_PART_KEYS)
        per = total / n_handled if n_handled > 0 else float("nan")
        out = {"cost_total": total, **p, "cost_per_contact_handled": per, **d}
        assert tuple(out) == COST_KEYS
        return out

    totals = row(parts, drivers, float(handled.sum()))
    channels = [
        row(
            {k: float(v[c]) for k, v in parts_c.items()},
            {k: float(v[c]) for k, v in drivers_c.items()},
            float(handled[c]),
        )
        for c in range(n_c)
    ]
    pools = []
    for p in range(n_p):
        agents = float((rate[p] * base[p] * w).sum())
        overtime = float((ot_rate[p] * over[p] * w).sum())
        pool = {
            "cost_total": agents + overtime,
            "cost_agents": agents,
            "cost_overtime": overtime,
            "paid_agent_h": float((heads[p] * w).sum()),
            "overtime_agent_h": float((over[p] * w).sum()),
        }
        assert tuple(pool) == POOL_COST_KEYS
        pools.append(pool)
    return ReplicationCosts(totals, channels, pools)
