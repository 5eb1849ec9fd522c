"""Validate a multichannel ``centre`` config and build its typed :class:`~ccsim.model.Centre`.

Every check names the key, the value and what is allowed (:class:`ConfigError`); problems in
the forecast or roster files name file, line and column (:class:`InputFileError`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ccsim.config.schema import BehaviourConf, CentreConf, ChannelConf, IntentConf, PoolConf
from ccsim.config.values import (
    as_dict,
    check_keys,
    distribution_from_config,
    interval_minutes,
    number,
    with_defaults,
)
from ccsim.engine.routing import resolve_router
from ccsim.errors import ConfigError
from ccsim.inputs.forecast import Forecast, read_forecast_csv
from ccsim.inputs.roster import agents_per_interval, read_roster_csv, shifts_from_config
from ccsim.model.centre import (
    ASYNC,
    SYNC,
    BehaviourSpec,
    Centre,
    ChannelSpec,
    IntentSpec,
    PoolSpec,
    SkillSpec,
)

__all__ = ["CentreInfo", "centre_from_config"]

_P = "centre."


@dataclass(frozen=True)
class CentreInfo:
    """What reports need besides the model: the calendar start of the horizon."""

    start: datetime


def _num(value: Any, key: str, **limits: Any) -> Any:
    """Check one value (see :func:`ccsim.config.values.number`) under its full key."""
    return number({key: value}, key, "", **limits)


_MAX_NAMES = 127  # channels, intents and pools are int8 indices in the contact records


def _names(d: Any, key: str) -> list[str]:
    if not isinstance(d, Mapping) or not d:
        raise ConfigError(f"{_P}{key}", d, "must name at least one entry")
    if len(d) > _MAX_NAMES:
        raise ConfigError(f"{_P}{key}", f"<{len(d)} entries>", f"at most {_MAX_NAMES}")
    return [str(k) for k in d]


def _lookup(name: Any, names: list[str], key: str, what: str) -> int:
    if name not in names:
        raise ConfigError(key, name, f"unknown {what}; allowed: {', '.join(names)}")
    return names.index(name)


def _profile(values: Any, key: str, per_day: int) -> np.ndarray:
    """Intraday weights, normalised to sum 1 over a day; 24 hourly values are spread evenly."""
    if values is None:
        return np.full(per_day, 1.0 / per_day)
    if not isinstance(values, (list, tuple)) or len(values) not in (per_day, 24):
        n = len(values) if isinstance(values, (list, tuple)) else "not a list"
        raise ConfigError(
            key,
            f"<{n} values>",
            f"must list {per_day} weights (one per interval of the day) or 24 (one per hour)",
        )
    w = np.array([_num(v, f"{key}[{i}]", minimum=0.0) for i, v in enumerate(values)])
    if len(w) == 24 and per_day != 24:
        w = (
            np.repeat(w, per_day // 24)
            if per_day % 24 == 0
            else np.interp((np.arange(per_day) + 0.5) * 24 / per_day - 0.5, np.arange(24), w)
        )
    if w.sum() <= 0:
        raise ConfigError(key, list(values), "weights must not all be zero")
    return w / w.sum()


def _matrix(raw: Any, names: list[str], key: str) -> np.ndarray:
    """Channel switch matrix [from, to]; rows not given stay on their own channel."""
    m = np.eye(len(names))
    if not raw:
        return m
    if not isinstance(raw, Mapping):
        raise ConfigError(key, raw, "must map from-channel to {to-channel: share}")
    for src, row in raw.items():
        i = _lookup(src, names, f"{key}.{src}", "channel")
        if not isinstance(row, Mapping) or not row:
            raise ConfigError(f"{key}.{src}", row, "must map to-channel to a share")
        m[i] = 0.0
        for dst, share in row.items():
            j = _lookup(dst, names, f"{key}.{src}.{dst}", "channel")
            m[i, j] = _num(share, f"{key}.{src}.{dst}", minimum=0.0)
        if m[i].sum() <= 0:
            raise ConfigError(f"{key}.{src}", dict(row), "shares must not all be zero")
        m[i] /= m[i].sum()
    return m


def _channel(name: str, raw: Any) -> tuple[ChannelSpec, dict[str, Any]]:
    p = f"{_P}channels.{name}."
    d = with_defaults(raw, ChannelConf, p)
    mode = d["mode"]
    if mode not in (SYNC, ASYNC):
        raise ConfigError(f"{p}mode", mode, f"allowed: {SYNC}, {ASYNC}")
    conc = number(d, "concurrency", p, minimum=1.0, integer=True)
    factors = d["concurrency_factors"]
    if factors is None:
        factors = [1.0] * conc
    if not isinstance(factors, (list, tuple)) or len(factors) != conc:
        raise ConfigError(
            f"{p}concurrency_factors",
            factors,
            f"must list {conc} handle-time factors, one per concurrent contact",
        )
    factors = [
        _num(v, f"{p}concurrency_factors[{i}]", minimum=0.0, strict_min=True)
        for i, v in enumerate(factors)
    ]
    handle = distribution_from_config(d["handle_time"], f"{p}handle_time.", allow_none=False)
    patience = distribution_from_config(d["patience"], f"{p}patience.", allow_none=True)
    room = d["waiting_room"]
    if room is not None:
        room = number(d, "waiting_room", p, minimum=0.0, integer=True)
    if mode == SYNC:
        target_s = number(d, "target_answer_s", p, minimum=0.0)
    else:
        target_s = 3600.0 * number(d, "target_response_h", p, minimum=0.0, strict_min=True)
    sl = number(
        d, "target_service_level", p, minimum=0.0, strict_min=True, maximum=1.0, strict_max=True
    )
    assert handle is not None
    spec = ChannelSpec(
        name=name,
        mode=mode,
        concurrency=conc,
        handle_time=handle,
        concurrency_factors=tuple(factors),
        patience=patience,
        waiting_room=room,
        target_s=target_s,
        target_service_level=sl,
        priority=number(d, "priority", p, integer=True),
    )
    return spec, d


def _forecast_handle_scale(
    fc: Forecast, rate: np.ndarray, channels: Any, intents: Any
) -> np.ndarray | None:
    """[c, j] factors that make the simulated mean handle time the forecast's volume-weighted
    mean AHT over the horizon, where the forecast gives ``aht_s`` (None: nowhere)."""
    aht = fc.aht_s[:, :, : rate.shape[2]]
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


_EVENT_KEYS = ("name", "start", "duration_h", "magnitude", "decay_h", "channels", "intents")


def _apply_events(
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
        try:
            t0 = (datetime.fromisoformat(str(item.get("start"))) - start).total_seconds()
        except ValueError:
            raise ConfigError(
                f"{p}start", item.get("start"), "a date and time, YYYY-MM-DD HH:MM"
            ) from None
        d = {"magnitude": 1.0, "decay_h": 0.0, **item}
        duration = 3600.0 * number(d, "duration_h", p, minimum=0.0, strict_min=True)
        magnitude = number(d, "magnitude", p, minimum=-1.0)
        decay = 3600.0 * number(d, "decay_h", p, minimum=0.0)
        chans = [
            _lookup(x, ch_names, f"{p}channels", "channel")
            for x in (item.get("channels") or ch_names)
        ]
        ints = [
            _lookup(x, it_names, f"{p}intents", "intent") for x in (item.get("intents") or it_names)
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


def centre_from_config(raw: Any, *, base_dir: Path | None = None) -> tuple[Centre, CentreInfo]:
    """Validate ``cfg.centre`` and build the model. Relative CSV paths resolve from ``base_dir``
    (the directory ccsim was started in)."""
    d = with_defaults(as_dict(raw), CentreConf, _P)
    interval_min = interval_minutes(d, _P)
    interval_s = 60.0 * interval_min
    per_day = 1440 // interval_min
    try:
        start = datetime.fromisoformat(str(d["start"]))
    except ValueError:
        raise ConfigError(f"{_P}start", d["start"], "a date and time, YYYY-MM-DD HH:MM") from None
    if start.minute % interval_min or start.second:
        raise ConfigError(f"{_P}start", d["start"], f"must start an interval of {interval_min} min")
    horizon_days = number(d, "horizon_days", _P, minimum=0.0, strict_min=True)
    n_k = horizon_days * per_day
    if n_k < 1 or abs(n_k - round(n_k)) > 1e-9:
        raise ConfigError(
            f"{_P}horizon_days",
            horizon_days,
            f"must be a whole number of {interval_min}-minute intervals (at least one)",
        )
    n_k = int(round(n_k))
    n_days = -(-n_k // per_day)

    ch_names = _names(d["channels"], "channels")
    built = [_channel(n, d["channels"][n]) for n in ch_names]
    channels = tuple(b[0] for b in built)
    it_names = _names(d["intents"], "intents")
    intents, shares = [], np.zeros((len(ch_names), len(it_names)))
    for j, name in enumerate(it_names):
        p = f"{_P}intents.{name}."
        it = with_defaults(d["intents"][name], IntentConf, p)
        for ch, share in (it["share"] or {}).items():
            c = _lookup(ch, ch_names, f"{p}share.{ch}", "channel")
            shares[c, j] = _num(share, f"{p}share.{ch}", minimum=0.0)
        intents.append(
            IntentSpec(
                name=name,
                handle_factor=number(it, "handle_factor", p, minimum=0.0, strict_min=True),
                fcr=number(it, "fcr", p, minimum=0.0, maximum=1.0),
                priority=number(it, "priority", p, integer=True),
            )
        )
    if len(it_names) == 1 and not shares.any():
        shares[:] = 1.0  # one intent: it takes every channel's volume
    for c in range(len(ch_names)):
        if shares[c].sum() > 0:
            shares[c] /= shares[c].sum()

    # -- demand ---------------------------------------------------------------------------
    rate = np.zeros((len(ch_names), len(it_names), n_k))
    handle_scale = None
    base_dir = base_dir or Path.cwd()
    forecast_path = d["forecast_csv"]
    if forecast_path:
        path = Path(forecast_path)
        path = path if path.is_absolute() else base_dir / path
        fc = read_forecast_csv(path, channels=ch_names, intents=it_names, interval_min=interval_min)
        offset = (fc.start - start).total_seconds() / interval_s
        if offset < 0 or offset != int(offset):
            raise ConfigError(
                f"{_P}start",
                d["start"],
                f"must be at or before the forecast's "
                f"first interval ({fc.start:%Y-%m-%d %H:%M}) on the same grid",
            )
        k0 = int(offset)
        k1 = min(n_k, k0 + fc.n_intervals)
        vol = fc.volume[:, :, : k1 - k0]
        if fc.intents is None:  # channel totals: split by the intents' shares
            vol = vol[:, :1, :] * shares[:, :, None]
        rate[:, :, k0:k1] = vol / interval_s
        handle_scale = _forecast_handle_scale(fc, rate[:, :, k0:k1], channels, intents)
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
            dow = [_num(v, f"{p}day_of_week[{i}]", minimum=0.0) for i, v in enumerate(dow)]
            first = (start.hour * 60 + start.minute) // interval_min
            k_of_day = (np.arange(n_k) + first) % per_day
            day_idx = (np.arange(n_k) + first) // per_day
            vol = daily * prof[k_of_day] * np.array(dow)[(weekday0 + day_idx) % 7]
            rate[c] = shares[c][:, None] * vol[None, :] / interval_s

    event_names, event_starts, event_rate = _apply_events(
        rate, d["events"], start, interval_s, ch_names, it_names
    )

    # -- pools and staffing -----------------------------------------------------------------
    pool_names = _names(d["pools"], "pools")
    roster = None
    if d["roster_csv"]:
        path = Path(d["roster_csv"])
        path = path if path.is_absolute() else base_dir / path
        roster = read_roster_csv(path, pools=pool_names, horizon_start=start)
    pools = []
    served = np.zeros((len(ch_names), len(it_names)), dtype=bool)
    for name in pool_names:
        p = f"{_P}pools.{name}."
        pd = with_defaults(d["pools"][name], PoolConf, p)
        skills: dict[tuple[int, int], SkillSpec] = {}
        for secondary, deferred, key in (
            (False, False, "skills"),
            (True, False, "secondary"),
            (False, True, "deferred"),
        ):
            for ch, per_intent in (pd[key] or {}).items():
                c = _lookup(ch, ch_names, f"{p}{key}.{ch}", "channel")
                if not isinstance(per_intent, Mapping) or not per_intent:
                    raise ConfigError(
                        f"{p}{key}.{ch}",
                        per_intent,
                        'must map intent (or "*") to a proficiency factor',
                    )
                for it, prof in per_intent.items():
                    js = (
                        range(len(it_names))
                        if it == "*"
                        else [_lookup(it, it_names, f"{p}{key}.{ch}.{it}", 'intent (or "*")')]
                    )
                    f = _num(prof, f"{p}{key}.{ch}.{it}", minimum=0.0, strict_min=True)
                    for j in js:
                        if (c, j) not in skills:
                            skills[(c, j)] = SkillSpec(c, j, f, secondary, deferred)
                            served[c, j] |= not (secondary or deferred)
        if not skills:
            raise ConfigError(f"{p}skills", pd["skills"], "a pool needs at least one skill")
        shrinkage = number(pd, "shrinkage", p, minimum=0.0, maximum=1.0, strict_max=True)
        given = [k for k in ("agents", "agents_per_interval", "shifts") if pd[k] is not None]
        if roster is not None:
            if given:
                raise ConfigError(
                    f"{p}{given[0]}",
                    pd[given[0]],
                    "staffing comes from centre.roster_csv; remove this key",
                )
            scheduled = agents_per_interval(roster, name, interval_s, n_k)
        elif len(given) != 1:
            raise ConfigError(
                f"{p}agents",
                pd["agents"],
                "give exactly one of agents, agents_per_interval, shifts (or a centre.roster_csv)",
            )
        elif given[0] == "agents":
            scheduled = np.full(n_k, float(number(pd, "agents", p, minimum=0.0, integer=True)))
        elif given[0] == "agents_per_interval":
            api = pd["agents_per_interval"]
            if not isinstance(api, (list, tuple)) or len(api) not in (per_day, n_k):
                raise ConfigError(
                    f"{p}agents_per_interval",
                    f"<{len(api)} values>",
                    f"must list {per_day} values (a day, repeated) or {n_k}",
                )
            vals = np.array(
                [
                    _num(v, f"{p}agents_per_interval[{i}]", minimum=0.0, integer=True)
                    for i, v in enumerate(api)
                ],
                dtype=np.float64,
            )
            scheduled = np.resize(vals, n_k)
        else:
            items = [
                dict(item, pool=name) if isinstance(item, Mapping) else item
                for item in pd["shifts"]
            ]
            shifts = shifts_from_config(
                items, pools=pool_names, horizon_start=start, n_days=n_days, key_prefix=f"{p}shifts"
            )
            scheduled = agents_per_interval(shifts, name, interval_s, n_k)
        on_phone = np.floor(scheduled * (1.0 - shrinkage) + 0.5).astype(np.int64)
        pools.append(
            PoolSpec(
                name=name,
                skills=tuple(skills.values()),
                agents_scheduled=scheduled,
                agents_on_phone=on_phone,
                shrinkage=shrinkage,
                deferred_min_idle=number(pd, "deferred_min_idle", p, minimum=0.0, integer=True),
            )
        )
    for c in range(len(ch_names)):
        for j in range(len(it_names)):
            if rate[c, j].any() and not served[c, j]:
                raise ConfigError(
                    f"{_P}pools",
                    pool_names,
                    f"no pool has a primary skill for "
                    f"channel {ch_names[c]!r}, intent {it_names[j]!r}, which has "
                    "arrivals",
                )

    # -- behaviour -----------------------------------------------------------------------------
    p = f"{_P}behaviour."
    bd = with_defaults(d["behaviour"], BehaviourConf, p)
    retry = np.zeros(len(ch_names))
    for ch, prob in (bd["retry_prob"] or {}).items():
        c = _lookup(ch, ch_names, f"{p}retry_prob.{ch}", "channel")
        retry[c] = _num(prob, f"{p}retry_prob.{ch}", minimum=0.0, maximum=1.0)
    chaser = bd["chaser_channel"]
    chaser_idx = (
        None if chaser is None else _lookup(chaser, ch_names, f"{p}chaser_channel", "channel")
    )
    behaviour = BehaviourSpec(
        retry_prob=retry,
        retry_delay=distribution_from_config(
            bd["retry_delay"], f"{p}retry_delay.", allow_none=True
        ),
        retry_switch=_matrix(bd["retry_switch"], ch_names, f"{p}retry_switch"),
        repeat_delay=distribution_from_config(
            bd["repeat_delay"], f"{p}repeat_delay.", allow_none=True
        ),
        repeat_switch=_matrix(bd["repeat_switch"], ch_names, f"{p}repeat_switch"),
        chaser_channel=chaser_idx,
        overflow_s=number(bd, "overflow_s", p, minimum=0.0),
    )
    cv = number(d, "day_volume_cv", _P, minimum=0.0)
    try:
        router = resolve_router(str(d["routing"]))
    except ValueError as exc:
        raise ConfigError(f"{_P}routing", d["routing"], str(exc)) from None
    for key in ("name", "description"):
        if not isinstance(d[key], str):
            raise ConfigError(f"{_P}{key}", d[key], "must be a string")
    if not math.isfinite(rate.sum()):
        raise ConfigError(f"{_P}channels", "...", "volumes must be finite")
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
    )
    return centre, CentreInfo(start=start)
