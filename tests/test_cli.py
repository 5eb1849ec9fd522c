"""End to end: the ``ccsim`` command writes a tidy, deterministic output folder."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from ccsim.runs.job import run_job
from conftest import run_ccsim

FILES = (
    "summary.json",
    "intervals.csv",
    "pools.csv",
    "replications.csv",
    "report.md",
    "demand_delta.png",
    "service_level.png",
    "occupancy.png",
)


def test_default_day_writes_every_output(tmp_path):
    proc = run_ccsim("scenario=default_day", "hydra.run.dir=run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "run"
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["schema"] == "ccsim.summary/3"
    assert summary["config"]["scenario"]["name"] == "default_day"
    assert summary["run"]["seed"] == summary["config"]["run"]["seed"]
    assert summary["ccsim_version"]
    tot = summary["totals"]
    assert tot["offered"]["mean"] == pytest.approx(
        tot["handled"]["mean"]
        + tot["abandoned"]["mean"]
        + tot["blocked"]["mean"]
        + tot["in_system_at_end"]["mean"]
    )
    assert tot["offered"]["ci95_low"] < tot["offered"]["mean"] < tot["offered"]["ci95_high"]
    rows = list(csv.DictReader((out / "intervals.csv").open()))
    assert len(rows) == 24 and rows[0]["time"] == "08:00" and rows[-1]["time"] == "19:30"
    report = (out / "report.md").read_text()
    assert "agent-hours" in report and "demand_delta.png" in report


def test_same_config_and_seed_give_identical_bytes(tmp_path):
    args = ("scenario=erlang_a", "scenario.horizon_h=6", "run.replications=3", "run.n_jobs=1")
    for d in ("a", "b"):
        proc = run_ccsim(*args, f"hydra.run.dir={d}", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    proc = run_ccsim(*args, "run.seed=99", "hydra.run.dir=c", cwd=tmp_path)
    assert (tmp_path / "a" / "intervals.csv").read_bytes() != (
        tmp_path / "c" / "intervals.csv"
    ).read_bytes()


def test_python_dash_m_and_erlang_table(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ccsim",
            "scenario=erlang_c",
            "scenario.horizon_h=24",
            "run.replications=4",
            "hydra.run.dir=out",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "out" / "report.md").read_text()
    assert "Simulation vs Erlang C (M/M/c)" in report
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["reference"]["model"] == "Erlang C (M/M/c)"
    assert 0 < summary["reference"]["values"]["p_wait"] < 1


def test_parallel_and_serial_jobs_write_the_same_results(compose_cfg, tmp_path):
    common = ("scenario=erlang_a", "scenario.horizon_h=4", "run.replications=4", "run.plots=false")
    run_job(compose_cfg(*common, "run.n_jobs=1"), tmp_path / "serial")
    run_job(compose_cfg(*common, "run.n_jobs=2"), tmp_path / "parallel")
    for name in ("intervals.csv", "replications.csv", "report.md"):
        assert (tmp_path / "serial" / name).read_bytes() == (
            tmp_path / "parallel" / name
        ).read_bytes()


@pytest.mark.parametrize(
    "preset", ["default_week", "small_centre", "default_day", "erlang_b", "erlang_c", "erlang_a"]
)
def test_every_preset_composes_and_runs(compose_cfg, tmp_path, preset):
    cfg = compose_cfg(f"scenario={preset}", "run.replications=2", "run.plots=false", "run.n_jobs=1")
    res = run_job(cfg, tmp_path)
    assert res.estimates["offered"].mean > 0
    if preset.startswith("erlang"):
        assert res.reference is not None


def test_plain_ccsim_runs_the_one_week_omnichannel_centre(tmp_path):
    proc = run_ccsim("run.replications=2", cwd=tmp_path)  # default output folder
    assert proc.returncode == 0, proc.stderr
    (out,) = (tmp_path / "outputs" / "default_week").iterdir()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["centre"]["name"] == "default_week"
    names = [c["name"] for c in summary["centre"]["channels"]]
    assert {"voice", "chat", "email", "messaging"} <= set(names)
    modes = {c["name"]: c["mode"] for c in summary["centre"]["channels"]}
    assert modes["voice"] == "sync" and modes["email"] == "async"
    assert summary["centre"]["horizon_h"] == 168
    rows = list(csv.DictReader((out / "intervals.csv").open()))
    assert len(rows) == 336 * len(names)
    assert {r["channel"] for r in rows} == set(names)
    # Conservation per channel in the written outputs (means over replications).
    for name, tot in summary["channels"].items():
        parts = sum(tot[k]["mean"] for k in ("handled", "abandoned", "blocked", "in_system_at_end"))
        assert tot["offered"]["mean"] == pytest.approx(parts), name
    for name in FILES:
        assert (out / name).exists(), name
