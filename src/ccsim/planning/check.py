"""Does a staffing meet its targets? Fresh replications on another seed, per channel over the
measured horizon; and the constant staffing of a stationary single queue.

A plan found on seed s is checked on seed s + 1: the search tuned it to the customers of seed
s, so only other customers say whether it holds in general. Per replication, each channel's
service level (answered within target / contacts whose fate is known, all intervals pooled) and
abandonment rate; the plan meets a target with confidence q when the one-sided lower bound
(upper, for abandonment) of the mean at level q is on the right side of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ccsim.model.centre import Centre
from ccsim.model.planning import SearchSpec, StaffingTargets
from ccsim.planning.evaluate import Counts, evaluate
from ccsim.planning.start import with_staffing

__all__ = [
    "ChannelCheck",
    "channel_check",
    "channel_checks",
    "check_plan",
    "one_sided_bound",
    "ConstantSearch",
    "search_constant",
]


@dataclass(frozen=True)
class ChannelCheck:
    """One channel's figures over the check replications."""

    channel: str
    service_level: float  # mean over replications
    service_level_bound: float  # one-sided lower confidence bound
    target: float
    abandon_rate: float
    abandon_bound: float  # one-sided upper confidence bound
    max_abandon_rate: float | None
    share_missed: float  # replications in which some target of the channel was missed
    replications: int

    @property
    def meets(self) -> bool:
        ok = self.service_level_bound >= self.target
        if self.max_abandon_rate is not None:
            ok &= self.abandon_bound <= self.max_abandon_rate
        return bool(ok)


def one_sided_bound(x: np.ndarray, confidence: float, upper: bool) -> float:
    n = x.size
    if n < 2:
        return float("nan")
    half = float(stats.t.ppf(confidence, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return float(x.mean() + half) if upper else float(x.mean() - half)


def channel_check(
    name: str, c: int, sl: np.ndarray, ab: np.ndarray, targets: StaffingTargets
) -> ChannelCheck:
    """Channel ``c``'s check from its service level and abandonment rate per replication."""
    ceiling = targets.max_abandon_rate[c]
    missed = sl < targets.service_level[c]
    if ceiling is not None:
        missed |= ab > ceiling
    return ChannelCheck(
        name,
        float(sl.mean()),
        one_sided_bound(sl, targets.confidence, upper=False),
        targets.service_level[c],
        float(ab.mean()),
        one_sided_bound(ab, targets.confidence, upper=True),
        ceiling,
        float(missed.mean()),
        int(sl.size),
    )


def channel_checks(
    centre: Centre, counts: Counts, targets: StaffingTargets, first: int
) -> list[ChannelCheck]:
    """Per channel, from per-replication counts of the measured intervals (``first`` on)."""
    out = []
    for c, ch in enumerate(centre.channels):
        decided = counts.decided[:, c, first:].sum(axis=1).astype(np.float64)
        met = counts.met[:, c, first:].sum(axis=1)
        to_agents = counts.to_agents[:, c, first:].sum(axis=1).astype(np.float64)
        abandoned = counts.abandoned[:, c, first:].sum(axis=1)
        sl = np.divide(met, decided, out=np.ones(decided.shape), where=decided > 0)
        ab = np.divide(abandoned, to_agents, out=np.zeros(decided.shape), where=to_agents > 0)
        out.append(channel_check(ch.name, c, sl, ab, targets))
    return out


def check_plan(
    staffed: Centre,
    targets: StaffingTargets,
    spec: SearchSpec,
    *,
    seed: int,
    warmup_s: float = 0.0,
    n_jobs: int = 1,
) -> list[ChannelCheck]:
    """``spec.check_replications`` replications of ``staffed`` on ``seed``, per channel."""
    counts = evaluate(staffed, seed, spec.check_replications, n_jobs)
    first = int(np.searchsorted(staffed.interval_starts_s, warmup_s, side="left"))
    return channel_checks(staffed, counts, targets, first)


@dataclass(frozen=True)
class ConstantSearch:
    """A stationary single queue: the fewest agents, the same in every interval, whose pooled
    service level (and abandonment) over the search replications meets the target; ``tried``:
    agents -> (service level, abandonment rate)."""

    agents: int
    tried: dict[int, tuple[float, float]]


def search_constant(
    centre: Centre,
    targets: StaffingTargets,
    spec: SearchSpec,
    start: int,
    *,
    seed: int,
    warmup_s: float = 0.0,
    n_jobs: int = 1,
) -> ConstantSearch:
    """Step down from ``start`` while the target holds, up while it does not (common random
    numbers make the service level all but monotone in the agents)."""
    first = int(np.searchsorted(centre.interval_starts_s, warmup_s, side="left"))
    tried: dict[int, tuple[float, float]] = {}
    n_p, n_k = len(centre.pools), centre.n_intervals

    def meets(agents: int) -> bool:
        staffed = with_staffing(centre, np.full((n_p, n_k), float(agents)))
        counts = evaluate(staffed, seed, spec.replications, n_jobs)
        decided = counts.decided[:, 0, first:].sum()
        to_agents = counts.to_agents[:, 0, first:].sum()
        sl = counts.met[:, 0, first:].sum() / decided if decided else 1.0
        ab = counts.abandoned[:, 0, first:].sum() / to_agents if to_agents else 0.0
        tried[agents] = (float(sl), float(ab))
        ceiling = targets.max_abandon_rate[0]
        return bool(sl >= targets.service_level[0] and (ceiling is None or ab <= ceiling))

    agents = max(1, start)
    if meets(agents):
        while agents > 1 and meets(agents - 1):
            agents -= 1
    else:
        for _ in range(spec.max_iterations):
            agents += 1
            if meets(agents):
                break
    return ConstantSearch(agents, tried)
