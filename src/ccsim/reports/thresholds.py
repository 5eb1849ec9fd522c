"""Threshold warnings of ``report.html``: the channel-intervals whose simulated service level
is below the channel's target, and the pool-intervals whose occupancy is above
``run.occupancy_ceiling``, counted and the worst listed (warm-up intervals left out)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ccsim.analysis.results import RunResult
from ccsim.model.centre import ASYNC
from ccsim.reports.days import measured_intervals
from ccsim.reports.formats import num, pct
from ccsim.reports.tables import interval_table, pool_table
from ccsim.reports.templating import BAD, GOOD, WARN, Cell, Table

__all__ = ["WORST", "Warnings", "service_warnings", "occupancy_warnings"]

WORST = 10  # rows of each list of the worst intervals


@dataclass(frozen=True)
class Warnings:
    """One threshold's warnings: a count per channel or pool, and the worst rows."""

    count: int
    of: int  # intervals with data that were checked
    per: Table
    worst: Table


def service_warnings(result: RunResult) -> Warnings:
    """Measured channel-intervals whose simulated service level (mean over replications) is
    below the channel's target."""
    c = result.centre
    t = interval_table(result)
    targets = {ch.name: ch.target_service_level for ch in c.channels}
    modes = {ch.name: ch.mode for ch in c.channels}
    below: list[int] = []
    checked = dict.fromkeys(targets, 0)
    count = dict.fromkeys(targets, 0)
    for r, ch in enumerate(t["channel"]):
        sl = t["sl_answered_within_t"][r]
        if t["in_warmup"][r] or not math.isfinite(sl):
            continue
        checked[ch] += 1
        if sl < targets[ch]:
            count[ch] += 1
            below.append(r)

    def short(r: int) -> float:
        """Contacts answered in time short of the target's share of the offered."""
        return t["offered"][r] * (targets[t["channel"][r]] - t["sl_answered_within_t"][r])

    # Worst first: the most contacts short of the target (a quiet night interval at 0% weighs
    # little); ties in interval order.
    below.sort(key=lambda r: -short(r))
    worst = [
        [
            t["day"][r],
            t["time"][r],
            t["channel"][r],
            Cell(pct(t["sl_answered_within_t"][r]), BAD),
            pct(targets[t["channel"][r]]),
            num(t["offered"][r]),
            Cell(num(short(r)), BAD),
            pct(t["abandon_rate"][r]) if modes[t["channel"][r]] != ASYNC else "-",
            num(t["agents_on_phone"][r]),
            num(t["demand_delta_h"][r], 2),
        ]
        for r in below[:WORST]
    ]
    per = Table(
        ["channel", "intervals with contacts", "below target", "share"],
        compact=True,
        rows=[
            [
                ch,
                str(checked[ch]),
                Cell(str(count[ch]), WARN if count[ch] else GOOD),
                pct(count[ch] / checked[ch]) if checked[ch] else "n/a",
            ]
            for ch in targets
        ],
    )
    return Warnings(
        len(below),
        sum(checked.values()),
        per,
        Table(
            [
                "day",
                "time",
                "channel",
                "service level",
                "target",
                "offered",
                "contacts short of target",
                "abandoned",
                "agents on the phone",
                "demand delta (agent-h)",
            ],
            worst,
            align="lllrrrrrrr",
        ),
    )


def occupancy_warnings(result: RunResult) -> tuple[Warnings, dict[str, int]]:
    """Measured pool-intervals whose occupancy (mean over replications) is above the ceiling."""
    c = result.centre
    ceiling = result.settings.occupancy_ceiling
    t = pool_table(result)
    measured = measured_intervals(result)
    count = {p.name: 0 for p in c.pools}
    checked = {p.name: 0 for p in c.pools}
    over: list[int] = []
    for r, pool in enumerate(t["pool"]):
        occ = t["occupancy"][r]
        if not measured[int(t["interval"][r])] or not math.isfinite(occ):
            continue
        checked[pool] += 1
        if occ > ceiling:
            count[pool] += 1
            over.append(r)
    over.sort(key=lambda r: -t["occupancy"][r])
    worst = [
        [
            t["day"][r],
            t["time"][r],
            t["pool"][r],
            Cell(pct(t["occupancy"][r]), WARN),
            num(t["agents_on_phone"][r]),
            num(t["agents_scheduled"][r]),
        ]
        for r in over[:WORST]
    ]
    per = Table(
        ["pool", "intervals on the phone", f"above {pct(ceiling)}", "share"],
        compact=True,
        rows=[
            [
                p,
                str(checked[p]),
                Cell(str(count[p]), WARN if count[p] else GOOD),
                pct(count[p] / checked[p]) if checked[p] else "n/a",
            ]
            for p in count
        ],
    )
    table = Table(
        ["day", "time", "pool", "occupancy", "agents on the phone", "agents scheduled"],
        worst,
        align="lllrrr",
        compact=True,
    )
    return Warnings(len(over), sum(checked.values()), per, table), count
