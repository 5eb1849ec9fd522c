"""The async channels' demand delta by deadline, in the reports (``report.md`` and
``report.html``): per async channel the agent-hours short (simulated work and the plan's), the
contacts answered late or still overdue and their work, and a word where a channel meets its
service-level target with deadlines missed. Reads results; never runs the model."""

from __future__ import annotations

from dataclasses import dataclass

from ccsim.analysis.results import RunResult
from ccsim.model.centre import ASYNC
from ccsim.reports.formats import num, pct
from ccsim.reports.palette import channel_colours
from ccsim.reports.templating import BAD, GOOD, Cell, Table

__all__ = ["DEADLINE_TEXT", "DeadlineRow", "deadline_rows", "deadline_md", "deadline_table"]

DEADLINE_TEXT = (
    "Async channels (a backlog answered within a response-time target) are short only where "
    "deadlines are missed: the work due in each interval (what arrived one target earlier) "
    "against the capacity before its deadline, the backlog carried and worked earliest "
    "deadline first. Agent-hours short are the least extra capacity that would answer every "
    "contact in time, counted in the last interval before the deadlines they save; an e-mail "
    "arriving at night is not short if the next day's agents answer it in time."
)


@dataclass(frozen=True)
class DeadlineRow:
    channel: str
    target: str  # "90% within 24 h"
    service_level: float
    target_level: float
    short_h: float  # simulated work (positive_demand_delta_h)
    planned_short_h: float  # the forecast's work (planned_positive_demand_delta_h)
    late: float  # contacts answered late or overdue
    late_h: float  # their work, agent-h


def deadline_rows(result: RunResult) -> list[DeadlineRow]:
    """One row per async channel, in the centre's order (none without async channels)."""
    out = []
    for ch, ce in zip(result.centre.channels, result.channel_estimates, strict=True):
        if ch.mode != ASYNC:
            continue
        out.append(
            DeadlineRow(
                channel=ch.name,
                target=f"{pct(ch.target_service_level)} within {ch.target_s / 3600:g} h",
                service_level=ce["sl_answered_within_t"].mean,
                target_level=ch.target_service_level,
                short_h=ce["positive_demand_delta_h"].mean,
                planned_short_h=ce["planned_positive_demand_delta_h"].mean,
                late=ce["late_async"].mean,
                late_h=ce["late_async_workload_h"].mean,
            )
        )
    return out


def _notes(rows: list[DeadlineRow]) -> list[str]:
    """A channel that meets its target with deadlines missed: the target lets some be late."""
    return [
        f"{r.channel} meets its target ({pct(r.service_level)}, {r.target}) with "
        f"{num(r.short_h)} agent-hours short by deadline: the target lets "
        f"{pct(1 - r.target_level)} be answered late, the shortfall is what answering every "
        "contact in time would need."
        for r in rows
        if r.short_h > 0.05 and r.service_level >= r.target_level
    ]


def deadline_md(result: RunResult) -> list[str]:
    """The section of ``report.md`` (no lines without async channels)."""
    rows = deadline_rows(result)
    if not rows:
        return []
    lines = [
        "",
        "## Async channels: the demand delta by deadline",
        "",
        DEADLINE_TEXT,
        "",
        "| channel | target | service level | agent-h short | agent-h short (plan) | "
        "answered late or overdue | their work (agent-h) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r.channel} | {r.target} | {pct(r.service_level)} | {num(r.short_h)} | "
        f"{num(r.planned_short_h)} | {num(r.late, 0)} | {num(r.late_h)} |"
        for r in rows
    ]
    for note in _notes(rows):
        lines += ["", note]
    return lines


def deadline_table(result: RunResult) -> tuple[Table | None, list[str]]:
    """The table of ``report.html`` and its notes (None without async channels)."""
    rows = deadline_rows(result)
    if not rows:
        return None, []
    colours = channel_colours(ch.name for ch in result.centre.channels)

    def short(x: float) -> Cell:
        return Cell(num(x), BAD if x > 0.05 else GOOD)

    body = [
        [
            Cell(r.channel, colour=colours[r.channel]),
            r.target,
            Cell(pct(r.service_level), GOOD if r.service_level >= r.target_level else BAD),
            short(r.short_h),
            short(r.planned_short_h),
            num(r.late, 0),
            num(r.late_h),
        ]
        for r in rows
    ]
    headers: list[Cell | str] = [
        "channel",
        "target",
        "service level",
        Cell("agent-h short", title="simulated work by deadline: positive_demand_delta_h"),
        Cell(
            "agent-h short (plan)",
            title="the forecast's work by deadline: planned_positive_demand_delta_h",
        ),
        "answered late or overdue",
        Cell("their work (agent-h)", title="late_async_workload_h"),
    ]
    table = Table(headers=headers, rows=body, align="ll", compact=True)
    return table, _notes(rows)
