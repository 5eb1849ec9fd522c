"""Validate the ``strategy`` config node and apply it to a centre.

Two kinds of strategy:

* plan changes (FCR improvement, staffing, cross-training, workload shifting, the internal
  channel of an outbound-call campaign) edit the raw ``centre`` config before it is validated,
  so every value goes through the centre's own checks and error messages;
* contact-level strategies (chatbot, context, callbacks, proactive outreach) become typed specs
  (:mod:`ccsim.model.strategies`) on the :class:`~ccsim.model.centre.Centre` that the engine reads.

Every error names the key under ``strategy.``, the value and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime
from typing import Any, Mapping

import numpy as np

from ccsim.config.limits import (
    MAX_AGENTS,
    MAX_CONTACTS_PER_REPLICATION,
    MAX_DURATION_MIN,
    MAX_DURATION_S,
    MAX_FACTOR,
    MAX_INT32,
)
from ccsim.config.schema import (
    CallbacksConf,
    ChatbotConf,
    ContextConf,
    CrossTrainingConf,
    FcrConf,
    OutreachConf,
    StaffingConf,
    StrategyConf,
    WorkloadShiftingConf,
)
from ccsim.config.values import as_dict, check_keys, distribution_from_config, number, with_defaults
from ccsim.errors import ConfigError
from ccsim.model.centre import Centre
from ccsim.model.strategies import CallbackSpec, ChatbotSpec, ContextSpec, OutreachSpec, Strategies

__all__ = ["STRATEGY_NAMES", "strategy_names", "apply_to_centre_config", "strategies_for"]

STRATEGY_NAMES = tuple(f.name for f in dataclasses.fields(StrategyConf))
_P = "strategy."
_VIA = ("sms", "email", "push", "call")


def _mapping(raw: Any, key: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(key, raw, "must be a mapping")
    return dict(raw)


def strategy_names(raw: Any) -> list[str]:
    """The strategies switched on, in the schema's order; checks the names."""
    d = _mapping(as_dict(raw) if raw is not None else None, "strategy")
    check_keys(d, STRATEGY_NAMES, _P)
    return [name for name, value in d.items() if value is not None]


def _names_of(centre_raw: Mapping[str, Any], group: str) -> list[str]:
    node = centre_raw.get(group) or {}
    return [str(k) for k in node] if isinstance(node, Mapping) else []


def _check_name(name: Any, names: list[str], key: str, what: str) -> str:
    if name not in names:
        raise ConfigError(key, name, f"unknown {what}; allowed: {', '.join(names)}")
    return str(name)


