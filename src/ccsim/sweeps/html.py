"""``comparison.html``: the comparison of a sweep or study as one self-contained page (the base
template and stylesheet of ``report.html``, :mod:`ccsim.reports.templating`).

What ``comparison.md`` holds (:mod:`ccsim.sweeps.markdown`, whose cell formats it reuses), read
from the same :class:`~ccsim.sweeps.pairing.ComparisonReport`: the strategies at a glance
(each one's paired effect on agent-hours short, unmet contacts, service level and cost, an
effect coloured when its 95% CI leaves out zero), failed jobs, the jobs, the paired effects for
the centre and per channel, money, what common random numbers buy, the waterfalls with their
figures, simulation against the Erlang formulas, the other figures embedded. Reads outputs;
never runs the model.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from ccsim.reports.costs import money
from ccsim.reports.templating import MUTED, Cell, Figure, Table, figures, write_page
from ccsim.sweeps.collect import BASELINE
from ccsim.sweeps.costs import currencies
from ccsim.sweeps.html_tables import (
    channel_tables,
    crn_table,
    effect_cell,
    effects_table,
    jobs_table,
    label,
    money_cell,
    money_tables,
    paired_comparisons,
    reference_table,
    waterfall_tables,
)
from ccsim.sweeps.markdown import _MONEY_NOTE, _ci, _num, _total_mean
from ccsim.sweeps.pairing import ComparisonReport
from ccsim.sweeps.units import MIXED_ASA_NOTE, mixes_modes

__all__ = ["write_comparison_html", "FIGURE_CAPTIONS"]

FIGURE_CAPTIONS = {
    "waterfall.png": "Each added strategy's paired effect on the demand delta, agent-hours "
    "short and unmet contacts, stacked from the baseline, with 95% CIs, and the total.",
    "waterfall_cost.png": "The waterfall in money: each added strategy's net cost effect "
    "stacked from the baseline, with the total; beside it each step's lever cost and saving.",
    "effects.png": "Each single strategy's paired effect against the baseline with its 95% CI, "
    "one panel per metric.",
    "effects_by_channel.png": "Each single strategy's paired effect per channel, with its 95% CI.",
}
# The glance table's metrics; then the money columns (key, label) when there are costs.
_GLANCE = ("positive_demand_delta_h", "unmet_contacts", "sl_answered_within_t", "abandon_rate")
_GLANCE_MONEY = (
    ("cost_total", "net Δ cost"),
    ("cost_per_agent_h_closed", "net per agent-h closed"),
)


# The folder's files, by name (or suffix), as the Files section describes them.
_FILES = {
    "comparison.md": "this comparison as Markdown",
    "tidy.csv": "one row per job, replication, channel and metric, with the swept parameters as "
    "columns",
    "effects.csv": "the paired (and independent) effects",
    "waterfall.csv": "the waterfall steps",
    ".parquet": "the table of the CSV of the same name, typed",
    ".png": "figure (embedded above)",
}


def _caption(name: str) -> str:
    if name in FIGURE_CAPTIONS:
        return FIGURE_CAPTIONS[name]
    stem = name.removesuffix(".png")
    if stem.startswith("response_"):
        return (
            f"Response to {stem.removeprefix('response_')}: service level, abandonment, ASA, "
            "occupancy and agent-hours short, mean and 95% CI per variant; the Erlang values "
            "as black dashed lines with crosses."
        )
    if stem.startswith("effect_"):
        return (
            f"Paired effect against the baseline as {stem.removeprefix('effect_')} varies, "
            "with its 95% CI."
        )
    return stem.replace("_", " ")


def _glance(report: ComparisonReport) -> tuple[Table | None, str]:
    """Each paired strategy job's headline effects; and the currency ("" without costs)."""
    paired = paired_comparisons(report)
    if not paired:
        return None, ""
    priced = all(c.money for c in paired)
    cur = (
        currencies([j for c in paired for j in (c.job, c.baseline) if j is not None])
        if priced
        else ""
    )
    rows = []
    for c in paired:
        assert c.baseline is not None
        cells: list[Cell | str] = [c.job.variant, Cell(c.job.name, MUTED)]
        cells += [effect_cell(c.effects[m], m) for m in _GLANCE]
        if priced:
            cells += [money_cell(c.money[k], k) for k, _ in _GLANCE_MONEY]
        rows.append(cells)
    headers: list[Cell | str] = ["variant", "job", *(label(m) for m in _GLANCE)]
    if priced:
        headers += [f"{label} ({cur})" for _, label in _GLANCE_MONEY]
    return Table(headers, rows, align="ll"), cur


