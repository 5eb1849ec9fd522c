"""``dist: uniform`` and ``dist: hyperexponential`` at the config boundary.

Good values build the distribution wherever a duration is configured (single queue,
channels, behaviour delays); bad ones stop with a ConfigError naming the key, the value and
what is allowed, before anything runs; and configs that do not use the new keys record (and
fingerprint) exactly as before.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ccsim.config.recorded import without_quiet_defaults
from ccsim.config.values import distribution_from_config
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.errors import ConfigError
from ccsim.model.distributions import Hyperexponential, Uniform
from ccsim.runs.job import config_digest, validate_config
from ccsim.runs.presets import compose_config

P = "scenario.handle_time."


def _build(raw):
    return distribution_from_config(raw, P, allow_none=False)


def test_uniform_and_hyperexponential_build():
    assert _build({"dist": "uniform", "low_s": 0, "high_s": 600}) == Uniform(0.0, 600.0)
    # Keys the dist does not use are ignored, as for every other dist: a preset's mean_s stays
    # in the merged config when an override switches to uniform.
    assert _build({"dist": "uniform", "low_s": 60, "high_s": 120, "mean_s": 240}) == Uniform(
        60.0, 120.0
    )
    h2 = _build({"dist": "hyperexponential", "mean_s": 300, "cv": 2})
    assert h2 == Hyperexponential.balanced(300.0, 2.0)
    assert math.sqrt(h2.var_s2) / h2.mean_s == pytest.approx(2.0)
    explicit = _build(
        {"dist": "hyperexponential", "probabilities": [0.9, 0.1], "means_s": [100, 1000]}
    )
    assert explicit == Hyperexponential((0.9, 0.1), (100.0, 1000.0))
    # Explicit phases take the place of mean_s and cv (a preset's values may still be there).
    assert (
        _build(
            {
                "dist": "hyperexponential",
                "mean_s": 1,
                "cv": 5,
                "probabilities": [0.9, 0.1],
                "means_s": [100, 1000],
            }
        )
        == explicit
    )
    # Decimals as people write them are accepted (and renormalised).
    rounded = _build(
        {"dist": "hyperexponential", "probabilities": [0.3333333, 0.6666667], "means_s": [1, 2]}
    )
    assert sum(rounded.probabilities) == pytest.approx(1.0, abs=1e-15)


NAN, INF = float("nan"), float("inf")
H2 = {"dist": "hyperexponential"}
PHASES = {**H2, "probabilities": [0.5, 0.5], "means_s": [10, 100]}


@pytest.mark.parametrize(
    "raw,key,words",
    [
        ({"dist": "uniform", "high_s": 10}, "low_s", ["None", "must be a number"]),
        ({"dist": "uniform", "low_s": 10}, "high_s", ["None", "must be a number"]),
        ({"dist": "uniform", "low_s": -1, "high_s": 10}, "low_s", ["-1", ">= 0"]),
        ({"dist": "uniform", "low_s": NAN, "high_s": 10}, "low_s", ["nan", "finite"]),
        ({"dist": "uniform", "low_s": 0, "high_s": INF}, "high_s", ["inf", "finite"]),
        ({"dist": "uniform", "low_s": 10, "high_s": 10}, "high_s", ["10", "> low_s (10)"]),
        ({"dist": "uniform", "low_s": 20, "high_s": 10}, "high_s", ["10", "> low_s (20)"]),
        ({"dist": "uniform", "low_s": "1", "high_s": 10}, "low_s", ["'1'", "a number"]),
        ({"dist": "uniform", "low_s": True, "high_s": 10}, "low_s", ["True", "a number"]),
        ({**H2, "mean_s": 300, "cv": 0.5}, "cv", ["0.5", ">= 1"]),
        ({**H2, "mean_s": 300, "cv": NAN}, "cv", ["nan", "finite"]),
        ({**H2, "mean_s": 300}, "cv", ["None", "a number"]),
        ({**H2, "mean_s": -300, "cv": 2}, "mean_s", ["-300", "> 0"]),
        ({**H2, "mean_s": INF, "cv": 2}, "mean_s", ["inf", "finite"]),
        ({**PHASES, "probabilities": [0.2, 0.3, 0.5]}, "probabilities", ["list of 2", "phase"]),
        ({**PHASES, "means_s": [10]}, "means_s", ["[10]", "list of 2"]),
        ({**PHASES, "means_s": "10,100"}, "means_s", ["'10,100'", "list of 2"]),
        ({**PHASES, "probabilities": [0.5, 0.4]}, "probabilities", ["[0.5, 0.4]", "sum to 1"]),
        ({**PHASES, "probabilities": [0.0, 1.0]}, "probabilities[0]", ["0", "> 0"]),
        ({**PHASES, "probabilities": [-0.5, 1.5]}, "probabilities[0]", ["-0.5", "> 0"]),
        ({**PHASES, "probabilities": [NAN, 0.5]}, "probabilities[0]", ["nan", "finite"]),
        ({**PHASES, "means_s": [10, -1]}, "means_s[1]", ["-1", "> 0"]),
        ({**PHASES, "means_s": [10, INF]}, "means_s[1]", ["inf", "finite"]),
        ({**H2, "probabilities": [0.5, 0.5]}, "means_s", ["None", "when probabilities"]),
        ({**H2, "means_s": [10, 100]}, "probabilities", ["None", "when means_s"]),
        ({"dist": "uniform", "low_s": 0, "high_s": 1, "shape": 2}, "shape", ["unknown key"]),
    ],
)
def test_bad_values_name_key_value_and_what_is_allowed(raw, key, words):
    with pytest.raises(ConfigError) as exc:
        _build(raw)
    assert exc.value.key == P + key
    message = str(exc.value)
    assert message.startswith(P + key + "=")
    for w in words:
        assert w in message, (w, message)


def test_command_line_errors_stop_before_the_run():
    cfg = compose_config(
        "erlang_a", ["scenario.patience.dist=uniform", "scenario.patience.low_s=100"]
    )
    with pytest.raises(ConfigError, match=r"scenario\.patience\.high_s=None"):
        validate_config(cfg)


def test_unused_new_keys_are_left_out_of_the_recorded_config():
    """They are null in every default config: the recorded config and its digest stay as they
    were before the keys existed (tests/golden pins the output files)."""
    cfg = compose_config("small_centre")
    recorded = without_quiet_defaults(cfg)
    voice = recorded["centre"]["channels"]["voice"]
    assert set(voice["handle_time"]) == {"dist", "mean_s", "cv", "values_s", "weights"}
    assert set(recorded["centre"]["behaviour"]["retry_delay"]) == set(voice["handle_time"])
    assert "low_s" in cfg["centre"]["channels"]["voice"]["handle_time"]  # the schema has it
    used = compose_config(
        "small_centre",
        [
            "centre.channels.voice.handle_time.dist=uniform",
            "centre.channels.voice.handle_time.low_s=1",
        ],
    )
    kept = without_quiet_defaults(used)["centre"]["channels"]["voice"]["handle_time"]
    assert kept["low_s"] == 1.0 and "high_s" not in kept
    assert config_digest(used) != config_digest(cfg)


def test_new_distributions_run_in_a_multichannel_centre():
    """Uniform voice handle times and H2 patience and retry delays: first contacts draw by
    ``sample``, retries, repeats and chasers by ``quantile_function`` (keyed uniforms)."""
    low_s, high_s = 120.0, 480.0
    cfg = compose_config(
        "small_centre",
        [
            "centre.channels.voice.handle_time.dist=uniform",
            f"centre.channels.voice.handle_time.low_s={low_s}",
            f"centre.channels.voice.handle_time.high_s={high_s}",
            "centre.channels.voice.patience.dist=hyperexponential",
            "centre.channels.voice.patience.cv=2",
            "centre.behaviour.retry_delay.dist=hyperexponential",
            "centre.behaviour.retry_delay.probabilities=[0.5,0.5]",
            "centre.behaviour.retry_delay.means_s=[60,1140]",
        ],
    )
    job = validate_config(cfg)
    voice = job.centre.channels[0]
    assert voice.handle_time == Uniform(low_s, high_s)
    assert isinstance(voice.patience, Hyperexponential)
    assert job.centre.behaviour.retry_delay == Hyperexponential((0.5, 0.5), (60.0, 1140.0))
    streams = RandomStreams(3, 0)
    records = simulate(job.centre, sample_customers(job.centre, streams), streams)
    on_voice = records.channel == 0
    handle = records.handle_s[on_voice]
    assert np.all((low_s <= handle) & (handle <= high_s))
    uniform_cdf = stats.uniform(low_s, high_s - low_s).cdf
    first, later = handle[records.kind[on_voice] == 0], handle[records.kind[on_voice] != 0]
    assert first.size > 1000 and later.size > 300
    assert stats.kstest(first, uniform_cdf).pvalue > 0.01
    assert stats.kstest(later, uniform_cdf).pvalue > 0.01
