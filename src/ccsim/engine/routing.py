"""Routing policies: which agent takes an arriving contact, which contact a free agent takes.

A policy is a class constructed with the running engine (``ccsim.engine.simulation``) and reading
its state: ``idle[p]`` (deque of idle agents of pool p, longest idle first), ``partial[p][c]``
(agents of pool p with spare concurrency on channel c), ``pool_queues[p]`` (the queues pool p
serves: ``(deque of contact ids, queue key = channel * n_intents + intent, rank)``, best rank
first), ``state`` (contact outcome codes; 0 = waiting), ``queued`` (when each contact joined the
queue), ``channel`` (each contact's channel), ``agent_pool``, ``idle_since``, ``conc`` (concurrency
per channel), ``n_in`` (number of intents), ``deferred_keys[p]`` and ``deferred_min_idle[p]`` (work
pool p takes only while that many colleagues stay idle: workload shifting).

The engine appends a contact that must wait to ``queue[key]``, and to ``oqueue[key]`` once it
is past the overflow delay (secondary pools serve those); ``pool_queues`` lists these deques.
A policy may keep its own queues instead: :meth:`Router.queues` tells the engine where to
append. Contacts answered elsewhere or abandoned stay in the deques: a policy skips contacts
whose ``state`` is not waiting.

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

    def queues(self) -> tuple[list[Any], list[Any]]:
        """Where the engine appends waiting contacts: ``(waiting[key], overflowed[key])``, per
        queue key, objects with ``append(contact)``. By default the engine's own per-key
        deques, those ``pool_queues`` lists."""
        return self.engine.queue, self.engine.oqueue

    def agent_for(self, pools: list[int], channel: int) -> int:
        """An agent of ``pools`` to take an arriving contact of ``channel`` now, or -1 (queue).
        The agent must be removed from ``idle`` if taken from there."""
        raise NotImplementedError

    def contact_for(self, agent: int, open_channel: int | None) -> int:
        """The waiting contact ``agent`` takes (popped from its queue), -1 if none, or
        :data:`ELSEWHERE` when the agent, busy on ``open_channel``, should rather drain."""
        raise NotImplementedError


class _LongestIdle(Router):
    """Longest-idle agent first; agents with a free concurrent slot after idle ones."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        e = engine
        # The engine's containers are mutated in place, never replaced: keep direct references.
        self.idle, self.partial, self.conc = e.idle, e.partial, e.conc
        self.idle_since, self.agent_pool = e.idle_since, e.agent_pool
        self.deferred_keys, self.deferred_min_idle = e.deferred_keys, e.deferred_min_idle
        self.state, self.channel, self.n_in = e.state, e.channel, e.n_in

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


class _FanOut(list):  # type: ignore[type-arg]
    """Appends a contact to several queues at once (a queue key that several pools serve)."""

    def append(self, i: int) -> None:  # type: ignore[override]
        for q in self:
            q.append(i)


