"""Uniform and hyperexponential times in the simulation against exact single-queue formulas.

* Handle times: M/G/1 (one agent, Poisson arrivals, no abandonment). Pollaczek-Khinchine:
  ``E[W] = lambda E[S^2] / (2 (1 - rho))``, ``L_q = lambda E[W]``, ``P(W > 0) = rho`` and the
  agent is busy a share ``rho`` of the time.
* Patience: M/M/c+G against :func:`ccsim.analysis.erlang_g.mmcg_metrics` (Baccelli &
  Hebuterne; Zeltyn & Mandelbaum).

Each case builds its job from a packaged preset with command-line overrides (the config path a
user takes), runs independent replications at a fixed seed after a one-hour warm-up, and
checks that the exact value lies in the 99% Student-t interval of the replication means, as
tests/analysis/test_erlang_validation.py does for Erlang B, C and A.
"""

from __future__ import annotations

import pytest

from ccsim.analysis.erlang_g import mmcg_metrics
from ccsim.analysis.reference import erlang_reference
from ccsim.analysis.statistics import estimate
from ccsim.config.scenario import scenario_from_config
from ccsim.model.settings import RunSettings
from ccsim.runs.presets import compose_config
from ccsim.runs.replications import run_scenario

AHT_S = 60.0


def _run(preset: str, overrides: list[str], *, reps: int, seed: int = 1):
    scenario = scenario_from_config(compose_config(preset, overrides)["scenario"])
    settings = RunSettings(seed=seed, replications=reps, n_jobs=1, warmup_s=3600, plots=False)
    return scenario, run_scenario(scenario, settings)


def _check(res, exact: dict[str, float]) -> None:
    failures = []
    for key, value in exact.items():
        e = estimate([r.totals[key] for r in res.replications], level=0.99)
        if not (e.ci_low <= value <= e.ci_high):
            failures.append(f"{key}: exact {value:.6g} outside [{e.ci_low:.6g}, {e.ci_high:.6g}]")
        # The interval must be narrow enough to mean something.
        assert e.half_width < max(0.2 * abs(value), 0.01), (key, e)
    assert not failures, "; ".join(failures)


HANDLE_CASES = [
    # (handle-time overrides, hours per replication, replications)
    pytest.param(["dist=uniform", "low_s=30", "high_s=90"], 400, 20, id="uniform30-90"),
    pytest.param(["dist=hyperexponential", "mean_s=60", "cv=1.5"], 400, 20, id="h2-cv1.5"),
    pytest.param(
        ["dist=hyperexponential", "probabilities=[0.9,0.1]", "means_s=[40,240]"],
        400,
        40,
        id="h2-explicit",
        marks=pytest.mark.slow,
    ),
]


@pytest.mark.parametrize("handle,horizon_h,reps", HANDLE_CASES)
def test_mg1_pollaczek_khinchine(handle, horizon_h, reps):
    rho = 0.7
    scenario, res = _run(
        "erlang_c",
        [
            "scenario.agents=1",
            f"scenario.arrival_rate_per_h={rho * 3600 / AHT_S}",
            f"scenario.horizon_h={horizon_h}",
            *(f"scenario.handle_time.{o}" for o in handle),
        ],
        reps=reps,
    )
    s = scenario.handle_time
    assert s.name == handle[0].split("=")[1] and s.mean_s == pytest.approx(AHT_S)
    lam = rho / s.mean_s
    mean_wait_s = lam * (s.var_s2 + s.mean_s**2) / (2 * (1 - rho))
    _check(
        res,
        {
            "mean_wait_s": mean_wait_s,
            "mean_in_queue": lam * mean_wait_s,
            "p_wait": rho,
            "occupancy": rho,
        },
    )


PATIENCE_CASES = [
    # (patience overrides, load per agent)
    pytest.param(["dist=uniform", "low_s=0", "high_s=120"], 0.95, id="uniform0-120"),
    pytest.param(["dist=hyperexponential", "mean_s=60", "cv=2"], 1.1, id="h2-cv2-overloaded"),
    pytest.param(
        ["dist=uniform", "low_s=30", "high_s=90"], 1.1, id="uniform30-90", marks=pytest.mark.slow
    ),
    pytest.param(
        ["dist=hyperexponential", "probabilities=[0.3,0.7]", "means_s=[10,200]"],
        0.95,
        id="h2-explicit",
        marks=pytest.mark.slow,
    ),
]


@pytest.mark.parametrize("patience,rho", PATIENCE_CASES)
def test_mmc_g_abandonment(patience, rho):
    agents, target_s = 10, 20.0
    rate_per_h = rho * agents * 3600 / AHT_S
    scenario, res = _run(
        "erlang_a",
        [
            f"scenario.agents={agents}",
            f"scenario.arrival_rate_per_h={rate_per_h}",
            f"scenario.handle_time.mean_s={AHT_S}",
            f"scenario.target_answer_s={target_s}",
            "scenario.horizon_h=30",
            *(f"scenario.patience.{o}" for o in patience),
        ],
        reps=20,
    )
    assert scenario.patience is not None and scenario.patience.name == patience[0].split("=")[1]
    exact = mmcg_metrics(rate_per_h / 3600, AHT_S, agents, scenario.patience, target_s)
    values = {
        "abandon_rate": exact.p_abandon,
        "p_wait": exact.p_wait,
        "mean_wait_s": exact.mean_wait_s,
        "sl_answered_within_t": exact.sl_answered_within_t,
        "occupancy": exact.occupancy,
    }
    _check(res, values)
    # The run's report sets the same M/M/c+G values beside the simulated ones.
    ref = erlang_reference(scenario)
    assert ref is not None and ref["exact"] and ref["model"].startswith("M/M/c+G")
    assert ref["values"] == values
