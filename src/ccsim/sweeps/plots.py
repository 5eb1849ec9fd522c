"""Figures of a comparison (PNG): waterfall, per-strategy effects (on the centre and per
channel, channels in their run colours: :mod:`ccsim.reports.palette`), response curves against
a swept parameter with the Erlang formulas overlaid. Reads a :class:`ComparisonReport`. Figures
are drawn on matplotlib's Agg canvas, not through pyplot: no display, no global backend."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ccsim.analysis.effects import paired_effect
from ccsim.reports.files import save_png
from ccsim.reports.palette import DEFICIT_COLOUR, channel_colours
from ccsim.sweeps.collect import Collection, Job
from ccsim.sweeps.costs import currencies
from ccsim.sweeps.pairing import EFFECT_METRICS, RATE_METRICS, ComparisonReport, added_strategy
from ccsim.sweeps.units import centre_metrics

__all__ = [
    "write_comparison_plots",
    "channel_effects_figure",
    "channel_names",
    "RESPONSE_METRICS",
    "CHANNEL_EFFECT_METRICS",
]

WATERFALL_METRICS = ("demand_delta_h", "positive_demand_delta_h", "unmet_contacts")
RESPONSE_METRICS = (
    "sl_answered_within_t",
    "abandon_rate",
    "asa_s",
    "occupancy",
    "positive_demand_delta_h",
)
_TITLES = {
    "demand_delta_h": "demand delta (agent-h)",
    "positive_demand_delta_h": "agent-hours short",
    "unmet_contacts": "unmet contacts",
    "sl_answered_within_t": "service level (answered within T)",
    "asa_s": "ASA (s)",
    "asa_h": "ASA (h)",
    "abandon_rate": "abandonment rate",
    "occupancy": "occupancy",
}


# Better (lower) and worse in the waterfalls; worse in the deficit's red.
BETTER_COLOUR = "#2ca02c"
WORSE_COLOUR = DEFICIT_COLOUR
TOTAL_COLOUR = "#4c72b0"
WIDTH_IN = 13.5  # 1215 px at save_png's 90 dpi, as the run's figures
# Per channel: the figures a planner compares channels on.
CHANNEL_EFFECT_METRICS = ("positive_demand_delta_h", "sl_answered_within_t", "abandon_rate")


def _subplots(nrows: int, ncols: int, height_in: float, width_in: float = WIDTH_IN):  # type: ignore[no-untyped-def]
    """(figure, axes array) on the Agg canvas, constrained layout."""
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, squeeze=False)


def _save(fig: Figure, path: Path) -> Path:
    return save_png(fig, path)


def _nan(x: object) -> float:
    return math.nan if x is None else float(x)  # type: ignore[arg-type]


def _waterfall(report: ComparisonReport, path: Path) -> Path:
    ws = report.waterfalls
    fig, axes = _subplots(len(ws), len(WATERFALL_METRICS), 4.2 * len(ws) + 0.6)
    for row, w in enumerate(ws):
        for col, m in enumerate(WATERFALL_METRICS):
            ax = axes[row, col]
            level = _nan(w.chain[0].totals.get(m, {}).get("mean"))
            labels = []
            cum = 0.0  # change from the baseline so far
            for i, s in enumerate(w.steps):
                e = s[m]
                colour = BETTER_COLOUR if e.mean <= 0 else WORSE_COLOUR
                ax.bar(i, e.mean, bottom=cum, color=colour, alpha=0.8, edgecolor="0.3")
                if not math.isnan(e.half_width):
                    ax.errorbar(i, cum + e.mean, yerr=e.half_width, color="k", capsize=4)
                if i:
                    ax.plot([i - 1.4, i + 0.4], [cum, cum], color="0.4", lw=0.8, ls=":")
                cum += e.mean
                labels.append(f"+ {added_strategy(w.chain[i + 1], w.chain[i])}")
            t = w.total[m]
            x = len(w.steps)
            ax.bar(x, t.mean, color=TOTAL_COLOUR, alpha=0.8, edgecolor="0.3")
            if not math.isnan(t.half_width):
                ax.errorbar(x, t.mean, yerr=t.half_width, color="k", capsize=4)
            labels.append("total")
            ax.axhline(0, color="0.3", lw=0.8)
            ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
            ax.set_ylabel(f"change in {_TITLES.get(m, m)}")
            ax.set_title(
                f"{_TITLES.get(m, m)}: {w.chain[0].variant} {level:,.4g}"
                + (f"\n{w.label}" if w.label else ""),
                fontsize=9,
            )
    fig.suptitle("Waterfall: paired effect of each added strategy (95% CI)")
    return _save(fig, path)


def _money_waterfall(report: ComparisonReport, path: Path) -> Path:
    """Per chain: the net cost of each added strategy, stacked from the baseline's cost, with
    the total; beside it what each step's levers cost and what they save (95% CIs)."""
    ws = [w for w in report.waterfalls if w.money_steps]
    fig, axes = _subplots(len(ws), 2, 4.4 * len(ws) + 0.6)
    for row, w in enumerate(ws):
        cur = currencies(w.chain)
        labels = [f"+ {added_strategy(w.chain[i + 1], w.chain[i])}" for i in range(len(w.steps))]
        ax = axes[row, 0]
        cum = 0.0
        for i, step in enumerate(w.money_steps):
            e = step["cost_total"]
            colour = BETTER_COLOUR if e.mean <= 0 else WORSE_COLOUR
            ax.bar(i, e.mean, bottom=cum, color=colour, alpha=0.8, edgecolor="0.3")
            if not math.isnan(e.half_width):
                ax.errorbar(i, cum + e.mean, yerr=e.half_width, color="k", capsize=4)
            if i:
                ax.plot([i - 1.4, i + 0.4], [cum, cum], color="0.4", lw=0.8, ls=":")
            cum += e.mean
        t = w.money_total["cost_total"]
        x = len(w.money_steps)
        ax.bar(x, t.mean, color=TOTAL_COLOUR, alpha=0.8, edgecolor="0.3")
        if not math.isnan(t.half_width):
            ax.errorbar(x, t.mean, yerr=t.half_width, color="k", capsize=4)
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_xticks(range(x + 1), [*labels, "total"], rotation=35, ha="right")
        ax.set_ylabel(f"change in cost ({cur})")
        level = _nan(w.chain[0].totals.get("cost_total", {}).get("mean"))
        ax.set_title(
            f"net cost: {w.chain[0].variant} {level:,.0f} {cur}"
            + (f"\n{w.label}" if w.label else ""),
            fontsize=9,
        )
        ax = axes[row, 1]
        items = [*w.money_steps, w.money_total]
        pos = np.arange(len(items))
        for offset, key, colour, name in (
            (-0.2, "lever_cost", WORSE_COLOUR, "lever cost"),
            (0.2, "saving", BETTER_COLOUR, "saving (penalties)"),
        ):
            mean = np.array([it[key].mean for it in items])
            half = np.nan_to_num(np.array([it[key].half_width for it in items]))
            ax.bar(pos + offset, mean, width=0.4, color=colour, alpha=0.8, label=name)
            ax.errorbar(pos + offset, mean, yerr=half, fmt="none", color="k", capsize=3)
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_xticks(pos, [*labels, "total"], rotation=35, ha="right")
        ax.set_ylabel(cur)
        ax.set_title("what the levers cost, what they save", fontsize=9)
        ax.legend(fontsize=8)
    fig.suptitle("Waterfall in money: paired effect of each added strategy on cost (95% CI)")
    return _save(fig, path)


