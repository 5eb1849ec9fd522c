"""Run a centre: independent replications (in parallel processes), metrics, estimates.

``run()`` is the plain function behind the CLI; tests and notebooks call it directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Callable

import numpy as np
from joblib import Parallel, delayed

from .arrivals import sample_customers
from .engine import simulate
from .metrics import (
    INTENT_KEYS,
    INTERVAL_COLUMNS,
    POOL_COLUMNS,
    TOTAL_KEYS,
    intent_metrics,
    interval_metrics,
    pool_metrics,
    total_metrics,
)
from .model import Centre
from .reference import erlang_reference
from .rng import RandomStreams
from .scenario import RunSettings, Scenario
from .stats import Estimate, estimate

__all__ = ["ReplicationResult", "RunResult", "run_replication", "run", "run_scenario"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    intervals: dict[str, np.ndarray]  # channel x interval rows
    pools: dict[str, np.ndarray]  # pool x interval rows
    totals: dict[str, float]  # whole centre
    channel_totals: list[dict[str, float]]  # one per channel
    intent_totals: list[dict[str, float]]  # one per intent (contact-based figures)
    n_contacts: int
    record_bytes: int


@dataclass(frozen=True)
class RunResult:
    centre: Centre
    settings: RunSettings
    replications: list[ReplicationResult]
    reference: dict[str, Any] | None
    estimates: dict[str, Estimate] = field(default_factory=dict)
    channel_estimates: list[dict[str, Estimate]] = field(default_factory=list)
    intent_estimates: list[dict[str, Estimate]] = field(default_factory=list)
    scenario: Scenario | None = None  # the single-queue form, when the run came from one
    start: datetime | None = None  # calendar start of the horizon, for labels

    def _means(self, attr: str, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
        out = {}
        for col in columns:
            stack = np.vstack([getattr(r, attr)[col] for r in self.replications])
            valid = ~np.isnan(stack)
            n = valid.sum(axis=0)
            s = np.where(valid, stack, 0.0).sum(axis=0)
            out[col] = np.where(n > 0, s / np.maximum(n, 1), np.nan)
        return out

    @cached_property
    def _interval_means(self) -> dict[str, np.ndarray]:
        return self._means("intervals", INTERVAL_COLUMNS)

    @cached_property
    def _pool_means(self) -> dict[str, np.ndarray]:
        return self._means("pools", POOL_COLUMNS)

    def interval_means(self) -> dict[str, np.ndarray]:
        """Per channel x interval metrics averaged over replications (NaN-aware), computed once
        (the CSV, the report and every plot read them)."""
        return self._interval_means

    def pool_means(self) -> dict[str, np.ndarray]:
        return self._pool_means


def run_replication(centre: Centre, settings: RunSettings, replication: int) -> ReplicationResult:
    """One independent replication; its random streams depend only on (seed, replication)."""
    streams = RandomStreams(settings.seed, replication)
    records = simulate(centre, sample_customers(centre, streams), streams)
    intervals = interval_metrics(centre, records, settings.warmup_s)
    totals = total_metrics(centre, records, settings.warmup_s, intervals)
    per_channel = [
        total_metrics(centre, records, settings.warmup_s, intervals, c)
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
    estimates = {k: estimate([r.totals[k] for r in results]) for k in TOTAL_KEYS}
    by_channel = [
        {k: estimate([r.channel_totals[c][k] for r in results]) for k in TOTAL_KEYS}
        for c in range(len(centre.channels))
    ]
    by_intent = [
        {k: estimate([r.intent_totals[j][k] for r in results]) for k in INTENT_KEYS}
        for j in range(len(centre.intents))
    ]
    reference = erlang_reference(scenario) if scenario is not None else None
    return RunResult(
        centre, settings, results, reference, estimates, by_channel, by_intent, scenario, start
    )


def run_scenario(
    scenario: Scenario, settings: RunSettings, progress: Callable[[int, int], None] | None = None
) -> RunResult:
    """A single-queue scenario, run as a one-channel centre, with its Erlang reference."""
    return run(scenario.to_centre(), settings, progress, scenario=scenario)
