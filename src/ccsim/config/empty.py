"""Runs that would come out empty: stopped before anything runs, or said out loud.

A run whose figures would be empty (service level n/a, 0.0 agent-hours short) and still exit 0
is worse than an error: the planner reads "nothing short" where nothing was simulated. So:

* **Errors** (:class:`~ccsim.errors.ConfigError`, one line, exit 2) where nothing would be
  simulated or the results could not mean anything: no contacts on any channel over the
  horizon (a single queue with no arrivals, a centre whose every volume is 0 or whose every
  channel is closed over the horizon, a forecast with nothing in the horizon); contacts that
  arrive where no pool with the primary skill ever has an agent on the phone (they could only
  wait and abandon, as a single queue with arrivals and no agent, already refused;
  :func:`check_staffed`, for runs: the planning modes choose the staffing themselves).
* **Warnings** (:func:`empty_warnings`: logged at WARNING and printed at the top of
  ``report.md`` and ``report.html``) where a user may mean it: a channel with no contacts while
  others have some (closed over the horizon, as default_week's voice on a Sunday; switched off
  with ``daily_volume: 0``; a sweep over volumes reaching 0; a planner's forecast covering only
  some of a preset's channels: removing a channel would mean editing every pool's skills too),
  a pool with no agent on the phone whose skills other pools cover (a sweep of its size down
  to 0), a pool whose skills get no contacts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

import numpy as np

from ccsim.errors import ConfigError
from ccsim.model.centre import Centre

__all__ = ["check_arrivals", "check_scenario_arrivals", "check_staffed", "empty_warnings"]

_P = "centre."
_STAFFING_KEYS = ("agents", "agents_per_interval", "shifts")


def _names(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def check_scenario_arrivals(d: Mapping[str, Any], rate_per_h: np.ndarray, prefix: str) -> None:
    """A single queue needs contacts: a rate (or profile) of 0 throughout simulates nothing."""
    if rate_per_h.sum() > 0:
        return
    key = "arrival_rate_per_h" if d.get("arrival_rate_per_h") is not None else None
    raise ConfigError(
        f"{prefix}{key or 'arrival_profile_per_h'}",
        d[key] if key else f"<{len(rate_per_h)} rates of 0>",
        "no contacts arrive over the horizon, so there is nothing to simulate: give a rate "
        "> 0 (contacts per hour)",
    )


def check_arrivals(
    d: Mapping[str, Any],
    built: Sequence[tuple[Any, Mapping[str, Any]]],
    rate: np.ndarray,
    *,
    start: datetime,
    interval_min: int,
) -> None:
    """Some channel of the centre config ``d`` (with defaults; ``built``: its channels' (spec,
    config) pairs) receives contacts: ``rate[c, j, k]`` (arrivals per second) is not 0
    throughout. A channel alone without contacts is a warning (:func:`empty_warnings`): it may
    be closed over the horizon, or switched off."""
    if rate.sum() > 0:
        return
    names = _names([spec.name for spec, _ in built])
    end = start + timedelta(minutes=interval_min * rate.shape[2])
    span = f"{start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M}"
    nothing = "so there is nothing to simulate"
    if d.get("forecast_csv"):
        raise ConfigError(
            f"{_P}forecast_csv",
            d["forecast_csv"],
            f"gives no contacts over the horizon ({span}): every volume of {names} is 0 "
            f"there, {nothing}",
        )
    if all(not float(cd.get("daily_volume") or 0.0) for _, cd in built):
        raise ConfigError(
            f"{_P}channels.*.daily_volume",
            0,
            f"no channel has contacts: {names} all have daily_volume 0, {nothing}; give a "
            "channel a daily_volume > 0 (or a centre.forecast_csv)",
        )
    raise ConfigError(
        f"{_P}horizon_days",
        d["horizon_days"],
        f"no channel has contacts over the horizon ({span}): {names} are closed then "
        f"(day_of_week, intraday_profile), {nothing}; move centre.start or lengthen the "
        "horizon",
    )


def check_staffed(centre: Centre, centre_raw: Mapping[str, Any]) -> None:
    """Every channel and intent with contacts has a pool with its primary skill and an agent on
    the phone in some interval; ``centre_raw`` (the centre config) names the staffing key."""
    expected = centre.rate_per_s.sum(axis=2) * centre.interval_s  # [c, j]
    for c, ch in enumerate(centre.channels):
        intents, pools = [], []
        for j, it in enumerate(centre.intents):
            primary = [
                p
                for p in centre.pools
                if any(s.channel == c and s.intent == j and s.primary for s in p.skills)
            ]
            if expected[c, j] > 0 and primary and not any(p.agents_on_phone.any() for p in primary):
                intents.append(it.name)
                pools += [p for p in primary if p not in pools]
        if not intents:
            continue
        key, value = _staffing_key(pools[0].name, centre_raw)
        n = float(sum(expected[c, j] for j, it in enumerate(centre.intents) if it.name in intents))
        who = (
            f"pool {pools[0].name!r} has"
            if len(pools) == 1
            else f"pools {_names([repr(p.name) for p in pools])} have"
        )
        raise ConfigError(
            key,
            value,
            f"{who} no agent on the phone in any interval (scheduled heads less shrinkage "
            f"{_names(sorted({f'{p.shrinkage:g}' for p in pools}))}), yet "
            f"{'it is the only pool' if len(pools) == 1 else 'they are the only pools'} with "
            f"the primary skill for channel {ch.name!r} "
            f"({'intent' if len(intents) == 1 else 'intents'} {_names(intents)}), where "
            f"{n:,.0f} contacts are expected: they could only wait and abandon; staff "
            f"{'the pool' if len(pools) == 1 else 'a pool'}, or give the skill to a pool "
            "with agents",
        )


def check_offered_load(centre: Centre, prefix: str) -> None:
    """Each channel's offered load (arrival rate x mean handle time, in Erlangs) in every
    interval within :data:`~ccsim.config.limits.MAX_OFFERED_LOAD_ERL`: beyond it no staffing
    level the Erlang formulas search meets a target. ``prefix``: ``scenario.`` or
    ``centre.channels.NAME.`` (with ``{name}``)."""
    from ccsim.config.limits import MAX_OFFERED_LOAD_ERL

    load = (centre.rate_per_s * centre.mean_handle_s()[:, :, None]).sum(axis=1)  # [c, k]
    for c, ch in enumerate(centre.channels):
        peak = float(load[c].max()) if load.shape[1] else 0.0
        if peak > MAX_OFFERED_LOAD_ERL.value:
            raise ConfigError(
                prefix.format(name=ch.name) + "handle_time",
                f"mean {float(centre.mean_handle_s()[c].max()):g} s",
                f"offers {peak:,.0f} Erlangs in its busiest interval: at most "
                f"{MAX_OFFERED_LOAD_ERL.value:,.0f} ({MAX_OFFERED_LOAD_ERL.why}); shorten the "
                "handle time or lower the volume",
            )


def _staffing_key(pool: str, centre_raw: Mapping[str, Any]) -> tuple[str, Any]:
    """The key (and its value) a pool's staffing comes from."""
    if centre_raw.get("roster_csv"):
        return f"{_P}roster_csv", centre_raw["roster_csv"]
    node = (centre_raw.get("pools") or {}).get(pool) or {}
    for key in _STAFFING_KEYS:
        value = node.get(key)
        if value is not None:
            shown = value if key == "agents" else f"<{len(value)} {key.replace('_', ' ')}>"
            return f"{_P}pools.{pool}.{key}", shown
    return f"{_P}pools.{pool}", "<no staffing>"