def _best(report: ComparisonReport) -> list[str]:
    """The baseline's level and the variant that closes the most agent-hours short, with its
    paired CI and what it costs (none without paired jobs)."""
    paired = [
        c
        for c in paired_comparisons(report)
        if not math.isnan(c.effects["positive_demand_delta_h"].mean)
    ]
    if not paired:
        return []
    best = min(paired, key=lambda c: c.effects["positive_demand_delta_h"].mean)
    base = best.baseline
    assert base is not None
    m = "positive_demand_delta_h"
    level = (
        f"Baseline (job {base.name}): {_num(_total_mean(base, m), m)} agent-hours short, service "
        f"level {_num(_total_mean(base, 'sl_answered_within_t'), 'sl_answered_within_t')}%"
        + (
            f", cost {money(_total_mean(base, 'cost_total'))} {base.currency}"
            if best.money and base.currency
            else ""
        )
        + "."
    )
    e = best.effects[m]
    if not e.mean < 0:
        return [level, "No strategy job reduces the agent-hours short."]
    ci = _ci(e, m)
    line = (
        f"Most agent-hours closed: {best.job.variant} (job {best.job.name}), "
        f"{_num(-e.mean, m)} fewer agent-hours short"
        + (f" (paired 95% CI of the change {ci})" if "n/a" not in ci else "")
    )
    if best.money:
        cur = currencies([best.job, base])
        net, per = best.money["cost_total"], best.money["cost_per_agent_h_closed"].mean
        line += f", net cost {money(net.mean)} {cur}" + (
            f" ({money(per)} {cur} per agent-hour closed)" if math.isfinite(per) else ""
        )
    return [level, line + "."]


def write_comparison_html(
    report: ComparisonReport, plots: Sequence[Path], written: Sequence[Path] = ()
) -> Path:
    """Write ``comparison.html`` into the report's folder; ``plots``: its PNG figures (embedded),
    ``written``: the other files of the folder (listed)."""
    coll = report.collection
    figs = figures(plots, {Path(p).name: _caption(Path(p).name) for p in plots})
    waterfall_figs = [f for f in figs if f.name.startswith("waterfall")]
    other_figs: list[Figure] = [f for f in figs if not f.name.startswith("waterfall")]
    paired = paired_comparisons(report)
    glance, cur = _glance(report)
    files = [
        (Path(p).name, _FILES.get(Path(p).name, _FILES.get(Path(p).suffix, ""))) for p in written
    ]
    return write_page(
        report.out_dir / "comparison.html",
        "comparison.html",
        title=f"ccsim comparison: {coll.root.resolve().name or coll.root.as_posix()}",
        name=coll.root.resolve().name or coll.root.as_posix(),
        n_jobs=len(coll.jobs),
        failed=coll.failed,
        params=coll.params,
        baseline="+".join(sorted(report.baseline)) or BASELINE,
        glance=glance,
        currency=cur,
        best=_best(report),
        unpaired=[c for c in report.comparisons if c.baseline is None],
        n_comparisons=len(report.comparisons),
        jobs=jobs_table(coll),
        effects=effects_table(paired) if paired else None,
        channels=channel_tables(paired) if paired else [],
        asa_note=MIXED_ASA_NOTE if mixes_modes(coll.jobs) else "",
        money=money_tables(paired),
        money_note=_MONEY_NOTE,
        crn=crn_table(paired) if paired else None,
        waterfalls=waterfall_tables(report),
        waterfall_figures=waterfall_figs,
        reference=reference_table(coll),
        figures=other_figs,
        files=files,
    )
