"""The ``run`` section of a config (seed, replications, jobs, warm-up) -> typed settings."""

from __future__ import annotations

from typing import Any

from ccsim.config.limits import (
    MAX_CONTACTS_PER_RUN,
    MAX_N_JOBS,
    MAX_REPLICATIONS,
    MAX_SEED,
)
from ccsim.config.schema import RunConf
from ccsim.config.values import as_dict, number, with_defaults
from ccsim.errors import ConfigError
from ccsim.model.centre import (
    Centre,
)
from ccsim.model.scenario import Scenario
from ccsim.model.settings import RunSettings

__all__ = ["run_settings_from_config"]


def run_settings_from_config(raw: Any, scenario: Scenario | Centre) -> RunSettings:
    """Validate ``cfg.run`` for a single queue or a centre (their horizon and interval); the
    warm-up must leave at least one interval to measure."""
    p = "run."
    d = with_defaults(as_dict(raw), RunConf, p)
    seed = number(d, "seed", p, minimum=0.0, maximum=MAX_SEED, integer=True)
    reps = number(d, "replications", p, minimum=1.0, maximum=MAX_REPLICATIONS, integer=True)
    rate = scenario.arrival_rate_per_s if isinstance(scenario, Scenario) else scenario.rate_per_s
    expected = float(rate.sum()) * scenario.interval_s * reps
    if expected > MAX_CONTACTS_PER_RUN.value:
        raise ConfigError(
            f"{p}replications",
            reps,
            f"{expected:.3g} contacts expected over all replications: at most "
            f"{MAX_CONTACTS_PER_RUN.value:,.0f} ({MAX_CONTACTS_PER_RUN.why}); split the run",
        )
    n_jobs = number(d, "n_jobs", p, maximum=MAX_N_JOBS, integer=True)
    if n_jobs == 0 or n_jobs < -1:
        raise ConfigError(f"{p}n_jobs", n_jobs, "must be -1 (all cores) or a positive integer")
    warmup_min = number(d, "warmup_min", p, minimum=0.0)
    if warmup_min * 60.0 >= scenario.horizon_s - scenario.interval_s + 1e-9 and warmup_min > 0:
        raise ConfigError(
            f"{p}warmup_min",
            warmup_min,
            f"must leave at least one interval after warm-up "
            f"(horizon is {scenario.horizon_s / 60:g} min)",
        )
    plots = d.get("plots", True)
    if not isinstance(plots, bool):
        raise ConfigError(f"{p}plots", plots, "must be true or false")
    heat_map = d.get("heat_map", True)
    if not isinstance(heat_map, bool):
        raise ConfigError(f"{p}heat_map", heat_map, "must be true or false")
    ceiling = number(d, "occupancy_ceiling", p, minimum=0.0, strict_min=True, maximum=1.0)
    return RunSettings(
        seed=seed,
        replications=reps,
        n_jobs=n_jobs,
        warmup_s=60.0 * warmup_min,
        plots=plots,
        heat_map=heat_map,
        occupancy_ceiling=ceiling,
    )
