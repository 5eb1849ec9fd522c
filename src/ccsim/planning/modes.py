"""The planning modes of the ``ccsim`` command: ``mode=staff`` (simulation-based staffing),
``mode=schedule`` (staffing, then the cheapest roster of shift types) and ``mode=plan`` (the
cheapest combination of levers). Each validates its whole config before anything runs and
writes its own output folder (docs/planning.md)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ccsim.analysis.demand_delta import required_on_phone
from ccsim.errors import ConfigError
from ccsim.planning.cheapest import PlanSearch, Variant, label, search_cheapest
from ccsim.planning.check import search_constant
from ccsim.planning.job import PlanningJob, validate_planning
from ccsim.planning.plan_report import write_plan_outputs
from ccsim.planning.schedule_mode import ScheduleOutcome, run_schedule_mode
from ccsim.planning.staff import StaffingPlan, plan_staffing
from ccsim.planning.staff_report import write_staffing_outputs
from ccsim.reports.files import atomic_write_text, write_json
from ccsim.reports.markdown_page import write_markdown_page
from ccsim.runs.job import code_digest, config_digest
from ccsim.runs.presets import as_config

__all__ = ["plan_config", "run_mode", "run_staff", "run_plan", "validate_planning"]

log = logging.getLogger("ccsim")


def _digest(raw: dict[Any, Any]) -> str:
    return f"{config_digest(raw)}-{code_digest()}"


def run_staff(pj: PlanningJob, out_dir: Path) -> StaffingPlan | None:
    """``mode=staff``: the plan, checked, and its folder. A stationary single queue gets the
    constant search and its Erlang C/A comparison."""
    job, out_dir = pj.job, Path(out_dir)
    settings = job.settings
    if job.scenario is not None and job.scenario.is_stationary:
        _staff_single_queue(pj, out_dir)
        return None
    plan = plan_staffing(
        job.centre,
        pj.targets,
        pj.search,
        seed=settings.seed,
        warmup_s=settings.warmup_s,
        n_jobs=settings.n_jobs,
        checkpoint=out_dir / "staffing_search.json",
        digest=_digest(pj.raw),
    )
    write_staffing_outputs(
        plan,
        out_dir,
        start=job.start,
        confidence=pj.targets.confidence,
        extra={"config_digest": config_digest(pj.raw), "code_digest": code_digest()},
        plots=settings.plots,
    )
    dt_h = job.centre.interval_s / 3600.0
    log.info(
        "simulated plan: %.1f scheduled agent-hours (roster %.1f); targets %s on seed %d",
        float(plan.search.scheduled.sum()) * dt_h,
        sum(float(p.agents_scheduled.sum()) for p in job.centre.pools) * dt_h,
        "met" if plan.meets_targets else "NOT met",
        plan.check_seed,
    )
    log.info("outputs in %s (staffing.md, staffing.csv, staffing.json)", out_dir)
    return plan


def _staff_single_queue(pj: PlanningJob, out_dir: Path) -> None:
    job = pj.job
    centre, settings = job.centre, job.settings
    rate = float(centre.rate_per_s[0, 0, 0])
    erlang_c, erlang_a = required_on_phone(centre, 0, rate)
    has_patience = centre.channels[0].patience is not None
    start = erlang_a if has_patience else erlang_c
    found = search_constant(
        centre,
        pj.targets,
        pj.search,
        start,
        seed=settings.seed,
        warmup_s=settings.warmup_s,
        n_jobs=settings.n_jobs,
    )
    summary = {
        "schema": "ccsim.staffing_single_queue/1",
        "scenario": centre.name,
        "simulated_agents": found.agents,
        "erlang_c_agents": erlang_c,
        "erlang_a_agents": erlang_a if has_patience else None,
        "tried": {
            str(a): {"service_level": sl, "abandon_rate": ab}
            for a, (sl, ab) in sorted(found.tried.items())
        },
        "replications": pj.search.replications,
        "seed": settings.seed,
        "config_digest": config_digest(pj.raw),
    }
    write_json(out_dir / "staffing.json", summary)
    ch = centre.channels[0]
    lines = [
        f"# Simulated staffing: {centre.name}",
        "",
        f"Fewest agents on the phone, the same all day, for {100 * ch.target_service_level:.0f}%"
        f" answered within {ch.target_s:g} s over {pj.search.replications} replications "
        f"(seed {settings.seed}): **{found.agents}**. Erlang C: {erlang_c}"
        + (f"; Erlang A: {erlang_a}." if has_patience else "."),
        "",
        "| agents | service level | abandoned |",
        "| ---: | ---: | ---: |",
        *(
            f"| {a} | {100 * sl:.1f}% | {100 * ab:.1f}% |"
            for a, (sl, ab) in sorted(found.tried.items())
        ),
        "",
    ]
    atomic_write_text(out_dir / "staffing.md", "\n".join(lines))
    write_markdown_page(out_dir / "staffing.md", kicker="ccsim staffing")
    log.info(
        "simulated requirement %d agents (Erlang C %d, Erlang A %s); outputs in %s",
        found.agents,
        erlang_c,
        erlang_a if has_patience else "-",
        out_dir,
    )


def run_plan(pj: PlanningJob, out_dir: Path) -> PlanSearch:
    """``mode=plan``: every combination of the levers, the cheapest meeting the targets."""
    out_dir = Path(out_dir)
    settings = pj.job.settings
    levers = pj.levers
    assert levers is not None  # validate_planning parses them for mode=plan

    def progress(done: int, total: int, v: Variant) -> None:
        log.info(
            "plan %d/%d: %s: %.0f, targets %s",
            done,
            total,
            label(levers, v.values),
            v.cost,
            "met" if v.feasible else "missed",
        )

    ps = search_cheapest(
        {k: v for k, v in pj.raw.items()},
        levers,
        pj.targets,
        pj.search,
        seed=settings.seed,
        cache=out_dir / "plan_search.json",
        digest=_digest(pj.raw),
        progress=progress,
    )
    currency = str((pj.raw.get("costs") or {}).get("currency", ""))
    write_plan_outputs(
        ps,
        out_dir,
        currency=currency,
        confidence=pj.targets.confidence,
        extra={"config_digest": config_digest(pj.raw), "code_digest": code_digest()},
    )
    if ps.plan is None:
        log.warning("no combination of the levers meets every target; see %s", out_dir / "plan.md")
    else:
        log.info(
            "cheapest plan: %s (%.0f %s)", label(levers, ps.plan.values), ps.plan.cost, currency
        )
    log.info("outputs in %s (plan.md, plans.csv, plan.json)", out_dir)
    return ps


def plan_config(
    config: Mapping[str, Any] | str | Path,
    overrides: Sequence[str] = (),
    *,
    out_dir: str | Path,
) -> StaffingPlan | ScheduleOutcome | PlanSearch | None:
    """Run a planning mode from Python as the command does: ``config`` is a preset name, a
    YAML file or a dict whose ``mode`` is staff, schedule or plan (or give it in ``overrides``,
    e.g. ``["mode=staff"]``); the folder is written to ``out_dir`` (a rerun resumes there).
    Returns the plan (None for a single queue's staffing, whose answer is in the folder).

        >>> ccsim.plan_config("small_centre", ["mode=staff"], out_dir="staffing")  # doctest: +SKIP
    """
    raw = as_config(config, overrides)
    if raw.get("mode", "run") == "run":
        raise ConfigError(
            "mode", "run", "plan_config runs a planning mode: staff, schedule or plan"
        )
    return run_mode(raw, Path(out_dir))


def run_mode(cfg: Any, out_dir: Path) -> Any:
    """Run a planning mode (``mode`` is not ``run``)."""
    pj = validate_planning(cfg)
    if pj.mode == "staff":
        return run_staff(pj, out_dir)
    if pj.mode == "plan":
        return run_plan(pj, out_dir)
    return run_schedule_mode(pj, out_dir)
