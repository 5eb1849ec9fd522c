"""``report.html``: a run's report as one self-contained page, for a planner.

The headline first (agent-hours short, when, what the run cost, each channel's service against
its target), then the figures, per-day, per-channel, per-intent and per-pool tables (the
figures ``report.md`` shows, with the same helpers), threshold warnings (intervals below a
channel's service-level target, pool-intervals above ``run.occupancy_ceiling``), the whole
centre with 95% CIs, costs, simulation vs Erlang (single queues) and the config that made it.
Rendered by :mod:`ccsim.reports.templating` (template ``run.html``). Reads results; never runs
the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import yaml

from ccsim.analysis.costs import cost_spec
from ccsim.analysis.results import RunResult
from ccsim.analysis.statistics import Estimate
from ccsim.config.empty import empty_warnings
from ccsim.model.centre import ASYNC, STOP, SYNC
from ccsim.reports.costs import _ci as _money_ci
from ccsim.reports.costs import money
from ccsim.reports.days import Day, centre_delta, day_name, day_table, worst_interval
from ccsim.reports.deadlines import DEADLINE_TEXT, deadline_table
from ccsim.reports.formats import CLOSE_NOTE, ci, num, pct, service_level, wait
from ccsim.reports.heads import HeadsSection, heads_html
from ccsim.reports.html_tables import (
    channel_table,
    cost_tables,
    intent_table,
    pool_summary,
    reference_table,
    status,
    totals_table,
)
from ccsim.reports.palette import channel_colours
from ccsim.reports.peaks import channels_short, netting_text, peak_text
from ccsim.reports.tables import when
from ccsim.reports.templating import BAD, GOOD, WARN, Figure, Text, figures, write_page
from ccsim.reports.thresholds import WORST, occupancy_warnings, service_warnings

__all__ = ["write_report_html", "FIGURE_CAPTIONS"]

FIGURE_CAPTIONS = {
    "demand_delta.png": "Per channel: the demand workload the simulated contacts brought "
    "against capacity, the deficit (demand delta > 0) shaded; dashed: the forecast's planned "
    "workload; dotted: the capacity the service-level target needs (Erlang). Async channels: "
    "the work falling due in each interval (arrived one response-time target earlier) against "
    "capacity, red only where deadlines are missed (work due may pass an interval's capacity "
    "without a deficit: it was answered earlier).",
    "demand_delta_heatmap.png": "The demand delta by day and time of day (per channel, and for "
    "the whole centre when there are several): red where agents are short, blue where capacity "
    "is spare; async channels by deadline (red where deadlines are missed, blue where capacity "
    "finds the inbox empty).",
    "service_level.png": "Per channel: service level and abandonment per interval against the "
    "channel's target.",
    "occupancy.png": "Occupancy per pool and interval (busy time / time on the phone).",
    "coverage.png": "Per live channel: the whole agents the service-level target needs "
    "(Erlang) against the agents scheduled, per interval; red where agents are short.",
}
# The folder's files, by name (or suffix), as the Files section describes them.
_FILES = {
    "summary.json": "totals and costs with 95% CIs, Erlang reference, resolved config",
    "intervals.csv": "one row per channel and interval (means over replications)",
    "pools.csv": "one row per pool and interval: staffing and occupancy",
    "replications.csv": "one row per replication, channel and metric (tidy)",
    ".parquet": "the table of the CSV of the same name, typed",
    ".png": "figure (embedded above)",
}
# Which section shows a figure (by file name); any other figure goes to "More figures".
_SECTION_OF = {
    "demand_delta.png": "delta",
    "service_level.png": "service",
    "occupancy.png": "pools",
    "coverage.png": "heads",
}


@dataclass(frozen=True)
class Kpi:
    """A headline figure: ``value`` as shown, ``raw`` the number behind it (``data-value``,
    as summary.json has it), ``note`` the line under it."""

    key: str
    label: str
    value: str
    note: str = ""
    cls: str = ""
    raw: float | None = None
    when: bool = False  # a day and time, not a number: set smaller


@dataclass(frozen=True)
class ServiceCard:
    channel: str
    colour: str
    mode: str
    value: str
    raw: float
    ci: str
    target: str
    status: str
    cls: str
    details: str


def _target_text(ch: Any) -> str:
    if ch.mode == ASYNC:
        return f"answered within {ch.target_s / 3600:g} h"
    return f"answered within {ch.target_s:g} s"


def _share_ci(e: Estimate) -> str:
    """A share's 95% CI, clipped to 0 .. 100% (a t-interval of a share near 100% may pass it)."""
    if math.isnan(e.ci_low) or e.ci_low == e.ci_high:
        return ""
    return f"{pct(max(e.ci_low, 0.0))} .. {pct(min(e.ci_high, 1.0))}"


