"""The demand delta: demand workload against capacity, per channel x interval, in agent-hours.

* Demand workload: the agent-hours the contacts that reach the agents bring (:func:`work_h`);
  planned workload: the same from the forecast (:func:`planned_workload_h`).
* Capacity: scheduled agents x interval x (1 - shrinkage). Pools shared between channels are
  allocated to the channels they serve (primary skills) in proportion to the channels' planned
  workload in the interval (:func:`pool_shares`), so that per-channel capacity adds up to the
  centre's.
* Demand delta = demand workload - capacity: positive means short of agents; the totals
  (:func:`delta_totals`) are the agent-hours short, the peak and the share of intervals in
  deficit. Async channels (a backlog answered within a response-time target) measure it by
  deadline instead (:func:`channel_delta`, :mod:`ccsim.analysis.deadline_delta`): the work due
  in each interval against the capacity before its deadline, the backlog carried.
* Staffing delta: the agents Erlang C and Erlang A would schedule for the channel's
  service-level target (:func:`required_on_phone`, grossed up to scheduled heads by
  :func:`plan_for`) less the agents scheduled.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ccsim.analysis.deadline_delta import deadline_deltas
from ccsim.analysis.erlang_staffing import agents_for_service_level
from ccsim.model.centre import ASYNC, Centre
from ccsim.model.records import ContactRecords

__all__ = [
    "DELTA_TOTAL_KEYS",
    "Plan",
    "async_groups",
    "channel_delta",
    "delta_totals",
    "plan_for",
    "planned_workload_h",
    "pool_shares",
    "required_on_phone",
    "work_h",
]

# The demand delta's whole-run figures (part of ``ccsim.analysis.metrics.TOTAL_KEYS``).
DELTA_TOTAL_KEYS = (
    "demand_delta_h",
    "positive_demand_delta_h",
    "peak_demand_delta_h",
    "share_intervals_in_deficit",
)


def work_h(centre: Centre, records: ContactRecords) -> np.ndarray:
    """Agent-hours each contact brings if it reaches an agent: its handle time with the intent's
    factor and the forecast's scale (before the answering pool's proficiency), divided by the
    channel's concurrency. Zero for contacts that never reach the agents."""
    factor = centre.handle_factor()  # the centre's handle-time model
    concurrency = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    w = records.handle_s * factor[records.channel, records.intent] / concurrency[records.channel]
    return np.where(np.isnan(records.queued_s), 0.0, w) / 3600.0


def planned_workload_h(centre: Centre) -> np.ndarray:
    """[c, k]: forecast arrivals x mean handle time / concurrency, in agent-hours."""
    concurrency = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    mean_handle = centre.mean_handle_s()
    planned = (centre.rate_per_s * mean_handle[:, :, None]).sum(axis=1) * centre.interval_s / 3600.0
    planned /= concurrency[:, None]
    return planned


def pool_shares(centre: Centre, workload: np.ndarray) -> np.ndarray:
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


def _channel_shrinkage(centre: Centre, c: int) -> float:
    """The staffing-weighted mean shrinkage of the pools that serve channel ``c``."""
    pools = [p for p in centre.pools if any(s.channel == c and s.primary for s in p.skills)]
    heads = np.array([p.agents_scheduled.sum() for p in pools], dtype=np.float64)
    shr = [p.shrinkage for p in pools]
    if heads.sum() > 0:
        return float(np.dot(heads, shr) / heads.sum())
    return float(np.mean(shr)) if shr else 0.0


