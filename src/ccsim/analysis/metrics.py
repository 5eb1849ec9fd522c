"""Metrics of one replication, per channel x interval and in total, from the contact records.

Contact counts and waits are attributed to the interval in which the contact *arrived* (the
planner's convention); agent time (busy, staffed, capacity) to the interval in which it is spent.

Service level comes in two definitions, both over contacts whose fate against the channel's
target T is known by the end of the run (a contact still queued at the horizon that has waited
less than T is left out; one that already waited T or more counts as a miss). Blocked contacts
count as misses. For async channels T is the response-time target.

* ``sl_answered_within_t``: answered within T / arrivals (abandoned and blocked in the
  denominator). The usual definition, and Erlang A's "P(served and W <= T)".
* ``sl_wait_le_t``: share of arrivals whose time in queue, until answer *or abandonment*, is at
  most T: Erlang A's "P(W <= T)". Customers who hang up within T count as met. Without
  abandonment the two coincide.

Pools shared between channels: each pool's staffed time and capacity are allocated to the
channels it serves (primary skills) in proportion to their planned demand workload in the
interval, so that per-channel capacity adds up to the centre's. Pool occupancy is exact.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ccsim.analysis import erlang as analytic
from ccsim.model.centre import ASYNC, Centre
from ccsim.model.records import ContactKind, ContactRecords, Outcome

__all__ = [
    "interval_metrics",
    "total_metrics",
    "pool_metrics",
    "INTERVAL_COLUMNS",
    "TOTAL_KEYS",
    "POOL_COLUMNS",
    "busy_time_s",
    "required_agents",
    "ALL_CHANNELS",
]

ALL_CHANNELS = -1

# Contact counts, by interval and in total: each is the number of contacts in a mask that
# ``_Flags.count_masks`` defines once for both.
COUNT_KEYS = (
    "offered",
    "new",
    "retries",
    "repeats",
    "chasers",
    "channel_switches",
    "prevented",
    "contained",
    "bot_switched",
    "to_agents",
    "callbacks",
    "answered",
    "handled",
    "abandoned",
    "blocked",
    "in_system_at_end",
)

INTERVAL_COLUMNS = (
    "channel",
    "interval",
    "start_min",
    "in_warmup",
    *COUNT_KEYS,
    "answered_within_target",
    "sl_answered_within_t",
    "sl_wait_le_t",
    "abandon_rate",
    "asa_s",
    "mean_wait_s",
    "p90_wait_s",
    "backlog_at_end",
    "agents_scheduled",
    "agents_on_phone",
    "busy_agent_h",
    "staffed_agent_h",
    "occupancy",
    "demand_workload_h",
    "planned_workload_h",
    "capacity_h",
    "demand_delta_h",
    "required_agents_erlang_c",
    "required_agents_erlang_a",
    "staffing_delta",
)

TOTAL_KEYS = (
    *COUNT_KEYS,
    "sl_answered_within_t",
    "sl_wait_le_t",
    "abandon_rate",
    "blocking_rate",
    "p_wait",
    "asa_s",
    "mean_wait_s",
    "p90_wait_s",
    "occupancy",
    "busy_agent_h",
    "staffed_agent_h",
    "demand_workload_h",
    "planned_workload_h",
    "capacity_h",
    "demand_delta_h",
    "positive_demand_delta_h",
    "peak_demand_delta_h",
    "share_intervals_in_deficit",
    "unmet_contacts",
    "late_async",
    "backlog_left",
    "unmet_workload_h",
)

POOL_COLUMNS = (
    "pool",
    "interval",
    "agents_scheduled",
    "agents_on_phone",
    "busy_agent_h",
    "staffed_agent_h",
    "occupancy",
)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def busy_time_s(
    records: ContactRecords,
    edges_s: np.ndarray,
    mask: np.ndarray | None = None,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Agent-seconds spent handling contacts between consecutive ``edges_s``.

    Each contact adds its weight times its overlap with each interval: the part of its first
    and last interval it covers, and the whole width of the intervals in between (a running
    count of open contacts over interval indices, per weight). Only non-negative terms are
    added, so an interval nobody worked in is exactly 0 (differences of whole-horizon
    cumulative sums left float noise such as -2e-13 in empty night intervals). ``weight`` is
    1/concurrency: a chat agent with k chats open is busy once, not k times.
    """
    started = ~np.isnan(records.answer_s)
    if mask is not None:
        started &= mask
    n = len(edges_s) - 1
    lo, hi = edges_s[0], edges_s[-1]
    start = np.clip(records.answer_s[started], lo, hi)
    end = records.end_s[started]
    end = np.clip(np.where(np.isnan(end), records.horizon_s, end), lo, hi)
    w = np.ones(start.size) if weight is None else weight[started]
    keep = end > start
    start, end, w = start[keep], end[keep], w[keep]
    ks = np.minimum(np.searchsorted(edges_s, start, side="right") - 1, n - 1)
    ke = np.minimum(np.searchsorted(edges_s, end, side="right") - 1, n - 1)
    one = ks == ke
    busy = np.zeros(n)
    busy += np.bincount(ks[one], weights=w[one] * (end[one] - start[one]), minlength=n)
    ks, ke, w, s0, e0 = ks[~one], ke[~one], w[~one], start[~one], end[~one]
    busy += np.bincount(ks, weights=w * (edges_s[ks + 1] - s0), minlength=n)
    busy += np.bincount(ke, weights=w * (e0 - edges_s[ke]), minlength=n)
    # Whole intervals ks+1 .. ke-1: the contacts open across each, counted in integers per
    # weight (1/concurrency takes a few values), so a running count that returns to zero is 0.
    across = np.zeros(n)
    for wv in np.unique(w):
        mine = w == wv
        opened = np.bincount(ks[mine] + 1, minlength=n + 1) - np.bincount(ke[mine], minlength=n + 1)
        across += wv * np.cumsum(opened[:n])
    busy += across * np.diff(edges_s)
    return busy


