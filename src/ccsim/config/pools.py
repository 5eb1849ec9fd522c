"""The agent pools of a ``centre`` config: their skills and their staffing over the horizon
(a head-count, one per interval, shifts, or the planners' roster file)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ccsim.config.input_files import input_file
from ccsim.config.limits import MAX_AGENTS, MAX_FACTOR
from ccsim.config.roster_segments import roster_columns, segment_roster
from ccsim.config.schema import PoolConf
from ccsim.config.values import entry_names, lookup, number, number_value, with_defaults
from ccsim.errors import ConfigError
from ccsim.inputs.roster import (
    agents_per_interval,
    read_roster_csv,
    shifts_from_config,
)
from ccsim.model.centre import PoolSpec, SkillSpec

__all__ = ["pools_from_config"]

_P = "centre."


def pools_from_config(
    d: Mapping[str, Any],
    rate: np.ndarray,
    ch_names: list[str],
    it_names: list[str],
    *,
    start: datetime,
    n_k: int,
    interval_min: int,
    base_dir: Path,
) -> list[PoolSpec]:
    """The pools of ``d`` (the centre config with defaults). Every channel and intent with
    arrivals in ``rate`` must be some pool's primary skill."""
    interval_s = 60.0 * interval_min
    per_day = 1440 // interval_min
    n_days = -(-n_k // per_day)
    pool_names = entry_names(d["pools"], f"{_P}pools")
    roster = None
    # An activity-segment roster: pool -> (scheduled, on the phone) per interval.
    segments: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
    roster_file = input_file(d, "roster", roster_columns(d), base_dir=base_dir)
    if roster_file is not None and d["roster_format"] == "segments":
        segments = segment_roster(
            d, roster_file, pool_names, start=start, interval_s=interval_s, n_k=n_k
        )
    elif roster_file is not None:
        roster = read_roster_csv(
            roster_file.path,
            pools=pool_names,
            horizon_start=start,
            horizon_end=start + timedelta(seconds=n_k * interval_s),
            **roster_file.reader_options,
        )
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
                c = lookup(ch, ch_names, f"{p}{key}.{ch}", "channel")
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
                        else [lookup(it, it_names, f"{p}{key}.{ch}.{it}", 'intent (or "*")')]
                    )
                    f = number_value(
                        prof,
                        f"{p}{key}.{ch}.{it}",
                        minimum=0.0,
                        strict_min=True,
                        maximum=MAX_FACTOR,
                    )
                    for j in js:
                        if (c, j) not in skills:
                            skills[(c, j)] = SkillSpec(c, j, f, secondary, deferred)
                            served[c, j] |= not (secondary or deferred)
        if not skills:
            raise ConfigError(f"{p}skills", pd["skills"], "a pool needs at least one skill")
        shrinkage = number(pd, "shrinkage", p, minimum=0.0, maximum=1.0, strict_max=True)
        given = [k for k in ("agents", "agents_per_interval", "shifts") if pd[k] is not None]
        planned_on_phone = None  # on-phone heads by the roster's segments (planned shrinkage)
        if roster is not None or segments is not None:
            if given:
                raise ConfigError(
                    f"{p}{given[0]}",
                    pd[given[0]],
                    "staffing comes from centre.roster_csv; remove this key",
                )
            if roster is not None:
                scheduled = agents_per_interval(roster, name, interval_s, n_k)
            else:
                assert segments is not None
                scheduled, planned_on_phone = segments[name]
        elif len(given) != 1:
            raise ConfigError(
                f"{p}agents",
                pd["agents"],
                "give exactly one of agents, agents_per_interval, shifts (or a centre.roster_csv)",
            )
        elif given[0] == "agents":
            agents = number(pd, "agents", p, minimum=0.0, maximum=MAX_AGENTS, integer=True)
            scheduled = np.full(n_k, float(agents))
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
                    number_value(
                        v,
                        f"{p}agents_per_interval[{i}]",
                        minimum=0.0,
                        maximum=MAX_AGENTS,
                        integer=True,
                    )
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
        if scheduled.size and scheduled.max() > MAX_AGENTS.value:
            source = "roster_csv" if not given else f"pools.{name}.{given[0]}"
            raise ConfigError(
                f"{_P}{source}",
                f"<{scheduled.max():,.0f} agents of pool {name} in one interval>",
                f"at most {MAX_AGENTS.value:,.0f} ({MAX_AGENTS.why})",
            )
        share = None
        if planned_on_phone is not None:
            # The schedule's own shrinkage: shrinkage is then what it leaves out (absence).
            kept = planned_on_phone * (1.0 - shrinkage)
            on_phone = np.floor(kept + 0.5).astype(np.int64)
            shrinkage = _overall_shrinkage(scheduled, planned_on_phone, shrinkage)
            share = np.divide(
                kept, scheduled, out=np.full(n_k, 1.0 - shrinkage), where=scheduled > 0
            )
        else:
            on_phone = np.floor(scheduled * (1.0 - shrinkage) + 0.5).astype(np.int64)
        pools.append(
            PoolSpec(
                name=name,
                skills=tuple(skills.values()),
                agents_scheduled=scheduled,
                agents_on_phone=on_phone,
                shrinkage=shrinkage,
                on_phone_share=share,
                deferred_min_idle=number(
                    pd, "deferred_min_idle", p, minimum=0.0, maximum=MAX_AGENTS, integer=True
                ),
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
    return pools


def _overall_shrinkage(scheduled: np.ndarray, on_phone: np.ndarray, unplanned: float) -> float:
    """The share of a segment roster's paid time not on the phone, the schedule's own
    (off-phone segments) and ``unplanned`` together: what Erlang's gross-up and the planned
    capacity take as the pool's shrinkage (``unplanned`` where nobody is on the phone)."""
    paid = float(scheduled.sum())
    on = float(on_phone.sum())
    if paid <= 0 or on <= 0:
        return unplanned
    return min(max(1.0 - (1.0 - unplanned) * on / paid, 0.0), 1.0 - 1e-9)
