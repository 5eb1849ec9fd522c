"""Routing policies: which agent takes an arriving contact, which contact a free agent takes.

A policy is a class constructed with the running engine (``ccsim.engine``) and reading its
state: ``idle[p]`` (deque of idle agents of pool p, longest idle first), ``partial[p][c]``
(agents of pool p with spare concurrency on channel c), ``pool_queues[p]`` (the queues pool p
serves: ``(deque of contact ids, queue key = channel * n_intents + intent, rank)``, best rank
first), ``state`` (contact outcome codes; 0 = waiting), ``queued`` (when each contact joined
the queue), ``agent_pool``, ``idle_since``, ``conc`` (concurrency per channel), ``n_in``
(number of intents), ``deferred_keys[p]`` and ``deferred_min_idle[p]`` (work pool p takes only
while that many colleagues stay idle: workload shifting).

Choose one with ``centre.routing``: a name from :data:`ROUTERS` or ``package.module:Class`` for
your own subclass of :class:`Router`.
"""

from __future__ import annotations

from collections import deque
from itertools import compress
from typing import Any

__all__ = [
    "Router",
    "SkillsPriorityRouter",
    "FifoRouter",
    "ROUTERS",
    "ELSEWHERE",
    "WAITING",
    "resolve_router",
]

WAITING = 0  # Outcome.WAITING
_INF = float("inf")
_WORST = 1 << 30  # worse than any rank
ELSEWHERE = -2  # contact_for: better work waits on another channel than the open one


class Router:
    """Base class of routing policies."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def agent_for(self, pools: list[int], channel: int) -> int:
        """An agent of ``pools`` to take an arriving contact of ``channel`` now, or -1 (queue).
        The agent must be removed from ``idle`` if taken from there."""
        raise NotImplementedError

    def contact_for(self, agent: int, open_channel: int | None) -> int:
        """The waiting contact ``agent`` takes (popped from its queue), -1 if none, or
        :data:`ELSEWHERE` when the agent, busy on ``open_channel``, should rather drain."""
        raise NotImplementedError


class SkillsPriorityRouter(Router):
    """Skills-based routing: longest-idle agent first; a free agent takes the best waiting
    contact by channel priority, intent priority, own skill before overflow, then longest wait.

    An agent with contacts open on a channel (chats) only adds more of the same; if the best
    waiting contact is on another channel, it drains its chats first (otherwise agents who
    overflow into chat would never come back to their own queue).
    """

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        e = engine
        # The engine's containers are mutated in place, never replaced: keep direct references.
        self.idle, self.partial, self.conc = e.idle, e.partial, e.conc
        self.idle_since, self.agent_pool = e.idle_since, e.agent_pool
        self.deferred_keys, self.deferred_min_idle = e.deferred_keys, e.deferred_min_idle
        self.pool_queues, self.state, self.arrival, self.n_in = (
            e.pool_queues,
            e.state,
            e.queued,
            e.n_in,
        )
        self._set_queues(self.pool_queues)

    def _set_queues(self, pool_queues: list[list[tuple[deque[int], int, Any]]]) -> None:
        self.pool_queues = pool_queues
        # What contact_for loops over: (deque, key, rank as an int, 0 = best) per queue, and the
        # deques alone in the same order: ``compress(entries, deques)`` skips the empty queues
        # in C. Most of a pool's queues are empty most of the time, and testing each in Python
        # dominated the cost of routing in a multi-skill centre; ints compare faster than tuples.
        self._entries = []
        for queues in pool_queues:
            ranks = sorted({rank for _, _, rank in queues}, reverse=True)
            self._entries.append([(q, key, ranks.index(rank)) for q, key, rank in queues])
        self.pool_deques = [[q for q, _, _ in queues] for queues in pool_queues]

    def agent_for(self, pools: list[int], channel: int) -> int:
        if len(pools) == 1:  # the common case: one pool serves this queue
            idle = self.idle[pools[0]]
            if idle:
                return idle.popleft()
            if self.conc[channel] > 1:
                part = self.partial[pools[0]][channel]
                if part:
                    return next(iter(part))
            return -1
        best, best_since = -1, 0.0
        for p in pools:
            idle = self.idle[p]
            if idle:
                a = idle[0]
                if best < 0 or self.idle_since[a] < best_since:
                    best, best_since = a, self.idle_since[a]
        if best >= 0:
            self.idle[self.agent_pool[best]].popleft()
            return best
        if self.conc[channel] > 1:
            for p in pools:
                part = self.partial[p][channel]
                if part:
                    return next(iter(part))
        return -1

    def contact_for(self, agent: int, open_channel: int | None) -> int:
        p = self.agent_pool[agent]
        queues = self._entries[p]
        state = self.state
        if len(queues) == 1:  # a single-skill pool: plain FIFO
            q = queues[0][0]
            while q:
                i = q.popleft()
                if state[i] == WAITING:
                    return i
            return -1
        best_q: deque[int] | None = None
        best_key = -1
        best_t = _INF
        best_rank = _WORST
        arrival = self.arrival  # when each contact joined the queue
        deferred = self.deferred_keys[p]
        # Deferred work (workload shifting) only while enough colleagues stay idle.
        skip = deferred if deferred and len(self.idle[p]) < self.deferred_min_idle[p] else None
        for q, key, rank in compress(queues, self.pool_deques[p]):  # the non-empty queues
            if rank > best_rank:
                break  # queues are sorted by rank: nothing better below
            if skip is not None and key in skip:
                continue
            while state[q[0]] != WAITING:
                q.popleft()  # answered elsewhere or abandoned: lazy removal
                if not q:
                    break
            else:
                t = arrival[q[0]]
                if t < best_t:  # the longest wait among queues of the best rank
                    best_q, best_key, best_t, best_rank = q, key, t, rank
        if best_q is None:
            return -1
        if open_channel is not None and best_key // self.n_in != open_channel:
            return ELSEWHERE
        return best_q.popleft()


class FifoRouter(SkillsPriorityRouter):
    """Ignores priorities: a free agent takes the longest-waiting contact it is skilled for
    (own skills and overflow alike). A baseline to compare priority routing against."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        # Same queues, all of equal rank: the longest wait wins.
        self._set_queues(
            [[(q, key, (0, 0, 0)) for q, key, _ in queues] for queues in engine.pool_queues]
        )


ROUTERS: dict[str, type[Router]] = {
    "skills_priority": SkillsPriorityRouter,
    "fifo": FifoRouter,
}


def resolve_router(name: str) -> type[Router]:
    """A router class from a registered name or ``package.module:Class``; ValueError otherwise."""
    if name in ROUTERS:
        return ROUTERS[name]
    if ":" in name:
        import importlib

        module, _, attr = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"cannot import {name!r}: {exc}") from None
        if isinstance(cls, type) and issubclass(cls, Router):
            return cls
        raise ValueError(f"{name!r} is not a subclass of ccsim.routing.Router")
    raise ValueError(f"unknown router; allowed: {', '.join(ROUTERS)} or package.module:Class")
