"""Run a centre: independent replications (in parallel processes), metrics, estimates.

``run()`` is the plain function behind the CLI; tests and notebooks call it directly.
``map_in_order()`` spreads independent tasks (replications here, the staffing search's counts
in :mod:`ccsim.planning.evaluate`) over worker processes in contiguous chunks, or runs them
here when starting the workers would cost more than they save.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Callable, TypeVar

from joblib import Parallel, cpu_count, delayed, effective_n_jobs

from ccsim.analysis.contact_flags import ContactFlags, with_cleared
from ccsim.analysis.costs import POOL_COST_KEYS, cost_spec, replication_costs
from ccsim.analysis.metrics import (
    INTENT_KEYS,
    intent_metrics,
    interval_metrics,
    pool_metrics,
    total_metrics,
)
from ccsim.analysis.queue_stats import queue_totals, state_probabilities
from ccsim.analysis.reference import erlang_reference
from ccsim.analysis.results import RESULT_TOTAL_KEYS, ReplicationResult, RunResult
from ccsim.analysis.statistics import estimate
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.model.centre import Centre
from ccsim.model.scenario import Scenario
from ccsim.model.settings import RunSettings

__all__ = ["run_replication", "run", "run_scenario", "map_in_order", "chunk_ranges"]

log = logging.getLogger(__name__)

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Out = TypeVar("Out")

# Measured on 2 cores (benchmarks/bench_parallel.py, 2026-12-03): starting joblib's loky workers,
# which import ccsim before their first task, costs about 1 s; once started they are reused
# and a chunk costs about a millisecond more than its own work.
COLD_START_S = 1.0
# joblib's loky workers exit after 300 s idle (its default): within this, they are still up.
_WARM_FOR_S = 200.0
# At least this many chunks per worker, so that one finishing early finds more work; chunks of at
# most MAX_CHUNK items, so that a long run reports progress often.
CHUNKS_PER_WORKER = 4
MAX_CHUNK = 32

_pool: dict[str, float] = {"n_jobs": 0, "until": -math.inf}  # the workers this process started


def chunk_ranges(start: int, stop: int, n_chunks: int) -> list[range]:
    """start..stop-1 as ``n_chunks`` contiguous ranges (fewer if there are fewer items) whose
    lengths differ by at most one."""
    n = stop - start
    n_chunks = max(1, min(n_chunks, n))
    size, extra = divmod(n, n_chunks)
    bounds = [start + i * size + min(i, extra) for i in range(n_chunks + 1)]
    return [range(a, b) for a, b in pairwise(bounds)]


def _run_chunk(
    func: Callable[[Shared, Item], Out], shared: Shared, items: Sequence[Item], first: int
) -> tuple[int, list[Out]]:
    return first, [func(shared, x) for x in items]


def map_in_order(
    func: Callable[[Shared, Item], Out],
    shared: Shared,
    items: Iterable[Item],
    n_jobs: int,
    progress: Callable[[int, int], None] | None = None,
    *,
    start_s: float | None = None,
    n_chunks: int | None = None,
) -> list[Out]:
    """``[func(shared, x) for x in items]``, run here or on ``n_jobs`` worker processes (-1: all
    cores); the results are the same either way. ``progress(done, total)`` is called after
    each item run here and each chunk run by a worker, ending with (total, total).

    Workers run contiguous chunks of items, each chunk with one pickled copy of ``shared``
    (``func`` must be importable). If they are up already (from an earlier call) the items go to
    them; otherwise the first item is run and timed here, and the rest go to the workers only if
    the time they would save exceeds ``start_s``, the cost of starting them (by default
    ``COLD_START_S``; a caller that makes many calls, such as the staffing search's rounds,
    charges each call a share of it).
    ``n_chunks`` overrides the chunking."""
    todo = list(items)
    total = len(todo)
    out: list[Out] = []

    def here(i: int) -> None:
        out.append(func(shared, todo[i]))
        if progress:
            progress(i + 1, total)

    jobs = effective_n_jobs(n_jobs) if total > 1 else 1
    if jobs == 1:
        for i in range(total):
            here(i)
        return out
    first = 0
    if not (_pool["n_jobs"] == jobs and time.monotonic() < _pool["until"]):
        t0 = time.perf_counter()
        here(0)
        item_s = time.perf_counter() - t0
        first = 1
        cores = min(jobs, cpu_count(), total - 1)
        saved_s = (total - 1) * item_s * (1 - 1 / cores)
        if saved_s < (COLD_START_S if start_s is None else start_s):
            log.debug("%d task(s) of ~%.3f s: run here, not on %d workers", total, item_s, jobs)
            for i in range(1, total):
                here(i)
            return out
    if n_chunks is None:
        n_chunks = max(CHUNKS_PER_WORKER * jobs, math.ceil((total - first) / MAX_CHUNK))
    chunks = chunk_ranges(first, total, n_chunks)
    log.debug("%d task(s) in %d chunk(s) on %d workers", total - first, len(chunks), jobs)
    parts: dict[int, list[Out]] = {}
    done = first
    tasks = (delayed(_run_chunk)(func, shared, todo[c.start : c.stop], c.start) for c in chunks)
    for start, results in Parallel(n_jobs=jobs, return_as="generator_unordered")(tasks):
        parts[start] = results
        done += len(results)
        if progress:
            progress(done, total)
    _pool.update(n_jobs=jobs, until=time.monotonic() + _WARM_FOR_S)
    for c in chunks:
        out += parts.pop(c.start)
    return out


def _replication(shared: tuple[Centre, RunSettings], replication: int) -> ReplicationResult:
    return run_replication(*shared, replication)


def run_replication(centre: Centre, settings: RunSettings, replication: int) -> ReplicationResult:
    """One independent replication; its random streams depend only on (seed, replication)."""
    streams = RandomStreams(settings.seed, replication)
    customers = sample_customers(centre, streams)
    notices = customers.notices  # what the run's campaigns sent (they cost money)
    records = simulate(centre, customers, streams)
    del customers
    intervals = interval_metrics(centre, records, settings.warmup_s)
    costs = replication_costs(centre, records, settings.warmup_s, notices)
    w = settings.warmup_s
    flags = ContactFlags(centre, records)
    totals = {
        **total_metrics(centre, records, w, intervals),
        **queue_totals(centre, records, w, f=flags),
        **costs.totals,
    }
    per_channel = [
        {
            **total_metrics(centre, records, w, intervals, c),
            **queue_totals(centre, records, w, c, flags),
            **costs.channels[c],
        }
        for c in range(len(centre.channels))
    ]
    # P(N = n) describes one queue: single-channel, single-pool runs only.
    single = len(centre.channels) == 1 and len(centre.pools) == 1
    states = tuple(state_probabilities(centre, records, w).tolist()) if single else ()
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
        states,
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
    seeds, and they are collected in replication order. With ``n_jobs`` > 1 they run on worker
    processes in contiguous chunks, unless the run is too short to pay for starting them
    (:func:`map_in_order`); workers send back metrics, never contact records."""
    results = map_in_order(
        _replication, (centre, settings), range(settings.replications), settings.n_jobs, progress
    )
    keys = with_cleared(RESULT_TOTAL_KEYS, centre)
    estimates = {k: estimate([r.totals[k] for r in results]) for k in keys}
    by_channel = [
        {k: estimate([r.channel_totals[c][k] for r in results]) for k in keys}
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
