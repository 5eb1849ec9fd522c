"""Hydra config schemas: dataclasses registered in the ConfigStore.

The YAML presets in ``ccsim/conf`` are type-checked against these schemas when Hydra composes
them. They describe the *raw* configuration only; :mod:`ccsim.config` validates it and turns
it into typed model objects, so model code never reads a ``DictConfig``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from hydra.core.config_store import ConfigStore

from ccsim.config.planning_schema import (
    CostsConf,
    PlanningConf,
    ScheduleConf,
    StaffSearchConf,
    TargetsConf,
)
from ccsim.config.roster_schema import RosterActivitiesConf

__all__ = [
    "DistributionConf",
    "ArrivalsConf",
    "ScenarioConf",
    "ChannelConf",
    "IntentConf",
    "PoolConf",
    "BehaviourConf",
    "CentreConf",
    "RunConf",
    "StrategyConf",
    "CostsConf",
    "TargetsConf",
    "StaffSearchConf",
    "ScheduleConf",
    "PlanningConf",
    "CCSimConf",
    "register_configs",
]


# name -> {name: number} tables (skills, switch shares). Not Dict[str, Dict[str, float]]:
# OmegaConf 2.3 refuses an integer there ("Value 1 (int) is incompatible with type hint
# 'float'") though it takes one in a flat Dict[str, float]. The numbers are checked, under
# their full key, where the config becomes typed objects (config/pools.py, behaviour.py,
# strategies.py).
NumberTable = Dict[str, Dict[str, Any]]


@dataclass
class DistributionConf:
    """A duration distribution in seconds; each dist's keys: README.md, "Duration distributions".

    ``dist``: exponential | lognormal | gamma | deterministic | empirical | uniform |
    hyperexponential | none ("never"). Keys the ``dist`` does not use are not read: an error
    when the user set them (``config.user_keys``), not when a preset did; those after
    ``weights`` are left out of the recorded config while null (``config.recorded``).
    """

    dist: str = "exponential"
    mean_s: Optional[float] = None
    cv: Optional[float] = None
    values_s: Optional[List[float]] = None
    weights: Optional[List[float]] = None
    low_s: Optional[float] = None
    high_s: Optional[float] = None
    probabilities: Optional[List[float]] = None
    means_s: Optional[List[float]] = None


@dataclass
class ArrivalsConf:
    """The process new contacts arrive by: ``poisson`` (default), or a renewal process on the
    clock of the cumulative rate, ``deterministic``, ``erlang`` (``k`` phases) or
    ``hyperexponential`` (``cv`` > 1) (README.md, "Arrival processes")."""

    process: str = "poisson"
    k: Optional[int] = None
    cv: Optional[float] = None


@dataclass
class ScenarioConf:
    """One channel, one agent group: the single-queue model.

    Arrivals: either a stationary ``arrival_rate_per_h`` or an ``arrival_profile_per_h`` with one
    rate (contacts per hour) per interval. Staffing: either a constant ``agents`` or
    ``agents_per_interval`` (scheduled heads; ``shrinkage`` removes a share of them).
    ``waiting_room``: null = unlimited queue, 0 = pure loss system (Erlang B).
    ``at_close``: the end of the horizon, ``stop``, ``serve_out`` or ``clear`` (docs/outputs.md).
    """

    name: str = "custom"
    description: str = ""
    channel: str = "voice"
    horizon_h: float = 8.0
    clock_start_h: float = 0.0  # clock time at the start of the horizon; labels only
    interval_min: int = 30
    arrival_rate_per_h: Optional[float] = None
    arrival_profile_per_h: Optional[List[float]] = None
    arrivals: ArrivalsConf = field(default_factory=ArrivalsConf)
    agents: Optional[int] = None
    agents_per_interval: Optional[List[int]] = None
    shrinkage: float = 0.0
    handle_time: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="exponential", mean_s=300.0)
    )
    patience: DistributionConf = field(default_factory=lambda: DistributionConf(dist="none"))
    waiting_room: Optional[int] = None
    target_answer_s: float = 20.0
    target_service_level: float = 0.8
    at_close: str = "stop"


@dataclass
class ChannelConf:
    """One channel of a multichannel centre.

    ``mode``: sync (voice, chat: live, customers abandon after ``patience``) or async (email,
    messaging: a backlog; ``patience`` is the customer's tolerance before chasing on the
    behaviour's ``chaser_channel``). ``concurrency``: contacts one agent handles at once;
    ``concurrency_factors[k-1]``: handle-time multiplier for an agent's k-th simultaneous contact.
    ``service``: ``fixed`` (a contact's duration is its handle time x the factor of the slot it
    starts in) or ``processor_sharing`` (its handle time is work, done at rate
    1/``concurrency_factors[n-1]`` while its agent holds n contacts).
    Volume: ``daily_volume`` new contacts on an average day, shaped by ``intraday_profile``
    (weights per interval of the day, or per hour: 24 values) and ``day_of_week`` (7 factors,
    Monday first); or from the centre's ``forecast_csv``; ``arrivals``: :class:`ArrivalsConf`.
    Target: answered within ``target_answer_s`` (sync) or responded within
    ``target_response_h`` (async) for ``target_service_level`` of contacts.
    """

    mode: str = "sync"
    concurrency: int = 1
    concurrency_factors: Optional[List[float]] = None
    service: str = "fixed"
    handle_time: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="exponential", mean_s=300.0)
    )
    patience: DistributionConf = field(default_factory=lambda: DistributionConf(dist="none"))
    waiting_room: Optional[int] = None
    daily_volume: float = 0.0
    intraday_profile: Optional[List[float]] = None
    day_of_week: Optional[List[float]] = None
    arrivals: ArrivalsConf = field(default_factory=ArrivalsConf)
    target_answer_s: float = 20.0
    target_response_h: float = 24.0
    target_service_level: float = 0.8
    priority: int = 0


@dataclass
class IntentConf:
    """Why customers contact: ``share`` of each channel's volume (channel -> share; a channel's
    shares are normalised), handle-time multiplier, first-contact resolution, priority."""

    share: Dict[str, float] = field(default_factory=dict)
    handle_factor: float = 1.0
    fcr: float = 1.0
    priority: int = 0


@dataclass
class PoolConf:
    """Agents with the same skills.

    ``skills``: channel -> {intent: proficiency (handle-time factor)}; intent ``"*"`` means all.
    ``secondary``: skills used only for contacts that waited ``behaviour.overflow_s``.
    ``deferred``: work taken only in troughs, when no other contact of the pool waits and at least
    ``deferred_min_idle`` other agents of the pool stay idle (the workload-shifting strategy).
    Staffing: ``agents`` (constant), ``agents_per_interval`` (one value per interval of a day,
    repeated daily, or one per interval of the horizon), or ``shifts`` (items ``{start: "HH:MM",
    length_h, count, breaks: ["12:00+30"], days: [0..6]}``), or rows of the centre's
    ``roster_csv``. ``shrinkage``: share of scheduled time not on the phone.
    """

    skills: NumberTable = field(default_factory=dict)
    secondary: NumberTable = field(default_factory=dict)
    deferred: NumberTable = field(default_factory=dict)
    deferred_min_idle: int = 1
    agents: Optional[int] = None
    agents_per_interval: Optional[List[int]] = None
    shifts: Optional[List[Any]] = None
    shrinkage: float = 0.0


@dataclass
class BehaviourConf:
    """What customers do next. Switch matrices: from channel -> {to channel: share}; a channel
    with no row stays on itself. ``retry_patience``: ``redraw`` or ``original``."""

    retry_prob: Dict[str, float] = field(default_factory=dict)
    retry_delay: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="exponential", mean_s=600.0)
    )
    retry_switch: NumberTable = field(default_factory=dict)
    repeat_delay: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="exponential", mean_s=86400.0)
    )
    repeat_switch: NumberTable = field(default_factory=dict)
    chaser_channel: Optional[str] = None
    overflow_s: float = 60.0
    retry_patience: str = "redraw"


@dataclass
class CentreConf:
    """A multichannel contact centre over days to weeks.

    ``start``: the horizon's first instant, ``YYYY-MM-DD HH:MM`` (sets weekdays and clock
    labels). ``forecast_csv`` / ``roster_csv``: planners' files, CSV or Excel
    (docs/input_files.md; ``*_sheet``, ``*_columns``, ``*_header_row`` say how to read them); the
    forecast replaces the channels' daily volumes and profiles, the roster the pools' staffing.
    ``day_volume_cv``: over-dispersion, the coefficient of variation of a gamma day multiplier.
    ``at_close``: the end of the horizon, ``stop``, ``serve_out`` or ``clear`` (docs/outputs.md).
    """

    name: str = "centre"
    description: str = ""
    start: str = "2026-01-05 00:00"
    horizon_days: float = 7.0
    interval_min: int = 30
    channels: Dict[str, ChannelConf] = field(default_factory=dict)
    intents: Dict[str, IntentConf] = field(default_factory=dict)
    pools: Dict[str, PoolConf] = field(default_factory=dict)
    behaviour: BehaviourConf = field(default_factory=BehaviourConf)
    forecast_csv: Optional[str] = None
    roster_csv: Optional[str] = None
    # Either file may be an Excel workbook (.xlsx, .xlsm) and use its own column names
    # (docs/input_files.md): the worksheet (a name or a position from 1; null: the first),
    # ccsim's column -> the file's header, the header's line or row (null: the first one).
    forecast_sheet: Any = None
    forecast_columns: Dict[str, str] = field(default_factory=dict)
    forecast_header_row: Optional[int] = None
    roster_sheet: Any = None
    roster_columns: Dict[str, str] = field(default_factory=dict)
    roster_header_row: Optional[int] = None
    # roster_csv's layout: shifts (one row per shift) or segments (a WFM export's activity
    # segments, one row per agent and segment; its teams mapped to pools, null: left out).
    roster_format: str = "shifts"
    roster_teams: Dict[str, Optional[str]] = field(default_factory=dict)
    roster_activities: RosterActivitiesConf = field(default_factory=RosterActivitiesConf)
    day_volume_cv: float = 0.0
    routing: str = "skills_priority"  # or "fifo", or package.module:Class (a ccsim.Router)
    at_close: str = "stop"
    # Demand events (outages, surges): items {name, start: "YYYY-MM-DD HH:MM", duration_h,
    # magnitude, decay_h, channels, intents}. During the event the arrival rate of the chosen
    # channels and intents (default: all) is multiplied by 1 + magnitude * exp(-t / decay_h),
    # t = time since the start (decay_h 0: a constant 1 + magnitude).
    events: List[Any] = field(default_factory=list)


@dataclass
class ChatbotConf:
    """Self-service in front of ``channels`` (and ``intents``; null: all). ``containment``:
    intent (or "*") -> probability a bot session resolves the contact. Escalations keep context
    with probability ``context_share`` (handle time x ``context_handle_factor``), otherwise the
    customer repeats the story (x ``no_context_handle_factor``). ``switch``: from channel ->
    {to channel: share of failed sessions whose customer moves there}; the rest are escalated on
    the same channel. ``capacity``: simultaneous sessions (null: unlimited; when full, contacts
    go straight to agents)."""

    channels: List[str] = field(default_factory=list)
    intents: Optional[List[str]] = None
    containment: Any = field(default_factory=dict)  # a number (every intent) or a mapping
    session_time: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="lognormal", mean_s=180.0, cv=1.0)
    )
    context_share: float = 0.0
    context_handle_factor: float = 0.9
    no_context_handle_factor: float = 1.2
    switch: NumberTable = field(default_factory=dict)
    capacity: Optional[int] = None


@dataclass
class OutreachConf:
    """A proactive campaign for the demand event named ``event`` (``centre.events``).

    Notices go out ``lead_time_min`` after the event starts (negative: before) to ``reach`` of
    the affected customers; ``prevention`` of those notified then do not contact. ``via``: sms,
    email or push (no agent time) or call (outbound calls by ``call_pool``, connected with
    probability ``contact_rate``, a connected call lasting ``call_handle_time``, a failed attempt
    ``attempt_s``; a customer is notified only if their call connects before they would have
    contacted). ``audience``: customers affected (null: the contacts the event brings).
    ``replies_per_notified`` contacts per notified customer arrive on ``reply_channel`` after
    ``reply_delay``."""

    event: str = ""
    reach: float = 0.8
    lead_time_min: float = 0.0
    prevention: float = 0.5
    via: str = "sms"
    audience: Optional[float] = None
    replies_per_notified: float = 0.0
    reply_channel: Optional[str] = None
    reply_intent: Optional[str] = None
    reply_delay: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="exponential", mean_s=1800.0)
    )
    call_pool: Optional[str] = None
    contact_rate: float = 0.6
    call_handle_time: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="lognormal", mean_s=120.0, cv=0.5)
    )
    attempt_s: float = 30.0


@dataclass
class ContextConf:
    """Omnichannel context: ``share`` of escalations and channel switches arrive with the
    customer's history (handle time x ``handle_factor``; chance of a repeat x ``repeat_factor``)."""

    share: float = 0.8
    handle_factor: float = 0.85
    repeat_factor: float = 0.7


