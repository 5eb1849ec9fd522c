"""A run's output folder: summary.json, intervals.csv, pools.csv, replications.csv (and the
same tables as Parquet), report.md, plots. See ``docs/outputs.md`` for every file's schema.
Reads results; never runs the model.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ccsim.analysis.results import RunResult
from ccsim.analysis.statistics import Estimate, ratio_estimate
from ccsim.config.empty import empty_warnings
from ccsim.model.centre import STOP
from ccsim.reports.costs import cost_lines
from ccsim.reports.deadlines import deadline_md
from ccsim.reports.files import atomic_write_text, write_csv, write_json
from ccsim.reports.formats import CLOSE_NOTE as _CLOSE_NOTE
from ccsim.reports.formats import centre_totals, service_level, wait
from ccsim.reports.formats import ci as _ci
from ccsim.reports.formats import num as _num
from ccsim.reports.formats import pct as _pct
from ccsim.reports.heads import heads_md
from ccsim.reports.peaks import channels_short, netting_text, peak_text
from ccsim.reports.tables import interval_table, pool_table, replication_table, rows, when
from ccsim.version import __version__

__all__ = ["write_outputs", "SUMMARY_SCHEMA"]

SUMMARY_SCHEMA = "ccsim.summary/3"


def _est(e: Estimate) -> dict[str, float]:
    return {"mean": e.mean, "ci95_low": e.ci_low, "ci95_high": e.ci_high, "std": e.std, "n": e.n}


# Ratio of totals over replications (numerator, denominator), beside the mean of the
# per-replication ratios in "totals" (analysis.statistics.ratio_estimate says when each is right).
_RATIOS = {
    "sl_answered_within_t": ("answered_within_target", "decided"),
    "abandon_rate": ("abandoned", "to_agents"),
    "occupancy": ("busy_agent_h", "staffed_agent_h"),
}


def _ratios_of_totals(result: RunResult) -> dict[str, Any]:
    def of(totals: list[dict[str, float]]) -> dict[str, Any]:
        return {
            k: _est(ratio_estimate([t[num] for t in totals], [t[den] for t in totals]))
            for k, (num, den) in _RATIOS.items()
        }

    reps = result.replications
    return {
        "all": of([r.totals for r in reps]),
        **{
            ch.name: of([r.channel_totals[c] for r in reps])
            for c, ch in enumerate(result.centre.channels)
        },
    }


def _state_probabilities(result: RunResult) -> list[float] | None:
    """Mean over replications of the time-average P(N = n) (single queues only)."""
    probs = [r.state_probabilities for r in result.replications if r.state_probabilities]
    if not probs:
        return None
    width = max(len(p) for p in probs)
    table = np.zeros((len(probs), width))
    for i, p in enumerate(probs):
        table[i, : len(p)] = p
    return [float(x) for x in table.mean(axis=0)]


def _summary(result: RunResult, config: dict[str, Any], digest: str, code: str) -> dict[str, Any]:
    c, st = result.centre, result.settings
    n = sum(r.n_contacts for r in result.replications)
    return {
        "schema": SUMMARY_SCHEMA,
        "ccsim_version": __version__,
        "strategies": list(c.strategies.names),  # in the schema's order
        "centre": {
            "name": c.name,
            "description": c.description,
            "start": None if result.start is None else result.start.isoformat(sep=" "),
            "horizon_h": c.horizon_s / 3600,
            "interval_min": c.interval_s / 60,
            "n_intervals": c.n_intervals,
            "channels": [
                {
                    "name": ch.name,
                    "mode": ch.mode,
                    "concurrency": ch.concurrency,
                    "target_s": ch.target_s,
                    "target_service_level": ch.target_service_level,
                }
                for ch in c.channels
            ],
            "intents": [it.name for it in c.intents],
            "pools": [p.name for p in c.pools],
            "single_queue": result.scenario is not None,
        },
        "run": {
            "seed": st.seed,
            "replications": st.replications,
            "warmup_min": st.warmup_s / 60,
            "measured_intervals": int((c.interval_starts_s >= st.warmup_s).sum()),
        },
        "totals": {k: _est(e) for k, e in result.estimates.items()},
        "channels": {
            ch.name: {k: _est(e) for k, e in ce.items()}
            for ch, ce in zip(c.channels, result.channel_estimates, strict=True)
        },
        "intents": {
            it.name: {k: _est(e) for k, e in ie.items()}
            for it, ie in zip(c.intents, result.intent_estimates, strict=True)
        },
        "currency": result.currency,  # of every cost_* figure
        "pools": {
            p.name: {k: _est(e) for k, e in pe.items()}
            for p, pe in zip(c.pools, result.pool_estimates, strict=True)
        },
        "ratio_of_totals": _ratios_of_totals(result),
        "warnings": empty_warnings(c),  # what the run leaves empty (report.md's first lines)
        "state_probabilities": _state_probabilities(result),
        "reference": result.reference,
        "contacts_simulated": n,
        "record_bytes_per_contact": (
            sum(r.record_bytes for r in result.replications) / n if n else None
        ),
        "config": config,
        "config_digest": digest,
        "code_digest": code,
    }


def _report_md(result: RunResult, plot_names: list[str]) -> str:
    c, st, est = result.centre, result.settings, result.estimates
    iv = result.interval_means()
    n_k = c.n_intervals
    measured = iv["in_warmup"][:n_k] == 0
    delta = iv["demand_delta_h"].reshape(len(c.channels), n_k).sum(axis=0)
    delta = np.where(measured, delta, np.nan)
    lines = [f"# ccsim report: {c.name}", ""]
    lines += [f"> **Warning:** {w}" for w in empty_warnings(c)]
    lines += [""] if lines[-1] else []
    if c.description:
        lines += [c.description, ""]
    lines += [
        f"{len(c.channels)} channel(s) ({', '.join(ch.name for ch in c.channels)}), "
        f"{len(c.intents)} intent(s), {len(c.pools)} pool(s); horizon {c.horizon_s / 3600:g} h in "
        f"{n_k} intervals of {c.interval_s / 60:g} min; {st.replications} replication(s), "
        f"seed {st.seed}"
        + (f", warm-up {st.warmup_s / 60:g} min dropped" if st.warmup_s else "")
        + ".",
        "",
        *([] if c.at_close == STOP else [_CLOSE_NOTE[c.at_close], ""]),
        "Strategies: "
        + (", ".join(c.strategies.names) if c.strategies.names else "none (baseline)")
        + ".",
        "",
        "## Demand delta",
        "",
    ]
    short = est["positive_demand_delta_h"].mean
    if short > 0 and not np.all(np.isnan(delta)):
        k = int(np.nanargmax(delta))
        day, clock = when(result, iv["start_min"][k])
        lines.append(
            f"Demand exceeds capacity by **{short:,.1f} agent-hours** in total"
            + (f" (95% CI {ci})" if (ci := _ci(est["positive_demand_delta_h"], False)) else "")
            + (f" ({netting_text(result)}: per channel below)" if len(c.channels) > 1 else "")
            + "; "
            f"{_pct(est['share_intervals_in_deficit'].mean)} of intervals are in deficit; the "
            f"peak is {delta[k]:,.2f} agent-hours in the interval starting {day} {clock}."
        )
    else:
        lines.append(
            "Capacity covers the demand workload in every measured interval"
            + (
                f" (channels netted within each interval; the channels' own shortfalls sum to "
                f"{channels_short(result):,.1f} agent-hours: per channel below)."
                if len(c.channels) > 1 and channels_short(result) > 0
                else "."
            )
        )
    if peak := peak_text(result):
        lines += ["", peak]
    lines += ["", *heads_md(result)]
    lines += [
        "## Per channel (mean over replications)",
        "",
        "| channel | offered | service level | abandoned | ASA | occupancy | "
        "workload (agent-h) | capacity (agent-h) | agent-h short | unmet |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for ch, ce in zip(c.channels, result.channel_estimates, strict=True):
        lines.append(
            f"| {ch.name} | {_num(ce['offered'].mean, 0)} | "
            f"{service_level(ce['sl_answered_within_t'], ce['offered'].mean)} | "
            f"{_pct(ce['abandon_rate'].mean)} | "
            f"{wait(ce['asa_s'].mean, ch.mode)} | {_pct(ce['occupancy'].mean)} | "
            f"{_num(ce['demand_workload_h'].mean)} | {_num(ce['capacity_h'].mean)} | "
            f"{_num(ce['positive_demand_delta_h'].mean)} | {_num(ce['unmet_contacts'].mean, 0)} |"
        )
    lines += deadline_md(result)  # async channels: short only where deadlines are missed
    if len(c.intents) > 1:
        # Intents span channels: an ASA over live calls and e-mails together means nothing.
        modes = {ch.mode for ch in c.channels}
        lines += [
            "",
            "## Per intent (all channels)",
            "",
            "| intent | offered | of which repeats | service level | abandoned | "
            + ("ASA | " if len(modes) == 1 else "")
            + "demand workload (agent-h) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if len(modes) == 1 else ""),
        ]
        for it, ie in zip(c.intents, result.intent_estimates, strict=True):
            lines.append(
                f"| {it.name} | {_num(ie['offered'].mean, 0)} | {_num(ie['repeats'].mean, 0)} | "
                f"{_pct(ie['sl_answered_within_t'].mean)} | {_pct(ie['abandon_rate'].mean)} | "
                + (f"{wait(ie['asa_s'].mean, min(modes))} | " if len(modes) == 1 else "")
                + f"{_num(ie['demand_workload_h'].mean)} |"
            )
        if len(modes) > 1:
            lines += [
                "",
                "ASA per intent is left out: intents span live channels (waits in seconds) and "
                "backlogs (waits in hours); each channel's ASA is above.",
            ]
    pv = result.pool_means()
    lines += [
        "",
        "## Per pool",
        "",
        "| pool | agents on the phone (mean) | occupancy |",
        "| --- | ---: | ---: |",
    ]
    for p, pool in enumerate(c.pools):
        sl = slice(p * n_k, (p + 1) * n_k)
        busy, staffed = pv["busy_agent_h"][sl].sum(), pv["staffed_agent_h"][sl].sum()
        occ = busy / staffed if staffed > 0 else float("nan")
        lines.append(
            f"| {pool.name} | {_num(float(pv['agents_on_phone'][sl].mean()))} | {_pct(occ)} |"
        )
    lines += [
        "",
        "Occupancy per interval (`pools.csv`, `occupancy.png`) can pass 100%: an agent whose "
        "shift ends finishes the contact in hand, busy time beyond the staffed time.",
    ]
    lines += [
        "",
        "## Whole centre (mean over replications, 95% confidence interval)",
        "",
        "| metric | mean | 95% CI |",
        "| --- | ---: | --- |",
    ]
    rows, note = centre_totals(result)
    lines += [f"| {label} | {mean} | {interval} |" for _, label, mean, interval in rows]
    lines += ["", note] if note else []
    lines += cost_lines(result)
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
                else " (an approximation: handle, patience or inter-arrival times are not"
                " exponential)"
            )
            + ".",
            "",
            "| metric | simulated mean | 95% CI | formula | formula inside CI |",
            "| --- | ---: | --- | ---: | :---: |",
        ]
        for key, value in ref["values"].items():
            e = est[key]
            # Shares in percent; times (``_s``) and numbers of contacts as plain numbers.
            pct = not (key.endswith("_s") or key.startswith("mean_in_"))
            show = _pct if pct else (lambda v: _num(v, 2))
            inside = (
                "" if math.isnan(e.ci_low) else ("yes" if e.ci_low <= value <= e.ci_high else "no")
            )
            lines.append(
                f"| {key} | {show(e.mean)} | {_ci(e, pct, 2)} | {show(value)} | {inside} |"
            )
    lines += [
        "",
        "## Files",
        "",
        "- `summary.json`: totals and costs with 95% CIs (centre, per channel, per pool), "
        "Erlang reference, resolved config",
        "- `intervals.csv`: one row per channel and interval (means over replications)",
        "- `pools.csv`: one row per pool and interval: staffing and occupancy",
        "- `replications.csv`: one row per replication, channel and metric (tidy)",
    ]
    lines += [f"- `{name}`" for name in plot_names]
    for name in plot_names:
        lines += ["", f"![{name}]({name})"]
    return "\n".join(lines) + "\n"


def write_outputs(
    result: RunResult, out_dir: Path, config: dict[str, Any], digest: str = "", code: str = ""
) -> list[Path]:
    """Write every output file of a run into ``out_dir``; returns their paths. ``summary.json``
    is written last: its presence (with the config's ``digest`` and the ``code`` digest of
    ccsim that made it) marks the job as finished."""
    out_dir = Path(out_dir)
    tables = {
        "intervals.csv": interval_table(result),
        "pools.csv": pool_table(result),
        "replications.csv": replication_table(result),
    }
    for name, table in tables.items():
        write_csv(out_dir / name, list(table), rows(table))
    written = [out_dir / n for n in tables]
    from ccsim.reports.parquet import write_run_parquet  # pyarrow loads only to write

    written += write_run_parquet(result, out_dir, tables)  # the same tables, typed
    plot_names: list[str] = []
    if result.settings.plots:
        from ccsim.reports.coverage import COVERAGE_FILE, plot_coverage
        from ccsim.reports.plots import write_plots

        coverage = plot_coverage(result, out_dir / COVERAGE_FILE)  # heads (None: all async)
        for path in [*write_plots(result, out_dir), *([coverage] if coverage else [])]:
            written.append(path)
            plot_names.append(path.name)
    atomic_write_text(out_dir / "report.md", _report_md(result, plot_names))
    from ccsim.reports.html import write_report_html  # jinja2 loads only to write

    write_report_html(result, out_dir, written, config)
    write_json(out_dir / "summary.json", _summary(result, config, digest, code))
    return written + [out_dir / n for n in ("report.md", "report.html", "summary.json")]
