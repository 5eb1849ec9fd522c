"""Validated, typed scenario: the boundary between raw configuration and the model.

:func:`scenario_from_config` checks every value (naming key, value and what is allowed) and
builds frozen objects. Everything past this module works with these objects only.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

import numpy as np

from .distributions import (
    DISTRIBUTION_NAMES,
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
)
from .errors import ConfigError
from .model import SYNC, Centre, ChannelSpec, IntentSpec, PoolSpec, SkillSpec, no_behaviour
from .schema import DistributionConf, RunConf, ScenarioConf

__all__ = [
    "Scenario",
    "RunSettings",
    "scenario_from_config",
    "run_settings_from_config",
    "ALLOWED_INTERVAL_MIN",
]

ALLOWED_INTERVAL_MIN = (15, 30, 60)

_DIST_KEYS = tuple(f.name for f in fields(DistributionConf))


@dataclass(frozen=True)
class Scenario:
    """A single-channel contact centre, on a grid of equal intervals.

    ``arrival_rate_per_s[k]`` and ``agents_scheduled[k]`` hold for interval ``k``;
    ``agents_on_phone[k]`` is the scheduled heads less shrinkage (rounded to whole agents):
    the servers the simulation actually has.
    """

    name: str
    description: str
    channel: str
    horizon_s: float
    interval_s: float
    clock_start_h: float
    arrival_rate_per_s: np.ndarray
    agents_scheduled: np.ndarray
    agents_on_phone: np.ndarray
    shrinkage: float
    handle_time: Distribution
    patience: Distribution | None
    waiting_room: int | None
    target_answer_s: float
    target_service_level: float

    @property
    def n_intervals(self) -> int:
        return len(self.arrival_rate_per_s)

    @property
    def interval_starts_s(self) -> np.ndarray:
        return np.arange(self.n_intervals, dtype=np.float64) * self.interval_s

    def to_centre(self) -> Centre:
        """The same queue as a one-channel, one-intent, one-pool centre: the engine's form."""
        channel = ChannelSpec(
            name=self.channel,
            mode=SYNC,
            concurrency=1,
            handle_time=self.handle_time,
            concurrency_factors=(1.0,),
            patience=self.patience,
            waiting_room=self.waiting_room,
            target_s=self.target_answer_s,
            target_service_level=self.target_service_level,
        )
        pool = PoolSpec(
            name="agents",
            skills=(SkillSpec(0, 0),),
            agents_scheduled=self.agents_scheduled,
            agents_on_phone=self.agents_on_phone,
            shrinkage=self.shrinkage,
        )
        return Centre(
            name=self.name,
            description=self.description,
            horizon_s=self.horizon_s,
            interval_s=self.interval_s,
            clock_start_h=self.clock_start_h,
            channels=(channel,),
            intents=(IntentSpec("all"),),
            pools=(pool,),
            behaviour=no_behaviour(1),
            rate_per_s=self.arrival_rate_per_s[None, None, :],
        )

    @property
    def is_stationary(self) -> bool:
        """Constant arrival rate and staffing: the closed-form Erlang models apply."""
        return bool(
            np.all(self.arrival_rate_per_s == self.arrival_rate_per_s[0])
            and np.all(self.agents_on_phone == self.agents_on_phone[0])
        )


@dataclass(frozen=True)
class RunSettings:
    seed: int
    replications: int
    n_jobs: int
    warmup_s: float
    plots: bool


def as_dict(cfg: Any) -> dict[str, Any]:
    if isinstance(cfg, Mapping):
        return dict(cfg)
    try:  # an OmegaConf DictConfig
        from omegaconf import OmegaConf

        return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    except Exception as exc:  # pragma: no cover - defensive
        raise ConfigError("config", type(cfg).__name__, "a mapping") from exc


def with_defaults(raw: Any, schema: type, prefix: str) -> dict[str, Any]:
    """Reject keys the schema does not have, then fill in the schema's defaults (the schema is
    the one place defaults live)."""
    if not isinstance(raw, Mapping):
        raise ConfigError(prefix.rstrip("."), raw, "must be a mapping")
    d = dict(raw)
    check_keys(d, tuple(f.name for f in fields(schema)), prefix)
    return {**asdict(schema()), **d}


def interval_minutes(d: Mapping[str, Any], prefix: str) -> int:
    """``interval_min``, one of :data:`ALLOWED_INTERVAL_MIN`."""
    interval_min = d["interval_min"]
    if interval_min not in ALLOWED_INTERVAL_MIN or isinstance(interval_min, bool):
        allowed = ", ".join(map(str, ALLOWED_INTERVAL_MIN))
        raise ConfigError(f"{prefix}interval_min", interval_min, f"allowed: {allowed}")
    return int(interval_min)


