"""The tables of ``report.html`` (per channel, intent and pool, the whole centre, costs,
simulation vs Erlang): the figures ``report.md`` shows, with the same helpers
(:mod:`ccsim.reports.formats`, :mod:`ccsim.reports.costs`), as :class:`Table` data."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ccsim.analysis.costs import cost_spec
from ccsim.analysis.results import RunResult
from ccsim.analysis.statistics import Estimate
from ccsim.model.centre import ASYNC
from ccsim.reports.costs import _PARTS, money
from ccsim.reports.costs import _ci as _money_ci
from ccsim.reports.costs import _with_ci as _money_with_ci
from ccsim.reports.formats import centre_totals, ci, num, pct, service_level, wait
from ccsim.reports.palette import channel_colours, pool_colours
from ccsim.reports.templating import BAD, GOOD, MUTED, WARN, Cell, Table

__all__ = [
    "status",
    "channel_table",
    "intent_table",
    "pool_summary",
    "totals_table",
    "Costs",
    "cost_tables",
    "Reference",
    "reference_table",
]


def status(e: Estimate, target: float) -> tuple[str, str]:
    """(status, class) of a service level against its target, judged with its 95% CI."""
    if math.isnan(e.mean):
        return "no contacts", MUTED
    if e.mean >= target:
        if not math.isnan(e.ci_low) and e.ci_low < target:
            return "met (CI reaches below)", GOOD
        return "met", GOOD
    if not math.isnan(e.ci_high) and e.ci_high >= target:
        return "just below (CI reaches target)", WARN
    return "missed", BAD


def channel_table(result: RunResult) -> Table:
    c = result.centre
    colours = channel_colours(ch.name for ch in c.channels)
    rows = []
    for ch, ce in zip(c.channels, result.channel_estimates, strict=True):
        rows.append(
            [
                Cell(ch.name, colour=colours[ch.name]),
                ch.mode,
                num(ce["offered"].mean, 0),
                Cell(
                    service_level(ce["sl_answered_within_t"], ce["offered"].mean),
                    status(ce["sl_answered_within_t"], ch.target_service_level)[1],
                ),
                f"{pct(ch.target_service_level)} in "
                + (f"{ch.target_s / 3600:g} h" if ch.mode == ASYNC else f"{ch.target_s:g} s"),
                pct(ce["abandon_rate"].mean),
                wait(ce["asa_s"].mean, ch.mode),
                pct(ce["occupancy"].mean),
                num(ce["demand_workload_h"].mean),
                num(ce["capacity_h"].mean),
                Cell(
                    num(ce["positive_demand_delta_h"].mean),
                    BAD if ce["positive_demand_delta_h"].mean > 0 else "",
                ),
                num(ce["unmet_contacts"].mean, 0),
            ]
        )
    return Table(
        [
            "channel",
            "mode",
            "offered",
            "service level",
            "target",
            "abandoned",
            "ASA",
            "occupancy",
            "workload (agent-h)",
            "capacity (agent-h)",
            "agent-h short",
            "unmet",
        ],
        rows,
        align="llrrrrrrrrrr",
    )


def intent_table(result: RunResult) -> Table | None:
    c = result.centre
    if len(c.intents) <= 1:
        return None
    # Intents span channels: no ASA over live calls and e-mails together.
    modes = {ch.mode for ch in c.channels}
    one = min(modes) if len(modes) == 1 else None
    rows = [
        [
            it.name,
            num(ie["offered"].mean, 0),
            num(ie["repeats"].mean, 0),
            pct(ie["sl_answered_within_t"].mean),
            pct(ie["abandon_rate"].mean),
            *([wait(ie["asa_s"].mean, one)] if one else []),
            num(ie["demand_workload_h"].mean),
        ]
        for it, ie in zip(c.intents, result.intent_estimates, strict=True)
    ]
    return Table(
        [
            "intent",
            "offered",
            "of which repeats",
            "service level",
            "abandoned",
            *(["ASA"] if one else []),
            "demand workload (agent-h)",
        ],
        rows,
        compact=True,
        caption=""
        if one
        else "ASA per intent is left out: intents span live channels (waits in seconds) and "
        "backlogs (waits in hours); each channel's ASA is above.",
    )


def pool_summary(result: RunResult, over: dict[str, int]) -> Table:
    """report.md's pool table (mean agents on the phone, occupancy over the horizon), with the
    pool-intervals above the occupancy ceiling."""
    c = result.centre
    n_k = c.n_intervals
    pv = result.pool_means()
    colours = pool_colours(p.name for p in c.pools)
    rows = []
    for p, pool in enumerate(c.pools):
        sl = slice(p * n_k, (p + 1) * n_k)
        busy, staffed = pv["busy_agent_h"][sl].sum(), pv["staffed_agent_h"][sl].sum()
        occ = busy / staffed if staffed > 0 else float("nan")
        rows.append(
            [
                Cell(pool.name, colour=colours[pool.name]),
                num(float(pv["agents_on_phone"][sl].mean())),
                Cell(pct(occ), WARN if occ > result.settings.occupancy_ceiling else ""),
                Cell(str(over[pool.name]), WARN if over[pool.name] else ""),
            ]
        )
    return Table(
        [
            "pool",
            "agents on the phone (mean)",
            "occupancy",
            f"intervals above {pct(result.settings.occupancy_ceiling)}",
        ],
        rows,
        compact=True,
    )


def totals_table(result: RunResult) -> Table:
    """report.md's whole-centre table: every total with its 95% CI."""
    totals, note = centre_totals(result)
    rows = [
        [Cell(label, title=key), mean, Cell(interval, MUTED)]
        for key, label, mean, interval in totals
    ]
    return Table(["metric", "mean", "95% CI"], rows, align="wrr", compact=True, caption=note)