def _one_more(job: Job, baseline: frozenset[str]) -> bool:
    """A single strategy on top of the baseline's."""
    s = frozenset(job.strategies)
    return baseline < s and len(s) == len(baseline) + 1


def _effects(report: ComparisonReport, path: Path) -> Path:
    comps = [
        c
        for c in report.comparisons
        if c.baseline is not None and _one_more(c.job, report.baseline)
    ]
    coll = report.collection
    labels = []
    for c in comps:
        swept = ", ".join(f"{k}={c.job.overrides.get(k, '-')}" for k in coll.params)
        labels.append(f"{c.job.variant} ({swept})" if swept else c.job.variant)
    metrics = centre_metrics(EFFECT_METRICS, coll.jobs)  # no ASA mixing seconds and hours
    n_rows = -(-len(metrics) // 3)
    fig, axes = _subplots(n_rows, 3, (1.0 + 0.45 * len(comps)) * n_rows)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    y = np.arange(len(comps))
    for ax, m in zip(axes.flat, metrics, strict=False):
        scale = 100.0 if m in RATE_METRICS else 1.0
        means = np.array([c.effects[m].mean for c in comps]) * scale
        half = np.array([c.effects[m].half_width for c in comps]) * scale
        ax.errorbar(means, y, xerr=np.where(np.isnan(half), 0, half), fmt="o", capsize=4)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_yticks(y, labels if ax in axes[:, 0] else [""] * len(y))
        ax.invert_yaxis()
        unit = " (pp)" if m in RATE_METRICS else ""
        ax.set_title(f"{_TITLES.get(m, m)}{unit}", fontsize=10)
    fig.suptitle("Effect of each strategy on its own: paired difference vs baseline (95% CI)")
    return _save(fig, path)


def channel_names(coll: Collection) -> list[str]:
    """The channels of a comparison's jobs (every job's, in the order their runs list them)."""
    seen: dict[str, None] = {}
    for j in coll.jobs:
        for ch, _ in j.values:
            if ch != "all":
                seen.setdefault(ch, None)
    return list(seen)


def channel_effects_figure(report: ComparisonReport) -> Figure | None:
    """Per strategy on its own (one strategy on top of the baseline's), its paired effect on
    each channel (95% CI): agent-hours short, service level and abandonment rate, a bar per
    channel in the channel's colour (the same as in the runs' figures). None for single-channel
    comparisons or without such a strategy job."""
    comps = [
        c
        for c in report.comparisons
        if c.baseline is not None and _one_more(c.job, report.baseline)
    ]
    chans = channel_names(report.collection)
    if len(chans) < 2 or not comps:
        return None
    colours = channel_colours(chans)
    coll = report.collection
    labels = []
    for c in comps:
        swept = ", ".join(f"{k}={c.job.overrides.get(k, '-')}" for k in coll.params)
        labels.append(f"{c.job.variant} ({swept})" if swept else c.job.variant)
    n_ch = len(chans)
    fig, axes = _subplots(1, len(CHANNEL_EFFECT_METRICS), 1.6 + len(comps) * (0.2 * n_ch + 0.3))
    bar_h = 0.8 / n_ch
    group = np.arange(len(comps))
    for ax, m in zip(axes[0], CHANNEL_EFFECT_METRICS, strict=True):
        scale = 100.0 if m in RATE_METRICS else 1.0
        for k, ch in enumerate(chans):
            eff = [
                paired_effect(
                    c.job.replication_values(m, ch),
                    c.baseline.replication_values(m, ch),  # type: ignore[union-attr]
                )
                for c in comps
            ]
            mean = np.array([e.mean for e in eff]) * scale
            half = np.nan_to_num(np.array([e.half_width for e in eff]) * scale)
            ax.barh(
                group - 0.4 + (k + 0.5) * bar_h,
                np.nan_to_num(mean),
                height=bar_h * 0.9,
                color=colours[ch],
                xerr=half,
                error_kw={"ecolor": "0.25", "capsize": 2, "lw": 0.8},
                label=ch,
            )
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_yticks(group, labels if ax is axes[0, 0] else [""] * len(group))
        ax.set_ylim(len(comps) - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
        unit = " (pp)" if scale == 100.0 else ""
        ax.set_title(f"change in {_TITLES.get(m, m)}{unit}", fontsize=10)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=n_ch, fontsize=9, frameon=False)
    fig.suptitle("Effect of each strategy per channel: paired difference vs baseline (95% CI)")
    return fig


def _numeric(values: list[str]) -> bool:
    try:
        [float(v) for v in values]
    except ValueError:
        return False
    return bool(values)


def response_params(coll: Collection) -> list[str]:
    """Swept parameters with numeric values (other than the seed)."""
    return [
        p
        for p in coll.params
        if p != "run.seed" and _numeric([j.overrides[p] for j in coll.jobs if p in j.overrides])
    ]


def _load_axis(jobs: list[Job], param: str):  # type: ignore[no-untyped-def]
    """rho = lambda * AHT / agents on the phone, when the arrival rate is swept and the rest
    is the same for every job: a second x axis for single-queue sweeps."""
    if param != "scenario.arrival_rate_per_h":
        return None
    keys = set()
    for j in jobs:
        sc = j.config.get("scenario") or {}
        try:
            aht = float(sc["handle_time"]["mean_s"])
            on_phone = round(int(sc["agents"]) * (1.0 - float(sc.get("shrinkage") or 0.0)))
        except (KeyError, TypeError, ValueError):
            return None
        keys.add((aht, on_phone))
    if len(keys) != 1:
        return None
    aht, on_phone = keys.pop()
    if on_phone <= 0:
        return None
    k = aht / 3600.0 / on_phone
    return (lambda x: x * k, lambda r: r / k), on_phone, aht


def _response(coll: Collection, param: str, path: Path) -> Path:
    jobs = [j for j in coll.jobs if param in j.overrides]
    others = [p for p in coll.params if p != param]
    seeds = len({j.seed for j in jobs}) > 1
    groups: dict[str, list[Job]] = {}
    for j in jobs:
        parts = [j.variant] if len({x.variant for x in jobs}) > 1 else []
        parts += [f"{k}={j.overrides.get(k, '-')}" for k in others]
        if seeds:
            parts.append(f"seed {j.seed}")
        groups.setdefault(", ".join(parts) or "simulated", []).append(j)
    fig, axes = _subplots(2, 3, 8.0)
    colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    models: set[str] = set()
    load = _load_axis(jobs, param)
    metrics = centre_metrics(RESPONSE_METRICS, jobs)
    for ax in axes.flat[len(metrics) : -1]:
        ax.set_visible(False)
    for ax, m in zip(axes.flat, metrics, strict=False):
        scale = 100.0 if m in RATE_METRICS else 1.0
        for gi, (label, members) in enumerate(sorted(groups.items())):
            members = sorted(members, key=lambda j: float(j.overrides[param]))
            x = np.array([float(j.overrides[param]) for j in members])
            t = [j.totals.get(m, {}) for j in members]
            mean = np.array([_nan(d.get("mean")) for d in t]) * scale
            lo = np.array([_nan(d.get("ci95_low")) for d in t]) * scale
            hi = np.array([_nan(d.get("ci95_high")) for d in t]) * scale
            err = np.vstack([np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)])
            c = colours[gi % len(colours)]
            ax.errorbar(
                x, mean, yerr=err, color=c, marker="o", ms=5, mfc="none", capsize=3, label=label
            )
            ref = np.array(
                [_nan(((j.reference or {}).get("values") or {}).get(m)) for j in members]
            )
            if not np.all(np.isnan(ref)):
                ax.plot(x, ref * scale, color="k", ls="--", marker="x", ms=6, lw=0.9, zorder=3)
                models.update(j.reference["model"] for j in members if j.reference)
        if m in ("asa_s", "asa_h") and _spans_decades(ax):
            ax.set_yscale("symlog", linthresh=1.0)  # waits explode near and above load 1
        ax.set_title(_TITLES.get(m, m) + (" (%)" if scale == 100.0 else ""), fontsize=10)
        ax.set_xlabel(param)
        ax.grid(alpha=0.3)
        if load is not None:
            fns, on_phone, aht = load
            sec = ax.secondary_xaxis("top", functions=fns)
            sec.set_xlabel(f"load per agent (AHT {aht:g} s, {on_phone} agents)", fontsize=8)
    legend_ax = axes.flat[-1]
    legend_ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if models:
        handles.append(Line2D([], [], color="k", ls="--", marker="x", lw=0.9))
        labels.append("formula: " + ", ".join(sorted(models)))
    legend_ax.legend(handles, labels, loc="center", fontsize=9, title="solid: simulated, 95% CI")
    fig.suptitle(
        f"Response to {param}: simulated mean (95% CI)" + (" vs formula" if models else "")
    )
    return _save(fig, path)


