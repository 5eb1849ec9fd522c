"""Figures of one run. Reads results; never runs the model.

Each figure has a function that returns a :class:`matplotlib.figure.Figure` without saving it
(for notebooks and the DataFrame API): :func:`demand_delta_figure`,
:func:`service_level_figure`, :func:`occupancy_figure` and :func:`delta_heatmap_figure` (None
when the run is too short for one); :func:`write_plots` saves them as PNGs. The figures are
built on matplotlib's Agg canvas directly, not through pyplot, so writing files needs no display
and leaves the backend a notebook user chose alone.

Time axes show the calendar when the run has one (``result.start``: day names at midnight,
times of day on short horizons, weeks or months on long ones) and the clock otherwise
(``08:00``, ``Day 2``): :mod:`ccsim.reports.figure_parts`; the heat map is
:mod:`ccsim.reports.heatmap`. Channels and pools keep their colours (:mod:`ccsim.reports.palette`)
in every figure; the deficit is red.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ccsim.analysis.results import RunResult
from ccsim.model.centre import ASYNC
from ccsim.reports.deadline_plot import async_delta_panel
from ccsim.reports.figure_parts import (
    TimeTicks,
    apply_time_axis,
    new_figure,
    shade_deficit,
    shade_warmup,
    side_legend,
    time_ticks,
    warmup_handle,
)
from ccsim.reports.files import save_png
from ccsim.reports.heatmap import (
    HEATMAP_FILE,
    DeltaHeatmap,
    delta_heatmap_data,
    delta_heatmap_figure,
)
from ccsim.reports.palette import (
    CAPACITY_COLOUR,
    REFERENCE_COLOUR,
    channel_colours,
    pool_colours,
)

__all__ = [
    "PLOT_FILES",
    "HEATMAP_FILE",
    "DeltaHeatmap",
    "TimeTicks",
    "demand_delta_figure",
    "service_level_figure",
    "occupancy_figure",
    "delta_heatmap_figure",
    "delta_heatmap_data",
    "time_ticks",
    "plot_demand_delta",
    "plot_service_level",
    "plot_occupancy",
    "plot_delta_heatmap",
    "write_plots",
]

# Every figure a run may write, in the order written (the heat map only for runs of 2 days or
# more on a whole-day grid, with ``run.heat_map``).
PLOT_FILES = ("demand_delta.png", "service_level.png", "occupancy.png", HEATMAP_FILE)

# --- shared helpers ------------------------------------------------------------------------


def _hours(result: RunResult, n: int) -> np.ndarray:
    """Step edges in hours since the start of the horizon."""
    return np.arange(n + 1) * result.centre.interval_s / 3600.0


def _steps(y: np.ndarray) -> np.ndarray:
    return np.append(y, y[-1])


def _interval_text(result: RunResult) -> str:
    return f"{result.centre.interval_s / 60:g}-min interval"


def _ratio_safe(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a, dtype=np.float64)
    np.divide(a, b, out=out, where=b > 0)
    return out


def _channel_figure(result: RunResult, height_per_channel: float):  # type: ignore[no-untyped-def]
    """One row of axes per channel, sharing the time axis."""
    n_c = len(result.centre.channels)
    fig = new_figure(height_per_channel * n_c + 1.1)
    axes = fig.subplots(n_c, 1, sharex=True, squeeze=False)[:, 0]
    return fig, axes


def _target_text(ch) -> str:  # type: ignore[no-untyped-def]
    t = f"{ch.target_s:g} s" if ch.mode == "sync" else f"{ch.target_s / 3600:g} h"
    return f"{ch.target_service_level:.0%} within {t}"


def _short_text(result: RunResult, ci: int) -> str:
    """Agent-hours short of a channel over the measured intervals, from its estimates."""
    if ci >= len(result.channel_estimates):
        return ""
    e = result.channel_estimates[ci].get("positive_demand_delta_h")
    if e is None or not math.isfinite(e.mean):
        return ""
    ci95 = "" if not math.isfinite(e.half_width) else f" (95% CI ± {e.half_width:,.1f})"
    after = " after the warm-up" if result.settings.warmup_s > 0 else ""
    return f"{e.mean:,.1f} agent-h short{after}{ci95}"


# --- figures -------------------------------------------------------------------------------


def demand_delta_figure(result: RunResult) -> Figure:
    """Per channel: demand workload (what the simulated contacts that reached agents brought)
    vs capacity, the deficit shaded red; the forecast's planned workload and the capacity the
    service-level target needs (Erlang A when customers abandon, else Erlang C) for reference.
    Async channels show their work by deadline instead (:func:`async_delta_panel`), red only
    where deadlines are missed. Agent-hours per interval against the run's calendar or clock."""
    c, iv = result.centre, result.interval_means()
    xs = _hours(result, c.n_intervals)
    colours = channel_colours(ch.name for ch in c.channels)
    ticks = time_ticks(result)
    fig, axes = _channel_figure(result, 2.3)
    n_k = c.n_intervals
    for ci, ch in enumerate(c.channels):
        ax, sl = axes[ci], slice(ci * n_k, (ci + 1) * n_k)
        colour = colours[ch.name]
        if ch.mode == ASYNC:
            handles = async_delta_panel(result, ax, ci, xs, colour)
            _finish_panel(result, ax, ch, ci, colour, handles, ticks)
            continue
        demand, cap = _steps(iv["demand_workload_h"][sl]), _steps(iv["capacity_h"][sl])
        req = np.where(
            np.isnan(iv["required_agents_erlang_a"][sl]),
            iv["required_agents_erlang_c"][sl],
            iv["required_agents_erlang_a"][sl],
        )
        on_share = _ratio_safe(iv["capacity_h"][sl], iv["agents_scheduled"][sl])
        shade_deficit(ax, xs, cap[:-1], demand[:-1], "deficit: demand > capacity")
        ax.step(
            xs,
            _steps(iv["planned_workload_h"][sl]),
            where="post",
            color=colour,
            lw=0.9,
            ls="--",
            alpha=0.75,
            label="planned workload (forecast)",
            zorder=2,
        )
        ax.step(
            xs,
            _steps(req * on_share),
            where="post",
            color=REFERENCE_COLOUR,
            ls=":",
            lw=1.1,
            label="capacity the SL target needs",
            zorder=2,
        )
        ax.step(xs, cap, where="post", color=CAPACITY_COLOUR, lw=1.1, label="capacity", zorder=3)
        ax.step(xs, demand, where="post", color=colour, lw=1.6, label="demand workload", zorder=4)
        handles, _ = ax.get_legend_handles_labels()
        order = [4, 1, 3, 2, 0]  # demand, planned, capacity, needed, deficit
        _finish_panel(result, ax, ch, ci, colour, [handles[i] for i in order], ticks)
    axes[-1].set_xlabel(ticks.label)
    fig.suptitle(
        f"{c.name}: demand workload vs capacity per channel"
        + (", async channels by deadline" if any(ch.mode == ASYNC for ch in c.channels) else "")
        + f" (agent-hours per {_interval_text(result)})"
    )
    return fig


