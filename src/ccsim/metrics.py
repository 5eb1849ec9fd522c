"""Metrics of one run, per interval and in total, computed from the contact records.

Contact counts and waits are attributed to the interval in which the contact *arrived* (the
planner's convention); agent time (busy, staffed, capacity) to the interval in which it is spent.

Service level comes in two definitions, both over contacts whose fate against the target T is
known by the end of the run (a contact still queued at the horizon that has waited less than T is
left out; one that already waited T or more counts as a miss). Blocked contacts count as misses.

* ``sl_answered_within_t``: answered within T / arrivals (abandoned and blocked in the
  denominator). The usual call-centre definition, and Erlang A's "P(served and W <= T)".
* ``sl_wait_le_t``: share of arrivals whose time in queue, until answer *or abandonment*, is at
  most T: Erlang A's "P(W <= T)". Customers who hang up within T count as met. For Erlang C
  (no abandonment) the two coincide.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .records import ContactRecords, Outcome
from .scenario import Scenario

__all__ = ["interval_metrics", "total_metrics", "INTERVAL_COLUMNS", "TOTAL_KEYS", "busy_time_s"]

INTERVAL_COLUMNS = (
    "interval",
    "start_min",
    "in_warmup",
    "offered",
    "answered",
    "handled",
    "abandoned",
    "blocked",
    "in_system_at_end",
    "answered_within_target",
    "sl_answered_within_t",
    "sl_wait_le_t",
    "abandon_rate",
    "asa_s",
    "mean_wait_s",
    "p90_wait_s",
    "agents_scheduled",
    "agents_on_phone",
    "busy_agent_h",
    "staffed_agent_h",
    "occupancy",
    "demand_workload_h",
    "offered_workload_h",
    "capacity_h",
    "demand_delta_h",
    "required_agents_erlang_c",
    "required_agents_erlang_a",
    "staffing_delta",
)

TOTAL_KEYS = (
    "offered",
    "answered",
    "handled",
    "abandoned",
    "blocked",
    "in_system_at_end",
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
    "offered_workload_h",
    "capacity_h",
    "demand_delta_h",
    "positive_demand_delta_h",
    "peak_demand_delta_h",
    "share_intervals_in_deficit",
    "unmet_contacts",
    "unmet_workload_h",
)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def busy_time_s(records: ContactRecords, edges_s: np.ndarray) -> np.ndarray:
    """Agent-seconds spent handling contacts between consecutive ``edges_s``.

    Busy time up to x is sum_i (min(end_i, x) - min(start_i, x)); with the starts and ends
    sorted, sum_i min(v_i, x) is a cumulative sum plus x times the count above x.
    """
    started = ~np.isnan(records.answer_s)
    start = records.answer_s[started]
    end = np.where(np.isnan(records.end_s[started]), records.horizon_s, records.end_s[started])

    def sum_min(v: np.ndarray) -> np.ndarray:
        v = np.sort(v)
        csum = np.concatenate(([0.0], np.cumsum(v)))
        k = np.searchsorted(v, edges_s, side="right")
        return csum[k] + edges_s * (len(v) - k)

    return np.diff(sum_min(end) - sum_min(start))


class _Groups:
    """Contacts grouped by arrival interval (records are in arrival order, so groups are slices)."""

    def __init__(self, records: ContactRecords, scenario: Scenario) -> None:
        self.idx = np.minimum(
            (records.arrival_s // scenario.interval_s).astype(np.int64), scenario.n_intervals - 1
        )
        self.n = scenario.n_intervals
        self.bounds = np.searchsorted(self.idx, np.arange(self.n + 1))

    def count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.idx[mask], minlength=self.n).astype(np.float64)

    def total(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.idx[mask], weights=values[mask], minlength=self.n)

    def per_slice(
        self, values: np.ndarray, mask: np.ndarray, fn: Callable[[np.ndarray], float]
    ) -> np.ndarray:
        out = np.full(self.n, np.nan)
        for k in range(self.n):
            lo, hi = self.bounds[k], self.bounds[k + 1]
            sel = values[lo:hi][mask[lo:hi]]
            if sel.size:
                out[k] = fn(sel)
        return out


def _contact_flags(records: ContactRecords, target_s: float) -> dict[str, np.ndarray]:
    o = records.outcome
    wait = records.wait_s
    answered = (o == Outcome.IN_SERVICE) | (o == Outcome.HANDLED)
    waiting = o == Outcome.WAITING
    # Fate against the target unknown: still queued and has not yet waited T.
    undecided = waiting & (wait < target_s)
    return {
        "answered": answered,
        "handled": o == Outcome.HANDLED,
        "abandoned": o == Outcome.ABANDONED,
        "blocked": o == Outcome.BLOCKED,
        "in_system": waiting | (o == Outcome.IN_SERVICE),
        "waiting": waiting,
        "decided": ~undecided,
        "answered_in_t": answered & (wait <= target_s),
        "left_queue_in_t": (answered | (o == Outcome.ABANDONED)) & (wait <= target_s),
        "left_queue": answered | (o == Outcome.ABANDONED),
        "wait": wait,
    }


def interval_metrics(
    scenario: Scenario,
    records: ContactRecords,
    warmup_s: float,
    required_agents: Callable[[float], tuple[int, int]],
) -> dict[str, np.ndarray]:
    """Per-interval metrics (columns of ``intervals.csv``) for one replication.

    ``required_agents(rate_per_s)`` returns the scheduled agents Erlang C and Erlang A need for
    the scenario's service-level target at that arrival rate.
    """
    g = _Groups(records, scenario)
    f = _contact_flags(records, scenario.target_answer_s)
    all_ = np.ones(len(records), dtype=bool)
    interval_h = scenario.interval_s / 3600.0
    starts = scenario.interval_starts_s
    edges = np.append(starts, scenario.horizon_s)

    offered = g.count(all_)
    decided = g.count(f["decided"])
    busy_h = busy_time_s(records, edges) / 3600.0
    staffed_h = scenario.agents_on_phone * interval_h
    demand_h = (
        scenario.arrival_rate_per_s * scenario.interval_s * scenario.handle_time.mean_s / 3600
    )
    capacity_h = scenario.agents_scheduled * interval_h * (1.0 - scenario.shrinkage)
    req = {rate: required_agents(rate) for rate in np.unique(scenario.arrival_rate_per_s)}
    req_c = np.array([req[r][0] for r in scenario.arrival_rate_per_s], dtype=np.float64)
    req_a = np.array([req[r][1] for r in scenario.arrival_rate_per_s], dtype=np.float64)
    required = req_a if scenario.patience is not None else req_c

    cols: dict[str, np.ndarray] = {
        "interval": np.arange(g.n, dtype=np.float64),
        "start_min": starts / 60.0,
        "in_warmup": (starts < warmup_s).astype(np.float64),
        "offered": offered,
        "answered": g.count(f["answered"]),
        "handled": g.count(f["handled"]),
        "abandoned": g.count(f["abandoned"]),
        "blocked": g.count(f["blocked"]),
        "in_system_at_end": g.count(f["in_system"]),
        "answered_within_target": g.count(f["answered_in_t"]),
        "sl_answered_within_t": _ratio(g.count(f["answered_in_t"]), decided),
        "sl_wait_le_t": _ratio(g.count(f["left_queue_in_t"]), decided),
        "abandon_rate": _ratio(g.count(f["abandoned"]), offered),
        "asa_s": _ratio(g.total(f["wait"], f["answered"]), g.count(f["answered"])),
        "mean_wait_s": _ratio(g.total(f["wait"], f["left_queue"]), g.count(f["left_queue"])),
        "p90_wait_s": g.per_slice(f["wait"], f["left_queue"], lambda w: float(np.quantile(w, 0.9))),
        "agents_scheduled": scenario.agents_scheduled.astype(np.float64),
        "agents_on_phone": scenario.agents_on_phone.astype(np.float64),
        "busy_agent_h": busy_h,
        "staffed_agent_h": staffed_h.astype(np.float64),
        "occupancy": _ratio(busy_h, staffed_h),
        "demand_workload_h": demand_h,
        "offered_workload_h": g.total(records.handle_s, all_) / 3600.0,
        "capacity_h": capacity_h.astype(np.float64),
        "demand_delta_h": demand_h - capacity_h,
        "required_agents_erlang_c": req_c,
        "required_agents_erlang_a": req_a
        if scenario.patience is not None
        else np.full(g.n, np.nan),
        "staffing_delta": required - scenario.agents_scheduled,
    }
    assert tuple(cols) == INTERVAL_COLUMNS
    return cols


def total_metrics(
    scenario: Scenario, records: ContactRecords, warmup_s: float, intervals: dict[str, np.ndarray]
) -> dict[str, float]:
    """Whole-run figures over the measured (post-warm-up) intervals, for one replication.

    Ratios are recomputed over all contacts, never averaged over intervals.
    """
    first = int(np.searchsorted(scenario.interval_starts_s, warmup_s, side="left"))
    measured = records.arrival_s >= first * scenario.interval_s
    f = {k: v[measured] for k, v in _contact_flags(records, scenario.target_answer_s).items()}
    n_offered = float(measured.sum())
    wait = f["wait"]
    iv = {k: v[first:] for k, v in intervals.items()}
    delta = iv["demand_delta_h"]
    unmet = f["abandoned"] | f["blocked"] | f["waiting"]
    decided = float(f["decided"].sum())
    left = f["left_queue"]

    def frac(num: float, den: float) -> float:
        return num / den if den > 0 else float("nan")

    totals = {
        "offered": n_offered,
        "answered": float(f["answered"].sum()),
        "handled": float(f["handled"].sum()),
        "abandoned": float(f["abandoned"].sum()),
        "blocked": float(f["blocked"].sum()),
        "in_system_at_end": float(f["in_system"].sum()),
        "sl_answered_within_t": frac(float(f["answered_in_t"].sum()), decided),
        "sl_wait_le_t": frac(float(f["left_queue_in_t"].sum()), decided),
        "abandon_rate": frac(float(f["abandoned"].sum()), n_offered),
        "blocking_rate": frac(float(f["blocked"].sum()), n_offered),
        # Blocked contacts have zero time in queue, so wait > 0 is exactly "had to queue".
        "p_wait": frac(float((wait > 0).sum()), n_offered),
        "asa_s": frac(float(wait[f["answered"]].sum()), float(f["answered"].sum())),
        "mean_wait_s": frac(float(wait[left].sum()), float(left.sum())),
        "p90_wait_s": float(np.quantile(wait[left], 0.9)) if left.any() else float("nan"),
        "occupancy": frac(float(iv["busy_agent_h"].sum()), float(iv["staffed_agent_h"].sum())),
        "busy_agent_h": float(iv["busy_agent_h"].sum()),
        "staffed_agent_h": float(iv["staffed_agent_h"].sum()),
        "demand_workload_h": float(iv["demand_workload_h"].sum()),
        "offered_workload_h": float(records.handle_s[measured].sum() / 3600.0),
        "capacity_h": float(iv["capacity_h"].sum()),
        "demand_delta_h": float(delta.sum()),
        "positive_demand_delta_h": float(np.clip(delta, 0.0, None).sum()),
        "peak_demand_delta_h": float(delta.max()),
        "share_intervals_in_deficit": float((delta > 0).mean()),
        "unmet_contacts": float(unmet.sum()),
        "unmet_workload_h": float(records.handle_s[measured][unmet].sum() / 3600.0),
    }
    assert tuple(totals) == TOTAL_KEYS
    return totals
