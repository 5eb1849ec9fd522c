"""Shift scheduling (issue 21): the integer programme finds the brute-force minimum, covers what
it can and reports the rest as shortfall, its roster file reads back to exactly the coverage it
planned (and the centre built on it schedules those heads), every bad ``planning.schedule`` key
gets one ConfigError naming it, and a realistic week solves to optimality."""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.optimize import OptimizeResult

import ccsim.planning.scheduling as scheduling
from ccsim.config.schedule import schedule_from_config
from ccsim.errors import ConfigError
from ccsim.inputs.roster import Shift, agents_per_interval, read_roster_csv, write_roster_csv
from ccsim.model.schedule import ScheduleSpec
from ccsim.planning.scheduling import candidate_shifts, required_heads, schedule_shifts
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config

H = 3600.0
MONDAY_6 = datetime(2026, 1, 5, 6, 0)  # a Monday, 06:00
TINY_REQ = np.array([1.2, 2.0, 3.5, 4.0, 3.0, 2.2, 4.0, 3.0, 2.0, 1.0])  # 06:00-16:00, hourly


def _tiny_types(max_count: int | None) -> list[dict[str, Any]]:
    return [
        # 06:00 and 08:00 (05:00 is before the horizon start: never a candidate)
        {
            "name": "long",
            "starts": ["05:00", "06:00", "08:00"],
            "length_h": 6,
            "breaks": [{"after_h": 3, "length_min": 30}],
            "max_count": max_count,
        },
        {
            "name": "mid",
            "starts": ["09:00"],
            "length_h": 5,
            "cost_per_h": 24,
            "max_count": max_count,
        },
        # 14:00 runs past the horizon end (16:00): paid whole, covers its first two hours
        {
            "name": "short",
            "start_window": ["10:00", "15:00"],
            "step_min": 240,
            "length_h": 4,
            "cost_per_h": 30,
            "max_count": max_count,
        },
        {"name": "tuesday", "starts": ["06:00"], "length_h": 8, "days": [1]},  # not on a Monday
    ]


def _tiny_spec(max_count: int | None, shortfall_cost: float) -> ScheduleSpec:
    raw = {"shift_types": _tiny_types(max_count), "shortfall_cost_per_agent_h": shortfall_cost}
    return schedule_from_config(raw, ["voice"], 60)


# The candidates, written out by hand: (shift, cost of one)
TINY_CANDIDATES = [
    (Shift("voice", 0.0, 6 * H, ((3 * H, 3.5 * H),), 1), 20 * 5.5),
    (Shift("voice", 2 * H, 8 * H, ((5 * H, 5.5 * H),), 1), 20 * 5.5),
    (Shift("voice", 3 * H, 8 * H, (), 1), 24 * 5),
    (Shift("voice", 4 * H, 8 * H, (), 1), 30 * 4),
    (Shift("voice", 8 * H, 12 * H, (), 1), 30 * 4),
]


def _brute_force(max_count: int, shortfall_cost: float) -> float:
    """The cheapest cost over every count vector 0..max_count (vectorised)."""
    a = np.stack([agents_per_interval([s], "voice", H, 10) for s, _ in TINY_CANDIDATES], axis=1)
    cost = np.array([c for _, c in TINY_CANDIDATES])
    x = np.array(list(itertools.product(range(max_count + 1), repeat=len(cost))), dtype=float)
    short = np.clip(required_heads(TINY_REQ)[None, :] - x @ a.T, 0.0, None)
    return float((x @ cost + shortfall_cost * short.sum(axis=1)).min())


def _solve_tiny(max_count: int | None, shortfall_cost: float) -> scheduling.ScheduleResult:
    return schedule_shifts(
        {"voice": TINY_REQ},
        interval_s=H,
        horizon_start=MONDAY_6,
        n_intervals=10,
        spec=_tiny_spec(max_count, shortfall_cost),
        cost_per_h={"voice": 20.0},
        mip_rel_gap=0.0,
    )


def test_the_candidates_are_each_type_start_and_day_in_the_horizon():
    got = candidate_shifts(
        _tiny_spec(None, 1000.0),
        interval_s=H,
        horizon_start=MONDAY_6,
        n_intervals=10,
        cost_per_h={"voice": 20.0},
    )
    assert [(c.shift, c.cost) for c in got] == TINY_CANDIDATES


