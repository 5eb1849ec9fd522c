"""What a run produces: one result per replication, and their estimates.

Reports and sweeps read these; only :mod:`ccsim.runs.replications` makes them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np

from ccsim.analysis.contact_flags import with_cleared
from ccsim.analysis.costs import COST_KEYS
from ccsim.analysis.metrics import (
    INTERVAL_COLUMNS,
    POOL_COLUMNS,
    TOTAL_KEYS,
)
from ccsim.analysis.queue_stats import QUEUE_KEYS
from ccsim.analysis.statistics import Estimate
from ccsim.model.centre import Centre
from ccsim.model.scenario import Scenario
from ccsim.model.settings import RunSettings

__all__ = ["ReplicationResult", "RunResult", "RESULT_TOTAL_KEYS"]

# The keys of every replication's totals (centre and per channel): the metrics, the queue
# statistics, then the costs (``with_cleared``: and ``cleared`` where the centre clears).
RESULT_TOTAL_KEYS = (*TOTAL_KEYS, *QUEUE_KEYS, *COST_KEYS)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    intervals: dict[str, np.ndarray]  # channel x interval rows
    pools: dict[str, np.ndarray]  # pool x interval rows
    totals: dict[str, float]  # whole centre: RESULT_TOTAL_KEYS
    channel_totals: list[dict[str, float]]  # one per channel: RESULT_TOTAL_KEYS
    intent_totals: list[dict[str, float]]  # one per intent (contact-based figures)
    n_contacts: int
    record_bytes: int
    pool_totals: list[dict[str, float]] = field(default_factory=list)  # one per pool: costs
    # Time-average P(N = n), n = 0, 1, ... (single-channel, single-pool runs; else empty).
    state_probabilities: tuple[float, ...] = ()


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
    pool_estimates: list[dict[str, Estimate]] = field(default_factory=list)  # POOL_COST_KEYS
    currency: str = ""  # of the cost keys

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
        return self._means("intervals", with_cleared(INTERVAL_COLUMNS, self.centre))

    @cached_property
    def _pool_means(self) -> dict[str, np.ndarray]:
        return self._means("pools", POOL_COLUMNS)

    def interval_means(self) -> dict[str, np.ndarray]:
        """Per channel x interval metrics averaged over replications (NaN-aware), computed once
        (the CSV, the report and every plot read them)."""
        return self._interval_means

    def pool_means(self) -> dict[str, np.ndarray]:
        return self._pool_means