def required_agents(centre: Centre, c: int, rate_per_s: float) -> tuple[int, int]:
    """Scheduled agents Erlang C and Erlang A need for channel ``c``'s target at this rate.

    Concurrency k turns agents into k servers each; handle time is the channel's mean times
    the intents' volume-weighted factor; Erlang A takes the patience mean as if exponential;
    shrinkage is the staffing-weighted mean of the pools that serve the channel.
    """
    if rate_per_s <= 0:
        return 0, 0
    ch = centre.channels[c]
    weights = centre.rate_per_s[c].sum(axis=1)
    means = centre.mean_handle_s()[c]
    aht = (
        float(np.dot(weights, means) / weights.sum()) if weights.sum() > 0 else float(means.mean())
    )
    pools = [p for p in centre.pools if any(s.channel == c and s.primary for s in p.skills)]
    heads = np.array([p.agents_scheduled.sum() for p in pools], dtype=np.float64)
    shr = [p.shrinkage for p in pools]
    shrinkage = (
        float(np.dot(heads, shr) / heads.sum())
        if heads.sum() > 0
        else (float(np.mean(shr)) if shr else 0.0)
    )
    k = ch.concurrency
    servers_c = analytic.agents_for_service_level(
        rate_per_s, aht, ch.target_s, ch.target_service_level
    )
    patience = ch.patience.mean_s if ch.patience is not None and ch.mode != ASYNC else None
    servers_a = (
        analytic.agents_for_service_level(
            rate_per_s, aht, ch.target_s, ch.target_service_level, patience_s=patience
        )
        if patience is not None and math.isfinite(patience)
        else servers_c
    )

    def scheduled(servers: int) -> int:
        on_phone = -(-servers // k)
        return math.ceil(on_phone / (1.0 - shrinkage) - 1e-9) if on_phone else 0

    return scheduled(servers_c), scheduled(servers_a)


def _allocation(centre: Centre, workload: np.ndarray) -> np.ndarray:
    """share[p, c, k]: the part of pool p's agents working channel c in interval k."""
    n_p, (n_c, n_k) = len(centre.pools), workload.shape
    share = np.zeros((n_p, n_c, n_k))
    for p, pool in enumerate(centre.pools):
        chans = sorted({s.channel for s in pool.skills if s.primary})
        w = workload[chans]
        tot = w.sum(axis=0)
        even = np.full_like(w, 1.0 / len(chans))
        share[p, chans] = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), even)
    return share


