"""Hydra callbacks: a sweep (``ccsim -m``) records itself, ends with its comparison report and
tells the command what failed.

Registered in ``conf/config.yaml`` under ``hydra.callbacks``. Both hooks run in the command's
main process whatever the launcher:

- at the start, the sweep folder's ``sweep.json`` records the command, its overrides, the
  sweeper's params and each job's overrides (written atomically). A folder holding the jobs of
  another sweep is refused with one line (exit status 2) rather than mixing its jobs into the
  comparison; the same sweep again resumes, and so does one that only adds jobs while each
  earlier job keeps its folder (:func:`sweep_difference`);
- at the end, the comparison report (what ``ccsim-report SWEEP_DIR`` writes; reports read the
  finished job folders only, they never run the model), and :data:`SWEEP` holds the failed jobs
  (their ``error.json``) and a failed report, which ``ccsim.cli.main`` turns into one line on
  stderr and exit status 1.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

__all__ = [
    "ComparisonOnMultirunEnd",
    "SWEEP",
    "SWEEP_RECORD",
    "SweepState",
    "sweep_difference",
    "sweep_record",
]

log = logging.getLogger("ccsim")

SWEEP_RECORD = "sweep.json"
SCHEMA = "ccsim.sweep/1"
BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"
MAX_LISTED = 10  # failed jobs named on the summary line


@dataclass
class SweepState:
    """This process's sweep, as the callbacks saw it."""

    dir: Path | None = None
    jobs: int | None = None  # how many jobs the sweep has (None: a sweeper ccsim cannot expand)
    ended: bool = False
    failed: list[Path] = field(default_factory=list)  # the failed jobs' error.json files
    report_error: str | None = None  # the comparison report failed (not for want of jobs)

    def clear(self) -> None:
        """As before any sweep (a process may run several, as tests do)."""
        self.__init__()  # type: ignore[misc]

    def failure_line(self) -> str | None:
        """One line on what failed, or None when nothing did."""
        parts = []
        if self.failed:
            n = len(self.failed)
            count = f"{n} of {self.jobs} jobs" if self.jobs else f"{n} job{'s' * (n > 1)}"
            shown = ", ".join(str(p) for p in self.failed[:MAX_LISTED])
            more = f" and {n - MAX_LISTED} more" if n > MAX_LISTED else ""
            parts.append(f"{count} failed in the sweep {self.dir}: {shown}{more}")
        if self.report_error:
            parts.append(f"the comparison report of {self.dir} failed ({self.report_error})")
        return "; ".join(parts) or None


SWEEP = SweepState()


def _flat(value: Any) -> str:
    return " ".join(str(value).split())


def _sweep_jobs(sweeper: str | None, lines: list[str]) -> list[list[str]] | None:
    """Each job's overrides, in job order, as the basic sweeper expands ``lines``."""
    if sweeper != BASIC_SWEEPER:
        return None
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.global_hydra import GlobalHydra
        from hydra.core.override_parser.overrides_parser import OverridesParser

        gh = GlobalHydra.instance()
        loader = gh.config_loader() if gh.is_initialized() else None  # for glob(...) sweeps
        overrides = OverridesParser.create(config_loader=loader).parse_overrides(lines)
        return [
            list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch
        ]
    except Exception:  # a sweep this cannot expand: the record compares the command instead
        return None


def sweep_record(config: DictConfig, command: list[str] | None = None) -> dict[str, Any]:
    """What makes a sweep: the config (name and ``--config-dir``), ``hydra.sweep.subdir``, the
    sweeper's params, the command line's overrides and, expanded, each job's overrides."""
    hc = OmegaConf.to_container(config.hydra, resolve=False)
    assert isinstance(hc, dict)
    sweeper = hc.get("sweeper") or {}
    params = {str(k): v for k, v in (sweeper.get("params") or {}).items()}
    overrides = [str(o) for o in (hc.get("overrides") or {}).get("task") or []]
    sources = (hc.get("runtime") or {}).get("config_sources") or []
    config_dir = next((s.get("path") for s in sources if s.get("provider") == "command-line"), None)
    if config_dir:  # relative to the working folder where it is inside it: a project may move
        with contextlib.suppress(ValueError, OSError):
            config_dir = Path(config_dir).resolve().relative_to(Path.cwd().resolve()).as_posix()
    lines = [f"{k}={v}" for k, v in params.items()] + overrides
    return {
        "schema": SCHEMA,
        "command": command,
        "started": datetime.now().isoformat(timespec="seconds"),
        "config": {"name": (hc.get("job") or {}).get("config_name"), "dir": config_dir},
        "subdir": str((hc.get("sweep") or {}).get("subdir")),
        "sweeper_params": {k: _flat(v) for k, v in params.items()},
        "overrides": overrides,
        "jobs": _sweep_jobs(sweeper.get("_target_"), lines),
    }


def _lines(record: dict[str, Any]) -> list[str]:
    params = record.get("sweeper_params") or {}
    return [_flat(f"{k}={v}") for k, v in params.items()] + [
        _flat(o) for o in record.get("overrides") or []
    ]


def _shown(items: list[str]) -> str:
    cut = [i if len(i) <= 80 else i[:77] + "..." for i in items]
    return " ".join(cut) if cut else "(none)"


def _keeps_old_jobs(old: list[Any], new: list[Any], subdir: str) -> bool:
    """Whether every job of ``old`` keeps its folder in ``new``: job folders numbered in order
    (``${hydra.job.num}``) need ``old`` first in ``new``; folders named after the jobs'
    overrides (``${hydra.job.override_dirname}``) always keep theirs."""
    if "hydra.job.num" in subdir:
        return new[: len(old)] == old
    if "override_dirname" in subdir:
        # A study: each job's folder is named after its overrides, so a job of another sweep
        # never lands in the folder of a different one; the comparison is meant to take them
        # all (experiments/c_outage_notice sweeps its baseline, then the outreach variants).
        return True
    return new == old


