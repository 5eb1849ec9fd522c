"""Interval lengths: any whole number of minutes that divides a day runs end to end (intervals,
totals, profiles and forecasts on its grid); anything else stops with one line naming the key."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

import ccsim
from ccsim.analysis.metrics import interval_metrics
from ccsim.config.values import ALLOWED_INTERVAL_MIN
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config

DAYS = 2  # small_centre's horizon
DAILY = {"voice": 1500.0, "chat": 600.0, "email": 400.0}  # its daily volumes


def test_allowed_lengths_are_the_divisors_of_a_day():
    assert ALLOWED_INTERVAL_MIN == tuple(m for m in range(1, 1441) if 1440 % m == 0)
    assert len(ALLOWED_INTERVAL_MIN) == 36 and {10, 20, 45, 120, 1440} <= set(ALLOWED_INTERVAL_MIN)


@pytest.mark.parametrize("minutes", [10, 20, 45, 120, 1440])
def test_a_run_at_any_divisor_of_a_day(minutes, tmp_path):
    """Right number of intervals in every output; every arrival counted once, in one interval
    and in one outcome; the planned volume is the days' volume whatever the grid."""
    plots = "true" if minutes == 45 else "false"  # the figures' axes once, at an odd length
    result = ccsim.run_config(
        "small_centre",
        [f"centre.interval_min={minutes}", "run.replications=1", f"run.plots={plots}"],
        out_dir=tmp_path,
    )
    c = result.centre
    n_k = DAYS * 1440 // minutes
    assert c.n_intervals == n_k and c.interval_s == 60.0 * minutes
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["centre"]["interval_min"] == minutes
    assert summary["centre"]["n_intervals"] == n_k
    with open(tmp_path / "intervals.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(c.channels) * n_k
    with open(tmp_path / "pools.csv", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == len(c.pools) * n_k
    if minutes == 45:
        assert {"demand_delta.png", "service_level.png", "occupancy.png"} <= {
            p.name for p in tmp_path.iterdir()
        }
    # Conservation: the interval counts add up to the totals and to the contacts simulated.
    offered = sum(float(r["offered"]) for r in rows)
    tot = summary["totals"]
    assert offered == tot["offered"]["mean"] == summary["contacts_simulated"]
    outcomes = ("handled", "abandoned", "blocked", "in_system_at_end")
    for r in rows:
        assert float(r["offered"]) == sum(float(r[k]) for k in outcomes)
    assert tot["offered"]["mean"] == sum(tot[k]["mean"] for k in outcomes)
    # The planned volume does not depend on the grid.
    planned = c.rate_per_s.sum(axis=(1, 2)) * c.interval_s
    np.testing.assert_allclose(planned, [DAYS * v for v in DAILY.values()], rtol=1e-12)


@pytest.mark.parametrize("minutes", [45, 120, 1440])
def test_hourly_profile_spreads_over_intervals_that_do_not_nest_in_hours(minutes):
    """An interval gets the hours it overlaps, pro rata: the cumulative planned volume at every
    interval edge is the hourly grid's, interpolated (exact for volume spread evenly in each
    hour)."""
    hourly = validate_config(compose_config("small_centre", ["centre.interval_min=60"])).centre
    centre = validate_config(
        compose_config("small_centre", [f"centre.interval_min={minutes}"])
    ).centre
    for c in range(len(centre.channels)):
        per_hour = hourly.rate_per_s[c].sum(axis=0) * hourly.interval_s
        per_k = centre.rate_per_s[c].sum(axis=0) * centre.interval_s
        hour_edges = np.arange(per_hour.size + 1.0)
        edges_h = np.arange(per_k.size + 1.0) * minutes / 60.0
        expected = np.interp(edges_h, hour_edges, np.concatenate([[0.0], np.cumsum(per_hour)]))
        np.testing.assert_allclose(
            np.concatenate([[0.0], np.cumsum(per_k)]), expected, rtol=1e-12, atol=1e-9
        )


def _ten_minute_forecast(path):
    rows = ["interval_start,channel,intent,volume,aht_s"]
    rows += [
        f"2026-01-05 08:{m:02d},voice,billing,{v},300"
        for m, v in zip(range(0, 60, 10), range(1, 7), strict=True)
    ]
    rows += ["2026-01-05 09:10,chat,technical,5.5,"]
    path.write_text("\n".join(rows) + "\n")


def test_forecast_at_ten_minutes(tmp_path):
    """A 10-minute forecast drives a 10-minute centre interval by interval; the same file with
    30-minute intervals stops at its first row off that grid."""
    path = tmp_path / "forecast.csv"
    _ten_minute_forecast(path)
    cfg = compose_config(
        "small_centre",
        ["centre.interval_min=10", f"centre.forecast_csv={path}", "run.replications=1"],
    )
    job = validate_config(cfg)
    c = job.centre
    dt = c.interval_s
    voice, chat = 0, 1
    billing, technical = 0, 1
    k0 = 8 * 6  # 08:00 on the 10-minute grid
    np.testing.assert_allclose(c.rate_per_s[voice, billing, k0 : k0 + 6] * dt, [1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(c.rate_per_s[chat, technical, k0 + 7] * dt, 5.5)
    assert c.rate_per_s.sum() * dt == pytest.approx(21 + 5.5)
    result = ccsim.run_config(cfg, out_dir=tmp_path / "run")
    iv = result.replications[0].intervals
    assert iv["offered"].sum() == result.replications[0].n_contacts
    centre30 = compose_config(
        "small_centre", ["centre.interval_min=30", f"centre.forecast_csv={path}"]
    )
    with pytest.raises(ccsim.InputFileError, match=r"forecast.csv:3: .*30-minute interval"):
        validate_config(centre30)


def test_interval_metrics_match_the_grid_for_a_single_queue():
    """The single queue too: 20-minute intervals over 8 hours, 24 rows per metric."""
    cfg = compose_config("erlang_c", ["scenario.interval_min=20", "scenario.horizon_h=8"])
    job = validate_config(cfg)
    assert job.centre.n_intervals == 24
    streams = RandomStreams(3, 0)
    rec = simulate(job.centre, sample_customers(job.centre, streams), streams)
    iv = interval_metrics(job.centre, rec, 0.0)
    assert iv["offered"].size == 24 and iv["offered"].sum() == len(rec)
    np.testing.assert_array_equal(iv["start_min"], np.arange(24) * 20.0)