def check_keys(d: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for key in d:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {prefix}{close[0]}?)" if close else ""
            raise ConfigError(
                f"{prefix}{key}", d[key], f"unknown key{hint}; allowed: {', '.join(allowed)}"
            )


def number(
    d: Mapping[str, Any],
    key: str,
    prefix: str,
    *,
    minimum: float | None = None,
    strict_min: bool = False,
    maximum: float | None = None,
    strict_max: bool = False,
    integer: bool = False,
) -> Any:
    value = d.get(key)
    full = f"{prefix}{key}"
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(full, value, f"must be {kind}")
    if integer and float(value) != int(value):
        raise ConfigError(full, value, "must be a whole number")
    if not math.isfinite(value):
        raise ConfigError(full, value, "must be finite")
    if minimum is not None and (value <= minimum if strict_min else value < minimum):
        raise ConfigError(full, value, f"must be {'>' if strict_min else '>='} {minimum:g}")
    if maximum is not None and (value >= maximum if strict_max else value > maximum):
        raise ConfigError(full, value, f"must be {'<' if strict_max else '<='} {maximum:g}")
    return int(value) if integer else float(value)


def distribution_from_config(raw: Any, prefix: str, *, allow_none: bool) -> Distribution | None:
    """Build a :class:`Distribution` from ``{dist, mean_s, cv, values_s, weights}``."""
    if raw is None:
        raw = {"dist": "none"}
    if not isinstance(raw, Mapping):
        raise ConfigError(prefix.rstrip("."), raw, "must be a mapping with a 'dist' key")
    d = {k: v for k, v in raw.items()}
    check_keys(d, _DIST_KEYS, prefix)
    name = d.get("dist")
    names = DISTRIBUTION_NAMES + (("none",) if allow_none else ())
    if name not in names:
        raise ConfigError(
            f"{prefix}dist", name, f"unknown distribution; allowed: {', '.join(names)}"
        )
    if name == "none":
        return None
    if name == "empirical":
        values = d.get("values_s")
        if not values:
            raise ConfigError(
                f"{prefix}values_s", values, "a non-empty list of durations (s) for dist=empirical"
            )
        for i, v in enumerate(values):
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float))
                or not v >= 0
                or not math.isfinite(v)
            ):
                raise ConfigError(f"{prefix}values_s[{i}]", v, "must be a finite number >= 0")
        weights = d.get("weights")
        if weights is not None:
            if len(weights) != len(values):
                raise ConfigError(
                    f"{prefix}weights", weights, f"must have {len(values)} entries, one per value"
                )
            for i, w in enumerate(weights):
                if (
                    isinstance(w, bool)
                    or not isinstance(w, (int, float))
                    or not w >= 0
                    or not math.isfinite(w)
                ):
                    raise ConfigError(f"{prefix}weights[{i}]", w, "must be a finite number >= 0")
            if sum(weights) <= 0:
                raise ConfigError(f"{prefix}weights", weights, "must not all be zero")
        dist: Distribution = Empirical(
            tuple(float(v) for v in values),
            None if weights is None else tuple(float(w) for w in weights),
        )
        if dist.mean_s <= 0:
            raise ConfigError(f"{prefix}values_s", values, "mean must be > 0")
        return dist
    mean = number(d, "mean_s", prefix, minimum=0.0, strict_min=True)
    if name == "exponential":
        return Exponential(mean)
    if name == "deterministic":
        return Deterministic(mean)
    cv = number(d, "cv", prefix, minimum=0.0, strict_min=True)
    return Lognormal(mean, cv) if name == "lognormal" else Gamma(mean, cv)


def _per_interval(
    d: Mapping[str, Any], scalar_key: str, list_key: str, n: int, integer: bool, prefix: str
) -> np.ndarray:
    scalar, series = d.get(scalar_key), d.get(list_key)
    if (scalar is None) == (series is None):
        raise ConfigError(
            f"{prefix}{scalar_key}",
            scalar,
            f"give exactly one of {prefix}{scalar_key} or {prefix}{list_key}",
        )
    if scalar is not None:
        v = number(d, scalar_key, prefix, minimum=0.0, integer=integer)
        return np.full(n, v, dtype=np.int64 if integer else np.float64)
    if not isinstance(series, (list, tuple)) or len(series) != n:
        length = len(series) if isinstance(series, (list, tuple)) else "not a list"
        raise ConfigError(
            f"{prefix}{list_key}",
            f"<{length} values>",
            f"must list one value per interval: {n} values for this horizon",
        )
    out = [
        number({f"{list_key}[{i}]": v}, f"{list_key}[{i}]", prefix, minimum=0.0, integer=integer)
        for i, v in enumerate(series)
    ]
    return np.asarray(out, dtype=np.int64 if integer else np.float64)


