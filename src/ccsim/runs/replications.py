"""Run a centre: independent replications (in parallel processes), metrics, estimates.

``run()`` is the plain function behind the CLI; tests and notebooks call it directly.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from joblib import Parallel, delayed

from ccsim.analysis.costs import POOL_COST_KEYS, cost_spec, replication_costs
from ccsim.analysis.metrics import (
    INTENT_KEYS,
    intent_metrics,
    interval_metrics,
    pool_metrics,
    total_metrics,
)
from ccsim.analysis.reference import erlang_reference
from ccsim.analysis.results import RESULT_TOTAL_KEYS, ReplicationResult, RunResult
from ccsim.analysis.statistics import estimate
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.model.centre import Centre
from ccsim.model.scenario import Scenario
from ccsim.model.settings import RunSettings

__all__ = ["run_replication", "run", "run_scenario"]

log = logging.getLogger(__name__)


def run_replication(centre: Centre, settings: RunSettings, replication: int) -> ReplicationResult:
    """One independent replication; its random streams depend only on (seed, replication)."""
    streams = RandomStreams(settings.seed, replication)
    customers = sample_customers(centre, streams)
    notices = customers.notices  # what the run's campaigns sent (they cost money)
    records = simulate(centre, customers, streams)
    del customers
    intervals = interval_metrics(centre, records, settings.warmup_s)
    costs = replication_costs(centre, records, settings.warmup_s, notices)
    totals = {**total_metrics(centre, records, settings.warmup_s, intervals), **costs.totals}
    per_channel = [
        {**total_metrics(centre, records, settings.warmup_s, intervals, c), **costs.channels[c]}
        for c in range(len(centre.channels))
    ]
    return ReplicationResult(
        replication,
        intervals,
        pool_metrics(centre, records),
        totals,
        per_channel,
        intent_metrics(centre, records, settings.warmup_s),
        len(records),
        records.nbytes,
        costs.pools,
    )


def run(
    centre: Centre,
    settings: RunSettings,
    progress: Callable[[int, int], None] | None = None,
    *,
    scenario: Scenario | None = None,
    start: datetime | None = None,
) -> RunResult:
    """All replications. Results do not depend on ``n_jobs``: each replication has its own
    seeds, and they are collected in replication order."""
    reps = settings.replications
    results: list[ReplicationResult] = []
    if settings.n_jobs == 1 or reps == 1:
        for r in range(reps):
            results.append(run_replication(centre, settings, r))
            if progress:
                progress(r + 1, reps)
    else:
        parallel = Parallel(n_jobs=settings.n_jobs, return_as="generator")
        for res in parallel(delayed(run_replication)(centre, settings, r) for r in range(reps)):
            results.append(res)
            if progress:
                progress(len(results), reps)
    estimates = {k: estimate([r.totals[k] for r in results]) for k in RESULT_TOTAL_KEYS}
    by_channel = [
        {k: estimate([r.channel_totals[c][k] for r in results]) for k in RESULT_TOTAL_KEYS}
        for c in range(len(centre.channels))
    ]
    by_pool = [
        {k: estimate([r.pool_totals[p][k] for r in results]) for k in POOL_COST_KEYS}
        for p in range(len(centre.pools))
    ]
    by_intent = [
        {k: estimate([r.intent_totals[j][k] for r in results]) for k in INTENT_KEYS}
        for j in range(len(centre.intents))
    ]
    reference = erlang_reference(scenario) if scenario is not None else None
    return RunResult(
        centre,
        settings,
        results,
        reference,
        estimates,
        by_channel,
        by_intent,
        scenario,
        start,
        by_pool,
        cost_spec(centre).currency,
    )


def run_scenario(
    scenario: Scenario, settings: RunSettings, progress: Callable[[int, int], None] | None = None
) -> RunResult:
    """A single-queue scenario, run as a one-channel centre, with its Erlang reference."""
    return run(scenario.to_centre(), settings, progress, scenario=scenario)
