"""Collect the job folders of a sweep or study into one tidy table.

A job folder holds ``summary.json`` (finished) or ``error.json`` (failed),
``replications.parquet`` and ``replications.csv`` (older ccsim: the CSV only) and, when Hydra ran
it, ``.hydra/overrides.yaml``. This module finds them at any depth under a
folder, reads what comparisons need (seed, replications, strategies, swept overrides, the Erlang
reference, per-replication values) and writes ``tidy.csv``. Reads outputs; never runs the model.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccsim.reports.files import fmt, write_csv

__all__ = [
    "Job",
    "FailedJob",
    "Collection",
    "NoJobsError",
    "collect",
    "parse_override",
    "variant_name",
    "write_tidy",
    "tidy_rows",
    "read_replications",
    "TIDY_COLUMNS",
]

BASELINE = "baseline"
TIDY_COLUMNS = ("job", "variant", "seed", "replication", "channel", "metric", "value")


class NoJobsError(ValueError):
    """The folder does not exist or holds no job: reported as one line (exit status 2)."""


@dataclass(frozen=True)
class Job:
    """One finished job folder."""

    name: str  # path relative to the collected folder ("." for the folder itself), POSIX
    seed: int | None
    replications: int | None
    strategies: tuple[str, ...]
    overrides: dict[str, str]  # key -> value as written; the strategy list and hydra.* left out
    totals: dict[str, dict[str, Any]]
    reference: dict[str, Any] | None
    config: dict[str, Any]
    # (channel, metric) -> {replication: value}; NaN where the run had no data
    values: dict[tuple[str, str], dict[int, float]] = field(repr=False)
    currency: str = ""  # of the cost_* metrics ("" for results without costs)

    @property
    def variant(self) -> str:
        return variant_name(self.strategies)

    def replication_values(self, metric: str, channel: str = "all") -> dict[int, float]:
        return self.values.get((channel, metric), {})


@dataclass(frozen=True)
class FailedJob:
    name: str
    error: str  # first line of the error


@dataclass(frozen=True)
class Collection:
    """Every job found under ``root``, sorted by name (numbers as numbers)."""

    root: Path
    jobs: list[Job]
    failed: list[FailedJob]
    params: list[str]  # swept override keys: those whose value differs between jobs


def variant_name(strategies: tuple[str, ...] | list[str]) -> str:
    """Strategies joined by ``+`` in the order applied, or ``baseline`` when there are none."""
    return "+".join(strategies) if strategies else BASELINE


def is_strategy_key(key: str) -> bool:
    return key == "strategy" or key.startswith(("strategy.", "strategy/", "strategy@"))


def parse_override(line: str) -> tuple[str, str] | None:
    """``key=value`` from a Hydra override line, the ``+``/``++`` prefixes dropped; None for
    deletions (``~key``) and lines without ``=``."""
    line = line.strip()
    if line.startswith("~") or "=" not in line:
        return None
    key, value = line.split("=", 1)
    return key.lstrip("+").strip(), value.strip()


def _strategy_list(value: str) -> tuple[str, ...]:
    """``[a,b]`` or ``a`` (an override's value) -> ("a", "b")."""
    v = value.strip()
    if v.startswith("[") and v.endswith("]"):
        v = v[1:-1]
    items = [s.strip().strip("'\"") for s in v.split(",")]
    return tuple(s for s in items if s and s.lower() not in ("null", "none"))


def _read_overrides(folder: Path) -> list[str]:
    path = folder / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return []
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(OmegaConf.load(path))
    return [str(x) for x in data] if isinstance(data, list) else []


def _float(cell: str) -> float:
    return float(cell) if cell.strip() else math.nan


Values = dict[tuple[str, str], dict[int, float]]
REPLICATION_COLUMNS = ("replication", "channel", "metric", "value")


def _replications_csv(path: Path) -> Values:
    values: Values = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REPLICATION_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"no column {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            try:
                key = (row["channel"], row["metric"])
                values.setdefault(key, {})[int(row["replication"])] = _float(row["value"])
            except (TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"line {line}: {exc}") from None
    return values


def _replications_parquet(path: Path) -> Values:
    """Values at the CSV's precision (10 significant digits), so that a comparison does not
    depend on which of the two files it read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
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
    cols = pq.read_table(path, columns=list(REPLICATION_COLUMNS)).to_pydict()
    values: Values = {}
    for rep, channel, metric, v in zip(*(cols[c] for c in REPLICATION_COLUMNS), strict=True):
        if rep is None or channel is None or metric is None:
            raise ValueError("an empty replication, channel or metric")
        cell = math.nan if v is None else float(fmt(v) or "nan")
        values.setdefault((str(channel), str(metric)), {})[int(rep)] = cell
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
        if not path.is_file():
            continue
        try:
            return read(path)
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
            problems.append(f"{name} malformed or unreadable ({_first_line(str(exc))})")
    if not problems:
        raise ValueError("summary.json but no replications.parquet or replications.csv")
    raise ValueError("; ".join(problems))


def _load_job(folder: Path, name: str) -> Job:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    if not isinstance(summary, dict) or "totals" not in summary:
        raise ValueError("summary.json has no totals")
    values = read_replications(folder)
    overrides: dict[str, str] = {}
    override_strategies: tuple[str, ...] = ()
    for line in _read_overrides(folder):
        kv = parse_override(line)
        if kv is None:
            continue
        key, value = kv
        if key == "strategy":
            override_strategies = _strategy_list(value)
        elif not key.startswith("hydra.") and not key.startswith("hydra/"):
            # A strategy's own parameters (strategy.chatbot.containment=0.3) are kept: a swept
            # one draws a response curve. They do not separate a job from its baseline.
            overrides[key] = value
    strategies = summary.get("strategies")
    strategies = override_strategies if strategies is None else tuple(str(s) for s in strategies)
    run = summary.get("run") or {}
    return Job(
        name=name,
        seed=None if run.get("seed") is None else int(run["seed"]),
        replications=None if run.get("replications") is None else int(run["replications"]),
        strategies=tuple(strategies),
        overrides=overrides,
        totals=summary["totals"],
        reference=summary.get("reference"),
        config=summary.get("config") or {},
        values=values,
        currency=str(summary.get("currency") or ""),
    )


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else "unknown error"


def _job_folders(root: Path) -> list[Path]:
    """Folders holding summary.json or error.json, at any depth (root included)."""
    found = {p.parent for pattern in ("summary.json", "error.json") for p in root.rglob(pattern)}
    return sorted(found, key=lambda p: _natural(p.relative_to(root).as_posix()))


def _natural(name: str) -> list[tuple[int, int, str]]:
    """Sort key: multirun/2/... before multirun/10/... (numbers compared as numbers)."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"[/]|(\d+)", name)
        if part
    ]


