"""Every numeric key has a range (docs/config_ranges.md): values outside it, NaN and infinity
stop before the run with one line naming the key, the value and the limit, including the limits
that keep memory and time bounded (src/ccsim/config/limits.py). Validation only."""

from __future__ import annotations

import sys

import pytest

from ccsim.cli import main
from ccsim.config import limits
from ccsim.errors import ConfigError
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config
from conftest import run_ccsim

OUTAGE = (
    "centre.events=[{name:outage,start:'2026-01-07 09:00',duration_h:8,magnitude:1.5,"
    "decay_h:4,channels:[voice,chat,messaging],intents:[technical]}]"
)
EMPIRICAL = "scenario.handle_time.dist=empirical"
H2 = "scenario.handle_time.dist=hyperexponential"
UNIFORM = "scenario.handle_time.dist=uniform"
NO_SHIFTS = "centre.pools.digital_team.shifts=null"

# The command lines of the issue: one line, exit status 2, no traceback.
CLI = [
    (["scenario=erlang_c", "scenario.horizon_h=1e9"], "scenario.horizon_h", "<= 8784"),
    (
        ["scenario=erlang_c", "scenario.arrival_rate_per_h=1e300"],
        "scenario.arrival_rate_per_h",
        "at most 20,000,000",
    ),
    (["scenario=default_day", "scenario.handle_time.cv=nan"], "scenario.handle_time.cv", "finite"),
    (["scenario=default_day", "scenario.handle_time.cv=inf"], "scenario.handle_time.cv", "finite"),
    (["scenario=default_day", "scenario.handle_time.cv=-1"], "scenario.handle_time.cv", "> 0"),
    (
        ["scenario=erlang_c", EMPIRICAL, "scenario.handle_time.values_s=[1,nan]"],
        "scenario.handle_time.values_s[1]",
        "finite",
    ),
    (
        ["scenario=erlang_c", EMPIRICAL, "scenario.handle_time.values_s=[1,2]"]
        + ["scenario.handle_time.weights=[1,nan]"],
        "scenario.handle_time.weights[1]",
        "finite",
    ),
    (
        ["centre.behaviour.repeat_delay.dist=exponential"]
        + ["centre.behaviour.repeat_delay.mean_s=1e308"],
        "centre.behaviour.repeat_delay.mean_s",
        "<= 31,622,400 (366 days",
    ),
    (["centre.horizon_days=100000"], "centre.horizon_days", "<= 366"),
]


