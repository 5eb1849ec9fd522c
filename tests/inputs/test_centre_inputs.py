"""Planners' forecast and roster files through the ``ccsim`` command: malformed files stop the
run with one line naming file, line and column (exit status 2); good files drive the model."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from ccsim.cli import main
from ccsim.runs.job import run_job, validate_config

HEADER = "interval_start,channel,intent,volume,aht_s\n"
GOOD = [
    "2026-01-05 08:00,voice,billing,40,450\n",
    "2026-01-05 08:30,voice,technical,30,\n",
    "2026-01-05 09:00,chat,billing,12,600\n",
]

FORECAST_CASES = {
    "missing column": (
        "interval_start,channel,intent\n2026-01-05 08:00,voice,billing\n",
        1,
        "volume",
    ),
    "negative volume": (HEADER + GOOD[0] + "2026-01-05 08:30,voice,billing,-4,\n", 3, "volume"),
    "unknown channel": (HEADER + GOOD[0] + "2026-01-05 08:30,fax,billing,4,\n", 3, "channel"),
    "unknown intent": (HEADER + GOOD[0] + "2026-01-05 08:30,voice,refund,4,\n", 3, "intent"),
    "overlapping interval": (HEADER + GOOD[0] + GOOD[0], 3, "interval_start"),
    "misaligned interval": (HEADER + "2026-01-05 08:10,voice,billing,4,\n", 2, "interval_start"),
    "bad timestamp": (HEADER + "05/01/2026 08:00,voice,billing,4,\n", 2, "interval_start"),
}

ROSTER_HEADER = "pool,start,length_h,count,breaks\n"
ROSTER_CASES = {
    "missing column": ("pool,start\nvoice_team,2026-01-05 08:00\n", 1, "length_h"),
    "bad timestamp": (ROSTER_HEADER + "voice_team,2026-01-05 8h,8,10,\n", 2, "start"),
    "unknown pool": (ROSTER_HEADER + "night_team,2026-01-05 08:00,8,10,\n", 2, "pool"),
}

NO_SHIFTS = ["centre.pools.voice_team.shifts=null", "centre.pools.digital_team.shifts=null"]


def _run_cli(args, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ccsim", "scenario=small_centre", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code, capsys.readouterr().err


@pytest.mark.parametrize("case", list(FORECAST_CASES))
def test_malformed_forecast_exits_2_naming_file_line_column(case, monkeypatch, capsys, tmp_path):
    text, line, column = FORECAST_CASES[case]
    path = tmp_path / "forecast.csv"
    path.write_text(text)
    code, err = _run_cli([f"centre.forecast_csv={path}"], monkeypatch, capsys, tmp_path)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ccsim: error: "), err
    assert f"{path}:{line}:" in lines[0] and f"'{column}'" in lines[0], lines[0]


@pytest.mark.parametrize("case", list(ROSTER_CASES))
def test_malformed_roster_exits_2_naming_file_line_column(case, monkeypatch, capsys, tmp_path):
    text, line, column = ROSTER_CASES[case]
    path = tmp_path / "roster.csv"
    path.write_text(text)
    code, err = _run_cli([f"centre.roster_csv={path}", *NO_SHIFTS], monkeypatch, capsys, tmp_path)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ccsim: error: "), err
    assert f"{path}:{line}:" in lines[0] and f"'{column}'" in lines[0], lines[0]


def test_missing_file_is_a_clear_error(monkeypatch, capsys, tmp_path):
    code, err = _run_cli(["centre.forecast_csv=nowhere.csv"], monkeypatch, capsys, tmp_path)
    assert code == 2 and "nowhere.csv" in err and "Traceback" not in err


def test_forecast_and_roster_drive_the_model(compose_cfg, tmp_path):
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(HEADER + "".join(GOOD) + "2026-01-06 10:00,email,technical,9,\n")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        ROSTER_HEADER + "voice_team,2026-01-05 08:00,8,10,12:00+30\n"
        "digital_team,2026-01-05 08:00,8,4,\n"
        "digital_team,2026-01-06 08:00,8,2,\n"
    )
    cfg = compose_cfg(
        "scenario=small_centre",
        f"centre.forecast_csv={forecast}",
        f"centre.roster_csv={roster}",
        *NO_SHIFTS,
        "run.replications=2",
        "run.plots=false",
    )
    job = validate_config(cfg)
    c = job.centre
    dt = c.interval_s
    per_interval = c.rate_per_s * dt
    ch = [x.name for x in c.channels]
    it = [x.name for x in c.intents]
    assert per_interval[ch.index("voice"), it.index("billing"), 16] == pytest.approx(40)
    assert per_interval[ch.index("voice"), it.index("technical"), 17] == pytest.approx(30)
    assert per_interval[ch.index("email"), it.index("technical"), 48 + 20] == pytest.approx(9)
    assert per_interval.sum() == pytest.approx(40 + 30 + 12 + 9)
    # Forecast AHTs rescale handle times: voice billing 450 s against a configured 300 s mean.
    assert c.handle_scale[ch.index("voice"), it.index("billing")] == pytest.approx(1.5)
    assert c.handle_scale[ch.index("voice"), it.index("technical")] == 1.0  # left empty
    assert c.handle_scale[ch.index("chat"), it.index("billing")] == pytest.approx(1.0)
    voice_team = c.pools[[p.name for p in c.pools].index("voice_team")]
    # 10 agents 08:00-16:00 with a 30-min break at 12:00, 30% shrinkage -> 7 on the phone.
    assert voice_team.agents_scheduled[16] == 10 and voice_team.agents_scheduled[24] == 0
    assert voice_team.agents_on_phone[16] == 7
    res = run_job(cfg, tmp_path / "out")
    assert res.estimates["new"].mean > 0
    assert np.isfinite(res.estimates["offered"].mean)


def test_routing_policy_is_pluggable(compose_cfg, tmp_path):
    from ccsim.engine.routing import FifoRouter, SkillsPriorityRouter
    from ccsim.errors import ConfigError

    base = ("scenario=small_centre", "run.replications=1", "run.plots=false")
    assert validate_config(compose_cfg(*base)).centre.router is SkillsPriorityRouter
    job = validate_config(compose_cfg(*base, "centre.routing=fifo"))
    assert job.centre.router is FifoRouter
    job = validate_config(compose_cfg(*base, "centre.routing=ccsim.engine.routing:FifoRouter"))
    assert job.centre.router is FifoRouter
    with pytest.raises(ConfigError, match="centre.routing"):
        validate_config(compose_cfg(*base, "centre.routing=ccsim.engine.routing:nothing"))
    with pytest.raises(ConfigError, match="allowed: skills_priority, fifo"):
        validate_config(compose_cfg(*base, "centre.routing=random"))
    # Priorities matter: technical (priority 1) abandons less than billing under the default
    # router, and the gap closes under FIFO.
    runs = {}
    for name in ("skills_priority", "fifo"):
        cfg = compose_cfg(
            "scenario=small_centre",
            "run.replications=3",
            "run.plots=false",
            f"centre.routing={name}",
        )
        est = run_job(cfg, tmp_path / name).intent_estimates
        runs[name] = est[0]["abandon_rate"].mean - est[1]["abandon_rate"].mean  # billing - tech
    assert runs["skills_priority"] > 0
    assert runs["skills_priority"] > runs["fifo"] + 0.01


def test_demand_events_shape_the_arrival_rates(compose_cfg):
    from ccsim.errors import ConfigError

    base = ("scenario=small_centre", "run.replications=1", "run.plots=false")
    plain = validate_config(compose_cfg(*base)).centre
    event = (
        "centre.events=[{name:outage,start:'2026-01-05 10:00',duration_h:2,magnitude:1.0,"
        "channels:[voice]},{name:surge,start:'2026-01-06 09:00',duration_h:6,magnitude:2.0,"
        "decay_h:1,intents:[billing]}]"
    )
    c = validate_config(compose_cfg(*base, event)).centre
    ratio = np.divide(
        c.rate_per_s, plain.rate_per_s, out=np.ones_like(c.rate_per_s), where=plain.rate_per_s > 0
    )
    voice, chat = 0, 1
    # Outage: voice (every intent) doubles 10:00-12:00 on day 1 (intervals 20-23); chat does not.
    np.testing.assert_allclose(ratio[voice, :, 20:24], 2.0)
    np.testing.assert_allclose(ratio[voice, :, 24], 1.0)
    np.testing.assert_allclose(ratio[chat, :, 20:24], 1.0)
    # Surge: billing only, 1 + 2 exp(-t/1 h) at each interval's midpoint, from day 2 09:00.
    k = 48 + 18
    t_h = np.arange(12) * 0.5 + 0.25
    np.testing.assert_allclose(ratio[chat, 0, k : k + 12], 1.0 + 2.0 * np.exp(-t_h))
    np.testing.assert_allclose(ratio[chat, 1, k : k + 12], 1.0)
    with pytest.raises(ConfigError, match=r"centre.events\[0\].duration_h"):
        validate_config(compose_cfg(*base, "centre.events=[{start:'2026-01-05 10:00'}]"))
    with pytest.raises(ConfigError, match=r"centre.events\[0\].channels"):
        validate_config(
            compose_cfg(
                *base, "centre.events=[{start:'2026-01-05 10:00',duration_h:1,channels:[fax]}]"
            )
        )


def test_occupancy_plot_shows_overtime_above_one(compose_cfg, tmp_path):
    """Agents finish their contacts after their shift ends, so a pool's occupancy can pass 1
    in the interval a shift ends; the plot's y-axis must reach it, not clip it."""
    from ccsim.reports import plots

    cfg = compose_cfg("scenario=default_week", "centre.horizon_days=1", "run.replications=1")
    res = run_job(cfg, tmp_path / "out")
    occ = res.pool_means()["occupancy"]
    assert np.nanmax(occ) > 1.0  # it does in the default week
    fig = plots.occupancy_figure(res)
    assert fig.axes[0].get_ylim()[1] >= np.nanmax(occ)
