"""Staffing as the search sees it: agents on the phone per pool and interval, the heads that
give them, how a channel's work splits between the pools that serve it, and the Erlang start
(step 1 of :mod:`ccsim.planning.staffing`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ccsim.analysis.demand_delta import required_on_phone
from ccsim.model.centre import ASYNC, Centre

__all__ = ["scheduled_for", "with_staffing", "primary_split", "erlang_start", "pools_of"]


def scheduled_for(on_phone: np.ndarray, keep: np.ndarray | float) -> np.ndarray:
    """The fewest scheduled heads whose on-phone agents, as the config rounds them
    (``floor(heads x keep + 0.5)``), reach ``on_phone``; ``keep``: the on-phone share of the
    heads, per interval (:meth:`~ccsim.model.centre.PoolSpec.gross_up_shares`) or one value."""
    on = np.asarray(on_phone, dtype=np.float64)
    heads = np.maximum(np.ceil((on - 0.5) / keep - 1e-9), 0.0)
    short = np.floor(heads * keep + 0.5) < on
    heads = np.where(short, heads + 1.0, heads)
    return np.where(on > 0, heads, 0.0)


def with_staffing(centre: Centre, on_phone: np.ndarray) -> Centre:
    """``centre`` with agents_on_phone[p] = on_phone[p] and the heads that give them."""
    pools = tuple(
        replace(
            pool,
            agents_on_phone=on_phone[p].astype(np.int64),
            agents_scheduled=scheduled_for(on_phone[p], pool.gross_up_shares()),
        )
        for p, pool in enumerate(centre.pools)
    )
    return replace(centre, pools=pools)


def primary_split(centre: Centre) -> np.ndarray:
    """split[c, j, p]: the part of (channel c, intent j) work that pool p takes as a primary
    skill: shared between the pools that have it, in proportion to their rostered heads."""
    n_c, n_j, n_p = len(centre.channels), len(centre.intents), len(centre.pools)
    split = np.zeros((n_c, n_j, n_p))
    heads = np.array([max(float(p.agents_scheduled.sum()), 1e-9) for p in centre.pools])
    for p, pool in enumerate(centre.pools):
        for s in pool.skills:
            if s.primary:
                split[s.channel, s.intent, p] = heads[p]
    total = split.sum(axis=2, keepdims=True)
    return np.divide(split, total, out=np.zeros_like(split), where=total > 0)


def _planned_work(centre: Centre) -> np.ndarray:
    """[c, j, k]: planned agent-hours of each channel and intent."""
    conc = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    work = centre.rate_per_s * centre.mean_handle_s()[:, :, None] * centre.interval_s / 3600.0
    return work / conc[:, None, None]


def erlang_start(centre: Centre, erlang: str = "a") -> np.ndarray:
    """[p, k]: the search's first staffing (step 1 of the module docstring): agents on the
    phone per pool, from Erlang A (``erlang="a"``; Erlang C where customers never abandon) or
    Erlang C (``"c"``)."""
    n_p, n_k = len(centre.pools), centre.n_intervals
    split = primary_split(centre)
    work = _planned_work(centre)  # [c, j, k]
    by_pool = np.einsum("cjk,cjp->cpk", work, split)  # [c, p, k]
    channel_work = work.sum(axis=1)  # [c, k]
    share = np.divide(
        by_pool,
        channel_work[:, None, :],
        out=np.zeros_like(by_pool),
        where=channel_work[:, None, :] > 0,
    )
    need = np.zeros((n_p, n_k))
    rate = centre.rate_per_s.sum(axis=1)
    roster = np.stack([p.agents_on_phone for p in centre.pools]).astype(np.float64)
    per_day = max(1, int(round(86400.0 / centre.interval_s)))
    for c, ch in enumerate(centre.channels):
        if ch.mode == ASYNC:
            load = by_pool[c] / (centre.interval_s / 3600.0)  # [p, k] erlangs
            for p in range(n_p):
                for d0 in range(0, n_k, per_day):
                    day = slice(d0, min(d0 + per_day, n_k))
                    open_w = roster[p, day]
                    if open_w.sum() > 0:
                        need[p, day] += load[p, day].sum() * open_w / open_w.sum()
                    else:
                        need[p, day] += load[p, day]
            continue
        agents = {r: required_on_phone(centre, c, float(r)) for r in np.unique(rate[c])}
        use_a = ch.patience is not None and erlang == "a"
        on = np.array([agents[r][1 if use_a else 0] for r in rate[c]], dtype=np.float64)
        need += share[c] * on[None, :]
    return np.ceil(need - 1e-9)


def pools_of(centre: Centre) -> list[list[int]]:
    """For each channel, the pools with a primary skill on it."""
    out: list[list[int]] = [[] for _ in centre.channels]
    for p, pool in enumerate(centre.pools):
        for c in sorted({s.channel for s in pool.skills if s.primary}):
            out[c].append(p)
    return out
