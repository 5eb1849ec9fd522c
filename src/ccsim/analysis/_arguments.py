"""Argument checks shared by the Erlang formulas (private to :mod:`ccsim.analysis`).

Each public formula checks its inputs here, so that every bad value is rejected with the same
kind of message: the argument's name, what it must be (with its unit) and what it got.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = [
    "check_agents",
    "check_aht",
    "check_load",
    "check_patience",
    "check_rate",
    "check_real",
    "check_target",
]


def check_real(
    name: str,
    value: object,
    *,
    low: float = 0.0,
    low_inclusive: bool = True,
    high: float = math.inf,
    high_inclusive: bool = False,
    allow_inf: bool = False,
    allowed: str,
) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number ({allowed}), got {value!r}")
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    if math.isinf(v) and not allow_inf:
        raise ValueError(f"{name} must be finite ({allowed}), got {value!r}")
    too_low = v < low if low_inclusive else v <= low
    too_high = v > high if high_inclusive else v >= high
    if math.isinf(v) and allow_inf and v > 0:
        too_high = False
    if too_low or too_high:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def check_agents(name: str, value: object, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    v = int(value)
    if v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return v


def check_rate(value: object) -> float:
    return check_real(
        "arrival_rate_per_s", value, low=0.0, allowed="a finite number >= 0 (contacts per second)"
    )


def check_aht(value: object) -> float:
    return check_real(
        "aht_s", value, low=0.0, low_inclusive=False, allowed="a finite number > 0 (seconds)"
    )


def check_target(value: object) -> float:
    return check_real("target_s", value, low=0.0, allowed="a finite number >= 0 (seconds)")


def check_patience(value: object) -> float:
    return check_real(
        "patience_s",
        value,
        low=0.0,
        allow_inf=True,
        allowed="a number >= 0 (seconds; math.inf means infinitely patient)",
    )


def check_load(value: object) -> float:
    return check_real("load_erl", value, low=0.0, allowed="a finite number >= 0 (Erlangs)")
