"""Run a configuration from Python as the ``ccsim`` command would: a packaged preset by name, a
YAML file or a dict, with ``key=value`` overrides.

    >>> import ccsim
    >>> result = ccsim.run_config("erlang_c", ["scenario.agents=28", "run.replications=3"])
    >>> result.estimates["sl_answered_within_t"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from ccsim.analysis.results import RunResult
from ccsim.config.overrides import force_new_names
from ccsim.config.schema import register_configs
from ccsim.errors import ConfigError
from ccsim.runs.job import run_job, validate_config
from ccsim.runs.replications import run

__all__ = ["compose_config", "run_config", "as_config"]


def compose_config(preset: str = "default_week", overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The config the ``ccsim`` command would run for ``scenario=preset`` and ``overrides``
    (Hydra's ``key=value`` syntax, e.g. ``"scenario.agents=25"``, ``"strategy=[chatbot]"``),
    resolved to plain Python values, without Hydra's own settings."""
    register_configs()
    if GlobalHydra.instance().is_initialized():
        raise RuntimeError(
            "compose_config cannot run inside a Hydra app; pass the app's config to run_config"
        )
    try:
        with initialize_config_module(config_module="ccsim.conf", version_base="1.3"):
            given = force_new_names(list(overrides), ("scenario", "strategy"))
            cfg = compose(config_name="config", overrides=[f"scenario={preset}", *given])
    finally:
        GlobalHydra.instance().clear()
    raw = cast(dict[str, Any], OmegaConf.to_container(cfg, resolve=True))
    raw.pop("hydra", None)
    return raw


def as_config(config: Mapping[str, Any] | str | Path, overrides: Sequence[str]) -> dict[str, Any]:
    """A preset name, a YAML file or a dict, with ``key=value`` overrides, as a plain dict."""
    if isinstance(config, Mapping):
        raw = dict(config)
    elif isinstance(config, Path) or str(config).endswith((".yaml", ".yml")):
        path = Path(config)
        if not path.is_file():
            raise ConfigError("config", str(config), "a YAML file that exists, or a preset name")
        loaded = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
        if not isinstance(loaded, dict):
            raise ConfigError("config", str(config), "a YAML mapping of scenario/centre/run keys")
        raw = cast(dict[str, Any], loaded)
    else:
        return compose_config(str(config), overrides)
    if overrides:
        merged = OmegaConf.merge(OmegaConf.create(raw), OmegaConf.from_dotlist(list(overrides)))
        raw = cast(dict[str, Any], OmegaConf.to_container(merged, resolve=True))
    raw.pop("hydra", None)
    return raw


def run_config(
    config: Mapping[str, Any] | str | Path = "default_week",
    overrides: Sequence[str] = (),
    *,
    out_dir: str | Path | None = None,
) -> RunResult:
    """Validate and run a configuration; every replication, with confidence intervals.

    ``config``: a preset name (``"default_week"``, ``"erlang_c"``, ...: composed with the
    package's defaults, as the command line does), the path of a YAML file, or a dict with the
    top-level keys ``scenario`` (a single queue) or ``centre`` (multichannel), and optionally
    ``strategy`` and ``run``. A file or dict is taken as it is: keys it leaves out take the
    schema's defaults. ``overrides`` are ``key=value`` strings. With ``out_dir``, the output
    folder (report, CSVs, plots if ``run.plots``) is written there, as the command would.

    Bad input raises :class:`ccsim.ConfigError` or :class:`ccsim.InputFileError` before
    anything runs.
    """
    raw = as_config(config, overrides)
    mode = raw.get("mode", "run")
    if mode != "run":
        raise ConfigError(
            "mode",
            mode,
            "run_config runs the simulation (mode run); for staff, schedule and "
            "plan use ccsim.plan_config",
        )
    # Relative file names in a YAML file (forecasts, rosters) are relative to that file.
    base_dir = None
    if not isinstance(config, Mapping) and Path(config).is_file():
        base_dir = Path(config).parent
    if out_dir is not None:  # the command's job: the same folder, digests and log lines
        result = run_job(raw, Path(out_dir), base_dir, resume=False)
        assert result is not None  # only a resumed job returns None
        return result
    job = validate_config(raw, base_dir)
    return run(job.centre, job.settings, scenario=job.scenario, start=job.start)
