"""A sweep folder's record (sweep.json): which later sweeps it takes, and the failure line."""

from __future__ import annotations

from pathlib import Path

from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode

from ccsim.config.schema import register_configs
from ccsim.sweeps.hook import SweepState, sweep_difference, sweep_record


def record(*lines: str, subdir: str = "${hydra.job.num}", config: str = "config", **params):
    """A record as sweep_record makes it, with each job's overrides expanded by hand."""
    jobs: list[list[str]] = [[]]
    for line in [*(f"{k}={v}" for k, v in params.items()), *lines]:
        key, _, values = line.partition("=")
        jobs = [j + [f"{key}={v}"] for j in jobs for v in values.split(",")]
    return {
        "config": {"name": config, "dir": None},
        "subdir": subdir,
        "sweeper_params": dict(params),
        "overrides": list(lines),
        "jobs": jobs,
    }


def test_the_same_sweep_resumes():
    a = record("scenario=erlang_c", "scenario.agents=26,28")
    assert sweep_difference(a, record("scenario=erlang_c", "scenario.agents=26,28")) is None


def test_more_values_at_the_end_of_a_numbered_sweep_keep_every_job_folder():
    a = record("scenario.agents=26,28")
    assert sweep_difference(a, record("scenario.agents=26,28,30")) is None
    # A value in the middle renumbers the later jobs: job 1 would be another config.
    why = sweep_difference(a, record("scenario.agents=26,27,28"))
    assert why == "then scenario.agents=26,28, now scenario.agents=26,27,28"


def test_other_values_or_another_key_are_another_sweep():
    a = record("scenario=erlang_c", "scenario.agents=26,28", "run.replications=2")
    b = record("scenario=erlang_c", "scenario.agents=26,28", "run.replications=20")
    assert sweep_difference(a, b) == "then run.replications=2, now run.replications=20"
    fewer = record("scenario=erlang_c", "scenario.agents=26")
    assert "then scenario.agents=26,28" in sweep_difference(a, fewer)


def test_a_reordered_command_line_numbers_the_jobs_differently():
    a = record("scenario.agents=26,28", "run.seed=1,2")
    b = record("run.seed=1,2", "scenario.agents=26,28")
    assert "another order" in sweep_difference(a, b)


def test_a_study_named_by_overrides_takes_any_variants_of_its_config():
    """Job folders named after their overrides never collide: a study sweeps its baseline,
    then its variants, into one folder (experiments/c_outage_notice)."""
    subdir = "${hydra.job.override_dirname}"
    a = record(subdir=subdir, strategy="[],[chatbot]")
    more = record(subdir=subdir, strategy="[],[fcr],[chatbot]")
    assert sweep_difference(a, more) is None  # each old job keeps its folder
    other = record(subdir=subdir, strategy="[fcr]")
    assert sweep_difference(a, other) is None
    assert sweep_difference(a, record(subdir=subdir, config="study")) is not None


def test_another_config_or_folder_layout_is_another_sweep():
    a = record("scenario.agents=26,28")
    assert sweep_difference(a, record("scenario.agents=26,28", config="study")) == (
        "config config then, study now"
    )
    other = record("scenario.agents=26,28", subdir="${hydra.job.override_dirname}")
    assert "hydra.sweep.subdir" in sweep_difference(a, other)


def test_without_expanded_jobs_the_command_lines_are_compared():
    a = {**record("scenario.agents=26,28"), "jobs": None}
    assert sweep_difference(a, {**a}) is None
    b = {**record("scenario.agents=26,30"), "jobs": None}
    assert sweep_difference(a, b) == "then scenario.agents=26,28, now scenario.agents=26,30"


def test_the_record_of_a_composed_sweep():
    register_configs()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_module(config_module="ccsim.conf", version_base="1.3"):
            cfg = GlobalHydra.instance().hydra.compose_config(  # as `ccsim -m` composes it
                "config",
                ["scenario=erlang_c", "scenario.agents=26,28", "run.seed=1,2,3"],
                run_mode=RunMode.MULTIRUN,
            )
            rec = sweep_record(cfg, ["ccsim", "-m"])
    finally:
        GlobalHydra.instance().clear()
    assert rec["schema"] == "ccsim.sweep/1" and rec["command"] == ["ccsim", "-m"]
    assert rec["subdir"] == "${hydra.job.num}" and rec["config"]["name"] == "config"
    assert rec["overrides"] == ["scenario=erlang_c", "scenario.agents=26,28", "run.seed=1,2,3"]
    assert len(rec["jobs"]) == 6
    assert rec["jobs"][1] == ["scenario=erlang_c", "scenario.agents=26", "run.seed=2"]


def test_the_failure_line_names_the_sweep_and_each_error_json():
    assert SweepState(Path("sw"), 4, ended=True).failure_line() is None
    failed = [Path("sw/1/error.json"), Path("sw/3/error.json")]
    line = SweepState(Path("sw"), 4, True, failed).failure_line()
    assert line == "2 of 4 jobs failed in the sweep sw: sw/1/error.json, sw/3/error.json"
    many = [Path(f"sw/{i}/error.json") for i in range(12)]
    line = SweepState(Path("sw"), None, True, many, "OSError: disk full").failure_line()
    assert line.startswith("12 jobs failed in the sweep sw: sw/0/error.json, ")
    tail = "sw/9/error.json and 2 more; the comparison report of sw failed (OSError: disk full)"
    assert line.endswith(tail)


def test_a_comparison_report_that_cannot_be_written_fails_the_sweep(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    import ccsim.sweeps.compare
    from ccsim.sweeps.hook import SWEEP, ComparisonOnMultirunEnd

    (tmp_path / "1").mkdir()
    (tmp_path / "1" / "error.json").write_text('{"error": "RuntimeError: boom"}')

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ccsim.sweeps.compare, "compare", full)
    SWEEP.clear()
    monkeypatch.chdir(tmp_path)
    ComparisonOnMultirunEnd().on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": "."}}}))
    assert SWEEP.ended and SWEEP.failed == [Path("1/error.json")]
    assert SWEEP.failure_line() == (
        "1 job failed in the sweep .: 1/error.json; the comparison report of . failed "
        "(OSError: [Errno 28] No space left on device)"
    )
    SWEEP.clear()
