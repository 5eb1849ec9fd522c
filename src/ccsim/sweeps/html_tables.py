"""The tables of ``comparison.html``: each from the :class:`~ccsim.sweeps.pairing.ComparisonReport`
data ``comparison.md`` reads (:mod:`ccsim.sweeps.markdown`, whose cell formats they reuse), an
effect coloured when its 95% CI leaves out zero (green: better; red: worse)."""

from __future__ import annotations

import math

from ccsim.analysis.effects import Effect, paired_effect
from ccsim.reports.costs import money
from ccsim.reports.templating import BAD, GOOD, MUTED, Cell, Table
from ccsim.sweeps.collect import Collection
from ccsim.sweeps.costs import currencies
from ccsim.sweeps.markdown import (
    _LEVER_COLUMNS,
    _PART_COLUMNS,
    _ci,
    _effect_cell,
    _metric_label,
    _money_cell,
    _num,
    _total_mean,
    crn_rows,
)
from ccsim.sweeps.pairing import EFFECT_METRICS, Comparison, ComparisonReport, added_strategy
from ccsim.sweeps.units import centre_metrics, channel_groups

__all__ = [
    "tone",
    "effect_cell",
    "money_cell",
    "label",
    "paired_comparisons",
    "jobs_table",
    "effects_table",
    "channel_tables",
    "money_tables",
    "crn_table",
    "waterfall_tables",
    "reference_table",
]

# Effects where a fall is good news (a rise is bad news); the others (SL, agent-h closed,
# saving) the other way round; occupancy is neither.
_LOWER_IS_BETTER = frozenset(
    {
        "demand_delta_h",
        "positive_demand_delta_h",
        "unmet_contacts",
        "asa_s",
        "asa_h",
        "abandon_rate",
        "late_async",
        "lever_cost",
        "cost_per_contact_handled",
        "cost_agents",
        "cost_overtime",
        "cost_bot",
        "cost_notices",
        "cost_calls",
        "cost_fixed",
        "cost_penalties",
        "cost_total",
    }
)
_HIGHER_IS_BETTER = frozenset({"sl_answered_within_t", "agent_h_closed", "saving"})

# Column headers of the metrics (comparison.md names them by key: the tooltip).
_LABELS = {
    "demand_delta_h": "Δ demand delta (agent-h)",
    "positive_demand_delta_h": "Δ agent-h short",
    "unmet_contacts": "Δ unmet contacts",
    "sl_answered_within_t": "Δ service level (pp)",
    "asa_s": "Δ ASA (s)",
    "asa_h": "Δ ASA (h)",
    "abandon_rate": "Δ abandonment (pp)",
    "occupancy": "Δ occupancy (pp)",
    "late_async": "Δ async late (contacts)",
}


def tone(e: Effect, metric: str) -> str:
    """Good or bad news when the 95% CI leaves out zero (by the metric's direction)."""
    if math.isnan(e.ci_low) or e.ci_low <= 0.0 <= e.ci_high:
        return ""
    down = e.ci_high < 0.0
    if metric in _LOWER_IS_BETTER:
        return GOOD if down else BAD
    if metric in _HIGHER_IS_BETTER:
        return BAD if down else GOOD
    return ""


def effect_cell(e: Effect, metric: str) -> Cell:
    """comparison.md's ``mean [ci]`` (:func:`~ccsim.sweeps.markdown._effect_cell`), the interval
    on a line of its own."""
    mean, _, rest = _effect_cell(e, metric).partition(" ")
    return Cell(mean, tone(e, metric), sub=rest)


def money_cell(e: Effect, key: str) -> Cell:
    mean, _, rest = _money_cell(e, key).partition(" ")
    return Cell(mean, tone(e, key), sub=rest)


def label(metric: str) -> Cell:
    """A metric's column header, its summary.json name as the tooltip."""
    return Cell(_LABELS.get(metric, _metric_label(metric)), title=metric)


def paired_comparisons(report: ComparisonReport) -> list[Comparison]:
    return [c for c in report.comparisons if c.baseline is not None]


def jobs_table(coll: Collection) -> Table:
    rows = [
        [
            j.name,
            j.variant,
            "" if j.seed is None else str(j.seed),
            "" if j.replications is None else str(j.replications),
            *(j.overrides.get(p, "") for p in coll.params),
        ]
        for j in coll.jobs
    ]
    return Table(
        ["job", "variant", "seed", "replications", *coll.params],
        rows,
        align="llrr" + "l" * len(coll.params),
        scroll=len(rows) > 15,
        compact=True,
    )


def effects_table(paired: list[Comparison]) -> Table:
    """Whole-centre effects; ASA in the channels' unit, left out when they have two
    (:func:`~ccsim.sweeps.units.centre_metrics`)."""
    metrics = centre_metrics(EFFECT_METRICS, [c.job for c in paired])
    return Table(
        ["variant", "job", *(label(m) for m in metrics)],
        [
            [
                c.job.variant,
                Cell(c.job.name, MUTED),
                *(effect_cell(c.effects[m], m) for m in metrics),
            ]
            for c in paired
        ],
        align="ll",
    )


