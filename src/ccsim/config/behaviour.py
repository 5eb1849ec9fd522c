"""Customer behaviour of a ``centre`` config: retries after abandoning, repeat contacts when
the first did not resolve the issue, and the channels customers switch to for either."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ccsim.config.limits import MAX_DURATION_S, MAX_WEIGHT
from ccsim.config.schema import BehaviourConf
from ccsim.config.values import (
    distribution_from_config,
    lookup,
    number,
    number_value,
    with_defaults,
)
from ccsim.errors import ConfigError
from ccsim.model.centre import RETRY_PATIENCE, BehaviourSpec

__all__ = ["behaviour_from_config"]

_P = "centre."


def _matrix(raw: Any, names: list[str], key: str) -> np.ndarray:
    """Channel switch matrix [from, to]; rows not given stay on their own channel."""
    m = np.eye(len(names))
    if not raw:
        return m
    if not isinstance(raw, Mapping):
        raise ConfigError(key, raw, "must map from-channel to {to-channel: share}")
    for src, row in raw.items():
        i = lookup(src, names, f"{key}.{src}", "channel")
        if not isinstance(row, Mapping) or not row:
            raise ConfigError(f"{key}.{src}", row, "must map to-channel to a share")
        m[i] = 0.0
        for dst, share in row.items():
            j = lookup(dst, names, f"{key}.{src}.{dst}", "channel")
            m[i, j] = number_value(share, f"{key}.{src}.{dst}", minimum=0.0, maximum=MAX_WEIGHT)
        if m[i].sum() <= 0:
            raise ConfigError(f"{key}.{src}", dict(row), "shares must not all be zero")
        m[i] /= m[i].sum()
    return m


def behaviour_from_config(raw: Any, ch_names: list[str]) -> BehaviourSpec:
    """``centre.behaviour``, its channels by index into ``ch_names``."""
    p = f"{_P}behaviour."
    bd = with_defaults(raw, BehaviourConf, p)
    retry = np.zeros(len(ch_names))
    for ch, prob in (bd["retry_prob"] or {}).items():
        c = lookup(ch, ch_names, f"{p}retry_prob.{ch}", "channel")
        retry[c] = number_value(prob, f"{p}retry_prob.{ch}", minimum=0.0, maximum=1.0)
    chaser = bd["chaser_channel"]
    chaser_idx = (
        None if chaser is None else lookup(chaser, ch_names, f"{p}chaser_channel", "channel")
    )
    return BehaviourSpec(
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
        overflow_s=number(bd, "overflow_s", p, minimum=0.0, maximum=MAX_DURATION_S),
        retry_patience=RETRY_PATIENCE[
            lookup(bd["retry_patience"], list(RETRY_PATIENCE), f"{p}retry_patience", "rule")
        ],
    )
