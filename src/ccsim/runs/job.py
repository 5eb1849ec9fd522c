"""One job: raw config -> validated model -> replications -> output folder.

The Hydra entry point is a thin wrapper around :func:`run_job`; tests and notebooks call it
directly with a composed config.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from hydra.errors import CompactHydraException
from omegaconf import DictConfig

from ccsim.analysis.results import RunResult
from ccsim.config.centre import centre_from_config
from ccsim.config.costs import with_costs
from ccsim.config.empty import check_offered_load, check_staffed, empty_warnings
from ccsim.config.recordable import recordable, resolved
from ccsim.config.recorded import without_quiet_defaults
from ccsim.config.run import run_settings_from_config
from ccsim.config.scenario import scenario_from_config
from ccsim.config.strategies import apply_to_centre_config, strategies_for, strategy_names
from ccsim.errors import ConfigError, InputFileError
from ccsim.model.centre import Centre
from ccsim.model.scenario import Scenario
from ccsim.model.settings import RunSettings
from ccsim.reports.formats import channel_line
from ccsim.reports.peaks import netting_text
from ccsim.reports.report import write_outputs
from ccsim.runs.config_dir import files_base_dir
from ccsim.runs.progress import progress_bar
from ccsim.runs.replications import run

__all__ = [
    "Job",
    "JobFailedError",
    "validate_config",
    "run_job",
    "run_job_recording_errors",
    "config_digest",
    "code_digest",
    "source_digest",
]

log = logging.getLogger("ccsim")


class JobFailedError(CompactHydraException):
    """A sweep's job failed and left no ``error.json``: Hydra prints this message (no
    traceback) and the command exits with status 1."""


TOP_LEVEL_KEYS = ("scenario", "centre", "strategy", "run", "costs", "planning", "mode")


@dataclass(frozen=True)
class Job:
    """A validated job: the centre to simulate and how to run it."""

    centre: Centre
    settings: RunSettings
    scenario: Scenario | None  # set when the config was a single queue (Erlang reference)
    start: datetime | None  # calendar start, for multichannel centres


def _raw(cfg: DictConfig | dict[str, Any]) -> dict[str, Any]:
    """The resolved config as recorded (keys left at a quiet default left out), as values
    JSON records: an interpolation that cannot be resolved, or a value such as a set or a
    datetime in a dict, is a ConfigError before anything runs (:mod:`ccsim.config.recordable`)."""
    raw = recordable(resolved(cfg) if isinstance(cfg, DictConfig) else dict(cfg))
    assert isinstance(raw, dict)
    return without_quiet_defaults(cast(dict[str, Any], raw))  # config keys are strings


def validate_config(cfg: DictConfig | dict[str, Any], base_dir: Path | None = None) -> Job:
    """Check the whole config (raises ``ConfigError``/``InputFileError``), build typed objects.

    Relative file names (forecast, roster) resolve against ``base_dir``; by default the folder
    of :func:`ccsim.runs.config_dir.files_relative_to` (a ``--config-dir``), else the working
    directory."""
    if base_dir is None:
        base_dir = files_base_dir()
    raw = _raw(cfg)
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(
                key, raw[key], "unknown top-level key; allowed: " + ", ".join(TOP_LEVEL_KEYS)
            )
    scenario_raw, centre_raw = raw.get("scenario"), raw.get("centre")
    if (scenario_raw is None) == (centre_raw is None):
        raise ConfigError(
            "scenario",
            "<both or neither>",
            "set exactly one of scenario "
            "(a single queue) or centre (multichannel); presets set one",
        )
    strategy_raw = raw.get("strategy")
    if scenario_raw is not None:
        if strategy_names(strategy_raw):
            raise ConfigError(
                "strategy",
                ",".join(strategy_names(strategy_raw)),
                "strategies need a multichannel centre (a centre preset such as default_week)",
            )
        scenario = scenario_from_config(scenario_raw)
        settings = run_settings_from_config(raw.get("run", {}), scenario)
        single = with_costs(raw.get("costs"), scenario.to_centre())
        check_offered_load(single, "scenario.")
        return Job(single, settings, scenario, None)
    planned_raw = apply_to_centre_config(strategy_raw, centre_raw)
    centre, info = centre_from_config(planned_raw, base_dir=base_dir)
    centre = strategies_for(strategy_raw, centre, info.start)
    centre = with_costs(raw.get("costs"), centre, strategy_raw, centre_raw, base_dir)
    check_offered_load(centre, "centre.channels.{name}.")
    if raw.get("mode", "run") == "run":  # the planning modes choose the staffing themselves
        check_staffed(centre, planned_raw)
    settings = run_settings_from_config(raw.get("run", {}), centre)
    return Job(centre, settings, None, info.start)


def config_digest(cfg: DictConfig | dict[str, Any]) -> str:
    """A fingerprint of the resolved config: a finished job with the same one is not rerun."""
    text = json.dumps(_raw(cfg), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def source_digest(package: Path) -> str:
    """A fingerprint of the Python source under ``package``: every module's path and bytes."""
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@functools.cache
def code_digest() -> str:
    """A fingerprint of ccsim's own source code: results that other code made, before an
    upgrade or a change to the engine, are not reused on resume."""
    return source_digest(Path(__file__).parents[1])  # the ccsim package, every subfolder