@pytest.mark.parametrize("argv,key,words", CLI, ids=[" ".join(c[0])[-60:] for c in CLI])
def test_command_line_exits_2_with_one_line(argv, key, words, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ccsim", *argv])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"ccsim: error: {key}="), lines[0]
    assert words in lines[0], lines[0]


def test_console_script_no_traceback(tmp_path):
    for argv in (["scenario=erlang_c", "scenario.horizon_h=1e9"], ["centre.horizon_days=100000"]):
        proc = run_ccsim(*argv, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


# (preset, overrides, the key named, words of the message)
RANGES = [
    # Durations and distributions.
    ("default_day", ["scenario.handle_time.mean_s=1e8"], "scenario.handle_time.mean_s", "<= 31"),
    ("default_day", ["scenario.handle_time.cv=101"], "scenario.handle_time.cv", "<= 100"),
    ("erlang_c", [H2, "scenario.handle_time.cv=1e6"], "scenario.handle_time.cv", "<= 100"),
    (
        "erlang_c",
        [EMPIRICAL, "scenario.handle_time.values_s=[1,-1]"],
        "scenario.handle_time.values_s[1]",
        ">= 0",
    ),
    (
        "erlang_c",
        [EMPIRICAL, "scenario.handle_time.values_s=[1,1e9]"],
        "scenario.handle_time.values_s[1]",
        "<= 31,622,400",
    ),
    (
        "erlang_c",
        [EMPIRICAL, "scenario.handle_time.values_s=[1,2]", "scenario.handle_time.weights=[1,1e13]"],
        "scenario.handle_time.weights[1]",
        "<= 1,000,000,000,000",
    ),
    (
        "erlang_c",
        [UNIFORM, "scenario.handle_time.low_s=0", "scenario.handle_time.high_s=1e9"],
        "scenario.handle_time.high_s",
        "<= 31,622,400",
    ),
    (
        "erlang_c",
        [
            H2,
            "scenario.handle_time.probabilities=[0.5,0.5]",
            "scenario.handle_time.means_s=[1,1e9]",
        ],
        "scenario.handle_time.means_s[1]",
        "<= 31,622,400",
    ),
    (
        "erlang_c",
        [H2, "scenario.handle_time.probabilities=[nan,0.5]", "scenario.handle_time.means_s=[1,2]"],
        "scenario.handle_time.probabilities[0]",
        "finite",
    ),
    ("erlang_a", ["scenario.patience.mean_s=inf"], "scenario.patience.mean_s", "finite"),
    ("erlang_c", ["scenario.target_answer_s=1e9"], "scenario.target_answer_s", "<= 31,622,400"),
    # Horizons, rates, counts.
    ("erlang_c", ["scenario.horizon_h=8785"], "scenario.horizon_h", "<= 8784"),
    ("default_week", ["centre.horizon_days=367"], "centre.horizon_days", "<= 366"),
    (
        "erlang_c",
        ["scenario.arrival_rate_per_h=2e5"],
        "scenario.arrival_rate_per_h",
        "4e+07 contacts expected per replication",
    ),
    (
        "default_day",
        ["scenario.arrival_profile_per_h=[1e9,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]"],
        "scenario.arrival_profile_per_h",
        "at most 20,000,000",
    ),
    (
        "default_week",
        ["centre.channels.voice.daily_volume=1e300"],
        "centre.channels.voice.daily_volume",
        "contacts expected per replication",
    ),
    (
        "default_week",
        ["centre.channels.chat.daily_volume=1e7"],
        "centre.channels.chat.daily_volume",
        "at most 20,000,000",
    ),
    (
        "erlang_c",
        ["scenario.arrival_rate_per_h=1e5", "run.replications=1000"],
        "run.replications",
        "over all replications: at most 1,000,000,000",
    ),
    ("erlang_c", ["scenario.agents=1000000"], "scenario.agents", "<= 100,000"),
    ("erlang_c", ["scenario.waiting_room=10000000000"], "scenario.waiting_room", "<= 2,147"),
    ("erlang_c", ["scenario.arrivals.process=erlang", "scenario.arrivals.k=10000"], "k", "<= 1000"),
    (
        "erlang_c",
        ["scenario.arrivals.process=hyperexponential", "scenario.arrivals.cv=1000"],
        "scenario.arrivals.cv",
        "<= 100",
    ),
    ("erlang_c", ["run.replications=100000"], "run.replications", "<= 10,000"),
    ("erlang_c", ["run.seed=100000000000000000000"], "run.seed", "<= 9,223,372"),
    ("erlang_c", ["run.n_jobs=5000"], "run.n_jobs", "<= 1024"),
    # A centre's channels, intents, pools, behaviour and events.
    ("default_week", ["centre.day_volume_cv=5"], "centre.day_volume_cv", "<= 1"),
    ("default_week", ["centre.channels.chat.concurrency=1000"], "concurrency", "<= 100"),
    (
        "default_week",
        ["centre.channels.chat.concurrency_factors=[1,1,1e3]"],
        "centre.channels.chat.concurrency_factors[2]",
        "<= 100",
    ),
    (
        "default_week",
        ["centre.channels.voice.priority=1000000000"],
        "voice.priority",
        "<= 1,000,000",
    ),
    ("default_week", ["centre.channels.voice.target_answer_s=nan"], "target_answer_s", "finite"),
    ("default_week", ["centre.channels.email.target_response_h=1e5"], "target_response_h", "8784"),
    (
        "default_week",
        ["centre.channels.voice.day_of_week=[1,1,1,1,1,1,1e3]"],
        "centre.channels.voice.day_of_week[6]",
        "<= 100",
    ),
    (
        "default_week",
        [
            "centre.channels.email.intraday_profile=[1e13,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]"
        ],
        "centre.channels.email.intraday_profile[0]",
        "<= 1,000,000,000,000",
    ),
    ("default_week", ["centre.intents.billing.handle_factor=1e3"], "handle_factor", "<= 100"),
    ("default_week", ["centre.intents.billing.share.voice=inf"], "share.voice", "finite"),
    (
        "default_week",
        ["centre.intents.billing.priority=-10000000"],
        "billing.priority",
        ">= -1,000,000",
    ),
    (
        "default_week",
        ["centre.pools.voice_team.skills.voice.billing=1e3"],
        "centre.pools.voice_team.skills.voice.billing",
        "<= 100",
    ),
    (
        "small_centre",
        [NO_SHIFTS, "centre.pools.digital_team.agents=1000000"],
        "centre.pools.digital_team.agents",
        "<= 100,000",
    ),
    (
        "default_week",
        ["centre.pools.voice_team.shifts=[{start: '08:00', length_h: 8, count: 1000000}]"],
        "centre.pools.voice_team.shifts",
        "at most 100,000",
    ),
    ("default_week", ["centre.behaviour.overflow_s=1e9"], "overflow_s", "<= 31,622,400"),
    (
        "default_week",
        ["centre.behaviour.retry_switch.voice.chat=1e13"],
        "centre.behaviour.retry_switch.voice.chat",
        "<= 1,000,000,000,000",
    ),
    (
        "default_week",
        [OUTAGE.replace("duration_h:8", "duration_h:1e5")],
        "centre.events[0].duration_h",
        "<= 8784",
    ),
    (
        "default_week",
        [OUTAGE.replace("magnitude:1.5", "magnitude:1e4")],
        "centre.events[0].magnitude",
        "<= 1000",
    ),
    (
        "default_week",
        ["centre.interval_min=1", "centre.horizon_days=366", OUTAGE.replace("}]", "},{}]")],
        "centre.horizon_days",
        "cells of channels x intents x 1-minute intervals x (1 + events)",
    ),
    # Strategies, costs, planning.
    (
        "default_week",
        ["costs.agent_hour.voice_team=1e12"],
        "costs.agent_hour.voice_team",
        "<= 1,000,000,000",
    ),
    ("default_week", ["costs.overtime_premium=1e3"], "costs.overtime_premium", "<= 100"),
    ("default_week", ["costs.abandon_penalty=nan"], "costs.abandon_penalty", "finite"),
    (
        "default_week",
        ["strategy=[chatbot]", "strategy.chatbot.capacity=10000000000"],
        "strategy.chatbot.capacity",
        "<= 2,147,483,647",
    ),
    (
        "default_week",
        ["strategy=[callbacks]", "strategy.callbacks.deadline_min=1e9"],
        "strategy.callbacks.deadline_min",
        "<= 527,040",
    ),
    (
        "default_week",
        [OUTAGE, "strategy=[outreach]", "strategy.outreach.lead_time_min=-1e9"],
        "strategy.outreach.lead_time_min",
        ">= -527,040",
    ),
    (
        "default_week",
        ["strategy=[staffing]", "strategy.staffing.add_agents.voice_team=1000000"],
        "strategy.staffing.add_agents.voice_team",
        "<= 100,000",
    ),
    (
        "default_week",
        ["strategy=[context]", "strategy.context.handle_factor=1e3"],
        "strategy.context.handle_factor",
        "<= 100",
    ),
]


@pytest.mark.parametrize(
    "preset,overrides,key,words", RANGES, ids=[f"{c[0]} {' '.join(c[1])}"[-70:] for c in RANGES]
)
def test_out_of_range_values_name_key_value_and_limit(preset, overrides, key, words):
    cfg = compose_config(preset, overrides)
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg)
    assert exc.value.key.endswith(key), (exc.value.key, key)
    message = str(exc.value)
    assert "\n" not in message
    assert words in message, message


def test_planning_search_limits():
    from ccsim.config.planning import search_from_config

    with pytest.raises(ConfigError, match=r"^planning\.search\.replications=100000: must be <="):
        search_from_config({"replications": 100000})
    with pytest.raises(ConfigError, match=r"^planning\.search\.max_iterations=1e\+300"):
        search_from_config({"max_iterations": 1e300})


def test_too_many_events():
    cfg = compose_config("default_week")
    event = {"name": "e", "start": "2026-01-07 09:00", "duration_h": 1, "magnitude": 0.1}
    cfg["centre"]["events"] = [{**event, "name": f"e{i}"} for i in range(128)]
    with pytest.raises(ConfigError, match=r"^centre\.events='<128 events>': at most 127"):
        validate_config(cfg)


def test_limits_at_their_bound_are_allowed():
    """The bounds themselves validate (a year-long horizon, the largest counts)."""
    validate_config(
        compose_config("erlang_c", ["scenario.horizon_h=8784", "scenario.agents=100000"])
    )
    validate_config(compose_config("default_week", ["centre.horizon_days=366"]))
    week = compose_config(
        "default_week",
        [
            "centre.behaviour.repeat_delay.dist=exponential",
            f"centre.behaviour.repeat_delay.mean_s={limits.MAX_DURATION_S.value}",
            "centre.channels.voice.handle_time.cv=100",
        ],
    )
    validate_config(week)
