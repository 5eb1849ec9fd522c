"""The output folder of ``mode=plan``: every combination of levers tried, the cheapest that
meets the targets, its check on another seed and what it saves against the base."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ccsim.planning.cheapest import PlanSearch, Variant, label
from ccsim.reports.files import atomic_write_text, write_csv, write_json
from ccsim.reports.markdown_page import write_markdown_page

__all__ = ["write_plan_outputs"]


def _money(x: float, currency: str) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:,.0f} {currency}"


def _targets(v: Variant) -> str:
    return ", ".join(
        f"{c.channel} {100 * c.service_level:.1f}% (>= {100 * c.service_level_bound:.1f}%)"
        for c in v.checks
    )


def _report(ps: PlanSearch, currency: str, confidence: float) -> str:
    lines = [
        "# The cheapest plan",
        "",
        f"{len(ps.variants)} combinations of {len(ps.levers)} levers, each simulated on the "
        f"same replications of seed {ps.seed} (common random numbers). A combination meets the "
        f"targets when every channel's service level over the horizon has a lower confidence "
        f"bound ({confidence:.0%}, one-sided) at or above its target (and abandonment under its "
        "ceiling).",
        "",
    ]
    if ps.plan is None or ps.check is None:
        lines += [
            "**No combination meets every target.** The closest are at the top of the table "
            "below; widen the levers' values or add levers.",
            "",
        ]
    else:
        lines += [
            f"**Plan: {label(ps.levers, ps.plan.values)}**, "
            f"{_money(ps.plan.cost, currency)} for the horizon (mean of "
            f"{len(ps.plan.costs)} replications).",
            "",
            f"Checked on {ps.check.checks[0].replications} fresh replications of seed "
            f"{ps.check_seed}: {'every' if ps.check.feasible else 'NOT every'} target met"
            f" ({_targets(ps.check)}); a week like these misses some target with probability "
            f"{100 * ps.share_missed:.0f}% (share of check replications that missed one).",
            "",
        ]
        if ps.saving is not None and ps.check_base is not None:
            s = ps.saving
            lines += [
                f"Against the base ({label(ps.levers, ps.check_base.values)}): "
                f"{_money(ps.check_base.cost, currency)}; the plan costs "
                f"{_money(-s.mean, currency)} more "
                f"(paired 95% CI {_money(-s.ci_high, currency)} to {_money(-s.ci_low, currency)})"
                f" and the base {'meets' if ps.check_base.feasible else 'misses'} the targets.",
                "",
            ]
    lines += [
        "## Every combination, cheapest first",
        "",
        "| plan | cost | meets targets | agent-hours short | service level (lower bound) |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    for v in sorted(ps.variants, key=lambda v: (not v.feasible, v.cost)):
        lines.append(
            f"| {label(ps.levers, v.values)} | {_money(v.cost, currency)} | "
            f"{'yes' if v.feasible else 'no'} | {v.delta_h:,.1f} | {_targets(v)} |"
        )
    lines += ["", "Files: `plans.csv` (every combination), `plan.json`.", ""]
    return "\n".join(lines)


def write_plan_outputs(
    ps: PlanSearch, out_dir: Path, *, currency: str, confidence: float, extra: dict[str, Any]
) -> list[Path]:
    out_dir = Path(out_dir)
    names = [lever.name for lever in ps.levers]
    channels = [c.channel for c in ps.variants[0].checks] if ps.variants else []
    rows = [
        [
            *(str(x) for x in v.values),
            v.cost,
            int(v.feasible),
            v.delta_h,
            *(c.service_level for c in v.checks),
            *(c.service_level_bound for c in v.checks),
        ]
        for v in ps.variants
    ]
    header = [
        *names,
        "cost_total",
        "meets_targets",
        "positive_demand_delta_h",
        *(f"sl_{c}" for c in channels),
        *(f"sl_{c}_lower_bound" for c in channels),
    ]
    files = [out_dir / "plans.csv", out_dir / "plan.json", out_dir / "plan.md"]
    write_csv(files[0], header, rows)

    def variant(v: Variant | None) -> dict[str, Any] | None:
        if v is None:
            return None
        return {
            "levers": dict(zip(names, v.values, strict=True)),
            "cost_total": v.cost,
            "meets_targets": v.feasible,
            "checks": [c.__dict__ | {"meets": c.meets} for c in v.checks],
        }

    write_json(
        files[1],
        {
            "schema": "ccsim.plan/1",
            "currency": currency,
            "seed": ps.seed,
            "check_seed": ps.check_seed,
            "plan": variant(ps.plan),
            "check": variant(ps.check),
            "base_on_check_seed": variant(ps.check_base),
            "probability_of_missing": ps.share_missed,
            "extra_cost_vs_base": None
            if ps.saving is None
            else {"mean": -ps.saving.mean, "ci95": [-ps.saving.ci_high, -ps.saving.ci_low]},
            **extra,
        },
    )
    atomic_write_text(files[2], _report(ps, currency, confidence))
    files.append(write_markdown_page(files[2], kicker="ccsim plan"))
    return files