def work_h(centre: Centre, records: ContactRecords) -> np.ndarray:
    """Agent-hours each contact brings if it reaches an agent: its handle time with the intent's
    factor and the forecast's scale (before the answering pool's proficiency), divided by the
    channel's concurrency. Zero for contacts that never reach the agents."""
    n_in = len(centre.intents)
    factor = np.array([it.handle_factor for it in centre.intents])[None, :] * (
        np.ones((len(centre.channels), n_in))
        if centre.handle_scale is None
        else centre.handle_scale
    )
    conc = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    w = records.handle_s * factor[records.channel, records.intent] / conc[records.channel]
    return np.where(np.isnan(records.queued_s), 0.0, w) / 3600.0


class _Flags:
    """Per-contact facts shared by the interval and total metrics.

    Queue figures (service level, waits, abandonment rate) are over contacts that reached the
    agents (``to_agents``); callbacks are left out of the live-answer figures (the customer was
    not waiting on the line) and counted apart.
    """

    def __init__(self, centre: Centre, records: ContactRecords) -> None:
        o = records.outcome
        self.target = np.array([ch.target_s for ch in centre.channels])[records.channel]
        self.to_agents = ~np.isnan(records.queued_s)
        self.wait = np.where(self.to_agents, records.wait_s, 0.0)
        self.callback = records.callback.astype(bool)
        live = self.to_agents & ~self.callback
        self.live = live
        self.answered = (o == Outcome.IN_SERVICE) | (o == Outcome.HANDLED)
        self.handled = o == Outcome.HANDLED
        self.abandoned = o == Outcome.ABANDONED
        self.blocked = o == Outcome.BLOCKED
        self.waiting = o == Outcome.WAITING
        self.prevented = o == Outcome.PREVENTED
        self.contained = o == Outcome.CONTAINED
        self.bot_switched = o == Outcome.SWITCHED
        self.in_system = self.waiting | (o == Outcome.IN_SERVICE) | (o == Outcome.IN_BOT)
        self.decided = live & ~(self.waiting & (self.wait < self.target))
        self.answered_in_t = live & self.answered & (self.wait <= self.target)
        self.left_queue = live & (self.answered | self.abandoned)
        self.left_queue_in_t = self.left_queue & (self.wait <= self.target)
        self.answered_live = live & self.answered
        first_channel = records.channel[records.customer]
        self.switch = (records.kind != ContactKind.NEW) & (records.channel != first_channel)
        self.is_async = np.array([ch.mode == ASYNC for ch in centre.channels])[records.channel]
        self.late_async = self.is_async & ~self.answered_in_t & self.decided
        kind = records.kind
        self.count_masks = {  # COUNT_KEYS -> the contacts each one counts
            "offered": np.ones(len(records), dtype=bool),
            "new": kind == ContactKind.NEW,
            "retries": kind == ContactKind.RETRY,
            "repeats": kind == ContactKind.REPEAT,
            "chasers": kind == ContactKind.CHASER,
            "channel_switches": self.switch,
            "prevented": self.prevented,
            "contained": self.contained,
            "bot_switched": self.bot_switched,
            "to_agents": self.to_agents,
            "callbacks": self.callback,
            "answered": self.answered,
            "handled": self.handled,
            "abandoned": self.abandoned,
            "blocked": self.blocked,
            "in_system_at_end": self.in_system,
        }
        assert tuple(self.count_masks) == COUNT_KEYS


