"""Run a scenario: independent replications (in parallel processes), metrics, estimates.

``run()`` is the plain function behind the CLI; tests and notebooks call it directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from joblib import Parallel, delayed

from .arrivals import sample_customers
from .engine import simulate
from .metrics import INTERVAL_COLUMNS, TOTAL_KEYS, interval_metrics, total_metrics
from .reference import erlang_reference, required_agents_function
from .rng import RandomStreams
from .scenario import RunSettings, Scenario
from .stats import Estimate, estimate

__all__ = ["ReplicationResult", "RunResult", "run_replication", "run"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    intervals: dict[str, np.ndarray]
    totals: dict[str, float]
    n_contacts: int
    record_bytes: int


@dataclass(frozen=True)
class RunResult:
    scenario: Scenario
    settings: RunSettings
    replications: list[ReplicationResult]
    reference: dict[str, Any] | None
    estimates: dict[str, Estimate] = field(default_factory=dict)

    def interval_means(self) -> dict[str, np.ndarray]:
        """Per-interval metrics averaged over replications (NaN-aware)."""
        out = {}
        for col in INTERVAL_COLUMNS:
            stack = np.vstack([r.intervals[col] for r in self.replications])
            with np.errstate(all="ignore"):
                valid = ~np.isnan(stack)
                n = valid.sum(axis=0)
                s = np.where(valid, stack, 0.0).sum(axis=0)
                out[col] = np.where(n > 0, s / np.maximum(n, 1), np.nan)
        return out


def run_replication(
    scenario: Scenario, settings: RunSettings, replication: int
) -> ReplicationResult:
    """One independent replication; its random streams depend only on (seed, replication)."""
    centre = scenario.to_centre()
    streams = RandomStreams(settings.seed, replication)
    records = simulate(centre, sample_customers(centre, streams), streams)
    intervals = interval_metrics(
        scenario, records, settings.warmup_s, required_agents_function(scenario)
    )
    totals = total_metrics(scenario, records, settings.warmup_s, intervals)
    return ReplicationResult(replication, intervals, totals, len(records), records.nbytes)


def run(
    scenario: Scenario, settings: RunSettings, progress: Callable[[int, int], None] | None = None
) -> RunResult:
    """All replications of a scenario. Results do not depend on ``n_jobs``: each replication
    has its own seeds, and they are collected in replication order."""
    reps = settings.replications
    if settings.n_jobs == 1 or reps == 1:
        results = []
        for r in range(reps):
            results.append(run_replication(scenario, settings, r))
            if progress:
                progress(r + 1, reps)
    else:
        parallel = Parallel(n_jobs=settings.n_jobs, return_as="generator")
        results = []
        for res in parallel(delayed(run_replication)(scenario, settings, r) for r in range(reps)):
            results.append(res)
            if progress:
                progress(len(results), reps)
    estimates = {k: estimate([r.totals[k] for r in results]) for k in TOTAL_KEYS}
    return RunResult(scenario, settings, results, erlang_reference(scenario), estimates)