def _list(raw: Any, key: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raise ConfigError(key, raw, "must be a list")
    return list(raw)


def _pool_node(centre: dict[str, Any], pools: list[str], pool: Any, key: str) -> dict[str, Any]:
    """Pool ``pool`` of the (copied) centre config, itself copied so it can be edited."""
    _check_name(pool, pools, key, "pool")
    node = centre["pools"][pool] = dict(centre["pools"][pool])
    return node


def apply_to_centre_config(strategy_raw: Any, centre_raw: Any) -> dict[str, Any]:
    """The centre config with the plan-changing strategies applied (a new dict)."""
    names = strategy_names(strategy_raw)
    centre = copy.deepcopy(as_dict(centre_raw))
    if not names:
        return centre
    s = as_dict(strategy_raw)
    chans, intents, pools = (_names_of(centre, g) for g in ("channels", "intents", "pools"))
    if "fcr" in names:
        p = f"{_P}fcr."
        d = with_defaults(s["fcr"], FcrConf, p)
        # "*" is the default for every intent and a named intent overrides it (as for chatbot
        # containment): {"*": 0.05, technical: 0.08} adds 8 points to technical, not 13.
        points_of: dict[str, float] = {}
        for it, points in sorted(
            _mapping(d["improvement"], f"{p}improvement").items(), key=lambda kv: kv[0] != "*"
        ):
            key = f"{p}improvement.{it}"
            targets = intents if it == "*" else [_check_name(it, intents, key, 'intent (or "*")')]
            add = number({key: points}, key, "", minimum=-1.0, maximum=1.0)
            points_of.update(dict.fromkeys(targets, add))
        for name, add in points_of.items():
            node = centre["intents"][name] = dict(centre["intents"][name] or {})
            base = node.get("fcr", 1.0)
            if isinstance(base, (int, float)) and not isinstance(base, bool):
                node["fcr"] = float(min(1.0, max(0.0, base + add)))
    if "staffing" in names:
        p = f"{_P}staffing."
        d = with_defaults(s["staffing"], StaffingConf, p)
        for pool, items in _mapping(d["shifts"], f"{p}shifts").items():
            key = f"{p}shifts.{pool}"
            node = _pool_node(centre, pools, pool, key)
            if node.get("shifts") is None:
                raise ConfigError(
                    key, "<shifts>", "this pool is not staffed by shifts; use add_agents"
                )
            node["shifts"] = list(node["shifts"]) + _list(items, key)
    if "cross_training" in names:
        p = f"{_P}cross_training."
        d = with_defaults(s["cross_training"], CrossTrainingConf, p)
        for pool, skills in _mapping(d["skills"], f"{p}skills").items():
            key = f"{p}skills.{pool}"
            node = _pool_node(centre, pools, pool, key)
            merged = {ch: dict(v) for ch, v in (node.get("skills") or {}).items()}
            secondary = {ch: dict(v) for ch, v in (node.get("secondary") or {}).items()}
            for ch, per_intent in _mapping(skills, key).items():
                _check_name(ch, chans, f"{key}.{ch}", "channel")
                learnt = _mapping(per_intent, f"{key}.{ch}")
                for it in learnt:
                    number(
                        learnt, it, f"{key}.{ch}.", minimum=0.0, strict_min=True, maximum=MAX_FACTOR
                    )
                merged.setdefault(ch, {}).update(learnt)
                for it in learnt:  # now a primary skill: no longer only after overflow
                    secondary.get(ch, {}).pop(it, None)
            node["skills"] = merged
            node["secondary"] = {ch: v for ch, v in secondary.items() if v}
    if "workload_shifting" in names:
        p = f"{_P}workload_shifting."
        d = with_defaults(s["workload_shifting"], WorkloadShiftingConf, p)
        shifted = [
            _check_name(c, chans, f"{p}channels[{i}]", "channel")
            for i, c in enumerate(_list(d["channels"], f"{p}channels"))
        ]
        if not shifted:
            raise ConfigError(f"{p}channels", d["channels"], "name at least one async channel")
        for i, c in enumerate(shifted):
            if (centre["channels"][c] or {}).get("mode", "sync") != "async":
                raise ConfigError(f"{p}channels[{i}]", c, "workload shifting defers async work")
        prof = number(d, "proficiency", p, minimum=0.0, strict_min=True, maximum=MAX_FACTOR)
        others = [
            (centre["channels"][c] or {}).get("priority", 0) for c in chans if c not in shifted
        ]
        lowest = min([v for v in others if isinstance(v, int)] or [0]) - 1
        for c in shifted:
            centre["channels"][c] = dict(centre["channels"][c], priority=lowest)
        reserve = number(d, "min_idle_agents", p, minimum=0.0, maximum=MAX_AGENTS, integer=True)
        for i, pool in enumerate(_list(d["pools"], f"{p}pools")):
            node = _pool_node(centre, pools, pool, f"{p}pools[{i}]")
            own = node.get("skills") or {}
            deferred = {ch: dict(v) for ch, v in (node.get("deferred") or {}).items()}
            for c in shifted:
                if c not in own:  # a pool's own channel stays its own work
                    deferred.setdefault(c, {}).setdefault("*", prof)
            node["deferred"] = deferred
            node["deferred_min_idle"] = reserve
    if "outreach" in names:
        p = f"{_P}outreach."
        d = with_defaults(s["outreach"], OutreachConf, p)
        if d["via"] not in _VIA:
            raise ConfigError(f"{p}via", d["via"], f"allowed: {', '.join(_VIA)}")
        if d["via"] == "call":
            pool = _check_name(d["call_pool"], pools, f"{p}call_pool", "pool (for via: call)")
            channel = _call_channel(centre)
            prio = [(centre["channels"][c] or {}).get("priority", 0) for c in chans]
            centre["channels"][channel] = {
                "mode": "async",
                "handle_time": d["call_handle_time"],
                "target_response_h": 24.0,
                "priority": min([v for v in prio if isinstance(v, int)] or [0]) - 1,
            }
            node = _pool_node(centre, pools, pool, f"{p}call_pool")
            node["skills"] = dict(node.get("skills") or {}, **{channel: {"*": 1.0}})
    return centre


def _call_channel(centre_raw: Mapping[str, Any]) -> str:
    """The internal channel that carries a campaign's outbound calls."""
    name = "outbound_calls"
    while name in (centre_raw.get("channels") or {}):
        name = "_" + name
    return name


def _per_intent(raw: Any, intents: list[str], key: str, default: float) -> np.ndarray:
    """``{intent or "*": probability}`` -> one value per intent ("*" first, then named)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # One probability for every intent.
        return np.full(len(intents), number({key: raw}, key, "", minimum=0.0, maximum=1.0))
    d = _mapping(raw, key)
    out = np.full(len(intents), float(default))
    if "*" in d:
        out[:] = number(d, "*", f"{key}.", minimum=0.0, maximum=1.0)
    for it, v in d.items():
        if it != "*":
            j = intents.index(_check_name(it, intents, f"{key}.{it}", 'intent (or "*")'))
            out[j] = number({it: v}, it, f"{key}.", minimum=0.0, maximum=1.0)
    return out


def _chatbot(raw: Any, centre: Centre) -> ChatbotSpec:
    p = f"{_P}chatbot."
    d = with_defaults(raw, ChatbotConf, p)
    chans = [ch.name for ch in centre.channels]
    intents = [it.name for it in centre.intents]
    fronted_c = [
        chans.index(_check_name(c, chans, f"{p}channels[{i}]", "channel"))
        for i, c in enumerate(_list(d["channels"], f"{p}channels"))
    ]
    if not fronted_c:
        raise ConfigError(f"{p}channels", d["channels"], "name the channels the bot fronts")
    fronted_j = (
        range(len(intents))
        if d["intents"] is None
        else [
            intents.index(_check_name(j, intents, f"{p}intents[{i}]", "intent"))
            for i, j in enumerate(_list(d["intents"], f"{p}intents"))
        ]
    )
    fronted = np.zeros((len(chans), len(intents)), dtype=bool)
    fronted[np.ix_(fronted_c, list(fronted_j))] = True
    containment = np.where(
        fronted, _per_intent(d["containment"], intents, f"{p}containment", 0.0)[None, :], 0.0
    )
    switch = np.eye(len(chans))
    for src, row in _mapping(d["switch"], f"{p}switch").items():
        key = f"{p}switch.{src}"
        c = chans.index(_check_name(src, chans, key, "channel"))
        for dst, share in _mapping(row, key).items():
            c2 = chans.index(_check_name(dst, chans, f"{key}.{dst}", "channel"))
            switch[c, c2] += number({dst: share}, dst, f"{key}.", minimum=0.0, maximum=1.0)
            switch[c, c] -= switch[c, c2] if c2 != c else 0.0
        if switch[c, c] < -1e-12:
            raise ConfigError(key, dict(row), "shares must add up to at most 1")
    capacity = d["capacity"]
    if capacity is not None:
        capacity = number(d, "capacity", p, minimum=1.0, maximum=MAX_INT32, integer=True)
    session = distribution_from_config(d["session_time"], f"{p}session_time.", allow_none=False)
    assert session is not None
    return ChatbotSpec(
        fronted=fronted,
        containment=containment,
        session=session,
        context_share=number(d, "context_share", p, minimum=0.0, maximum=1.0),
        context_factor=number(
            d, "context_handle_factor", p, minimum=0.0, strict_min=True, maximum=MAX_FACTOR
        ),
        no_context_factor=number(
            d, "no_context_handle_factor", p, minimum=0.0, strict_min=True, maximum=MAX_FACTOR
        ),
        switch=np.clip(switch, 0.0, 1.0),
        capacity=capacity,
    )


def _outreach(raw: Any, centre: Centre, start: datetime, events: list[str]) -> OutreachSpec:
    p = f"{_P}outreach."
    d = with_defaults(raw, OutreachConf, p)
    if not events:
        raise ConfigError(
            f"{p}event", d["event"], "the centre has no demand events (centre.events)"
        )
    e = events.index(_check_name(d["event"], events, f"{p}event", "event"))
    chans = [ch.name for ch in centre.channels]
    reply_channel = None
    if d["reply_channel"] is not None:
        reply_channel = chans.index(
            _check_name(d["reply_channel"], chans, f"{p}reply_channel", "channel")
        )
    replies = number(d, "replies_per_notified", p, minimum=0.0, maximum=MAX_FACTOR)
    if replies > 0 and reply_channel is None:
        raise ConfigError(f"{p}reply_channel", None, "name the channel replies arrive on")
    audience = d["audience"]
    if audience is not None:
        audience = number(d, "audience", p, minimum=0.0, maximum=MAX_CONTACTS_PER_REPLICATION)
    call_channel = None
    if d["via"] == "call":
        call_channel = len(chans) - 1  # apply_to_centre_config added it after the others
    return OutreachSpec(
        name=str(d["event"]),
        event=e,
        notify_s=centre.event_start_s[e]
        + 60.0
        * number(d, "lead_time_min", p, minimum=-MAX_DURATION_MIN.value, maximum=MAX_DURATION_MIN),
        reach=number(d, "reach", p, minimum=0.0, maximum=1.0),
        prevention=number(d, "prevention", p, minimum=0.0, maximum=1.0),
        audience=-1.0 if audience is None else audience,
        replies_per_notified=replies,
        reply_channel=reply_channel,
        reply_delay=distribution_from_config(d["reply_delay"], f"{p}reply_delay.", allow_none=True),
        call_channel=call_channel,
        contact_rate=number(d, "contact_rate", p, minimum=0.0, maximum=1.0),
        attempt_s=number(d, "attempt_s", p, minimum=0.0, maximum=MAX_DURATION_S),
    )


def strategies_for(strategy_raw: Any, centre: Centre, start: datetime) -> Centre:
    """``centre`` (built from :func:`apply_to_centre_config`'s output) with the contact-level
    strategies and added agents of ``strategy_raw``."""
    names = strategy_names(strategy_raw)
    if not names:
        return centre
    s = as_dict(strategy_raw)
    chatbot = _chatbot(s["chatbot"], centre) if "chatbot" in names else None
    context = None
    if "context" in names:
        p = f"{_P}context."
        d = with_defaults(s["context"], ContextConf, p)
        context = ContextSpec(
            share=number(d, "share", p, minimum=0.0, maximum=1.0),
            handle_factor=number(
                d, "handle_factor", p, minimum=0.0, strict_min=True, maximum=MAX_FACTOR
            ),
            repeat_factor=number(d, "repeat_factor", p, minimum=0.0, maximum=MAX_FACTOR),
        )
    callbacks = None
    if "callbacks" in names:
        p = f"{_P}callbacks."
        d = with_defaults(s["callbacks"], CallbacksConf, p)
        chans = [ch.name for ch in centre.channels]
        chosen = {
            _check_name(c, chans, f"{p}channels[{i}]", "channel")
            for i, c in enumerate(_list(d["channels"], f"{p}channels"))
        }
        for c in chosen:
            if centre.channels[chans.index(c)].mode != "sync":
                raise ConfigError(f"{p}channels", c, "callbacks are for sync channels")
        callbacks = CallbackSpec(
            channels=tuple(name in chosen for name in chans),
            threshold_s=number(d, "threshold_s", p, minimum=0.0, maximum=MAX_DURATION_S),
            acceptance=number(d, "acceptance", p, minimum=0.0, maximum=1.0),
            min_idle_agents=number(
                d, "min_idle_agents", p, minimum=0.0, maximum=MAX_AGENTS, integer=True
            ),
            deadline_s=60.0
            * number(d, "deadline_min", p, minimum=0.0, strict_min=True, maximum=MAX_DURATION_MIN),
        )
    outreach: tuple[OutreachSpec, ...] = ()
    if "outreach" in names:
        outreach = (_outreach(s["outreach"], centre, start, list(centre.event_names)),)
    pools = centre.pools
    if "staffing" in names:
        p = f"{_P}staffing."
        d = with_defaults(s["staffing"], StaffingConf, p)
        add = _mapping(d["add_agents"], f"{p}add_agents")
        pool_names = [pl.name for pl in pools]
        new_pools = list(pools)
        for pool, n in add.items():
            key = f"{p}add_agents.{pool}"
            i = pool_names.index(_check_name(pool, pool_names, key, "pool"))
            extra = number(
                {pool: n},
                pool,
                f"{p}add_agents.",
                minimum=-MAX_AGENTS.value,
                maximum=MAX_AGENTS,
                integer=True,
            )
            pl = pools[i]
            sched = np.where(pl.agents_scheduled > 0, pl.agents_scheduled + extra, 0.0)
            if (sched < 0).any():
                raise ConfigError(key, n, "would leave a negative number of agents")
            # Added heads keep the pool's on-phone share interval by interval (a segment
            # roster's breaks and meetings included).
            on_phone = np.floor(sched * pl.on_phone_shares() + 0.5).astype(np.int64)
            new_pools[i] = dataclasses.replace(pl, agents_scheduled=sched, agents_on_phone=on_phone)
        pools = tuple(new_pools)
    return dataclasses.replace(
        centre,
        pools=pools,
        strategies=Strategies(
            names=tuple(names),
            chatbot=chatbot,
            context=context,
            callbacks=callbacks,
            outreach=outreach,
        ),
    )
