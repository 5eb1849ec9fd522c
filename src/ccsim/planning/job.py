"""A planning job: the run's validated job and what the planning modes need from the
``planning`` node (targets, search settings, shift types, levers), all checked before anything
runs (the ``ccsim`` command's precheck calls :func:`validate_planning` too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from omegaconf import DictConfig, OmegaConf

from ccsim.config.planning import (
    levers_from_config,
    planning_node,
    search_from_config,
    targets_from_config,
)
from ccsim.config.schedule import schedule_from_config
from ccsim.errors import ConfigError
from ccsim.model.planning import Lever, SearchSpec, StaffingTargets
from ccsim.model.schedule import ScheduleSpec
from ccsim.planning.cheapest import combinations, variant_config
from ccsim.runs.job import Job, validate_config

__all__ = ["MODES", "PlanningJob", "mode_of", "validate_planning"]

MODES = ("run", "staff", "schedule", "plan")


@dataclass(frozen=True)
class PlanningJob:
    """A validated planning job: the run's job and what the plan must meet."""

    job: Job
    mode: str
    targets: StaffingTargets
    search: SearchSpec
    raw: dict[Any, Any]
    levers: tuple[Lever, ...] | None = None  # mode=plan
    schedule: ScheduleSpec | None = None  # mode=schedule


def mode_of(raw: dict[Any, Any]) -> str:
    mode = raw.get("mode", "run")
    if mode not in MODES:
        raise ConfigError("mode", mode, "allowed: " + ", ".join(MODES))
    return str(mode)


def validate_planning(cfg: Any) -> PlanningJob:
    """Validate the run config and the ``planning`` node for the config's mode."""
    raw = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    assert isinstance(raw, dict)
    mode = mode_of(raw)
    job = validate_config(cast(dict[str, Any], raw))
    node = planning_node(raw.get("planning"))
    targets = targets_from_config(node["targets"], job.centre)
    search = search_from_config(node["search"])
    levers = schedule = None
    if mode == "plan":
        levers = levers_from_config(node["levers"])
        for values in combinations(levers):  # every variant's config, before anything runs
            validate_config(variant_config(cast(dict[str, Any], raw), levers, values))
    if mode == "schedule":
        if job.scenario is not None or job.start is None:
            raise ConfigError(
                "mode",
                mode,
                "shift scheduling needs a multichannel centre with a calendar (a centre preset "
                "such as default_week), not a single-queue scenario",
            )
        schedule = schedule_from_config(
            node["schedule"],
            [p.name for p in job.centre.pools],
            int(round(job.centre.interval_s / 60.0)),
        )
    return PlanningJob(job, mode, targets, search, raw, levers, schedule)
