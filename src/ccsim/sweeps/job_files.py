"""Reading the files of one job folder for a comparison, trusting none of them.

A folder handed to ``ccsim-report`` may hold anything under a job file's name: a FIFO or a
device (never opened: :func:`ccsim.reports.files.read_regular_file` checks the file type
first, so nothing blocks), a symlink loop, a file of gigabytes (refused above a size cap),
JSON that is not JSON, JSON nested 100,000 levels deep, JSON of the wrong shape, a CSV with
other columns, text where numbers belong, ``inf``, the same replication twice. Each is a
``ValueError`` or ``OSError`` whose message is one line naming the file and what is wrong in
it; :mod:`ccsim.sweeps.collect` lists the job as failed with that line.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

from ccsim.reports.files import fmt, read_regular_file

__all__ = [
    "SUMMARY_MAX_BYTES",
    "REPLICATIONS_MAX_BYTES",
    "SMALL_MAX_BYTES",
    "REPLICATION_COLUMNS",
    "Values",
    "first_line",
    "read_json",
    "summary_fields",
    "read_overrides",
    "read_error",
    "read_replications",
]

SUMMARY_MAX_BYTES = 64 * 2**20  # a year at 5 min of a large centre records a few MB
REPLICATIONS_MAX_BYTES = 256 * 2**20
SMALL_MAX_BYTES = 4 * 2**20  # error.json (with its traceback), .hydra/overrides.yaml
REPLICATION_COLUMNS = ("replication", "channel", "metric", "value")
Values = dict[tuple[str, str], dict[int, float]]


def first_line(text: str | BaseException) -> str:
    """The first line of a message; an OSError as ``FILE: reason`` (no folder path)."""
    if isinstance(text, OSError) and text.filename and text.strerror:
        return f"{Path(text.filename).name}: {text.strerror}"
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else "unknown error"


def read_json(path: Path, limit: int) -> Any:
    """The JSON in ``path``, at most ``limit`` bytes (``NaN`` and ``Infinity`` read as Python's
    json writes them); too deep a nesting is refused with one line, not a RecursionError."""
    data = read_regular_file(path, limit)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text") from None
    except RecursionError:
        raise ValueError(f"{path.name} is nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"{path.name} is not JSON ({first_line(exc)})") from None


def _kind(v: Any) -> str:
    """What a JSON value is, in JSON's words."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"a number ({v!r})"
    if isinstance(v, str):
        return f"a string ({v[:40]!r})"
    return "an array" if isinstance(v, list) else "an object"


def _want(ok: bool, where: str, v: Any, wanted: str) -> None:
    if not ok:
        raise ValueError(f"summary.json: {where} is {_kind(v)}, not {wanted}")


def _is_number(v: Any) -> bool:
    """A JSON number that is not infinite (NaN, as null, is no data)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isinf(v)


def _optional_int(run: dict[str, Any], key: str) -> int | None:
    v = run.get(key)
    _want(
        v is None or (isinstance(v, int) and not isinstance(v, bool)), f"run.{key}", v, "an integer"
    )
    return v


def summary_fields(summary: Any) -> dict[str, Any]:
    """What a comparison reads from ``summary.json``, checked: ``seed``, ``replications``,
    ``strategies`` (None: not recorded), ``totals`` (metric -> ``mean``, ``ci95_low``,
    ``ci95_high``, numbers or null), ``reference`` (None or ``model`` and ``values``),
    ``config``, ``currency`` and ``modes`` (channel -> ``sync`` / ``async`` from
    ``centre.channels``; empty when not recorded). A field of the wrong type is a ValueError
    naming it."""
    if not isinstance(summary, dict):
        raise ValueError(f"summary.json is {_kind(summary)}, not an object")
    if "totals" not in summary:
        raise ValueError("summary.json has no totals")
    totals = summary["totals"]
    _want(isinstance(totals, dict), "totals", totals, "an object")
    for metric, t in totals.items():
        _want(isinstance(t, dict), f"totals.{metric}", t, "an object")
        for key in ("mean", "ci95_low", "ci95_high"):
            v = t.get(key)
            _want(
                v is None or _is_number(v), f"totals.{metric}.{key}", v, "a finite number or null"
            )
    run = summary.get("run")
    _want(run is None or isinstance(run, dict), "run", run, "an object")
    run = run or {}
    strategies = summary.get("strategies")
    _want(strategies is None or isinstance(strategies, list), "strategies", strategies, "an array")
    for i, s in enumerate(strategies or []):
        _want(isinstance(s, str), f"strategies[{i}]", s, "a string")
    reference = summary.get("reference") or None
    if reference is not None:
        _want(isinstance(reference, dict), "reference", reference, "an object or null")
        _want(
            isinstance(reference.get("model"), str),
            "reference.model",
            reference.get("model"),
            "a string",
        )
        values = reference.get("values") or {}
        _want(isinstance(values, dict), "reference.values", values, "an object")
        for m, v in values.items():
            _want(v is None or _is_number(v), f"reference.values.{m}", v, "a finite number or null")
        reference = {**reference, "values": values}
    config = summary.get("config")
    _want(config is None or isinstance(config, dict), "config", config, "an object")
    modes = _channel_modes(summary.get("centre"))
    currency = summary.get("currency")
    _want(currency is None or isinstance(currency, str), "currency", currency, "a string")
    return {
        "seed": _optional_int(run, "seed"),
        "replications": _optional_int(run, "replications"),
        "strategies": None if strategies is None else tuple(strategies),
        "totals": totals,
        "reference": reference,
        "config": config or {},
        "currency": currency or "",
        "modes": modes,
    }


def _channel_modes(centre: Any) -> dict[str, str]:
    """Channel -> mode from ``centre.channels`` (older summaries have none: empty)."""
    _want(centre is None or isinstance(centre, dict), "centre", centre, "an object")
    channels = (centre or {}).get("channels")
    _want(channels is None or isinstance(channels, list), "centre.channels", channels, "an array")
    modes = {}
    for i, ch in enumerate(channels or []):
        _want(isinstance(ch, dict), f"centre.channels[{i}]", ch, "an object")
        name, mode = ch.get("name"), ch.get("mode")
        _want(isinstance(name, str), f"centre.channels[{i}].name", name, "a string")
        _want(mode in ("sync", "async"), f"centre.channels[{i}].mode", mode, '"sync" or "async"')
        modes[name] = mode
    return modes


def read_overrides(folder: Path) -> list[str]:
    """``.hydra/overrides.yaml``: a list of strings (none when the file is not there)."""
    path = folder / ".hydra" / "overrides.yaml"
    if not os.path.lexists(path):
        return []
    import yaml

    name = ".hydra/overrides.yaml"
    try:
        text = read_regular_file(path, SMALL_MAX_BYTES).decode("utf-8")
        data = yaml.safe_load(text)
    except RecursionError:
        raise ValueError(f"{name} is nested too deeply") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{name} is not YAML ({first_line(exc)})") from None
    except ValueError as exc:
        raise ValueError(f".hydra/{exc}") from None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise ValueError(f"{name} is not a list of overrides (strings)")
    return data


def read_error(folder: Path) -> str:
    """The first line of a failed job's ``error.json`` error, or what is wrong with the file."""
    try:
        err = read_json(folder / "error.json", SMALL_MAX_BYTES)
    except (OSError, ValueError) as exc:
        return f"error.json unreadable ({first_line(exc)})"
    if not isinstance(err, dict):
        return f"error.json malformed ({_kind(err)}, not an object with an error message)"
    if not isinstance(err.get("error"), str):
        return f"error.json malformed (its error is {_kind(err.get('error'))}, not a message)"
    return first_line(err["error"])


