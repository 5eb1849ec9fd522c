"""Plots of one run (PNG). Reads results; never runs the model."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, same pixels everywhere
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ccsim.analysis.results import RunResult  # noqa: E402
from ccsim.reports.files import save_png  # noqa: E402

__all__ = ["write_plots", "PLOT_FILES"]

PLOT_FILES = ("demand_delta.png", "service_level.png", "occupancy.png")


def _save(fig: plt.Figure, path: Path) -> Path:
    return save_png(fig, path)


def _hours(result: RunResult, n: int) -> np.ndarray:
    """Step edges in hours since the start of the horizon."""
    return np.arange(n + 1) * result.centre.interval_s / 3600.0


def _xlabel(result: RunResult) -> str:
    if result.start is not None:
        return f"hours since {result.start:%a %Y-%m-%d %H:%M}"
    return f"hours since the start ({result.centre.clock_start_h:g} h on the clock)"


def _steps(y: np.ndarray) -> np.ndarray:
    return np.append(y, y[-1])


def _shade_warmup(result: RunResult, axes: list) -> None:
    if result.settings.warmup_s > 0:
        for a in axes:
            a.axvspan(0, result.settings.warmup_s / 3600.0, color="gray", alpha=0.1)


def _channel_axes(result: RunResult, height_per_channel: float) -> tuple[plt.Figure, np.ndarray]:
    """One row of axes per channel, sharing the time axis."""
    n_c = len(result.centre.channels)
    return plt.subplots(
        n_c,
        1,
        figsize=(11, height_per_channel * n_c + 0.8),
        sharex=True,
        squeeze=False,
        constrained_layout=True,
    )


def _finish_channel_figure(
    result: RunResult, fig: plt.Figure, axes: np.ndarray, title: str, path: Path
) -> Path:
    axes[-1, 0].set_xlabel(_xlabel(result))
    _shade_warmup(result, list(axes[:, 0]))
    fig.suptitle(f"{result.centre.name}: {title}")
    return _save(fig, path)


def _per_channel(result: RunResult, axes: np.ndarray):  # type: ignore[no-untyped-def]
    """(index, channel, its axes, its rows in the channel-major interval columns)."""
    n_k = result.centre.n_intervals
    for ci, ch in enumerate(result.centre.channels):
        yield ci, ch, axes[ci, 0], slice(ci * n_k, (ci + 1) * n_k)


def plot_demand_delta(result: RunResult, path: Path) -> Path:
    """Per channel: demand workload (what the simulated contacts that reached agents brought)
    vs capacity, the delta shaded; the forecast's planned workload and the capacity the
    service-level target needs (Erlang A when customers abandon, else Erlang C) for reference."""
    c, iv = result.centre, result.interval_means()
    xs = _hours(result, c.n_intervals)
    fig, axes = _channel_axes(result, 2.6)
    for ci, ch, ax, sl in _per_channel(result, axes):
        demand, cap = _steps(iv["demand_workload_h"][sl]), _steps(iv["capacity_h"][sl])
        req = np.where(
            np.isnan(iv["required_agents_erlang_a"][sl]),
            iv["required_agents_erlang_c"][sl],
            iv["required_agents_erlang_a"][sl],
        )
        on_share = _ratio_safe(iv["capacity_h"][sl], iv["agents_scheduled"][sl])
        # What the simulated customers brought, retries, repeats and chasers included.
        ax.step(xs, demand, where="post", color="tab:blue", lw=1.2, label="demand workload")
        ax.step(
            xs,
            _steps(iv["planned_workload_h"][sl]),
            where="post",
            color="tab:blue",
            lw=0.8,
            ls="--",
            alpha=0.7,
            label="planned workload (forecast)",
        )
        ax.step(xs, cap, where="post", color="black", lw=1.2, label="capacity")
        ax.step(
            xs,
            _steps(req * on_share),
            where="post",
            color="gray",
            ls=":",
            lw=1,
            label="capacity the SL target needs",
        )
        # Each interval as its own rectangle: fill_between's ``where`` with steps drops edges.
        x2, d2, c2 = np.repeat(xs, 2)[1:-1], np.repeat(demand[:-1], 2), np.repeat(cap[:-1], 2)
        ax.fill_between(
            x2,
            c2,
            d2,
            where=d2 > c2,
            color="tab:red",
            alpha=0.35,
            lw=0,
            label="deficit (demand delta > 0)",
        )
        ax.set_ylabel("agent-h / interval")
        ax.set_title(f"{ch.name} ({ch.mode})", loc="left", fontsize=10)
        if ci == 0:
            ax.legend(loc="upper right", fontsize=7, ncol=5)
    return _finish_channel_figure(
        result, fig, axes, "demand workload vs capacity per channel", path
    )


def _ratio_safe(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a, dtype=np.float64)
    np.divide(a, b, out=out, where=b > 0)
    return out


def plot_service_level(result: RunResult, path: Path) -> Path:
    """Per channel: service level (answered within target / offered) and abandonment."""
    c, iv = result.centre, result.interval_means()
    xs = _hours(result, c.n_intervals)
    fig, axes = _channel_axes(result, 2.2)
    for ci, ch, ax, sl in _per_channel(result, axes):
        target = f"{ch.target_s:g} s" if ch.mode == "sync" else f"{ch.target_s / 3600:g} h"
        ax.step(
            xs,
            _steps(iv["sl_answered_within_t"][sl]),
            where="post",
            color="tab:blue",
            label=f"answered within {target} / offered",
        )
        ax.step(
            xs,
            _steps(iv["abandon_rate"][sl]),
            where="post",
            color="tab:red",
            label="abandonment rate",
        )
        ax.axhline(
            ch.target_service_level,
            color="gray",
            ls="--",
            lw=1,
            label=f"target {ch.target_service_level:.0%}",
        )
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{ch.name} ({ch.mode})", loc="left", fontsize=10)
        if ci == 0:
            ax.legend(loc="lower right", fontsize=7, ncol=3)
    return _finish_channel_figure(
        result, fig, axes, "service level and abandonment per interval", path
    )


def plot_occupancy(result: RunResult, path: Path) -> Path:
    """Occupancy per pool (busy / on-phone time, chats counted once per agent). Above 1 where
    agents finish contacts after their shift ended: shown, not clipped."""
    c, pv = result.centre, result.pool_means()
    n_k = c.n_intervals
    xs = _hours(result, n_k)
    fig, ax = plt.subplots(figsize=(11, 3.4), constrained_layout=True)
    for p, pool in enumerate(c.pools):
        sl = slice(p * n_k, (p + 1) * n_k)
        ax.step(xs, _steps(pv["occupancy"][sl]), where="post", label=pool.name)
    occ = pv["occupancy"]
    top = float(np.nanmax(occ)) if np.isfinite(occ).any() else 1.0
    ax.set_ylim(0, 1.05 * max(top, 1.0))
    ax.set_ylabel("occupancy")
    ax.set_xlabel(_xlabel(result))
    ax.legend(loc="lower right", fontsize=8)
    _shade_warmup(result, [ax])
    ax.set_title(f"{c.name}: occupancy per pool")
    return _save(fig, path)


def write_plots(result: RunResult, out_dir: Path) -> list[Path]:
    return [
        plot_demand_delta(result, out_dir / PLOT_FILES[0]),
        plot_service_level(result, out_dir / PLOT_FILES[1]),
        plot_occupancy(result, out_dir / PLOT_FILES[2]),
    ]
