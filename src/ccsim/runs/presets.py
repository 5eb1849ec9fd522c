"""Run a configuration from Python as the ``ccsim`` command would: a packaged preset by name, a
YAML file or a dict, with ``key=value`` overrides.

    >>> import ccsim
    >>> result = ccsim.run_config("erlang_c", ["scenario.agents=28", "run.replications=3"])
    >>> result.estimates["sl_answered_within_t"]  # doctest: +SKIP

:func:`run_result` runs the same and returns a :class:`~ccsim.reports.frames.Result`: tables as
pandas DataFrames, figures as matplotlib figures (for notebooks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, ListConfig, OmegaConf

from ccsim.analysis.results import RunResult
from ccsim.config.overrides import force_new_names
from ccsim.config.recordable import recordable
from ccsim.config.recorded import without_quiet_defaults
from ccsim.config.schema import register_configs
from ccsim.config.user_keys import check_unused_keys, file_keys, override_keys
from ccsim.errors import ConfigError
from ccsim.reports.files import check_output_dir
from ccsim.reports.frames import Result
from ccsim.runs.config_dir import compose_file
from ccsim.runs.job import code_digest, config_digest, run_job, validate_config
from ccsim.runs.replications import run

__all__ = ["compose_config", "run_config", "run_result", "as_config", "plain_values"]


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


def plain_values(value: Any) -> Any:
    """``value`` with numpy scalars as Python scalars (``numpy.int64(28)`` -> ``28``), numpy
    arrays and tuples as lists and mappings as dicts, at any depth: a dict built in a notebook
    (from a DataFrame, say) validates as if it were typed in."""
    if isinstance(value, (DictConfig, ListConfig)):
        value = OmegaConf.to_container(value, resolve=True)
    if isinstance(value, Mapping):
        return {plain_values(k): plain_values(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return plain_values(value.tolist())
    if isinstance(value, (list, tuple)):
        return [plain_values(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def as_config(config: Mapping[str, Any] | str | Path, overrides: Sequence[str]) -> dict[str, Any]:
    """A preset name, a YAML file or a dict, with ``key=value`` overrides, as a plain dict
    (numpy values in a dict as Python values: :func:`plain_values`)."""
    if isinstance(config, Mapping):
        # Values JSON cannot record (a set, a datetime) refused before any merge or run.
        raw = cast(dict[str, Any], recordable(plain_values(config)))
    elif isinstance(config, Path) or str(config).endswith((".yaml", ".yml")):
        path = Path(config)
        if not path.is_file():
            raise ConfigError("config", str(config), "a YAML file that exists, or a preset name")
        loaded = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
        if isinstance(loaded, dict) and "defaults" in loaded:  # as `ccsim --config-dir` runs it
            raw = compose_file(path, overrides)
            check_unused_keys(raw, override_keys(overrides) | file_keys(path))
            return raw
        if not isinstance(loaded, dict):
            raise ConfigError("config", str(config), "a YAML mapping of scenario/centre/run keys")
        raw = cast(dict[str, Any], loaded)
    else:
        raw = compose_config(str(config), overrides)
        check_unused_keys(raw, override_keys(overrides))  # what the user set: the overrides
        return raw
    own = raw
    if overrides:
        merged = OmegaConf.merge(OmegaConf.create(raw), OmegaConf.from_dotlist(list(overrides)))
        raw = cast(dict[str, Any], OmegaConf.to_container(merged, resolve=True))
    raw.pop("hydra", None)
    # What the user set: the overrides, and the file's or dict's own keys.
    check_unused_keys(raw, override_keys(overrides), own=own, preset=_preset_of)
    return raw


def _preset_of(own: Mapping[str, Any]) -> dict[str, Any] | None:
    """The packaged preset a config dict was composed from (``compose_config``): the one its
    scenario or centre is named after, with the strategies it switches on; None if none is."""
    from importlib.resources import files

    section = own.get("scenario") or own.get("centre")
    name = section.get("name") if isinstance(section, Mapping) else None
    if (
        not isinstance(name, str)
        or not files("ccsim.conf").joinpath("scenario").joinpath(f"{name}.yaml").is_file()
    ):
        return None
    strategy = own.get("strategy")
    on = (
        [str(k) for k, v in strategy.items() if v is not None]
        if isinstance(strategy, Mapping)
        else []
    )
    try:
        return compose_config(name, [f"strategy=[{','.join(on)}]"] if on else [])
    except Exception:  # inside a Hydra app, or strategies it does not know: no preset
        return None


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
    schema's defaults; a file with a ``defaults`` list (a centre's folder config,
    ``defaults: [ccsim_base, _self_]``) is composed as ``ccsim --config-dir`` composes it. A
    file's relative file names (forecast, roster) are relative to its folder. ``overrides`` are
    ``key=value`` strings. With ``out_dir``, the output folder (report, CSVs, plots if
    ``run.plots``) is written there, as the command would.

    Bad input raises :class:`ccsim.ConfigError` or :class:`ccsim.InputFileError` before
    anything runs, and an ``out_dir`` that cannot be written (read-only, a file in its path, a
    full disk) :class:`ccsim.errors.OutputError` (an ``OSError``).
    """
    return _run_raw(as_config(config, overrides), config, out_dir)


def run_result(
    config: Mapping[str, Any] | str | Path = "default_week",
    overrides: Sequence[str] = (),
    *,
    out_dir: str | Path | None = None,
) -> Result:
    """:func:`run_config` (the same inputs, the same run), as a :class:`ccsim.Result` for
    notebooks: ``intervals``, ``pools``, ``replications``, ``summary``, ``channels`` and
    ``reference`` as pandas DataFrames (the CSVs' cells), ``plot_demand_delta()``,
    ``plot_service_level()``, ``plot_occupancy()`` and ``plot_heat_map()`` as matplotlib
    figures, ``summary_dict()`` as ``summary.json``; ``run`` is the :class:`ccsim.RunResult`.
    """
    raw = as_config(config, overrides)
    result = _run_raw(raw, config, out_dir)
    return Result(
        result,
        config=without_quiet_defaults(raw),
        config_digest=config_digest(raw),
        code_digest=code_digest(),
        out_dir=None if out_dir is None else Path(out_dir),
    )


def _run_raw(
    raw: dict[str, Any], config: Mapping[str, Any] | str | Path, out_dir: str | Path | None
) -> RunResult:
    """Run ``raw`` (from :func:`as_config` of ``config``), writing ``out_dir`` if given."""
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
        check_output_dir(out_dir)  # before the run: OutputError, an OSError
        result = run_job(raw, Path(out_dir), base_dir, resume=False)
        assert result is not None  # only a resumed job returns None
        return result
    job = validate_config(raw, base_dir)
    return run(job.centre, job.settings, scenario=job.scenario, start=job.start)
