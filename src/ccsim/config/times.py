"""Dates and times in the config (``centre.start``, ``centre.events[*].start``): the centre's
local wall-clock time, without a time-zone offset (the rule of docs/input_files.md, as for the
forecast and roster files)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ccsim.errors import ConfigError
from ccsim.inputs.timestamps import LOCAL_TIME_HINT, offset_of

__all__ = ["local_datetime"]

DATE_TIME = "a date and time, YYYY-MM-DD HH:MM (the centre's local time, no time-zone offset)"


def local_datetime(value: Any, key: str) -> datetime:
    """``value`` (``"2026-01-05 08:00"``, or a ``datetime`` / ``date`` from Python) as a naive
    datetime; :class:`ConfigError` naming ``key`` for anything else, and one of its own for a
    value with a time-zone offset (``+01:00``, ``Z``) or an aware ``datetime``."""
    if isinstance(value, datetime):
        t = value
    elif isinstance(value, date):
        t = datetime.combine(value, time())
    else:
        try:
            t = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ConfigError(key, value, DATE_TIME) from None
    if t.tzinfo is not None:
        given = offset_of(value) if isinstance(value, str) else None
        offset = given[1] if given else t.strftime("%z") or str(t.tzinfo)
        local = t.replace(tzinfo=None)
        shown = f"{local:%Y-%m-%d %H:%M}" + (f":{local:%S}" if local.second else "")
        raise ConfigError(
            key,
            value if isinstance(value, str) else str(value),
            f"has a time-zone offset ({offset}); {LOCAL_TIME_HINT} ({shown!r}, if that is "
            "the centre's clock)",
        )
    return t
