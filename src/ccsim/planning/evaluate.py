"""One staffing, simulated with common random numbers: per channel x interval counts against
the targets, pooled over replications.

Replication r of every staffing the search tries sees the same customers (seed, r): only the
staffing differs, so a change in the counts is the staffing's effect, not noise between runs.
Only counts travel back from the worker processes, never contact records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ccsim.analysis.contact_flags import ContactFlags
from ccsim.analysis.metrics import busy_time_s
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.model.centre import Centre
from ccsim.runs.replications import COLD_START_S, map_in_order

__all__ = ["Counts", "replication_counts", "evaluate"]

# A search runs dozens of rounds (the default week's: 40, 64 rounds' worth): the workers start
# once for all of them, so a round is charged a share of their start when it decides whether
# to go parallel, and only a search whose rounds take a few milliseconds stays serial.
ROUND_START_S = COLD_START_S / 32


@dataclass(frozen=True)
class Counts:
    """Per replication r, channel c, interval k (of arrival): contacts whose fate against the
    target is known (``decided``), those answered within it (``met``), those that reached the
    agents and those that abandoned; ``missed[r, c, j, k]``: decided and not met, by intent (to
    find the pool to add to); ``busy_h[r, p, k]``: agent-hours pool p worked in interval k."""

    decided: np.ndarray
    met: np.ndarray
    to_agents: np.ndarray
    abandoned: np.ndarray
    missed: np.ndarray
    busy_h: np.ndarray

    def pooled(self, name: str) -> np.ndarray:
        """[c, k] (or [c, j, k], [p, k]): the count summed over replications."""
        return np.asarray(getattr(self, name).sum(axis=0))


def replication_counts(centre: Centre, seed: int, replication: int) -> tuple[np.ndarray, ...]:
    """Simulate replication ``replication`` and count what the targets need."""
    streams = RandomStreams(seed, replication)
    records = simulate(centre, sample_customers(centre, streams), streams)
    f = ContactFlags(centre, records)
    n_c, n_j, n_k = len(centre.channels), len(centre.intents), centre.n_intervals
    k_of = np.minimum((records.arrival_s // centre.interval_s).astype(np.int64), n_k - 1)
    g = records.channel.astype(np.int64) * n_k + k_of

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(g[mask], minlength=n_c * n_k).reshape(n_c, n_k)

    miss = f.decided & ~f.answered_in_t
    gj = (records.channel.astype(np.int64) * n_j + records.intent) * n_k + k_of
    missed = np.bincount(gj[miss], minlength=n_c * n_j * n_k).reshape(n_c, n_j, n_k)
    edges = np.append(centre.interval_starts_s, centre.horizon_s)
    concurrency = np.array([ch.concurrency for ch in centre.channels], dtype=np.float64)
    weight = 1.0 / concurrency[records.channel]
    busy = np.stack(
        [busy_time_s(records, edges, records.pool == p, weight) for p in range(len(centre.pools))]
    )
    return (
        count(f.decided),
        count(f.answered_in_t),
        count(f.to_agents),
        count(f.abandoned),
        missed,
        busy / 3600.0,
    )


def _counts(centre: Centre, run: tuple[int, int]) -> tuple[np.ndarray, ...]:
    return replication_counts(centre, *run)


def evaluate(
    centre: Centre, seed: int | Sequence[int], replications: int, n_jobs: int = 1
) -> Counts:
    """Replications 0..replications-1 of ``centre`` on ``seed`` (or on each of several seeds,
    one after the other), counted."""
    seeds = [seed] if isinstance(seed, int) else list(seed)
    runs = [(s, r) for s in seeds for r in range(replications)]
    if n_jobs == 1 or len(runs) == 1:
        parts = [replication_counts(centre, s, r) for s, r in runs]
    else:  # in contiguous chunks, one pickled centre each (ccsim.runs.replications)
        parts = map_in_order(_counts, centre, runs, n_jobs, start_s=ROUND_START_S)
    return Counts(*(np.stack([p[i] for p in parts]) for i in range(6)))
