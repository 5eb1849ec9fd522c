"""One job: raw config -> validated model -> replications -> output folder.

The Hydra entry point is a thin wrapper around :func:`run_job`; tests and notebooks call it
directly with a composed config.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .centre_config import centre_from_config
from .errors import ConfigError
from .model import Centre
from .report import write_outputs
from .run import RunResult, run
from .scenario import RunSettings, Scenario, run_settings_from_config, scenario_from_config

__all__ = ["Job", "validate_config", "run_job"]

log = logging.getLogger("ccsim")


@dataclass(frozen=True)
class Job:
    """A validated job: the centre to simulate and how to run it."""

    centre: Centre
    settings: RunSettings
    scenario: Scenario | None  # set when the config was a single queue (Erlang reference)
    start: datetime | None  # calendar start, for multichannel centres


def _raw(cfg: DictConfig | dict[str, Any]) -> dict[str, Any]:
    raw = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    assert isinstance(raw, dict)
    return raw


def validate_config(cfg: DictConfig | dict[str, Any], base_dir: Path | None = None) -> Job:
    """Check the whole config (raises ``ConfigError``/``InputFileError``), build typed objects."""
    raw = _raw(cfg)
    for key in raw:
        if key not in ("scenario", "centre", "run"):
            raise ConfigError(
                key, raw[key], "unknown top-level key; allowed: scenario, centre, run"
            )
    scenario_raw, centre_raw = raw.get("scenario"), raw.get("centre")
    if (scenario_raw is None) == (centre_raw is None):
        raise ConfigError(
            "scenario",
            "<both or neither>",
            "set exactly one of scenario "
            "(a single queue) or centre (multichannel); presets set one",
        )
    if scenario_raw is not None:
        scenario = scenario_from_config(scenario_raw)
        settings = run_settings_from_config(raw.get("run", {}), scenario)
        return Job(scenario.to_centre(), settings, scenario, None)
    centre, info = centre_from_config(centre_raw, base_dir=base_dir)
    settings = run_settings_from_config(raw.get("run", {}), centre)
    return Job(centre, settings, None, info.start)


def _progress(done: int, total: int) -> None:
    if total > 1:
        log.info("replication %d/%d done", done, total)


def run_job(
    cfg: DictConfig | dict[str, Any], out_dir: Path, base_dir: Path | None = None
) -> RunResult:
    """Validate ``cfg``, run every replication and write the output folder."""
    job = validate_config(cfg, base_dir)
    c = job.centre
    log.info(
        "%s: %d channel(s), %d intervals of %g min, %d replication(s)",
        c.name,
        len(c.channels),
        c.n_intervals,
        c.interval_s / 60,
        job.settings.replications,
    )
    result = run(c, job.settings, progress=_progress, scenario=job.scenario, start=job.start)
    write_outputs(result, Path(out_dir), _raw(cfg))
    est = result.estimates
    for ch, ce in zip(c.channels, result.channel_estimates, strict=True):
        log.info(
            "%s: service level %.1f%%, abandonment %.1f%%, ASA %.1f s",
            ch.name,
            100 * ce["sl_answered_within_t"].mean,
            100 * ce["abandon_rate"].mean,
            ce["asa_s"].mean,
        )
    log.info("agent-hours short (positive demand delta): %.1f", est["positive_demand_delta_h"].mean)
    log.info("outputs in %s (report.md, summary.json, intervals.csv, *.png)", out_dir)
    return result
