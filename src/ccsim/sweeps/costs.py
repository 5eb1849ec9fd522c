"""Money in a comparison: each strategy job's cost effects against its baseline, paired by
replication (common random numbers), as :mod:`ccsim.sweeps.pairing` pairs the other metrics.

* the change in each part of the cost (``cost_agents`` ... ``cost_penalties``) and in
  ``cost_total`` (the **net** effect), each with its paired 95% interval;
* ``lever_cost``: the change in what the levers cost (agents, overtime, bot, notices, calls,
  fixed), per replication ``cost_total - cost_penalties``, paired;
* ``saving``: the penalties the change saves (minus the change in ``cost_penalties``), paired;
  net = lever cost - saving;
* ``agent_h_closed``: agent-hours of demand delta closed (minus the change in
  ``positive_demand_delta_h``), paired;
* ``cost_per_agent_h_closed``: net / agent-hours closed, a ratio of the two mean effects (no
  interval; NaN when the delta did not shrink).

Jobs written before ccsim priced its runs have no cost keys: they get no money effects, and the
comparison leaves its money sections out.
"""

from __future__ import annotations

import math

from ccsim.analysis.costs import COST_PART_KEYS
from ccsim.analysis.effects import Effect, paired_effect
from ccsim.sweeps.collect import Job

__all__ = ["MONEY_METRICS", "LEVER_PARTS", "has_costs", "currencies", "money_effects"]

LEVER_PARTS = tuple(k for k in COST_PART_KEYS if k != "cost_penalties")
MONEY_METRICS = (
    *COST_PART_KEYS,
    "cost_total",
    "lever_cost",
    "saving",
    "cost_per_contact_handled",
    "agent_h_closed",
    "cost_per_agent_h_closed",
)
NAN = float("nan")


def has_costs(job: Job) -> bool:
    """Whether the job's results carry costs (ccsim versions that price runs)."""
    return bool(job.replication_values("cost_total"))


def currencies(jobs: list[Job]) -> str:
    """The currency of the jobs' costs (several joined by ``/`` if they differ)."""
    found = sorted({j.currency for j in jobs if j.currency})
    return "/".join(found) if found else "?"


def _combined(job: Job, keys: tuple[str, ...], sign: float = 1.0) -> dict[int, float]:
    """Per replication: ``sign`` x the sum of ``keys`` (NaN where one is missing)."""
    per_key = [job.replication_values(k) for k in keys]
    reps = set().union(*per_key)
    return {r: sign * sum(v.get(r, NAN) for v in per_key) for r in sorted(reps)}


def _negated(e: Effect) -> Effect:
    return Effect(-e.mean, -e.ci_high, -e.ci_low, e.n, e.independent_half_width)


def money_effects(a: Job, b: Job) -> dict[str, Effect]:
    """The :data:`MONEY_METRICS` effects of ``a`` over ``b`` (paired by replication); empty when
    either job has no costs."""
    if not (has_costs(a) and has_costs(b)):
        return {}
    out = {
        k: paired_effect(a.replication_values(k), b.replication_values(k))
        for k in (*COST_PART_KEYS, "cost_total")
    }
    out["lever_cost"] = paired_effect(_combined(a, LEVER_PARTS), _combined(b, LEVER_PARTS))
    out["saving"] = _negated(out["cost_penalties"])
    out["cost_per_contact_handled"] = paired_effect(
        a.replication_values("cost_per_contact_handled"),
        b.replication_values("cost_per_contact_handled"),
    )
    delta = paired_effect(
        a.replication_values("positive_demand_delta_h"),
        b.replication_values("positive_demand_delta_h"),
    )
    closed = _negated(delta)
    out["agent_h_closed"] = closed
    net = out["cost_total"].mean
    ratio = net / closed.mean if closed.mean > 0 and not math.isnan(net) else NAN
    out["cost_per_agent_h_closed"] = Effect(ratio, NAN, NAN, closed.n)
    assert tuple(out) == MONEY_METRICS
    return out
