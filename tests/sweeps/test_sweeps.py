"""Sweeps keep what is already computed: finished jobs are skipped on a rerun, failures are
recorded and do not stop the other jobs (the command then exits 1), and a folder takes only
its own sweep (sweep.json)."""

from __future__ import annotations

import json

import pytest

import ccsim.runs.job
from ccsim.runs.job import JobFailedError, config_digest, run_job, run_job_recording_errors
from conftest import run_ccsim

SWEEP = (
    "-m",
    "scenario=erlang_c",
    "scenario.agents=26,28",
    "scenario.horizon_h=4",
    "run.replications=2",
    "run.n_jobs=1",
    "run.plots=false",
    "hydra.sweep.dir=sweep",
)


def test_rerun_of_a_sweep_skips_finished_jobs(tmp_path):
    first = run_ccsim(*SWEEP, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    summaries = [tmp_path / "sweep" / j / "summary.json" for j in ("0", "1")]
    stamps = [p.stat().st_mtime_ns for p in summaries]
    # An interrupted sweep: job 1 never finished.
    summaries[1].unlink()
    second = run_ccsim(*SWEEP, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    log = second.stdout + second.stderr
    assert log.count("already in") == 1  # job 0 skipped, job 1 redone
    assert summaries[0].stat().st_mtime_ns == stamps[0]
    assert summaries[1].exists()
    digests = {json.loads(p.read_text())["config_digest"] for p in summaries}
    assert len(digests) == 2  # different agents, different configs
    record = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert record["overrides"] == list(SWEEP[1:-1]) and len(record["jobs"]) == 2
    # Another sweep into the same folder would mix its jobs with these: refused, nothing run.
    other = [a.replace("26,28", "26,30") for a in SWEEP]
    before = [p.stat().st_mtime_ns for p in summaries]
    third = run_ccsim(*other, cwd=tmp_path)
    assert third.returncode == 2
    assert third.stderr.splitlines() == [
        "ccsim: error: sweep holds the jobs of another sweep (then scenario.agents=26,28, now "
        "scenario.agents=26,30); run this one into a new folder, e.g. hydra.sweep.dir=sweep_2"
    ]
    assert json.loads((tmp_path / "sweep" / "sweep.json").read_text()) == record
    assert [p.stat().st_mtime_ns for p in summaries] == before


def test_a_failed_job_makes_the_sweep_exit_1_and_a_rerun_finishes_it(tmp_path):
    # Job 1 cannot write its summary.json (a folder of that name is in the way): it fails
    # with error.json, job 0 goes on and the comparison covers it.
    # (Jobs run in this process, hydra/launcher=basic, to be quick: the sweep counts its
    # failures in the main process whatever the launcher.)
    blocker = tmp_path / "sweep" / "1" / "summary.json"
    blocker.mkdir(parents=True)
    first = run_ccsim(*SWEEP, "hydra/launcher=basic", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert first.stderr.splitlines()[-1] == (
        "ccsim: 1 of 2 jobs failed in the sweep sweep: sweep/1/error.json"
    )
    assert (tmp_path / "sweep" / "0" / "summary.json").is_file()
    error = json.loads((blocker.parent / "error.json").read_text())["error"]
    assert error.startswith("OutputError: cannot write outputs to ")
    assert error.endswith("sweep/1: Is a directory (writing summary.json)")
    assert (tmp_path / "sweep" / "comparison" / "comparison.md").is_file()
    # Fixed, and one more value at the end: the same folder takes it (each job keeps its
    # folder); job 0 is skipped, job 1 runs again and job 2 is new.
    blocker.rmdir()
    more = [a.replace("26,28", "26,28,30") for a in SWEEP]
    second = run_ccsim(*more, "hydra/launcher=basic", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert (second.stdout + second.stderr).count("already in") == 1
    assert not (blocker.parent / "error.json").exists()
    assert all((tmp_path / "sweep" / j / "summary.json").is_file() for j in ("1", "2"))


def test_changed_config_in_the_same_folder_is_rerun(compose_cfg, tmp_path):
    a = compose_cfg("scenario=erlang_c", "scenario.horizon_h=2", "run.plots=false")
    b = compose_cfg(
        "scenario=erlang_c", "scenario.horizon_h=2", "run.plots=false", "scenario.agents=30"
    )
    assert config_digest(a) != config_digest(b)
    assert run_job(a, tmp_path) is not None
    assert run_job(a, tmp_path) is None  # same config: kept
    assert run_job(b, tmp_path) is not None  # another config: run again
    assert run_job(a, tmp_path, resume=False) is not None


def test_results_of_other_ccsim_code_are_rerun(compose_cfg, tmp_path, monkeypatch):
    cfg = compose_cfg("scenario=erlang_c", "scenario.horizon_h=2", "run.plots=false")
    assert run_job(cfg, tmp_path) is not None
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["code_digest"] == ccsim.runs.job.code_digest()
    assert run_job(cfg, tmp_path) is None  # same config, same code: kept
    # The same config after an upgrade (or an edit of the engine): run again.
    monkeypatch.setattr(ccsim.runs.job, "code_digest", lambda: "another version!")
    assert run_job(cfg, tmp_path) is not None
    assert json.loads((tmp_path / "summary.json").read_text())["code_digest"] == "another version!"
    assert run_job(cfg, tmp_path) is None


def test_the_code_digest_changes_with_any_module(tmp_path):
    import shutil
    from pathlib import Path

    package = tmp_path / "ccsim"
    shutil.copytree(Path(ccsim.__file__).parent, package)
    first = ccsim.runs.job.source_digest(package)
    assert first == ccsim.runs.job.code_digest()  # the installed package, as copied
    engine = package / "engine" / "simulation.py"  # a module in a subfolder counts too
    engine.write_bytes(engine.read_bytes() + b"# an edit\n")
    edited = ccsim.runs.job.source_digest(package)
    assert edited != first
    (package / "extra.py").write_text("")
    assert ccsim.runs.job.source_digest(package) not in (first, edited)


def test_a_failing_job_records_its_error(compose_cfg, tmp_path, monkeypatch):
    cfg = compose_cfg("scenario=erlang_c", "scenario.horizon_h=2", "run.plots=false")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ccsim.runs.job, "run", broken)
    assert run_job_recording_errors(cfg, tmp_path / "a", keep_going=True) is None
    err = json.loads((tmp_path / "a" / "error.json").read_text())
    assert err["error"] == "RuntimeError: disk on fire"
    assert "Traceback" in err["traceback"] and err["config_digest"] == config_digest(cfg)
    assert not (tmp_path / "a" / "summary.json").exists()
    with pytest.raises(RuntimeError):
        run_job_recording_errors(cfg, tmp_path / "b", keep_going=False)
    assert (tmp_path / "b" / "error.json").exists()
    # Once the job succeeds, the stale error report goes away.
    monkeypatch.undo()
    assert run_job_recording_errors(cfg, tmp_path / "a", keep_going=True) is not None
    assert not (tmp_path / "a" / "error.json").exists()


def test_a_job_that_cannot_record_its_error_stops_the_sweep(compose_cfg, tmp_path, monkeypatch):
    import ccsim.reports.files

    cfg = compose_cfg("scenario=erlang_c", "scenario.horizon_h=2", "run.plots=false")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ccsim.runs.job, "run", broken)
    monkeypatch.setattr(ccsim.reports.files, "write_json", full)
    # In a sweep: one message for Hydra to print (no traceback); the command exits 1.
    with pytest.raises(JobFailedError, match="disk on fire.*error.json could not be written"):
        run_job_recording_errors(cfg, tmp_path, keep_going=True)
    with pytest.raises(RuntimeError, match="disk on fire"):  # a single run: its own error
        run_job_recording_errors(cfg, tmp_path, keep_going=False)


def test_submitit_local_launcher_runs_a_sweep(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    proc = run_ccsim(
        "-m",
        "hydra/launcher=submitit_local",
        "scenario=erlang_c",
        "scenario.agents=26,28",
        "scenario.horizon_h=4",
        "run.replications=2",
        "run.plots=false",
        "hydra.sweep.dir=sweep",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    for job in ("0", "1"):
        summary = json.loads((tmp_path / "sweep" / job / "summary.json").read_text())
        assert summary["config"]["scenario"]["agents"] == (26, 28)[int(job)]


def test_ray_launcher_runs_a_sweep_when_installed(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    proc = run_ccsim(
        "-m",
        "hydra/launcher=ray",
        "scenario=erlang_c",
        "scenario.agents=26,28",
        "scenario.horizon_h=4",
        "run.replications=1",
        "run.plots=false",
        "hydra.sweep.dir=sweep",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert all((tmp_path / "sweep" / j / "summary.json").exists() for j in ("0", "1"))
