"""``ccsim-report PATH``: compare the jobs of a sweep or study folder.

Finds every job under PATH (:mod:`ccsim.sweeps.collect`), pairs each strategy job with the baseline
job that saw the same customers (same seed, same replications, same other overrides) and
estimates each strategy's effect with a paired confidence interval (:mod:`ccsim.analysis.effects`);
chains of cumulative strategies ([], [a], [a, b], ...) become a waterfall; swept numeric
parameters become response curves, with the Erlang formulas beside the simulation
(:mod:`ccsim.sweeps.plots`). Writes ``tidy.csv``, ``effects.csv``, ``waterfall.csv``,
``comparison.md`` and the figures into PATH/comparison (or ``--out``). Reads outputs; never runs
the model. Same inputs, same bytes.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ccsim.analysis.effects import Effect, independent_effect, paired_effect
from ccsim.reports.files import atomic_write_text, write_csv
from ccsim.sweeps.collect import (
    BASELINE,
    Collection,
    Job,
    NoJobsError,
    collect,
    is_strategy_key,
    write_tidy,
)

__all__ = [
    "EFFECT_METRICS",
    "Comparison",
    "Waterfall",
    "ComparisonReport",
    "compare",
    "main",
]

# Effects are reported for the whole centre (channel "all").
EFFECT_METRICS = (
    "demand_delta_h",
    "positive_demand_delta_h",
    "unmet_contacts",
    "sl_answered_within_t",
    "asa_s",
    "abandon_rate",
    "occupancy",
)
CRN_METRICS = ("demand_delta_h", "positive_demand_delta_h", "unmet_contacts")
WATERFALL_METRICS = ("demand_delta_h", "positive_demand_delta_h", "unmet_contacts")
RATE_METRICS = ("sl_answered_within_t", "sl_wait_le_t", "abandon_rate", "occupancy", "p_wait")
UNITS = {
    "demand_delta_h": "agent-h",
    "positive_demand_delta_h": "agent-h",
    "unmet_contacts": "contacts",
    "asa_s": "s",
    "sl_answered_within_t": "pp",
    "abandon_rate": "pp",
    "occupancy": "pp",
    "late_async": "contacts",
}


@dataclass(frozen=True)
class Comparison:
    """A strategy job against its baseline: ``effects`` paired by replication (same seed);
    ``independent`` against a baseline run on another seed, when there is one."""

    job: Job
    baseline: Job | None
    effects: dict[str, Effect]
    other_baseline: Job | None = None
    independent: dict[str, Effect] = field(default_factory=dict)


@dataclass(frozen=True)
class Waterfall:
    """Cumulative strategies on one seed: ``chain[0]`` is the baseline, each next job adds one
    strategy; ``steps[i]`` is chain[i+1] minus chain[i], ``total`` the last minus the first."""

    label: str  # the swept values and seed the chain was run at
    chain: list[Job]
    steps: list[dict[str, Effect]]
    total: dict[str, Effect]


@dataclass(frozen=True)
class ComparisonReport:
    collection: Collection
    baseline: frozenset[str]  # the baseline's strategies (empty: none)
    comparisons: list[Comparison]
    waterfalls: list[Waterfall]
    out_dir: Path
    files: list[Path]


def _cell(job: Job) -> tuple:
    """Jobs that differ only in strategies (and their parameters) and seed share a cell."""
    others = tuple(
        sorted(
            (k, v) for k, v in job.overrides.items() if k != "run.seed" and not is_strategy_key(k)
        )
    )
    return others, job.replications


def _label(coll: Collection, job: Job, with_seed: bool = True) -> str:
    parts = [f"{k}={job.overrides.get(k, '-')}" for k in coll.params]
    if with_seed:
        parts.append(f"seed {job.seed}")
    return ", ".join(parts)


def _effects(a: Job, b: Job, independent: bool = False) -> dict[str, Effect]:
    fn = independent_effect if independent else paired_effect
    return {m: fn(a.replication_values(m), b.replication_values(m)) for m in EFFECT_METRICS}


CHANNEL_METRICS = ("sl_answered_within_t", "asa_s", "abandon_rate", "late_async")


def _channel_lines(paired: list[Comparison]) -> list[str]:
    """Paired effects per channel: the centre's figures mix live channels (waits in seconds)
    with backlogs (waits in hours), so service is read channel by channel."""
    # In the order of replications.csv (the centre's channel order).
    channels = list(dict.fromkeys(ch for c in paired for ch, _ in c.job.values if ch != "all"))
    if not channels:
        return []
    lines = [
        "",
        "## Paired effects per channel",
        "",
        *_metric_table_header("variant", "channel", CHANNEL_METRICS),
    ]
    for c in paired:
        assert c.baseline is not None
        for ch in channels:
            cells = [
                _effect_cell(
                    paired_effect(
                        c.job.replication_values(m, ch), c.baseline.replication_values(m, ch)
                    ),
                    m,
                )
                for m in CHANNEL_METRICS
            ]
            lines.append(f"| {c.job.variant} | {ch} | " + " | ".join(cells) + " |")
    return lines


def _pair(coll: Collection, baseline: frozenset[str]) -> list[Comparison]:
    out = []
    for job in coll.jobs:
        if frozenset(job.strategies) == baseline:
            continue
        bases = [
            b for b in coll.jobs if frozenset(b.strategies) == baseline and _cell(b) == _cell(job)
        ]
        same = [b for b in bases if b.seed == job.seed]
        other = sorted(
            (b for b in bases if b.seed != job.seed), key=lambda b: (str(b.seed), b.name)
        )
        base = same[0] if same else None
        other_base = other[0] if other else None
        out.append(
            Comparison(
                job,
                base,
                _effects(job, base) if base else {},
                other_base,
                _effects(job, other_base, independent=True) if other_base else {},
            )
        )
    return out


def _longest_chain(by_set: dict[frozenset[str], Job], base: frozenset[str]) -> list[frozenset[str]]:
    """The longest sequence base < S1 < S2 ... of strategy sets present, each adding one
    strategy. Preferred: the prefixes of a job's own strategy list (the order it names them);
    else any such path (first in sorted order)."""
    finals = sorted(
        (s for s in by_set if base < s and len(s) - len(base) >= 2),
        key=lambda s: (-len(s), by_set[s].name),
    )
    for s in finals:  # the job's own order
        extra = [x for x in by_set[s].strategies if x not in base]
        sets = [base | frozenset(extra[:i]) for i in range(len(extra) + 1)]
        if all(x in by_set for x in sets):
            return sets
    best: list[frozenset[str]] = []

    def walk(path: list[frozenset[str]]) -> None:
        nonlocal best
        if len(path) > len(best):
            best = list(path)
        last = path[-1]
        for s in sorted((s for s in by_set if last < s and len(s) == len(last) + 1), key=sorted):
            walk([*path, s])

    walk([base])
    return best if len(best) >= 3 else []


def added_strategy(job: Job, previous: Job) -> str:
    """The strategy ``job`` has and ``previous`` has not (a waterfall step)."""
    return "+".join(s for s in job.strategies if s not in previous.strategies)


def _waterfalls(coll: Collection, baseline: frozenset[str]) -> list[Waterfall]:
    cells: dict[tuple, dict[frozenset[str], Job]] = {}
    for job in coll.jobs:  # sorted by name: the first job of a variant in a cell is kept
        cells.setdefault((_cell(job), str(job.seed)), {}).setdefault(frozenset(job.strategies), job)
    out = []
    for key in sorted(cells, key=str):
        by_set = cells[key]
        if baseline not in by_set:
            continue
        sets = _longest_chain(by_set, baseline)
        if not sets:
            continue
        chain = [by_set[s] for s in sets]
        steps = [_effects(chain[i + 1], chain[i]) for i in range(len(chain) - 1)]
        out.append(Waterfall(_label(coll, chain[0]), chain, steps, _effects(chain[-1], chain[0])))
    return out


# ---- formatting -------------------------------------------------------------------------


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


def _effect_rows(report: ComparisonReport) -> list[list]:
    rows = []
    for c in report.comparisons:
        for m in EFFECT_METRICS:
            e = c.effects.get(m)
            i = c.independent.get(m)
            nan = float("nan")
            rows.append(
                [
                    c.job.name,
                    c.job.variant,
                    "" if c.job.seed is None else c.job.seed,
                    c.baseline.name if c.baseline else "",
                    m,
                    e.mean if e else nan,
                    e.ci_low if e else nan,
                    e.ci_high if e else nan,
                    e.half_width if e else nan,
                    e.independent_half_width if e else nan,
                    e.ratio if e else nan,
                    e.n if e else 0,
                    c.other_baseline.name if c.other_baseline else "",
                    i.mean if i else nan,
                    i.ci_low if i else nan,
                    i.ci_high if i else nan,
                ]
            )
    return rows


EFFECT_COLUMNS = (
    "job",
    "variant",
    "seed",
    "baseline_job",
    "metric",
    "effect",
    "ci95_low",
    "ci95_high",
    "half_width_paired",
    "half_width_independent_est",
    "width_ratio",
    "n",
    "other_seed_baseline_job",
    "independent_effect",
    "independent_ci95_low",
    "independent_ci95_high",
)


def _waterfall_rows(report: ComparisonReport) -> list[list]:
    rows = []
    for w in report.waterfalls:
        items = [
            (f"+ {added_strategy(w.chain[i + 1], w.chain[i])}", s) for i, s in enumerate(w.steps)
        ]
        items.append(("total", w.total))
        for step, (label, effects) in enumerate(items):
            job = w.chain[step + 1] if label != "total" else w.chain[-1]
            for m in EFFECT_METRICS:
                e = effects[m]
                rows.append(
                    [
                        w.label,
                        step + 1 if label != "total" else "total",
                        label,
                        job.name,
                        m,
                        e.mean,
                        e.ci_low,
                        e.ci_high,
                        e.n,
                    ]
                )
    return rows


WATERFALL_COLUMNS = (
    "cell",
    "step",
    "change",
    "job",
    "metric",
    "effect",
    "ci95_low",
    "ci95_high",
    "n",
)


def _markdown(report: ComparisonReport, plots: list[str]) -> str:
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
    if paired:
        lines += [
            "",
            "## Paired effects (strategy minus baseline, whole centre)",
            "",
            "Mean effect and its paired 95% confidence interval.",
            "",
            *_metric_table_header("variant", "job", EFFECT_METRICS),
        ]
        for c in paired:
            cells = [_effect_cell(c.effects[m], m) for m in EFFECT_METRICS]
            lines.append(f"| {c.job.variant} | {c.job.name} | " + " | ".join(cells) + " |")
        lines += _channel_lines(paired)
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
        for c in paired:
            for m in CRN_METRICS:
                e = c.effects[m]
                i = c.independent.get(m)
                measured = (
                    (_num(i.half_width, m), _ratio(i.half_width / e.half_width))
                    if i is not None and e.half_width and math.isfinite(e.half_width)
                    else ("n/a", "n/a")
                )
                lines.append(
                    f"| {c.job.variant} | {_metric_label(m)} | {_num(e.half_width, m)} | "
                    f"{_num(e.independent_half_width, m)} | {_ratio(e.ratio)} | "
                    f"{measured[0]} | {measured[1]} |"
                )
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
            *_metric_table_header("step", "job", EFFECT_METRICS),
        ]
        b = w.chain[0]
        lines.append(
            f"| {b.variant} (level) | {b.name} | "
            + " | ".join(_num(_total_mean(b, m), m) for m in EFFECT_METRICS)
            + " |"
        )
        for n, s in enumerate(w.steps):
            job = w.chain[n + 1]
            lines.append(
                f"| + {added_strategy(job, w.chain[n])} | {job.name} | "
                + " | ".join(f"{_num(s[m].mean, m)} ({_ci(s[m], m)})" for m in EFFECT_METRICS)
                + " |"
            )
        lines.append(
            f"| total | {w.chain[-1].name} | "
            + " | ".join(
                f"{_num(w.total[m].mean, m)} ({_ci(w.total[m], m)})" for m in EFFECT_METRICS
            )
            + " |"
        )
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


# ---- entry points ------------------------------------------------------------------------


def compare(
    path: Path | str, out: Path | str | None = None, baseline: str = BASELINE
) -> ComparisonReport:
    """Compare every job under ``path``; write the outputs into ``out`` (default
    ``path/comparison``). Raises :class:`~ccsim.sweeps.collect.NoJobsError` when there is no job."""
    coll = collect(path)
    base = frozenset(() if baseline in ("", BASELINE) else (s for s in baseline.split("+") if s))
    out_dir = Path(out) if out is not None else Path(path) / "comparison"
    comps = _pair(coll, base)
    report = ComparisonReport(coll, base, comps, _waterfalls(coll, base), out_dir, [])
    files = [write_tidy(coll, out_dir / "tidy.csv")]
    write_csv(out_dir / "effects.csv", EFFECT_COLUMNS, _effect_rows(report))
    write_csv(out_dir / "waterfall.csv", WATERFALL_COLUMNS, _waterfall_rows(report))
    files += [out_dir / "effects.csv", out_dir / "waterfall.csv"]
    from ccsim.sweeps.plots import write_comparison_plots

    plots = write_comparison_plots(report, out_dir)
    files += plots
    atomic_write_text(out_dir / "comparison.md", _markdown(report, [p.name for p in plots]))
    files.append(out_dir / "comparison.md")
    return ComparisonReport(coll, base, comps, report.waterfalls, out_dir, files)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ccsim-report",
        description="Compare the ccsim jobs under PATH (a sweep or study folder): tidy table, "
        "paired strategy effects with common random numbers, waterfall, response curves "
        "against the Erlang formulas.",
    )
    p.add_argument("path", metavar="PATH", help="folder holding job folders (any depth)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: PATH/comparison)")
    p.add_argument(
        "--baseline",
        metavar="VARIANT",
        default=BASELINE,
        help="variant to compare against: 'baseline' (no strategy, the default) or "
        "strategies joined by '+', e.g. chatbot+callbacks",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point. One line and exit status 2 when PATH holds no job."""
    args = _parser().parse_args(argv)
    try:
        report = compare(args.path, args.out, args.baseline)
    except NoJobsError as exc:
        sys.stderr.write(f"ccsim-report: error: {exc}\n")
        sys.exit(2)
    coll = report.collection
    print(
        f"{len(coll.jobs)} job(s), {len(coll.failed)} failed, "
        f"{len([c for c in report.comparisons if c.baseline])} paired comparison(s), "
        f"{len(report.waterfalls)} waterfall(s); wrote {report.out_dir / 'comparison.md'}"
    )
    for f in coll.failed:
        print(f"failed: {f.name}: {f.error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
