"""A run's output folder: summary.json, intervals.csv, replications.csv, report.md, plots.

See ``docs/outputs.md`` for the schema of each file. Reads results; never runs the model.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .metrics import INTERVAL_COLUMNS, TOTAL_KEYS
from .outputs import atomic_write_text, write_csv, write_json
from .run import RunResult

__all__ = ["write_outputs", "SUMMARY_SCHEMA"]

SUMMARY_SCHEMA = "ccsim.summary/1"


def _clock(result: RunResult, start_min: float) -> tuple[int, str]:
    minutes = int(round(result.scenario.clock_start_h * 60 + start_min))
    day, m = divmod(minutes, 24 * 60)
    return day + 1, f"{m // 60:02d}:{m % 60:02d}"


def _summary(result: RunResult, config: dict[str, Any]) -> dict[str, Any]:
    sc, st = result.scenario, result.settings
    return {
        "schema": SUMMARY_SCHEMA,
        "ccsim_version": __version__,
        "scenario": {
            "name": sc.name,
            "description": sc.description,
            "channel": sc.channel,
            "horizon_h": sc.horizon_s / 3600,
            "interval_min": sc.interval_s / 60,
            "n_intervals": sc.n_intervals,
            "stationary": sc.is_stationary,
        },
        "run": {
            "seed": st.seed,
            "replications": st.replications,
            "warmup_min": st.warmup_s / 60,
            "measured_intervals": int((sc.interval_starts_s >= st.warmup_s).sum()),
        },
        "totals": {
            k: {
                "mean": e.mean,
                "ci95_low": e.ci_low,
                "ci95_high": e.ci_high,
                "std": e.std,
                "n": e.n,
            }
            for k, e in result.estimates.items()
        },
        "reference": result.reference,
        "contacts_simulated": int(sum(r.n_contacts for r in result.replications)),
        "config": config,
    }


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.1f}%"


def _num(x: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(x) else f"{x:,.{digits}f}"


_REPORT_ROWS = (
    ("offered", "offered contacts", 0, False),
    ("answered", "answered", 0, False),
    ("abandoned", "abandoned", 0, False),
    ("blocked", "blocked", 0, False),
    ("sl_answered_within_t", "service level (answered within T / offered)", 0, True),
    ("sl_wait_le_t", "P(time in queue <= T), abandoners included", 0, True),
    ("abandon_rate", "abandonment rate", 0, True),
    ("p_wait", "P(wait > 0)", 0, True),
    ("asa_s", "ASA, answered contacts (s)", 1, False),
    ("mean_wait_s", "mean time in queue, answered + abandoned (s)", 1, False),
    ("p90_wait_s", "90th percentile time in queue (s)", 1, False),
    ("occupancy", "occupancy", 0, True),
    ("demand_workload_h", "demand workload (agent-h)", 1, False),
    ("capacity_h", "capacity (agent-h)", 1, False),
    ("positive_demand_delta_h", "agent-hours short (sum of positive demand delta)", 1, False),
    ("unmet_contacts", "unmet contacts (abandoned + blocked + still waiting)", 0, False),
)


def _report_md(result: RunResult, plot_names: list[str]) -> str:
    sc, st, est = result.scenario, result.settings, result.estimates
    iv = result.interval_means()
    measured = iv["in_warmup"] == 0
    delta = np.where(measured, iv["demand_delta_h"], np.nan)
    lines = [f"# ccsim report: {sc.name}", ""]
    if sc.description:
        lines += [sc.description, ""]
    lines += [
        f"Channel **{sc.channel}**, horizon {sc.horizon_s / 3600:g} h in {sc.n_intervals} "
        f"intervals of {sc.interval_s / 60:g} min; {st.replications} replication(s), seed {st.seed}"
        + (f", warm-up {st.warmup_s / 60:g} min dropped" if st.warmup_s else "")
        + ".",
        "",
        "## Demand delta",
        "",
    ]
    short = est["positive_demand_delta_h"].mean
    if short > 0 and not np.all(np.isnan(delta)):
        k = int(np.nanargmax(delta))
        day, clock = _clock(result, iv["start_min"][k])
        lines.append(
            f"Planned demand exceeds capacity by **{short:,.1f} agent-hours** in total; "
            f"{_pct(est['share_intervals_in_deficit'].mean)} of intervals are in deficit; the "
            f"peak is {delta[k]:,.2f} agent-hours at day {day} {clock} "
            f"(staffing delta there: {iv['staffing_delta'][k]:+.0f} agents for the "
            f"{sc.target_service_level:.0%}-in-{sc.target_answer_s:g}-s target)."
        )
    else:
        lines.append("Capacity covers the planned demand workload in every measured interval.")
    lines += [
        "",
        "## Totals (mean over replications, 95% confidence interval)",
        "",
        "| metric | mean | 95% CI |",
        "| --- | ---: | --- |",
    ]
    for key, label, digits, pct in _REPORT_ROWS:
        e = est[key]
        if pct:
            ci = "" if math.isnan(e.ci_low) else f"{_pct(e.ci_low)} .. {_pct(e.ci_high)}"
            lines.append(f"| {label} | {_pct(e.mean)} | {ci} |")
        else:
            ci = (
                ""
                if math.isnan(e.ci_low)
                else f"{_num(e.ci_low, digits)} .. {_num(e.ci_high, digits)}"
            )
            lines.append(f"| {label} | {_num(e.mean, digits)} | {ci} |")
    ref = result.reference
    if ref is not None:
        lines += [
            "",
            f"## Simulation vs {ref['model']}",
            "",
            "Closed-form values for this stationary single queue"
            + (
                ""
                if ref["exact"]
                else " (an approximation: handle or patience times are not exponential)"
            )
            + ".",
            "",
            "| metric | simulated mean | 95% CI | formula | formula inside CI |",
            "| --- | ---: | --- | ---: | :---: |",
        ]
        for key, value in ref["values"].items():
            e = est[key]
            pct = key not in ("asa_s", "mean_wait_s")
            show = _pct if pct else (lambda v: _num(v, 2))
            ci = "" if math.isnan(e.ci_low) else f"{show(e.ci_low)} .. {show(e.ci_high)}"
            inside = (
                "" if math.isnan(e.ci_low) else ("yes" if e.ci_low <= value <= e.ci_high else "no")
            )
            lines.append(f"| {key} | {show(e.mean)} | {ci} | {show(value)} | {inside} |")
    lines += [
        "",
        "## Files",
        "",
        "- `summary.json`: totals with confidence intervals, Erlang reference, resolved config",
        "- `intervals.csv`: one row per interval (means over replications)",
        "- `replications.csv`: one row per replication and metric (tidy)",
    ]
    for name in plot_names:
        lines.append(f"- `{name}`")
    for name in plot_names:
        lines += ["", f"![{name}]({name})"]
    return "\n".join(lines) + "\n"


def write_outputs(result: RunResult, out_dir: Path, config: dict[str, Any]) -> list[Path]:
    """Write every output file of a run into ``out_dir``; returns their paths."""
    out_dir = Path(out_dir)
    written = []
    iv = result.interval_means()
    header = ["day", "time"] + list(INTERVAL_COLUMNS)
    rows = []
    for k in range(result.scenario.n_intervals):
        day, clock = _clock(result, iv["start_min"][k])
        rows.append([day, clock] + [iv[c][k] for c in INTERVAL_COLUMNS])
    write_csv(out_dir / "intervals.csv", header, rows)
    written.append(out_dir / "intervals.csv")
    write_csv(
        out_dir / "replications.csv",
        ["replication", "metric", "value"],
        ([r.replication, k, r.totals[k]] for r in result.replications for k in TOTAL_KEYS),
    )
    written.append(out_dir / "replications.csv")
    plot_names: list[str] = []
    if result.settings.plots:
        from .plots import plot_intervals

        written.append(plot_intervals(result, out_dir / "intervals.png"))
        plot_names.append("intervals.png")
    write_json(out_dir / "summary.json", _summary(result, config))
    written.append(out_dir / "summary.json")
    atomic_write_text(out_dir / "report.md", _report_md(result, plot_names))
    written.append(out_dir / "report.md")
    return written
