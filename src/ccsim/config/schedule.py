"""Validate ``planning.schedule`` (the allowed shift types, the requirement to cover, the price
of a shortfall, the solver's time limit) and build a :class:`~ccsim.model.schedule.ScheduleSpec`.

Every error is one :class:`~ccsim.errors.ConfigError` naming the full key (e.g.
``planning.schedule.shift_types[2].length_h``), the value and what is allowed, before anything
runs. Times are whole minutes: the roster file the schedule is written to holds breaks as clock
times ``HH:MM``, so a roster of shifts off the minute could not be read back as it was planned.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any, Mapping, Sequence, TypeGuard

from ccsim.config.limits import MAX_AGENTS, MAX_DURATION_S, MAX_PRICE
from ccsim.config.schema import ScheduleConf
from ccsim.config.values import as_dict, check_keys, number, number_value, with_defaults
from ccsim.errors import ConfigError
from ccsim.model.schedule import REQUIREMENTS, ScheduleSpec, ShiftType

__all__ = ["SHIFT_TYPE_KEYS", "schedule_from_config"]

_P = "planning.schedule."
SHIFT_TYPE_KEYS = (
    "name",
    "pools",
    "starts",
    "start_window",
    "step_min",
    "length_h",
    "breaks",
    "days",
    "cost_per_h",
    "max_count",
)
_BREAK_KEYS = ("after_h", "length_min")
_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})")
_EXAMPLE = (
    "give at least one shift type, e.g. [{name: early, starts: ['07:00', '07:30'], "
    "length_h: 8.5, breaks: [{after_h: 4, length_min: 30}]}] (docs/planning.md)"
)


def _is_list(v: Any) -> TypeGuard[Sequence[Any]]:
    return isinstance(v, Sequence) and not isinstance(v, (str, bytes))


def _whole_minutes(hours: float, key: str, what: str) -> int:
    """``hours`` as a whole number of minutes; the roster format has no seconds."""
    minutes = round(60.0 * hours)
    if abs(60.0 * hours - minutes) > 1e-6:
        raise ConfigError(
            key, hours, f"{what} must be a whole number of minutes (hours x 60 whole, e.g. 7.75)"
        )
    return int(minutes)


def _clock_min(v: Any, key: str) -> int:
    """``"HH:MM"`` -> minutes after midnight."""
    m = _CLOCK_RE.fullmatch(v.strip()) if isinstance(v, str) else None
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        hint = (
            " (YAML reads an unquoted 12:30 as the number 750: write it in quotes, '12:30')"
            if isinstance(v, int) and not isinstance(v, bool)
            else ""
        )
        raise ConfigError(key, v, f"must be a clock time 'HH:MM' from 00:00 to 23:59{hint}")
    return 60 * int(m[1]) + int(m[2])


def _names(v: Any, key: str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    if not _is_list(v) or not v:
        raise ConfigError(key, v, f"must be a non-empty list of {what}s")
    for j, name in enumerate(v):
        if name not in allowed:
            raise ConfigError(
                f"{key}[{j}]", name, f"unknown {what}; allowed: {', '.join(allowed) or '(none)'}"
            )
    if len(set(v)) != len(v):
        raise ConfigError(key, v, f"each {what} at most once")
    return tuple(str(n) for n in v)


def _starts_min(d: Mapping[str, Any], key: str, interval_min: int) -> list[int]:
    """The start times (minutes after midnight) of ``starts`` or ``start_window`` + step."""
    starts, window, step = d.get("starts"), d.get("start_window"), d.get("step_min")
    if (starts is None) == (window is None):
        raise ConfigError(
            f"{key}.starts",
            starts,
            "give exactly one of starts (a list of 'HH:MM') and start_window (['HH:MM', "
            "'HH:MM'], every step_min minutes)",
        )
    if starts is not None:
        if step is not None:
            raise ConfigError(f"{key}.step_min", step, "goes with start_window, not with starts")
        if not _is_list(starts) or not starts:
            raise ConfigError(f"{key}.starts", starts, "must be a non-empty list of 'HH:MM'")
        out = [_clock_min(v, f"{key}.starts[{j}]") for j, v in enumerate(starts)]
        if len(set(out)) != len(out):
            raise ConfigError(f"{key}.starts", starts, "each start time at most once")
        return sorted(out)
    if not _is_list(window) or len(window) != 2:
        raise ConfigError(
            f"{key}.start_window", window, "must be [first, last] start, e.g. ['07:00', '12:00']"
        )
    first, last = (_clock_min(v, f"{key}.start_window[{j}]") for j, v in enumerate(window))
    if last < first:
        raise ConfigError(
            f"{key}.start_window",
            window,
            "the last start must not be before the first (a window does not cross midnight: "
            "list such starts in starts)",
        )
    step_min = interval_min if step is None else step
    step_min = number_value(step_min, f"{key}.step_min", minimum=1, maximum=1440, integer=True)
    return list(range(first, last + 1, step_min))


def _breaks(v: Any, key: str, length_min: int) -> tuple[tuple[float, float], ...]:
    """``[{after_h, length_min}]`` -> ``(after_s, length_s)``, strictly inside the shift, sorted,
    neither overlapping nor touching (the roster file's rule)."""
    if v is None:
        return ()
    if not _is_list(v):
        raise ConfigError(key, v, "must be a list of {after_h, length_min}")
    placed: list[tuple[int, int, int]] = []  # (after_min, end_min, index)
    for j, b in enumerate(v):
        bk = f"{key}[{j}]"
        if not isinstance(b, Mapping):
            raise ConfigError(bk, b, "must be a mapping {after_h, length_min}")
        check_keys(b, _BREAK_KEYS, f"{bk}.")
        for k in _BREAK_KEYS:
            if b.get(k) is None:
                raise ConfigError(f"{bk}.{k}", None, "required")
        after_h = number(b, "after_h", f"{bk}.", minimum=0.0, strict_min=True)
        after_min = _whole_minutes(after_h, f"{bk}.after_h", "the break's start")
        minutes = number(b, "length_min", f"{bk}.", minimum=1, integer=True)
        if after_min + minutes >= length_min:
            raise ConfigError(
                f"{bk}.after_h",
                b["after_h"],
                f"the break ({after_h:g} h after the start, {minutes} min) must end before the "
                f"shift ends ({length_min / 60:g} h)",
            )
        placed.append((after_min, after_min + minutes, j))
    placed.sort()
    for (_, end0, j0), (start1, _, j1) in pairwise(placed):
        if start1 <= end0:
            raise ConfigError(
                f"{key}[{j1}]",
                v[j1],
                f"overlaps or touches break {j0}; breaks must not (write back-to-back breaks "
                "as one)",
            )
    return tuple((60.0 * a, 60.0 * (e - a)) for a, e, _ in placed)


def _shift_type(item: Any, i: int, pool_names: Sequence[str], interval_min: int) -> ShiftType:
    key = f"{_P}shift_types[{i}]"
    if not isinstance(item, Mapping):
        raise ConfigError(key, item, f"must be a mapping with keys {', '.join(SHIFT_TYPE_KEYS)}")
    check_keys(item, SHIFT_TYPE_KEYS, f"{key}.")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{key}.name", name, "required: a non-empty name, e.g. early")
    pools_v = item.get("pools")
    pools = (
        tuple(pool_names)
        if pools_v is None
        else _names(pools_v, f"{key}.pools", pool_names, "pool")
    )
    if item.get("length_h") is None:
        raise ConfigError(f"{key}.length_h", None, "required: the shift's length in hours")
    length_h = number(item, "length_h", f"{key}.", minimum=0.0, strict_min=True, maximum=24.0)
    length_min = _whole_minutes(length_h, f"{key}.length_h", "the length")
    starts = _starts_min(item, key, interval_min)
    breaks = _breaks(item.get("breaks"), f"{key}.breaks", length_min)
    days_v = item.get("days")
    if days_v is None:
        days = tuple(range(7))
    else:
        if not _is_list(days_v) or not days_v:
            raise ConfigError(
                f"{key}.days", days_v, "must be a non-empty list of weekdays 0-6 (Monday = 0)"
            )
        for j, day in enumerate(days_v):
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ConfigError(f"{key}.days[{j}]", day, "must be a weekday 0-6 (Monday = 0)")
        days = tuple(sorted(set(days_v)))
    cost = item.get("cost_per_h")
    if cost is not None:
        cost = number(item, "cost_per_h", f"{key}.", minimum=0.0, maximum=MAX_PRICE)
    max_count = item.get("max_count")
    if max_count is not None:
        max_count = number(
            item, "max_count", f"{key}.", minimum=0, maximum=MAX_AGENTS, integer=True
        )
    return ShiftType(
        name=name.strip(),
        pools=pools,
        start_offsets_s=tuple(60.0 * s for s in starts),
        length_s=60.0 * length_min,
        breaks=breaks,
        days=days,
        cost_per_h=cost,
        max_count=max_count,
    )


def schedule_from_config(
    raw_schedule: Any, pool_names: Sequence[str], interval_min: int
) -> ScheduleSpec:
    """``planning.schedule`` for a centre with pools ``pool_names`` and ``interval_min``-minute
    intervals (the default step of a ``start_window``)."""
    d = with_defaults(as_dict(raw_schedule or {}), ScheduleConf, _P)
    items = d["shift_types"]
    if items is None or (_is_list(items) and not items):
        raise ConfigError(f"{_P}shift_types", items, f"{_P}shift_types is empty; {_EXAMPLE}")
    if not _is_list(items):
        raise ConfigError(f"{_P}shift_types", items, f"must be a list; {_EXAMPLE}")
    types = [_shift_type(item, i, pool_names, interval_min) for i, item in enumerate(items)]
    seen: dict[str, int] = {}
    for i, t in enumerate(types):
        if t.name in seen:
            raise ConfigError(
                f"{_P}shift_types[{i}].name",
                t.name,
                f"already the name of shift_types[{seen[t.name]}]; names must differ",
            )
        seen[t.name] = i
    requirement = d["requirement"]
    if requirement not in REQUIREMENTS:
        raise ConfigError(f"{_P}requirement", requirement, "allowed: " + ", ".join(REQUIREMENTS))
    shortfall = number(d, "shortfall_cost_per_agent_h", _P, minimum=0.0, maximum=MAX_PRICE)
    time_limit = number(d, "time_limit_s", _P, minimum=0.0, strict_min=True, maximum=MAX_DURATION_S)
    return ScheduleSpec(tuple(types), str(requirement), shortfall, time_limit)
