"""``coverage.png``: heads required against heads scheduled per live channel over the horizon
(:mod:`ccsim.reports.heads`), the intervals short shaded red, on the run's calendar or clock
like the other figures. Async channels have no heads per interval and no panel (the figure's
title says so). Reads results; never runs the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ccsim.analysis.results import RunResult
from ccsim.model.centre import ASYNC
from ccsim.reports.figure_parts import (
    apply_time_axis,
    new_figure,
    shade_deficit,
    shade_warmup,
    side_legend,
    time_ticks,
    warmup_handle,
)
from ccsim.reports.files import save_png
from ccsim.reports.heads import day_rows, heads_of
from ccsim.reports.palette import CAPACITY_COLOUR, channel_colours

__all__ = ["COVERAGE_FILE", "coverage_figure", "plot_coverage"]

COVERAGE_FILE = "coverage.png"


def coverage_figure(result: RunResult) -> Figure | None:
    """One panel per live (sync) channel: whole agents required (Erlang) and scheduled per
    interval, short shaded; None when every channel is async."""
    c = result.centre
    h = heads_of(result)
    if not h.sync:
        return None
    n_k = c.n_intervals
    xs = np.arange(n_k + 1) * h.interval_h
    colours = channel_colours(ch.name for ch in c.channels)
    ticks = time_ticks(result)
    fig = new_figure(2.1 * len(h.sync) + 1.1)
    axes = fig.subplots(len(h.sync), 1, sharex=True, squeeze=False)[:, 0]
    by_channel: dict[str, list[float]] = {}
    for s in day_rows(result, h):
        by_channel.setdefault(s.name, []).append(s.head_hours)
    for ax, ci in zip(axes, h.sync, strict=True):
        ch = c.channels[ci]
        colour = colours[ch.name]
        req, sched = h.required[ci], h.scheduled[ci]
        shade_deficit(ax, xs, sched, req, "short: required > scheduled")
        ax.step(
            xs,
            np.append(sched, sched[-1]),
            where="post",
            color=CAPACITY_COLOUR,
            lw=1.1,
            label="scheduled",
            zorder=3,
        )
        ax.step(
            xs,
            np.append(req, req[-1]),
            where="post",
            color=colour,
            lw=1.6,
            label=f"required ({h.formula(result, ci)})",
            zorder=4,
        )
        warm = shade_warmup(result, ax)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("agents")
        ax.set_title(
            f"{ch.name} ({ch.mode}, target {ch.target_service_level:.0%} within {ch.target_s:g} s)",
            loc="left",
            fontsize=10,
            color=colour,
            fontweight="bold",
        )
        short = h.short[ci][h.measured]
        peak = int(max(short.max(initial=0), 0))
        hours = sum(by_channel.get(ch.name, []))
        ax.set_title(
            f"peak {peak} short, {hours:,.1f} head-hours short" if peak else "never short",
            loc="right",
            fontsize=9,
        )
        handles, _ = ax.get_legend_handles_labels()
        order = [2, 1, 0]  # required, scheduled, short
        side_legend(ax, [handles[i] for i in order] + ([warmup_handle()] if warm else []))
        apply_time_axis(result, ax, ticks)
    axes[-1].set_xlabel(ticks.label)
    backlogs = [ch.name for ch in c.channels if ch.mode == ASYNC]
    fig.suptitle(
        f"{c.name}: agents required vs scheduled per live channel (per "
        f"{c.interval_s / 60:g}-min interval)"
        + (f"; async {', '.join(backlogs)}: see the deadline delta" if backlogs else "")
    )
    return fig


def plot_coverage(result: RunResult, path: Path) -> Path | None:
    fig = coverage_figure(result)
    return None if fig is None else save_png(fig, path)
