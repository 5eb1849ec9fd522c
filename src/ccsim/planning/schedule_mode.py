"""``mode=schedule``: a requirement per pool and interval (the simulated staffing plan, or
Erlang A/C), the cheapest roster of the allowed shift types covering it
(:mod:`ccsim.planning.scheduling`), written as ``roster.csv``, and the centre simulated on that
roster: does it meet the targets on customers neither the search nor its check has seen?

Output folder: ``schedule.md``, ``schedule.csv`` (per pool and interval: required, covered,
short), ``schedule.png``, ``roster.csv`` (reads back as ``centre.roster_csv``),
``schedule.json``; the staffing
search's own folder in ``staffing/`` (simulated requirement) and the full run report of the
scheduled roster in ``verification/``.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ccsim.model.schedule import ScheduleSpec  # noqa: E402
from ccsim.planning.check import ChannelCheck, check_plan  # noqa: E402
from ccsim.planning.job import PlanningJob  # noqa: E402
from ccsim.planning.scheduling import ScheduleResult, schedule_shifts  # noqa: E402
from ccsim.planning.staff import plan_staffing  # noqa: E402
from ccsim.planning.staff_report import when, write_staffing_outputs  # noqa: E402
from ccsim.planning.start import erlang_start, scheduled_for  # noqa: E402
from ccsim.reports.files import (  # noqa: E402
    atomic_write_text,
    save_png,
    write_csv,
    write_json,
)
from ccsim.reports.markdown_page import write_markdown_page  # noqa: E402
from ccsim.runs.job import code_digest, config_digest, run_job, validate_config  # noqa: E402

__all__ = ["ScheduleOutcome", "roster_config", "run_schedule_mode"]

log = logging.getLogger("ccsim")


@dataclass(frozen=True)
class ScheduleOutcome:
    schedule: ScheduleResult
    checks: tuple[ChannelCheck, ...]  # the scheduled roster on an unseen seed
    check_seed: int


def roster_config(raw: dict[str, Any], roster_csv: Path) -> dict[str, Any]:
    """``raw`` run on ``roster_csv``: the pools keep their skills, their staffing comes from the
    file."""
    out = copy.deepcopy(raw)
    centre = out["centre"]
    centre["roster_csv"] = str(Path(roster_csv).resolve())
    for key in (
        "roster_sheet",
        "roster_columns",
        "roster_header_row",
        "roster_format",
        "roster_teams",
        "roster_activities",
    ):
        centre.pop(key, None)  # the written roster: shifts, a CSV under ccsim's own names
    for pool in (centre.get("pools") or {}).values():
        for key in ("agents", "agents_per_interval", "shifts"):
            pool[key] = None
    out["mode"] = "run"
    return out


def _requirement(pj: PlanningJob, spec: ScheduleSpec, out_dir: Path) -> tuple[np.ndarray, int]:
    """[p, k] scheduled heads to cover, and the last seed the requirement was found on."""
    job = pj.job
    centre, settings = job.centre, job.settings
    if spec.requirement == "simulated":
        plan = plan_staffing(
            centre,
            pj.targets,
            pj.search,
            seed=settings.seed,
            warmup_s=settings.warmup_s,
            n_jobs=settings.n_jobs,
            checkpoint=out_dir / "staffing" / "staffing_search.json",
            digest=f"{config_digest(pj.raw)}-{code_digest()}",
        )
        write_staffing_outputs(
            plan,
            out_dir / "staffing",
            start=job.start,
            confidence=pj.targets.confidence,
            plots=settings.plots,
        )
        return plan.search.scheduled, plan.check_seed
    on = erlang_start(centre, "a" if spec.requirement == "erlang_a" else "c")
    heads = np.stack(
        [scheduled_for(on[p], pool.gross_up_shares()) for p, pool in enumerate(centre.pools)]
    )
    return heads, settings.seed


def _report(
    pj: PlanningJob,
    spec: ScheduleSpec,
    result: ScheduleResult,
    outcome_checks: tuple,
    check_seed: int,
) -> str:
    c = pj.job.centre
    currency = c.costs.currency if c.costs is not None else ""
    dt_h = c.interval_s / 3600.0
    lines = [
        f"# Shift schedule: {c.name}",
        "",
        f"The cheapest roster of {len(spec.shift_types)} shift type(s) covering the "
        f"{spec.requirement.replace('_', ' ')} requirement: **{len(result.shifts)} shift rows, "
        f"{result.paid_h:,.1f} paid agent-hours, {result.cost_shifts:,.0f} {currency}**"
        f" ({result.describe()}).",
        "",
        "| pool | required agent-h | covered agent-h | short agent-h | intervals short |"
        " peak short |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in result.pools:
        req, cov, short = result.required[name], result.coverage[name], result.shortfall[name]
        lines.append(
            f"| {name} | {req.sum() * dt_h:,.1f} | {cov.sum() * dt_h:,.1f} | "
            f"{short.sum() * dt_h:,.1f} | {int((short > 1e-9).sum())} | {short.max():.1f} |"
        )
    lines += [
        "",
        f"## The roster simulated (seed {check_seed}, unseen by the search)",
        "",
        "| channel | service level | lower bound | target | abandoned | met |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for chk in outcome_checks:
        lines.append(
            f"| {chk.channel} | {100 * chk.service_level:.1f}% | "
            f"{100 * chk.service_level_bound:.1f}% | {100 * chk.target:.0f}% | "
            f"{100 * chk.abandon_rate:.1f}% | {'yes' if chk.meets else '**no**'} |"
        )
    lines += [
        "",
        "Targets here are per channel over the horizon. Files: `roster.csv` (use it as "
        "`centre.roster_csv`), `schedule.csv` (per pool and interval: required, covered, short), "
        "`schedule.json`; `verification/report.md` is the full run of the centre on this roster"
        + ("; `staffing/` the simulated requirement." if spec.requirement == "simulated" else "."),
        "",
    ]
    return "\n".join(lines)


def _plot(result: ScheduleResult, centre_name: str, path: Path, start: datetime) -> None:
    """Per pool: the requirement and the roster's coverage, shortfall shaded."""
    n_p = len(result.pools)
    fig, axes = plt.subplots(n_p, 1, figsize=(11, 2.4 * n_p + 0.6), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], result.pools, strict=True):
        req, cov = result.required[name], result.coverage[name]
        x = np.arange(req.size + 1) * result.interval_s / 3600.0
        ax.stairs(req, x, label="required", color="tab:red", lw=1.4)
        ax.stairs(cov, x, label="roster (scheduled)", color="tab:blue", lw=1.0)
        ax.stairs(np.maximum(req - cov, 0.0), x, fill=True, color="tab:red", alpha=0.3)
        ax.set_ylabel(f"{name}\nagents")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", fontsize=8, ncol=2)
    axes[-1, 0].set_xlabel(f"hours since {start:%a %Y-%m-%d %H:%M}")
    fig.suptitle(f"{centre_name}: the cheapest roster against the requirement")
    fig.tight_layout()
    save_png(fig, path)