def _put(values: Values, where: str, rep: int, channel: str, metric: str, v: float) -> None:
    if rep < 0:
        raise ValueError(f"{where}: replication {rep} is negative")
    if not channel or not metric:
        raise ValueError(f"{where}: an empty channel or metric")
    if math.isinf(v):
        raise ValueError(f"{where}: value {v} is not finite (no data is an empty cell)")
    by_rep = values.setdefault((channel, metric), {})
    if rep in by_rep:
        raise ValueError(f"{where}: replication {rep}, {channel}, {metric} a second time")
    by_rep[rep] = v


def _replications_csv(path: Path) -> Values:
    text = read_regular_file(path, REPLICATIONS_MAX_BYTES).decode("utf-8")
    values: Values = {}
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in REPLICATION_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"no column {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            if any(row[c] is None for c in REPLICATION_COLUMNS):
                raise ValueError(f"line {line}: a short row (fewer cells than columns)")
            try:
                cell = row["value"].strip()
                v = float(cell) if cell else math.nan
                rep = int(row["replication"])
            except (TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"line {line}: {exc}") from None
            _put(values, f"line {line}", rep, row["channel"], row["metric"], v)
    except csv.Error as exc:
        raise ValueError(f"not CSV ({exc})") from None
    return values


def _replications_parquet(path: Path) -> Values:
    """Values at the CSV's precision (10 significant digits), so that a comparison does not
    depend on which of the two files it read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = pa.BufferReader(read_regular_file(path, REPLICATIONS_MAX_BYTES))
    schema = pq.read_schema(data)
    missing = [c for c in REPLICATION_COLUMNS if c not in schema.names]
    if missing:
        raise ValueError(f"no column {', '.join(missing)}")
    types = {c: schema.field(c).type for c in REPLICATION_COLUMNS}
    numeric = pa.types.is_floating(types["value"]) or pa.types.is_integer(types["value"])
    if not pa.types.is_integer(types["replication"]) or not numeric:
        raise ValueError(
            f"replication must be integers and value numbers, not "
            f"{types['replication']} and {types['value']}"
        )
    data.seek(0)
    cols = pq.read_table(data, columns=list(REPLICATION_COLUMNS)).to_pydict()
    values: Values = {}
    rows = zip(*(cols[c] for c in REPLICATION_COLUMNS), strict=True)
    for i, (rep, channel, metric, v) in enumerate(rows):
        if rep is None or channel is None or metric is None:
            raise ValueError("an empty replication, channel or metric")
        cell = math.nan if v is None else float(fmt(v) or "nan")
        _put(values, f"row {i}", int(rep), str(channel), str(metric), cell)
    return values


def read_replications(folder: Path) -> Values:
    """Every replication's values in a job folder, (channel, metric) -> {replication: value}:
    from ``replications.parquet``, else (a folder of an older ccsim, or an unreadable Parquet)
    ``replications.csv``. One line saying what went wrong when neither can be read."""
    import pyarrow as pa

    problems = []
    for name, read in (
        ("replications.parquet", _replications_parquet),
        ("replications.csv", _replications_csv),
    ):
        path = folder / name
        if not os.path.lexists(path):
            continue
        try:
            return read(path)
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
            problems.append(f"{name} malformed or unreadable ({first_line(exc)})")
    if not problems:
        raise ValueError("summary.json but no replications.parquet or replications.csv")
    raise ValueError("; ".join(problems))
