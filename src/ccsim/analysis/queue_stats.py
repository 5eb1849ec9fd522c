"""Queue statistics that published calculators and simulators report beside service level:
time-average numbers in queue and in system, spreads of waits and of time in system, the
virtual waiting time, abandonment before and after the target, waiting per customer over its
retries, and (single queues) the time-average state probabilities P(N = n).

All are over the agents' part of the centre: a contact is *in queue* from joining the agents'
queue (``queued_s``) until it is answered, abandons or the run ends, and *in system* until its
service ends (bot sessions are not counted). Figures are over the measured (post-warm-up) part
of the run, like the other totals.

**Virtual waiting time** ``V``: the wait an infinitely patient contact would have had, had it
joined the queue when this one did. For a contact answered, ``V`` is its wait. For one that
abandoned (or was still waiting at the end), under first-come-first-served a patient probe
reaches the head of the queue when the last contact ahead of it has left (answered or
abandoned), with every agent busy, and is answered at the next service end of its channel (or
earlier, when a later contact is answered first: an agent starting a shift); ``V`` is that
moment less its arrival. Contacts behind the probe do not change it, and those ahead are the
same as in the run. If that moment is past the end, ``V`` is known only to exceed the time left
(it counts as above the target when that time already does, else it is left out). Exact for
one FCFS queue with constant staffing (the Erlang models); with priorities, several pools or
agents leaving mid-queue it is an estimate. A blocked contact (waiting room full) has no
virtual wait and counts as a miss, as in the other service-level definitions.
"""

from __future__ import annotations

import numpy as np

from ccsim.analysis.contact_flags import ContactFlags
from ccsim.model.centre import Centre
from ccsim.model.records import ContactKind, ContactRecords

__all__ = [
    "QUEUE_KEYS",
    "QUEUE_INTERVAL_COLUMNS",
    "overlap_s",
    "number_in_queue_and_system",
    "virtual_wait_s",
    "queue_totals",
    "state_probabilities",
]

QUEUE_INTERVAL_COLUMNS = ("mean_in_queue", "mean_in_system")
QUEUE_KEYS = (
    "mean_in_queue",
    "mean_in_system",
    "mean_time_in_system_s",
    "sd_wait_s",
    "sd_time_in_system_s",
    "abandoned_within_t",
    "abandoned_after_t",
    "virtual_wait_s",
    "sl_virtual_wait_le_t",
    "customer_wait_s",
    "answered_within_target",
    "decided",
)


def overlap_s(
    start: np.ndarray, end: np.ndarray, edges_s: np.ndarray, weight: np.ndarray | None = None
) -> np.ndarray:
    """Sum of ``weight x`` the overlap of each span [start, end) with each interval between
    consecutive ``edges_s``. Only non-negative terms are added, so an interval no span touches
    is exactly 0; whole intervals a span crosses are counted with a running count of open spans
    per weight (in integers), not with differences of cumulative sums (which leave float noise)."""
    n = len(edges_s) - 1
    lo, hi = edges_s[0], edges_s[-1]
    start, end = np.clip(start, lo, hi), np.clip(end, lo, hi)
    w = np.ones(start.size) if weight is None else np.asarray(weight, dtype=np.float64)
    keep = end > start
    start, end, w = start[keep], end[keep], w[keep]
    ks = np.minimum(np.searchsorted(edges_s, start, side="right") - 1, n - 1)
    ke = np.minimum(np.searchsorted(edges_s, end, side="right") - 1, n - 1)
    one = ks == ke
    total = np.zeros(n)
    total += np.bincount(ks[one], weights=w[one] * (end[one] - start[one]), minlength=n)
    ks, ke, w, s0, e0 = ks[~one], ke[~one], w[~one], start[~one], end[~one]
    total += np.bincount(ks, weights=w * (edges_s[ks + 1] - s0), minlength=n)
    total += np.bincount(ke, weights=w * (e0 - edges_s[ke]), minlength=n)
    across = np.zeros(n)
    for wv in np.unique(w):
        mine = w == wv
        opened = np.bincount(ks[mine] + 1, minlength=n + 1) - np.bincount(ke[mine], minlength=n + 1)
        across += wv * np.cumsum(opened[:n])
    total += across * np.diff(edges_s)
    return total


def _left_queue_s(records: ContactRecords) -> np.ndarray:
    t = np.where(np.isnan(records.answer_s), records.end_s, records.answer_s)
    return np.where(np.isnan(t), records.horizon_s, t)


