"""``comparison.md``: the comparison of a sweep or study as a Markdown report (jobs, paired
effects for the centre and per channel, what common random numbers buy, waterfalls, simulation
against the Erlang formulas, figures and files)."""

from __future__ import annotations

import math
from typing import Sequence

from ccsim.analysis.effects import Effect, paired_effect
from ccsim.reports.costs import money
from ccsim.sweeps.collect import BASELINE, Collection, Job
from ccsim.sweeps.costs import currencies
from ccsim.sweeps.pairing import (
    EFFECT_METRICS,
    RATE_METRICS,
    Comparison,
    ComparisonReport,
    Waterfall,
    added_strategy,
)
from ccsim.sweeps.units import MIXED_ASA_NOTE, centre_metrics, channel_groups, mixes_modes

__all__ = ["markdown"]

CRN_METRICS = ("demand_delta_h", "positive_demand_delta_h", "unmet_contacts")
UNITS = {
    "demand_delta_h": "agent-h",
    "positive_demand_delta_h": "agent-h",
    "unmet_contacts": "contacts",
    "asa_s": "s",
    "asa_h": "h",
    "sl_answered_within_t": "pp",
    "abandon_rate": "pp",
    "occupancy": "pp",
    "late_async": "contacts",
}


def _channel_lines(paired: list[Comparison]) -> list[str]:
    """Paired effects per channel: live channels' waits in seconds, async backlogs' in hours
    (:mod:`ccsim.sweeps.units`), a table for each."""
    jobs = [c.job for c in paired]
    groups = channel_groups(jobs)
    if not groups:
        return []
    lines = ["", "## Paired effects per channel"]
    for g in groups:
        lines += ["", f"### {g.title}"] if g.title else []
        lines += ["", *_metric_table_header("variant", "channel", g.metrics)]
        for c in paired:
            assert c.baseline is not None
            for ch in g.channels:
                cells = [
                    _effect_cell(
                        paired_effect(
                            c.job.replication_values(m, ch), c.baseline.replication_values(m, ch)
                        ),
                        m,
                    )
                    for m in g.metrics
                ]
                lines.append(f"| {c.job.variant} | {ch} | " + " | ".join(cells) + " |")
    return lines


# Money tables: (effect key, column label).
_LEVER_COLUMNS = (
    ("lever_cost", "lever cost"),
    ("saving", "saving"),
    ("cost_total", "net (Δ cost_total)"),
    ("agent_h_closed", "agent-h closed"),
    ("cost_per_agent_h_closed", "net per agent-h closed"),
    ("cost_per_contact_handled", "Δ per contact handled"),
)
_PART_COLUMNS = (
    ("cost_agents", "agents"),
    ("cost_overtime", "overtime"),
    ("cost_bot", "chatbot"),
    ("cost_notices", "notices"),
    ("cost_calls", "outbound calls"),
    ("cost_fixed", "fixed"),
    ("cost_penalties", "penalties"),
    ("cost_total", "total"),
)
_MONEY_NOTE = (
    "Lever cost = Δ (agents + overtime + chatbot + notices + outbound calls + fixed strategy "
    "costs); saving = -Δ penalties; net = Δ cost_total = lever cost - saving (negative: the "
    "change pays for itself). Agent-h closed = -Δ positive_demand_delta_h (agent-hours short). "
    "Net per agent-h closed = net / agent-h closed: a ratio of the two mean effects, without a "
    "confidence interval; n/a when the change did not shrink the delta."
)


def _money_cell(e: Effect, key: str) -> str:
    """A money effect with its paired 95% interval (agent-hours for ``agent_h_closed``)."""

    def show(v: float) -> str:
        return _num(v, digits=1) if key == "agent_h_closed" else money(v, e.mean)

    if math.isnan(e.ci_low):
        return show(e.mean)
    return f"{show(e.mean)} [{show(e.ci_low)} .. {show(e.ci_high)}]"