def _effect_response(report: ComparisonReport, param: str, path: Path) -> Path | None:
    """Paired effect against the baseline (95% CI) as a swept parameter varies: the response
    curve of a strategy's own parameter, without the spread the jobs share."""
    comps = [c for c in report.comparisons if c.baseline is not None and param in c.job.overrides]
    if len(comps) < 2:
        return None
    groups: dict[str, list] = {}
    for c in comps:
        groups.setdefault(c.job.variant, []).append(c)
    metrics = centre_metrics(EFFECT_METRICS, report.collection.jobs)
    n_rows = -(-len(metrics) // 3)
    fig, axes = _subplots(n_rows, 3, 3.4 * n_rows)
    colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, m in zip(axes.flat, metrics, strict=False):
        scale = 100.0 if m in RATE_METRICS else 1.0
        for gi, (label, members) in enumerate(sorted(groups.items())):
            members = sorted(members, key=lambda c: float(c.job.overrides[param]))
            x = np.array([float(c.job.overrides[param]) for c in members])
            mean = np.array([c.effects[m].mean for c in members]) * scale
            half = np.nan_to_num(np.array([c.effects[m].half_width for c in members]) * scale)
            ax.errorbar(
                x,
                mean,
                yerr=half,
                color=colours[gi % len(colours)],
                marker="o",
                ms=5,
                mfc="none",
                capsize=3,
                label=label,
            )
        ax.axhline(0, color="0.3", lw=0.8)
        unit = " (pp)" if scale == 100.0 else ""
        ax.set_title(f"change in {_TITLES.get(m, m)}{unit}", fontsize=10)
        ax.set_xlabel(param)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    if len(groups) > 1:
        axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"Effect vs the baseline as {param} varies: paired mean difference (95% CI)")
    return _save(fig, path)


def _spans_decades(ax: Axes) -> bool:
    ys = [y for line in ax.get_lines() for y in np.asarray(line.get_ydata(), dtype=float)]
    ys = [y for y in ys if np.isfinite(y) and y > 0]
    return bool(ys) and max(ys) > 100.0 * max(min(ys), 1.0)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def write_comparison_plots(report: ComparisonReport, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    paths = []
    if report.waterfalls:
        paths.append(_waterfall(report, out_dir / "waterfall.png"))
    if any(w.money_steps for w in report.waterfalls):
        paths.append(_money_waterfall(report, out_dir / "waterfall_cost.png"))
    if any(
        c.baseline is not None and _one_more(c.job, report.baseline) for c in report.comparisons
    ):
        paths.append(_effects(report, out_dir / "effects.png"))
    by_channel = channel_effects_figure(report)
    if by_channel is not None:
        paths.append(_save(by_channel, out_dir / "effects_by_channel.png"))
    for p in response_params(report.collection):
        paths.append(_response(report.collection, p, out_dir / f"response_{_safe(p)}.png"))
        effect = _effect_response(report, p, out_dir / f"effect_{_safe(p)}.png")
        if effect is not None:
            paths.append(effect)
    return paths
