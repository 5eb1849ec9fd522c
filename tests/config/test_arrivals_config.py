"""``arrivals`` (a channel's or the single queue's arrival process): bad values stop before
anything runs, with a ConfigError naming the key, the value and what is allowed; a Poisson
config records exactly what it recorded before the key existed."""

from __future__ import annotations

import math
import sys

import pytest

from ccsim.cli import main
from ccsim.config.recorded import without_quiet_defaults
from ccsim.config.scenario import scenario_from_config
from ccsim.errors import ConfigError
from ccsim.model.arrival_process import ArrivalProcess
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config
from conftest import mmc_config

BAD = [
    # (arrivals, key, words the message must contain)
    ({"process": "gamma"}, "process", ["'gamma'", "poisson, deterministic, erlang"]),
    ({"process": "erlang"}, "k", ["needs k", "integer >= 1"]),
    ({"process": "erlang", "k": 0}, "k", [">= 1", "Erlang phases"]),
    ({"process": "erlang", "k": 2.5}, "k", ["2.5", "whole number"]),
    ({"process": "erlang", "k": True}, "k", ["True", "integer"]),
    ({"process": "erlang", "k": math.inf}, "k", ["inf", "finite"]),
    ({"process": "erlang", "k": math.nan}, "k", ["nan", "finite"]),
    ({"process": "erlang", "k": "3"}, "k", ["'3'", "integer"]),
    ({"process": "hyperexponential"}, "cv", ["needs cv", "> 1"]),
    ({"process": "hyperexponential", "cv": 1.0}, "cv", ["1.0", "> 1"]),
    ({"process": "hyperexponential", "cv": 0.5}, "cv", ["0.5", "> 1"]),
    ({"process": "hyperexponential", "cv": math.nan}, "cv", ["nan", "finite"]),
    ({"process": "hyperexponential", "cv": -math.inf}, "cv", ["-inf", "finite"]),
    ({"process": "poisson", "k": 3}, "k", ["used only by process=erlang", "process=poisson"]),
    ({"process": "deterministic", "cv": 2}, "cv", ["only by process=hyperexponential"]),
    ({"process": "erlang", "k": 2, "cv": 2}, "cv", ["not by process=erlang"]),
    ({"process": "hyperexponential", "cv": 2, "k": 2}, "k", ["not by process=hyperexponential"]),
    ({"proces": "erlang"}, "proces", ["did you mean scenario.arrivals.process"]),
]


@pytest.mark.parametrize("arrivals,key,words", BAD, ids=[str(b[0]) for b in BAD])
def test_bad_arrivals_name_key_value_and_what_is_allowed(arrivals, key, words):
    with pytest.raises(ConfigError) as exc:
        scenario_from_config({**mmc_config(100, 180, 5, horizon_h=2), "arrivals": arrivals})
    assert exc.value.key == f"scenario.arrivals.{key}"
    for word in words:
        assert word in str(exc.value), (word, str(exc.value))


def test_good_arrivals_build_the_process():
    cases = {
        "poisson": ({"process": "poisson"}, ArrivalProcess()),
        "deterministic": ({"process": "deterministic"}, ArrivalProcess("deterministic")),
        "erlang": ({"process": "erlang", "k": 4.0}, ArrivalProcess("erlang", k=4)),
        "h2": ({"process": "hyperexponential", "cv": 3}, ArrivalProcess("hyperexponential", cv=3)),
    }
    for arrivals, expected in cases.values():
        sc = scenario_from_config({**mmc_config(100, 180, 5, horizon_h=2), "arrivals": arrivals})
        assert sc.arrivals == expected and sc.to_centre().channels[0].arrivals == expected


def test_every_channel_of_a_centre_may_have_its_own_process(monkeypatch, capsys, tmp_path):
    job = validate_config(
        compose_config(
            "small_centre",
            [
                "centre.channels.voice.arrivals.process=erlang",
                "centre.channels.voice.arrivals.k=2",
                "centre.channels.email.arrivals.process=deterministic",
            ],
        )
    )
    got = {ch.name: ch.arrivals for ch in job.centre.channels}
    assert got == {
        "voice": ArrivalProcess("erlang", k=2),
        "chat": ArrivalProcess(),
        "email": ArrivalProcess("deterministic"),
    }
    # From the command line: one line naming the channel's key, exit status 2, nothing run.
    monkeypatch.chdir(tmp_path)
    argv = ["ccsim", "scenario=small_centre", "centre.channels.chat.arrivals.process=erlang"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "centre.channels.chat.arrivals.k=None" in err[0], err
    assert not list(tmp_path.rglob("summary.json"))


def test_poisson_is_not_recorded():
    """The recorded config (summary.json, the digest) of a Poisson run has no ``arrivals``;
    any other process is recorded."""
    for preset, path in (("erlang_c", ("scenario",)), ("small_centre", ("centre", "channels"))):
        raw = without_quiet_defaults(compose_config(preset))
        node = raw[path[0]] if len(path) == 1 else raw[path[0]][path[1]]
        entries = [node] if len(path) == 1 else list(node.values())
        assert all("arrivals" not in e for e in entries), preset
    raw = without_quiet_defaults(
        compose_config("erlang_c", ["scenario.arrivals.process=erlang", "scenario.arrivals.k=2"])
    )
    assert raw["scenario"]["arrivals"] == {"process": "erlang", "k": 2, "cv": None}
