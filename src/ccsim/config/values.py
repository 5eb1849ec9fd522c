"""Checks shared by every part of the config boundary: one value, its key and what is allowed.

Each check raises :class:`~ccsim.errors.ConfigError` naming the full key, the value and what
is allowed, before anything runs.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, fields
from typing import Any, Mapping

from ccsim.config.limits import (
    MAX_CV,
    MAX_DURATION_S,
    MAX_WEIGHT,
    Limit,
)
from ccsim.config.schema import DistributionConf
from ccsim.errors import ConfigError
from ccsim.model.distributions import (
    DISTRIBUTION_NAMES,
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Hyperexponential,
    Lognormal,
    Uniform,
)

__all__ = [
    "ALLOWED_INTERVAL_MIN",
    "MINUTES_PER_DAY",
    "as_dict",
    "with_defaults",
    "interval_minutes",
    "check_keys",
    "number",
    "number_value",
    "entry_names",
    "lookup",
    "distribution_from_config",
]

MINUTES_PER_DAY = 1440
# Intervals must tile every day exactly, so that a day's profile, a roster's day and the
# calendar's midnight all fall on interval boundaries: any divisor of 1,440 minutes.
ALLOWED_INTERVAL_MIN = tuple(m for m in range(1, MINUTES_PER_DAY + 1) if MINUTES_PER_DAY % m == 0)

_DIST_KEYS = tuple(f.name for f in fields(DistributionConf))


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
    """``interval_min``: whole minutes dividing a day (:data:`ALLOWED_INTERVAL_MIN`)."""
    interval_min = d["interval_min"]
    if interval_min not in ALLOWED_INTERVAL_MIN or isinstance(interval_min, bool):
        raise ConfigError(
            f"{prefix}interval_min",
            interval_min,
            "must be a whole number of minutes that divides 1,440 (a day), e.g. 5, 10, 15, 20, "
            "30, 45, 60, 120",
        )
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
    minimum: float | Limit | None = None,
    strict_min: bool = False,
    maximum: float | Limit | None = None,
    strict_max: bool = False,
    integer: bool = False,
) -> Any:
    """``d[key]``, a finite number (an integer with ``integer``) within ``minimum`` and
    ``maximum`` (a :class:`~ccsim.config.limits.Limit` adds its reason to the message)."""
    value = d.get(key)
    full = f"{prefix}{key}"
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(full, value, f"must be {kind}")
    # Finite first: int() of NaN or infinity raises (not a ConfigError); so does float() of
    # an integer of hundreds of digits.
    if not _finite(value):
        raise ConfigError(full, value, "must be finite")
    if integer and float(value) != int(value):
        raise ConfigError(full, value, "must be a whole number")
    if minimum is not None:
        low, why = _bound(minimum)
        if value <= low if strict_min else value < low:
            raise ConfigError(
                full, value, f"must be {'>' if strict_min else '>='} {_fmt(low)}{why}"
            )
    if maximum is not None:
        high, why = _bound(maximum)
        if value >= high if strict_max else value > high:
            raise ConfigError(
                full, value, f"must be {'<' if strict_max else '<='} {_fmt(high)}{why}"
            )
    return int(value) if integer else float(value)


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _fmt(x: float) -> str:
    """A bound as people read it: 31,622,400 (not 3.16224e+07), 0.5, 1."""
    if abs(x) >= 1e4 and (isinstance(x, int) or float(x).is_integer() and abs(x) < 1e16):
        return f"{int(x):,}"
    return f"{x:g}"


def _bound(limit: float | Limit) -> tuple[float, str]:
    """A bound's value, and its reason as a message suffix (empty for a plain number)."""
    if isinstance(limit, Limit):
        return limit.value, f" ({limit.why})"
    return limit, ""


def number_value(value: Any, key: str, **limits: Any) -> Any:
    """Check one value (see :func:`number`) under its full key."""
    return number({key: value}, key, "", **limits)


_MAX_NAMES = 127  # channels, intents and pools are int8 indices in the contact records


def entry_names(d: Any, key: str) -> list[str]:
    """The names of a mapping of named entries (channels, intents, pools) under ``key``."""
    if not isinstance(d, Mapping) or not d:
        raise ConfigError(key, d, "must name at least one entry")
    if len(d) > _MAX_NAMES:
        raise ConfigError(key, f"<{len(d)} entries>", f"at most {_MAX_NAMES}")
    return [str(k) for k in d]


def lookup(name: Any, names: list[str], key: str, what: str) -> int:
    """The index of ``name`` among ``names`` (a ``what``: channel, intent, pool)."""
    if name not in names:
        raise ConfigError(key, name, f"unknown {what}; allowed: {', '.join(names)}")
    return names.index(name)