def _finished(out_dir: Path, digest: str) -> bool:
    """Whether ``out_dir`` holds this config's results, made by this code."""
    from ccsim.reports.files import read_regular_file

    try:  # anything else under that name (a FIFO, a huge file, not JSON): not finished
        summary = json.loads(read_regular_file(out_dir / "summary.json", 2**26))
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(summary, dict) or summary.get("config_digest") != digest:
        return False
    if summary.get("code_digest") != code_digest():
        log.info("results in %s were made by other ccsim code: run again", out_dir)
        return False
    return True


def run_job(
    cfg: DictConfig | dict[str, Any],
    out_dir: Path,
    base_dir: Path | None = None,
    *,
    resume: bool = True,
    bar: bool = True,
) -> RunResult | None:
    """Validate ``cfg``, run every replication and write the output folder.

    ``bar``: a progress bar on a terminal (off in sweeps, whose jobs run side by side).

    With ``resume``, a folder that already holds the results of this exact config is left as
    it is (an interrupted sweep rerun into the same folder redoes only unfinished jobs), and
    None is returned.
    """
    out_dir = Path(out_dir)
    digest = config_digest(cfg)
    if resume and _finished(out_dir, digest):
        log.info("results for this config are already in %s: skipped", out_dir)
        (out_dir / "error.json").unlink(missing_ok=True)  # stale: these results are current
        return None
    job = validate_config(cfg, base_dir)
    c = job.centre
    log.info(
        "%s: %d channel(s), %d intervals of %g min, %d replication(s) (process %d)",
        c.name,
        len(c.channels),
        c.n_intervals,
        c.interval_s / 60,
        job.settings.replications,
        os.getpid(),  # which worker ran the job: sweeps spread over processes
    )
    for warning in empty_warnings(c):  # what the run leaves empty (also atop the report)
        log.warning(warning)
    with progress_bar(job.settings.replications, "replication", log, show=bar) as progress:
        result = run(c, job.settings, progress=progress, scenario=job.scenario, start=job.start)
    (out_dir / "error.json").unlink(missing_ok=True)  # an earlier failure of this job is over
    write_outputs(result, out_dir, _raw(cfg), digest, code_digest())
    est = result.estimates
    for ch, ce in zip(c.channels, result.channel_estimates, strict=True):
        log.info("%s", channel_line(ch, ce))  # async waits in hours, no "nan%"
    log.info(
        "agent-hours short (positive demand delta): %.1f%s",
        est["positive_demand_delta_h"].mean,
        f" ({netting_text(result)})" if len(c.channels) > 1 else "",
    )
    log.info("cost of the measured horizon: %s %.0f", result.currency, est["cost_total"].mean)
    log.info("outputs in %s (start with report.html; report.md, summary.json, *.csv)", out_dir)
    return result


def run_job_recording_errors(
    cfg: DictConfig | dict[str, Any], out_dir: Path, *, keep_going: bool
) -> RunResult | None:
    """:func:`run_job`, but a failure is written to ``error.json`` in the job's folder (the
    error, its traceback and the config digest). With ``keep_going`` (a sweep) the failure
    is logged and the other jobs go on (the sweep counts the ``error.json`` files at its end);
    otherwise it is raised again. A sweep's job whose ``error.json`` cannot be written either
    (a full disk) raises :class:`JobFailedError`: Hydra stops the sweep with its message."""
    try:
        return run_job(cfg, out_dir, bar=not keep_going)
    except (ConfigError, InputFileError):
        raise  # the user's input: reported as one line by the CLI
    except Exception as exc:
        from ccsim.reports.files import write_json

        try:
            write_json(
                Path(out_dir) / "error.json",
                {
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(),
                    "config_digest": config_digest(cfg),
                },
            )
        except OSError as write_exc:
            if not keep_going:
                raise exc from None
            raise JobFailedError(
                f"ccsim: a job failed ({type(exc).__name__}: {exc}) and its error.json could "
                f"not be written ({type(write_exc).__name__}: {write_exc}): {out_dir}"
            ) from None
        log.error(
            "job failed (%s: %s); details in %s",
            type(exc).__name__,
            exc,
            Path(out_dir) / "error.json",
        )
        if not keep_going:
            raise
        return None
