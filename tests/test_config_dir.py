"""A centre's own config folder: ``ccsim --config-dir my_centre`` composes the folder's
``config.yaml`` on ccsim's settings (``defaults: [ccsim_base, _self_]``), reads its files
relative to the folder wherever ccsim runs from, and names the output folder and the report
after the centre."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from ccsim.cli import precheck
from ccsim.runs.config_dir import files_relative_to, folder_name, hydra_argv
from ccsim.runs.job import validate_config
from conftest import run_ccsim

CONFIG = """\
defaults:
  - ccsim_base
  - _self_
centre:
  name: "{name}"
  start: "2026-03-02 00:00"
  horizon_days: 1
  interval_min: 60
  forecast_csv: files/forecast.csv
  roster_csv: files/roster.csv
  channels:
    voice: {{handle_time: {{dist: exponential, mean_s: 240}}}}
  intents: {{general: {{}}}}
  pools:
    team: {{skills: {{voice: {{"*": 1.0}}}}}}
run:
  plots: false
"""
FORECAST = "interval_start,channel,volume\n2026-03-02 09:00,voice,30\n2026-03-02 10:00,voice,40\n"
ROSTER = "pool,start,length_h,count\nteam,2026-03-02 09:00,2,4\n"


def _centre_dir(root: Path, name: str = "North Street") -> Path:
    folder = root / "centres" / "north"
    (folder / "files").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG.format(name=name))
    (folder / "files" / "forecast.csv").write_text(FORECAST)
    (folder / "files" / "roster.csv").write_text(ROSTER)
    return folder


def _precheck(argv: list[str], capsys) -> tuple[int, str]:
    try:
        precheck(argv)
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().err


def test_a_centre_folder_runs_from_another_folder_named_after_the_centre(tmp_path):
    _centre_dir(tmp_path, "North Street/Lane: 2")
    work = tmp_path / "work"
    work.mkdir()
    proc = run_ccsim("--config-dir", "../centres/north", "run.replications=1", cwd=work)
    assert proc.returncode == 0, proc.stderr
    (out,) = (work / "outputs" / "North Street_Lane_ 2").iterdir()  # one folder name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["centre"]["name"] == "North Street/Lane: 2"
    assert summary["config"]["centre"]["forecast_csv"] == "files/forecast.csv"  # as written
    assert summary["totals"]["offered"]["mean"] > 0  # the forecast was read
    html = (out / "report.html").read_text()
    assert "<title>ccsim report: North Street/Lane: 2</title>" in html
    assert (out / "report.md").read_text().startswith("# ccsim report: North Street/Lane: 2")
    pools = (out / "pools.csv").read_text().splitlines()
    assert pools[10].split(",")[4] == "4"  # 09:00: the roster's 4 agents


def test_relative_files_resolve_against_the_folder_in_the_precheck(tmp_path, monkeypatch, capsys):
    folder = _centre_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert _precheck(["--config-dir", "centres/north"], capsys) == (0, "")
    (folder / "files" / "roster.csv").write_text(ROSTER.replace("team,", "teem,"))
    status, err = _precheck(["--config-dir", "centres/north"], capsys)
    assert status == 2
    assert err.startswith("ccsim: error: centres/north/files/roster.csv:2: column 'pool'")
    # Without the folder, the same config's files are looked for in the working directory.
    raw = OmegaConf.to_container(OmegaConf.load(folder / "config.yaml"))
    raw.pop("defaults")
    with pytest.raises(Exception, match="files/forecast.csv:0: .*file not found"):
        validate_config(raw)
    with files_relative_to(folder):
        (folder / "files" / "roster.csv").write_text(ROSTER)
        assert validate_config(raw).centre.name == "North Street"


def test_a_folder_config_shadows_the_packaged_config(tmp_path, monkeypatch):
    folder = _centre_dir(tmp_path)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(folder), version_base="1.3"):
            cfg = compose("config", hydra_argv(["--config-dir", str(folder)])[2:])
    finally:
        GlobalHydra.instance().clear()
    assert cfg.centre.name == "North Street" and cfg.scenario is None


def test_a_config_without_ccsims_settings_is_one_line(tmp_path, monkeypatch, capsys):
    folder = _centre_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    text = (folder / "config.yaml").read_text()
    (folder / "config.yaml").write_text(text.split("centre:", 1)[1].join(["centre:", ""]))
    status, err = _precheck(["--config-dir", "centres/north"], capsys)
    assert status == 2 and err.count("\n") == 1
    assert "centres/north/config.yaml: no defaults list" in err
    assert "defaults: [ccsim_base, _self_]" in err
    (folder / "config.yaml").write_text(text.replace("ccsim_base", "config"))
    status, err = _precheck(["--config-dir", "centres/north"], capsys)
    assert status == 2 and "defaults names 'config', which in this folder is the file" in err


def test_whole_numbers_in_nested_tables_and_a_wrong_value_names_its_key(
    tmp_path, monkeypatch, capsys
):
    """A planner writes a proficiency as 1, not 1.0 (OmegaConf alone refuses an int in a
    nested float table); a value of the wrong type in the file is one line naming its key."""
    folder = _centre_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    text = (folder / "config.yaml").read_text()
    (folder / "config.yaml").write_text(text.replace('"*": 1.0', '"*": 1'))
    assert _precheck(["--config-dir", "centres/north"], capsys) == (0, "")
    override = "centre.pools.team.skills.voice.general=2"
    assert _precheck(["--config-dir", "centres/north", override], capsys) == (0, "")
    status, err = _precheck(["--config-dir", "centres/north", override[:-1] + "fast"], capsys)
    assert status == 2 and err.count("\n") == 1
    assert "centre.pools.team.skills.voice.general='fast': must be a number" in err
    (folder / "config.yaml").write_text(text.replace("plots: false", "plots: false\n  seed: x"))
    status, err = _precheck(["--config-dir", "centres/north"], capsys)
    assert status == 2 and err.count("\n") == 1
    assert err.startswith("ccsim: error: run.seed: Value 'x' of type 'str' could not be")


def test_ccsim_base_keeps_the_packaged_hydra_settings():
    """ccsim_base.yaml repeats config.yaml's hydra settings but names folders by the centre."""
    GlobalHydra.instance().clear()
    try:
        with initialize_config_module(config_module="ccsim.conf", version_base="1.3"):
            base, packaged = (
                OmegaConf.to_container(compose(name, return_hydra_config=True).hydra)
                for name in ("ccsim_base", "config")
            )
    finally:
        GlobalHydra.instance().clear()
    assert base["run"].pop("dir") == "outputs/${ccsim.folder:}/${now:%Y-%m-%d_%H-%M-%S}"
    assert base["sweep"].pop("dir") == "multirun/${ccsim.folder:}/${now:%Y-%m-%d_%H-%M-%S}"
    for hc in (base, packaged):
        hc["job"].pop("config_name")
        hc["runtime"]["choices"].pop("scenario", None)
    del packaged["run"]["dir"], packaged["sweep"]["dir"]
    assert base == packaged