@dataclass
class FcrConf:
    """First-contact resolution improvement: intent (or "*") -> points added to its FCR."""

    improvement: Dict[str, float] = field(default_factory=dict)


@dataclass
class CallbacksConf:
    """Virtual hold on ``channels``: offered when the expected wait exceeds ``threshold_s``,
    accepted with probability ``acceptance``; worked after live contacts when at least
    ``min_idle_agents`` other agents stay idle, or first of all after ``deadline_min``."""

    channels: List[str] = field(default_factory=lambda: ["voice"])
    threshold_s: float = 120.0
    acceptance: float = 0.6
    min_idle_agents: int = 1
    deadline_min: float = 60.0


@dataclass
class WorkloadShiftingConf:
    """Async work deferred to troughs: agents of ``pools`` blend to ``channels`` (async) when no
    contact of their own waits and at least ``min_idle_agents`` colleagues stay idle (a reserve
    for the live queues); those channels drop below every other in priority."""

    channels: List[str] = field(default_factory=list)
    pools: List[str] = field(default_factory=list)
    proficiency: float = 1.0
    min_idle_agents: int = 1


@dataclass
class StaffingConf:
    """More capacity: ``add_agents`` (pool -> agents added in every interval the pool is
    staffed) and ``shifts`` (pool -> extra shift items, as in ``pools.*.shifts``)."""

    add_agents: Dict[str, int] = field(default_factory=dict)
    shifts: Dict[str, List[Any]] = field(default_factory=dict)


