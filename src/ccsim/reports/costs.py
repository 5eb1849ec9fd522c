"""The cost section of ``report.md``: what the run cost, in total, per channel and per pool,
with 95% confidence intervals over replications (prices: docs/costs.md)."""

from __future__ import annotations

import math

from ccsim.analysis.costs import cost_spec
from ccsim.analysis.results import RunResult
from ccsim.analysis.statistics import Estimate

__all__ = ["cost_lines", "money"]

_PARTS = (
    ("cost_agents", "agents (paid agent-hours x hourly cost)"),
    ("cost_overtime", "overtime (hours the staffing strategy added)"),
    ("cost_bot", "chatbot (sessions and resolutions)"),
    ("cost_notices", "outreach notices (SMS, e-mail, push)"),
    ("cost_calls", "outbound-call telephony"),
    ("cost_fixed", "fixed strategy costs (prorated)"),
    ("cost_penalties", "penalties (abandoned, blocked, late async)"),
    ("cost_total", "**total**"),
    ("cost_per_contact_handled", "per contact handled (by agents or the bot)"),
)


def money(x: float, like: float | None = None) -> str:
    """An amount: whole units from 1,000 up, cents below (judged on ``like`` when given, so
    that a confidence interval is written as its mean); ``n/a`` for NaN."""
    if math.isnan(x):
        return "n/a"
    if x == 0:
        return "0"
    size = abs(x if like is None or math.isnan(like) else like)
    return f"{x:,.0f}" if size >= 1000 else f"{x:,.2f}"


def _ci(e: Estimate) -> str:
    if math.isnan(e.ci_low) or e.ci_low == e.ci_high:
        return ""  # one replication, or a cost that does not vary
    return f"{money(e.ci_low, e.mean)} .. {money(e.ci_high, e.mean)}"


def _with_ci(e: Estimate) -> str:
    ci = _ci(e)
    return money(e.mean) + (f" ({ci})" if ci else "")


def cost_lines(result: RunResult) -> list[str]:
    """Markdown lines of the cost section (none for a result without costs)."""
    est = result.estimates
    if "cost_total" not in est:
        return []
    c = result.centre
    cur = result.currency or cost_spec(c).currency
    per = est["cost_per_contact_handled"].mean
    lines = [
        "",
        f"## Cost ({cur})",
        "",
        f"The measured horizon costs **{money(est['cost_total'].mean)} {cur}**"
        + (f" (95% CI {ci})" if (ci := _ci(est["cost_total"])) else "")
        + (
            f", {money(per)} {cur} per contact handled by the agents or the bot"
            if per == per
            else ""
        )
        + ". The default prices are public list prices and wages, assumptions to replace with "
        "your own (`costs.*`, docs/costs.md).",
        "",
        f"| part | mean ({cur}) | 95% CI |",
        "| --- | ---: | --- |",
    ]
    for key, label in _PARTS:
        lines.append(f"| {label} | {money(est[key].mean)} | {_ci(est[key])} |")
    lines += [
        "",
        f"Per channel ({cur}; mean, 95% CI): agents are allocated to the channels their pools "
        "serve as capacity is; notices and fixed strategy costs belong to the centre only.",
        "",
        "| channel | total | agents | overtime | chatbot | outbound calls | penalties | "
        "per contact handled |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for ch, ce in zip(c.channels, result.channel_estimates, strict=True):
        cells = [
            _with_ci(ce["cost_total"]),
            *(
                money(ce[k].mean)
                for k in (
                    "cost_agents",
                    "cost_overtime",
                    "cost_bot",
                    "cost_calls",
                    "cost_penalties",
                )
            ),
            money(ce["cost_per_contact_handled"].mean),
        ]
        lines.append(f"| {ch.name} | " + " | ".join(cells) + " |")
    if result.pool_estimates:
        lines += [
            "",
            f"| pool | {cur} per paid agent-h | paid agent-h | of which overtime | cost ({cur}) |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        rates = cost_spec(c).agent_hour_cost
        for pool, rate, pe in zip(c.pools, rates, result.pool_estimates, strict=True):
            lines.append(
                f"| {pool.name} | {money(rate)} | {pe['paid_agent_h'].mean:,.1f} | "
                f"{pe['overtime_agent_h'].mean:,.1f} | {money(pe['cost_total'].mean)} |"
            )
    return lines
