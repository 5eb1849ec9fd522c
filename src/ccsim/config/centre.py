"""Validate a multichannel ``centre`` config and build its typed :class:`~ccsim.model.Centre`.

Every check names the key, the value and what is allowed (:class:`ConfigError`); problems in
the forecast or roster files name file, line and column (:class:`InputFileError`). The parts
of the centre are checked in their own modules: channels and intents
(:mod:`ccsim.config.channels`), arrival rates (:mod:`ccsim.config.demand`), demand events
(:mod:`ccsim.config.events`), pools and staffing (:mod:`ccsim.config.pools`) and customer
behaviour (:mod:`ccsim.config.behaviour`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ccsim.config.behaviour import behaviour_from_config
from ccsim.config.channels import channel_from_config, intents_from_config
from ccsim.config.demand import arrival_rates
from ccsim.config.empty import check_arrivals
from ccsim.config.events import apply_events
from ccsim.config.limits import (
    MAX_CONTACTS_PER_REPLICATION,
    MAX_DAY_VOLUME_CV,
    MAX_EVENTS,
    MAX_HORIZON_DAYS,
    MAX_TABLE_CELLS,
)
from ccsim.config.pools import pools_from_config
from ccsim.config.schema import CentreConf
from ccsim.config.times import local_datetime
from ccsim.config.values import (
    as_dict,
    entry_names,
    interval_minutes,
    lookup,
    number,
    with_defaults,
)
from ccsim.engine.routing import resolve_router
from ccsim.errors import ConfigError
from ccsim.model.centre import AT_CLOSE, Centre

__all__ = ["CentreInfo", "centre_from_config"]

_P = "centre."


@dataclass(frozen=True)
class CentreInfo:
    """What reports need besides the model: the calendar start of the horizon."""

    start: datetime


def centre_from_config(raw: Any, *, base_dir: Path | None = None) -> tuple[Centre, CentreInfo]:
    """Validate ``cfg.centre`` and build the model. Relative CSV paths resolve from ``base_dir``
    (the directory ccsim was started in)."""
    d = with_defaults(as_dict(raw), CentreConf, _P)
    interval_min = interval_minutes(d, _P)
    interval_s = 60.0 * interval_min
    per_day = 1440 // interval_min
    start = local_datetime(d["start"], f"{_P}start")
    # Intervals are counted from midnight (profiles, forecasts and day-of-week factors line up
    # with the calendar), so the start must be on that grid, not only on a whole hour.
    if (start.hour * 60 + start.minute) % interval_min or start.second or start.microsecond:
        raise ConfigError(
            f"{_P}start",
            d["start"],
            f"must start an interval of {interval_min} min: minutes since midnight a multiple "
            f"of {interval_min}",
        )
    horizon_days = number(
        d, "horizon_days", _P, minimum=0.0, strict_min=True, maximum=MAX_HORIZON_DAYS
    )
    n_k = horizon_days * per_day
    if n_k < 1 or abs(n_k - round(n_k)) > 1e-9:
        raise ConfigError(
            f"{_P}horizon_days",
            horizon_days,
            f"must be a whole number of {interval_min}-minute intervals (at least one)",
        )
    n_k = int(round(n_k))

    ch_names = entry_names(d["channels"], f"{_P}channels")
    built = [channel_from_config(n, d["channels"][n]) for n in ch_names]
    channels = tuple(b[0] for b in built)
    it_names, intents, shares = intents_from_config(d["intents"], ch_names)
    _check_table_size(d, len(ch_names) * len(it_names) * n_k, interval_min)
    base_dir = base_dir or Path.cwd()
    rate, handle_scale = arrival_rates(
        d,
        built,
        intents,
        shares,
        start=start,
        n_k=n_k,
        interval_min=interval_min,
        base_dir=base_dir,
    )
    check_arrivals(d, built, rate, start=start, interval_min=interval_min)
    event_names, event_starts, event_rate = apply_events(
        rate, d["events"], start, interval_s, ch_names, it_names
    )
    pools = pools_from_config(
        d,
        rate,
        ch_names,
        it_names,
        start=start,
        n_k=n_k,
        interval_min=interval_min,
        base_dir=base_dir,
    )
    behaviour = behaviour_from_config(d["behaviour"], ch_names)
    cv = number(d, "day_volume_cv", _P, minimum=0.0, maximum=MAX_DAY_VOLUME_CV)
    try:
        router = resolve_router(str(d["routing"]))
    except ValueError as exc:
        raise ConfigError(f"{_P}routing", d["routing"], str(exc)) from None
    for key in ("name", "description"):
        if not isinstance(d[key], str):
            raise ConfigError(f"{_P}{key}", d[key], "must be a string")
    at_close = AT_CLOSE[lookup(d["at_close"], list(AT_CLOSE), f"{_P}at_close", "closing rule")]
    if not math.isfinite(rate.sum()):
        raise ConfigError(f"{_P}channels", "...", "volumes must be finite")
    _check_expected_contacts(d, rate, interval_s, ch_names)
    centre = Centre(
        name=d["name"],
        description=d["description"],
        horizon_s=n_k * interval_s,
        interval_s=interval_s,
        clock_start_h=start.hour + start.minute / 60,
        channels=channels,
        intents=tuple(intents),
        pools=tuple(pools),
        behaviour=behaviour,
        rate_per_s=rate,
        day_volume_cv=cv,
        handle_scale=handle_scale,
        router=router,
        event_names=tuple(event_names),
        event_start_s=tuple(event_starts),
        event_rate_per_s=event_rate,
        at_close=at_close,
    )
    return centre, CentreInfo(start=start)


def _check_table_size(d: dict[str, Any], cells: int, interval_min: int) -> None:
    """The per-interval tables (channels x intents x intervals, once more per demand event)
    stay within :data:`~ccsim.config.limits.MAX_TABLE_CELLS`; at most
    :data:`~ccsim.config.limits.MAX_EVENTS` events."""
    events = d["events"] if isinstance(d["events"], (list, tuple)) else []
    if len(events) > MAX_EVENTS.value:
        raise ConfigError(
            f"{_P}events",
            f"<{len(events)} events>",
            f"at most {MAX_EVENTS.value:g} ({MAX_EVENTS.why})",
        )
    total = cells * (1 + len(events))
    if total > MAX_TABLE_CELLS.value:
        raise ConfigError(
            f"{_P}horizon_days",
            d["horizon_days"],
            f"{total:,} cells of channels x intents x {interval_min}-minute intervals"
            f"{' x (1 + events)' if events else ''}: at most {MAX_TABLE_CELLS.value:,.0f} "
            f"({MAX_TABLE_CELLS.why}); shorten the horizon or lengthen interval_min",
        )


def _check_expected_contacts(
    d: dict[str, Any], rate: Any, interval_s: float, ch_names: list[str]
) -> None:
    """New contacts expected per replication (demand events included) within
    :data:`~ccsim.config.limits.MAX_CONTACTS_PER_REPLICATION`; the error names the forecast
    file or the busiest channel's daily volume."""
    with np.errstate(over="ignore", invalid="ignore"):  # 1e308 volumes: the limit says so
        per_channel = rate.sum(axis=(1, 2)) * interval_s
        expected = float(per_channel.sum())
    if expected <= MAX_CONTACTS_PER_REPLICATION.value:
        return
    if d["forecast_csv"]:
        key, value = f"{_P}forecast_csv", d["forecast_csv"]
    else:
        name = ch_names[int(per_channel.argmax())]
        key, value = f"{_P}channels.{name}.daily_volume", d["channels"][name].get("daily_volume")
    raise ConfigError(
        key,
        value,
        f"{expected:.3g} contacts expected per replication over horizon_days="
        f"{d['horizon_days']:g}: at most {MAX_CONTACTS_PER_REPLICATION.value:,.0f} "
        f"({MAX_CONTACTS_PER_REPLICATION.why}); shorten the horizon or lower the volume",
    )