@dataclass
class CrossTrainingConf:
    """Cross-training: ``skills`` (pool -> {channel: {intent or "*": proficiency}}) become
    primary skills of the pool (replacing a secondary skill for the same channel and intent)."""

    skills: Dict[str, NumberTable] = field(default_factory=dict)


@dataclass
class StrategyConf:
    """The strategies of a run (the ``strategy`` config group; several compose:
    ``strategy=[chatbot,callbacks]``). Each is off when null."""

    chatbot: Optional[ChatbotConf] = None
    outreach: Optional[OutreachConf] = None
    context: Optional[ContextConf] = None
    fcr: Optional[FcrConf] = None
    callbacks: Optional[CallbacksConf] = None
    workload_shifting: Optional[WorkloadShiftingConf] = None
    staffing: Optional[StaffingConf] = None
    cross_training: Optional[CrossTrainingConf] = None


@dataclass
class RunConf:
    """How to run a scenario: seeds, replications, parallelism, warm-up, outputs."""

    seed: int = 12345
    replications: int = 1
    n_jobs: int = 1
    warmup_min: float = 0.0
    plots: bool = True
    heat_map: bool = True  # the day x time-of-day map of the demand delta (multi-day runs)
    occupancy_ceiling: float = 0.9  # the report warns of pool-intervals above it


@dataclass
class CCSimConf:
    """Exactly one of ``scenario`` (a single queue) and ``centre`` (multichannel) is set."""

    scenario: Optional[ScenarioConf] = None
    centre: Optional[CentreConf] = None
    strategy: StrategyConf = field(default_factory=StrategyConf)
    run: RunConf = field(default_factory=RunConf)
    costs: CostsConf = field(default_factory=CostsConf)
    planning: PlanningConf = field(default_factory=PlanningConf)
    # run: simulate and report; staff: simulation-based staffing; schedule: staffing, then the
    # cheapest roster of shift types; plan: the cheapest combination of levers (docs/planning.md)
    mode: str = "run"


def register_configs() -> None:
    """Register the schemas so YAML presets can extend and be checked against them."""
    cs = ConfigStore.instance()
    cs.store(name="ccsim_schema", node=CCSimConf)
