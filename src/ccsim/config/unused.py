"""Keys that a config's switches leave unused: a ``dist``, a channel's ``mode``, its
``concurrency``, a waiting room of 0, a forecast file, the run ``mode``...

:func:`unused_keys` lists every such key that holds a value, with the setting that makes it
unused; :mod:`ccsim.config.user_keys` turns those the user set into a
:class:`~ccsim.errors.ConfigError` (a preset's value made unused by the user's switch is not an
error: ``scenario=erlang_a scenario.patience.dist=none`` leaves the preset's ``mean_s`` unused).
Values are read from the resolved config (every schema default filled in), defensively: a value
of the wrong type is the validators' to report.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Unused", "unused_keys", "DIST_KEYS"]


@dataclass(frozen=True)
class Unused:
    """``key`` holds ``value``, which nothing reads because of ``why`` (the setting, and how to
    make the key count)."""

    key: str
    value: Any
    why: str


# The keys each dist reads (besides ``dist``); hyperexponential reads mean_s and cv, or its
# explicit phases (probabilities and means_s) instead.
DIST_KEYS: dict[str, tuple[str, ...]] = {
    "exponential": ("mean_s",),
    "deterministic": ("mean_s",),
    "lognormal": ("mean_s", "cv"),
    "gamma": ("mean_s", "cv"),
    "empirical": ("values_s", "weights"),
    "uniform": ("low_s", "high_s"),
    "hyperexponential": ("mean_s", "cv", "probabilities", "means_s"),
    "none": (),
}
_SHAPE_KEYS = ("mean_s", "cv", "values_s", "weights", "low_s", "high_s", "probabilities", "means_s")


def _node(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _users(key: str) -> str:
    return ", ".join(d for d, keys in DIST_KEYS.items() if key in keys)


def _distribution(raw: Any, prefix: str) -> Iterator[Unused]:
    """The keys of one duration that its ``dist`` does not read."""
    d = _node(raw)
    dist = d.get("dist")
    if dist not in DIST_KEYS:
        return  # an unknown dist: the validator names it
    used = set(DIST_KEYS[dist])
    explicit = dist == "hyperexponential" and (
        d.get("probabilities") is not None or d.get("means_s") is not None
    )
    if explicit:
        used -= {"mean_s", "cv"}
    for key in _SHAPE_KEYS:
        if key in used or d.get(key) is None:
            continue
        here = f"{prefix}dist is {dist}"
        if dist == "none":
            why = f"{here} (set {prefix}dist=exponential or another distribution)"
        elif key == "cv" and dist in ("exponential", "deterministic"):
            fixed = "1" if dist == "exponential" else "0"
            why = (
                f"{here}, whose cv is fixed at {fixed} (for another cv set {prefix}dist="
                "lognormal, gamma or hyperexponential)"
            )
        elif explicit:
            why = (
                f"{prefix}probabilities and {prefix}means_s give the hyperexponential's phases, "
                f"which replace mean_s and cv (give one or the other)"
            )
        else:
            why = f"{here} ({key} is read by dist={_users(key)})"
        yield Unused(f"{prefix}{key}", d[key], why)


def _all_of(raw: Any, prefix: str, why: str) -> Iterator[Unused]:
    """Every key holding a value of a duration that is never drawn (``dist: none`` aside)."""
    d = _node(raw)
    if d.get("dist") == "none":
        return
    for key, value in d.items():
        if value is not None:
            yield Unused(f"{prefix}{key}", value, why)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (Mapping, list, tuple)) and not value)


def _keys(d: Mapping[str, Any], keys: tuple[str, ...], prefix: str, why: str) -> Iterator[Unused]:
    """``d``'s ``keys`` that hold a value (every key of a duration among them)."""
    for key in keys:
        value = d.get(key)
        if isinstance(value, Mapping) and "dist" in value:
            yield from _all_of(value, f"{prefix}{key}.", why)
        elif not _empty(value):
            yield Unused(f"{prefix}{key}", value, why)


def _patience_off(waiting_room: Any) -> bool:
    return waiting_room == 0 and not isinstance(waiting_room, bool)