def distribution_from_config(raw: Any, prefix: str, *, allow_none: bool) -> Distribution | None:
    """Build a :class:`Distribution` from ``{dist, mean_s, cv, values_s, weights, low_s, high_s,
    probabilities, means_s}`` (:class:`~ccsim.config.schema.DistributionConf`). Keys the chosen
    ``dist`` does not use are not read here: a preset's default (say ``mean_s``) stays in the
    merged config when an override changes ``dist``; :mod:`ccsim.config.user_keys` refuses the
    ones the user set."""
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
        if not isinstance(values, (list, tuple)):
            raise ConfigError(f"{prefix}values_s", values, "a list of durations (s)")
        for i, v in enumerate(values):
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float))
                or not _finite(v)
                or not 0 <= v <= MAX_DURATION_S.value
            ):
                raise ConfigError(
                    f"{prefix}values_s[{i}]",
                    v,
                    f"must be a finite number >= 0 and <= {_fmt(MAX_DURATION_S.value)} "
                    f"({MAX_DURATION_S.why})",
                )
        weights = d.get("weights")
        if weights is not None:
            if not isinstance(weights, (list, tuple)) or len(weights) != len(values):
                raise ConfigError(
                    f"{prefix}weights", weights, f"must have {len(values)} entries, one per value"
                )
            for i, w in enumerate(weights):
                if (
                    isinstance(w, bool)
                    or not isinstance(w, (int, float))
                    or not _finite(w)
                    or not 0 <= w <= MAX_WEIGHT.value
                ):
                    raise ConfigError(
                        f"{prefix}weights[{i}]",
                        w,
                        f"must be a finite number >= 0 and <= {_fmt(MAX_WEIGHT.value)} "
                        f"({MAX_WEIGHT.why})",
                    )
            if sum(weights) <= 0:
                raise ConfigError(f"{prefix}weights", weights, "must not all be zero")
        dist: Distribution = Empirical(
            tuple(float(v) for v in values),
            None if weights is None else tuple(float(w) for w in weights),
        )
        if dist.mean_s <= 0:
            raise ConfigError(f"{prefix}values_s", values, "mean must be > 0")
        return dist
    if name == "uniform":
        return _uniform(d, prefix)
    if name == "hyperexponential":
        return _hyperexponential(d, prefix)
    mean = number(d, "mean_s", prefix, minimum=0.0, strict_min=True, maximum=MAX_DURATION_S)
    if name == "exponential":
        return Exponential(mean)
    if name == "deterministic":
        return Deterministic(mean)
    cv = number(d, "cv", prefix, minimum=0.0, strict_min=True, maximum=MAX_CV)
    return Lognormal(mean, cv) if name == "lognormal" else Gamma(mean, cv)


def _uniform(d: Mapping[str, Any], prefix: str) -> Uniform:
    low = number(d, "low_s", prefix, minimum=0.0, maximum=MAX_DURATION_S)
    high = number(d, "high_s", prefix, minimum=0.0, strict_min=True, maximum=MAX_DURATION_S)
    if high <= low:
        raise ConfigError(f"{prefix}high_s", high, f"must be > low_s ({low:g}) for dist=uniform")
    return Uniform(low, high)


# How far from 1 explicit phase probabilities may sum: decimals as people write them
# (0.3333, 0.6667), not a second distribution hidden in the rounding.
_PROBABILITY_SUM_TOL = 1e-6
_H2_PHASES = 2


def _hyperexponential(d: Mapping[str, Any], prefix: str) -> Hyperexponential:
    """``mean_s`` and ``cv`` (>= 1): the balanced-means H2; or explicit phases,
    ``probabilities`` and ``means_s`` (two each), which then take the place of mean_s and cv."""
    probabilities, means = d.get("probabilities"), d.get("means_s")
    if probabilities is None and means is None:
        mean = number(d, "mean_s", prefix, minimum=0.0, strict_min=True, maximum=MAX_DURATION_S)
        cv = number(d, "cv", prefix, minimum=1.0, maximum=MAX_CV)
        return Hyperexponential.balanced(mean, cv)
    for key, given in (("probabilities", probabilities), ("means_s", means)):
        if given is None:
            other = "means_s" if key == "probabilities" else "probabilities"
            raise ConfigError(
                f"{prefix}{key}",
                None,
                f"must be a list of {_H2_PHASES} numbers when {other} is given (the explicit "
                "phases of dist=hyperexponential)",
            )
    p = _phase_list(probabilities, "probabilities", prefix, minimum=0.0, maximum=1.0)
    m = _phase_list(means, "means_s", prefix, minimum=0.0, maximum=MAX_DURATION_S)
    total = sum(p)
    if abs(total - 1.0) > _PROBABILITY_SUM_TOL:
        raise ConfigError(
            f"{prefix}probabilities", list(p), f"must sum to 1 (they sum to {total:g})"
        )
    return Hyperexponential((p[0] / total, p[1] / total), (m[0], m[1]))


def _phase_list(raw: Any, key: str, prefix: str, **limits: Any) -> list[float]:
    """A list of :data:`_H2_PHASES` finite numbers under ``prefix + key``, each > ``minimum``
    (a phase of probability 0 or mean 0 is no phase) and within the other ``limits``."""
    if not isinstance(raw, (list, tuple)) or len(raw) != _H2_PHASES:
        raise ConfigError(
            f"{prefix}{key}", raw, f"must be a list of {_H2_PHASES} numbers, one per phase"
        )
    return [
        number_value(v, f"{prefix}{key}[{i}]", strict_min=True, **limits) for i, v in enumerate(raw)
    ]
