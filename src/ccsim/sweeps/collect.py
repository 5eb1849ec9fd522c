"""Collect the job folders of a sweep or study into one tidy table.

A job folder holds ``summary.json`` (finished) or ``error.json`` (failed),
``replications.parquet`` and ``replications.csv`` (older ccsim: the CSV only) and, when Hydra ran
it, ``.hydra/overrides.yaml``. This module finds them at any depth under a
folder, reads what comparisons need (seed, replications, strategies, swept overrides, the Erlang
reference, per-replication values) and writes ``tidy.csv``. Reads outputs; never runs the model.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccsim.reports.files import write_csv
from ccsim.sweeps.job_files import (
    SUMMARY_MAX_BYTES,
    first_line,
    read_error,
    read_json,
    read_overrides,
    read_replications,
    summary_fields,
)

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
    """The folder does not exist or holds no usable job: reported as one line (exit status
    2)."""


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
    modes: dict[str, str] = field(default_factory=dict)  # channel -> sync / async (if recorded)

    @property
    def variant(self) -> str:
        return variant_name(self.strategies)

    def replication_values(self, metric: str, channel: str = "all") -> dict[int, float]:
        """``metric``'s value per replication; ``asa_h`` is ``asa_s`` in hours (async waits)."""
        if metric == "asa_h":
            return {r: v / 3600.0 for r, v in self.values.get((channel, "asa_s"), {}).items()}
        return self.values.get((channel, metric), {})


@dataclass(frozen=True)
class FailedJob:
    name: str
    error: str  # first line of the error
    # "error": the job failed (its error.json); "unreadable": its results (or its folder)
    # cannot be read or are malformed (the line says which file and why)
    kind: str = "error"


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


def _load_job(folder: Path, name: str) -> Job:
    summary = summary_fields(read_json(folder / "summary.json", SUMMARY_MAX_BYTES))
    values = read_replications(folder)
    overrides: dict[str, str] = {}
    override_strategies: tuple[str, ...] = ()
    for line in read_overrides(folder):
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
    strategies = summary["strategies"]
    return Job(
        name=name,
        seed=summary["seed"],
        replications=summary["replications"],
        strategies=override_strategies if strategies is None else strategies,
        overrides=overrides,
        totals=_with_asa_h(summary["totals"]),
        reference=summary["reference"],
        config=summary["config"],
        values=values,
        currency=summary["currency"],
        modes=summary["modes"],
    )


def _with_asa_h(totals: dict[str, Any]) -> dict[str, Any]:
    """The totals with ``asa_h``: ``asa_s``'s estimates in hours (how async waits are shown)."""
    asa = totals.get("asa_s")
    if not isinstance(asa, dict):
        return totals
    keys = ("mean", "ci95_low", "ci95_high")  # numbers or null (summary_fields checked)
    hours = {k: None if asa.get(k) is None else asa[k] / 3600.0 for k in keys}
    return {**totals, "asa_h": hours}


JOB_FILES = ("summary.json", "error.json")


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` (OSError if it cannot be read)."""
    with os.scandir(folder) as it:
        return list(it)


def _job_folders(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Folders holding an entry named summary.json or error.json (of any type: a FIFO under
    that name is a job whose results cannot be read), at any depth, root included; and the
    folders that could not be read, with why. Symlinked folders are not followed (no loops)."""
    found: list[Path] = []
    unreadable: list[tuple[Path, str]] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = _entries(folder)
        except OSError as exc:
            unreadable.append((folder, exc.strerror or str(exc)))
            continue
        names = set()
        for e in entries:
            names.add(e.name)
            try:
                if e.is_dir(follow_symlinks=False):
                    stack.append(folder / e.name)
            except OSError:
                continue
        if names & set(JOB_FILES):
            found.append(folder)
    key = lambda p: _natural(p.relative_to(root).as_posix())  # noqa: E731
    return sorted(found, key=key), sorted(unreadable, key=lambda u: key(u[0]))


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
    try:
        st = os.stat(root)
    except FileNotFoundError:
        raise NoJobsError(f"{root}: no such file or directory") from None
    except OSError as exc:  # a symlink loop, a folder above it that cannot be searched
        raise NoJobsError(f"{root}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise NoJobsError(f"{root}: not a folder")
    folders, unreadable = _job_folders(root)
    if unreadable and unreadable[0][0] == root:
        raise NoJobsError(f"{root}: cannot read the folder ({unreadable[0][1]})")
    jobs: list[Job] = []
    failed: list[FailedJob] = []
    for folder in folders:
        name = folder.relative_to(root).as_posix()
        if os.path.lexists(folder / "summary.json"):
            try:
                jobs.append(_load_job(folder, name))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                error = f"unreadable results: {first_line(exc)}"
                failed.append(FailedJob(name, error, "unreadable"))
            continue
        failed.append(FailedJob(name, read_error(folder)))
    for folder, why in unreadable:  # it may hold jobs: say that they were not compared
        name = folder.relative_to(root).as_posix()
        failed.append(FailedJob(name, f"cannot read the folder ({why})", "unreadable"))
    if not jobs:
        raise NoJobsError(f"{root}: {_why_no_job(failed)}")
    keys = sorted({k for j in jobs for k in j.overrides})
    params = [k for k in keys if k != "run.seed" and len({j.overrides.get(k) for j in jobs}) > 1]
    return Collection(root, jobs, failed, params)


def _why_no_job(failed: list[FailedJob]) -> str:
    bad = [f for f in failed if f.kind == "unreadable"]
    if not bad:
        what = f"only failed jobs ({len(failed)}, error.json)" if failed else "no ccsim job"
        return f"{what}; a job folder holds summary.json"
    first = bad[0]
    more = f" (and {len(failed) - 1} more failed or unreadable)" if len(failed) > 1 else ""
    return f"no usable job: {'' if first.name == '.' else first.name + ': '}{first.error}{more}"


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