def _money_lines(paired: list[Comparison]) -> list[str]:
    """Each strategy job's paired cost effects: lever cost, saving, net, per part."""
    priced = [c for c in paired if c.money]
    if not priced:
        return []
    cur = currencies([j for c in priced for j in (c.job, c.baseline) if j is not None])
    lines = [
        "",
        f"## Money: what each change costs and saves ({cur})",
        "",
        "Paired effects on the cost of the measured horizon (strategy minus baseline, mean "
        f"[95% CI], {cur}). " + _MONEY_NOTE,
        "",
        "| variant | job | " + " | ".join(label for _, label in _LEVER_COLUMNS) + " |",
        "| --- | --- |" + " ---: |" * len(_LEVER_COLUMNS),
    ]
    for c in priced:
        cells = [_money_cell(c.money[k], k) for k, _ in _LEVER_COLUMNS]
        lines.append(f"| {c.job.variant} | {c.job.name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Change in each part of the cost ({cur}, mean [95% CI]):",
        "",
        "| variant | job | " + " | ".join(label for _, label in _PART_COLUMNS) + " |",
        "| --- | --- |" + " ---: |" * len(_PART_COLUMNS),
    ]
    for c in priced:
        cells = [_money_cell(c.money[k], k) for k, _ in _PART_COLUMNS]
        lines.append(f"| {c.job.variant} | {c.job.name} | " + " | ".join(cells) + " |")
    return lines


def _money_waterfall_lines(w: Waterfall) -> list[str]:
    """A waterfall's steps in money (none for results without costs)."""
    if not w.money_steps:
        return []
    cur = currencies(w.chain)
    cols = _LEVER_COLUMNS[:5]
    base = w.chain[0]
    lines = [
        "",
        f"In money ({cur}): each step's paired effect on the cost (mean [95% CI]); the net "
        "effects add up to the total.",
        "",
        "| step | job | " + " | ".join(label for _, label in cols) + " |",
        "| --- | --- |" + " ---: |" * len(cols),
        f"| {base.variant} (level: cost_total {money(_total_mean(base, 'cost_total'))}) | "
        f"{base.name} |" + " |" * len(cols),
    ]
    for n, step in enumerate(w.money_steps):
        job = w.chain[n + 1]
        cells = [_money_cell(step[k], k) for k, _ in cols]
        lines.append(
            f"| + {added_strategy(job, w.chain[n])} | {job.name} | " + " | ".join(cells) + " |"
        )
    cells = [_money_cell(w.money_total[k], k) for k, _ in cols]
    lines.append(f"| total | {w.chain[-1].name} | " + " | ".join(cells) + " |")
    return lines


def _scale(metric: str) -> float:
    return 100.0 if metric in RATE_METRICS else 1.0


