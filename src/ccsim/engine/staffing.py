"""Staffing: at each interval boundary, each pool's agents on the phone change to the roster.

Agents added take work at once; a cut sends the most recently idle agents home first, then
partly busy chat agents (once their chats end), then the next agents to finish a contact.
"""

from __future__ import annotations

from collections.abc import Callable

from ccsim.engine.agents import Agents
from ccsim.engine.clock import Clock
from ccsim.engine.core import Core
from ccsim.model.centre import Centre

__all__ = ["Staffing"]


class Staffing:
    """Carries out each pool's agents-on-phone profile; ``on_interval(k)`` runs at each tick."""

    __slots__ = (
        "env",
        "agents",
        "staffing",
        "n_channels",
        "concurrency",
        "fill",
        "take_work",
        "after",
    )

    def __init__(self, env: Clock, centre: Centre, agents: Agents, core: Core) -> None:
        self.env = env
        self.agents = agents
        self.staffing = [pool.agents_on_phone.tolist() for pool in centre.pools]
        self.n_channels = len(centre.channels)
        self.concurrency = core.concurrency
        self.fill = core.fill
        self.take_work = core.take_work
        # Other components' interval hooks, run after staffing changes (journeys' chasers).
        self.after: list[Callable[[int], None]] = []

    def on_interval(self, k: int) -> None:
        """Interval ``k`` starts: staffing changes, pool by pool; then the other hooks."""
        for p, agents in enumerate(self.staffing):
            if k == 0 or agents[k] != agents[k - 1]:
                self.set_staffing(p, agents[k])
        for hook in self.after:
            hook(k)

    def set_staffing(self, p: int, target: int) -> None:
        now = self.env.now
        ag = self.agents
        present = ag.present[p]
        ag.present[p] = target
        if target > present:
            add = target - present
            cancel = min(add, ag.to_leave[p])  # cuts not yet carried out are called off
            ag.to_leave[p] -= cancel
            add -= cancel
            draining = ag.draining[p]
            while add and draining:
                a = next(iter(draining))  # an agent still finishing chats after a cut stays
                del draining[a]
                ag.leaving[a] = False
                c = ag.channel[a]
                if ag.n_active[a] < self.concurrency[c]:
                    ag.partial[p][c][a] = None
                    self.fill(a, c, now)  # chats may have queued since the cut
                add -= 1
            for _ in range(add):
                self.take_work(ag.add(p, now), None, now)
        elif target < present:
            drop = present - target
            idle = ag.idle[p]
            while drop and idle:
                a = idle.pop()  # the most recently idle goes; the longest idle keeps its place
                ag.leaving[a] = True
                drop -= 1
            # Partly busy chat agents stop taking chats and leave when their last one ends.
            for c in range(self.n_channels):
                part = ag.partial[p][c]
                while drop and part:
                    a = next(iter(part))
                    del part[a]
                    ag.leaving[a] = True
                    ag.draining[p][a] = None
                    drop -= 1
            ag.to_leave[p] += drop  # the rest: the next agents to finish a contact
