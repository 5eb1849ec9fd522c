"""Bad input stops before any simulation: one line naming key, value and what is allowed,
exit status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ccsim.cli import main
from ccsim.config.scenario import scenario_from_config
from ccsim.errors import ConfigError
from conftest import mmc_config

CASES = [
    # (overrides, words the message must contain)
    (
        ["scenario=erlang_c", "scenario.arrival_rate_per_h=-5"],
        ["scenario.arrival_rate_per_h", "-5", ">= 0"],
    ),
    (
        ["scenario=erlang_c", "scenario.handle_time.mean_s=0"],
        ["scenario.handle_time.mean_s", "0", "> 0"],
    ),
    (
        ["scenario=erlang_a", "scenario.patience.mean_s=-3"],
        ["scenario.patience.mean_s", "-3", "> 0"],
    ),
    (["scenario=default_day", "scenario.shrinkage=1.5"], ["scenario.shrinkage", "1.5", "< 1"]),
    (["scenario.shrinkage=0.2"], ["scenario.shrinkage", "no 'scenario' section", "default_day"]),
    (
        ["centre.channels.voice.concurency=2"],
        ["centre.channels.voice.concurency", "did you mean centre.channels.voice.concurrency"],
    ),
    (["centre.channels.voice.mode=live"], ["centre.channels.voice.mode", "live", "sync, async"]),
    (["centre.intents.billing.fcr=1.5"], ["centre.intents.billing.fcr", "1.5", "<= 1"]),
    (
        ["centre.behaviour.chaser_channel=fax"],
        ["centre.behaviour.chaser_channel", "fax", "voice, chat"],
    ),
    (["centre.channels.chat.concurrency=0"], ["centre.channels.chat.concurrency", "0", ">= 1"]),
    (
        ["centre.channels.voice.daily_volume=-10"],
        ["centre.channels.voice.daily_volume", "-10", ">= 0"],
    ),
    (["centre.horizon_days=0.01"], ["centre.horizon_days", "0.01", "whole number"]),
    (
        ["scenario=erlang_c", "scenario.target_service_level=1.2"],
        ["scenario.target_service_level", "1.2", "< 1"],
    ),
    (
        ["scenario=erlang_c", "scenario.handle_time.dist=weibull"],
        ["scenario.handle_time.dist", "weibull", "allowed", "lognormal"],
    ),
    (
        ["scenario=erlang_c", "scenario.agentz=3"],
        ["scenario.agentz", "3", "did you mean scenario.agents"],
    ),
    (
        ["scenario=erlang_c", "+scenario.agentz=3"],
        ["scenario.agentz", "3", "did you mean scenario.agents"],
    ),
    (["run.replicatons=3"], ["run.replicatons", "did you mean run.replications"]),
    (["scenario=erlang_x"], ["scenario", "erlang_x", "erlang_c"]),
    (["scenario=erlang_c", "scenario.agents=0"], ["scenario.agents", "0", "at least one agent"]),
    (
        ["scenario=erlang_c", "scenario.horizon_h=0.5"],
        ["scenario.horizon_h", "0.5", "at least one interval"],
    ),
    *(
        (
            [f"{where}.interval_min={m}", *([] if where == "centre" else ["scenario=erlang_c"])],
            [f"{where}.interval_min={m}:", "must be a whole number of minutes", "divides 1,440"],
        )
        for where in ("scenario", "centre")
        for m in (7, 0, 25)
    ),
    (
        ["centre.interval_min=45", "centre.start='2026-01-05 01:00'"],
        ["centre.start", "2026-01-05 01:00", "45 min", "minutes since midnight"],
    ),
    (
        ["scenario=erlang_c", "scenario.at_close=drain"],
        ["scenario.at_close", "drain", "allowed: stop, serve_out, clear"],
    ),
    (["centre.at_close=close"], ["centre.at_close", "close", "allowed: stop, serve_out, clear"]),
    (
        ["centre.behaviour.retry_patience=keep"],
        ["centre.behaviour.retry_patience", "keep", "allowed: redraw, original"],
    ),
    (["run.replications=0"], ["run.replications", "0", ">= 1"]),
    (["scenario=erlang_c", "scenario.agents=abc"], ["scenario.agents", "abc"]),
    (
        ["scenario=default_day", "scenario.agents_per_interval=[1,2,3]"],
        ["scenario.agents_per_interval", "24 values"],
    ),
    (
        ["-m", "scenario=erlang_c", "scenario.agents=30,0"],
        ["scenario.agents", "0", "at least one agent"],
    ),
]


_STUDY = str(Path(__file__).resolve().parents[2] / "experiments" / "d_cross_training")
CASES += [
    # A sweep Hydra cannot compose without its swept values.
    (
        ["-m", "scenario=erlang_c,erlang_a", "scenario.agents=20"],
        ["scenario.agents=20", "no 'scenario' section", "first composed without its swept"],
    ),
    # A study folder (--config-dir): its own sweep (hydra.sweeper.params) is checked too.
    (
        [
            "-m",
            "--config-dir",
            _STUDY,
            "--config-name",
            "cross_training",
            "strategy.cross_training.skills.digital_team.chat.technical=-1",
        ],
        ["strategy.cross_training.skills.digital_team.chat.technical=-1", "not selected"],
    ),
    (
        [
            "-m",
            "--config-dir",
            _STUDY,
            "--config-name",
            "cross_training",
            "run.replications=0",
        ],
        ["run.replications", "0", ">= 1"],
    ),
    (
        ["--config-dir", "no/such/folder", "--config-name", "cross_training"],
        ["no/such/folder", "no such directory"],
    ),
]


# A value of the wrong shape: what the key takes, in ccsim's words (not OmegaConf's).
CASES += [
    (
        ["centre.pools.voice_team.skills=[]"],
        ["centre.pools.voice_team.skills", "mapping", "not a list", "skills.NAME=VALUE"],
    ),
    (["centre.behaviour.retry_prob=0.3"], ["centre.behaviour.retry_prob", "not one value"]),
    (
        ["centre.behaviour.repeat_delay.values_s={a:1}"],
        ["centre.behaviour.repeat_delay.values_s", "takes a list, not a mapping"],
    ),
    (["centre.behaviour.repeat_delay.values_s=5"], ["values_s", "takes a list, not one value"]),
    (
        ["scenario=erlang_c", "scenario.handle_time=5"],
        ["scenario.handle_time", "section", "dist, mean_s, cv", "handle_time.dist=VALUE"],
    ),
    (
        ["centre.channels.chat.concurrency=[1,2]"],
        ["centre.channels.chat.concurrency", "takes an integer, not a list"],
    ),
]

# Strategies (the strategy config group).
CASES += [
    (["strategy=[chatbot,nope]"], ["strategy=nope", "unknown strategy preset", "callbacks"]),
    (["scenario=nope"], ["scenario=nope", "unknown scenario preset", "erlang_c"]),
    (
        ["strategy=[chatbot]", "strategy.chatbot.containment.billing=1.5"],
        ["strategy.chatbot.containment.billing", "1.5", "<= 1"],
    ),
    (
        ["strategy=[chatbot]", "strategy.chatbot.containmnt={}"],
        ["strategy.chatbot.containmnt", "did you mean strategy.chatbot.containment"],
    ),
    (["+strategy.chatbott={}"], ["strategy.chatbott", "did you mean strategy.chatbot"]),
    (["strategy=[outreach]"], ["strategy.outreach.event", "outage", "no demand events"]),
    (
        ["scenario=erlang_c", "strategy=[callbacks]"],
        ["strategy", "callbacks", "multichannel centre"],
    ),
    (
        ["strategy=[staffing]", "+strategy.staffing.add_agents.nobody=3"],
        ["strategy.staffing.add_agents.nobody", "unknown pool", "voice_team"],
    ),
    (
        ["strategy=[callbacks]", "strategy.callbacks.channels=[email]"],
        ["strategy.callbacks.channels", "email", "sync channels"],
    ),
    (
        ["strategy=[workload_shifting]", "strategy.workload_shifting.channels=[voice]"],
        ["strategy.workload_shifting.channels[0]", "voice", "async"],
    ),
    (
        ["strategy=[chatbot]", "+strategy.chatbot.switch.chat.email=0.9"],
        ["strategy.chatbot.switch.chat", "at most 1"],
    ),
]


@pytest.mark.parametrize("overrides,words", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_exits_2_with_one_line(overrides, words, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ccsim", *overrides])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("ccsim: error: ")
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not list(tmp_path.rglob("summary.json"))  # nothing ran


def test_console_script_exit_status_and_no_traceback(tmp_path):
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    proc = subprocess.run(
        [sys.executable, "-m", "ccsim", "scenario=erlang_c", "scenario.arrival_rate_per_h=-1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "scenario.arrival_rate_per_h=-1.0" in proc.stderr


@pytest.mark.parametrize(
    "patch,key",
    [
        (  # an interval without arrivals: zero agents is fine then
            {
                "arrival_rate_per_h": None,
                "arrival_profile_per_h": [0.0, 100.0],
                "agents": None,
                "agents_per_interval": [0, 5],
            },
            None,
        ),
        ({"arrival_rate_per_h": 0.0, "agents": 0}, "scenario.arrival_rate_per_h"),  # no arrivals
        ({"waiting_room": -1}, "scenario.waiting_room"),
        ({"handle_time": {"dist": "lognormal", "mean_s": 100}}, "scenario.handle_time.cv"),
        ({"handle_time": {"dist": "empirical", "values_s": []}}, "scenario.handle_time.values_s"),
        (
            {"handle_time": {"dist": "empirical", "values_s": [1, 2], "weights": [1]}},
            "scenario.handle_time.weights",
        ),
        ({"patience": {"dist": "none", "mean_s": 3, "shape": 2}}, "scenario.patience.shape"),
        ({"arrival_profile_per_h": [1.0] * 100}, "scenario.arrival_rate_per_h"),
        ({"horizon_h": 2.25}, "scenario.horizon_h"),
        ({"handle_time": {"dist": "none"}}, "scenario.handle_time.dist"),
    ],
)
def test_scenario_validation(patch, key):
    cfg = {**mmc_config(100, 180, 5, horizon_h=2), **patch}
    if key is None:
        scenario_from_config(cfg)
        return
    with pytest.raises(ConfigError) as exc:
        scenario_from_config(cfg)
    assert exc.value.key == key
