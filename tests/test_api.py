"""The public face: ``ccsim`` exports its documented API, lazily, and runs configs from Python."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

import ccsim


def test_every_public_name_resolves_and_is_documented():
    assert ccsim.__all__[0] == "__version__"
    assert sorted(ccsim.__all__[1:]) == sorted(ccsim._EXPORTS)
    for name in ccsim.__all__:
        obj = getattr(ccsim, name)
        assert obj is not None
        if name != "__version__":
            assert f":{'class' if isinstance(obj, type) else 'func'}:`{name}`" in ccsim.__doc__
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        ccsim.nothing  # noqa: B018


def test_import_ccsim_is_light():
    """``import ccsim`` loads no engine, no numpy and no Hydra: the CLI's --help stays quick."""
    heavy = ("ccsim", "numpy", "hydra", "simpy")
    code = f"import sys, ccsim; print(sorted(m for m in sys.modules if m.startswith({heavy})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['ccsim', 'ccsim.version']"


def test_run_config_from_a_preset_a_dict_and_a_yaml_file(tmp_path):
    over = ["scenario.horizon_h=4", "run.replications=2", "run.plots=false"]
    by_name = ccsim.run_config("erlang_c", over)
    cfg = ccsim.compose_config("erlang_c", over)
    assert cfg["scenario"]["horizon_h"] == 4 and "hydra" not in cfg
    by_dict = ccsim.run_config(cfg)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(cfg))
    by_file = ccsim.run_config(path, ["run.replications=3"], out_dir=tmp_path / "out")
    sl = "sl_answered_within_t"
    assert by_name.estimates[sl] == by_dict.estimates[sl]  # the same config, the same numbers
    assert by_file.estimates[sl].n == 3
    assert by_file.reference is not None  # a single queue: the Erlang reference beside it
    assert (tmp_path / "out" / "summary.json").is_file()


def test_run_config_rejects_bad_input_before_running(tmp_path):
    with pytest.raises(ccsim.ConfigError, match="agents"):
        ccsim.run_config("erlang_c", ["scenario.agents=-3"])
    with pytest.raises(ccsim.ConfigError, match="YAML file that exists"):
        ccsim.run_config(tmp_path / "missing.yaml")


def test_plan_config_runs_a_planning_mode_and_run_config_refuses_one(tmp_path):
    plan = ccsim.plan_config(
        "small_centre",
        [
            "mode=staff",
            "planning.search.replications=2",
            "planning.search.check_replications=2",
            "run.plots=false",
        ],
        out_dir=tmp_path,
    )
    assert plan is not None and plan.search.scheduled.shape[0] == 2
    assert (tmp_path / "staffing.md").is_file()
    with pytest.raises(ccsim.ConfigError) as err:
        ccsim.run_config("small_centre", ["mode=staff"])
    assert err.value.key == "mode"
    with pytest.raises(ccsim.ConfigError):
        ccsim.plan_config("small_centre", out_dir=tmp_path)
