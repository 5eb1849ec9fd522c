"""The channels and intents of a ``centre`` config: how customers reach the centre and what
about, checked key by key (:class:`~ccsim.errors.ConfigError`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ccsim.config.arrivals import arrival_process_from_config
from ccsim.config.limits import (
    MAX_CONCURRENCY,
    MAX_DURATION_H,
    MAX_DURATION_S,
    MAX_FACTOR,
    MAX_INT32,
    MAX_PRIORITY,
    MAX_WEIGHT,
)
from ccsim.config.schema import ChannelConf, IntentConf
from ccsim.config.values import (
    distribution_from_config,
    entry_names,
    lookup,
    number,
    number_value,
    with_defaults,
)
from ccsim.errors import ConfigError
from ccsim.model.centre import ASYNC, SERVICES, SYNC, ChannelSpec, IntentSpec

__all__ = ["channel_from_config", "intents_from_config"]

_P = "centre."


def channel_from_config(name: str, raw: Any) -> tuple[ChannelSpec, dict[str, Any]]:
    """The channel's spec, and its config with defaults (its demand keys are read later)."""
    p = f"{_P}channels.{name}."
    d = with_defaults(raw, ChannelConf, p)
    mode = d["mode"]
    if mode not in (SYNC, ASYNC):
        raise ConfigError(f"{p}mode", mode, f"allowed: {SYNC}, {ASYNC}")
    concurrency = number(d, "concurrency", p, minimum=1.0, maximum=MAX_CONCURRENCY, integer=True)
    factors = d["concurrency_factors"]
    if factors is None:
        factors = [1.0] * concurrency
    if not isinstance(factors, (list, tuple)) or len(factors) != concurrency:
        raise ConfigError(
            f"{p}concurrency_factors",
            factors,
            f"must list {concurrency} handle-time factors, one per concurrent contact",
        )
    factors = [
        number_value(
            v, f"{p}concurrency_factors[{i}]", minimum=0.0, strict_min=True, maximum=MAX_FACTOR
        )
        for i, v in enumerate(factors)
    ]
    service = d["service"]
    if service not in SERVICES:
        raise ConfigError(f"{p}service", service, f"allowed: {', '.join(SERVICES)}")
    handle = distribution_from_config(d["handle_time"], f"{p}handle_time.", allow_none=False)
    patience = distribution_from_config(d["patience"], f"{p}patience.", allow_none=True)
    room = d["waiting_room"]
    if room is not None:
        room = number(d, "waiting_room", p, minimum=0.0, maximum=MAX_INT32, integer=True)
    if mode == SYNC:
        target_s = number(d, "target_answer_s", p, minimum=0.0, maximum=MAX_DURATION_S)
    else:
        target_s = 3600.0 * number(
            d, "target_response_h", p, minimum=0.0, strict_min=True, maximum=MAX_DURATION_H
        )
    sl = number(
        d, "target_service_level", p, minimum=0.0, strict_min=True, maximum=1.0, strict_max=True
    )
    assert handle is not None
    spec = ChannelSpec(
        name=name,
        mode=mode,
        concurrency=concurrency,
        handle_time=handle,
        concurrency_factors=tuple(factors),
        patience=patience,
        waiting_room=room,
        target_s=target_s,
        target_service_level=sl,
        priority=_priority(d, p),
        service=service,
        arrivals=arrival_process_from_config(d["arrivals"], f"{p}arrivals."),
    )
    return spec, d


def _priority(d: Any, p: str) -> int:
    """A channel's or intent's ``priority``: an integer, higher served first."""
    return int(
        number(d, "priority", p, minimum=-MAX_PRIORITY.value, maximum=MAX_PRIORITY, integer=True)
    )


def intents_from_config(
    raw: Any, ch_names: list[str]
) -> tuple[list[str], list[IntentSpec], np.ndarray]:
    """The intents' names and specs, and each channel's volume shares by intent ([c, j], rows
    summing to 1 where a channel has any)."""
    it_names = entry_names(raw, f"{_P}intents")
    intents, shares = [], np.zeros((len(ch_names), len(it_names)))
    for j, name in enumerate(it_names):
        p = f"{_P}intents.{name}."
        it = with_defaults(raw[name], IntentConf, p)
        for ch, share in (it["share"] or {}).items():
            c = lookup(ch, ch_names, f"{p}share.{ch}", "channel")
            shares[c, j] = number_value(share, f"{p}share.{ch}", minimum=0.0, maximum=MAX_WEIGHT)
        intents.append(
            IntentSpec(
                name=name,
                handle_factor=number(
                    it, "handle_factor", p, minimum=0.0, strict_min=True, maximum=MAX_FACTOR
                ),
                fcr=number(it, "fcr", p, minimum=0.0, maximum=1.0),
                priority=_priority(it, p),
            )
        )
    if len(it_names) == 1 and not shares.any():
        shares[:] = 1.0  # one intent: it takes every channel's volume
    for c in range(len(ch_names)):
        if shares[c].sum() > 0:
            shares[c] /= shares[c].sum()
    return it_names, intents, shares
