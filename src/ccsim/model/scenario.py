"""A single-queue scenario (one channel, one intent, one pool): the students' model.

Built by :func:`ccsim.config.scenario.scenario_from_config`; :meth:`Scenario.to_centre` gives
the one-channel :class:`~ccsim.model.centre.Centre` the engine runs, so the Erlang checks test
the multichannel engine itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.model.arrival_process import POISSON_ARRIVALS, ArrivalProcess
from ccsim.model.centre import (
    STOP,
    SYNC,
    Centre,
    ChannelSpec,
    IntentSpec,
    PoolSpec,
    SkillSpec,
    no_behaviour,
)
from ccsim.model.distributions import (
    Distribution,
)

__all__ = ["Scenario"]


@dataclass(frozen=True)
class Scenario:
    """A single-channel contact centre, on a grid of equal intervals.

    ``arrival_rate_per_s[k]`` and ``agents_scheduled[k]`` hold for interval ``k``;
    ``agents_on_phone[k]`` is the scheduled heads less shrinkage (rounded to whole agents):
    the servers the simulation actually has. ``arrivals``: Poisson, or a renewal process at
    the same rates (:mod:`ccsim.model.arrival_process`).
    """

    name: str
    description: str
    channel: str
    horizon_s: float
    interval_s: float
    clock_start_h: float
    arrival_rate_per_s: np.ndarray
    agents_scheduled: np.ndarray
    agents_on_phone: np.ndarray
    shrinkage: float
    handle_time: Distribution
    patience: Distribution | None
    waiting_room: int | None
    target_answer_s: float
    target_service_level: float
    at_close: str = STOP  # what happens at the end of the horizon (Centre.at_close)
    arrivals: ArrivalProcess = POISSON_ARRIVALS

    @property
    def n_intervals(self) -> int:
        return len(self.arrival_rate_per_s)

    @property
    def interval_starts_s(self) -> np.ndarray:
        return np.arange(self.n_intervals, dtype=np.float64) * self.interval_s

    def to_centre(self) -> Centre:
        """The same queue as a one-channel, one-intent, one-pool centre: the engine's form."""
        channel = ChannelSpec(
            name=self.channel,
            mode=SYNC,
            concurrency=1,
            handle_time=self.handle_time,
            concurrency_factors=(1.0,),
            patience=self.patience,
            waiting_room=self.waiting_room,
            target_s=self.target_answer_s,
            target_service_level=self.target_service_level,
            arrivals=self.arrivals,
        )
        pool = PoolSpec(
            name="agents",
            skills=(SkillSpec(0, 0),),
            agents_scheduled=self.agents_scheduled,
            agents_on_phone=self.agents_on_phone,
            shrinkage=self.shrinkage,
        )
        return Centre(
            name=self.name,
            description=self.description,
            horizon_s=self.horizon_s,
            interval_s=self.interval_s,
            clock_start_h=self.clock_start_h,
            channels=(channel,),
            intents=(IntentSpec("all"),),
            pools=(pool,),
            behaviour=no_behaviour(1),
            rate_per_s=self.arrival_rate_per_s[None, None, :],
            at_close=self.at_close,
        )

    @property
    def is_stationary(self) -> bool:
        """Constant arrival rate and staffing: the closed-form models apply (Erlang's with
        Poisson arrivals, GI/M/c with renewal ones)."""
        return bool(
            np.all(self.arrival_rate_per_s == self.arrival_rate_per_s[0])
            and np.all(self.agents_on_phone == self.agents_on_phone[0])
        )
