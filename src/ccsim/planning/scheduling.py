"""Shift scheduling (issue 21): the cheapest roster of allowed shift types that covers a
requirement of scheduled heads per pool and interval, as an integer programme solved by HiGHS
(:func:`scipy.optimize.milp`).

Variables: ``x[j]``, the number of shifts of candidate ``j`` (a shift type on a pool at one of its
starts on one day of the horizon), a whole number in ``[0, max_count]``; ``s[p, k] >= 0``, the
heads pool ``p`` is short in interval ``k`` (continuous). Minimise
``sum_j cost[j] x[j] + shortfall_cost_per_agent_h * interval_h * sum_pk s[p, k]``
subject to ``sum_j a[p, k, j] x[j] + s[p, k] >= R[p, k]`` for every pool and interval with a
requirement, where ``a[:, :, j]`` is candidate ``j``'s coverage: the heads one such shift gives
each interval, computed by :func:`ccsim.inputs.roster.agents_per_interval`, the function that
turns a roster into the simulated centre's scheduled heads. So the coverage the solver plans is
the coverage the centre gets when the roster is read back (up to float rounding of the sum).

``R`` is the requirement rounded up to whole heads (3.2 -> 4: three heads would leave the
interval short), float noise below 1e-9 ignored. A shift is paid for its length without its
(unpaid) breaks, whole, even when it runs past the horizon end (its coverage there is ignored):
a shift cut at the horizon end would otherwise look cheaper than it is. Shifts start at or
after the horizon start (the roster file allows no earlier start).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ccsim.errors import ConfigError
from ccsim.inputs.roster import Shift, agents_per_interval, write_roster_csv
from ccsim.model.schedule import ScheduleSpec

__all__ = [
    "MIP_REL_GAP",
    "Candidate",
    "ScheduleResult",
    "candidate_shifts",
    "required_heads",
    "schedule_shifts",
]

# HiGHS's own default: stop once the roster is proven within 0.01% of the cheapest possible.
MIP_REL_GAP = 1e-4
DAY_S = 86400.0
_NOISE = 1e-9  # below this, a fraction of a head is float noise, not a head


@dataclass(frozen=True)
class Candidate:
    """One shift the roster may hold (``shift.count`` is 1): shift type ``type_index`` of the
    spec on ``shift.pool`` at one start on one day; ``cost`` is what one such shift is paid."""

    type_index: int
    shift: Shift
    cost: float
    max_count: int | None


@dataclass(frozen=True, eq=False)
class ScheduleResult:
    """The roster found and what it gives.

    ``shifts[i]`` (with its ``count``) is of shift type ``type_names[i]``; shifts are sorted by
    start, pool, then type. Per pool (``pools`` order), arrays of one value per interval:
    ``required`` whole heads, ``coverage`` the scheduled heads the roster gives (as the
    simulated centre computes them), ``shortfall`` = ``required - coverage`` where positive.
    ``cost_shifts``: the shifts' paid hours (``paid_h``) at their rates; ``cost_shortfall``:
    the shortfall's agent-hours at ``shortfall_cost_per_agent_h``. ``status``: ``optimal``
    (within ``mip_gap`` of the cheapest) or ``time_limit`` (the best roster found when the
    solver stopped; the cheapest possible costs at least ``lower_bound``).
    """

    shifts: tuple[Shift, ...]
    type_names: tuple[str, ...]
    pools: tuple[str, ...]
    required: dict[str, np.ndarray]
    coverage: dict[str, np.ndarray]
    shortfall: dict[str, np.ndarray]
    interval_s: float
    horizon_start: datetime
    paid_h: float
    cost_shifts: float
    cost_shortfall: float
    status: str
    mip_gap: float
    lower_bound: float
    time_limit_s: float
    n_candidates: int
    solve_s: float

    @property
    def cost_total(self) -> float:
        return self.cost_shifts + self.cost_shortfall

    @property
    def shortfall_agent_h(self) -> float:
        """Agent-hours the roster leaves uncovered, over every pool."""
        return float(sum(s.sum() for s in self.shortfall.values())) * self.interval_s / 3600.0

    def write_roster_csv(self, path: str | Path) -> None:
        """The roster as a file for ``centre.roster_csv`` (reads back to exactly ``shifts``)."""
        write_roster_csv(path, self.shifts, self.horizon_start)

    def describe(self) -> str:
        """One line for the log: what was found and how sure the solver is of it."""
        n = sum(s.count for s in self.shifts)
        found = (
            f"{n} shifts, {self.paid_h:,.1f} paid agent-hours, cost {self.cost_shifts:,.2f} "
            f"+ shortfall {self.shortfall_agent_h:,.1f} agent-hours ({self.cost_shortfall:,.2f})"
        )
        if self.status == "optimal":
            return f"cheapest roster (within {self.mip_gap:.2%}): {found}"
        return (
            f"solver stopped at the time limit ({self.time_limit_s:g} s): best roster found: "
            f"{found}; gap {self.mip_gap:.2%} (the cheapest costs at least "
            f"{self.lower_bound:,.2f}); raise planning.schedule.time_limit_s to close it"
        )


def required_heads(requirement: np.ndarray) -> np.ndarray:
    """Whole heads per interval: rounded up (3.2 -> 4), float noise ignored (3 + 1e-12 -> 3)."""
    return np.maximum(np.ceil(np.asarray(requirement, dtype=np.float64) - _NOISE), 0.0)


def candidate_shifts(
    spec: ScheduleSpec,
    *,
    interval_s: float,
    horizon_start: datetime,
    n_intervals: int,
    cost_per_h: Mapping[str, float],
) -> list[Candidate]:
    """Every shift the roster may hold: each shift type, on each of its pools, at each of its
    starts, on each calendar day of the horizon whose weekday is in its ``days``, starting at
    or after the horizon start and before its end. Sorted by day, type, pool, start."""
    horizon_s = n_intervals * interval_s
    first_day = horizon_start.date()
    into_day_s = (horizon_start - datetime.combine(first_day, datetime.min.time())).total_seconds()
    n_days = math.ceil((into_day_s + horizon_s) / DAY_S)
    out: list[Candidate] = []
    for d in range(n_days):
        weekday = (first_day + timedelta(days=d)).weekday()
        for i, st in enumerate(spec.shift_types):
            if weekday not in st.days:
                continue
            for pool in st.pools:
                rate = st.cost_per_h if st.cost_per_h is not None else cost_per_h.get(pool)
                if rate is None:
                    raise ValueError(f"no cost per hour for pool {pool!r} (shift type {st.name})")
                for offset_s in st.start_offsets_s:
                    start_s = d * DAY_S - into_day_s + offset_s
                    if not 0.0 <= start_s < horizon_s:
                        continue
                    breaks = tuple((start_s + a, start_s + a + b) for a, b in st.breaks)
                    shift = Shift(pool, start_s, start_s + st.length_s, breaks, 1)
                    out.append(Candidate(i, shift, float(rate) * st.paid_h, st.max_count))
    return out


def _check_requirement(
    requirement: Mapping[str, np.ndarray], interval_s: float, n_intervals: int
) -> dict[str, np.ndarray]:
    if not (interval_s > 0 and math.isfinite(interval_s)):
        raise ValueError(f"interval_s must be a finite number > 0, got {interval_s!r}")
    if n_intervals < 1:
        raise ValueError(f"n_intervals must be >= 1, got {n_intervals!r}")
    out = {}
    for pool, values in requirement.items():
        r = np.asarray(values, dtype=np.float64)
        if r.shape != (n_intervals,) or not np.all(np.isfinite(r)) or np.any(r < 0):
            raise ValueError(
                f"requirement of pool {pool!r} must be {n_intervals} finite values >= 0, "
                f"got shape {r.shape}"
            )
        out[str(pool)] = required_heads(r)
    return out


def _solve(
    costs: np.ndarray,
    upper: np.ndarray,
    matrix: sparse.csr_array,
    lower: np.ndarray,
    shortfall_cost: float,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
) -> tuple[np.ndarray, str, float, float]:
    """Whole counts of the candidates, status, MIP gap, lower bound of the cheapest cost."""
    n_x, n_rows = len(costs), len(lower)
    if n_rows == 0 or n_x == 0:  # nothing to cover, or nothing to cover it with
        return np.zeros(n_x, dtype=np.int64), "optimal", 0.0, shortfall_cost * float(lower.sum())
    a = sparse.hstack([matrix, sparse.identity(n_rows, format="csr")], format="csr")
    res = milp(
        np.concatenate([costs, np.full(n_rows, shortfall_cost)]),
        integrality=np.concatenate([np.ones(n_x), np.zeros(n_rows)]),
        bounds=Bounds(np.zeros(n_x + n_rows), np.concatenate([upper, np.full(n_rows, np.inf)])),
        constraints=LinearConstraint(a, lb=lower, ub=np.inf),
        options={"time_limit": time_limit_s, "mip_rel_gap": mip_rel_gap, "disp": False},
    )
    if res.status == 0:
        status = "optimal"
    elif res.status == 1 and res.x is not None:
        status = "time_limit"
    elif res.status == 1:
        raise ConfigError(
            "planning.schedule.time_limit_s",
            time_limit_s,
            "the solver found no roster in this time; allow more seconds, or fewer shift "
            "types or starts",
        )
    else:  # the programme is always feasible (all short) and bounded (costs >= 0)
        raise RuntimeError(f"HiGHS could not solve the shift schedule: {res.message}")
    counts = np.round(res.x[:n_x]).astype(np.int64)
    gap = float(res.get("mip_gap") or 0.0)
    bound = res.get("mip_dual_bound")
    bound = float(res.fun) if bound is None else float(bound)
    return counts, status, gap, bound


def schedule_shifts(
    requirement: Mapping[str, np.ndarray],
    *,
    interval_s: float,
    horizon_start: datetime,
    n_intervals: int,
    spec: ScheduleSpec,
    cost_per_h: Mapping[str, float],
    progress: Callable[[str], None] | None = None,
    mip_rel_gap: float = MIP_REL_GAP,
) -> ScheduleResult:
    """The cheapest roster of ``spec``'s shift types for ``requirement`` (pool -> scheduled
    heads per interval, ``n_intervals`` of ``interval_s`` from ``horizon_start``); see the
    module docstring for the model. ``cost_per_h``: pool -> agent-hour rate, for shift types
    without their own. ``progress`` is told what is being solved and what was found.

    The same inputs give the same roster (HiGHS is deterministic), unless the solver stops at
    ``spec.time_limit_s``: the roster found by then depends on the machine's speed.
    """
    required = _check_requirement(requirement, interval_s, n_intervals)
    pools = tuple(required)
    for st in spec.shift_types:
        for pool in st.pools:
            if pool not in required:
                raise ValueError(f"shift type {st.name} names pool {pool!r}: no requirement")
    candidates = candidate_shifts(
        spec,
        interval_s=interval_s,
        horizon_start=horizon_start,
        n_intervals=n_intervals,
        cost_per_h=cost_per_h,
    )
    # One covering constraint per pool and interval with a requirement.
    row_of: dict[str, np.ndarray] = {}
    lower_parts = []
    n_rows = 0
    for pool in pools:
        need = required[pool] > 0
        row_of[pool] = np.where(need, n_rows + np.cumsum(need) - 1, -1)
        lower_parts.append(required[pool][need])
        n_rows += int(need.sum())
    lower = np.concatenate(lower_parts) if lower_parts else np.zeros(0)
    kept: list[Candidate] = []
    rows, cols, vals = [], [], []
    for cand in candidates:
        cov = agents_per_interval([cand.shift], cand.shift.pool, interval_s, n_intervals)
        r = row_of[cand.shift.pool]
        useful = (cov > 0) & (r >= 0)
        if not useful.any():  # covers nothing that is required: it could only cost
            continue
        rows.append(r[useful])
        cols.append(np.full(int(useful.sum()), len(kept)))
        vals.append(cov[useful])
        kept.append(cand)
    matrix = sparse.csr_array(
        (
            np.concatenate(vals) if vals else np.zeros(0),
            (
                np.concatenate(rows) if rows else np.zeros(0, np.int64),
                np.concatenate(cols) if cols else np.zeros(0, np.int64),
            ),
        ),
        shape=(n_rows, len(kept)),
    )
    interval_h = interval_s / 3600.0
    shortfall_cost = spec.shortfall_cost_per_agent_h * interval_h  # per head-interval
    if progress:
        progress(
            f"shift scheduling: {len(kept)} candidate shifts, {n_rows} pool-intervals to cover, "
            f"time limit {spec.time_limit_s:g} s"
        )
    t0 = time.perf_counter()
    counts, status, gap, bound = _solve(
        np.array([c.cost for c in kept]),
        np.array([np.inf if c.max_count is None else c.max_count for c in kept], dtype=float),
        matrix,
        lower,
        shortfall_cost,
        time_limit_s=spec.time_limit_s,
        mip_rel_gap=mip_rel_gap,
    )
    solve_s = time.perf_counter() - t0
    chosen = sorted(
        (
            (c.shift.start_s, pools.index(c.shift.pool), c.type_index, j)
            for j, c in enumerate(kept)
            if counts[j] > 0
        )
    )
    shifts = tuple(
        Shift(kept[j].shift.pool, s, kept[j].shift.end_s, kept[j].shift.breaks, int(counts[j]))
        for s, _, _, j in chosen
    )
    coverage = {p: agents_per_interval(shifts, p, interval_s, n_intervals) for p in pools}
    shortfall = {}
    for p in pools:
        short = required[p] - coverage[p]
        shortfall[p] = np.where(short > _NOISE, short, 0.0)
    result = ScheduleResult(
        shifts=shifts,
        type_names=tuple(spec.shift_types[kept[j].type_index].name for *_, j in chosen),
        pools=pools,
        required=required,
        coverage=coverage,
        shortfall=shortfall,
        interval_s=float(interval_s),
        horizon_start=horizon_start,
        paid_h=float(
            sum(int(counts[j]) * spec.shift_types[kept[j].type_index].paid_h for *_, j in chosen)
        ),
        cost_shifts=float(sum(int(counts[j]) * kept[j].cost for *_, j in chosen)),
        cost_shortfall=shortfall_cost * float(sum(s.sum() for s in shortfall.values())),
        status=status,
        mip_gap=gap,
        lower_bound=bound,
        time_limit_s=spec.time_limit_s,
        n_candidates=len(kept),
        solve_s=solve_s,
    )
    if progress:
        progress(f"shift scheduling ({solve_s:.1f} s): {result.describe()}")
    return result
