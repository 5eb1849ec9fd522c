"""Validated single queue: raw ``scenario`` config -> :class:`~ccsim.model.scenario.Scenario`.

:func:`scenario_from_config` checks every value (naming key, value and what is allowed) and
builds frozen objects. Everything past this module works with these objects only.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ccsim.config.arrivals import arrival_process_from_config
from ccsim.config.empty import check_scenario_arrivals
from ccsim.config.limits import (
    MAX_AGENTS,
    MAX_CONTACTS_PER_REPLICATION,
    MAX_DURATION_S,
    MAX_HORIZON_H,
    MAX_INT32,
    Limit,
)
from ccsim.config.schema import ScenarioConf
from ccsim.config.values import (
    as_dict,
    distribution_from_config,
    interval_minutes,
    lookup,
    number,
    with_defaults,
)
from ccsim.errors import ConfigError
from ccsim.model.centre import AT_CLOSE
from ccsim.model.scenario import Scenario

__all__ = ["scenario_from_config"]


def _per_interval(
    d: Mapping[str, Any],
    scalar_key: str,
    list_key: str,
    n: int,
    integer: bool,
    prefix: str,
    maximum: Limit | None,
) -> np.ndarray:
    scalar, series = d.get(scalar_key), d.get(list_key)
    if (scalar is None) == (series is None):
        raise ConfigError(
            f"{prefix}{scalar_key}",
            scalar,
            f"give exactly one of {prefix}{scalar_key} or {prefix}{list_key}",
        )
    if scalar is not None:
        v = number(d, scalar_key, prefix, minimum=0.0, maximum=maximum, integer=integer)
        return np.full(n, v, dtype=np.int64 if integer else np.float64)
    if not isinstance(series, (list, tuple)) or len(series) != n:
        length = len(series) if isinstance(series, (list, tuple)) else "not a list"
        raise ConfigError(
            f"{prefix}{list_key}",
            f"<{length} values>",
            f"must list one value per interval: {n} values for this horizon",
        )
    out = [
        number(
            {f"{list_key}[{i}]": v},
            f"{list_key}[{i}]",
            prefix,
            minimum=0.0,
            maximum=maximum,
            integer=integer,
        )
        for i, v in enumerate(series)
    ]
    return np.asarray(out, dtype=np.int64 if integer else np.float64)


def scenario_from_config(raw: Any) -> Scenario:
    """Validate a raw scenario mapping (``cfg.scenario``) and build a :class:`Scenario`."""
    p = "scenario."
    d = with_defaults(as_dict(raw), ScenarioConf, p)
    interval_min = interval_minutes(d, p)
    interval_s = 60.0 * interval_min
    horizon_h = number(d, "horizon_h", p, minimum=0.0, strict_min=True, maximum=MAX_HORIZON_H)
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
    rate_key = "arrival_rate_per_h" if d.get("arrival_rate_per_h") is not None else None
    rate_per_h = _per_interval(
        d,
        "arrival_rate_per_h",
        "arrival_profile_per_h",
        n,
        False,
        p,
        None,  # the expected count below bounds the rates
    )
    with np.errstate(over="ignore"):  # rates near 1e308 sum to inf: refused below, silently
        expected = float(rate_per_h.sum()) * interval_s / 3600.0
    if not expected <= MAX_CONTACTS_PER_REPLICATION.value:
        raise ConfigError(
            f"{p}{rate_key or 'arrival_profile_per_h'}",
            d[rate_key] if rate_key else f"<{n} rates>",
            f"{expected:.3g} contacts expected per replication over horizon_h={horizon_h:g}: at "
            f"most {MAX_CONTACTS_PER_REPLICATION.value:,.0f} "
            f"({MAX_CONTACTS_PER_REPLICATION.why}); shorten the horizon or lower the rate",
        )
    check_scenario_arrivals(d, rate_per_h, p)
    arrivals = arrival_process_from_config(d["arrivals"], f"{p}arrivals.")
    agents = _per_interval(d, "agents", "agents_per_interval", n, True, p, MAX_AGENTS)
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
        waiting_room = number(d, "waiting_room", p, minimum=0.0, maximum=MAX_INT32, integer=True)
    target_answer_s = number(d, "target_answer_s", p, minimum=0.0, maximum=MAX_DURATION_S)
    target_sl = number(
        d, "target_service_level", p, minimum=0.0, strict_min=True, maximum=1.0, strict_max=True
    )
    for key in ("name", "description", "channel"):
        if not isinstance(d.get(key, ""), str):
            raise ConfigError(f"{p}{key}", d.get(key), "must be a string")
    if not str(d.get("channel", "voice")).strip():
        # Every table names the channel of each row (an empty one broke the Parquet outputs).
        raise ConfigError(f"{p}channel", d.get("channel"), "must name the channel, e.g. voice")
    assert handle_time is not None
    at_close = AT_CLOSE[lookup(d["at_close"], list(AT_CLOSE), f"{p}at_close", "closing rule")]
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
        at_close=at_close,
        arrivals=arrivals,
    )
