"""The typed contact-centre model that the engine runs: channels, intents, pools, behaviour.

Built at the config boundary (see :mod:`ccsim.config.scenario` for the single-queue form); model
code reads only these frozen objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.model.arrival_process import POISSON_ARRIVALS, ArrivalProcess
from ccsim.model.costs import CostSpec
from ccsim.model.distributions import Distribution
from ccsim.model.strategies import NO_STRATEGIES, Strategies

__all__ = ["ChannelSpec", "IntentSpec", "SkillSpec", "PoolSpec", "BehaviourSpec", "Centre"]

SYNC, ASYNC = "sync", "async"
# How a channel's concurrent contacts progress (``ChannelSpec.service``).
FIXED, PROCESSOR_SHARING = "fixed", "processor_sharing"
SERVICES = (FIXED, PROCESSOR_SHARING)
# What happens at the close, the end of the horizon (``Centre.at_close``, ccsim.engine.closing):
# the run stops there (contacts waiting or in service are counted as still in the system); or
# arrivals stop and the agents on the phone serve out the queues and the work in hand; or the
# run stops with the contacts still waiting live (sync) cleared.
STOP, SERVE_OUT, CLEAR = "stop", "serve_out", "clear"
AT_CLOSE = (STOP, SERVE_OUT, CLEAR)
# Whether a retry after abandoning draws a fresh patience (``BehaviourSpec.retry_patience``) or
# keeps the one of the contact it retries.
REDRAW, ORIGINAL = "redraw", "original"
RETRY_PATIENCE = (REDRAW, ORIGINAL)


@dataclass(frozen=True)
class ChannelSpec:
    """A contact channel.

    ``sync`` (voice, chat): the customer waits live and abandons after ``patience``.
    ``async`` (email, messaging): a backlog; ``patience`` is the customer's own tolerance, after
    which they chase on the behaviour's chaser channel (the async contact stays in the backlog).
    ``concurrency_factors[k-1]`` multiplies the handle time of a contact that an agent starts as
    their k-th simultaneous one on this channel (all 1.0: handle time independent of load).
    ``service``: ``fixed`` (as above: a contact's duration is set when it starts) or
    ``processor_sharing`` (its handle time is work, done at rate 1/``concurrency_factors[n-1]``
    while its agent holds n contacts: every start or end on the agent changes the pace of the
    agent's other contacts; the same as ``fixed`` at concurrency 1).
    ``target_s``: service-level target (answer within, for sync; respond within, for async).
    ``arrivals``: the shape of the channel's new arrivals in time (Poisson, or a renewal
    process on the clock of the cumulative rate: :mod:`ccsim.model.arrival_process`).
    """

    name: str
    mode: str
    concurrency: int
    handle_time: Distribution
    concurrency_factors: tuple[float, ...]
    patience: Distribution | None
    waiting_room: int | None
    target_s: float
    target_service_level: float
    priority: int = 0
    service: str = FIXED
    arrivals: ArrivalProcess = POISSON_ARRIVALS


@dataclass(frozen=True)
class IntentSpec:
    """Why the customer contacts. Higher ``priority`` is served first."""

    name: str
    handle_factor: float = 1.0
    fcr: float = 1.0
    priority: int = 0


@dataclass(frozen=True)
class SkillSpec:
    """A pool can handle (channel, intent); ``proficiency`` multiplies handle time. A secondary
    (overflow) skill is used only for contacts that have waited ``BehaviourSpec.overflow_s``; a
    deferred one (workload shifting) only while ``PoolSpec.deferred_min_idle`` other agents of
    the pool stay idle, and below every other skill of the pool."""

    channel: int
    intent: int
    proficiency: float = 1.0
    secondary: bool = False
    deferred: bool = False

    @property
    def primary(self) -> bool:
        return not (self.secondary or self.deferred)


@dataclass(frozen=True)
class PoolSpec:
    """Agents with the same skills. ``agents_on_phone[k]``: productive agents in interval k
    (scheduled less shrinkage); ``agents_scheduled[k]``: heads on the schedule."""

    name: str
    skills: tuple[SkillSpec, ...]
    agents_scheduled: np.ndarray
    agents_on_phone: np.ndarray
    shrinkage: float
    deferred_min_idle: int = 1
    # An activity-segment roster's on-phone heads / scheduled heads per interval (its breaks
    # and meetings fall where the schedule puts them; absence on top); None: 1 - shrinkage in
    # every interval.
    on_phone_share: np.ndarray | None = None

    def on_phone_shares(self) -> np.ndarray:
        """[k]: the share of the scheduled heads on the phone in each interval, what planned
        capacity counts (0 where a segment roster has everyone off the phone)."""
        if self.on_phone_share is None:
            return np.full(self.agents_scheduled.shape, 1.0 - self.shrinkage)
        return self.on_phone_share

    def gross_up_shares(self) -> np.ndarray:
        """[k]: :meth:`on_phone_shares` where positive, else the pool's overall 1 - shrinkage:
        how many heads an agent on the phone takes, also where the schedule has nobody on it."""
        keep = self.on_phone_shares()
        return np.where(keep > 0, keep, 1.0 - self.shrinkage)


@dataclass(frozen=True)
class BehaviourSpec:
    """What customers do next. Matrices are indexed [from channel, to channel], rows sum to 1.

    ``retry_prob[c]``: an abandoner of channel c tries again after ``retry_delay``.
    Unresolved contacts (probability 1 - FCR of the intent) come back after ``repeat_delay``.
    ``chaser_channel``: where async customers chase when their tolerance runs out (None: never).
    ``retry_patience``: ``redraw`` (a retry draws its own patience) or ``original`` (a retry on
    a live channel with abandonment keeps the patience of the contact it retries, so a chain of
    retries keeps the first attempt's: impatient customers stay impatient).
    """

    retry_prob: np.ndarray
    retry_delay: Distribution | None
    retry_switch: np.ndarray
    repeat_delay: Distribution | None
    repeat_switch: np.ndarray
    chaser_channel: int | None
    overflow_s: float
    retry_patience: str = REDRAW


@dataclass(frozen=True)
class Centre:
    """A whole contact centre on a grid of equal intervals.

    ``rate_per_s[c, j, k]``: arrival rate of new customers on channel c with intent j in interval
    k (over-dispersion, if any, is applied per day when arrivals are drawn).
    ``at_close``: what happens at the end of the horizon (:data:`AT_CLOSE`).
    """

    name: str
    description: str
    horizon_s: float
    interval_s: float
    clock_start_h: float
    channels: tuple[ChannelSpec, ...]
    intents: tuple[IntentSpec, ...]
    pools: tuple[PoolSpec, ...]
    behaviour: BehaviourSpec
    rate_per_s: np.ndarray
    day_volume_cv: float = 0.0
    # handle_scale[c, j] multiplies handle times of (channel c, intent j); set from a forecast's
    # aht_s column so the simulated mean matches the planners' AHT. None: all 1.
    handle_scale: np.ndarray | None = None
    # A routing policy class (ccsim.engine.routing); None: the default, skills_priority.
    router: type | None = None
    # Demand events (outages, surges). ``event_rate_per_s[e, c, j, k]``: the part of
    # ``rate_per_s`` that event e adds (its customers are drawn apart, so a campaign can reach
    # them and a run without the event sees the same other customers).
    event_names: tuple[str, ...] = ()
    event_start_s: tuple[float, ...] = ()
    event_rate_per_s: np.ndarray | None = None
    strategies: Strategies = NO_STRATEGIES
    # Prices (ccsim.config.costs); None: the defaults of the ``costs`` config.
    costs: CostSpec | None = None
    at_close: str = STOP

    def handle_factor(self) -> np.ndarray:
        """[c, j]: what multiplies a contact's drawn handle time before the answering pool's
        proficiency and the channel's concurrency: the intent's handle factor times the
        forecast's scale. The one handle-time model: the engine, the callbacks' expected wait
        and the demand delta's workload all start from it."""
        factor = np.array([[it.handle_factor for it in self.intents] for _ in self.channels])
        return factor if self.handle_scale is None else factor * self.handle_scale

    def mean_handle_s(self) -> np.ndarray:
        """[c, j]: planned mean handle time (before pool proficiency and concurrency)."""
        mean_s = np.array([ch.handle_time.mean_s for ch in self.channels], dtype=np.float64)
        return mean_s[:, None] * self.handle_factor()

    @property
    def has_repeats(self) -> bool:
        """Unresolved contacts come back: some intent resolves below 1 at first contact and
        customers have a repeat delay."""
        return any(it.fcr < 1.0 for it in self.intents) and self.behaviour.repeat_delay is not None

    @property
    def n_intervals(self) -> int:
        return int(self.rate_per_s.shape[2])

    @property
    def interval_starts_s(self) -> np.ndarray:
        return np.arange(self.n_intervals, dtype=np.float64) * self.interval_s


def no_behaviour(n_channels: int) -> BehaviourSpec:
    """Customers never retry, never repeat, never chase."""
    eye = np.eye(n_channels)
    return BehaviourSpec(np.zeros(n_channels), None, eye, None, eye, None, 0.0)
