"""``centre.roster_format`` and an activity-segment roster's options (``roster_teams``,
``roster_activities``), checked as config values, and the staffing the roster gives each pool
(:mod:`ccsim.inputs.segments`; docs/input_files.md, "Activity segments")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ccsim.config.input_files import InputFile
from ccsim.config.roster_schema import DEFAULT_ACTIVITIES, RosterActivitiesConf
from ccsim.config.values import with_defaults
from ccsim.errors import ConfigError, InputFileError
from ccsim.inputs.roster import ROSTER_COLUMNS
from ccsim.inputs.segments import CATEGORIES, SEGMENT_COLUMNS, read_segments, segment_staffing

__all__ = ["ROSTER_FORMATS", "roster_columns", "segment_roster"]

_P = "centre."
ROSTER_FORMATS = ("shifts", "segments")


def roster_columns(d: Mapping[str, Any]) -> tuple[str, ...]:
    """ccsim's column names of the roster file of ``d`` (the centre config with defaults), by
    its ``roster_format``; a format that is not one is an error."""
    fmt = d["roster_format"]
    if fmt not in ROSTER_FORMATS:
        raise ConfigError(
            f"{_P}roster_format",
            fmt,
            "the roster file's layout: shifts (one row per shift) or segments (one row per "
            "agent and activity segment, as WFM tools export schedules)",
        )
    if fmt == "shifts":
        for key, default in (("roster_teams", {}), ("roster_activities", DEFAULT_ACTIVITIES)):
            if d[key] not in (default, None):
                raise ConfigError(
                    f"{_P}{key}",
                    d[key],
                    f"only for an activity-segment roster: set {_P}roster_format=segments",
                )
        return ROSTER_COLUMNS
    if not d["roster_csv"]:
        raise ConfigError(
            f"{_P}roster_format",
            fmt,
            f"segments is the layout of a roster file: set {_P}roster_csv too",
        )
    return SEGMENT_COLUMNS


def _teams(raw: Any, pool_names: list[str]) -> dict[str, str | None]:
    key = f"{_P}roster_teams"
    if raw is None or raw == {}:
        return {name: name for name in pool_names}
    if not isinstance(raw, Mapping):
        raise ConfigError(key, raw, "must map the file's teams to pools, e.g. {Voice A: voice}")
    for team, pool in raw.items():
        if pool is not None and pool not in pool_names:
            raise ConfigError(
                f"{key}.{team}",
                pool,
                f"unknown pool; allowed: {', '.join(pool_names)} (or null: leave the team out)",
            )
    return {str(t): (None if p is None else str(p)) for t, p in raw.items()}


def _activities(raw: Any) -> dict[str, list[str]]:
    """Category -> its activities' names, checked: each counts one way (without regard to
    case)."""
    key = f"{_P}roster_activities"
    d = with_defaults(raw if raw is not None else {}, RosterActivitiesConf, f"{key}.")
    seen: dict[str, str] = {}
    out: dict[str, list[str]] = {}
    for category in CATEGORIES:
        names = d[category]
        if names is None:
            names = []
        if isinstance(names, str) or not isinstance(names, (list, tuple)):
            raise ConfigError(f"{key}.{category}", names, "must be a list of activity names")
        for i, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                raise ConfigError(
                    f"{key}.{category}[{i}]", name, "must be an activity's name (not empty)"
                )
            folded = name.strip().casefold()
            if folded in seen and seen[folded] != category:
                raise ConfigError(
                    f"{key}.{category}[{i}]",
                    name,
                    f"is also in {key}.{seen[folded]}; an activity counts one way",
                )
            seen[folded] = category
        out[category] = [str(n).strip() for n in names]
    return out


def segment_roster(
    d: Mapping[str, Any],
    roster_file: InputFile,
    pool_names: list[str],
    *,
    start: datetime,
    interval_s: float,
    n_k: int,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each pool's agents scheduled (paid segments) and on the phone (on-phone segments) per
    interval, from the activity-segment roster ``roster_file`` of ``d`` (the centre config with
    defaults). A roster none of whose segments falls in the horizon is an error."""
    segments = read_segments(
        str(roster_file.path),
        teams=_teams(d["roster_teams"], pool_names),
        activities=_activities(d["roster_activities"]),
        horizon_start=start,
        teams_are_pools=not d["roster_teams"],
        **roster_file.reader_options,
    )
    horizon_s = n_k * interval_s
    counted = [s for s in segments if s.pool is not None]
    if counted and not any(s.end_s > 0 and s.start_s < horizon_s for s in counted):
        first = start + timedelta(seconds=min(s.start_s for s in counted))
        last = start + timedelta(seconds=max(s.end_s for s in counted))
        end = start + timedelta(seconds=horizon_s)
        raise InputFileError(
            str(roster_file.path),
            0,
            "date",
            f"no segment falls in the simulated horizon ({start:%Y-%m-%d %H:%M} to "
            f"{end:%Y-%m-%d %H:%M}); the file's segments run from {first:%Y-%m-%d %H:%M} to "
            f"{last:%Y-%m-%d %H:%M}: check the dates, {_P}start and {_P}horizon_days",
        )
    return {name: segment_staffing(segments, name, interval_s, n_k) for name in pool_names}
