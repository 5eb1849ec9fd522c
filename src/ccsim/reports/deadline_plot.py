"""The panel of an async channel in ``demand_delta.png``: its work by deadline against capacity,
red only where deadlines are missed (:mod:`ccsim.analysis.deadline_delta`). Reads results;
never runs the model."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from ccsim.analysis.deadline_delta import due_h
from ccsim.analysis.demand_delta import async_groups
from ccsim.analysis.results import RunResult
from ccsim.reports.figure_parts import shade_deficit
from ccsim.reports.palette import CAPACITY_COLOUR

__all__ = ["async_delta_panel"]


def _steps(y: np.ndarray) -> np.ndarray:
    return np.append(y, y[-1])


def async_delta_panel(
    result: RunResult, ax: Axes, c: int, xs: np.ndarray, colour: str
) -> list[object]:
    """Draw channel ``c``'s panel on ``ax``; returns its legend handles in reading order.

    The work falling due in each interval (what arrived one response-time target earlier:
    simulated, and planned from the forecast), the work arriving (faint), the capacity (the
    channel's share; backlogs served by the same pool pool theirs, earliest deadline first),
    and in red the agent-hours short: capacity the deadlines need on top of the capacity there,
    drawn from the capacity line up, only in the intervals where the deadline delta is
    positive."""
    centre, iv = result.centre, result.interval_means()
    n_k = centre.n_intervals
    sl = slice(c * n_k, (c + 1) * n_k)
    lag = centre.channels[c].target_s / centre.interval_s
    arriving = iv["demand_workload_h"][sl]
    cap = iv["capacity_h"][sl]
    short = np.clip(iv["demand_delta_h"][sl], 0.0, None)
    fill = shade_deficit(
        ax,
        xs,
        cap,
        cap + short,
        "short: deadlines missed (extra capacity needed)",
        where=short > 0,
        alpha=0.55,
        zorder=5,
    )
    (arr,) = ax.step(
        xs,
        _steps(arriving),
        where="post",
        color=colour,
        lw=0.8,
        alpha=0.35,
        label="work arriving",
        zorder=2,
    )
    (planned,) = ax.step(
        xs,
        _steps(due_h(iv["planned_workload_h"][sl], lag)),
        where="post",
        color=colour,
        lw=0.9,
        ls="--",
        alpha=0.75,
        label="planned work due (forecast)",
        zorder=3,
    )
    group = next(g for g in async_groups(centre) if c in g)
    others = [centre.channels[o].name for o in group if o != c]
    (capl,) = ax.step(
        xs,
        _steps(cap),
        where="post",
        color=CAPACITY_COLOUR,
        lw=1.1,
        label=f"capacity (its share, pooled with {', '.join(others)})" if others else "capacity",
        zorder=4,
    )
    (due,) = ax.step(
        xs,
        _steps(due_h(arriving, lag)),
        where="post",
        color=colour,
        lw=1.6,
        label=f"work due (arrived {centre.channels[c].target_s / 3600:g} h before)",
        zorder=4,
    )
    return [due, planned, arr, capl, fill]
