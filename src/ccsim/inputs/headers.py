"""The header checks of the input tables (:mod:`ccsim.inputs.tables`): ccsim's own column
names, or the file's headers under a column mapping."""

from __future__ import annotations

import difflib
from typing import Any, Mapping, Sequence

from ccsim.errors import InputFileError

__all__ = ["check_header", "mapped_columns"]


def mapped_columns(
    fail: Any,
    header: list[str],
    line: int,
    word: str,
    mapping: Mapping[str, str],
    required: Sequence[str],
    allowed: Sequence[str],
    option_prefix: str,
) -> dict[str, int]:
    """Where each of ccsim's columns is in ``header`` under ``mapping``: ccsim name -> index,
    in file order."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        positions.setdefault(name, []).append(i)
    shown = ", ".join(repr(h) for h in header if h) or "(no names)"
    taken = set(mapping.values())
    index: dict[str, int] = {}
    for name in allowed:
        wanted = mapping.get(name)
        if wanted is None:
            if name in taken or name not in positions:  # an unmapped column of its own name
                if name in required:
                    raise fail(
                        line,
                        name,
                        f"required column {name!r} is missing: map it in {option_prefix}columns "
                        f"or name a column {name!r}; the header ({word} {line}) has: {shown} (if "
                        f"the header is lower down, give its {word} as {option_prefix}header_row)",
                    )
                continue
            wanted = name
        at = positions.get(wanted)
        if not at:
            raise fail(
                line,
                name,
                f"header {wanted!r} ({option_prefix}columns.{name}) is not in the file; the "
                f"header ({word} {line}) has: {shown} (names are case-sensitive; if the header "
                f"is lower down, give its {word} as {option_prefix}header_row)",
            )
        if len(at) > 1:
            raise fail(line, name, f"header {wanted!r} is given {len(at)} times; it must be unique")
        index[name] = at[0]
    return dict(sorted(index.items(), key=lambda kv: kv[1]))


def check_header(
    path: str,
    line: int,
    header: list[str],
    required: tuple[str, ...],
    allowed: tuple[str, ...],
    sheet: str | None = None,
    option_prefix: str = "",
) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputFileError(
                path, line, name, f"column {name!r} is given twice in the header", sheet=sheet
            )
        seen.add(name)
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if ";" in name or "\t" in name:
                hint += " (the file must be comma-separated)"
            mapping_hint = (
                f"; or map the file's headers to them with {option_prefix}columns"
                if option_prefix
                else ""
            )
            raise InputFileError(
                path,
                line,
                name,
                f"unknown column {name!r}{hint}; allowed columns: {', '.join(allowed)} "
                f"(names are case-sensitive){mapping_hint}",
                sheet=sheet,
            )
    for name in required:
        if name not in seen:
            raise InputFileError(
                path,
                line,
                name,
                f"required column {name!r} is missing; the header has: {', '.join(header)}",
                sheet=sheet,
            )
