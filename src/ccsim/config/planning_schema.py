"""Hydra config schemas of money and planning: ``costs`` and ``planning`` (re-exported by
:mod:`ccsim.config.schema`, which composes them into the whole config)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

__all__ = ["CostsConf", "TargetsConf", "StaffSearchConf", "ScheduleConf", "PlanningConf"]


@dataclass
class CostsConf:
    """Money, in ``currency`` (docs/costs.md: each default is an assumption with its public
    source, to replace with the planner's own prices). ``agent_hour``: pool (or ``"*"``: every
    other pool) -> cost per paid agent-hour (scheduled time, shrinkage paid; US median CSR wage,
    BLS OEWS, plus benefits, BLS ECEC). ``overtime_premium``: hours added by the ``staffing``
    strategy are paid at ``1 + overtime_premium`` times the rate (FLSA time and a half).
    ``bot_session`` per chatbot session, ``bot_resolution`` per contained contact. ``notice``:
    via (sms, email, push) -> cost per outreach notice sent. ``outbound_call_min``: telephony per
    outbound-call minute (the agents' time is in their hourly cost). ``strategy_fixed_per_week``:
    strategy -> fixed cost per week while switched on (licences, set-up), prorated to the horizon.
    ``abandon_penalty`` per abandoned (or blocked, or cleared) contact and
    ``late_async_penalty`` per async contact answered after its target (or still waiting past
    it): planner-set (default 0)."""

    currency: str = "USD"
    agent_hour: Dict[str, float] = field(default_factory=lambda: {"*": 27.0})
    overtime_premium: float = 0.5
    bot_session: float = 0.0
    bot_resolution: float = 0.99
    notice: Dict[str, float] = field(
        default_factory=lambda: {"sms": 0.0083, "email": 0.0001, "push": 0.0}
    )
    outbound_call_min: float = 0.014
    strategy_fixed_per_week: Dict[str, float] = field(default_factory=dict)
    abandon_penalty: float = 0.0
    late_async_penalty: float = 0.0


@dataclass
class TargetsConf:
    """What a staffing plan must meet, per channel, besides each channel's service-level target
    (``target_service_level`` within ``target_answer_s`` / ``target_response_h``):
    ``max_abandon_rate``: channel -> highest share of its contacts abandoned (optional).
    ``confidence``: the probability with which a plan must meet them (one-sided, over
    replications)."""

    # Any and None, not Dict[str, float] = {}: a struct dict refuses new names, so the CLI could
    # not set planning.targets.max_abandon_rate={voice: 0.05}
    max_abandon_rate: Any = None
    confidence: float = 0.9
    async_period: str = "day"  # async channels meet their target per day (or per interval)


@dataclass
class StaffSearchConf:
    """Simulation-based staffing (``mode=staff``): start from Erlang A per interval, then
    simulate ``replications`` replications with common random numbers and add (or remove) agents
    interval by interval in time order until every target holds, for at most ``max_iterations``
    rounds. ``check_replications`` replications on seed ``run.seed + 1`` then check the plan."""

    replications: int = 8
    check_replications: int = 8
    max_iterations: int = 150
    remove: bool = True  # also try taking agents away where a target holds with room to spare


@dataclass
class ScheduleConf:
    """Shift scheduling (``mode=schedule``): the cheapest roster that covers a requirement per
    pool and interval with the allowed ``shift_types`` (items ``{name, pools (default: all),
    starts: ["07:00", ...] or start_window: ["07:00", "12:00"] with step_min (default: the
    interval), length_h, breaks: [{after_h, length_min}] (unpaid, from the shift start), days:
    [0..6] (default: all), cost_per_h (default: the pool's agent_hour), max_count (per pool,
    start and day)}``). Uncovered agent-hours cost ``shortfall_cost_per_agent_h`` each (partial
    coverage); the solver (HiGHS) stops after ``time_limit_s`` (docs/planning.md)."""

    shift_types: List[Any] = field(default_factory=list)
    requirement: str = "simulated"  # simulated | erlang_a | erlang_c
    shortfall_cost_per_agent_h: float = 1000.0
    time_limit_s: float = 60.0


@dataclass
class PlanningConf:
    """Targets and settings of the planning modes (``mode=staff|schedule|plan``); ``levers``:
    candidate levers for the cheapest plan (``mode=plan``), name -> ``{strategy: ...,
    values: [...]}`` (docs/planning.md)."""

    targets: TargetsConf = field(default_factory=TargetsConf)
    search: StaffSearchConf = field(default_factory=StaffSearchConf)
    schedule: ScheduleConf = field(default_factory=ScheduleConf)
    levers: Any = None  # Any and None: new names from the CLI (see above)
