"""Time to staff and schedule the default week (issue 21), against the time of one round's
replications measured in the same run.

    python benchmarks/bench_planning.py [--n-jobs 2]

Prints, for the default week with the default settings (8 replications per round, 8 to
check): one round of replications (the baseline), the whole staffing search with its checks
(and how many rounds' worth it took), the shift-scheduling integer programme on the plan with
study (g)'s shift types, and their total.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from omegaconf import OmegaConf

from ccsim.config.planning import search_from_config, targets_from_config
from ccsim.config.schedule import schedule_from_config
from ccsim.planning.evaluate import evaluate
from ccsim.planning.scheduling import schedule_shifts
from ccsim.planning.staff import plan_staffing
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config

STUDY = Path(__file__).resolve().parents[1] / "experiments" / "g_shift_schedule" / "schedule.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args()
    cfg = compose_config("default_week", [])
    job = validate_config(cfg)
    centre = job.centre
    targets = targets_from_config(cfg["planning"]["targets"], centre)
    spec = search_from_config(cfg["planning"]["search"])
    evaluate(centre, 0, 2, args.n_jobs)  # warm the worker processes
    t0 = time.perf_counter()
    evaluate(centre, job.settings.seed, spec.replications, args.n_jobs)
    one_round = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = plan_staffing(centre, targets, spec, seed=job.settings.seed, n_jobs=args.n_jobs)
    staff_s = time.perf_counter() - t0
    study = OmegaConf.to_container(OmegaConf.load(STUDY), resolve=True)
    assert isinstance(study, dict)
    shift_types = study["planning"]["schedule"]
    sched = schedule_from_config(shift_types, [p.name for p in centre.pools], 30)
    rates = centre.costs.agent_hour_cost if centre.costs else (27.0,) * len(centre.pools)
    t0 = time.perf_counter()
    assert job.start is not None
    result = schedule_shifts(
        {p.name: plan.search.scheduled[i] for i, p in enumerate(centre.pools)},
        interval_s=centre.interval_s,
        horizon_start=job.start,
        n_intervals=centre.n_intervals,
        spec=sched,
        cost_per_h=dict(zip([p.name for p in centre.pools], rates, strict=True)),
    )
    schedule_s = time.perf_counter() - t0
    rounds = len(plan.search.rounds)
    print(
        f"one round ({spec.replications} replications of the week, n_jobs={args.n_jobs}): "
        f"{one_round:.2f} s"
    )
    print(
        f"staffing search: {staff_s:.1f} s, {rounds} rounds on {len(plan.seeds)} seed(s), "
        f"= {staff_s / one_round:.0f} rounds' worth; targets met: {plan.meets_targets}"
    )
    print(
        f"shift scheduling: {schedule_s:.2f} s ({result.n_candidates} candidate shifts, "
        f"{result.status})"
    )
    print(f"staff + schedule: {staff_s + schedule_s:.1f} s")


if __name__ == "__main__":
    main()
