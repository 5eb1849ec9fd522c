"""A key the user set that the config's switches leave unused is an error before anything runs
(one line naming the key and the setting it needs, exit status 2); a preset's key made unused
by the user's switch is not (``scenario=erlang_a scenario.patience.dist=none`` runs).

Validation only: no case simulates.
"""

from __future__ import annotations

import copy
import sys

import pytest
import yaml

from ccsim.cli import main, precheck
from ccsim.config.user_keys import override_keys, schema_default
from ccsim.errors import ConfigError
from ccsim.runs.presets import as_config, compose_config
from conftest import mmc_config, run_ccsim

OUTAGE = (
    "centre.events=[{name:outage,start:'2026-01-07 09:00',duration_h:8,magnitude:1.5,"
    "decay_h:4,channels:[voice,chat,messaging],intents:[technical]}]"
)
H2_PHASES = (
    "scenario.handle_time.dist=hyperexponential",
    "scenario.handle_time.probabilities=[0.9,0.1]",
    "scenario.handle_time.means_s=[100,1500]",
)

# (command line, the key named, words of the message): one per rule.
UNUSED = [
    # Durations: keys the dist does not read.
    (
        ["scenario=erlang_c", "scenario.patience.mean_s=60"],
        "scenario.patience.mean_s",
        ["scenario.patience.dist is none", "set scenario.patience.dist=exponential"],
    ),
    (
        ["scenario=erlang_c", "scenario.patience={dist: none, mean_s: 60}"],
        "scenario.patience.mean_s",
        ["dist is none"],
    ),
    (
        ["scenario=erlang_c", "scenario.handle_time.cv=1.5"],
        "scenario.handle_time.cv",
        ["exponential, whose cv is fixed at 1", "lognormal, gamma or hyperexponential"],
    ),
    (
        [
            "scenario=erlang_c",
            "scenario.handle_time.dist=deterministic",
            "scenario.handle_time.cv=1",
        ],
        "scenario.handle_time.cv",
        ["deterministic, whose cv is fixed at 0"],
    ),
    (
        ["scenario=erlang_c", "scenario.handle_time.values_s=[100,200]"],
        "scenario.handle_time.values_s",
        ["dist is exponential", "dist=empirical"],
    ),
    (
        ["scenario=default_day", "scenario.handle_time.weights=[1,2]"],
        "scenario.handle_time.weights",
        ["dist is lognormal", "dist=empirical"],
    ),
    (
        ["scenario=erlang_c", "scenario.handle_time.low_s=60"],
        "scenario.handle_time.low_s",
        ["dist=uniform"],
    ),
    (
        ["scenario=erlang_a", "scenario.patience.high_s=600"],
        "scenario.patience.high_s",
        ["dist=uniform"],
    ),
    (
        ["scenario=erlang_c", "scenario.handle_time.probabilities=[0.5,0.5]"],
        "scenario.handle_time.probabilities",
        ["dist=hyperexponential"],
    ),
    (
        ["scenario=default_day", "scenario.handle_time.means_s=[10,100]"],
        "scenario.handle_time.means_s",
        ["dist=hyperexponential"],
    ),
    (
        [
            "scenario=default_day",
            "scenario.handle_time.dist=empirical",
            "scenario.handle_time.values_s=[100,200]",
            "scenario.handle_time.mean_s=150",
        ],
        "scenario.handle_time.mean_s",
        ["dist is empirical", "dist=exponential, deterministic, lognormal"],
    ),
    (
        ["scenario=erlang_c", *H2_PHASES, "scenario.handle_time.cv=2"],
        "scenario.handle_time.cv",
        ["phases", "replace mean_s and cv"],
    ),
    (
        ["scenario=small_centre", "centre.channels.chat.handle_time.cv=0.5"],
        "centre.channels.chat.handle_time.cv",
        ["fixed at 1"],
    ),
    (
        ["centre.behaviour.repeat_delay.mean_s=1e308"],
        "centre.behaviour.repeat_delay.mean_s",
        ["repeat_delay.dist is empirical"],
    ),
    (
        ["strategy=[chatbot]", "strategy.chatbot.session_time.weights=[1]"],
        "strategy.chatbot.session_time.weights",
        ["dist is lognormal"],
    ),
    # Arrival processes (an error whoever set it).
    (["scenario=erlang_c", "scenario.arrivals.k=3"], "scenario.arrivals.k", ["process=erlang"]),
    (
        ["scenario=erlang_c", "scenario.arrivals.process=erlang", "scenario.arrivals.k=2"]
        + ["scenario.arrivals.cv=2"],
        "scenario.arrivals.cv",
        ["process=hyperexponential"],
    ),
    # A loss system: nobody waits, nobody abandons.
    (
        ["scenario=erlang_b", "scenario.patience.dist=exponential", "scenario.patience.mean_s=60"],
        "scenario.patience.dist",
        ["scenario.waiting_room is 0"],
    ),
    (
        ["centre.channels.voice.waiting_room=0", "centre.channels.voice.patience.mean_s=100"],
        "centre.channels.voice.patience.mean_s",
        ["centre.channels.voice.waiting_room is 0"],
    ),
    # Channel modes and concurrency.
    (
        ["centre.channels.voice.target_response_h=2"],
        "centre.channels.voice.target_response_h",
        ["mode is sync", "target_answer_s", "set centre.channels.voice.mode=async"],
    ),
    (
        ["centre.channels.email.target_answer_s=30"],
        "centre.channels.email.target_answer_s",
        ["mode is async", "target_response_h"],
    ),
    (
        ["centre.behaviour.chaser_channel=null", "centre.channels.email.patience.mean_s=100"],
        "centre.channels.email.patience.mean_s",
        ["chaser_channel is null", "set centre.behaviour.chaser_channel"],
    ),
    (
        ["centre.channels.voice.service=processor_sharing"],
        "centre.channels.voice.service",
        ["concurrency is 1"],
    ),
    # Customer behaviour.
    (
        ["centre.behaviour.retry_prob.email=0.3"],
        "centre.behaviour.retry_prob.email",
        ["never abandon", "only abandoned contacts retry"],
    ),
    (
        [
            "centre.behaviour.retry_prob={voice: 0, chat: 0}",
            "centre.behaviour.retry_delay.mean_s=60",
        ],
        "centre.behaviour.retry_delay.mean_s",
        ["nobody retries"],
    ),
    (
        [
            "centre.behaviour.retry_prob={voice: 0, chat: 0}",
            "centre.behaviour.retry_patience=original",
        ],
        "centre.behaviour.retry_patience",
        ["nobody retries"],
    ),
    (
        ["scenario=small_centre", "centre.intents.billing.fcr=1", "centre.intents.technical.fcr=1"]
        + ["centre.behaviour.repeat_delay.mean_s=100"],
        "centre.behaviour.repeat_delay.mean_s",
        ["every intent's fcr is 1"],
    ),
    (
        ["scenario=small_centre", "centre.channels.email.patience.dist=none"]
        + ["centre.behaviour.chaser_channel=chat"],
        "centre.behaviour.chaser_channel",
        ["no async channel has a patience"],
    ),
    (
        ["centre.pools.voice_team.deferred_min_idle=3"],
        "centre.pools.voice_team.deferred_min_idle",
        ["deferred is empty"],
    ),
    (
        ["strategy=[workload_shifting]", "centre.pools.voice_team.deferred_min_idle=3"],
        "centre.pools.voice_team.deferred_min_idle",
        ["strategy.workload_shifting sets it"],
    ),
    # Strategies.
    (
        ["strategy=[chatbot]", "strategy.chatbot.context_share=0"]
        + ["strategy.chatbot.context_handle_factor=0.8"],
        "strategy.chatbot.context_handle_factor",
        ["context_share is 0"],
    ),
    (
        ["strategy=[chatbot]", "strategy.chatbot.context_share=1"]
        + ["strategy.chatbot.no_context_handle_factor=1.3"],
        "strategy.chatbot.no_context_handle_factor",
        ["context_share is 1"],
    ),
    (
        [OUTAGE, "strategy=[outreach]", "strategy.outreach.contact_rate=0.5"],
        "strategy.outreach.contact_rate",
        ["via is sms", "set strategy.outreach.via=call"],
    ),
    (
        [OUTAGE, "strategy=[outreach]", "strategy.outreach.replies_per_notified=0"]
        + ["strategy.outreach.reply_delay.mean_s=600"],
        "strategy.outreach.reply_delay.mean_s",
        ["replies_per_notified is 0"],
    ),
    # Planning keys outside their mode.
    (
        ["planning.search.replications=4"],
        "planning.search.replications",
        ["mode is run", "mode=staff, schedule or plan"],
    ),
    (
        ["mode=staff", "planning.schedule.time_limit_s=10"],
        "planning.schedule.time_limit_s",
        ["mode is staff", "mode=schedule"],
    ),
]


