"""The arrival rates of a ``centre`` config: from the planners' forecast file, or from each
channel's daily volume, intraday profile and day-of-week factors."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ccsim.config.input_files import input_file
from ccsim.config.limits import MAX_FACTOR, MAX_WEIGHT
from ccsim.config.values import number, number_value
from ccsim.errors import ConfigError
from ccsim.inputs.forecast import FORECAST_COLUMNS, Forecast, read_forecast_csv, span_text
from ccsim.model.centre import ChannelSpec, IntentSpec

__all__ = ["arrival_rates"]

_P = "centre."


def _profile(values: Any, key: str, per_day: int) -> np.ndarray:
    """Intraday weights, normalised to sum 1 over a day; 24 hourly values are spread evenly
    over their hour, so an interval gets the weight of the hours it overlaps, pro rata."""
    if values is None:
        return np.full(per_day, 1.0 / per_day)
    if not isinstance(values, (list, tuple)) or len(values) not in (per_day, 24):
        n = len(values) if isinstance(values, (list, tuple)) else "not a list"
        raise ConfigError(
            key,
            f"<{n} values>",
            f"must list {per_day} weights (one per interval of the day) or 24 (one per hour)",
        )
    w = np.array(
        [
            number_value(v, f"{key}[{i}]", minimum=0.0, maximum=MAX_WEIGHT)
            for i, v in enumerate(values)
        ]
    )
    if len(w) == 24 and per_day != 24:
        if per_day % 24 == 0:
            w = np.repeat(w, per_day // 24)
        else:
            # Intervals that do not nest in hours (45 min, 2 h, a day): integrate the hourly
            # step function over each interval; its running integral is piecewise linear, so
            # interpolating it at the interval edges is exact.
            area_h = np.concatenate(([0.0], np.cumsum(w)))
            edges_h = np.arange(per_day + 1) * 24.0 / per_day
            w = np.diff(np.interp(edges_h, np.arange(25.0), area_h))
    if w.sum() <= 0:
        raise ConfigError(key, list(values), "weights must not all be zero")
    return w / w.sum()


def _forecast_handle_scale(
    fc: Forecast, rate: np.ndarray, channels: Any, intents: Any
) -> np.ndarray | None:
    """[c, j] factors that make the simulated mean handle time the forecast's volume-weighted
    mean AHT over the horizon, where the forecast gives ``aht_s`` (None: nowhere)."""
    aht = fc.aht_s
    if fc.intents is None:  # channel-level AHT applies to every intent of the channel
        aht = np.repeat(aht[:, :1, :], rate.shape[1], axis=1)
    given = ~np.isnan(aht) & (rate > 0)
    if not given.any():
        return None
    scale = np.ones(rate.shape[:2])
    for c, j in zip(*np.nonzero(given.any(axis=2)), strict=True):
        g = given[c, j]
        planned = channels[c].handle_time.mean_s * intents[j].handle_factor
        scale[c, j] = float(np.dot(rate[c, j][g], aht[c, j][g]) / rate[c, j][g].sum()) / planned
    return scale


def _no_overlap(fc: Forecast, value: Any, start: datetime, n_k: int, interval_min: int) -> None:
    """The forecast has no row in the horizon: one line saying what each covers."""
    first, end = fc.covers
    h_end = start + timedelta(minutes=interval_min * n_k)
    apart = end <= start or first >= h_end
    raise ConfigError(
        f"{_P}start",
        value,
        f"forecast {fc.path} covers {span_text(first, end)}, the horizon is "
        f"{span_text(start, h_end)}: "
        + ("no interval in common" if apart else "the forecast has no row in the horizon")
        + f"; set {_P}start to a time the forecast covers (its first interval: "
        f"'{first:%Y-%m-%d %H:%M}')",
    )


def arrival_rates(
    d: Mapping[str, Any],
    built: Sequence[tuple[ChannelSpec, dict[str, Any]]],
    intents: Sequence[IntentSpec],
    shares: np.ndarray,
    *,
    start: datetime,
    n_k: int,
    interval_min: int,
    base_dir: Path,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Arrivals per second ``[c, j, k]`` over the horizon's ``n_k`` intervals, and the handle
    time factors ``[c, j]`` the forecast's AHT asks for (None: it gives none, or there is no
    forecast). ``d`` is the centre config with defaults; ``built`` its channels' specs and
    configs; ``shares`` each channel's volume shares by intent."""
    interval_s = 60.0 * interval_min
    per_day = 1440 // interval_min
    channels = tuple(b[0] for b in built)
    ch_names = [c.name for c in channels]
    it_names = [i.name for i in intents]
    rate = np.zeros((len(ch_names), len(it_names), n_k))
    handle_scale = None
    forecast = input_file(d, "forecast", FORECAST_COLUMNS, base_dir=base_dir)
    if forecast is not None:
        fc = read_forecast_csv(  # the rows inside the horizon, in arrays of its intervals
            forecast.path,
            channels=ch_names,
            intents=it_names,
            interval_min=interval_min,
            horizon_start=start,
            horizon_intervals=n_k,
            **forecast.reader_options,
        )
        if fc.rows == fc.rows_outside:
            _no_overlap(fc, d["start"], start, n_k, interval_min)
        vol = fc.volume
        if fc.intents is None:  # channel totals: split by the intents' shares
            vol = vol[:, :1, :] * shares[:, :, None]
        rate[:, :, :] = vol / interval_s
        handle_scale = _forecast_handle_scale(fc, rate, channels, intents)
    else:
        weekday0 = start.weekday()
        for c, (spec, cd) in enumerate(built):
            p = f"{_P}channels.{spec.name}."
            daily = number(cd, "daily_volume", p, minimum=0.0)
            if daily > 0 and shares[c].sum() == 0:
                raise ConfigError(
                    f"{p}daily_volume",
                    daily,
                    "no intent has a share of this channel (intents.*.share)",
                )
            prof = _profile(cd["intraday_profile"], f"{p}intraday_profile", per_day)
            dow = cd["day_of_week"]
            if dow is None:
                dow = [1.0] * 7
            if not isinstance(dow, (list, tuple)) or len(dow) != 7:
                raise ConfigError(f"{p}day_of_week", dow, "must list 7 factors, Monday first")
            dow = [
                number_value(v, f"{p}day_of_week[{i}]", minimum=0.0, maximum=MAX_FACTOR)
                for i, v in enumerate(dow)
            ]
            first = (start.hour * 60 + start.minute) // interval_min
            k_of_day = (np.arange(n_k) + first) % per_day
            day_idx = (np.arange(n_k) + first) // per_day
            vol = daily * prof[k_of_day] * np.array(dow)[(weekday0 + day_idx) % 7]
            rate[c] = shares[c][:, None] * vol[None, :] / interval_s
    return rate, handle_scale