def channel_tables(paired: list[Comparison]) -> list[tuple[str, Table]]:
    """Per-channel effects, a (title, table) per kind of channel: live waits in seconds, async
    in hours (:func:`~ccsim.sweeps.units.channel_groups`; title "" when there is one kind)."""
    out = []
    for g in channel_groups([c.job for c in paired]):
        rows = []
        for c in paired:
            assert c.baseline is not None
            for ch in g.channels:
                rows.append(
                    [
                        c.job.variant,
                        ch,
                        *(
                            effect_cell(
                                paired_effect(
                                    c.job.replication_values(m, ch),
                                    c.baseline.replication_values(m, ch),
                                ),
                                m,
                            )
                            for m in g.metrics
                        ),
                    ]
                )
        header: list[Cell | str] = ["variant", "channel", *(label(m) for m in g.metrics)]
        out.append((g.title, Table(header, rows, align="ll")))
    return out


def money_tables(paired: list[Comparison]) -> tuple[str, Table, Table] | None:
    priced = [c for c in paired if c.money]
    if not priced:
        return None
    cur = currencies([j for c in priced for j in (c.job, c.baseline) if j is not None])

    def table(columns: tuple[tuple[str, str], ...]) -> Table:
        return Table(
            ["variant", "job", *(label for _, label in columns)],
            [
                [
                    c.job.variant,
                    Cell(c.job.name, MUTED),
                    *(money_cell(c.money[k], k) for k, _ in columns),
                ]
                for c in priced
            ],
            align="ll",
        )

    return cur, table(_LEVER_COLUMNS), table(_PART_COLUMNS)


def crn_table(paired: list[Comparison]) -> Table:
    return Table(
        [
            "variant",
            "metric",
            "± paired",
            "± independent (est.)",
            "ratio (est.)",
            "± independent (measured)",
            "ratio (measured)",
        ],
        crn_rows(paired),
        align="ll",
        compact=True,
    )


def waterfall_tables(report: ComparisonReport) -> list[tuple[str, Table, Table | None]]:
    out = []
    metrics = centre_metrics(EFFECT_METRICS, report.collection.jobs)
    for w in report.waterfalls:
        b = w.chain[0]
        rows: list[list[Cell | str]] = [
            [
                f"{b.variant} (level)",
                Cell(b.name, MUTED),
                *(_num(_total_mean(b, m), m) for m in metrics),
            ]
        ]
        for n, s in enumerate(w.steps):
            job = w.chain[n + 1]
            rows.append(
                [
                    f"+ {added_strategy(job, w.chain[n])}",
                    Cell(job.name, MUTED),
                    *(
                        Cell(_num(s[m].mean, m), tone(s[m], m), sub=f"[{_ci(s[m], m)}]")
                        for m in metrics
                    ),
                ]
            )
        rows.append(
            [
                "total",
                Cell(w.chain[-1].name, MUTED),
                *(
                    Cell(
                        _num(w.total[m].mean, m), tone(w.total[m], m), sub=f"[{_ci(w.total[m], m)}]"
                    )
                    for m in metrics
                ),
            ]
        )
        steps = Table(
            ["step", "job", *(label(m) for m in metrics)],
            rows,
            align="ll",
            footer_rows=1,
        )
        money_table = None
        if w.money_steps:
            cols = _LEVER_COLUMNS[:5]
            mrows: list[list[Cell | str]] = [
                [
                    f"{b.variant} (level: cost_total {money(_total_mean(b, 'cost_total'))})",
                    Cell(b.name, MUTED),
                    *("" for _ in cols),
                ]
            ]
            for n, step in enumerate(w.money_steps):
                job = w.chain[n + 1]
                mrows.append(
                    [
                        f"+ {added_strategy(job, w.chain[n])}",
                        Cell(job.name, MUTED),
                        *(money_cell(step[k], k) for k, _ in cols),
                    ]
                )
            mrows.append(
                [
                    "total",
                    Cell(w.chain[-1].name, MUTED),
                    *(money_cell(w.money_total[k], k) for k, _ in cols),
                ]
            )
            money_table = Table(
                ["step", "job", *(label for _, label in cols)],
                mrows,
                align="ll",
                caption=f"In money ({currencies(w.chain)}): each step's paired effect on the "
                "cost (mean [95% CI]); the net effects add up to the total.",
                footer_rows=1,
            )
        out.append((w.label or "all jobs", steps, money_table))
    return out


def reference_table(coll: Collection) -> Table | None:
    """Simulated mean [95% CI] / formula per single-queue job, as comparison.md has it."""
    jobs = [j for j in coll.jobs if j.reference]
    if not jobs:
        return None
    metrics = ("sl_answered_within_t", "abandon_rate", "asa_s", "occupancy")
    rows = []
    for j in coll.jobs:
        ref = j.reference
        cells: list[Cell | str] = [
            j.name,
            j.variant,
            *(j.overrides.get(p, "") for p in coll.params),
            ref["model"] if ref else "none (no steady state or no formula)",
        ]
        for m in metrics:
            t = j.totals.get(m, {})
            mean, lo, hi = t.get("mean"), t.get("ci95_low"), t.get("ci95_high")
            sim = _num(float("nan") if mean is None else mean, m)
            if lo is not None and hi is not None:
                sim += f" [{_num(lo, m)}, {_num(hi, m)}]"
            f = (ref or {}).get("values", {}).get(m) if ref else None
            if f is None:
                cells.append(f"{sim} / -")
            else:
                out = lo is not None and hi is not None and not (lo <= f <= hi)
                cells.append(Cell(f"{sim} / {_num(f, m)}{'*' if out else ''}", BAD if out else ""))
        rows.append(cells)
    return Table(
        ["job", "variant", *coll.params, "model", *(_metric_label(m) for m in metrics)],
        rows,
        align="ll" + "l" * len(coll.params) + "l",
    )