class SkillsPriorityRouter(_LongestIdle):
    """Skills-based routing: longest-idle agent first; a free agent takes the best waiting
    contact by channel priority, intent priority, own skill before overflow, then longest wait.

    An agent with contacts open on a channel (chats) only adds more of the same; if the best
    waiting contact is on another channel, it drains its chats first (otherwise agents who
    overflow into chat would never come back to their own queue).

    Why its own queues? Each pool keeps one deque per rank, holding the contacts of all the
    queue keys it serves at that rank in the order they joined. Contacts join in time order
    (overflowed ones at a fixed delay after joining), so the head of the best non-empty rank
    is the contact to take: no comparison of waiting times across the pool's queues, which
    dominated routing in a multi-skill centre whose backlogs are never empty. A contact that
    several pools serve sits in each of their deques until taken, then is skipped (``state``).
    A subclass that reads ``pool_queues`` instead must return ``Router.queues(self)``.
    """

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        e = engine
        n_keys = len(e.queue)
        waiting: list[list[deque[int]]] = [[] for _ in range(n_keys)]
        overflowed: list[list[deque[int]]] = [[] for _ in range(n_keys)]
        # Per pool: its rank deques, best first, and the same without deferred work.
        self._ranked: list[list[deque[int]]] = []
        self._ranked_now: list[list[deque[int]]] = []
        self._fifo: list[deque[int] | None] = []  # the pool's only deque, if that simple
        self._plain: list[list[deque[int]] | None] = []  # its rank deques, if no deferred work
        for p, entries in enumerate(e.pool_queues):
            by_rank: dict[Any, deque[int]] = {}
            for q, key, rank in entries:  # best rank first
                d = by_rank.setdefault(rank, deque())
                (overflowed if q is e.oqueue[key] else waiting)[key].append(d)
            deferred = {
                id(by_rank[rank]) for q, key, rank in entries if key in self.deferred_keys[p]
            }
            ranked = list(by_rank.values())
            self._ranked.append(ranked)
            self._ranked_now.append([d for d in ranked if id(d) not in deferred])
            self._fifo.append(ranked[0] if len(ranked) == 1 and not deferred else None)
            self._plain.append(None if deferred else ranked)
        self._queues = (
            [_sink(sinks) for sinks in waiting],
            [_sink(sinks) for sinks in overflowed],
        )

    def queues(self) -> tuple[list[Any], list[Any]]:
        return self._queues

    def contact_for(self, agent: int, open_channel: int | None) -> int:
        p = self.agent_pool[agent]
        state = self.state
        q = self._fifo[p]
        if q is not None:  # one rank, no deferred work: plain FIFO
            while q:
                i = q.popleft()
                if state[i] == WAITING:
                    if open_channel is not None and self.channel[i] != open_channel:
                        q.appendleft(i)
                        return ELSEWHERE
                    return i
            return -1
        ranked = self._plain[p]
        if ranked is None:  # deferred work (workload shifting) only while enough colleagues idle
            if len(self.idle[p]) < self.deferred_min_idle[p]:
                ranked = self._ranked_now[p]
            else:
                ranked = self._ranked[p]
        # A plain loop: a pool has a few ranks (the default week: 4 to 7), fewer than it takes
        # for compress(ranked, ranked) to pay for building its iterators (~100 ns per call).
        for q in ranked:  # best rank first
            while q:
                i = q[0]
                if state[i] == WAITING:
                    if open_channel is not None and self.channel[i] != open_channel:
                        return ELSEWHERE
                    return q.popleft()
                q.popleft()  # answered elsewhere or abandoned: lazy removal
        return -1


def _sink(queues: list[deque[int]]) -> Any:
    """What the engine appends to for one queue key: the one deque, or all of them."""
    if len(queues) == 1:
        return queues[0]
    return _FanOut(queues) if queues else deque()  # a key no pool serves: contacts just wait


class FifoRouter(_LongestIdle):
    """Ignores priorities: a free agent takes the longest-waiting contact it is skilled for
    (own skills and overflow alike). A baseline to compare priority routing against.

    It compares the heads of the pool's per-key queues (``pool_queues``) by the time each
    contact joined; an overflowed contact competes by that time, not by when it overflowed."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.arrival = engine.queued  # when each contact joined the queue
        # The non-empty queues come from ``compress(entries, deques)``: skipped in C.
        self._entries = [[(q, key) for q, key, _ in queues] for queues in engine.pool_queues]
        self._deques = [[q for q, _, _ in queues] for queues in engine.pool_queues]

    def contact_for(self, agent: int, open_channel: int | None) -> int:
        p = self.agent_pool[agent]
        state = self.state
        best_q: deque[int] | None = None
        best_key = -1
        best_t = _INF
        deferred = self.deferred_keys[p]
        skip = deferred if deferred and len(self.idle[p]) < self.deferred_min_idle[p] else None
        for q, key in compress(self._entries[p], self._deques[p]):
            if skip is not None and key in skip:
                continue
            while state[q[0]] != WAITING:
                q.popleft()  # answered elsewhere or abandoned: lazy removal
                if not q:
                    break
            else:
                t = self.arrival[q[0]]
                if t < best_t:
                    best_q, best_key, best_t = q, key, t
        if best_q is None:
            return -1
        if open_channel is not None and best_key // self.n_in != open_channel:
            return ELSEWHERE
        return best_q.popleft()


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
        raise ValueError(f"{name!r} is not a subclass of ccsim.engine.routing.Router")
    raise ValueError(f"unknown router; allowed: {', '.join(ROUTERS)} or package.module:Class")
