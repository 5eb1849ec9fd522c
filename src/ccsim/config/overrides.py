"""Command-line overrides against the schema: which dotted keys exist, and which lie inside a
mapping of the user's own names (channels, pools, prices...).

Hydra refuses a new name inside a schema-typed mapping unless the override is written
``+key=value`` (the config is in struct mode); :func:`force_new_names` writes ``++`` for the
user, so ``costs.strategy_fixed_per_week={chatbot: 1500}`` works as it reads.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any

from ccsim.config.schema import (
    ArrivalsConf,
    BehaviourConf,
    CallbacksConf,
    CCSimConf,
    CentreConf,
    ChannelConf,
    ChatbotConf,
    ContextConf,
    CostsConf,
    CrossTrainingConf,
    DistributionConf,
    FcrConf,
    IntentConf,
    OutreachConf,
    PlanningConf,
    PoolConf,
    RunConf,
    ScenarioConf,
    ScheduleConf,
    StaffingConf,
    StaffSearchConf,
    StrategyConf,
    TargetsConf,
    WorkloadShiftingConf,
)

__all__ = ["FIELD_TYPES", "DICT_OF", "FREE_DICTS", "schema_node", "in_free_dict", "force_new_names"]

# Schema fields that are themselves schema nodes (annotations are strings under
# ``from __future__ import annotations``, so the mapping is spelt out).
FIELD_TYPES: dict[str, Any] = {
    "handle_time": DistributionConf,
    "patience": DistributionConf,
    "arrivals": ArrivalsConf,
    "retry_delay": DistributionConf,
    "repeat_delay": DistributionConf,
    "scenario": ScenarioConf,
    "centre": CentreConf,
    "behaviour": BehaviourConf,
    "run": RunConf,
    "strategy": StrategyConf,
    "chatbot": ChatbotConf,
    "outreach": OutreachConf,
    "context": ContextConf,
    "fcr": FcrConf,
    "callbacks": CallbacksConf,
    "workload_shifting": WorkloadShiftingConf,
    "staffing": StaffingConf,
    "cross_training": CrossTrainingConf,
    "session_time": DistributionConf,
    "reply_delay": DistributionConf,
    "call_handle_time": DistributionConf,
    "costs": CostsConf,
    "planning": PlanningConf,
    "targets": TargetsConf,
    "search": StaffSearchConf,
    "schedule": ScheduleConf,
}
DICT_OF: dict[str, Any] = {"channels": ChannelConf, "intents": IntentConf, "pools": PoolConf}
FREE_DICTS = (
    "share",
    "skills",
    "secondary",
    "retry_prob",
    "retry_switch",
    "repeat_switch",
    "containment",
    "switch",
    "improvement",
    "add_agents",
    "shifts",
    "agent_hour",
    "notice",
    "strategy_fixed_per_week",
    "max_abandon_rate",
    "levers",
    "forecast_columns",
    "roster_columns",
)


def schema_node(path: list[str]) -> None:
    """Raise KeyError (with the allowed keys) when a dotted path is not in the schema."""
    node: Any = CCSimConf
    i = 0
    while i < len(path):
        part = path[i]
        names = {f.name for f in dataclasses.fields(node)}
        if part not in names:
            close = difflib.get_close_matches(part, sorted(names), n=1)
            prefix = ".".join(path[:i] + [""])
            hint = f" (did you mean {prefix}{close[0]}?)" if close else ""
            allowed = ", ".join(prefix + n for n in sorted(names))
            raise KeyError(f"unknown key{hint}; allowed: {allowed}")
        if part in FREE_DICTS:
            return  # names chosen by the user (channels, intents) below this key
        if part in DICT_OF:
            node = DICT_OF[part]
            i += 2  # skip the user's name for the channel, intent or pool
            continue
        node = FIELD_TYPES.get(part)
        if node is None:
            if i < len(path) - 1:
                raise KeyError(f"{'.'.join(path[: i + 1])} has no sub-keys")
            return
        i += 1


def in_free_dict(path: list[str]) -> bool:
    """Whether a known dotted key is, or lies inside, a mapping of the user's own names."""
    node: Any = CCSimConf
    i = 0
    while i < len(path):
        part = path[i]
        if not dataclasses.is_dataclass(node) or part not in {
            f.name for f in dataclasses.fields(node)
        }:
            return False
        if part in FREE_DICTS:
            return True
        if part in DICT_OF:
            node = DICT_OF[part]
            i += 2
            continue
        node = FIELD_TYPES.get(part)
        i += 1
    return False


def force_new_names(overrides: list[str], groups: tuple[str, ...]) -> list[str]:
    """``key=value`` -> ``++key=value`` where ``key`` is or lies inside a mapping of the user's
    own names (new names allowed, existing ones overridden); every other override unchanged."""
    out = []
    for ov in overrides:
        key = ov.split("=", 1)[0]
        plain = "=" in ov and not key.startswith(("+", "~")) and key not in groups
        if plain and not key.startswith("hydra.") and in_free_dict(key.split(".")):
            ov = "++" + ov
        out.append(ov)
    return out
