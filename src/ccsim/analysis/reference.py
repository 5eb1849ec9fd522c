"""Closed-form Erlang values for a scenario, to put beside the simulated ones.

They apply to a stationary single queue: constant arrival rate and agents. Erlang B for a loss
system (``waiting_room: 0``), Erlang C without abandonment, Erlang A with exponential patience.
With non-exponential handle or patience times the formulas are labelled approximations.
"""

from __future__ import annotations

from typing import Any

from ccsim.analysis.erlang import erlang_b, erlang_c_metrics
from ccsim.analysis.erlang_a import erlang_a_metrics
from ccsim.model.distributions import Exponential
from ccsim.model.scenario import Scenario

__all__ = ["erlang_reference"]


def erlang_reference(scenario: Scenario) -> dict[str, Any] | None:
    """``{"model", "exact", "values": {metric: value}}`` or None when no formula applies."""
    if not scenario.is_stationary or scenario.waiting_room not in (None, 0):
        return None
    rate = float(scenario.arrival_rate_per_s[0])
    aht = scenario.handle_time.mean_s
    c = int(scenario.agents_on_phone[0])
    t = scenario.target_answer_s
    load = rate * aht
    exact = isinstance(scenario.handle_time, Exponential)
    if scenario.waiting_room == 0:
        b = erlang_b(load, c)
        # Erlang B holds for any handle-time distribution (insensitivity).
        return {
            "model": "Erlang B (M/M/c/c)",
            "exact": True,
            "values": {"blocking_rate": b, "occupancy": (1.0 - b) * load / c},
        }
    if scenario.patience is None:
        if load >= c:
            return None  # no steady state: the queue grows without bound
        r = erlang_c_metrics(rate, aht, c, t)
        return {
            "model": "Erlang C (M/M/c)",
            "exact": exact,
            "values": {
                "p_wait": r.p_wait,
                "asa_s": r.mean_wait_s,
                "mean_wait_s": r.mean_wait_s,
                "sl_answered_within_t": r.service_level,
                "sl_wait_le_t": r.service_level,
                "occupancy": r.occupancy,
                "abandon_rate": 0.0,
            },
        }
    exact = exact and isinstance(scenario.patience, Exponential)
    a = erlang_a_metrics(rate, aht, c, scenario.patience.mean_s, t)
    return {
        "model": "Erlang A (M/M/c+M)",
        "exact": exact,
        "values": {
            "abandon_rate": a.p_abandon,
            "p_wait": a.p_wait,
            "mean_wait_s": a.mean_wait_s,
            "asa_s": a.mean_wait_answered_s,
            "sl_answered_within_t": a.sl_answered_within_t,
            "sl_wait_le_t": a.sl_wait_le_t,
            "occupancy": a.occupancy,
        },
    }
