"""Plots of one run (PNG). Reads results; never runs the model."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, same pixels everywhere
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .outputs import atomic_write_bytes  # noqa: E402
from .run import RunResult  # noqa: E402

__all__ = ["plot_intervals"]


def _clock_hours(result: RunResult, iv: dict[str, np.ndarray]) -> np.ndarray:
    return result.scenario.clock_start_h + iv["start_min"] / 60.0


def plot_intervals(result: RunResult, path: Path) -> Path:
    """Three panels per interval: demand workload vs capacity (delta shaded), service level and
    abandonment against target, occupancy. Means over replications."""
    sc = result.scenario
    iv = result.interval_means()
    x = _clock_hours(result, iv)
    width_h = sc.interval_s / 3600.0
    xs = np.append(x, x[-1] + width_h)  # step edges

    def steps(y: np.ndarray) -> np.ndarray:
        return np.append(y, y[-1])

    fig, axes = plt.subplots(3, 1, figsize=(10, 9), sharex=True, constrained_layout=True)
    ax = axes[0]
    demand, capacity = iv["demand_workload_h"], iv["capacity_h"]
    ax.step(xs, steps(demand), where="post", color="tab:blue", label="demand workload")
    ax.step(xs, steps(capacity), where="post", color="black", label="capacity")
    required = (
        np.where(
            np.isnan(iv["required_agents_erlang_a"]),
            iv["required_agents_erlang_c"],
            iv["required_agents_erlang_a"],
        )
        * width_h
        * (1.0 - sc.shrinkage)
    )
    ax.step(
        xs,
        steps(required),
        where="post",
        color="gray",
        ls=":",
        label=f"capacity the SL target needs (Erlang {'A' if sc.patience else 'C'})",
    )
    ax.fill_between(
        xs,
        steps(capacity),
        steps(demand),
        step="post",
        where=steps(demand) > steps(capacity),
        color="tab:red",
        alpha=0.3,
        label="deficit (demand delta > 0)",
    )
    ax.fill_between(
        xs,
        steps(capacity),
        steps(demand),
        step="post",
        where=steps(demand) <= steps(capacity),
        color="tab:green",
        alpha=0.15,
        label="surplus",
    )
    ax.set_ylabel("agent-hours per interval")
    ax.set_title(f"{sc.name}: demand workload vs capacity ({sc.channel})")
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[1]
    ax.step(
        xs,
        steps(iv["sl_answered_within_t"]),
        where="post",
        color="tab:blue",
        label=f"answered within {sc.target_answer_s:g} s / offered",
    )
    ax.step(xs, steps(iv["abandon_rate"]), where="post", color="tab:red", label="abandonment rate")
    ax.axhline(
        sc.target_service_level,
        color="gray",
        ls="--",
        lw=1,
        label=f"SL target {sc.target_service_level:.0%}",
    )
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("share of contacts")
    ax.legend(loc="lower left", fontsize=8)

    ax = axes[2]
    ax.step(xs, steps(iv["occupancy"]), where="post", color="tab:purple", label="occupancy")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("occupancy")
    ax2 = ax.twinx()
    ax2.step(xs, steps(iv["asa_s"]), where="post", color="tab:orange", label="ASA (s)")
    ax2.set_ylabel("ASA (s)")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="lower left", fontsize=8)
    ax.set_xlabel("clock time (hours; 24 = midnight of day 1)")
    if result.settings.warmup_s > 0:
        for a in axes:
            a.axvspan(
                x[0], sc.clock_start_h + result.settings.warmup_s / 3600.0, color="gray", alpha=0.1
            )
    import io

    buf = io.BytesIO()
    # Fixed metadata: the PNG's bytes depend only on the results.
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return path