@pytest.mark.parametrize(
    ("max_count", "shortfall_cost", "bound"),
    [
        (None, 1000.0, 8),  # fully covered: no count above 8 (2 x the peak of 4) can pay
        (1, 1000.0, 1),  # max_count 1: the peak cannot be covered
        (2, 25.0, 2),  # shortfall almost as cheap as a shift: some need left uncovered
    ],
)
def test_the_cost_is_the_brute_force_minimum(max_count, shortfall_cost, bound):
    result = _solve_tiny(max_count, shortfall_cost)
    assert result.status == "optimal"
    assert result.cost_total == pytest.approx(_brute_force(bound, shortfall_cost), rel=1e-9)
    assert all(s.count <= (max_count or math.inf) for s in result.shifts)


def test_full_coverage_when_affordable_and_shortfall_is_what_is_left():
    full = _solve_tiny(None, 1000.0)
    assert np.all(full.coverage["voice"] >= required_heads(TINY_REQ) - 1e-9)
    assert full.cost_shortfall == 0.0 and full.shortfall_agent_h == 0.0
    assert list(full.required["voice"]) == [2, 2, 4, 4, 3, 3, 4, 3, 2, 1]  # rounded up

    part = _solve_tiny(1, 1000.0)
    short = required_heads(TINY_REQ) - part.coverage["voice"]
    assert short.max() > 0
    np.testing.assert_allclose(part.shortfall["voice"], np.clip(short, 0.0, None), atol=1e-12)
    assert part.cost_shortfall == pytest.approx(1000.0 * part.shortfall["voice"].sum())
    assert part.cost_total == pytest.approx(part.cost_shifts + part.cost_shortfall)


def test_the_same_inputs_give_the_same_roster():
    a, b = _solve_tiny(2, 25.0), _solve_tiny(2, 25.0)
    assert a.shifts == b.shifts and a.type_names == b.type_names


SMALL_TYPES = [
    {
        "name": "full",
        "start_window": ["07:00", "12:00"],
        "length_h": 8.5,
        "breaks": [{"after_h": 2, "length_min": 15}, {"after_h": 4.25, "length_min": 30}],
    },
    {"name": "part", "starts": ["08:00", "11:45", "16:00"], "length_h": 4, "cost_per_h": 29},
    # 20:30 on the second day runs past the end of the two-day horizon
    {"name": "late", "pools": ["digital_team"], "starts": ["20:30"], "length_h": 7.75},
]


def _small_requirement() -> dict[str, np.ndarray]:
    hod = (np.arange(96) % 48) / 2.0
    open_ = (hod >= 8) & (hod < 20)
    voice = np.where(open_, 12.0 + 9.0 * np.sin((hod - 8) / 12 * np.pi), 0.0)
    digital = np.where(open_, 5.3, np.where(hod >= 20, 1.7, 0.0))
    return {"voice_team": voice, "digital_team": digital}


def test_the_roster_file_reads_back_to_the_planned_coverage_and_centre(tmp_path):
    cfg = compose_config("small_centre", ["run.n_jobs=1"])
    pools = list(cfg["centre"]["pools"])
    assert pools == ["voice_team", "digital_team"]
    start = datetime.fromisoformat(cfg["centre"]["start"])
    spec = schedule_from_config({"shift_types": SMALL_TYPES}, pools, 30)
    result = schedule_shifts(
        _small_requirement(),
        interval_s=1800.0,
        horizon_start=start,
        n_intervals=96,
        spec=spec,
        cost_per_h={"voice_team": 27.0, "digital_team": 25.0},
    )
    assert result.status == "optimal" and result.shortfall_agent_h == 0.0
    assert {"full", "part", "late"} <= set(result.type_names)
    assert any(s.end_s > 96 * 1800.0 for s in result.shifts)  # runs past the horizon end
    path = tmp_path / "roster.csv"
    result.write_roster_csv(path)
    back = read_roster_csv(path, pools=pools, horizon_start=start)
    assert tuple(back) == result.shifts
    for pool in pools:
        read = agents_per_interval(back, pool, 1800.0, 96)
        assert np.array_equal(read, result.coverage[pool])
        # ... which is the sum of the solver's columns (one shift's heads x its count)
        columns = sum(
            s.count
            * agents_per_interval(
                [Shift(s.pool, s.start_s, s.end_s, s.breaks, 1)], pool, 1800.0, 96
            )
            for s in result.shifts
            if s.pool == pool
        )
        np.testing.assert_allclose(columns, read, atol=1e-9)
    cfg["centre"]["roster_csv"] = str(path)
    for pool in pools:
        cfg["centre"]["pools"][pool]["shifts"] = None
    job = validate_config(cfg)
    for p in job.centre.pools:
        assert np.array_equal(p.agents_scheduled, result.coverage[p.name])