def _service_cards(result: RunResult) -> list[ServiceCard]:
    c = result.centre
    colours = channel_colours(ch.name for ch in c.channels)
    cards = []
    for ch, ce in zip(c.channels, result.channel_estimates, strict=True):
        e = ce["sl_answered_within_t"]
        state, cls = status(e, ch.target_service_level)
        if ch.mode == ASYNC:
            details = (
                f"{num(ce['late_async'].mean, 0)} answered late or overdue; "
                f"mean response {num(ce['asa_s'].mean / 3600, 1)} h"
            )
        else:
            details = (
                f"abandoned {pct(ce['abandon_rate'].mean)}; ASA {wait(ce['asa_s'].mean, SYNC)}"
            )
        if not ce["offered"].mean > 0:
            details = "no contacts over the measured horizon"
        cards.append(
            ServiceCard(
                channel=ch.name,
                colour=colours[ch.name],
                mode=ch.mode,
                value=service_level(e, ce["offered"].mean),
                raw=e.mean,
                ci=_share_ci(e),
                target=f"target {pct(ch.target_service_level)} {_target_text(ch)}",
                status=state,
                cls=cls,
                details=details,
            )
        )
    return cards


def _headline(
    result: RunResult, worst_day: Day | None, worst_day_h: float, heads: HeadsSection
) -> list[Kpi]:
    est, c = result.estimates, result.centre
    e = est["positive_demand_delta_h"]
    interval = ci(e, False)
    kpis = [
        Kpi(
            "positive_demand_delta_h",
            "agent-hours short over the horizon",
            num(e.mean),
            (f"95% CI {interval}; " if interval else "")
            + f"{pct(est['share_intervals_in_deficit'].mean)} of intervals in deficit"
            + (f" ({netting_text(result)})" if len(c.channels) > 1 else ""),
            BAD if e.mean > 0 else GOOD,
            e.mean,
        )
    ]
    if heads.kpi_value:
        kpis.append(
            Kpi(
                "heads_short",
                "heads short at the worst interval",
                heads.kpi_value,
                heads.kpi_note,
                BAD if heads.kpi_raw > 0 else GOOD,
                heads.kpi_raw,
            )
        )
    worst = worst_interval(result)
    if worst is not None:
        day, clock = when(result, worst[0] * c.interval_s / 60)
        kpis.append(
            Kpi(
                "worst_interval",
                "worst interval",
                f"{day_name(result, day)} {clock}",
                f"{worst[1]:,.2f} agent-hours short in {c.interval_s / 60:g} min "
                "(mean over replications)",
                BAD,
                when=True,
            )
        )
    if worst_day is not None:
        kpis.append(
            Kpi(
                "worst_day",
                "worst day",
                worst_day.label,
                f"{worst_day_h:,.1f} agent-hours short "
                f"({pct(worst_day_h / e.mean) if e.mean > 0 else 'n/a'} of the total)",
                BAD,
                when=True,
            )
        )
    if "cost_total" in est:
        cur = result.currency or cost_spec(c).currency
        cost = est["cost_total"]
        interval = _money_ci(cost)
        per = est["cost_per_contact_handled"].mean
        kpis.append(
            Kpi(
                "cost_total",
                f"cost of the measured horizon ({cur})",
                money(cost.mean),
                (f"95% CI {interval}; " if interval else "")
                + (f"{money(per)} {cur} per contact handled" if per == per else ""),
                "",
                cost.mean,
            )
        )
    return kpis


def _horizon(result: RunResult) -> str:
    h = result.centre.horizon_s / 3600
    if h % 24:
        return f"{h:g} h"
    return "1 day" if h == 24 else f"{h / 24:g} days"


def _summary_line(
    result: RunResult, worst_day: Day | None, worst_day_h: float, cards: list[ServiceCard]
) -> Text:
    """The headline in one sentence: agent-hours short and when, service against target, cost."""
    est = result.estimates
    short = est["positive_demand_delta_h"].mean
    parts: list[str | tuple[str, str]] = []
    if short > 0:
        parts += [("b", f"{num(short)} agent-hours short"), f" over {_horizon(result)}"]
        if worst_day is not None:
            parts.append(f", most on {worst_day.label} ({num(worst_day_h)} agent-h)")
        parts.append(". ")
    else:
        parts.append("Capacity covers the demand workload in every measured interval. ")
    below = [s for s in cards if s.cls in (BAD, WARN)]
    if not below:
        parts.append("Every channel meets its service-level target")
    else:
        parts += [
            (
                "b",
                f"{len(below)} of {len(cards)} channel{'s' if len(cards) > 1 else ''} below target",
            ),
            ": " + "; ".join(f"{s.channel} {s.value} ({s.target})" for s in below),
        ]
    if "cost_total" in est:
        cur = result.currency or cost_spec(result.centre).currency
        parts += [". The measured horizon costs ", ("b", f"{money(est['cost_total'].mean)} {cur}")]
    parts.append(".")
    return Text.of(*parts)