def _num(x: float, metric: str = "", digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "inf"
    return f"{x * _scale(metric):,.{digits}f}"


def _ci(e: Effect, metric: str) -> str:
    if math.isnan(e.ci_low):
        return "n/a"
    return f"{_num(e.ci_low, metric)} .. {_num(e.ci_high, metric)}"


def _metric_table_header(first: str, second: str, metrics: Sequence[str]) -> list[str]:
    """Markdown header of a table with two text columns, then one number column per metric."""
    return [
        f"| {first} | {second} | " + " | ".join(_metric_label(m) for m in metrics) + " |",
        "| --- | --- |" + " ---: |" * len(metrics),
    ]


def _effect_cell(e: Effect, metric: str) -> str:
    """``mean [ci low .. ci high]``, or the mean and why there is no interval."""
    ci = _ci(e, metric)
    if "n/a" not in ci:
        return f"{_num(e.mean, metric)} [{ci}]"
    return _num(e.mean, metric) + (f" ({e.note})" if e.note else "")


def _ratio(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    return "inf" if math.isinf(x) else f"{x:.2f}"


def _metric_label(metric: str) -> str:
    return f"{metric} ({UNITS[metric]})" if metric in UNITS else metric


def crn_rows(paired: list[Comparison]) -> list[list[str]]:
    """What common random numbers buy, a row per strategy and metric: variant, metric, the
    paired half-width, the independent one estimated and its ratio, the independent one
    measured against another seed's baseline and its ratio ("n/a" without one)."""
    rows = []
    for c in paired:
        for m in CRN_METRICS:
            e = c.effects[m]
            i = c.independent.get(m)
            measured = (
                [_num(i.half_width, m), _ratio(i.half_width / e.half_width)]
                if i is not None and e.half_width and math.isfinite(e.half_width)
                else ["n/a", "n/a"]
            )
            rows.append(
                [
                    c.job.variant,
                    _metric_label(m),
                    _num(e.half_width, m),
                    _num(e.independent_half_width, m),
                    _ratio(e.ratio),
                    *measured,
                ]
            )
    return rows


def markdown(report: ComparisonReport, plots: list[str]) -> str:
    """The text of ``comparison.md``; ``plots`` names the figures beside it."""
    coll = report.collection
    base_name = "+".join(sorted(report.baseline)) or BASELINE
    lines = [
        f"# ccsim comparison: {coll.root.resolve().name or coll.root.as_posix()}",
        "",
        f"{len(coll.jobs)} finished job(s), {len(coll.failed)} failed. Swept parameters: "
        + (", ".join(f"`{p}`" for p in coll.params) or "none")
        + f". Baseline: `{base_name}`.",
        "",
        "## Jobs",
        "",
        "| job | variant | seed | replications | " + " | ".join(coll.params) + " |",
        "| --- | --- | ---: | ---: |" + " --- |" * len(coll.params),
    ]
    for j in coll.jobs:
        vals = " | ".join(j.overrides.get(p, "") for p in coll.params)
        lines.append(f"| {j.name} | {j.variant} | {j.seed} | {j.replications} | {vals} |")
    if coll.failed:
        lines += ["", "Failed jobs (error.json):", ""]
        lines += [f"- `{f.name}`: {f.error}" for f in coll.failed]
    lines += [
        "",
        "## Common random numbers",
        "",
        "Every purpose (arrivals, handle times, patience) draws from its own random stream and "
        "customer *i* gets the *i*-th draw of each, so replication *r* of every job run on the "
        "same seed sees the same customers. A strategy's effect is then estimated from the "
        "differences replication by replication (paired): the noise both jobs share cancels. "
        "The paired 95% interval is mean(d) +- t(n-1) s_d / sqrt(n) over the n differences "
        "d_r = strategy_r - baseline_r. For comparison, the half-width an independent-seeds "
        "comparison would have is estimated from the two jobs' own spreads, t(df) "
        "sqrt(s_a^2/n + s_b^2/n) with Welch's df; *ratio* = independent / paired half-width "
        "(its square is roughly how many times more replications independent seeds would "
        "need for the same precision). Rates are in percentage points (pp).",
    ]
    comps = report.comparisons
    paired = [c for c in comps if c.baseline is not None]
    centre = centre_metrics(EFFECT_METRICS, coll.jobs)
    if paired:
        lines += [
            "",
            "## Paired effects (strategy minus baseline, whole centre)",
            "",
            "Mean effect and its paired 95% confidence interval."
            + (f" {MIXED_ASA_NOTE}" if mixes_modes(coll.jobs) else ""),
            "",
            *_metric_table_header("variant", "job", centre),
        ]
        for c in paired:
            cells = [_effect_cell(c.effects[m], m) for m in centre]
            lines.append(f"| {c.job.variant} | {c.job.name} | " + " | ".join(cells) + " |")
        lines += _channel_lines(paired)
        lines += _money_lines(paired)
        lines += [
            "",
            "## What common random numbers buy",
            "",
            "Half-width of the 95% interval of each effect: paired (same seeds), and what "
            "independent seeds would give (estimated from the two jobs' own spreads; "
            "*measured* against a baseline run on another seed, when there is one). "
            "Ratio = independent / paired.",
            "",
            "| variant | metric | +- paired | +- independent (est.) | ratio (est.) | "
            "+- independent (measured) | ratio (measured) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in crn_rows(paired)]
    if comps:
        unpaired = [c for c in comps if c.baseline is None]
        if unpaired:
            lines += [
                "",
                "No baseline job with the same seed, replications and other overrides for: "
                + ", ".join(f"`{c.job.name}` ({c.job.variant})" for c in unpaired)
                + ".",
            ]
    else:
        lines += ["", "No strategy job (every job is a baseline): no paired effects."]
    for w in report.waterfalls:
        lines += [
            "",
            f"## Waterfall: {w.label or 'all jobs'}",
            "",
            "Each step: the paired effect of adding one strategy to the ones before it "
            "(mean, 95% CI); the steps add up to the total.",
            "",
            *_metric_table_header("step", "job", centre),
        ]
        b = w.chain[0]
        lines.append(
            f"| {b.variant} (level) | {b.name} | "
            + " | ".join(_num(_total_mean(b, m), m) for m in centre)
            + " |"
        )
        for n, s in enumerate(w.steps):
            job = w.chain[n + 1]
            lines.append(
                f"| + {added_strategy(job, w.chain[n])} | {job.name} | "
                + " | ".join(f"{_num(s[m].mean, m)} ({_ci(s[m], m)})" for m in centre)
                + " |"
            )
        lines.append(
            f"| total | {w.chain[-1].name} | "
            + " | ".join(f"{_num(w.total[m].mean, m)} ({_ci(w.total[m], m)})" for m in centre)
            + " |"
        )
        lines += _money_waterfall_lines(w)
    lines += _reference_section(coll)
    if plots:
        lines += ["", "## Figures"]
        for name in plots:
            lines += ["", f"![{name}]({name})"]
    lines += [
        "",
        "## Files",
        "",
        "- `tidy.csv`: one row per job, replication, channel and metric, with the swept "
        "parameters as columns",
        "- `effects.csv`: the paired (and independent) effects above",
        "- `waterfall.csv`: the waterfall steps",
    ]
    lines += [f"- `{name}`" for name in plots]
    return "\n".join(lines) + "\n"


def _total_mean(job: Job, metric: str) -> float:
    v = job.totals.get(metric, {}).get("mean")
    return float("nan") if v is None else float(v)


def _reference_section(coll: Collection) -> list[str]:
    jobs = [j for j in coll.jobs if j.reference]
    if not jobs:
        return []
    metrics = ("sl_answered_within_t", "abandon_rate", "asa_s", "occupancy")
    lines = [
        "",
        "## Simulation vs Erlang formulas (single queues)",
        "",
        "Simulated mean [95% CI] / formula; a formula value outside the CI is marked *. "
        "Rates in %.",
        "",
        "| job | variant | " + " | ".join(coll.params) + " | model | " + " | ".join(metrics) + " |",
        "| --- | --- |" + " --- |" * len(coll.params) + " --- |" + " --- |" * len(metrics),
    ]
    for j in coll.jobs:
        ref = j.reference
        vals = " | ".join(j.overrides.get(p, "") for p in coll.params)
        cells = []
        for m in metrics:
            t = j.totals.get(m, {})
            mean = t.get("mean")
            lo, hi = t.get("ci95_low"), t.get("ci95_high")
            sim = _num(float("nan") if mean is None else mean, m)
            if lo is not None and hi is not None:
                sim += f" [{_num(lo, m)}, {_num(hi, m)}]"
            f = (ref or {}).get("values", {}).get(m) if ref else None
            if f is None:
                cells.append(f"{sim} / -")
            else:
                out = lo is not None and hi is not None and not (lo <= f <= hi)
                cells.append(f"{sim} / {_num(f, m)}{'*' if out else ''}")
        model = ref["model"] if ref else "none (no steady state or no formula)"
        lines.append(f"| {j.name} | {j.variant} | {vals} | {model} | " + " | ".join(cells) + " |")
    return lines
