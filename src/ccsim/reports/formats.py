"""How the reports write their figures: percentages, numbers, confidence intervals, and the
rows of the whole-centre table (``report.md`` and ``report.html`` share them)."""

from __future__ import annotations

import math

from ccsim.analysis.results import RunResult
from ccsim.analysis.statistics import Estimate
from ccsim.model.centre import CLEAR, SERVE_OUT

__all__ = ["pct", "num", "ci", "TOTAL_ROWS", "CLOSE_NOTE", "total_rows"]


def pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.1f}%"


def num(x: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(x) else f"{x:,.{digits}f}"


def ci(e: Estimate, as_pct: bool, digits: int = 1) -> str:
    if math.isnan(e.ci_low) or e.ci_low == e.ci_high:
        return ""  # one replication, or a planned figure that does not vary
    show = pct if as_pct else (lambda v: num(v, digits))
    return f"{show(e.ci_low)} .. {show(e.ci_high)}"


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