def run_schedule_mode(pj: PlanningJob, out_dir: Path) -> ScheduleOutcome:
    """Requirement, schedule, roster file, verification (module docstring)."""
    out_dir = Path(out_dir)
    job = pj.job
    centre, settings = job.centre, job.settings
    spec = pj.schedule
    assert spec is not None  # validate_planning parses it for mode=schedule
    required, last_seed = _requirement(pj, spec, out_dir)
    costs = centre.costs
    rates = costs.agent_hour_cost if costs is not None else (0.0,) * len(centre.pools)
    assert job.start is not None  # schedule_spec refuses single queues
    result = schedule_shifts(
        {pool.name: required[p] for p, pool in enumerate(centre.pools)},
        interval_s=centre.interval_s,
        horizon_start=job.start,
        n_intervals=centre.n_intervals,
        spec=spec,
        cost_per_h=dict(zip([p.name for p in centre.pools], rates, strict=True)),
        progress=log.info,
    )
    log.info("schedule: %s", result.describe())
    roster = out_dir / "roster.csv"
    result.write_roster_csv(roster)
    if settings.plots:
        _plot(result, centre.name, out_dir / "schedule.png", job.start)
    rows = []
    for name in result.pools:
        for k in range(centre.n_intervals):
            day, hhmm = when(centre, job.start, k)
            rows.append(
                [
                    name,
                    k,
                    day,
                    hhmm,
                    result.required[name][k],
                    result.coverage[name][k],
                    result.shortfall[name][k],
                ]
            )
    write_csv(
        out_dir / "schedule.csv",
        ["pool", "interval", "day", "time", "required", "covered", "short"],
        rows,
    )
    # The roster as a planner would run it: the centre read back from roster.csv.
    raw_roster = roster_config(pj.raw, roster)
    scheduled = validate_config(raw_roster).centre
    check_seed = last_seed + 1
    checks = tuple(
        check_plan(
            scheduled,
            pj.targets,
            pj.search,
            seed=check_seed,
            warmup_s=settings.warmup_s,
            n_jobs=settings.n_jobs,
        )
    )
    run_job(raw_roster, out_dir / "verification", resume=False)
    write_json(
        out_dir / "schedule.json",
        {
            "schema": "ccsim.schedule/1",
            "requirement": spec.requirement,
            "status": result.status,
            "mip_gap": result.mip_gap,
            "paid_agent_h": result.paid_h,
            "cost_shifts": result.cost_shifts,
            "cost_shortfall": result.cost_shortfall,
            "shortfall_agent_h": result.shortfall_agent_h,
            "shift_rows": len(result.shifts),
            "check_seed": check_seed,
            "checks": [c.__dict__ | {"meets": c.meets} for c in checks],
            "config_digest": config_digest(pj.raw),
            "code_digest": code_digest(),
        },
    )
    atomic_write_text(out_dir / "schedule.md", _report(pj, spec, result, checks, check_seed))
    pngs = [out_dir / "schedule.png"] if settings.plots else []
    write_markdown_page(out_dir / "schedule.md", pngs, "ccsim shift schedule")
    log.info(
        "roster: %d shift rows, %.1f paid agent-hours; targets %s on seed %d; outputs in %s",
        len(result.shifts),
        result.paid_h,
        "met" if all(c.meets for c in checks) else "NOT met",
        check_seed,
        out_dir,
    )
    return ScheduleOutcome(result, checks, check_seed)