def _config_name(record: dict[str, Any]) -> str:
    c = record.get("config") or {}
    return f"{c['dir']}/{c.get('name')}" if c.get("dir") else str(c.get("name"))


def sweep_difference(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """Why a folder that ``old`` (its ``sweep.json``) made cannot take the sweep ``new``, or
    None when it can: the same sweep (resumed: finished jobs are skipped), or one that adds
    jobs while every earlier job keeps its folder (more values at the end of a numbered sweep,
    more variants in a study whose job folders are named after their overrides)."""
    if old.get("config") != new.get("config"):
        return f"config {_config_name(old)} then, {_config_name(new)} now"
    if old.get("subdir") != new.get("subdir"):
        return f"hydra.sweep.subdir={old.get('subdir')} then, {new.get('subdir')} now"
    old_jobs, new_jobs = old.get("jobs"), new.get("jobs")
    if isinstance(old_jobs, list) and isinstance(new_jobs, list):
        if _keeps_old_jobs(old_jobs, new_jobs, str(new.get("subdir"))):
            return None
    elif _lines(old) == _lines(new):
        return None
    before, now = _lines(old), _lines(new)
    gone, added = [x for x in before if x not in now], [x for x in now if x not in before]
    if not gone and not added:
        return "the same overrides in another order, which numbers the jobs differently"
    return f"then {_shown(gone)}, now {_shown(added)}"


def _read_record(sweep_dir: Path) -> dict[str, Any] | None:
    """The folder's ``sweep.json``; for a folder made before it existed, the record that its
    ``multirun.yaml`` (Hydra's copy of the sweep's config) implies."""
    from ccsim.reports.files import read_regular_file

    try:  # a FIFO under that name is never opened (nothing blocks)
        record = json.loads(read_regular_file(sweep_dir / SWEEP_RECORD, 2**26))
        return record if isinstance(record, dict) else None
    except FileNotFoundError:
        pass
    except (OSError, ValueError, RecursionError):
        return None  # unreadable: rewritten below
    try:
        legacy = OmegaConf.load(sweep_dir / "multirun.yaml")
        return sweep_record(legacy) if isinstance(legacy, DictConfig) else None
    except Exception:
        return None


def _job_results(sweep_dir: Path) -> list[Path]:
    """The job folders' result files (summary.json, error.json) under ``sweep_dir``."""
    if not sweep_dir.is_dir():
        return []
    return [
        p
        for name in ("summary.json", "error.json")
        for p in sweep_dir.rglob(name)
        if "comparison" not in p.relative_to(sweep_dir).parts
    ]


def _new_folder(sweep_dir: Path) -> Path:
    n = 2
    while sweep_dir.with_name(f"{sweep_dir.name}_{n}").exists():
        n += 1
    return sweep_dir.with_name(f"{sweep_dir.name}_{n}")


def _natural(path: Path) -> list[Any]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.parts]


class ComparisonOnMultirunEnd(Callback):
    """A sweep's ``sweep.json`` before its first job; after its last, ``ccsim-report`` on the
    sweep folder and the list of what failed (:data:`SWEEP`)."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        record = sweep_record(config, [Path(sys.argv[0]).name, *sys.argv[1:]])
        jobs = record["jobs"]
        SWEEP.clear()
        SWEEP.dir, SWEEP.jobs = sweep_dir, len(jobs) if isinstance(jobs, list) else None
        old = _read_record(sweep_dir)
        if old is not None and _job_results(sweep_dir):
            why = sweep_difference(old, record)
            if why is not None:
                sys.stderr.write(
                    f"ccsim: error: {sweep_dir} holds the jobs of another sweep ({why}); run "
                    f"this one into a new folder, e.g. hydra.sweep.dir={_new_folder(sweep_dir)}\n"
                )
                raise SystemExit(2)
            old_jobs = old.get("jobs")
            if isinstance(old_jobs, list) and isinstance(jobs, list):  # a study: all its jobs
                record["jobs"] = old_jobs + [j for j in jobs if j not in old_jobs]
        from ccsim.errors import OutputError
        from ccsim.reports.files import write_json

        try:  # ccsim.runs.outputs checked the folder: this fails only if it changed since
            sweep_dir.mkdir(parents=True, exist_ok=True)
            write_json(sweep_dir / SWEEP_RECORD, record)
        except OSError as exc:
            sys.stderr.write(f"ccsim: error: {OutputError.wrap(exc, sweep_dir)}\n")
            raise SystemExit(2) from None

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from ccsim.sweeps.collect import NoJobsError
        from ccsim.sweeps.compare import compare

        sweep_dir = Path(str(config.hydra.sweep.dir))
        SWEEP.dir, SWEEP.ended = sweep_dir, True
        SWEEP.failed = sorted(
            (p for p in _job_results(sweep_dir) if p.name == "error.json"),
            key=lambda p: _natural(p.relative_to(sweep_dir)),
        )
        try:
            report = compare(sweep_dir)
        except NoJobsError as exc:
            log.warning("no comparison report: %s", exc)
            return
        except Exception as exc:  # a full disk, say: the sweep must not look successful
            SWEEP.report_error = _flat(f"{type(exc).__name__}: {exc}")
            log.error("no comparison report: %s", SWEEP.report_error)
            return
        log.info(
            "comparison of %d job(s) (%d failed): %s",
            len(report.collection.jobs),
            len(report.collection.failed),
            report.out_dir / "comparison.md",
        )
