"""The comparison's CSV tables: ``effects.csv`` (each strategy job's paired and independent
effects, then its money effects) and ``waterfall.csv`` (the steps of each waterfall, in
agent-hours and contacts, then in money), as column names and rows."""

from __future__ import annotations

from ccsim.sweeps.pairing import EFFECT_METRICS, ComparisonReport, added_strategy

__all__ = ["EFFECT_COLUMNS", "WATERFALL_COLUMNS", "effect_rows", "waterfall_rows"]


def effect_rows(report: ComparisonReport) -> list[list]:
    """Rows of ``effects.csv`` (:data:`EFFECT_COLUMNS`): one per strategy job and metric, the
    money effects (paired only, :mod:`ccsim.sweeps.costs`) after the others."""
    rows = []
    nan = float("nan")
    for c in report.comparisons:
        metrics = [(m, c.effects.get(m), c.independent.get(m)) for m in EFFECT_METRICS]
        metrics += [(m, e, None) for m, e in c.money.items()]
        for m, e, i in metrics:
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
                    c.other_baseline.name if c.other_baseline and i else "",
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


def waterfall_rows(report: ComparisonReport) -> list[list]:
    """Rows of ``waterfall.csv`` (:data:`WATERFALL_COLUMNS`): one per step and metric."""
    rows = []
    for w in report.waterfalls:
        items = [
            (f"+ {added_strategy(w.chain[i + 1], w.chain[i])}", s) for i, s in enumerate(w.steps)
        ]
        items.append(("total", w.total))
        money = [*w.money_steps, w.money_total] if w.money_steps else [{} for _ in items]
        for step, ((label, effects), in_money) in enumerate(zip(items, money, strict=True)):
            job = w.chain[step + 1] if label != "total" else w.chain[-1]
            for m, e in [*((m, effects[m]) for m in EFFECT_METRICS), *in_money.items()]:
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
