"""Demand events of a ``centre`` config (outages, surges): each multiplies the arrival rates of
its channels and intents for a while, by ``1 + magnitude * exp(-t / decay_h)``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

import numpy as np

from ccsim.config.limits import MAX_DURATION_H, MAX_MAGNITUDE
from ccsim.config.times import local_datetime
from ccsim.config.values import check_keys, lookup, number
from ccsim.errors import ConfigError

__all__ = ["apply_events"]

_P = "centre."

_EVENT_KEYS = ("name", "start", "duration_h", "magnitude", "decay_h", "channels", "intents")


def apply_events(
    rate: np.ndarray,
    items: Any,
    start: datetime,
    interval_s: float,
    ch_names: list[str],
    it_names: list[str],
) -> tuple[list[str], list[float], np.ndarray | None]:
    """Apply each demand event's profile to the arrival rates (in place). Returns the events'
    names, start times (s) and the rates each adds ([e, c, j, k]; a negative magnitude removes
    contacts, it adds none)."""
    if not items:
        return [], [], None
    if not isinstance(items, (list, tuple)):
        raise ConfigError(f"{_P}events", items, "must be a list of events")
    mid_s = (np.arange(rate.shape[2]) + 0.5) * interval_s  # each interval's midpoint
    names: list[str] = []
    starts: list[float] = []
    extra = np.zeros((len(items),) + rate.shape)
    for n, item in enumerate(items):
        p = f"{_P}events[{n}]."
        if not isinstance(item, Mapping):
            raise ConfigError(p.rstrip("."), item, "must be a mapping")
        check_keys(item, _EVENT_KEYS, p)
        name = str(item.get("name") or f"event{n}")
        if name in names:
            raise ConfigError(f"{p}name", name, "event names must be unique")
        t0 = (local_datetime(item.get("start"), f"{p}start") - start).total_seconds()
        d = {"magnitude": 1.0, "decay_h": 0.0, **item}
        duration = 3600.0 * number(
            d, "duration_h", p, minimum=0.0, strict_min=True, maximum=MAX_DURATION_H
        )
        magnitude = number(d, "magnitude", p, minimum=-1.0, maximum=MAX_MAGNITUDE)
        decay = 3600.0 * number(d, "decay_h", p, minimum=0.0, maximum=MAX_DURATION_H)
        chans = [
            lookup(x, ch_names, f"{p}channels", "channel")
            for x in (item.get("channels") or ch_names)
        ]
        ints = [
            lookup(x, it_names, f"{p}intents", "intent") for x in (item.get("intents") or it_names)
        ]
        t = mid_s - t0
        active = (t >= 0) & (t < duration)
        shape = np.exp(-np.where(active, t, 0.0) / decay) if decay > 0 else np.ones_like(t)
        factor = np.where(active, 1.0 + magnitude * shape, 1.0)
        block = np.ix_(chans, ints)
        if magnitude > 0:
            extra[n][block] = rate[block] * (factor - 1.0)
        rate[block] *= factor
        names.append(name)
        starts.append(t0)
    return names, starts, extra
