"""``mode=staff``: search, check on fresh replications, tighten the channels the check finds
short, until the plan holds; resumable from a checkpoint written after every round.

A search tunes the staffing to the customers of its own seed; on other customers some
intervals that just passed fall short. So the plan is checked on the next seed
(:func:`ccsim.planning.check.check_plan`). When a channel misses there, the search goes on from
where it was, at most ``MAX_CHECKS`` times, with

* the check's replications added to its own (a sample-average approximation that grows: rare
  bad weeks, such as an email backlog that tips over on a heavy Monday, are then in the
  sample the search must satisfy), and
* a higher target for that channel (its margin grows by the shortfall of its confidence bound,
  at least one point: the search's removals keep intervals that pass only just, and on other
  customers about half of them fall short);

and the next check is on a seed the search has not seen.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ccsim.analysis.demand_delta import Plan, plan_for, required_on_phone
from ccsim.model.centre import Centre
from ccsim.model.planning import SearchSpec, StaffingTargets
from ccsim.planning.check import ChannelCheck, check_plan
from ccsim.planning.staffing import (
    Round,
    SearchState,
    StaffingSearch,
    new_state,
    search_staffing,
)
from ccsim.planning.start import erlang_start
from ccsim.reports.files import write_json

__all__ = ["MAX_CHECKS", "StaffingPlan", "plan_staffing", "load_checkpoint"]

log = logging.getLogger("ccsim")

MAX_CHECKS = 5
CHECKPOINT_SCHEMA = "ccsim.staffing_search/1"


@dataclass(frozen=True)
class StaffingPlan:
    """A checked plan. ``roster`` and ``plan`` are the centre's own and the plan's per-channel
    view (:class:`~ccsim.analysis.demand_delta.Plan`: scheduled agents allocated to channels,
    Erlang C and A requirements)."""

    search: StaffingSearch
    checks: tuple[ChannelCheck, ...]
    margin: np.ndarray
    seeds: tuple[int, ...]  # the seeds the search simulated
    check_seed: int
    roster: Plan
    plan: Plan

    @property
    def meets_targets(self) -> bool:
        return all(c.meets for c in self.checks)


def _state_json(state: SearchState, digest: str) -> dict[str, Any]:
    return {
        "schema": CHECKPOINT_SCHEMA,
        "digest": digest,
        "on_phone": state.on_phone.astype(int).tolist(),
        "locked": state.locked.astype(int).tolist(),
        "pending": state.pending.astype(int).tolist(),
        "margin": state.margin.tolist(),
        "seeds": state.seeds,
        "rounds": [list(r.__dict__.values()) for r in state.rounds],
        "converged": state.converged,
    }


def load_checkpoint(path: Path, digest: str, centre: Centre) -> SearchState | None:
    """The search saved in ``path`` if it was made for this config and code (``digest``)."""
    try:
        d = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(d, dict) or d.get("schema") != CHECKPOINT_SCHEMA or d.get("digest") != digest:
        return None
    try:
        on_phone = np.array(d["on_phone"], dtype=np.float64)
        if on_phone.shape != (len(centre.pools), centre.n_intervals):
            return None
        return SearchState(
            on_phone,
            np.array(d["locked"], dtype=bool),
            np.array(d["pending"], dtype=bool),
            np.array(d["margin"], dtype=np.float64),
            [int(x) for x in d["seeds"]],
            [Round(*r) for r in d["rounds"]],
            bool(d["converged"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _plan(centre: Centre) -> Plan:
    return plan_for(centre, lambda c, r: required_on_phone(centre, c, r))


def plan_staffing(
    centre: Centre,
    targets: StaffingTargets,
    spec: SearchSpec,
    *,
    seed: int,
    warmup_s: float = 0.0,
    n_jobs: int = 1,
    checkpoint: Path | None = None,
    digest: str = "",
) -> StaffingPlan:
    """Search and check (module docstring); with ``checkpoint``, every round is saved there and
    a saved search of the same ``digest`` is taken up where it stopped."""
    state = load_checkpoint(checkpoint, digest, centre) if checkpoint else None
    if state is not None:
        log.info("staffing search resumed at round %d from %s", len(state.rounds), checkpoint)
    else:
        state = new_state(centre, erlang_start(centre), seed)

    def save(s: SearchState) -> None:
        if checkpoint:
            write_json(checkpoint, _state_json(s, digest))

    checks: list[ChannelCheck] = []
    for attempt in range(MAX_CHECKS):
        check_seed = max(state.seeds) + 1
        result = search_staffing(
            centre,
            targets,
            spec,
            seed=seed,
            warmup_s=warmup_s,
            n_jobs=n_jobs,
            state=state,
            on_round=save,
        )
        checks = check_plan(
            result.staffed, targets, spec, seed=check_seed, warmup_s=warmup_s, n_jobs=n_jobs
        )
        short = [c for c, ch in enumerate(checks) if not ch.meets]
        for ch in checks:
            log.info(
                "check %d on seed %d: %s service level %.1f%% (lower bound %.1f%%, target "
                "%.0f%%)%s",
                attempt + 1,
                check_seed,
                ch.channel,
                100 * ch.service_level,
                100 * ch.service_level_bound,
                100 * ch.target,
                "" if ch.meets else ": short",
            )
        if not short or not result.converged or len(state.rounds) >= spec.max_iterations:
            break
        for c in short:
            shortfall = checks[c].target - checks[c].service_level_bound
            state.margin[c] += max(0.01, float(shortfall) if shortfall == shortfall else 0.01)
        state.seeds.append(check_seed)
        state.converged = False
        save(state)
    return StaffingPlan(
        result,
        tuple(checks),
        state.margin.copy(),
        tuple(state.seeds),
        check_seed,
        _plan(centre),
        _plan(result.staffed),
    )