def interval_metrics(
    centre: Centre,
    records: ContactRecords,
    warmup_s: float,
    required: Callable[[int, float], tuple[int, int]] | None = None,
) -> dict[str, np.ndarray]:
    """Per channel x interval metrics (the rows of ``intervals.csv``), channel-major."""
    required = required or (lambda c, r: required_agents(centre, c, r))
    n_c, n_k = len(centre.channels), centre.n_intervals
    dt = centre.interval_s
    f = _Flags(centre, records)
    k_of = np.minimum((records.arrival_s // dt).astype(np.int64), n_k - 1)
    g = records.channel.astype(np.int64) * n_k + k_of
    n_g = n_c * n_k

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(g[mask], minlength=n_g).astype(np.float64)

    def total(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(g[mask], weights=values[mask], minlength=n_g)

    def p90(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.full(n_g, np.nan)
        sel = np.flatnonzero(mask)
        order = sel[np.argsort(g[sel], kind="stable")]
        bounds = np.searchsorted(g[order], np.arange(n_g + 1))
        for i in range(n_g):
            lo, hi = bounds[i], bounds[i + 1]
            if hi > lo:
                out[i] = float(np.quantile(values[order[lo:hi]], 0.9))
        return out

    starts = centre.interval_starts_s
    edges = np.append(starts, centre.horizon_s)
    conc = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    weight = 1.0 / conc[records.channel]
    n_p = len(centre.pools)
    # busy[p, c, k]: agent-hours pool p spent on channel c in interval k.
    busy = np.zeros((n_p, n_c, n_k))
    for p in range(n_p):
        in_pool = records.pool == p
        for c in range(n_c):
            busy[p, c] = busy_time_s(records, edges, in_pool & (records.channel == c), weight)
    busy /= 3600.0
    busy_h = busy.sum(axis=0).ravel()
    mean_handle = centre.mean_handle_s()
    planned = (centre.rate_per_s * mean_handle[:, :, None]).sum(axis=1) * dt / 3600.0
    planned /= conc[:, None]
    # Demand workload: the work of the simulated contacts that reached the agents (retries,
    # repeats, chasers included; contained and prevented ones not), by arrival interval.
    workload = total(work_h(centre, records), np.ones(len(records), dtype=bool)).reshape(n_c, n_k)
    share = _allocation(centre, planned)
    sched = np.stack([p.agents_scheduled for p in centre.pools])[:, None, :]
    on_phone = np.stack([p.agents_on_phone for p in centre.pools])[:, None, :]
    shrink = np.array([p.shrinkage for p in centre.pools])[:, None, None]
    agents_sched = (share * sched).sum(axis=0)
    agents_on = (share * on_phone).sum(axis=0)
    capacity = (share * sched * (1.0 - shrink)).sum(axis=0) * dt / 3600.0
    rate_c = centre.rate_per_s.sum(axis=1)
    req = {}
    for c in range(n_c):
        for r in np.unique(rate_c[c]):
            req[(c, r)] = required(c, float(r))
    req_c = np.array([[req[(c, r)][0] for r in rate_c[c]] for c in range(n_c)], dtype=float)
    req_a = np.array([[req[(c, r)][1] for r in rate_c[c]] for c in range(n_c)], dtype=float)
    has_patience = np.array(
        [ch.patience is not None and ch.mode != ASYNC for ch in centre.channels]
    )
    req_used = np.where(has_patience[:, None], req_a, req_c)
    # Backlog at each interval end (async channels): arrived by then, not yet answered or gone.
    backlog = np.zeros((n_c, n_k))
    for c in range(n_c):
        if centre.channels[c].mode != ASYNC:
            continue
        sel = records.channel == c
        arrived = np.searchsorted(np.sort(records.arrival_s[sel]), edges[1:], side="right")
        gone_t = np.where(f.answered[sel], records.answer_s[sel], records.end_s[sel])
        gone_t = np.sort(gone_t[~np.isnan(gone_t)])
        backlog[c] = arrived - np.searchsorted(gone_t, edges[1:], side="right")

    counts = {k: count(m) for k, m in f.count_masks.items()}
    decided = count(f.decided)
    # Staffed time split between channels as the pools actually spent it (planned workload
    # shares where a pool was idle), so a channel's occupancy is its agents' real occupancy.
    pool_busy = busy.sum(axis=1, keepdims=True)
    spent = np.where(pool_busy > 0, busy / np.where(pool_busy > 0, pool_busy, 1.0), share)
    staffed_h = (spent * on_phone).sum(axis=0) * dt / 3600.0
    cols: dict[str, np.ndarray] = {
        "channel": np.repeat(np.arange(n_c, dtype=np.float64), n_k),
        "interval": np.tile(np.arange(n_k, dtype=np.float64), n_c),
        "start_min": np.tile(starts / 60.0, n_c),
        "in_warmup": np.tile((starts < warmup_s).astype(np.float64), n_c),
        **counts,
        "answered_within_target": count(f.answered_in_t),
        "sl_answered_within_t": _ratio(count(f.answered_in_t), decided),
        "sl_wait_le_t": _ratio(count(f.left_queue_in_t), decided),
        "abandon_rate": _ratio(counts["abandoned"], counts["to_agents"]),
        "asa_s": _ratio(total(f.wait, f.answered_live), count(f.answered_live)),
        "mean_wait_s": _ratio(total(f.wait, f.left_queue), count(f.left_queue)),
        "p90_wait_s": p90(f.wait, f.left_queue),
        "backlog_at_end": backlog.ravel(),
        "agents_scheduled": agents_sched.ravel(),
        "agents_on_phone": agents_on.ravel(),
        "busy_agent_h": busy_h,
        "staffed_agent_h": staffed_h.ravel(),
        "occupancy": _ratio(busy_h, staffed_h.ravel()),
        "demand_workload_h": workload.ravel(),
        "planned_workload_h": planned.ravel(),
        "capacity_h": capacity.ravel(),
        "demand_delta_h": (workload - capacity).ravel(),
        "required_agents_erlang_c": req_c.ravel(),
        "required_agents_erlang_a": np.where(has_patience[:, None], req_a, np.nan).ravel(),
        "staffing_delta": (req_used - agents_sched).ravel(),
    }
    assert tuple(cols) == INTERVAL_COLUMNS
    return cols


def total_metrics(
    centre: Centre,
    records: ContactRecords,
    warmup_s: float,
    intervals: dict[str, np.ndarray],
    channel: int = ALL_CHANNELS,
) -> dict[str, float]:
    """Whole-run figures over the measured (post-warm-up) intervals, for one channel or all.

    Ratios are recomputed over all contacts, never averaged over intervals.
    """
    first = int(np.searchsorted(centre.interval_starts_s, warmup_s, side="left"))
    f = _Flags(centre, records)
    sel = records.arrival_s >= first * centre.interval_s
    rows = intervals["interval"] >= first
    if channel != ALL_CHANNELS:
        sel &= records.channel == channel
        rows &= intervals["channel"] == channel
    n_agents = float((f.to_agents & sel).sum())
    wait = f.wait[sel]
    left = f.left_queue[sel]
    iv = {k: v[rows] for k, v in intervals.items()}
    delta = iv["demand_delta_h"]
    if channel == ALL_CHANNELS:
        # The centre's delta per interval sums the channels before looking at its sign.
        delta = np.bincount(iv["interval"].astype(np.int64) - first, weights=delta)
    unmet = (f.abandoned | f.blocked | f.waiting)[sel]
    decided = float(f.decided[sel].sum())

    def frac(num: float, den: float) -> float:
        return num / den if den > 0 else float("nan")

    def s(mask: np.ndarray) -> float:
        return float(mask[sel].sum())

    totals = {
        **{k: s(m) for k, m in f.count_masks.items()},
        "sl_answered_within_t": frac(s(f.answered_in_t), decided),
        "sl_wait_le_t": frac(s(f.left_queue_in_t), decided),
        "abandon_rate": frac(s(f.abandoned), n_agents),
        "blocking_rate": frac(s(f.blocked), n_agents),
        # Blocked contacts have zero time in queue, so wait > 0 is exactly "had to queue".
        "p_wait": frac(float((wait[f.live[sel]] > 0).sum()), s(f.live)),
        "asa_s": frac(float(wait[f.answered_live[sel]].sum()), s(f.answered_live)),
        "mean_wait_s": frac(float(wait[left].sum()), float(left.sum())),
        "p90_wait_s": float(np.quantile(wait[left], 0.9)) if left.any() else float("nan"),
        "occupancy": frac(float(iv["busy_agent_h"].sum()), float(iv["staffed_agent_h"].sum())),
        "busy_agent_h": float(iv["busy_agent_h"].sum()),
        "staffed_agent_h": float(iv["staffed_agent_h"].sum()),
        "demand_workload_h": float(iv["demand_workload_h"].sum()),
        "planned_workload_h": float(iv["planned_workload_h"].sum()),
        "capacity_h": float(iv["capacity_h"].sum()),
        "demand_delta_h": float(delta.sum()),
        "positive_demand_delta_h": float(np.clip(delta, 0.0, None).sum()),
        "peak_demand_delta_h": float(delta.max()) if delta.size else float("nan"),
        "share_intervals_in_deficit": float((delta > 0).mean()) if delta.size else float("nan"),
        "unmet_contacts": float(unmet.sum()),
        "late_async": s(f.late_async),
        "backlog_left": s(f.waiting & f.is_async),
        "unmet_workload_h": float(work_h(centre, records)[sel][unmet].sum()),
    }
    assert tuple(totals) == TOTAL_KEYS
    return totals


def pool_metrics(centre: Centre, records: ContactRecords) -> dict[str, np.ndarray]:
    """Per pool x interval: staffing, busy time (concurrency counted once) and occupancy."""
    n_k, dt = centre.n_intervals, centre.interval_s
    edges = np.append(centre.interval_starts_s, centre.horizon_s)
    conc = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    weight = 1.0 / conc[records.channel]
    busy = (
        np.concatenate(
            [
                busy_time_s(records, edges, records.pool == p, weight)
                for p in range(len(centre.pools))
            ]
        )
        / 3600.0
    )
    on_phone = np.concatenate([p.agents_on_phone for p in centre.pools]).astype(np.float64)
    staffed = on_phone * dt / 3600.0
    cols = {
        "pool": np.repeat(np.arange(len(centre.pools), dtype=np.float64), n_k),
        "interval": np.tile(np.arange(n_k, dtype=np.float64), len(centre.pools)),
        "agents_scheduled": np.concatenate([p.agents_scheduled for p in centre.pools]).astype(
            float
        ),
        "agents_on_phone": on_phone,
        "busy_agent_h": busy,
        "staffed_agent_h": staffed,
        "occupancy": _ratio(busy, staffed),
    }
    assert tuple(cols) == POOL_COLUMNS
    return cols


INTENT_COUNT_KEYS = (  # a subset of COUNT_KEYS
    "offered",
    "new",
    "retries",
    "repeats",
    "chasers",
    "prevented",
    "contained",
    "to_agents",
    "answered",
    "handled",
    "abandoned",
)
INTENT_KEYS = (
    *INTENT_COUNT_KEYS,
    "sl_answered_within_t",
    "abandon_rate",
    "asa_s",
    "mean_wait_s",
    "demand_workload_h",
    "unmet_contacts",
)


def intent_metrics(
    centre: Centre, records: ContactRecords, warmup_s: float
) -> list[dict[str, float]]:
    """Contact-based figures per intent (all channels), over the measured intervals."""
    first = int(np.searchsorted(centre.interval_starts_s, warmup_s, side="left"))
    f = _Flags(centre, records)
    work = work_h(centre, records)
    measured = records.arrival_s >= first * centre.interval_s
    out = []
    for j in range(len(centre.intents)):
        sel = measured & (records.intent == j)

        def s(mask: np.ndarray, sel: np.ndarray = sel) -> float:
            return float((mask & sel).sum())

        answered = s(f.answered_live)
        n_agents = s(f.to_agents)
        left = f.left_queue & sel
        decided = s(f.decided)
        row = {
            **{k: s(f.count_masks[k]) for k in INTENT_COUNT_KEYS},
            "sl_answered_within_t": s(f.answered_in_t) / decided if decided else float("nan"),
            "abandon_rate": s(f.abandoned) / n_agents if n_agents else float("nan"),
            "asa_s": (
                float(f.wait[f.answered_live & sel].sum()) / answered if answered else float("nan")
            ),
            "mean_wait_s": float(f.wait[left].mean()) if left.any() else float("nan"),
            "demand_workload_h": float(work[sel].sum()),
            "unmet_contacts": s(f.abandoned | f.blocked | f.waiting),
        }
        assert tuple(row) == INTENT_KEYS
        out.append(row)
    return out
