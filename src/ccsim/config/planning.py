"""The ``planning`` config node's targets and search settings -> typed objects
(:mod:`ccsim.model.planning`); shift types are :mod:`ccsim.config.schedule`'s."""

from __future__ import annotations

from typing import Any, Mapping

from ccsim.config.limits import MAX_ITERATIONS, MAX_REPLICATIONS
from ccsim.config.schema import PlanningConf, StaffSearchConf, TargetsConf
from ccsim.config.strategies import STRATEGY_NAMES
from ccsim.config.values import (
    as_dict,
    check_keys,
    lookup,
    number,
    number_value,
    with_defaults,
)
from ccsim.errors import ConfigError
from ccsim.model.centre import Centre
from ccsim.model.planning import Lever, SearchSpec, StaffingTargets

__all__ = [
    "targets_from_config",
    "search_from_config",
    "planning_node",
    "levers_from_config",
    "MAX_PLANS",
]

_P = "planning."


def planning_node(raw: Any) -> dict[str, Any]:
    """The ``planning`` node with its defaults (unknown keys refused)."""
    return with_defaults(as_dict(raw or {}), PlanningConf, _P)


def targets_from_config(raw: Any, centre: Centre) -> StaffingTargets:
    """``planning.targets`` for ``centre``: each channel's own service-level target, and the
    abandonment ceilings given per channel name."""
    p = f"{_P}targets."
    d = with_defaults(as_dict(raw or {}), TargetsConf, p)
    names = [ch.name for ch in centre.channels]
    ceilings: list[float | None] = [None] * len(names)
    given = d["max_abandon_rate"] or {}
    if not isinstance(given, Mapping):
        raise ConfigError(f"{p}max_abandon_rate", given, "must map channel names to shares")
    for name, value in given.items():
        key = f"{p}max_abandon_rate.{name}"
        c = lookup(name, names, key, "channel")
        if centre.channels[c].mode != "sync":
            raise ConfigError(key, value, "abandonment limits apply to sync (live) channels only")
        # 0 cannot be met once customers have finite patience and ever wait: refused here,
        # not found out after a long search.
        ceilings[c] = number_value(value, key, minimum=0.0, strict_min=True, maximum=1.0)
    for ch in centre.channels:
        if not 0.0 < ch.target_service_level < 1.0 and ch.mode == "sync" and ch.patience:
            raise ConfigError(
                f"centre.channels.{ch.name}.target_service_level",
                ch.target_service_level,
                "a staffing search needs a target below 1 on a channel whose customers "
                "abandon (no finite staff answers every impatient caller in time)",
            )
    confidence = number(d, "confidence", p, minimum=0.5, maximum=1.0, strict_max=True)
    if d["async_period"] not in ("day", "interval"):
        raise ConfigError(f"{p}async_period", d["async_period"], "allowed: day, interval")
    return StaffingTargets(
        tuple(ch.target_service_level for ch in centre.channels),
        tuple(ceilings),
        confidence,
        str(d["async_period"]),
    )


def search_from_config(raw: Any) -> SearchSpec:
    """``planning.search``: replications, rounds, the check."""
    p = f"{_P}search."
    d = with_defaults(as_dict(raw or {}), StaffSearchConf, p)
    remove = d["remove"]
    if not isinstance(remove, bool):
        raise ConfigError(f"{p}remove", remove, "must be true or false")
    return SearchSpec(
        replications=number(
            d, "replications", p, minimum=2.0, maximum=MAX_REPLICATIONS, integer=True
        ),
        check_replications=number(
            d, "check_replications", p, minimum=2.0, maximum=MAX_REPLICATIONS, integer=True
        ),
        max_iterations=number(
            d, "max_iterations", p, minimum=1.0, maximum=MAX_ITERATIONS, integer=True
        ),
        remove=remove,
    )


MAX_PLANS = 256  # combinations of lever values the cheapest-plan search will simulate


def levers_from_config(raw: Any) -> tuple[Lever, ...]:
    """``planning.levers``: name -> ``{strategy, set (optional), values}``; at least one lever,
    every strategy a known one, at most :data:`MAX_PLANS` combinations."""
    p = f"{_P}levers"
    if raw is None or (isinstance(raw, Mapping) and not raw):
        raise ConfigError(
            p,
            raw,
            "mode=plan needs candidate levers, e.g. planning.levers={voice: {strategy: staffing, "
            "set: add_agents.voice_team, values: [0, 2, 4]}} (docs/planning.md)",
        )
    if not isinstance(raw, Mapping):
        raise ConfigError(p, raw, "must map lever names to {strategy, set, values}")
    levers = []
    n_plans = 1
    for name, node in raw.items():
        key = f"{p}.{name}"
        if not isinstance(node, Mapping):
            raise ConfigError(key, node, "must be a mapping {strategy, set, values}")
        check_keys(node, ("strategy", "set", "values"), f"{key}.")
        strategy = node.get("strategy")
        if strategy not in STRATEGY_NAMES:
            raise ConfigError(f"{key}.strategy", strategy, "allowed: " + ", ".join(STRATEGY_NAMES))
        path = node.get("set")
        if path is not None and (not isinstance(path, str) or not path.strip(".")):
            raise ConfigError(f"{key}.set", path, "a key under the strategy, e.g. add_agents.NAME")
        values = node.get("values")
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(f"{key}.values", values, "a non-empty list (null: lever off)")
        if path is None and any(v not in (None, False, True) for v in values):
            raise ConfigError(
                f"{key}.values", values, "without `set` a lever is off or on: null/false/true"
            )
        if len({repr(v) for v in values}) != len(values):
            raise ConfigError(f"{key}.values", values, "values must differ")
        n_plans *= len(values)
        levers.append(
            Lever(str(name), str(strategy), tuple(path.split(".")) if path else (), tuple(values))
        )
    if n_plans > MAX_PLANS:
        raise ConfigError(
            p, f"<{n_plans} combinations>", f"at most {MAX_PLANS}: fewer levers or values"
        )
    return tuple(levers)
