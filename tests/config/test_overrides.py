"""New names inside the user's own mappings (prices per pool or strategy, limits per channel)
work from the command line without Hydra's ``+``."""

from __future__ import annotations

from ccsim.config.overrides import force_new_names, in_free_dict
from ccsim.runs.presets import compose_config
from conftest import run_ccsim

GROUPS = ("scenario", "strategy")


def test_only_keys_in_free_mappings_are_forced():
    given = [
        "costs.agent_hour.voice_team=31.5",
        "costs.strategy_fixed_per_week={chatbot: 1500}",
        "planning.targets.max_abandon_rate={voice: 0.05}",
        "centre.channels.voice.daily_volume=10",
        "run.seed=3",
        "+costs.notice.fax=1",
        "strategy=[chatbot]",
        "hydra.run.dir=x",
    ]
    assert force_new_names(given, GROUPS) == [
        "++costs.agent_hour.voice_team=31.5",
        "++costs.strategy_fixed_per_week={chatbot: 1500}",
        "++planning.targets.max_abandon_rate={voice: 0.05}",
        *given[3:],
    ]
    assert in_free_dict(["centre", "pools", "voice_team", "skills", "voice"])
    assert not in_free_dict(["centre", "pools", "voice_team", "shrinkage"])
    assert not in_free_dict(["no", "such", "key"])


def test_new_names_compose_and_keep_the_defaults():
    cfg = compose_config(
        "default_week",
        ["costs.agent_hour.voice_team=31.5", "costs.strategy_fixed_per_week={chatbot: 1500}"],
    )
    assert cfg["costs"]["agent_hour"] == {"*": 27.0, "voice_team": 31.5}
    assert cfg["costs"]["strategy_fixed_per_week"] == {"chatbot": 1500.0}


def test_cli_takes_new_names(tmp_path):
    proc = run_ccsim(
        "scenario=small_centre",
        "costs.agent_hour.voice_team=31.5",
        "run.replications=1",
        "run.plots=false",
        f"hydra.run.dir={tmp_path / 'o'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