def _delta_text(result: RunResult) -> str:
    """The demand-delta sentence of report.md (its peak: of the mean interval curve), without
    its Markdown; said otherwise when that curve is never positive."""
    est, c = result.estimates, result.centre
    short = est["positive_demand_delta_h"].mean
    delta = centre_delta(result)
    peak = f" {p}" if (p := peak_text(result)) else ""
    if not (short > 0 and not np.all(np.isnan(delta))):
        own = channels_short(result) if len(c.channels) > 1 else 0.0
        return (
            "Capacity covers the demand workload in every measured interval"
            + (f" ({netting_text(result)})" if own > 0 else "")
            + "."
            + peak
        )
    k = int(np.nanargmax(delta))
    day, clock = when(result, k * c.interval_s / 60)
    interval = ci(est["positive_demand_delta_h"], False)
    text = (
        f"Demand exceeds capacity by {short:,.1f} agent-hours in total"
        + (f" (95% CI {interval})" if interval else "")
        + (f" ({netting_text(result)})" if len(c.channels) > 1 else "")
        + f"; {pct(est['share_intervals_in_deficit'].mean)} of intervals are in deficit"
    )
    at = f"{day_name(result, day)} {clock}"
    if delta[k] > 0:
        return text + (
            f"; the mean delta curve peaks at {delta[k]:,.2f} agent-hours in the interval "
            f"starting {at} (the worst interval above: the most agent-hours short on average "
            "over the replications)." + peak
        )
    return text + (
        ". On average no interval is short (the mean curve peaks at "
        f"{delta[k]:,.2f} agent-hours, {at}): the shortfall comes from the replications' "
        "random peaks." + peak
    )


def _plain(x: Any) -> Any:
    """``x`` in the types YAML writes (a config given through the API may hold numpy numbers,
    tuples or paths)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if hasattr(x, "item") and callable(x.item):  # a numpy scalar
        return _plain(x.item())
    return str(x)


def _config_yaml(config: dict[str, Any]) -> str:
    """The resolved config as YAML, in its own key order; short lists and maps on one line."""
    return yaml.safe_dump(
        _plain(config), sort_keys=False, default_flow_style=None, allow_unicode=True, width=100
    )


def _facts(result: RunResult) -> list[str]:
    c, st = result.centre, result.settings
    facts = [
        f"{len(c.channels)} channel(s): {', '.join(ch.name for ch in c.channels)}",
        f"{len(c.intents)} intent(s), {len(c.pools)} pool(s)",
        f"horizon {c.horizon_s / 3600:g} h in {c.n_intervals} intervals of "
        f"{c.interval_s / 60:g} min"
        + (f" from {result.start:%a %Y-%m-%d %H:%M}" if result.start is not None else ""),
        f"{st.replications} replication(s), seed {st.seed}"
        + (f", warm-up {st.warmup_s / 60:g} min dropped" if st.warmup_s else ""),
        "strategies: "
        + (", ".join(c.strategies.names) if c.strategies.names else "none (baseline)"),
    ]
    return facts


def write_report_html(
    result: RunResult, out_dir: Path, written: Sequence[Path], config: dict[str, Any]
) -> Path:
    """Write ``out_dir/report.html``. ``written``: the files already in the folder (tables and
    figures; the PNGs are embedded, none when ``run.plots`` is false); ``config``: the resolved
    config."""
    c = result.centre
    figs = figures(written, FIGURE_CAPTIONS)
    placed: dict[str, list[Figure]] = {
        "heads": [],
        "delta": [],
        "service": [],
        "pools": [],
        "more": [],
    }
    for f in figs:
        section = _SECTION_OF.get(f.name, "delta" if "heatmap" in f.name else "more")
        placed[section].append(f)
    per_day, worst_day, worst_day_h = day_table(result)
    occupancy, over = occupancy_warnings(result)
    cards = _service_cards(result)
    heads = heads_html(result)
    files = [
        ("report.md", "this report as Markdown"),
        ("summary.json", _FILES["summary.json"]),
        *((p.name, _FILES.get(p.name, _FILES.get(p.suffix, ""))) for p in written),
    ]
    return write_page(
        Path(out_dir) / "report.html",
        "run.html",
        title=f"ccsim report: {c.name}",
        centre=c.name,
        description=c.description,
        facts=_facts(result),
        close_note="" if c.at_close == STOP else CLOSE_NOTE[c.at_close],
        summary_line=_summary_line(result, worst_day, worst_day_h, cards),
        warnings=empty_warnings(c),
        kpis=_headline(result, worst_day, worst_day_h, heads),
        heads=heads,
        service=cards,
        delta_text=_delta_text(result),
        deadlines=deadline_table(result),
        deadline_text=DEADLINE_TEXT,
        figures=placed,
        plots_off=not result.settings.plots,
        days=per_day,
        channels=channel_table(result),
        intents=intent_table(result),
        service_warnings=service_warnings(result),
        pools=pool_summary(result, over),
        occupancy_warnings=occupancy,
        occupancy_ceiling=pct(result.settings.occupancy_ceiling),
        worst_n=WORST,
        totals=totals_table(result),
        costs=cost_tables(result),
        reference=reference_table(result),
        config_yaml=_config_yaml(config),
        files=files,
    )
