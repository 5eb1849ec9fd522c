"""mode=schedule and mode=plan from the command line on the small centre: the roster the
scheduler writes loads and its simulation meets the targets; the cheapest plan is the cheapest
feasible combination, reruns resume, and bad input gets one line before anything runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ccsim.config.planning import levers_from_config, targets_from_config
from ccsim.errors import ConfigError
from ccsim.model.planning import SearchSpec
from ccsim.planning.cheapest import search_cheapest, variant_config
from ccsim.planning.job import validate_planning
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config
from conftest import run_ccsim

SHIFT_TYPES = (
    "planning.schedule.shift_types=["
    "{name: day, start_window: ['07:00', '12:00'], length_h: 8, "
    "breaks: [{after_h: 4, length_min: 30}]},"
    "{name: part, start_window: ['08:00', '16:00'], length_h: 4},"
    "{name: night, pools: [digital_team], starts: ['00:00', '16:00'], length_h: 8}]"
)
QUICK = ("planning.search.replications=3", "planning.search.check_replications=4")


def test_schedule_mode_writes_a_roster_that_loads_and_meets_the_targets(tmp_path):
    out = tmp_path / "s"
    proc = run_ccsim(
        "scenario=small_centre",
        "mode=schedule",
        SHIFT_TYPES,
        *QUICK,
        f"hydra.run.dir={out}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "schedule.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["shortfall_agent_h"] == 0.0
    assert all(c["meets"] for c in summary["checks"]), summary["checks"]
    # The roster reads back as the centre's roster, and covers the simulated requirement.
    cfg = compose_config("small_centre", [f"centre.roster_csv={out / 'roster.csv'}"])
    for pool in cfg["centre"]["pools"].values():
        pool["shifts"] = None
    centre = validate_config(cfg).centre
    rows = [r.split(",") for r in (out / "schedule.csv").read_text().splitlines()[1:]]
    for pool in centre.pools:
        required = np.array([float(r[4]) for r in rows if r[0] == pool.name])
        assert np.all(pool.agents_scheduled >= np.ceil(required - 1e-9))
    assert (out / "verification" / "report.md").is_file()
    assert (out / "staffing" / "staffing.csv").is_file()


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("planning.schedule.shift_types=[]", "planning.schedule.shift_types"),
        ("costs.bot_session=-1", "costs.bot_session"),
        ("planning.levers={}", "planning.levers"),
    ],
)
def test_planning_modes_refuse_bad_input_in_one_line(override, key, tmp_path):
    mode = "plan" if "levers" in override else "schedule"
    proc = run_ccsim(
        "scenario=small_centre",
        f"mode={mode}",
        override,
        f"hydra.run.dir={tmp_path / 'x'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and key in proc.stderr, proc.stderr
    assert not (tmp_path / "x" / "roster.csv").exists()


def test_schedule_needs_a_centre():
    cfg = compose_config("erlang_c", ["mode=schedule"])
    with pytest.raises(ConfigError) as err:
        validate_planning(cfg)
    assert err.value.key == "mode"


LEVERS = {
    "voice": {"strategy": "staffing", "set": "add_agents.voice_team", "values": [0, 4, 8]},
    "callbacks": {"strategy": "callbacks", "values": [None, True]},
}


STAFF_LEVERS = {
    "voice": {"strategy": "staffing", "set": "add_agents.voice_team", "values": [0, 6]},
    "digital": {"strategy": "staffing", "set": "add_agents.digital_team", "values": [0, 6, 12]},
}


def test_cheapest_plan_is_the_cheapest_feasible_combination(tmp_path):
    cfg = compose_config("small_centre", ["run.seed=5"])
    cfg["costs"]["abandon_penalty"] = 1.0
    levers = levers_from_config(STAFF_LEVERS)
    job = validate_config(cfg)
    targets = targets_from_config({}, job.centre)
    spec = SearchSpec(replications=4, check_replications=4, max_iterations=1, remove=True)
    cache = tmp_path / "plan_search.json"
    ps = search_cheapest(cfg, levers, targets, spec, seed=5, cache=cache, digest="x")
    assert len(ps.variants) == 6
    feasible = [v for v in ps.variants if v.feasible]
    assert ps.plan is not None and feasible
    assert ps.plan.cost == min(v.cost for v in feasible)
    # The base (chat far below target) is not feasible; more agents cost more (the agents' pay
    # dominates the abandonment penalty).
    by = {v.values: v for v in ps.variants}
    assert not by[(0, 0)].feasible
    assert by[(0, 0)].cost < by[(0, 6)].cost < by[(0, 12)].cost
    assert ps.check is not None and ps.saving is not None
    assert 0.0 <= ps.share_missed <= 1.0
    # A rerun reads every combination from the cache (no simulation: same numbers).
    again = search_cheapest(cfg, levers, targets, spec, seed=5, cache=cache, digest="x")
    assert [v.costs for v in again.variants] == [v.costs for v in ps.variants]


def test_variant_config_switches_levers_on_and_off():
    base = compose_config("small_centre", ["strategy=[callbacks]"])
    levers = levers_from_config(LEVERS)
    off = variant_config(base, levers, (0, None))
    assert off["strategy"]["callbacks"] is None
    assert off["strategy"]["staffing"]["add_agents"] == {"voice_team": 0}
    on = variant_config(base, levers, (8, True))
    assert on["strategy"]["callbacks"] == base["strategy"]["callbacks"]  # the base's own settings
    assert on["strategy"]["staffing"]["add_agents"]["voice_team"] == 8


@pytest.mark.parametrize(
    ("levers", "key"),
    [
        ({"x": {"strategy": "teleport", "values": [1]}}, "planning.levers.x.strategy"),
        ({"x": {"strategy": "chatbot", "values": []}}, "planning.levers.x.values"),
        ({"x": {"strategy": "chatbot", "values": [0.3]}}, "planning.levers.x.values"),
        ({"x": {"strategy": "chatbot", "valuez": [1]}}, "planning.levers.x.valuez"),
    ],
)
def test_bad_levers(levers, key):
    with pytest.raises(ConfigError) as err:
        levers_from_config(levers)
    assert err.value.key == key


def test_plan_mode_from_the_cli(tmp_path):
    out = tmp_path / "p"
    proc = run_ccsim(
        "scenario=small_centre",
        "mode=plan",
        "planning.levers={voice: {strategy: staffing, set: add_agents.voice_team, values: [0, 6]}}",
        *QUICK,
        f"hydra.run.dir={out}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    plan = json.loads((out / "plan.json").read_text())
    assert plan["schema"] == "ccsim.plan/1"
    assert "Every combination, cheapest first" in (out / "plan.md").read_text()
    assert len((out / "plans.csv").read_text().splitlines()) == 3
