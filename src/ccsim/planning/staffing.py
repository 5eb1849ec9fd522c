"""Simulation-based staffing: the fewest agents per pool and interval that meet every channel's
targets in the whole simulated centre (retries, repeats, chasers, shared pools, concurrency
and backlogs included, which Erlang formulas leave out).

The search (after Atlason, Epelman and Henderson 2008 and the iterative staffing algorithm of
Feldman, Mandelbaum, Massey and Whitt 2008, in a simple greedy form):

1. start from Erlang A per channel and interval (Erlang C where customers never abandon),
   split between the pools that serve each channel as their primary skills share its planned
   work; async work starts spread over each pool's rostered hours of the day (an email can
   wait for the morning: Erlang per arrival interval would staff the night);
2. simulate ``replications`` replications with common random numbers (replication r always
   sees the same customers, so two staffings differ only by their staffing) and pool the
   counts of each channel x interval over them;
3. add agents where a target is missed: for a live channel, in that interval, to the pool
   whose primary skills miss most; for an async channel, in the busiest staffed interval of
   the pool before the contacts' deadline. Every interval below target gets agents in the same
   round; a later interval's shortfall may only be the backlog of an earlier one, so
4. once every target holds, take one agent back where every target the pool serves holds with
   room to spare (every other interval at a time, alternating), keep the removals the next
   round confirms and lock the intervals whose removal broke a target; back to 3.

It stops when every target holds and nothing more can be taken back, or after
``max_iterations`` rounds. The plan is then checked on ``check_replications`` fresh
replications of another seed (:func:`check_plan`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ccsim.model.centre import ASYNC, Centre
from ccsim.model.planning import SearchSpec, StaffingTargets
from ccsim.planning.evaluate import Counts, evaluate
from ccsim.planning.misses import failing, rates, window
from ccsim.planning.start import erlang_start, pools_of, primary_split, with_staffing

__all__ = [
    "ROOM",
    "Round",
    "SearchState",
    "new_state",
    "StaffingSearch",
    "search_staffing",
]

log = logging.getLogger("ccsim")

ROOM = 0.03  # service level above target (and abandonment below) that lets an agent go


@dataclass(frozen=True)
class Round:
    """One simulated round of the search: what it found and what it changed."""

    number: int
    below_target: int  # channel x intervals missing a target
    added: int  # agent-intervals added after this round
    removed: int  # agent-intervals taken back after this round
    restored: int  # removals of the round before undone (they broke a target)
    on_phone_agent_h: float  # the staffing simulated in this round, in agent-hours


@dataclass
class SearchState:
    """Where the search is: resumable (:mod:`ccsim.planning.checkpoint` writes it)."""

    on_phone: np.ndarray  # [p, k] agents on the phone
    locked: np.ndarray  # [p, k] no more removals here
    pending: np.ndarray  # [p, k] taken back before the round to come
    margin: np.ndarray  # [c] added to the channel's service-level target (after a failed check)
    seeds: list[int]  # the search simulates replications of each (a failed check adds its seed)
    rounds: list[Round] = field(default_factory=list)
    converged: bool = False


@dataclass(frozen=True)
class StaffingSearch:
    """The search's result: ``on_phone[p, k]`` and ``scheduled[p, k]`` (heads before
    shrinkage) per pool; ``start`` the Erlang start; ``below_target[c, k]`` in the last round."""

    centre: Centre  # as configured (its roster)
    staffed: Centre  # with the plan's staffing
    start: np.ndarray
    on_phone: np.ndarray
    scheduled: np.ndarray
    rounds: tuple[Round, ...]
    converged: bool
    below_target: np.ndarray


def _adds(
    centre: Centre,
    counts: Counts,
    bad: np.ndarray,
    search: SearchState,
    targets: StaffingTargets,
) -> np.ndarray:
    """[p, k]: agents to add after a round whose misses are ``bad`` (step 3)."""
    state = search.on_phone
    n_p, n_k = state.shape
    sl, _, _ = rates(counts)
    missed = counts.pooled("missed")  # [c, j, k]
    split = primary_split(centre)
    busy = counts.pooled("busy_h")  # [p, k]
    staffed = state * counts.busy_h.shape[0] * centre.interval_s / 3600.0
    occupancy = np.divide(busy, staffed, out=np.zeros_like(busy), where=staffed > 0)
    roster = np.stack([p.agents_on_phone for p in centre.pools])
    adds = np.zeros((n_p, n_k))
    for c, k in zip(*np.nonzero(bad), strict=True):
        weight = missed[c, :, k] @ split[c]  # [p]: misses by the pool that should take them
        if weight.sum() <= 0:  # missed on abandonment only: the pools of the channel
            weight = split[c].sum(axis=0)
        p = int(np.argmax(weight))
        gap = targets.service_level[c] + search.margin[c] - sl[c, k]
        step = 1 if gap <= 0.1 else 2 if gap <= 0.25 else 3
        at = int(k)
        if centre.channels[c].mode == ASYNC:
            span = np.arange(k, min(k + window(centre, c), n_k))
            open_now = span[state[p, span] > 0]
            open_roster = span[roster[p, span] > 0]
            if open_now.size:
                # The busiest staffed interval before the deadline; among near-equals (a
                # backlog keeps them all busy) the one with the fewest agents, so that agents
                # spread over the window instead of piling up in one interval.
                occ = occupancy[p, open_now]
                near = open_now[occ >= occ.max() - 0.02]
                at = int(near[np.argmin(state[p, near])])
            elif open_roster.size:
                at = int(open_roster[0])
            step = 1
        adds[p, at] = max(adds[p, at], step)
    return adds


def _implicated(centre: Centre, bad: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """[p, k]: removals that a miss of this round may come from: the pool serves the channel
    (primary), at the same or the next interval (live), or before the deadline (async)."""
    serving = pools_of(centre)
    out = np.zeros_like(removed, dtype=bool)
    n_k = bad.shape[1]
    for c, k in zip(*np.nonzero(bad), strict=True):
        lo = max(0, k - 1) if centre.channels[c].mode != ASYNC else int(k)
        hi = (
            min(n_k, k + 1) if centre.channels[c].mode != ASYNC else min(n_k, k + window(centre, c))
        )
        for p in serving[c]:
            out[p, lo:hi] |= removed[p, lo:hi]
    return out


def _removals(
    centre: Centre,
    counts: Counts,
    state: SearchState,
    targets: StaffingTargets,
    first: int,
    parity: int,
) -> np.ndarray:
    """[p, k]: one agent taken back, in the intervals of one ``parity`` (every other interval,
    so that neighbours do not both lose an agent at once), where every channel the pool serves
    keeps room (step 4)."""
    tight = failing(centre, counts, targets, first, ROOM, state.margin)  # [c, k]
    n_k = state.on_phone.shape[1]
    ok = (state.on_phone > 0) & ~state.locked
    ok[:, :first] = False
    ok[:, (np.arange(n_k) % 2) != parity] = False
    serving = pools_of(centre)
    for c in range(len(centre.channels)):
        if centre.channels[c].mode == ASYNC:
            # A removal at k touches the arrivals of the window before it.
            near = np.convolve(tight[c].astype(float), np.ones(window(centre, c)))[:n_k] > 0
        else:
            near = tight[c].copy()
            near[:-1] |= tight[c][1:]
        for p in serving[c]:
            ok[p] &= ~near
    return ok


def new_state(centre: Centre, start: np.ndarray, seed: int) -> SearchState:
    """A search at its start on ``seed``: nothing locked, no margins."""
    return SearchState(
        start.copy(),
        np.zeros(start.shape, bool),
        np.zeros(start.shape, bool),
        np.zeros(len(centre.channels)),
        [seed],
    )


def search_staffing(
    centre: Centre,
    targets: StaffingTargets,
    spec: SearchSpec,
    *,
    seed: int,
    warmup_s: float = 0.0,
    n_jobs: int = 1,
    state: SearchState | None = None,
    on_round: Callable[[SearchState], None] | None = None,
) -> StaffingSearch:
    """Run the search (module docstring) from ``state`` (a resumed search) or the Erlang start;
    ``on_round`` is called with the state after every round (progress, checkpoints); ``seed``
    starts a new search (a resumed one simulates ``state.seeds``)."""
    start = erlang_start(centre)
    if state is None:
        state = new_state(centre, start, seed)
    first = int(np.searchsorted(centre.interval_starts_s, warmup_s, side="left"))
    # Beyond this many agents in one interval more staff cannot be what is missing.
    cap = np.maximum(start * 4.0, 10.0) + 50.0
    bad = np.ones((len(centre.channels), centre.n_intervals), dtype=bool)
    while not state.converged and len(state.rounds) < spec.max_iterations:
        simulated_h = float(state.on_phone.sum()) * centre.interval_s / 3600.0
        staffed = with_staffing(centre, state.on_phone)
        counts = evaluate(staffed, state.seeds, spec.replications, n_jobs)
        bad = failing(centre, counts, targets, first, margin=state.margin)
        # A removal round that broke a target is undone as a whole; the removals near the
        # misses (all of them, if none is near) are not tried again, so that every round
        # either keeps its removals or locks at least one interval: the search ends.
        restore = state.pending if bad.any() else np.zeros_like(state.pending)
        blamed = _implicated(centre, bad, restore)
        state.locked |= blamed if blamed.any() else restore
        state.on_phone += restore
        state.pending = np.zeros_like(state.pending)
        added = removed = 0
        if restore.any():
            pass  # simulate the restored staffing before changing anything else
        elif bad.any():
            adds = np.clip(_adds(centre, counts, bad, state, targets), 0.0, None)
            adds = np.minimum(adds, np.maximum(cap - state.on_phone, 0.0))
            if not adds.any():
                raise_infeasible(centre, bad)
            state.on_phone += adds
            added = int(adds.sum())
        elif spec.remove:
            parity = len(state.rounds) % 2
            take = _removals(centre, counts, state, targets, first, parity)
            if not take.any():
                take = _removals(centre, counts, state, targets, first, 1 - parity)
            state.on_phone -= take
            state.pending = take
            removed = int(take.sum())
            state.converged = not removed
        else:
            state.converged = True
        state.rounds.append(
            Round(
                len(state.rounds) + 1,
                int(bad.sum()),
                added,
                removed,
                int(restore.sum()),
                simulated_h,
            )
        )
        log.info(
            "staffing round %d: %d channel-intervals below target; +%d, -%d agent-intervals, "
            "%d removals undone",
            len(state.rounds),
            int(bad.sum()),
            added,
            removed,
            int(restore.sum()),
        )
        if on_round:
            on_round(state)
    if state.pending.any():  # the last removals were never confirmed by a round: put back
        state.on_phone += state.pending
        state.pending = np.zeros_like(state.pending)
    staffed = with_staffing(centre, state.on_phone)
    return StaffingSearch(
        centre,
        staffed,
        start,
        state.on_phone.copy(),
        np.stack([p.agents_scheduled for p in staffed.pools]),
        tuple(state.rounds),
        state.converged and not bad.any(),
        bad,
    )


def raise_infeasible(centre: Centre, bad: np.ndarray) -> None:
    """Every pool that could help is at the cap and a target still fails."""
    from ccsim.errors import ConfigError

    c, k = (int(x[0]) for x in np.nonzero(bad))
    ch = centre.channels[c]
    raise ConfigError(
        f"centre.channels.{ch.name}.target_service_level",
        ch.target_service_level,
        f"cannot be met in interval {k} even with far more agents than Erlang asks for "
        "(check waiting_room, patience and the target time)",
    )