@pytest.mark.parametrize("argv,key,words", UNUSED, ids=[" ".join(c[0])[-70:] for c in UNUSED])
def test_a_key_the_user_set_and_a_switch_leaves_unused_exits_2(
    argv, key, words, monkeypatch, capsys, tmp_path
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ccsim", *argv])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"ccsim: error: {key}="), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not list(tmp_path.rglob("summary.json"))  # nothing ran


# The user changes the switch; the preset's keys it leaves unused are no error.
PRESET_SWITCHES = [
    ["scenario=erlang_a", "scenario.patience.dist=none"],
    ["scenario=erlang_a", "scenario.patience.dist=uniform"]
    + ["scenario.patience.low_s=0", "scenario.patience.high_s=360"],
    ["scenario=erlang_a", "scenario.waiting_room=0"],
    ["scenario=default_day", "scenario.handle_time.dist=exponential"],
    ["scenario=default_day", "scenario.handle_time.dist=empirical"]
    + ["scenario.handle_time.values_s=[100,300,600]"],
    ["scenario=erlang_c", *H2_PHASES],
    ["centre.channels.voice.handle_time.dist=exponential"],
    [
        "centre.behaviour.repeat_delay.dist=exponential",
        "centre.behaviour.repeat_delay.mean_s=86400",
    ],
    ["centre.channels.voice.mode=async"],
    ["centre.channels.email.mode=sync"],
    ["centre.behaviour.chaser_channel=null"],
    ["centre.channels.voice.waiting_room=0"],
    ["centre.behaviour.retry_prob={voice: 0, chat: 0}"],
    ["scenario=small_centre", "centre.intents.billing.fcr=1", "centre.intents.technical.fcr=1"],
    ["scenario=small_centre", "centre.channels.chat.concurrency=1"]
    + ["centre.channels.chat.concurrency_factors=[1.2]"],
    ["strategy=[chatbot]", "strategy.chatbot.context_share=0"],
    ["strategy=[chatbot]", "strategy.chatbot.session_time.dist=exponential"],
    [OUTAGE, "strategy=[outreach]", "strategy.outreach.replies_per_notified=0"],
    ["mode=staff"],
    ["scenario=erlang_c", "scenario.patience={dist: exponential, mean_s: 60}"],
]


@pytest.mark.parametrize("argv", PRESET_SWITCHES, ids=[" ".join(a)[-70:] for a in PRESET_SWITCHES])
def test_a_preset_key_the_users_switch_leaves_unused_is_fine(argv, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    precheck(argv)  # returns: every job's config composed and validated


def test_forecast_replaces_the_channels_volumes(monkeypatch, capsys, tmp_path):
    (tmp_path / "f.csv").write_text(
        "interval_start,channel,volume\n2026-01-05 08:00,voice,120\n2026-01-05 08:00,chat,40\n"
    )
    monkeypatch.chdir(tmp_path)
    precheck(["centre.forecast_csv=f.csv"])  # the preset's daily volumes: unused, silently
    with pytest.raises(SystemExit) as exc:
        precheck(["centre.forecast_csv=f.csv", "centre.channels.voice.daily_volume=900"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ccsim: error: centre.channels.voice.daily_volume=900.0: set, but unused")
    assert "centre.forecast_csv is set" in err


def test_python_api_preset_and_overrides():
    with pytest.raises(ConfigError) as exc:
        as_config("erlang_c", ["scenario.patience.mean_s=60"])
    assert exc.value.key == "scenario.patience.mean_s"
    patience = as_config("erlang_a", ["scenario.patience.dist=none"])["scenario"]["patience"]
    assert patience["dist"] == "none" and patience["mean_s"] == 180  # left in place, unread
    assert schema_default("scenario.patience.mean_s") is None
    assert schema_default("centre.channels.voice.target_response_h") == 24.0


def test_python_api_own_dict_and_file(tmp_path):
    # A dict of the user's own: its keys are set by the user.
    own = {"scenario": mmc_config(100, 180, 5, horizon_h=2)}
    own["scenario"]["patience"] = {"dist": "none", "mean_s": 60}
    with pytest.raises(ConfigError) as exc:
        as_config(own, [])
    assert exc.value.key == "scenario.patience.mean_s"
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(own))
    with pytest.raises(ConfigError, match=r"^scenario\.patience\.mean_s=60: set, but unused"):
        as_config(path, [])
    # ... unless they hold the schema's default: a composed config holds every default (a
    # sync channel's target_response_h).
    as_config(compose_config("small_centre"), [])
    as_config({"scenario": mmc_config(100, 180, 5, horizon_h=2)}, [])


def test_python_api_dict_composed_from_a_preset():
    """A dict composed from a preset is that preset: its values count as the preset's, the
    user's changes to it (and the overrides) as the user's."""
    cfg = compose_config("erlang_a")
    as_config(cfg, ["scenario.patience.dist=none"])  # the preset's mean_s 180: unused, silently
    changed = copy.deepcopy(cfg)
    changed["scenario"]["patience"] = {"dist": "none", "mean_s": 60}
    with pytest.raises(ConfigError) as exc:
        as_config(changed, [])
    assert exc.value.key == "scenario.patience.mean_s"
    week = compose_config("small_centre")
    del week["centre"]["pools"]["voice_team"]["secondary"]  # no pool overflows any more
    as_config(week, [])  # the preset's overflow_s: unused, silently
    week["centre"]["behaviour"]["overflow_s"] = 30
    with pytest.raises(ConfigError, match="no pool has secondary skills"):
        as_config(week, [])


def test_override_keys():
    assert override_keys(
        [
            "scenario=erlang_c",
            "strategy=[chatbot]",
            "++costs.agent_hour.voice=30",
            "scenario.patience={dist: none, mean_s: 60}",
            "~scenario.agents",
            "hydra.run.dir=out",
            "scenario.handle_time.values_s=[1,2]",
        ]
    ) == {
        "costs.agent_hour.voice",
        "scenario.patience.dist",
        "scenario.patience.mean_s",
        "scenario.handle_time.values_s",
    }


def test_console_script_one_line_no_traceback(tmp_path):
    proc = run_ccsim("scenario=erlang_c", "scenario.patience.mean_s=60", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "ccsim: error: scenario.patience.mean_s=60.0: set, but unused: scenario.patience.dist "
        "is none (set scenario.patience.dist=exponential or another distribution)"
    ]