def _finish_panel(result, ax, ch, ci, colour, handles, ticks) -> None:  # type: ignore[no-untyped-def]
    """A demand-delta panel's warm-up, axes, titles and legend."""
    warm = shade_warmup(result, ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("agent-h")
    by = ", by deadline" if ch.mode == ASYNC else ""
    ax.set_title(
        f"{ch.name} ({ch.mode}, target {_target_text(ch)}{by})",
        loc="left",
        fontsize=10,
        color=colour,
        fontweight="bold",
    )
    ax.set_title(_short_text(result, ci), loc="right", fontsize=9)
    side_legend(ax, handles + ([warmup_handle()] if warm else []))
    apply_time_axis(result, ax, ticks)


def service_level_figure(result: RunResult) -> Figure:
    """Per channel: service level (answered within the target / offered) and abandonment rate
    per interval, against the target; gaps where nothing was offered."""
    c, iv = result.centre, result.interval_means()
    xs = _hours(result, c.n_intervals)
    colours = channel_colours(ch.name for ch in c.channels)
    ticks = time_ticks(result)
    fig, axes = _channel_figure(result, 2.0)
    n_k = c.n_intervals
    for ci, ch in enumerate(c.channels):
        ax, sl = axes[ci], slice(ci * n_k, (ci + 1) * n_k)
        colour = colours[ch.name]
        ab = iv["abandon_rate"][sl]
        if np.nan_to_num(ab).any():
            ax.fill_between(
                xs,
                0,
                np.nan_to_num(_steps(ab)),
                step="post",
                color="0.35",
                alpha=0.18,
                lw=0,
            )
            ax.step(xs, _steps(ab), where="post", color="0.3", lw=0.9, label="abandonment rate")
        ax.step(
            xs,
            _steps(iv["sl_answered_within_t"][sl]),
            where="post",
            color=colour,
            lw=1.6,
            label="service level (answered in time / offered)",
        )
        ax.axhline(
            ch.target_service_level,
            color=CAPACITY_COLOUR,
            ls="--",
            lw=0.9,
            label=f"target {_target_text(ch)}",
        )
        warm = shade_warmup(result, ax)
        ax.set_ylim(-0.02, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(
            f"{ch.name} ({ch.mode})", loc="left", fontsize=10, color=colour, fontweight="bold"
        )
        handles, _ = ax.get_legend_handles_labels()
        handles = [handles[-2], *handles[:-2], handles[-1]]  # service level, abandonment, target
        side_legend(ax, handles + ([warmup_handle()] if warm else []))
        apply_time_axis(result, ax, ticks)
    axes[-1].set_xlabel(ticks.label)
    fig.suptitle(
        f"{c.name}: service level and abandonment per channel (% of contacts offered per "
        f"{_interval_text(result)})"
    )
    return fig


def occupancy_figure(result: RunResult) -> Figure:
    """Occupancy per pool (busy / on-phone time, chats counted once per agent). Above 100%
    where agents finish contacts after their shift ended: shown, not clipped."""
    c, pv = result.centre, result.pool_means()
    n_k = c.n_intervals
    xs = _hours(result, n_k)
    colours = pool_colours(p.name for p in c.pools)
    ticks = time_ticks(result)
    fig = new_figure(3.9)
    ax = fig.subplots()
    for p, pool in enumerate(c.pools):
        sl = slice(p * n_k, (p + 1) * n_k)
        ax.step(
            xs,
            _steps(pv["occupancy"][sl]),
            where="post",
            color=colours[pool.name],
            lw=1.4,
            label=pool.name,
        )
    ax.axhline(1.0, color=CAPACITY_COLOUR, lw=0.8, ls="--", label="100%")
    occ = pv["occupancy"]
    top = float(np.nanmax(occ)) if np.isfinite(occ).any() else 1.0
    ax.set_ylim(0, 1.05 * max(top, 1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("occupancy")
    warm = shade_warmup(result, ax)
    handles, _ = ax.get_legend_handles_labels()
    side_legend(ax, handles + ([warmup_handle()] if warm else []))
    apply_time_axis(result, ax, ticks)
    ax.set_xlabel(ticks.label)
    ax.set_title(
        f"{c.name}: occupancy per pool (busy / staffed agent time on the phone, per "
        f"{_interval_text(result)})"
    )
    return fig


# --- heat map ------------------------------------------------------------------------------

# --- files ---------------------------------------------------------------------------------


def plot_demand_delta(result: RunResult, path: Path) -> Path:
    return save_png(demand_delta_figure(result), path)


def plot_service_level(result: RunResult, path: Path) -> Path:
    return save_png(service_level_figure(result), path)


def plot_occupancy(result: RunResult, path: Path) -> Path:
    return save_png(occupancy_figure(result), path)


def plot_delta_heatmap(result: RunResult, path: Path) -> Path | None:
    fig = delta_heatmap_figure(result)
    return None if fig is None else save_png(fig, path)


def write_plots(result: RunResult, out_dir: Path) -> list[Path]:
    """The run's PNGs, in :data:`PLOT_FILES` order; the heat map when ``run.heat_map`` and the
    run is long enough for one."""
    out_dir = Path(out_dir)
    paths = [
        plot_demand_delta(result, out_dir / PLOT_FILES[0]),
        plot_service_level(result, out_dir / PLOT_FILES[1]),
        plot_occupancy(result, out_dir / PLOT_FILES[2]),
    ]
    if result.settings.heat_map:
        heat = plot_delta_heatmap(result, out_dir / HEATMAP_FILE)
        if heat is not None:
            paths.append(heat)
    return paths
