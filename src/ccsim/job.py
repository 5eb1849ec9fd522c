"""One job: raw config -> validated scenario -> replications -> output folder.

The Hydra entry point is a thin wrapper around :func:`run_job`; tests and notebooks call it
directly with a composed config.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .report import write_outputs
from .run import RunResult, run
from .scenario import RunSettings, Scenario, run_settings_from_config, scenario_from_config

__all__ = ["validate_config", "run_job"]

log = logging.getLogger("ccsim")


def validate_config(cfg: DictConfig | dict[str, Any]) -> tuple[Scenario, RunSettings]:
    """Check the whole config (raises :class:`ccsim.errors.ConfigError`) and build typed objects."""
    raw = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    assert isinstance(raw, dict)
    from .errors import ConfigError

    for key in raw:
        if key not in ("scenario", "run"):
            raise ConfigError(key, raw[key], "unknown top-level key; allowed: scenario, run")
    scenario = scenario_from_config(raw.get("scenario", {}))
    return scenario, run_settings_from_config(raw.get("run", {}), scenario)


def _progress(done: int, total: int) -> None:
    if total > 1:
        log.info("replication %d/%d done", done, total)


def run_job(cfg: DictConfig | dict[str, Any], out_dir: Path) -> RunResult:
    """Validate ``cfg``, run every replication and write the output folder."""
    scenario, settings = validate_config(cfg)
    log.info(
        "scenario %s: %d intervals of %g min, %d replication(s)",
        scenario.name,
        scenario.n_intervals,
        scenario.interval_s / 60,
        settings.replications,
    )
    result = run(scenario, settings, progress=_progress)
    raw = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    write_outputs(result, Path(out_dir), raw)  # type: ignore[arg-type]
    est = result.estimates
    log.info(
        "service level %.1f%%, abandonment %.1f%%, ASA %.1f s, occupancy %.1f%%",
        100 * est["sl_answered_within_t"].mean,
        100 * est["abandon_rate"].mean,
        est["asa_s"].mean,
        100 * est["occupancy"].mean,
    )
    log.info("agent-hours short (positive demand delta): %.1f", est["positive_demand_delta_h"].mean)
    log.info("outputs in %s (report.md, summary.json, intervals.csv, intervals.png)", out_dir)
    return result