def empty_warnings(centre: Centre) -> list[str]:
    """What the run leaves empty that a user may mean (:mod:`ccsim.config.empty`): channels
    without contacts, pools without agents on the phone or without contacts to serve. One
    sentence each, in the centre's order; none for a single queue (its checks are errors)."""
    rate = centre.rate_per_s
    per_channel = rate.sum(axis=(1, 2))
    if per_channel.sum() == 0:
        return []  # an error before any run
    per_intent = rate.sum(axis=(0, 2))
    out = []
    b = centre.behaviour
    for c, ch in enumerate(centre.channels):
        if per_channel[c] > 0:
            continue
        live = per_channel > 0
        sent = (
            (b.chaser_channel == c)
            or bool((b.retry_prob[live] > 0).any() and (b.retry_switch[live, c] > 0).any())
            or bool(centre.has_repeats and (b.repeat_switch[live, c] > 0).any())
        )
        out.append(
            f"channel {ch.name}: no contacts arrive over the horizon (its daily volume, "
            "day-of-week factors and intraday profile, or the forecast, give it none): its "
            "service level and waits are n/a"
            + ("; retries, repeats or chasers sent to it never arrive" if sent else "")
            + "."
        )
    hours = centre.interval_s / 3600.0
    for pool in centre.pools:
        has = [per_channel[s.channel] > 0 and per_intent[s.intent] > 0 for s in pool.skills]
        gets = any(has)
        if not pool.agents_on_phone.any():
            # Its own (primary) work goes to other pools; closed with its channels: no news.
            if any(h for h, s in zip(has, pool.skills, strict=True) if s.primary):
                out.append(
                    f"pool {pool.name}: no agent on the phone in any interval (scheduled heads "
                    f"less shrinkage {pool.shrinkage:g}): it serves nothing, other pools take its "
                    "skills."
                )
            continue
        if not gets:
            chans = list(dict.fromkeys(centre.channels[s.channel].name for s in pool.skills))
            out.append(
                f"pool {pool.name}: its skills ({', '.join(chans)}) get no contacts over the "
                f"horizon: its {pool.agents_on_phone.sum() * hours:,.1f} agent-hours on the "
                "phone are idle."
            )
    return out
