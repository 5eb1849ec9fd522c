"""The output folder of ``mode=staff``: the simulated requirement beside Erlang C/A and the
roster, per pool and per channel, as CSV, JSON, Markdown and a plot (docs/planning.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ccsim.model.centre import Centre  # noqa: E402
from ccsim.planning.staff import StaffingPlan  # noqa: E402
from ccsim.reports.files import atomic_write_text, save_png, write_csv, write_json  # noqa: E402
from ccsim.reports.markdown_page import write_markdown_page  # noqa: E402

__all__ = ["write_staffing_outputs", "erlang_gap_h", "when"]


def when(centre: Centre, start: datetime | None, k: int) -> tuple[str, str]:
    """(day, HH:MM) of interval ``k``: calendar dates when the centre has a start."""
    minutes = k * centre.interval_s / 60.0
    if start is not None:
        t = start + timedelta(minutes=minutes)
        return t.strftime("%Y-%m-%d %a"), t.strftime("%H:%M")
    m = int(round(centre.clock_start_h * 60 + minutes))
    day, m = divmod(m, 1440)
    return str(day + 1), f"{m // 60:02d}:{m % 60:02d}"


def erlang_gap_h(plan: StaffingPlan, which: str) -> np.ndarray:
    """[c]: agent-hours Erlang (``"c"`` or ``"a"``) schedules more (+) or fewer (-) than the
    simulated plan, per channel; the plan's pools are allocated to channels as the demand delta
    allocates them (planned workload shares)."""
    req = plan.plan.required_erlang_c if which == "c" else plan.plan.required_erlang_a
    req = np.where(np.isnan(req), plan.plan.required_erlang_c, req)
    dt_h = plan.search.centre.interval_s / 3600.0
    return np.asarray((req - plan.plan.agents_scheduled).sum(axis=1) * dt_h)


def _pool_rows(plan: StaffingPlan, start: datetime | None) -> list[list[Any]]:
    s, c = plan.search, plan.search.centre
    rows = []
    for p, pool in enumerate(c.pools):
        for k in range(c.n_intervals):
            day, hhmm = when(c, start, k)
            rows.append(
                [
                    pool.name,
                    k,
                    day,
                    hhmm,
                    pool.agents_scheduled[k],
                    int(pool.agents_on_phone[k]),
                    int(s.start[p, k]),
                    int(s.on_phone[p, k]),
                    s.scheduled[p, k],
                    s.scheduled[p, k] - pool.agents_scheduled[k],
                ]
            )
    return rows


def _channel_rows(plan: StaffingPlan, start: datetime | None) -> list[list[Any]]:
    c = plan.search.centre
    rows = []
    for i, ch in enumerate(c.channels):
        for k in range(c.n_intervals):
            day, hhmm = when(c, start, k)
            rows.append(
                [
                    ch.name,
                    k,
                    day,
                    hhmm,
                    plan.plan.required_erlang_c[i, k],
                    plan.plan.required_erlang_a[i, k],
                    plan.roster.agents_scheduled[i, k],
                    plan.plan.agents_scheduled[i, k],
                ]
            )
    return rows


def _summary(plan: StaffingPlan, extra: dict[str, Any]) -> dict[str, Any]:
    s, c = plan.search, plan.search.centre
    dt_h = c.interval_s / 3600.0
    gap_c, gap_a = erlang_gap_h(plan, "c"), erlang_gap_h(plan, "a")
    return {
        "schema": "ccsim.staffing/1",
        "centre": c.name,
        "seeds": list(plan.seeds),
        "check_seed": plan.check_seed,
        "converged": s.converged,
        "meets_targets": plan.meets_targets,
        "rounds": len(s.rounds),
        "pools": {
            pool.name: {
                "roster_scheduled_agent_h": float(pool.agents_scheduled.sum() * dt_h),
                "plan_scheduled_agent_h": float(s.scheduled[p].sum() * dt_h),
                "erlang_start_on_phone_agent_h": float(s.start[p].sum() * dt_h),
                "plan_on_phone_agent_h": float(s.on_phone[p].sum() * dt_h),
                "peak_plan_scheduled": float(s.scheduled[p].max()),
            }
            for p, pool in enumerate(c.pools)
        },
        "channels": {
            ch.name: {
                "margin": float(plan.margin[i]),
                "erlang_c_minus_plan_agent_h": float(gap_c[i]),
                "erlang_a_minus_plan_agent_h": float(gap_a[i]),
                "check": {
                    "service_level": chk.service_level,
                    "service_level_lower_bound": chk.service_level_bound,
                    "target": chk.target,
                    "abandon_rate": chk.abandon_rate,
                    "abandon_upper_bound": chk.abandon_bound,
                    "max_abandon_rate": chk.max_abandon_rate,
                    "share_of_replications_missed": chk.share_missed,
                    "meets": chk.meets,
                },
            }
            for i, (ch, chk) in enumerate(zip(c.channels, plan.checks, strict=True))
        },
        **extra,
    }


def _largest_changes(plan: StaffingPlan, start: datetime | None, n: int = 10) -> list[str]:
    """The intervals where the plan and the roster differ most, in heads."""
    s, c = plan.search, plan.search.centre
    roster = np.stack([p.agents_scheduled for p in c.pools])
    change = s.scheduled - roster
    order = np.argsort(-np.abs(change), axis=None, kind="stable")[:n]
    lines = [
        "## Where the roster differs most (scheduled heads)",
        "",
        "| pool | day | time | roster | plan | change |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for flat in order:
        p, k = divmod(int(flat), c.n_intervals)
        if change[p, k] == 0:
            break
        day, hhmm = when(c, start, k)
        lines.append(
            f"| {c.pools[p].name} | {day} | {hhmm} | {roster[p, k]:g} | {s.scheduled[p, k]:g} | "
            f"{change[p, k]:+g} |"
        )
    return lines


def _report_md(plan: StaffingPlan, confidence: float, start: datetime | None) -> str:
    s, c = plan.search, plan.search.centre
    dt_h = c.interval_s / 3600.0
    roster_h = sum(float(p.agents_scheduled.sum()) for p in c.pools) * dt_h
    plan_h = float(s.scheduled.sum()) * dt_h
    lines = [
        f"# Simulated staffing: {c.name}",
        "",
        f"The fewest agents per pool and interval that meet every channel's targets in the "
        f"simulated centre: **{plan_h:,.1f} scheduled agent-hours** against the roster's "
        f"{roster_h:,.1f} ({plan_h - roster_h:+,.1f}).",
        "",
        f"Search: {len(s.rounds)} rounds of replications on seed(s) "
        f"{', '.join(map(str, plan.seeds))} "
        f"({'converged' if s.converged else 'stopped at the round limit: not converged'}); "
        f"checked on fresh replications of seed {plan.check_seed}: "
        f"{'**every target met**' if plan.meets_targets else '**some targets missed**'} "
        f"(one-sided bounds at {confidence:.0%} confidence).",
        "",
        "## Per pool (scheduled agent-hours)",
        "",
        "| pool | roster | simulated plan | change | Erlang start (on phone) | plan on phone |"
        " peak heads |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p, pool in enumerate(c.pools):
        r, q = float(pool.agents_scheduled.sum() * dt_h), float(s.scheduled[p].sum() * dt_h)
        lines.append(
            f"| {pool.name} | {r:,.1f} | {q:,.1f} | {q - r:+,.1f} | "
            f"{float(s.start[p].sum() * dt_h):,.1f} | {float(s.on_phone[p].sum() * dt_h):,.1f} | "
            f"{int(s.scheduled[p].max())} |"
        )
    lines += ["", *_largest_changes(plan, start)]
    gap_c, gap_a = erlang_gap_h(plan, "c"), erlang_gap_h(plan, "a")
    lines += [
        "",
        "## Erlang against the simulation, per channel",
        "",
        "Agent-hours Erlang C and Erlang A schedule more (+, over-staffing) or fewer (-, "
        "under-staffing) than the simulated plan. Erlang leaves out retries, repeats, chasers, "
        "shared pools and (for async channels) the backlog a response target lets wait; the "
        "plan's pools are split between channels by planned workload.",
        "",
        "| channel | Erlang C - plan | Erlang A - plan | search margin |",
        "| --- | ---: | ---: | ---: |",
    ]
    for i, ch in enumerate(c.channels):
        lines.append(
            f"| {ch.name} | {gap_c[i]:+,.1f} | {gap_a[i]:+,.1f} | {100 * plan.margin[i]:.1f} pt |"
        )
    lines += [
        "",
        f"## Check on seed {plan.check_seed}",
        "",
        "| channel | service level | lower bound | target | abandoned | upper bound | max |"
        " replications missing | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for chk in plan.checks:
        mx = "-" if chk.max_abandon_rate is None else f"{100 * chk.max_abandon_rate:.1f}%"
        lines.append(
            f"| {chk.channel} | {100 * chk.service_level:.1f}% | "
            f"{100 * chk.service_level_bound:.1f}% | {100 * chk.target:.0f}% | "
            f"{100 * chk.abandon_rate:.1f}% | {100 * chk.abandon_bound:.1f}% | {mx} | "
            f"{100 * chk.share_missed:.0f}% | {'yes' if chk.meets else '**no**'} |"
        )
    lines += [
        "",
        "Files: `staffing.csv` (per pool and interval: roster, Erlang start, plan), "
        "`staffing_channels.csv` (per channel: Erlang C/A, roster and plan), `staffing.json`, "
        "`staffing.png`. Turn the plan into shifts with `mode=schedule`.",
        "",
    ]
    return "\n".join(lines)


def _plot(plan: StaffingPlan, path: Path, start: datetime | None) -> Path:
    s, c = plan.search, plan.search.centre
    n_p = len(c.pools)
    fig, axes = plt.subplots(n_p, 1, figsize=(11, 2.6 * n_p + 0.6), sharex=True, squeeze=False)
    x = np.arange(c.n_intervals + 1) * c.interval_s / 3600.0
    for p, (ax, pool) in enumerate(zip(axes[:, 0], c.pools, strict=True)):
        ax.stairs(pool.agents_scheduled, x, label="roster", color="0.5")
        ax.stairs(s.scheduled[p], x, label="simulated requirement", color="tab:red", lw=1.6)
        start_sched = s.start[p] / pool.gross_up_shares()
        ax.stairs(start_sched, x, label="Erlang start", color="tab:blue", ls="--", lw=0.9)
        ax.set_ylabel(f"{pool.name}\nscheduled agents")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", fontsize=8, ncol=3)
    axes[-1, 0].set_xlabel(
        f"hours since {start:%a %Y-%m-%d %H:%M}" if start else "hours since the start"
    )
    fig.suptitle(f"{c.name}: simulated staffing requirement against the roster")
    fig.tight_layout()
    return save_png(fig, path)


def write_staffing_outputs(
    plan: StaffingPlan,
    out_dir: Path,
    *,
    start: datetime | None,
    confidence: float,
    extra: dict[str, Any] | None = None,
    plots: bool = True,
) -> list[Path]:
    """Write the folder; every file atomically."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [out_dir / "staffing.csv", out_dir / "staffing_channels.csv"]
    write_csv(
        files[0],
        [
            "pool",
            "interval",
            "day",
            "time",
            "roster_scheduled",
            "roster_on_phone",
            "erlang_start_on_phone",
            "plan_on_phone",
            "plan_scheduled",
            "change_scheduled",
        ],
        _pool_rows(plan, start),
    )
    write_csv(
        files[1],
        [
            "channel",
            "interval",
            "day",
            "time",
            "erlang_c_scheduled",
            "erlang_a_scheduled",
            "roster_scheduled",
            "plan_scheduled",
        ],
        _channel_rows(plan, start),
    )
    files.append(out_dir / "staffing.json")
    write_json(files[-1], _summary(plan, extra or {}))
    files.append(out_dir / "staffing.md")
    atomic_write_text(files[-1], _report_md(plan, confidence, start))
    if plots:
        files.append(_plot(plan, out_dir / "staffing.png", start))
    pngs = [f for f in files if f.suffix == ".png"]
    files.append(write_markdown_page(out_dir / "staffing.md", pngs, "ccsim staffing"))
    return files