@dataclass(frozen=True)
class Costs:
    currency: str
    parts: Table
    channels: Table
    pools: Table | None


def cost_tables(result: RunResult) -> Costs | None:
    """report.md's cost tables (:mod:`ccsim.reports.costs`)."""
    est, c = result.estimates, result.centre
    if "cost_total" not in est:
        return None
    cur = result.currency or cost_spec(c).currency
    parts = []
    for key, label in _PARTS:
        total = label.startswith("**")
        parts.append(
            [
                Cell(label.strip("*"), "total" if total else "", key),
                Cell(money(est[key].mean), "total" if total else ""),
                Cell(_money_ci(est[key]), MUTED),
            ]
        )
    channels = []
    for ch, ce in zip(c.channels, result.channel_estimates, strict=True):
        channels.append(
            [
                ch.name,
                _money_with_ci(ce["cost_total"]),
                *(
                    money(ce[k].mean)
                    for k in ("cost_agents", "cost_overtime", "cost_bot", "cost_calls")
                ),
                money(ce["cost_penalties"].mean),
                money(ce["cost_per_contact_handled"].mean),
            ]
        )
    pools = None
    if result.pool_estimates:
        rates = cost_spec(c).agent_hour_cost
        pools = Table(
            ["pool", f"{cur} per paid agent-h", "paid agent-h", "of which overtime", "cost"],
            [
                [
                    pool.name,
                    money(rate),
                    f"{pe['paid_agent_h'].mean:,.1f}",
                    f"{pe['overtime_agent_h'].mean:,.1f}",
                    money(pe["cost_total"].mean),
                ]
                for pool, rate, pe in zip(c.pools, rates, result.pool_estimates, strict=True)
            ],
            compact=True,
        )
    return Costs(
        cur,
        Table([f"part ({cur})", "mean", "95% CI"], parts, align="wrr"),
        Table(
            [
                "channel",
                "total (95% CI)",
                "agents",
                "overtime",
                "chatbot",
                "outbound calls",
                "penalties",
                "per contact handled",
            ],
            channels,
        ),
        pools,
    )


@dataclass(frozen=True)
class Reference:
    model: str
    exact: bool
    table: Table


def reference_table(result: RunResult) -> Reference | None:
    """report.md's simulation vs closed form table (single queues)."""
    ref, est = result.reference, result.estimates
    if ref is None:
        return None
    rows = []
    for key, value in ref["values"].items():
        e = est[key]
        # Shares in percent; times (``_s``) and numbers of contacts as plain numbers.
        as_pct = not (key.endswith("_s") or key.startswith("mean_in_"))
        show = pct if as_pct else (lambda v: num(v, 2))
        inside = "" if math.isnan(e.ci_low) else ("yes" if e.ci_low <= value <= e.ci_high else "no")
        rows.append(
            [
                key,
                show(e.mean),
                Cell(ci(e, as_pct, 2), MUTED),
                show(value),
                Cell(inside, {"yes": GOOD, "no": BAD}.get(inside, "")),
            ]
        )
    return Reference(
        ref["model"],
        bool(ref["exact"]),
        Table(
            ["metric", "simulated mean", "95% CI", "formula", "formula inside CI"],
            rows,
            align="lrrrc",
            compact=True,
        ),
    )
