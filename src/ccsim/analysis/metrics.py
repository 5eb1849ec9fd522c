"""Metrics of one replication from its contact records: per channel x interval, in total, per
pool and per intent.

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

Pools shared between channels: each pool's scheduled agents and capacity are allocated to the
channels it serves (primary skills) in proportion to their planned demand workload in the
interval (:mod:`ccsim.analysis.demand_delta`), so that per-channel capacity adds up to the
centre's; its staffed time, as the pool actually spent it. Pool occupancy is exact.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ccsim.analysis.contact_flags import COUNT_KEYS, ContactFlags, with_cleared
from ccsim.analysis.demand_delta import (
    DELTA_TOTAL_KEYS,
    channel_delta,
    delta_totals,
    plan_for,
    required_on_phone,
    work_h,
)
from ccsim.analysis.queue_stats import (
    QUEUE_INTERVAL_COLUMNS,
    number_in_queue_and_system,
    overlap_s,
)
from ccsim.model.centre import ASYNC, Centre
from ccsim.model.records import ContactRecords

__all__ = [
    "interval_metrics",
    "total_metrics",
    "pool_metrics",
    "intent_metrics",
    "INTERVAL_COLUMNS",
    "TOTAL_KEYS",
    "POOL_COLUMNS",
    "INTENT_KEYS",
    "busy_time_s",
    "ALL_CHANNELS",
]

ALL_CHANNELS = -1

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
    "planned_demand_delta_h",
    "required_agents_erlang_c",
    "required_agents_erlang_a",
    "staffing_delta",
    *QUEUE_INTERVAL_COLUMNS,
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
    *DELTA_TOTAL_KEYS,
    "planned_positive_demand_delta_h",
    "unmet_contacts",
    "late_async",
    "late_async_workload_h",
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
    """Agent-seconds spent handling contacts between consecutive ``edges_s``: each answered
    contact's weight times its overlap with each interval (:func:`overlap_s`). ``weight`` is
    1/concurrency: a chat agent with k chats open is busy once, not k times."""
    started = ~np.isnan(records.answer_s)
    if mask is not None:
        started &= mask
    end = records.end_s[started]
    end = np.where(np.isnan(end), records.horizon_s, end)
    w = None if weight is None else weight[started]
    return overlap_s(records.answer_s[started], end, edges_s, w)


def _numbers_in_queue(
    records: ContactRecords, edges: np.ndarray, n_c: int
) -> dict[str, np.ndarray]:
    """Time-average numbers in queue and in system per channel x interval (channel-major)."""
    per = [number_in_queue_and_system(records, edges, records.channel == c) for c in range(n_c)]
    return {
        "mean_in_queue": np.concatenate([q for q, _ in per]),
        "mean_in_system": np.concatenate([s for _, s in per]),
    }


def interval_metrics(
    centre: Centre,
    records: ContactRecords,
    warmup_s: float,
    required: Callable[[int, float], tuple[int, int]] | None = None,
) -> dict[str, np.ndarray]:
    """Per channel x interval metrics (the rows of ``intervals.csv``), channel-major."""
    required = required or (lambda c, r: required_on_phone(centre, c, r))
    n_c, n_k = len(centre.channels), centre.n_intervals
    dt = centre.interval_s
    f = ContactFlags(centre, records)
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
    concurrency = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    weight = 1.0 / concurrency[records.channel]
    n_p = len(centre.pools)
    # busy[p, c, k]: agent-hours pool p spent on channel c in interval k.
    busy = np.zeros((n_p, n_c, n_k))
    for p in range(n_p):
        in_pool = records.pool == p
        for c in range(n_c):
            busy[p, c] = busy_time_s(records, edges, in_pool & (records.channel == c), weight)
    busy /= 3600.0
    busy_h = busy.sum(axis=0).ravel()
    # Demand workload: the work of the simulated contacts that reached the agents (retries,
    # repeats, chasers included; contained and prevented ones not), by arrival interval.
    workload = total(work_h(centre, records), np.ones(len(records), dtype=bool)).reshape(n_c, n_k)
    plan = plan_for(centre, required)
    on_phone = np.stack([p.agents_on_phone for p in centre.pools])[:, None, :]
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
    spent = np.where(pool_busy > 0, busy / np.where(pool_busy > 0, pool_busy, 1.0), plan.share)
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
        "agents_scheduled": plan.agents_scheduled.ravel(),
        "agents_on_phone": plan.agents_on_phone.ravel(),
        "busy_agent_h": busy_h,
        "staffed_agent_h": staffed_h.ravel(),
        "occupancy": _ratio(busy_h, staffed_h.ravel()),
        "demand_workload_h": workload.ravel(),
        "planned_workload_h": plan.workload_h.ravel(),
        "capacity_h": plan.capacity_h.ravel(),
        # Async channels by deadline (work due vs capacity before it), sync ones per interval.
        "demand_delta_h": channel_delta(centre, workload, plan.capacity_h).ravel(),
        "planned_demand_delta_h": channel_delta(centre, plan.workload_h, plan.capacity_h).ravel(),
        "required_agents_erlang_c": plan.required_erlang_c.ravel(),
        "required_agents_erlang_a": plan.required_erlang_a.ravel(),
        "staffing_delta": plan.staffing_delta.ravel(),
        **_numbers_in_queue(records, edges, n_c),
    }
    assert tuple(cols) == with_cleared(INTERVAL_COLUMNS, centre)
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
    f = ContactFlags(centre, records)
    sel = records.arrival_s >= first * centre.interval_s
    rows = intervals["interval"] >= first
    if channel != ALL_CHANNELS:
        sel &= records.channel == channel
        rows &= intervals["channel"] == channel
    n_agents = float((f.to_agents & sel).sum())
    wait = f.wait[sel]
    left = f.left_queue[sel]
    iv = {k: v[rows] for k, v in intervals.items()}
    delta, planned = iv["demand_delta_h"], iv["planned_demand_delta_h"]
    if channel == ALL_CHANNELS:
        # The centre's delta per interval sums the channels before looking at its sign.
        k = iv["interval"].astype(np.int64) - first
        delta, planned = np.bincount(k, weights=delta), np.bincount(k, weights=planned)
    unmet = (f.abandoned | f.blocked | f.cleared | f.waiting)[sel]
    work = work_h(centre, records)[sel]
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
        **delta_totals(delta),
        "planned_positive_demand_delta_h": float(np.clip(planned, 0.0, None).sum()),
        "unmet_contacts": float(unmet.sum()),
        "late_async": s(f.late_async),
        "late_async_workload_h": float(work[f.late_async[sel]].sum()),
        "backlog_left": s(f.waiting & f.is_async),
        "unmet_workload_h": float(work[unmet].sum()),
    }
    assert tuple(totals) == with_cleared(TOTAL_KEYS, centre)
    return totals


def pool_metrics(centre: Centre, records: ContactRecords) -> dict[str, np.ndarray]:
    """Per pool x interval: staffing, busy time (concurrency counted once) and occupancy."""
    n_k, dt = centre.n_intervals, centre.interval_s
    edges = np.append(centre.interval_starts_s, centre.horizon_s)
    concurrency = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    weight = 1.0 / concurrency[records.channel]
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
    f = ContactFlags(centre, records)
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
            "unmet_contacts": s(f.abandoned | f.blocked | f.cleared | f.waiting),
        }
        assert tuple(row) == INTENT_KEYS
        out.append(row)
    return out
