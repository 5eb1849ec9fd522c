"""The workload-shifting lever: pools that blend deferred work (e-mail, back office) take it
only in troughs, while more of their agents stay idle than the pool keeps in reserve. The
router ranks deferred work below everything else a pool does (``ccsim.engine.queues``)."""

from __future__ import annotations

from ccsim.engine.agents import Agents
from ccsim.engine.core import Core
from ccsim.engine.queues import Queues

__all__ = ["WorkloadShifting"]


class WorkloadShifting:
    """Wired as the core's ``take_deferred`` hook when some pool defers work."""

    __slots__ = ("deferred_pools", "deferred_min_idle", "idle", "serve")

    def __init__(self, queues: Queues, agents: Agents, core: Core) -> None:
        self.deferred_pools = queues.deferred_pools
        self.deferred_min_idle = queues.deferred_min_idle
        self.idle = agents.idle
        self.serve = core.serve

    def wire(self, core: Core) -> None:
        core.take_deferred = self.take

    def take(self, i: int, key: int, now: float) -> bool:
        """No primary agent is free for contact ``i``: a blending agent in a trough takes it."""
        for p in self.deferred_pools[key]:
            if len(self.idle[p]) > self.deferred_min_idle[p]:
                self.serve(i, self.idle[p].popleft(), now)
                return True
        return False
