"""Validate the ``costs`` config node and build the centre's :class:`~ccsim.model.costs.CostSpec`.

Every error names the key under ``costs.``, the value and what is allowed: costs must be finite
numbers >= 0, ``agent_hour`` names pools of the centre (or ``"*"``), ``notice`` names vias (sms,
email, push), ``strategy_fixed_per_week`` names strategies. ``agent_hour`` and ``notice`` are
merged over the schema's defaults (as Hydra merges them), so ``{voice_team: 30}`` keeps ``"*"``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ccsim.config.centre import centre_from_config
from ccsim.config.limits import MAX_FACTOR, MAX_PRICE
from ccsim.config.schema import CostsConf, OutreachConf
from ccsim.config.strategies import STRATEGY_NAMES, apply_to_centre_config, strategy_names
from ccsim.config.values import as_dict, number, with_defaults
from ccsim.errors import ConfigError
from ccsim.model.centre import Centre
from ccsim.model.costs import CostSpec

__all__ = ["NOTICE_VIAS", "costs_from_config", "overtime_heads", "with_costs"]

_P = "costs."
NOTICE_VIAS = ("sms", "email", "push")
_PRICES = (
    "overtime_premium",
    "bot_session",
    "bot_resolution",
    "outbound_call_min",
    "abandon_penalty",
    "late_async_penalty",
)


def _prices(
    raw: Any, key: str, default: Mapping[str, float], allowed: list[str], what: str
) -> dict[str, float]:
    """``{name: cost}`` merged over ``default``: names among ``allowed`` (a ``what``), every
    cost a finite number >= 0."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(key, raw, "must be a mapping of name -> cost")
    merged = {**default, **{str(k): v for k, v in raw.items()}}
    for name in merged:
        if name not in allowed:
            raise ConfigError(
                f"{key}.{name}", merged[name], f"unknown {what}; allowed: {', '.join(allowed)}"
            )
    return {k: number(merged, k, f"{key}.", minimum=0.0, maximum=MAX_PRICE) for k in merged}


def _campaign_vias(strategy_raw: Any, centre: Centre) -> list[str]:
    """The via (sms, email, push, call) of each outreach campaign of ``centre``; the schema's
    default via when ``strategy_raw`` is not given (a centre built without the config)."""
    via = OutreachConf().via
    if strategy_raw is not None and "outreach" in strategy_names(strategy_raw):
        d = with_defaults(as_dict(strategy_raw)["outreach"], OutreachConf, "strategy.outreach.")
        via = d["via"]
    return [
        "call" if camp.call_channel is not None else str(via) for camp in centre.strategies.outreach
    ]


def costs_from_config(
    raw: Any,
    centre: Centre,
    strategy_raw: Any = None,
    overtime: np.ndarray | None = None,
) -> CostSpec:
    """The prices of ``centre`` (built with ``strategy_raw``'s strategies); ``overtime[p, k]``:
    heads the ``staffing`` strategy added (:func:`overtime_heads`; None: no overtime)."""
    d = with_defaults({} if raw is None else as_dict(raw), CostsConf, _P)
    defaults = CostsConf()
    currency = d["currency"]
    if not isinstance(currency, str) or not currency.strip():
        raise ConfigError(f"{_P}currency", currency, "a non-empty currency code, e.g. USD or EUR")
    pools = [p.name for p in centre.pools]
    rates = _prices(
        d["agent_hour"], f"{_P}agent_hour", defaults.agent_hour, ["*", *pools], 'pool (or "*")'
    )
    per_pool = []
    for name in pools:
        if name not in rates and "*" not in rates:
            raise ConfigError(
                f"{_P}agent_hour", dict(rates), f'no cost for pool {name}: name it or set "*"'
            )
        per_pool.append(rates.get(name, rates.get("*", 0.0)))
    notices = _prices(
        d["notice"],
        f"{_P}notice",
        defaults.notice,
        list(NOTICE_VIAS),
        "via (outbound calls cost outbound_call_min per minute)",
    )
    fixed = _prices(
        d["strategy_fixed_per_week"],
        f"{_P}strategy_fixed_per_week",
        {},
        list(STRATEGY_NAMES),
        "strategy",
    )
    prices = {
        k: number(
            d, k, _P, minimum=0.0, maximum=MAX_FACTOR if k == "overtime_premium" else MAX_PRICE
        )
        for k in _PRICES
    }
    n_k = centre.n_intervals
    if overtime is None:
        overtime = np.zeros((len(pools), n_k))
    assert overtime.shape == (len(pools), n_k)
    on = set(centre.strategies.names)
    return CostSpec(
        currency=currency.strip(),
        agent_hour_cost=tuple(per_pool),
        overtime_premium=prices["overtime_premium"],
        overtime_heads=np.asarray(overtime, dtype=np.float64),
        bot_session_cost=prices["bot_session"],
        bot_resolution_cost=prices["bot_resolution"],
        notice_cost=tuple(notices.get(v, 0.0) for v in _campaign_vias(strategy_raw, centre)),
        outbound_call_min_cost=prices["outbound_call_min"],
        fixed_per_week=tuple((s, fixed[s]) for s in STRATEGY_NAMES if s in on and s in fixed),
        abandon_penalty=prices["abandon_penalty"],
        late_async_penalty=prices["late_async_penalty"],
    )


def overtime_heads(
    strategy_raw: Any, centre_raw: Any, centre: Centre, base_dir: Path | None = None
) -> np.ndarray:
    """[p, k]: the heads the ``staffing`` strategy (added agents and shifts) adds to each pool
    of ``centre`` (built from ``centre_raw`` with ``strategy_raw``): the centre's scheduled heads
    less those of the same centre built without that strategy, never below 0 (fewer heads are
    fewer paid hours, not negative overtime)."""
    n_p, n_k = len(centre.pools), centre.n_intervals
    if "staffing" not in strategy_names(strategy_raw):
        return np.zeros((n_p, n_k))
    without = {**as_dict(strategy_raw), "staffing": None}
    plain, _ = centre_from_config(apply_to_centre_config(without, centre_raw), base_dir=base_dir)
    base = np.stack([p.agents_scheduled for p in plain.pools]).astype(np.float64)
    staffed = np.stack([p.agents_scheduled for p in centre.pools]).astype(np.float64)
    return np.clip(staffed - base, 0.0, None)


def with_costs(
    costs_raw: Any,
    centre: Centre,
    strategy_raw: Any = None,
    centre_raw: Any = None,
    base_dir: Path | None = None,
) -> Centre:
    """``centre`` with its :class:`CostSpec`; ``centre_raw`` (the centre config before the
    strategies) lets the overtime of a ``staffing`` strategy be priced."""
    overtime = (
        overtime_heads(strategy_raw, centre_raw, centre, base_dir)
        if centre_raw is not None
        else None
    )
    spec = costs_from_config(costs_raw, centre, strategy_raw, overtime)
    return dataclasses.replace(centre, costs=spec)