def collect(root: Path | str) -> Collection:
    """Find and read every job under ``root``. Raises :class:`NoJobsError` when ``root`` does
    not exist or holds no job at all (finished or failed)."""
    root = Path(root)
    if not root.exists():
        raise NoJobsError(f"{root}: no such file or directory")
    if not root.is_dir():
        raise NoJobsError(f"{root}: not a folder")
    jobs: list[Job] = []
    failed: list[FailedJob] = []
    for folder in _job_folders(root):
        name = folder.relative_to(root).as_posix()
        if (folder / "summary.json").is_file():
            try:
                jobs.append(_load_job(folder, name))
                continue
            except (OSError, ValueError, KeyError, TypeError) as exc:
                failed.append(FailedJob(name, f"unreadable results: {_first_line(str(exc))}"))
                continue
        try:
            err = json.loads((folder / "error.json").read_text(encoding="utf-8"))
            message = err.get("error", "") if isinstance(err, dict) else ""
        except (OSError, ValueError):
            message = "error.json unreadable"
        failed.append(FailedJob(name, _first_line(message)))
    if not jobs:
        what = f"only failed jobs ({len(failed)}, error.json)" if failed else "no ccsim job"
        raise NoJobsError(f"{root}: {what}; a job folder holds summary.json")
    keys = sorted({k for j in jobs for k in j.overrides})
    params = [k for k in keys if k != "run.seed" and len({j.overrides.get(k) for j in jobs}) > 1]
    return Collection(root, jobs, failed, params)


def write_tidy(coll: Collection, path: Path) -> Path:
    """``tidy.csv``: :func:`tidy_rows`."""
    write_csv(path, *tidy_rows(coll))
    return path


def tidy_rows(coll: Collection) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the tidy table: one row per job x replication x channel x metric,
    then one column per swept parameter (empty where a job did not set it)."""
    header = [*TIDY_COLUMNS, *coll.params]
    rows = []
    for job in coll.jobs:
        extra = [job.overrides.get(k, "") for k in coll.params]
        seed = "" if job.seed is None else job.seed
        for (channel, metric), by_rep in job.values.items():
            for rep, value in sorted(by_rep.items()):
                rows.append([job.name, job.variant, seed, rep, channel, metric, value, *extra])
    return header, rows
