"""Closed-form values for a scenario, to put beside the simulated ones.

They apply to a stationary single queue: constant arrival rate and agents. Erlang B for a loss
system (``waiting_room: 0``), Erlang C without abandonment, Erlang A with exponential patience,
and their finite-room versions M/M/c/K and M/M/c/K+M (``waiting_room`` > 0). With
non-exponential handle or patience times the formulas are labelled approximations (Erlang B
excepted: it is insensitive to the handle-time distribution). With renewal arrivals
(``scenario.arrivals`` not Poisson) and neither abandonment nor a finite room, GI/M/c
(:mod:`ccsim.analysis.gi_m_c`) gives the measures an arrival sees; otherwise the Markovian
formulas above are shown as approximations. Non-exponential patience with an infinite room and
Poisson arrivals: M/M/c+G (:mod:`ccsim.analysis.erlang_g`).

Each value is defined as the simulated metric of the same name (docs/outputs.md): shares over
all arrivals where the metric counts blocked contacts as misses, waits over admitted contacts.
"""

from __future__ import annotations

import math
from typing import Any

from ccsim.analysis.erlang_g import mmcg_metrics
from ccsim.analysis.finite_queue import MAX_STATES, FiniteQueueResult, mmck_m_metrics
from ccsim.analysis.gi_m_c import gi_m_c_metrics
from ccsim.model.arrival_process import ERLANG, HYPEREXPONENTIAL, ArrivalProcess
from ccsim.model.distributions import Exponential
from ccsim.model.scenario import Scenario

__all__ = ["erlang_reference"]


def _model(room: int | None, patient: bool) -> str:
    if room == 0:
        return "Erlang B (M/M/c/c)"
    if room is None:
        return "Erlang C (M/M/c)" if patient else "Erlang A (M/M/c+M)"
    return f"M/M/c/K (K = c + {room})" if patient else f"M/M/c/K+M (K = c + {room})"


def _values(r: FiniteQueueResult, aht_s: float, room: int | None) -> dict[str, float]:
    if room == 0:
        # A loss system has no queue: only blocking, occupancy and the number in service.
        return {
            "blocking_rate": r.p_block,
            "occupancy": r.occupancy,
            "mean_in_system": r.mean_in_system,
        }
    admitted = 1.0 - r.p_block
    values = {
        "abandon_rate": r.p_abandon,
        "p_wait": r.p_wait,
        "mean_wait_s": r.mean_wait_s,
        "asa_s": r.mean_wait_answered_s,
        "sl_answered_within_t": r.sl_answered_within_t,
        # The simulated shares over decided contacts count blocked ones as misses.
        "sl_wait_le_t": admitted * r.sl_wait_le_t,
        "occupancy": r.occupancy,
        "mean_in_queue": r.mean_queue,
        "mean_in_system": r.mean_in_system,
        "virtual_wait_s": r.mean_virtual_wait_s,
        "sl_virtual_wait_le_t": admitted * r.virtual_wait_le_t,
    }
    if room is not None:
        values["blocking_rate"] = r.p_block
    return values


def _gi_m_c(
    rate: float, aht_s: float, c: int, arrivals: ArrivalProcess, target_s: float
) -> tuple[str, dict[str, float]]:
    """GI/M/c's name and values. Only what an arrival sees, and what follows from it by
    Little's law: no time-average virtual wait (arrivals do not see time averages)."""
    r = gi_m_c_metrics(rate, aht_s, c, arrivals, target_s)
    if arrivals.process == ERLANG:
        name = f"E{arrivals.k}/M/c"
    elif arrivals.process == HYPEREXPONENTIAL:
        name = f"H2/M/c (inter-arrival cv {arrivals.cv:g})"
    else:
        name = "D/M/c"
    values = {
        "abandon_rate": 0.0,
        "p_wait": r.p_wait,
        "mean_wait_s": r.mean_wait_s,
        "asa_s": r.mean_wait_s,
        "sl_answered_within_t": r.service_level,
        "sl_wait_le_t": r.service_level,
        "occupancy": r.occupancy,
        "mean_in_queue": r.mean_queue,
        "mean_in_system": r.mean_queue + rate * aht_s,
    }
    return name, values


def erlang_reference(scenario: Scenario) -> dict[str, Any] | None:
    """``{"model", "exact", "values": {metric: value}}`` or None when no formula applies."""
    if not scenario.is_stationary:
        return None
    rate = float(scenario.arrival_rate_per_s[0])
    aht = scenario.handle_time.mean_s
    c = int(scenario.agents_on_phone[0])
    room = scenario.waiting_room
    patience = scenario.patience
    patient = patience is None
    if room is not None and c + room >= MAX_STATES:
        # Too many states for the finite queue's solver (waiting_room up to 2**31 - 1 is
        # allowed): a room this large never fills in a stable queue, so the unlimited
        # queue's figures are its own; without a steady state there is no reference.
        room = None
    if room is None and patient and rate * aht >= c:
        return None  # no steady state: the queue grows without bound
    exact = isinstance(scenario.handle_time, Exponential) or room == 0
    if not patient and room != 0:
        exact = exact and isinstance(patience, Exponential)
    if not scenario.arrivals.is_poisson:
        if room is None and patient:
            name, values = _gi_m_c(rate, aht, c, scenario.arrivals, scenario.target_answer_s)
            return {"model": name, "exact": exact, "values": values}
        exact = False  # Erlang B's insensitivity is to handle times, not to arrivals
    if (
        patience is not None
        and not isinstance(patience, Exponential)
        and room is None
        and scenario.arrivals.is_poisson
    ):
        g = mmcg_metrics(rate, aht, c, patience, scenario.target_answer_s)
        values = {
            "abandon_rate": g.p_abandon,
            "p_wait": g.p_wait,
            "mean_wait_s": g.mean_wait_s,
            "sl_answered_within_t": g.sl_answered_within_t,
            "occupancy": g.occupancy,
        }
        exact = isinstance(scenario.handle_time, Exponential)
        return {"model": f"M/M/c+G ({patience.name} patience)", "exact": exact, "values": values}
    # A loss system has nobody waiting: patience plays no part in it.
    patience_s = math.inf if patience is None or room == 0 else patience.mean_s
    r = mmck_m_metrics(rate, aht, c, room, patience_s, scenario.target_answer_s)
    return {"model": _model(room, patient), "exact": exact, "values": _values(r, aht, room)}
