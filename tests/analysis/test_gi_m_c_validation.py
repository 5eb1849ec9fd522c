"""Renewal arrivals in the simulation against GI/M/c (ccsim.analysis.gi_m_c).

Each case builds its job from the ``erlang_c`` preset (M/M/c: 360 calls/h, 240 s AHT, 27
agents) with command-line overrides that only change the arrival process, runs independent
replications at a fixed seed after a one-hour warm-up, and checks that the exact value lies in
the 99% Student-t interval of the replication means, as tests/analysis/test_erlang_validation.py
does for Erlang C. The single-queue reference of the run (what report.md shows) must be the
GI/M/c one, and Erlang C's P(wait) must fall outside the interval: the check can tell the
arrival processes apart.
"""

from __future__ import annotations

import pytest

from ccsim.analysis.erlang import erlang_c
from ccsim.analysis.gi_m_c import gi_m_c_metrics
from ccsim.analysis.reference import erlang_reference
from ccsim.analysis.statistics import estimate
from ccsim.config.scenario import scenario_from_config
from ccsim.model.settings import RunSettings
from ccsim.runs.presets import compose_config
from ccsim.runs.replications import run_scenario

METRICS = ["p_wait", "mean_wait_s", "sl_answered_within_t", "mean_in_queue", "occupancy"]

CASES = [
    # (arrivals overrides, other overrides, replications, hours per replication, model)
    pytest.param(["process=deterministic"], [], 12, 100, "D/M/c", id="D/M/27"),
    pytest.param(["process=erlang", "k=3"], [], 12, 100, "E3/M/c", id="E3/M/27"),
    pytest.param(
        ["process=hyperexponential", "cv=2"],
        ["scenario.agents=29"],
        12,
        100,
        "H2/M/c (inter-arrival cv 2)",
        id="H2/M/29",
    ),
    pytest.param(
        ["process=hyperexponential", "cv=1.5"],
        ["scenario.agents=1", "scenario.arrival_rate_per_h=12"],
        40,
        400,
        "H2/M/c (inter-arrival cv 1.5)",
        id="H2/M/1",
        marks=pytest.mark.slow,
    ),
    pytest.param(
        ["process=erlang", "k=2"],
        ["scenario.agents=100", "scenario.arrival_rate_per_h=1350"],
        20,
        50,
        "E2/M/c",
        id="E2/M/100",
        marks=pytest.mark.slow,
    ),
]


@pytest.mark.parametrize("arrivals,other,reps,horizon_h,model", CASES)
def test_simulation_agrees_with_gi_m_c(arrivals, other, reps, horizon_h, model):
    overrides = [
        *(f"scenario.arrivals.{a}" for a in arrivals),
        *other,
        f"scenario.horizon_h={horizon_h}",
    ]
    scenario = scenario_from_config(compose_config("erlang_c", overrides)["scenario"])
    settings = RunSettings(seed=1, replications=reps, n_jobs=1, warmup_s=3600, plots=False)
    res = run_scenario(scenario, settings)
    rate = float(scenario.arrival_rate_per_s[0])
    c = int(scenario.agents_on_phone[0])
    exact = gi_m_c_metrics(rate, scenario.handle_time.mean_s, c, scenario.arrivals, 20.0)
    ref = res.reference
    assert ref is not None and ref["exact"] and ref["model"] == model
    assert ref["values"]["p_wait"] == exact.p_wait
    assert ref["values"]["mean_wait_s"] == exact.mean_wait_s
    assert ref["values"]["sl_answered_within_t"] == exact.service_level
    failures = []
    for key in METRICS:
        e = estimate([r.totals[key] for r in res.replications], level=0.99)
        value = ref["values"][key]
        if not (e.ci_low <= value <= e.ci_high):
            failures.append(f"{key}: exact {value:.6g} outside [{e.ci_low:.6g}, {e.ci_high:.6g}]")
        # Narrow enough to mean something (waits near full load are noisy).
        assert e.half_width < max(0.25 * abs(value), 0.01), (key, e)
    assert not failures, f"{model}: " + "; ".join(failures)
    p_wait = estimate([r.totals["p_wait"] for r in res.replications], level=0.99)
    poisson = erlang_c(rate * scenario.handle_time.mean_s, c)
    assert not p_wait.ci_low <= poisson <= p_wait.ci_high, (poisson, p_wait)


@pytest.mark.parametrize(
    "preset,model",
    [("erlang_a", "Erlang A (M/M/c+M)"), ("erlang_b", "Erlang B (M/M/c/c)")],
)
def test_renewal_arrivals_with_abandonment_or_a_finite_room_are_approximations(preset, model):
    """No GI/M/c formula with abandonment or blocking: the Markovian one, marked inexact
    (Erlang B is insensitive to handle times, not to the arrival process)."""
    overrides = ["scenario.arrivals.process=deterministic"]
    scenario = scenario_from_config(compose_config(preset, overrides)["scenario"])
    ref = erlang_reference(scenario)
    poisson = erlang_reference(scenario_from_config(compose_config(preset)["scenario"]))
    assert ref is not None and poisson is not None
    assert (ref["model"], ref["exact"], poisson["exact"]) == (model, False, True)
    assert ref["values"] == poisson["values"]