def test_folder_names():
    def root(**kw):
        return OmegaConf.create(kw)

    assert folder_name(_root_=root(centre={"name": "Northgate"})) == "Northgate"
    assert folder_name(_root_=root(centre={"name": ' a/b\\c:*?"<>| '})) == "a_b_c_______"
    assert folder_name(_root_=root(centre={"name": ".."})) == "centre"
    assert folder_name(_root_=root(centre=None, scenario={"name": "erlang_c"})) == "erlang_c"


def test_run_config_runs_a_folders_config_as_the_command_does(tmp_path, monkeypatch):
    import ccsim

    folder = _centre_dir(tmp_path)
    monkeypatch.chdir(tmp_path)  # not the config's folder: its files are found all the same
    result = ccsim.run_config(
        folder / "config.yaml", ["run.replications=1", "centre.interval_min=30"]
    )
    assert result.centre.name == "North Street" and result.centre.interval_s == 1800
    assert result.estimates["offered"].mean > 0
    with pytest.raises(ccsim.ConfigError, match="Could not load 'strategy/nope'.$"):
        ccsim.run_config(folder / "config.yaml", ["strategy=[nope]"])


def test_the_search_path_joins_the_commands_overrides():
    extra = "hydra.searchpath=[pkg://ccsim.conf]"
    assert hydra_argv(["a=1"]) == ["a=1"]  # no folder: ccsim's own configs only
    assert hydra_argv(["-cd", "d", "a=1", "--cfg", "job"]) == [
        "-cd",
        "d",
        "a=1",
        extra,
        "--cfg",
        "job",
    ]
    assert hydra_argv(["-m", "--config-dir", "d"]) == ["-m", "--config-dir", "d", extra]
    given = ["--config-dir", "d", "hydra.searchpath=[x]"]
    assert hydra_argv(given) == given