def scenario_from_config(raw: Any) -> Scenario:
    """Validate a raw scenario mapping (``cfg.scenario``) and build a :class:`Scenario`."""
    p = "scenario."
    d = with_defaults(as_dict(raw), ScenarioConf, p)
    interval_min = interval_minutes(d, p)
    interval_s = 60.0 * interval_min
    horizon_h = number(d, "horizon_h", p, minimum=0.0, strict_min=True)
    horizon_s = 3600.0 * horizon_h
    if horizon_s < interval_s:
        raise ConfigError(
            f"{p}horizon_h",
            horizon_h,
            f"must be at least one interval ({interval_min} min = {interval_min / 60:g} h)",
        )
    n = horizon_s / interval_s
    if abs(n - round(n)) > 1e-9:
        raise ConfigError(
            f"{p}horizon_h", horizon_h, f"must be a whole number of {interval_min}-minute intervals"
        )
    n = int(round(n))
    rate_per_h = _per_interval(d, "arrival_rate_per_h", "arrival_profile_per_h", n, False, p)
    agents = _per_interval(d, "agents", "agents_per_interval", n, True, p)
    shrinkage = number(d, "shrinkage", p, minimum=0.0, maximum=1.0, strict_max=True)
    on_phone = np.floor(agents * (1.0 - shrinkage) + 0.5).astype(np.int64)
    busy_no_agents = np.flatnonzero((rate_per_h > 0) & (on_phone == 0))
    if busy_no_agents.size:
        k = int(busy_no_agents[0])
        key = "agents" if d.get("agents") is not None else f"agents_per_interval[{k}]"
        raise ConfigError(
            f"{p}{key}",
            int(agents[k]),
            f"must leave at least one agent on the phone (after shrinkage={shrinkage:g}) "
            f"when contacts arrive (interval {k} has {rate_per_h[k]:g} per hour)",
        )
    handle_time = distribution_from_config(
        d.get("handle_time"), f"{p}handle_time.", allow_none=False
    )
    patience = distribution_from_config(d.get("patience"), f"{p}patience.", allow_none=True)
    waiting_room = d.get("waiting_room")
    if waiting_room is not None:
        waiting_room = number(d, "waiting_room", p, minimum=0.0, integer=True)
    target_answer_s = number(d, "target_answer_s", p, minimum=0.0)
    target_sl = number(
        d, "target_service_level", p, minimum=0.0, strict_min=True, maximum=1.0, strict_max=True
    )
    for key in ("name", "description", "channel"):
        if not isinstance(d.get(key, ""), str):
            raise ConfigError(f"{p}{key}", d.get(key), "must be a string")
    assert handle_time is not None
    return Scenario(
        name=d.get("name", "custom"),
        description=d.get("description", ""),
        channel=d.get("channel", "voice"),
        horizon_s=horizon_s,
        interval_s=interval_s,
        clock_start_h=number(d, "clock_start_h", p, minimum=0.0, maximum=24.0, strict_max=True),
        arrival_rate_per_s=rate_per_h / 3600.0,
        agents_scheduled=agents,
        agents_on_phone=on_phone,
        shrinkage=shrinkage,
        handle_time=handle_time,
        patience=patience,
        waiting_room=waiting_room,
        target_answer_s=target_answer_s,
        target_service_level=target_sl,
    )


def run_settings_from_config(raw: Any, scenario: Scenario | Centre) -> RunSettings:
    """Validate ``cfg.run`` for a single queue or a centre (their horizon and interval); the
    warm-up must leave at least one interval to measure."""
    p = "run."
    d = with_defaults(as_dict(raw), RunConf, p)
    seed = number(d, "seed", p, minimum=0.0, integer=True)
    reps = number(d, "replications", p, minimum=1.0, integer=True)
    n_jobs = number(d, "n_jobs", p, integer=True)
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
    return RunSettings(
        seed=seed, replications=reps, n_jobs=n_jobs, warmup_s=60.0 * warmup_min, plots=plots
    )
