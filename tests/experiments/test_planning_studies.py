"""Studies (f)-(h) run as their READMEs say, on one day (Wednesday) with few replications: each
writes its planning folder, and a rerun resumes instead of starting over."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_experiments import EXPERIMENTS, readme_commands

from conftest import run_ccsim

DAY = ("centre.horizon_days=1", "centre.start='2026-01-07 00:00'")
FEW = ("planning.search.replications=3", "planning.search.check_replications=3")


def _run(study: str, tmp_path: Path, *extra: str):
    shutil.copytree(EXPERIMENTS, tmp_path / "experiments", dirs_exist_ok=True)
    (cmd,) = readme_commands(study)
    proc = run_ccsim(*cmd[1:], *DAY, *FEW, *extra, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_staffing_study_runs_and_resumes(tmp_path):
    _run("f_simulated_staffing", tmp_path)
    out = tmp_path / "outputs" / "f_simulated_staffing"
    summary = json.loads((out / "staffing.json").read_text())
    assert summary["converged"] and summary["meets_targets"]
    again = _run("f_simulated_staffing", tmp_path)
    assert "staffing search resumed at round" in again.stdout + again.stderr


@pytest.mark.parametrize(
    ("study", "files"),
    [
        ("g_shift_schedule", ("schedule.md", "roster.csv", "verification/report.md")),
        ("h_cheapest_plan", ("plan.md", "plans.csv", "plan.json")),
    ],
)
def test_planning_study_writes_its_folder(study, files, tmp_path):
    extra = ("run.replications=2",) if study == "g_shift_schedule" else ()
    _run(study, tmp_path, *extra)
    out = tmp_path / "outputs" / study
    for name in files:
        assert (out / name).is_file(), name
