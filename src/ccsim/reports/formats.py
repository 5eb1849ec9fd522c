"""How the reports write their figures: percentages, numbers, confidence intervals, waits in
the unit of their channel's mode (seconds live, hours for backlogs), and the rows of the
whole-centre table (``report.md`` and ``report.html`` share them)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Mapping

from ccsim.analysis.results import RunResult
from ccsim.analysis.statistics import Estimate
from ccsim.model.centre import ASYNC, CLEAR, SERVE_OUT

__all__ = [
    "pct",
    "num",
    "ci",
    "wait",
    "service_level",
    "channel_line",
    "TOTAL_ROWS",
    "CLOSE_NOTE",
    "MIXED_WAITS_NOTE",
    "total_rows",
    "centre_totals",
]


def pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.1f}%"


def num(x: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(x) else f"{x:,.{digits}f}"


def ci(e: Estimate, as_pct: bool, digits: int = 1) -> str:
    if math.isnan(e.ci_low) or e.ci_low == e.ci_high:
        return ""  # one replication, or a planned figure that does not vary
    show = pct if as_pct else (lambda v: num(v, digits))
    return f"{show(e.ci_low)} .. {show(e.ci_high)}"


def wait(x_s: float, mode: str, digits: int = 1) -> str:
    """A wait with its unit as a planner reads it: seconds on a live (sync) channel, hours on a
    backlog (async: an e-mail answered in 15,500 s is answered in 4.3 h)."""
    if math.isnan(x_s):
        return "n/a"
    return f"{x_s / 3600:,.{digits}f} h" if mode == ASYNC else f"{x_s:,.{digits}f} s"


def service_level(e: Estimate, offered: float) -> str:
    """A channel's service level; "n/a (no contacts)" when none were offered."""
    return "n/a (no contacts)" if not offered > 0 else pct(e.mean)


def channel_line(ch: Any, ce: Mapping[str, Estimate]) -> str:
    """One channel's outcome in a log line (no "nan%"; async waits in hours)."""
    if not ce["offered"].mean > 0:
        return f"{ch.name}: no contacts over the measured horizon"
    sl = f"{ch.name}: service level {pct(ce['sl_answered_within_t'].mean)}"
    asa = wait(ce["asa_s"].mean, ch.mode)
    if ch.mode == ASYNC:
        late = num(ce["late_async"].mean, 0)
        return f"{sl}, ASA {asa}, {late} answered late or overdue"
    return f"{sl}, abandonment {pct(ce['abandon_rate'].mean)}, ASA {asa}"


# The whole-centre table: (key, label, digits, shown as a percentage).
TOTAL_ROWS = (
    ("offered", "offered contacts", 0, False),
    ("retries", "of which retries", 0, False),
    ("repeats", "of which repeats (unresolved)", 0, False),
    ("chasers", "of which chasers", 0, False),
    ("answered", "answered", 0, False),
    ("abandoned", "abandoned", 0, False),
    ("blocked", "blocked", 0, False),
    ("sl_answered_within_t", "service level (answered within T / offered)", 0, True),
    ("sl_wait_le_t", "P(time in queue <= T), abandoners included", 0, True),
    (
        "sl_virtual_wait_le_t",
        "P(virtual wait <= T): the wait of an infinitely patient caller",
        0,
        True,
    ),
    ("virtual_wait_s", "mean virtual wait (s)", 1, False),
    ("abandon_rate", "abandonment rate", 0, True),
    ("p_wait", "P(wait > 0)", 0, True),
    ("asa_s", "ASA, answered contacts (s)", 1, False),
    ("mean_wait_s", "mean time in queue, answered + abandoned (s)", 1, False),
    ("p90_wait_s", "90th percentile time in queue (s)", 1, False),
    ("sd_wait_s", "standard deviation of time in queue (s)", 1, False),
    ("customer_wait_s", "time in queue per customer, over its retries (s)", 1, False),
    ("abandoned_within_t", "abandoned within T", 0, False),
    ("abandoned_after_t", "abandoned after T", 0, False),
    ("mean_in_queue", "time-average number in queue", 2, False),
    ("mean_in_system", "time-average number in system (queue + service)", 2, False),
    ("mean_time_in_system_s", "mean time in system, handled contacts (s)", 1, False),
    ("occupancy", "occupancy", 0, True),
    ("prevented", "prevented by proactive notice", 0, False),
    ("contained", "contained by the chatbot", 0, False),
    ("callbacks", "callbacks accepted", 0, False),
    ("demand_workload_h", "demand workload (agent-h)", 1, False),
    ("planned_workload_h", "planned workload, forecast (agent-h)", 1, False),
    ("capacity_h", "capacity (agent-h)", 1, False),
    ("positive_demand_delta_h", "agent-hours short (sum of positive demand delta)", 1, False),
    ("unmet_contacts", "unmet contacts (abandoned + blocked + still waiting)", 0, False),
    ("late_async", "async contacts answered late or overdue", 0, False),
)


CLOSE_NOTE = {
    SERVE_OUT: "At the close (the end of the horizon) arrivals stop and the agents on the phone "
    "serve out the queue: waits and service past the close are counted in the contacts' figures, "
    "not in the intervals' agent time.",
    CLEAR: "At the close (the end of the horizon) contacts still waiting live are cleared "
    "(counted apart, as unmet).",
}


def total_rows(result: RunResult) -> tuple[tuple[str, str, int, bool], ...]:
    """:data:`TOTAL_ROWS`, with the contacts cleared at the close where the centre clears."""
    if result.centre.at_close != CLEAR:
        return TOTAL_ROWS
    rows = []
    for key, label, digits, as_pct in TOTAL_ROWS:
        if key == "unmet_contacts":
            label = "unmet contacts (abandoned + blocked + cleared + still waiting)"
        rows.append((key, label, digits, as_pct))
        if key == "blocked":
            rows.append(("cleared", "cleared at the close (still waiting live)", 0, False))
    return tuple(rows)


# The whole centre's waits and times (seconds), as report.md labels them.
_TIMES = (
    "virtual_wait_s",
    "asa_s",
    "mean_wait_s",
    "p90_wait_s",
    "sd_wait_s",
    "customer_wait_s",
    "mean_time_in_system_s",
)
MIXED_WAITS_NOTE = (
    "Waits and times in queue are left out of the whole centre: it mixes live channels (waits "
    "in seconds) with backlogs (waits in hours); each channel has its own above."
)


def _hours(e: Estimate) -> Estimate:
    return dataclasses.replace(
        e, mean=e.mean / 3600, ci_low=e.ci_low / 3600, ci_high=e.ci_high / 3600, std=e.std / 3600
    )


def centre_totals(result: RunResult) -> tuple[list[tuple[str, str, str, str]], str]:
    """The whole-centre table's rows (key, label, mean, 95% CI) and a note. Waits come in the
    unit of the channels' mode: seconds when every channel is live, hours when every one is a
    backlog, and not at all (the note says why) when the centre mixes them."""
    modes = {ch.mode for ch in result.centre.channels}
    rows = []
    for key, label, digits, as_pct in total_rows(result):
        e = result.estimates[key]
        if key in _TIMES and len(modes) > 1:
            continue
        if key in _TIMES and modes == {ASYNC}:
            e, label = _hours(e), label.replace("(s)", "(h)")
        mean = pct(e.mean) if as_pct else num(e.mean, digits)
        rows.append((key, label, mean, ci(e, as_pct, digits)))
    return rows, MIXED_WAITS_NOTE if len(modes) > 1 else ""