def required_on_phone(centre: Centre, c: int, rate_per_s: float) -> tuple[int, int]:
    """Agents on the phone (after shrinkage) Erlang C and Erlang A need for channel ``c``'s
    target at this rate.

    Concurrency k turns agents into k servers each; handle time is the channel's mean times
    the intents' volume-weighted factor; Erlang A takes the patience mean as if exponential.
    """
    if rate_per_s <= 0:
        return 0, 0
    ch = centre.channels[c]
    weights = centre.rate_per_s[c].sum(axis=1)
    means = centre.mean_handle_s()[c]
    aht = (
        float(np.dot(weights, means) / weights.sum()) if weights.sum() > 0 else float(means.mean())
    )
    k = ch.concurrency
    servers_c = agents_for_service_level(rate_per_s, aht, ch.target_s, ch.target_service_level)
    patience = ch.patience.mean_s if ch.patience is not None and ch.mode != ASYNC else None
    servers_a = (
        agents_for_service_level(
            rate_per_s, aht, ch.target_s, ch.target_service_level, patience_s=patience
        )
        if patience is not None and math.isfinite(patience)
        else servers_c
    )
    return -(-servers_c // k), -(-servers_a // k)


def _channel_keep(centre: Centre, c: int) -> np.ndarray:
    """[k]: the share of channel ``c``'s scheduled heads on the phone, by which Erlang's
    on-phone agents are grossed up to scheduled heads: 1 - :func:`_channel_shrinkage` in every
    interval, or, where an activity-segment roster staffs the channel, the heads-weighted
    share of its pools in each interval (a lunch hour needs more heads)."""
    pools = [p for p in centre.pools if any(s.channel == c and s.primary for s in p.skills)]
    flat = np.full(centre.n_intervals, 1.0 - _channel_shrinkage(centre, c))
    if all(p.on_phone_share is None for p in pools):
        return flat
    heads = np.stack([p.agents_scheduled for p in pools])
    keep = np.stack([p.gross_up_shares() for p in pools])
    tot = heads.sum(axis=0)
    mean = (heads * keep).sum(axis=0) / np.where(tot > 0, tot, 1.0)
    return np.where((tot > 0) & (mean > 0), mean, flat)


def _gross_up(on_phone: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The fewest scheduled heads whose on-phone share ``keep`` gives ``on_phone`` agents."""
    return np.where(on_phone > 0, np.ceil(on_phone / keep - 1e-9), 0.0)


@dataclass(frozen=True)
class Plan:
    """What the plan (forecast and schedule) gives each channel in each interval: [c, k]
    arrays, except ``share`` (:func:`pool_shares` of the planned workload)."""

    workload_h: np.ndarray
    share: np.ndarray
    agents_scheduled: np.ndarray
    agents_on_phone: np.ndarray
    capacity_h: np.ndarray
    required_erlang_c: np.ndarray
    required_erlang_a: np.ndarray  #: NaN for channels without patience (Erlang C applies)
    staffing_delta: np.ndarray  #: required (Erlang A when customers abandon, else C) - scheduled


def plan_for(centre: Centre, on_phone_required: Callable[[int, float], tuple[int, int]]) -> Plan:
    """The planned side of the demand delta; ``on_phone_required(c, rate)`` is
    :func:`required_on_phone` for the centre (called once per channel and distinct arrival
    rate), grossed up to scheduled heads interval by interval (:func:`_channel_keep`)."""
    n_c = len(centre.channels)
    workload = planned_workload_h(centre)
    share = pool_shares(centre, workload)
    sched = np.stack([p.agents_scheduled for p in centre.pools])[:, None, :]
    on_phone = np.stack([p.agents_on_phone for p in centre.pools])[:, None, :]
    keep = np.stack([p.on_phone_shares() for p in centre.pools])[:, None, :]
    agents_sched = (share * sched).sum(axis=0)
    capacity = (share * sched * keep).sum(axis=0) * centre.interval_s / 3600.0
    rate_c = centre.rate_per_s.sum(axis=1)
    req = {}
    for c in range(n_c):
        for r in np.unique(rate_c[c]):
            req[(c, r)] = on_phone_required(c, float(r))
    on_c = np.array([[req[(c, r)][0] for r in rate_c[c]] for c in range(n_c)], dtype=float)
    on_a = np.array([[req[(c, r)][1] for r in rate_c[c]] for c in range(n_c)], dtype=float)
    keep_c = np.stack([_channel_keep(centre, c) for c in range(n_c)])
    req_c, req_a = _gross_up(on_c, keep_c), _gross_up(on_a, keep_c)
    has_patience = np.array(
        [ch.patience is not None and ch.mode != ASYNC for ch in centre.channels]
    )
    req_used = np.where(has_patience[:, None], req_a, req_c)
    return Plan(
        workload_h=workload,
        share=share,
        agents_scheduled=agents_sched,
        agents_on_phone=(share * on_phone).sum(axis=0),
        capacity_h=capacity,
        required_erlang_c=req_c,
        required_erlang_a=np.where(has_patience[:, None], req_a, np.nan),
        staffing_delta=req_used - agents_sched,
    )


def async_groups(centre: Centre) -> list[list[int]]:
    """The async channels, grouped by the agents they share: two are in one group when a pool
    serves both (primary skills), directly or through a third."""
    group = {c: c for c, ch in enumerate(centre.channels) if ch.mode == ASYNC}

    def root(c: int) -> int:
        while group[c] != c:
            c = group[c]
        return c

    for pool in centre.pools:
        chans = sorted({s.channel for s in pool.skills if s.primary and s.channel in group})
        for c in chans[1:]:
            group[root(c)] = root(chans[0])
    out: dict[int, list[int]] = {}
    for c in group:
        out.setdefault(root(c), []).append(c)
    return list(out.values())


def channel_delta(centre: Centre, workload_h: np.ndarray, capacity_h: np.ndarray) -> np.ndarray:
    """[c, k]: the demand delta the planner reads, per channel and interval. Sync channels:
    ``workload_h - capacity_h`` (their customers wait live: the work of an interval needs that
    interval's agents). Async channels: the deadline delta (:func:`deadline_deltas`): the
    agent-hours short placed before the deadlines the work would miss, less the capacity that
    found the inbox empty; async channels sharing a pool share their capacity, earliest
    deadline first (:func:`async_groups`)."""
    delta = workload_h - capacity_h
    for g in async_groups(centre):
        lags = [centre.channels[c].target_s / centre.interval_s for c in g]
        delta[g] = deadline_deltas(workload_h[g], capacity_h[g], lags).delta_h
    return delta


def delta_totals(delta: np.ndarray) -> dict[str, float]:
    """Whole-run figures of a demand-delta curve (one value per measured interval)."""
    totals = {
        "demand_delta_h": float(delta.sum()),
        "positive_demand_delta_h": float(np.clip(delta, 0.0, None).sum()),
        "peak_demand_delta_h": float(delta.max()) if delta.size else float("nan"),
        "share_intervals_in_deficit": float((delta > 0).mean()) if delta.size else float("nan"),
    }
    assert tuple(totals) == DELTA_TOTAL_KEYS
    return totals
