"""The demand delta on a day x time-of-day grid (``demand_delta_heatmap.png``): the data and
its figure. Reads results; never runs the model."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ccsim.analysis.results import RunResult
from ccsim.model.centre import ASYNC
from ccsim.reports.figure_parts import day_name, hhmm, new_figure, origin
from ccsim.reports.palette import CAPACITY_COLOUR, HEATMAP_CMAP, WARMUP_COLOUR, channel_colours

__all__ = ["HEATMAP_FILE", "DeltaHeatmap", "delta_heatmap_data", "delta_heatmap_figure"]

HEATMAP_FILE = "demand_delta_heatmap.png"


@dataclass(frozen=True)
class DeltaHeatmap:
    """The demand delta (agent-hours per interval, + short / - spare; async channels by
    deadline, :mod:`ccsim.analysis.deadline_delta`) on a day x time-of-day grid:
    ``values[name]`` is days x intervals per day, NaN outside the horizon; ``names`` are the
    channels, then ``all`` (the centre: channels netted in each interval) when there are
    several. ``warmup[d, k]``: the cell is in the warm-up."""

    days: list[str]  # row labels: "Mon 05 Jan" or "Day 1"
    times: list[str]  # column labels: "00:00", "00:30", ...
    names: list[str]
    values: dict[str, np.ndarray]
    warmup: np.ndarray
    interval_min: float


def delta_heatmap_data(result: RunResult) -> DeltaHeatmap | None:
    """The heat map's grid, or None when the run covers less than 2 days or its intervals do not
    tile the day (the interval does not divide 24 h, or the start is between two intervals)."""
    c, iv = result.centre, result.interval_means()
    step = c.interval_s / 60.0
    if c.horizon_s < 2 * 86400 - 1e-6 or step <= 0:
        return None
    per_day = 1440.0 / step
    a0, d0 = origin(result)
    first = a0 * 60.0 / step
    if abs(per_day - round(per_day)) > 1e-9 or abs(first - round(first)) > 1e-6:
        return None
    per_day_i, first_i = int(round(per_day)), int(round(first))
    n_k = c.n_intervals
    cells = first_i + np.arange(n_k)  # interval k's cell, counted from midnight of day 0
    n_days = int(cells[-1] // per_day_i) + 1
    rows, cols = cells // per_day_i, cells % per_day_i

    def grid(v: np.ndarray) -> np.ndarray:
        g = np.full((n_days, per_day_i), np.nan)
        g[rows, cols] = v
        return g

    names = [ch.name for ch in c.channels]
    delta = iv["demand_delta_h"].reshape(len(names), n_k)
    values = {n: grid(delta[i]) for i, n in enumerate(names)}
    if len(names) > 1:
        names.append("all")
        values["all"] = grid(delta.sum(axis=0))
    warm = np.zeros((n_days, per_day_i), dtype=bool)
    warm[rows, cols] = np.arange(n_k) * c.interval_s < result.settings.warmup_s
    return DeltaHeatmap(
        days=[day_name(d0, d) for d in range(n_days)],
        times=[hhmm(k * step / 60.0) for k in range(per_day_i)],
        names=names,
        values=values,
        warmup=warm,
        interval_min=step,
    )


def _open_columns(hm: DeltaHeatmap) -> slice:
    """The columns from the first to the last time of day with any delta (closed hours, where
    demand and capacity are both 0, trimmed), on whole hours."""
    busy = np.zeros(len(hm.times), dtype=bool)
    for v in hm.values.values():
        busy |= np.nan_to_num(np.abs(v)).max(axis=0) > 1e-9
    if not busy.any():
        return slice(0, len(hm.times))
    per_h = max(1, int(round(60.0 / hm.interval_min)))
    lo = int(np.argmax(busy)) // per_h * per_h
    hi = len(busy) - int(np.argmax(busy[::-1]))
    hi = min(len(busy), -(-hi // per_h) * per_h)
    return slice(lo, hi)


def _peak_text(hm: DeltaHeatmap, name: str) -> str:
    v = np.where(hm.warmup, np.nan, hm.values[name])
    if not np.isfinite(v).any() or np.nanmax(v) <= 1e-9:
        return "never short after the warm-up"
    d, k = np.unravel_index(int(np.nanargmax(v)), v.shape)
    return f"peak {v[d, k]:,.1f} agent-h short: {hm.days[d]} {hm.times[k]}"


def delta_heatmap_figure(result: RunResult) -> Figure | None:
    """The demand delta by day (rows) and time of day (columns), one panel per channel and one
    for the centre: red where agents are short, blue where capacity is spare, white at 0, each
    panel on its own scale centred on 0. None when the run is too short (less than 2 days) or
    its intervals do not tile the day. Warm-up cells are hatched; hours when no panel is short
    or spare (nothing happens, or the agents there all work an async backlog) are left out."""
    hm = delta_heatmap_data(result)
    if hm is None:
        return None
    c = result.centre
    colours = channel_colours(ch.name for ch in c.channels)
    cols = _open_columns(hm)
    n_days, n_cols = len(hm.days), cols.stop - cols.start
    step_h = hm.interval_min / 60.0
    x0 = cols.start * step_h
    n_p = len(hm.names)
    panel_h = min(max(0.24 * n_days + 0.9, 1.9), 6.0)
    n_cols_fig = 2 if n_p > 2 and panel_h * n_p > 12.0 else 1
    n_rows_fig = -(-n_p // n_cols_fig)
    fig = new_figure(panel_h * n_rows_fig + 0.9)
    axes = fig.subplots(n_rows_fig, n_cols_fig, squeeze=False)
    for ax in axes.flat[n_p:]:
        ax.set_visible(False)
    span_h = n_cols * step_h
    most = 13 if n_cols_fig == 1 else 7  # hour labels a panel's width holds
    tick_step = next((s for s in (1, 2, 3, 4) if span_h / s <= most + 1e-9), 6)
    label_every = max(1, -(-n_days // 16))
    cmap = colormaps[HEATMAP_CMAP].with_extremes(bad="0.85")  # grey: outside the horizon
    for ax, name in zip(axes.flat, hm.names, strict=False):
        v = hm.values[name][:, cols]
        lim = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 0.0
        lim = lim if lim > 0 else 1.0
        im = ax.imshow(
            np.ma.masked_invalid(v),
            cmap=cmap,
            vmin=-lim,
            vmax=lim,
            aspect="auto",
            interpolation="nearest",
            extent=(x0, x0 + span_h, n_days, 0),
        )
        warm = hm.warmup[:, cols]
        for d in range(n_days):
            ks = np.flatnonzero(warm[d])
            if ks.size:
                ax.add_patch(
                    Rectangle(
                        (x0 + ks[0] * step_h, d),
                        (ks[-1] - ks[0] + 1) * step_h,
                        1,
                        fill=False,
                        hatch="///",
                        edgecolor=WARMUP_COLOUR,
                        lw=0,
                    )
                )
        hours = np.arange(math.ceil(x0 / tick_step) * tick_step, x0 + span_h + 1e-9, tick_step)
        ax.set_xticks(hours, [hhmm(h) for h in hours], fontsize=8)
        ys = np.arange(0, n_days, label_every)
        ax.set_yticks(ys + 0.5, [hm.days[d] for d in ys], fontsize=8)
        ax.tick_params(axis="both", length=2)
        if n_days <= 62:
            ax.set_yticks(np.arange(1, n_days), minor=True)
            ax.grid(axis="y", which="minor", color="white", lw=0.8)
            ax.tick_params(axis="y", which="minor", length=0)
        title = "all channels" if name == "all" else name
        ax.set_title(
            title,
            loc="left",
            fontsize=10,
            fontweight="bold",
            color=colours.get(name, CAPACITY_COLOUR),
        )
        ax.set_title(_peak_text(hm, name), loc="right", fontsize=8)
        bar = fig.colorbar(im, ax=ax, pad=0.01, fraction=0.04, aspect=12)
        bar.set_label("agent-h\n+ short / − spare", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    for ax in axes[-1, :]:
        ax.set_xlabel("time of day (interval start)")
    netted = "; all channels netted per interval" if "all" in hm.names else ""
    warm_note = "; hatched: warm-up" if hm.warmup.any() else ""
    by_deadline = (
        "; async channels by deadline" if any(ch.mode == ASYNC for ch in c.channels) else ""
    )
    fig.suptitle(
        f"{c.name}: demand delta by day and time of day, agent-hours per "
        f"{hm.interval_min:g}-min interval\n(demand workload − capacity{by_deadline}: red short, "
        f"blue spare{netted}{warm_note})"
    )
    return fig
