"""Timestamps in the input files: the centre's local wall-clock time, ``YYYY-MM-DD HH:MM[:SS]``
(or with ``T``), nothing else.

A time-zone offset (``2026-01-05T08:00:00+02:00``, ``...Z``, ``... UTC``) is refused with a
message of its own: ccsim's calendar is the centre's local clock (intraday profiles, shifts,
days of the week), and an offset is fixed while the local clock's offset changes with
daylight-saving time, so an offset cannot simply be dropped or applied (docs/input_files.md).
"""

from __future__ import annotations

import re
from datetime import datetime

from ccsim.errors import InputFileError

__all__ = ["TIMESTAMP_FORMAT", "LOCAL_TIME_HINT", "parse_timestamp", "offset_of"]

TIMESTAMP_FORMAT = "YYYY-MM-DD HH:MM (or YYYY-MM-DDTHH:MM; seconds optional, no time zone)"
LOCAL_TIME_HINT = (
    "ccsim works in the centre's local wall-clock time: give the local time without an offset"
)

_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
# A timestamp (fractions of a second allowed here, to name the offset first) and its offset.
_WITH_OFFSET_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"\s*((?:Z|UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}(?::?\d{2})?)",
    re.IGNORECASE,
)


def offset_of(text: str) -> tuple[str, str] | None:
    """``(local part, offset)`` when ``text`` is a timestamp with a time-zone offset
    (``+02:00``, ``-0500``, ``Z``, ``UTC``), else None."""
    m = _WITH_OFFSET_RE.fullmatch(text.strip())
    return (m[1], m[2]) if m else None


def parse_timestamp(path: str, line: int, column: str, text: str) -> datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` or with ``T``; nothing else (no time zone, no fractions)."""
    if not text:
        raise InputFileError(path, line, column, f"empty; expected a timestamp {TIMESTAMP_FORMAT}")
    if _TIMESTAMP_RE.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError as exc:
            raise InputFileError(
                path, line, column, f"{text!r} is not a valid date and time ({exc})"
            ) from None
    tz = offset_of(text)
    if tz is not None:
        raise InputFileError(
            path,
            line,
            column,
            f"{text!r} has a time-zone offset ({tz[1]}); {LOCAL_TIME_HINT} ({tz[0]!r}, "
            "if that is the centre's clock)",
        )
    raise InputFileError(
        path, line, column, f"{text!r} is not a timestamp; expected {TIMESTAMP_FORMAT}"
    )
