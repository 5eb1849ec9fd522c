"""Values that would fail at the very end of a run are refused at the config boundary, before
anything runs, with one line: what JSON cannot record in summary.json (a set, a datetime, bytes
in a Python dict; an interpolation that cannot be resolved) and a routing policy that cannot
route (the abstract base class, something that is not a Router, a module that fails to load).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
from pathlib import Path

import pytest

import ccsim
import ccsim.runs.job
from ccsim.cli import main
from ccsim.runs.presets import compose_config

QUICK = ["scenario.horizon_h=2", "run.replications=1", "run.plots=false"]


@pytest.fixture
def no_simulation(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the simulation ran")

    monkeypatch.setattr(ccsim.runs.job, "run", must_not_run)
    monkeypatch.setattr(ccsim.runs.presets, "run", must_not_run)


def _ccsim(monkeypatch, capsys, *args: str) -> tuple[int, list[str]]:
    monkeypatch.setattr(sys, "argv", ["ccsim", *args])
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    return int(code or 0), [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def erlang_c():
    return compose_config("erlang_c", QUICK)


@pytest.mark.parametrize(
    "key, value, words",
    [
        (("scenario", "description"), {1, 2}, "a set is not a config value"),
        (("scenario", "handle_time", "values_s"), frozenset({60.0}), "give a list"),
        (("scenario", "name"), b"erlang", "bytes are not a config value"),
        (("scenario", "description"), dt.datetime(2026, 1, 5, 8, 0), "'2026-01-05 08:00'"),
        (("scenario", "description"), dt.date(2026, 1, 5), "a date is not"),
        (("run", "seed"), object(), "an object is not a config value"),
        (("scenario", "description"), 1j, "a complex is not a config value"),
    ],
)
def test_a_value_json_cannot_record_is_refused_before_the_run(
    erlang_c, no_simulation, key, value, words
):
    cfg = copy.deepcopy(erlang_c)
    node = cfg
    for k in key[:-1]:
        node = node[k]
    node[key[-1]] = value
    for call in (
        lambda: ccsim.run_config(cfg),
        lambda: ccsim.run_config(cfg, ["run.replications=1"]),  # merged with overrides
        lambda: ccsim.validate_config(cfg),
    ):
        with pytest.raises(ccsim.ConfigError) as exc:
            call()
        line = str(exc.value)
        assert "\n" not in line and line.startswith(".".join(key) + "=")
        assert words in line and "summary.json records the config as JSON" in line


def test_a_multichannel_start_given_as_a_datetime(no_simulation):
    cfg = compose_config("small_centre", ["centre.horizon_days=1"])
    cfg["centre"]["start"] = dt.datetime(2026, 1, 5)
    with pytest.raises(ccsim.ConfigError, match=r"^centre\.start=datetime\.datetime\(2026, 1, 5"):
        ccsim.run_config(cfg)


def test_paths_tuples_and_numpy_values_are_recorded_plainly(erlang_c, tmp_path):
    import numpy as np

    cfg = copy.deepcopy(erlang_c)
    cfg["scenario"]["description"] = Path("a") / "b"
    cfg["scenario"]["agents"] = np.int64(27)
    cfg["scenario"]["handle_time"] = {"dist": "empirical", "values_s": (200.0, np.float64(280.0))}
    ccsim.run_config(cfg, out_dir=tmp_path)
    recorded = json.loads((tmp_path / "summary.json").read_text())["config"]["scenario"]
    assert recorded["description"] == str(Path("a") / "b") and recorded["agents"] == 27
    assert recorded["handle_time"]["values_s"] == [200.0, 280.0]


def test_interpolations(tmp_path, monkeypatch, capsys, no_simulation):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NOPE_NOT_SET", raising=False)
    for override, line in (
        (
            "scenario.description=${oc.env:NOPE_NOT_SET}",
            "ccsim: error: scenario.description='${oc.env:NOPE_NOT_SET}': cannot be resolved: "
            "Environment variable 'NOPE_NOT_SET' not found",
        ),
        (
            "scenario.description=${nope}",
            "ccsim: error: scenario.description='${nope}': cannot be resolved: Interpolation key "
            "'nope' not found",
        ),
        (
            "scenario.agents=${oc.env:HOME}",
            "ccsim: error: scenario.agents='${oc.env:HOME}': cannot be resolved: Value "
            f"'{Path.home()}' of type 'str' could not be converted to Integer",
        ),
        (
            "hydra.run.dir=${oc.env:NOPE_NOT_SET}",
            "ccsim: error: hydra.run.dir: cannot be resolved: Environment variable "
            "'NOPE_NOT_SET' not found",
        ),
    ):
        assert _ccsim(monkeypatch, capsys, "scenario=erlang_c", *QUICK, override) == (2, [line])
    assert not list(tmp_path.rglob("*.json"))


def test_an_interpolation_that_resolves_is_recorded_resolved(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CCSIM_TEST_LABEL", "from the environment")
    args = ["scenario=erlang_c", *QUICK, f"hydra.run.dir={tmp_path}/run"]
    assert _ccsim(
        monkeypatch, capsys, *args, "scenario.description=${oc.env:CCSIM_TEST_LABEL}"
    ) == (0, [])
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["config"]["scenario"]["description"] == "from the environment"


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """Importable modules for centre.routing: one that fails to load, one without routers."""
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "broken_router.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "mods" / "not_routers.py").write_text("X = 1\n\nclass Plain:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))


ROUTING = [
    (
        "ccsim.engine.routing:Router",
        "ccsim.engine.routing:Router is abstract; give a subclass that implements agent_for "
        "and contact_for",
    ),
    (
        "ccsim.engine.routing:_LongestIdle",
        "ccsim.engine.routing:_LongestIdle is abstract; give a subclass that implements "
        "contact_for",
    ),
    (
        "not_routers:Plain",
        "not_routers:Plain is not a routing policy: not a subclass of ccsim.engine.routing.Router "
        "but the class Plain",
    ),
    (
        "not_routers:X",
        "not_routers:X is not a routing policy: not a subclass of ccsim.engine.routing.Router "
        "but an object of type int",
    ),
    ("broken_router:Policy", "cannot import 'broken_router:Policy' (RuntimeError: boom at import)"),
    (
        "no_such_module:Policy",
        "cannot import 'no_such_module:Policy' (ModuleNotFoundError: No module named "
        "'no_such_module')",
    ),
    (
        "not_routers:Missing",
        "cannot import 'not_routers:Missing' (AttributeError: module 'not_routers' has no "
        "attribute 'Missing')",
    ),
    (
        "ccsim.engine.routing.FifoRouter",
        "unknown router; allowed: skills_priority, fifo or package.module:Class (a class is "
        "written package.module:Class: ccsim.engine.routing:FifoRouter?)",
    ),
]


@pytest.mark.parametrize("routing, why", ROUTING, ids=[r[0] for r in ROUTING])
def test_a_routing_policy_that_cannot_route(
    tmp_path, monkeypatch, capsys, modules, no_simulation, routing, why
):
    monkeypatch.chdir(tmp_path)
    args = ["scenario=small_centre", "centre.horizon_days=1", f"centre.routing={routing}"]
    assert _ccsim(monkeypatch, capsys, *args) == (
        2,
        [f"ccsim: error: centre.routing={routing!r}: {why}"],
    )
    assert not list(tmp_path.rglob("summary.json"))