def _scenario(sc: Mapping[str, Any]) -> Iterator[Unused]:
    p = "scenario."
    yield from _distribution(sc.get("handle_time"), f"{p}handle_time.")
    yield from _distribution(sc.get("patience"), f"{p}patience.")
    if _patience_off(sc.get("waiting_room")):
        why = f"{p}waiting_room is 0, a loss system: nobody waits, so nobody abandons"
        yield from _all_of(sc.get("patience"), f"{p}patience.", why)


def _abandons(ch: Mapping[str, Any]) -> bool:
    """Whether customers of a channel abandon (and so may retry): live, patient, queued."""
    return (
        ch.get("mode", "sync") == "sync"
        and _node(ch.get("patience")).get("dist", "none") != "none"
        and not _patience_off(ch.get("waiting_room"))
    )


def _channels(c: Mapping[str, Any], strategy: Mapping[str, Any]) -> Iterator[Unused]:
    chaser = _node(c.get("behaviour")).get("chaser_channel")
    for name, raw in _node(c.get("channels")).items():
        ch = _node(raw)
        p = f"centre.channels.{name}."
        yield from _distribution(ch.get("handle_time"), f"{p}handle_time.")
        yield from _distribution(ch.get("patience"), f"{p}patience.")
        mode = ch.get("mode", "sync")
        if mode == "sync":
            why = f"{p}mode is sync: its target is target_answer_s (set {p}mode=async)"
            yield from _keys(ch, ("target_response_h",), p, why)
        elif mode == "async":
            why = f"{p}mode is async: its target is target_response_h (set {p}mode=sync)"
            yield from _keys(ch, ("target_answer_s",), p, why)
            if chaser is None:
                why = (
                    f"{p}mode is async and centre.behaviour.chaser_channel is null: an async "
                    "patience is the customer's tolerance before chasing on the chaser channel "
                    "(set centre.behaviour.chaser_channel)"
                )
                yield from _all_of(ch.get("patience"), f"{p}patience.", why)
        if _patience_off(ch.get("waiting_room")):
            why = f"{p}waiting_room is 0: nobody waits, so nobody abandons or chases"
            yield from _all_of(ch.get("patience"), f"{p}patience.", why)
        if ch.get("concurrency", 1) == 1 and ch.get("service", "fixed") != "fixed":
            why = f"{p}concurrency is 1: one contact at a time is served alike either way"
            yield from _keys(ch, ("service",), p, why)
        if c.get("forecast_csv"):
            why = "centre.forecast_csv is set: the forecast gives every channel's volumes"
            yield from _keys(ch, ("daily_volume", "intraday_profile", "day_of_week"), p, why)


def _behaviour(c: Mapping[str, Any], strategy: Mapping[str, Any]) -> Iterator[Unused]:
    p = "centre.behaviour."
    b = _node(c.get("behaviour"))
    channels = {str(k): _node(v) for k, v in _node(c.get("channels")).items()}
    retrying = False
    for name, prob in _node(b.get("retry_prob")).items():
        ch = channels.get(str(name))
        if ch is None or not isinstance(prob, (int, float)) or prob == 0:
            continue
        if _abandons(ch):
            retrying = True
        else:
            why = (
                f"customers of channel {name} never abandon (an async channel, patience none or "
                "waiting_room 0), and only abandoned contacts retry"
            )
            yield Unused(f"{p}retry_prob.{name}", prob, why)
    if not retrying:
        why = f"no channel's customers abandon with a {p}retry_prob above 0: nobody retries"
        yield from _keys(b, ("retry_delay", "retry_switch"), p, why)
        if b.get("retry_patience", "redraw") != "redraw":
            yield from _keys(b, ("retry_patience",), p, why)
    fcrs = [_node(it).get("fcr", 1.0) for it in _node(c.get("intents")).values()]
    if strategy.get("fcr") is None and fcrs and all(f == 1 for f in fcrs):
        why = "every intent's fcr is 1: every contact is resolved, nobody repeats"
        yield from _keys(b, ("repeat_delay", "repeat_switch"), p, why)
    chasers = [
        ch
        for ch in channels.values()
        if ch.get("mode") == "async" and _node(ch.get("patience")).get("dist", "none") != "none"
    ]
    if not chasers:
        why = "no async channel has a patience (the tolerance after which its customers chase)"
        yield from _keys(b, ("chaser_channel",), p, why)
    pools = [_node(pl) for pl in _node(c.get("pools")).values()]
    if not any(_node(pl.get("secondary")) for pl in pools):
        why = "no pool has secondary skills (overflow_s is the wait before they help)"
        yield from _keys(b, ("overflow_s",), p, why)