def number_in_queue_and_system(
    records: ContactRecords, edges_s: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Time-average number of ``mask``'s contacts in the agents' queue and in the system in each
    interval between ``edges_s``."""
    reached = mask & ~np.isnan(records.queued_s)
    queued = records.queued_s[reached]
    gone = np.where(np.isnan(records.end_s), records.horizon_s, records.end_s)[reached]
    width = np.diff(edges_s)
    in_queue = overlap_s(queued, _left_queue_s(records)[reached], edges_s) / width
    in_system = overlap_s(queued, gone, edges_s) / width
    return in_queue, in_system


def virtual_wait_s(centre: Centre, records: ContactRecords, f: ContactFlags) -> np.ndarray:
    """Per contact: its virtual waiting time (module docstring); NaN where it has none (not
    live in the agents' queue, blocked); ``-inf`` marks "more than the time left to the end"
    (censored), to be read with :func:`queue_totals`."""
    v = np.full(len(records), np.nan)
    answer = np.where(f.answered_live, records.answer_s, np.inf)
    left = _left_queue_s(records)
    for c in range(len(centre.channels)):
        mine = np.flatnonzero(f.live & (records.channel == c) & ~f.blocked)
        if mine.size == 0:
            continue
        order = mine[np.argsort(records.queued_s[mine], kind="stable")]
        t = records.queued_s[order]
        # The earliest answer among the contacts that joined after each one (ties: not before).
        later = np.minimum.accumulate(answer[order][::-1])[::-1]
        later = np.append(later[1:], np.inf)
        # When the last contact ahead left the queue: from then on the probe is at the head,
        # with every agent busy (someone was waiting), until the next service ends.
        ahead_left = np.maximum.accumulate(left[order])
        head_s = np.maximum(t, np.concatenate([[-np.inf], ahead_left[:-1]]))
        ends = np.sort(records.end_s[(records.channel == c) & f.handled])
        k = np.searchsorted(ends, head_s, side="right")
        next_end = np.append(ends, np.inf)[k]
        # An agent starting a shift can answer a later contact before any service ends.
        probe = np.minimum(later, next_end)
        wait = np.where(f.answered_live[order], f.wait[order], probe - t)
        v[order] = np.where(np.isfinite(wait), wait, -np.inf)
    return v


def _std(x: np.ndarray) -> float:
    return float(x.std(ddof=1)) if x.size > 1 else float("nan")


def queue_totals(
    centre: Centre,
    records: ContactRecords,
    warmup_s: float,
    channel: int = -1,
    f: ContactFlags | None = None,
) -> dict[str, float]:
    """Whole-run figures (:data:`QUEUE_KEYS`) for one channel or, with ``channel=-1``, all."""
    f = f or ContactFlags(centre, records)
    first = int(np.searchsorted(centre.interval_starts_s, warmup_s, side="left"))
    t0 = first * centre.interval_s
    sel = records.arrival_s >= t0
    if channel >= 0:
        sel &= records.channel == channel
    edges = np.array([t0, centre.horizon_s])
    in_queue, in_system = number_in_queue_and_system(
        records,
        edges,
        (records.channel == channel) if channel >= 0 else np.ones(len(records), bool),
    )
    left = f.left_queue & sel
    done = f.live & f.handled & sel
    in_system_s = (records.end_s - records.queued_s)[done]
    target = f.target
    v = virtual_wait_s(centre, records, f)
    time_left = centre.horizon_s - records.queued_s
    censored = v == -np.inf
    known = sel & (np.isfinite(v) | (censored & (time_left > target)))
    met_virtual = known & np.isfinite(v) & (v <= target)
    blocked = f.blocked & sel
    first_try = (records.kind == ContactKind.NEW) | (records.kind == ContactKind.RETRY)
    per_customer = first_try & f.live & sel
    customers = np.unique(records.customer[per_customer])
    waited = np.bincount(
        records.customer[per_customer], weights=f.wait[per_customer], minlength=len(records)
    )

    def frac(num: float, den: float) -> float:
        return num / den if den > 0 else float("nan")

    span = centre.horizon_s - t0
    totals = {
        "mean_in_queue": float(in_queue[0]) if span > 0 else float("nan"),
        "mean_in_system": float(in_system[0]) if span > 0 else float("nan"),
        "mean_time_in_system_s": float(in_system_s.mean()) if in_system_s.size else float("nan"),
        "sd_wait_s": _std(f.wait[left]),
        "sd_time_in_system_s": _std(in_system_s),
        "abandoned_within_t": float((f.abandoned & sel & (f.wait <= target)).sum()),
        "abandoned_after_t": float((f.abandoned & sel & (f.wait > target)).sum()),
        "virtual_wait_s": float(v[sel & np.isfinite(v)].mean())
        if (sel & np.isfinite(v)).any()
        else float("nan"),
        "sl_virtual_wait_le_t": frac(float(met_virtual.sum()), float(known.sum() + blocked.sum())),
        "customer_wait_s": float(waited[customers].mean()) if customers.size else float("nan"),
        "answered_within_target": float((f.answered_in_t & sel).sum()),
        "decided": float((f.decided & sel).sum()),
    }
    assert tuple(totals) == QUEUE_KEYS
    return totals


def state_probabilities(centre: Centre, records: ContactRecords, warmup_s: float) -> np.ndarray:
    """Time-average P(N = n), n = 0, 1, ...: N the contacts in the system (queue and service)
    over the measured part of the run. Meaningful for a single queue (all channels pooled)."""
    first = int(np.searchsorted(centre.interval_starts_s, warmup_s, side="left"))
    t0, t1 = first * centre.interval_s, centre.horizon_s
    reached = ~np.isnan(records.queued_s)
    start = records.queued_s[reached]
    end = np.where(np.isnan(records.end_s), t1, records.end_s)[reached]
    keep = end > start
    start, end = start[keep], end[keep]
    n0 = int(((start <= t0) & (end > t0)).sum())  # in the system when measuring starts
    arrive = (start > t0) & (start < t1)
    leave = (end > t0) & (end < t1)
    times = np.concatenate([start[arrive], end[leave]])
    steps = np.concatenate([np.ones(int(arrive.sum())), -np.ones(int(leave.sum()))])
    order = np.argsort(times, kind="stable")
    times, steps = times[order], steps[order]
    n = n0 + np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
    durations = np.diff(np.concatenate([[t0], times, [t1]]))
    probs = np.bincount(n, weights=durations) / (t1 - t0)
    return probs