def test_writing_a_roster_checks_it_reads_back_exactly(tmp_path):
    start = datetime(2026, 1, 5, 0, 0)
    odd = [
        Shift("a", 7.5 * H, 7.5 * H + 7 * H + 50 * 60, ((9 * H, 9.25 * H),), 3),
        Shift("a", 22 * H, 31 * H, ((26 * H, 26.5 * H),), 1),  # break after midnight
        Shift("a", 30 * H + 17, 32 * H, (), 2),  # start on a whole second
    ]
    path = tmp_path / "r.csv"
    write_roster_csv(path, odd, start)
    assert read_roster_csv(path, pools=["a"], horizon_start=start) == odd
    write_roster_csv(path, [], start)
    assert read_roster_csv(path, pools=["a"], horizon_start=start) == []
    for bad in (
        Shift("a", 0.5, 2 * H, (), 1),  # half a second
        Shift("a", H, 2 * H, ((H + 90, H + 1800),), 1),  # break off the minute
        Shift("a", -H, 2 * H, (), 1),  # before the horizon start
        Shift("a", 0.0, 25 * H, (), 1),  # longer than 24 h
    ):
        with pytest.raises(ValueError):
            write_roster_csv(tmp_path / "bad.csv", [bad], start)
    assert not (tmp_path / "bad.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]  # no temporary files left


def test_the_solver_stopping_at_its_time_limit_is_reported(monkeypatch):
    real = scheduling.milp

    def stopped(*args: Any, **kwargs: Any) -> OptimizeResult:
        res = real(*args, **kwargs)
        return OptimizeResult(
            status=1, x=res.x, fun=res.fun, mip_gap=0.05, mip_dual_bound=0.95 * res.fun
        )

    monkeypatch.setattr(scheduling, "milp", stopped)
    result = _solve_tiny(None, 1000.0)
    assert result.status == "time_limit" and result.mip_gap == 0.05
    assert result.lower_bound < result.cost_total
    assert "time limit" in result.describe() and "5.00%" in result.describe()

    def nothing(*args: Any, **kwargs: Any) -> OptimizeResult:
        return OptimizeResult(status=1, x=None, fun=None, mip_gap=None, mip_dual_bound=None)

    monkeypatch.setattr(scheduling, "milp", nothing)
    with pytest.raises(ConfigError) as exc:
        _solve_tiny(None, 1000.0)
    assert exc.value.key == "planning.schedule.time_limit_s"


def test_shift_types_from_config():
    spec = schedule_from_config(
        {
            "shift_types": [
                {
                    "name": "early",
                    "start_window": ["07:00", "09:00"],
                    "length_h": 8.5,
                    "breaks": [{"after_h": 4.0, "length_min": 30}],
                    "days": [4, 0, 0],
                },
                {
                    "name": "late",
                    "pools": ["b"],
                    "starts": ["16:00", "12:00"],
                    "length_h": 4,
                    "cost_per_h": 31,
                    "max_count": 5,
                },
            ],
            "requirement": "erlang_a",
            "time_limit_s": 5,
        },
        ["a", "b"],
        30,
    )
    early, late = spec.shift_types
    assert early.pools == ("a", "b") and early.days == (0, 4)
    assert early.start_offsets_s == tuple(60.0 * m for m in range(420, 541, 30))
    assert early.length_s == 8.5 * H and early.breaks == ((4 * H, 1800.0),)
    assert early.paid_h == 8.0 and early.cost_per_h is None and early.max_count is None
    assert late.pools == ("b",) and late.start_offsets_s == (12 * H, 16 * H)
    assert late.days == tuple(range(7)) and late.cost_per_h == 31.0 and late.max_count == 5
    assert (spec.requirement, spec.shortfall_cost_per_agent_h, spec.time_limit_s) == (
        "erlang_a",
        1000.0,
        5.0,
    )


_T = "planning.schedule.shift_types[0]"
_BASE = {
    "name": "day",
    "starts": ["08:00"],
    "length_h": 8.5,
    "breaks": [{"after_h": 4, "length_min": 30}],
}
BAD = [
    ("top", {"shift_types": []}, "planning.schedule.shift_types"),
    ("top", {"shift_types": None}, "planning.schedule.shift_types"),
    ("top", {"shift_type": [_BASE]}, "planning.schedule.shift_type"),
    ("top", {"requirement": "erlang_b"}, "planning.schedule.requirement"),
    ("top", {"shortfall_cost_per_agent_h": -1}, "planning.schedule.shortfall_cost_per_agent_h"),
    (
        "top",
        {"shortfall_cost_per_agent_h": float("nan")},
        "planning.schedule.shortfall_cost_per_agent_h",
    ),
    ("top", {"time_limit_s": 0}, "planning.schedule.time_limit_s"),
    ("top", {"time_limit_s": float("inf")}, "planning.schedule.time_limit_s"),
    (
        "top",
        {"shift_types": [_BASE, dict(_BASE, starts=["09:00"])]},
        "planning.schedule.shift_types[1].name",
    ),
    ("type", {"lenght_h": 8}, f"{_T}.lenght_h"),
    ("type", {"name": None}, f"{_T}.name"),
    ("type", {"length_h": None}, f"{_T}.length_h"),
    ("type", {"pools": ["phone"]}, f"{_T}.pools[0]"),
    ("type", {"pools": []}, f"{_T}.pools"),
    ("type", {"cost_per_h": -27}, f"{_T}.cost_per_h"),
    ("type", {"cost_per_h": float("nan")}, f"{_T}.cost_per_h"),
    ("type", {"cost_per_h": float("inf")}, f"{_T}.cost_per_h"),
    ("type", {"length_h": 0}, f"{_T}.length_h"),
    ("type", {"length_h": 24.5}, f"{_T}.length_h"),
    ("type", {"length_h": 8.3333}, f"{_T}.length_h"),
    ("type", {"breaks": [{"after_h": 8.25, "length_min": 15}]}, f"{_T}.breaks[0].after_h"),
    ("type", {"breaks": [{"after_h": 0, "length_min": 15}]}, f"{_T}.breaks[0].after_h"),
    ("type", {"breaks": [{"after_h": 2, "length_min": 0}]}, f"{_T}.breaks[0].length_min"),
    ("type", {"breaks": [{"after_h": 2, "minutes": 15}]}, f"{_T}.breaks[0].minutes"),
    (
        "type",
        {"breaks": [{"after_h": 2, "length_min": 15}, {"after_h": 2.25, "length_min": 30}]},
        f"{_T}.breaks[1]",
    ),
    ("type", {"starts": ["8:0"]}, f"{_T}.starts[0]"),
    ("type", {"starts": ["24:00"]}, f"{_T}.starts[0]"),
    ("type", {"starts": [750]}, f"{_T}.starts[0]"),
    ("type", {"starts": []}, f"{_T}.starts"),
    ("type", {"starts": None}, f"{_T}.starts"),
    ("type", {"start_window": ["07:00", "09:00"]}, f"{_T}.starts"),
    ("type", {"step_min": 30}, f"{_T}.step_min"),
    ("type", {"starts": None, "start_window": ["12:00", "07:00"]}, f"{_T}.start_window"),
    ("type", {"starts": None, "start_window": ["07:00"]}, f"{_T}.start_window"),
    ("type", {"starts": None, "start_window": ["07:00", "7:75"]}, f"{_T}.start_window[1]"),
    ("type", {"starts": None, "start_window": ["07:00", "09:00"], "step_min": 0}, f"{_T}.step_min"),
    (
        "type",
        {"starts": None, "start_window": ["07:00", "09:00"], "step_min": 7.5},
        f"{_T}.step_min",
    ),
    ("type", {"days": [7]}, f"{_T}.days[0]"),
    ("type", {"days": [-1]}, f"{_T}.days[0]"),
    ("type", {"days": []}, f"{_T}.days"),
    ("type", {"max_count": -1}, f"{_T}.max_count"),
    ("type", {"max_count": 1.5}, f"{_T}.max_count"),
]


@pytest.mark.parametrize(("level", "change", "key"), BAD, ids=[f"{k}|{c!r:.40}" for _, c, k in BAD])
def test_each_bad_key_gets_one_config_error_naming_it(level, change, key):
    if level == "top":
        raw = {"shift_types": [_BASE], **change}
    else:
        raw = {"shift_types": [{**_BASE, **change}]}
    with pytest.raises(ConfigError) as exc:
        schedule_from_config(raw, ["voice", "chat"], 30)
    assert exc.value.key == key, str(exc.value)
    if change.get("shift_types") == []:
        assert "is empty; give at least one" in str(exc.value)


def _week_requirement() -> dict[str, np.ndarray]:
    k = np.arange(7 * 48)
    hod, day = (k % 48) / 2.0, k // 48
    scale = np.select([day < 5, day == 5], [1.0, 0.7], 0.0)
    open_ = (hod >= 8) & (hod < 20)
    shape = np.where(open_, 1.0 + 0.8 * np.sin((hod - 8) / 12 * np.pi), 0.0)
    digital = np.where((hod >= 8) & (hod < 24), 9.4, 0.0) * np.where(day < 6, 1.0, 0.5)
    return {
        "voice_team": 22.3 * shape * scale,
        "specialists": 14.6 * shape * scale,
        "digital_team": digital + 8.0 * shape * scale,
    }


WEEK_TYPES = [
    {
        "name": "full_time",
        "start_window": ["07:00", "16:00"],
        "length_h": 8.5,
        "breaks": [{"after_h": 4, "length_min": 30}],
        "days": [0, 1, 2, 3, 4, 5],
    },
    {"name": "part_time", "start_window": ["07:00", "16:00"], "length_h": 4},
    {
        "name": "weekend_late",
        "pools": ["digital_team"],
        "start_window": ["14:00", "16:00"],
        "length_h": 8.5,
        "breaks": [{"after_h": 4.5, "length_min": 30}],
        "cost_per_h": 30,
    },
]


def test_a_week_of_half_hours_solves_to_optimality():
    pools = ["voice_team", "specialists", "digital_team"]
    spec = schedule_from_config({"shift_types": WEEK_TYPES, "time_limit_s": 60}, pools, 30)
    result = schedule_shifts(
        _week_requirement(),
        interval_s=1800.0,
        horizon_start=datetime(2026, 1, 5),
        n_intervals=7 * 48,
        spec=spec,
        cost_per_h={"*": 27.0, "voice_team": 27.0, "specialists": 31.0, "digital_team": 26.0},
    )
    assert result.status == "optimal"
    assert result.shortfall_agent_h == 0.0
    for pool in pools:
        assert np.all(result.coverage[pool] >= result.required[pool] - 1e-9)


def test_the_example_in_the_docs_is_valid_and_solves():
    text = (Path(__file__).resolve().parents[2] / "docs" / "planning.md").read_text()
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "shift_types" in b)
    raw = yaml.safe_load(block)["planning"]["schedule"]
    pools = list(compose_config("default_week")["centre"]["pools"])
    spec = schedule_from_config(raw, pools, 30)
    assert [t.name for t in spec.shift_types] == ["early", "late", "part_time", "evening", "sunday"]
    result = schedule_shifts(
        _week_requirement(),
        interval_s=1800.0,
        horizon_start=datetime(2026, 1, 5),
        n_intervals=7 * 48,
        spec=spec,
        cost_per_h=dict.fromkeys(pools, 27.0),
    )
    assert result.status == "optimal" and result.shifts