def _pools(c: Mapping[str, Any], strategy: Mapping[str, Any]) -> Iterator[Unused]:
    shifting = _node(strategy.get("workload_shifting"))
    pools = shifting.get("pools")
    shifted: list[Any] = pools if isinstance(pools, list) else []
    for name, raw in _node(c.get("pools")).items():
        p = f"centre.pools.{name}."
        if name in shifted:
            why = (
                f"strategy.workload_shifting sets it for pool {name} from its min_idle_agents "
                "(set strategy.workload_shifting.min_idle_agents)"
            )
        elif not _node(_node(raw).get("deferred")):
            why = f"{p}deferred is empty: the pool has no deferred work to hold agents back for"
        else:
            continue
        yield from _keys(_node(raw), ("deferred_min_idle",), p, why)


def _strategy(s: Mapping[str, Any]) -> Iterator[Unused]:
    chatbot = s.get("chatbot")
    if isinstance(chatbot, Mapping):
        p = "strategy.chatbot."
        yield from _distribution(chatbot.get("session_time"), f"{p}session_time.")
        share = chatbot.get("context_share", 0.0)
        if share == 0:
            why = f"{p}context_share is 0: no escalation carries its context"
            yield from _keys(chatbot, ("context_handle_factor",), p, why)
        elif share == 1:
            why = f"{p}context_share is 1: every escalation carries its context"
            yield from _keys(chatbot, ("no_context_handle_factor",), p, why)
    outreach = s.get("outreach")
    if isinstance(outreach, Mapping):
        p = "strategy.outreach."
        yield from _distribution(outreach.get("reply_delay"), f"{p}reply_delay.")
        yield from _distribution(outreach.get("call_handle_time"), f"{p}call_handle_time.")
        via = outreach.get("via", "sms")
        if via != "call":
            why = f"{p}via is {via}: these are for outbound calls (set {p}via=call)"
            keys = ("call_pool", "contact_rate", "call_handle_time", "attempt_s")
            yield from _keys(outreach, keys, p, why)
        if outreach.get("replies_per_notified", 0.0) == 0:
            why = f"{p}replies_per_notified is 0: nobody replies"
            yield from _keys(outreach, ("reply_channel", "reply_intent", "reply_delay"), p, why)


def _planning(cfg: Mapping[str, Any]) -> Iterator[Unused]:
    mode = cfg.get("mode", "run")
    planning = _node(cfg.get("planning"))
    p = "planning."
    if mode == "run":
        why = "mode is run: planning.* is read by mode=staff, schedule or plan"
        yield from _leaves(planning, p, why)
        return
    if mode != "schedule":
        why = f"mode is {mode}: planning.schedule is read by mode=schedule"
        yield from _leaves(_node(planning.get("schedule")), f"{p}schedule.", why)
    if mode != "plan":
        why = f"mode is {mode}: planning.levers is read by mode=plan"
        levers = planning.get("levers")
        if isinstance(levers, Mapping):
            yield from _leaves(levers, f"{p}levers.", why)
        elif levers is not None:
            yield Unused(f"{p}levers", levers, why)


def _leaves(node: Mapping[str, Any], prefix: str, why: str) -> Iterator[Unused]:
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{prefix}{key}.", why)
        elif not _empty(value):
            yield Unused(f"{prefix}{key}", value, why)


def unused_keys(cfg: Mapping[str, Any]) -> Iterator[Unused]:
    """Every key of ``cfg`` (a resolved config) that holds a value the config's switches leave
    unused, in the config's order (docs/config_ranges.md, "Keys a switch leaves unused")."""
    strategy = _node(cfg.get("strategy"))
    scenario = cfg.get("scenario")
    if isinstance(scenario, Mapping):
        yield from _scenario(scenario)
    centre = cfg.get("centre")
    if isinstance(centre, Mapping):
        yield from _channels(centre, strategy)
        yield from _behaviour(centre, strategy)
        behaviour = _node(centre.get("behaviour"))
        for key in ("retry_delay", "repeat_delay"):
            yield from _distribution(behaviour.get(key), f"centre.behaviour.{key}.")
        yield from _pools(centre, strategy)
    yield from _strategy(strategy)
    yield from _planning(cfg)
