"""Routing policies: which agent takes an arriving contact, which contact a free agent takes.

A policy is a subclass of :class:`Router`, constructed once per run with a :class:`RouterView`:
the live state it may read (idle agents, the queues each pool serves, contact states). That
protocol is the whole interface: a router written against it survives engine changes, and mypy
checks it. The containers are mutated in place by the engine and never replaced, so a router
may keep references to them.

The actions a router may take: :meth:`Router.agent_for` returns an agent for an arriving
contact and removes it from ``idle`` if it takes it from there; :meth:`Router.contact_for`
returns a waiting contact for a free agent and pops it from the deque it took it from.
Contacts answered elsewhere or abandoned stay in the deques: a policy skips contacts whose
``state`` is not :data:`WAITING`. The engine appends a contact that must wait to
``queue[key]``, and to ``overflow_queue[key]`` once it is past the overflow delay (secondary
pools serve those); ``pool_queues`` lists these deques. A policy may keep its own queues
instead: :meth:`Router.queues` tells the engine where to append.

Choose one with ``centre.routing``: a name from :data:`ROUTERS` or ``package.module:Class`` for
your own subclass of :class:`Router`.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any, Protocol

__all__ = [
    "Router",
    "RouterView",
    "RoutingState",
    "SkillsPriorityRouter",
    "FifoRouter",
    "ROUTERS",
    "ELSEWHERE",
    "WAITING",
    "resolve_router",
]

WAITING = 0  # Outcome.WAITING
_INF = float("inf")
ELSEWHERE = -2  # contact_for: better work waits on another channel than the open one
# (deque of contact ids, queue key = channel * n_intents + intent, rank); rank = (channel
# priority, intent priority, 0 for own work or -1 for overflow), higher is better.
PoolQueue = tuple[deque[int], int, tuple[int, int, int]]


class RouterView(Protocol):
    """The state a routing policy may read. Agents, contacts, pools, channels and queue keys
    are integers (indices in the centre's order); per-agent and per-contact sequences grow as
    agents come on shift and contacts arrive."""

    @property
    def n_intents(self) -> int:
        """Intents per channel: queue key = channel * n_intents + intent."""

    @property
    def concurrency(self) -> Sequence[int]:
        """Per channel: contacts an agent handles at once."""

    @property
    def state(self) -> bytearray:
        """Per contact: its :class:`ccsim.model.records.Outcome` code; 0 = waiting."""

    @property
    def channel(self) -> bytearray:
        """Per contact: its channel."""

    @property
    def queued(self) -> array[float]:
        """Per contact: when it joined the agents' queue (s)."""

    @property
    def agent_pool(self) -> Sequence[int]:
        """Per agent: its pool."""

    @property
    def idle_since(self) -> Sequence[float]:
        """Per agent: when it last became idle (s)."""

    @property
    def idle(self) -> Sequence[deque[int]]:
        """Per pool: its idle agents, longest idle first."""

    @property
    def partial(self) -> Sequence[Sequence[dict[int, None]]]:
        """``[pool][channel]``: agents with contacts open on the channel and a slot free."""

    @property
    def pool_queues(self) -> Sequence[Sequence[PoolQueue]]:
        """Per pool: the queues it serves, best rank first."""

    @property
    def queue(self) -> Sequence[deque[int]]:
        """Per queue key: the engine's deque of contacts waiting."""

    @property
    def overflow_queue(self) -> Sequence[deque[int]]:
        """Per queue key: contacts past the overflow delay (served by secondary pools)."""

    @property
    def deferred_keys(self) -> Sequence[set[int]]:
        """Per pool: queue keys it takes only as deferred work (workload shifting)..."""

    @property
    def deferred_min_idle(self) -> Sequence[int]:
        """...and only while at least this many of its agents stay idle."""


@dataclass(frozen=True, slots=True)
class RoutingState:
    """The engine's :class:`RouterView`: references to its live tables."""

    n_intents: int
    concurrency: list[int]
    state: bytearray
    channel: bytearray
    queued: array[float]
    agent_pool: list[int]
    idle_since: list[float]
    idle: list[deque[int]]
    partial: list[list[dict[int, None]]]
    pool_queues: list[list[PoolQueue]]
    queue: list[deque[int]]
    overflow_queue: list[deque[int]]
    deferred_keys: list[set[int]]
    deferred_min_idle: list[int]


class Router:
    """Base class of routing policies: subclass it and implement :meth:`agent_for` and
    :meth:`contact_for`, reading only ``self.view``."""

    def __init__(self, view: RouterView) -> None:
        self.view = view

    def queues(self) -> tuple[Sequence[Any], Sequence[Any]]:
        """Where the engine appends waiting contacts: ``(waiting[key], overflowed[key])``, per
        queue key, objects with ``append(contact)``. By default the engine's own per-key
        deques, those ``pool_queues`` lists."""
        return self.view.queue, self.view.overflow_queue

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

    def __init__(self, view: RouterView) -> None:
        super().__init__(view)
        v = view
        # Mutated in place, never replaced: direct references save a lookup per decision.
        self.idle, self.partial, self.concurrency = v.idle, v.partial, v.concurrency
        self.idle_since, self.agent_pool = v.idle_since, v.agent_pool
        self.deferred_keys, self.deferred_min_idle = v.deferred_keys, v.deferred_min_idle
        self.state, self.channel, self.n_intents = v.state, v.channel, v.n_intents

    def agent_for(self, pools: list[int], channel: int) -> int:
        if len(pools) == 1:  # the common case: one pool serves this queue
            idle = self.idle[pools[0]]
            if idle:
                return idle.popleft()
            if self.concurrency[channel] > 1:
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
        if self.concurrency[channel] > 1:
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

    def __init__(self, view: RouterView) -> None:
        super().__init__(view)
        v = view
        n_keys = len(v.queue)
        waiting: list[list[deque[int]]] = [[] for _ in range(n_keys)]
        overflowed: list[list[deque[int]]] = [[] for _ in range(n_keys)]
        # Per pool: its rank deques, best first, and the same without deferred work.
        self._ranked: list[list[deque[int]]] = []
        self._ranked_now: list[list[deque[int]]] = []
        self._fifo: list[deque[int] | None] = []  # the pool's only deque, if that simple
        self._plain: list[list[deque[int]] | None] = []  # its rank deques, if no deferred work
        for p, entries in enumerate(v.pool_queues):
            by_rank: dict[Any, deque[int]] = {}
            for q, key, rank in entries:  # best rank first
                d = by_rank.setdefault(rank, deque())
                (overflowed if q is v.overflow_queue[key] else waiting)[key].append(d)
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

    def queues(self) -> tuple[Sequence[Any], Sequence[Any]]:
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
        # A plain loop: a pool has a few ranks, too few for compress(ranked, ranked) to pay for
        # building its iterators.
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

    def __init__(self, view: RouterView) -> None:
        super().__init__(view)
        self.arrival = view.queued  # when each contact joined the queue
        # The non-empty queues come from ``compress(entries, deques)``: skipped in C.
        self._entries = [[(q, key) for q, key, _ in queues] for queues in view.pool_queues]
        self._deques = [[q for q, _, _ in queues] for queues in view.pool_queues]

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
        if open_channel is not None and best_key // self.n_intents != open_channel:
            return ELSEWHERE
        return best_q.popleft()


ROUTERS: dict[str, type[Router]] = {
    "skills_priority": SkillsPriorityRouter,
    "fifo": FifoRouter,
}


ROUTER_METHODS = ("agent_for", "contact_for")  # what a policy must implement


def _unimplemented(cls: type[Router]) -> list[str]:
    """The methods of :data:`ROUTER_METHODS` that ``cls`` leaves as :class:`Router` has them
    (raising NotImplementedError), and any abstract method of an ``abc`` subclass."""
    missing = [m for m in ROUTER_METHODS if getattr(cls, m) is getattr(Router, m)]
    abstract = sorted(getattr(cls, "__abstractmethods__", ()) or ())
    return missing + [m for m in abstract if m not in missing]


def resolve_router(name: str) -> type[Router]:
    """A router class from a registered name or ``package.module:Class``; ValueError otherwise:
    an unknown name, a module that fails to import (whatever it raises), something that is
    not a :class:`Router` subclass, or one that is abstract (:data:`ROUTER_METHODS` not
    implemented) and would fail at its first contact."""
    if name in ROUTERS:
        return ROUTERS[name]
    if ":" in name:
        import importlib

        module, _, attr = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except Exception as exc:  # ImportError, or whatever the module raises as it loads
            why = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise ValueError(f"cannot import {name!r} ({why})") from None
        if not (isinstance(cls, type) and issubclass(cls, Router)):
            what = (
                f"the class {cls.__qualname__}"
                if isinstance(cls, type)
                else f"an object of type {type(cls).__name__}"
            )
            raise ValueError(
                f"{name} is not a routing policy: not a subclass of ccsim.engine.routing.Router "
                f"but {what}"
            )
        missing = _unimplemented(cls)
        if missing:
            raise ValueError(
                f"{name} is abstract; give a subclass that implements {' and '.join(missing)}"
            )
        return cls
    hint = ""
    if "." in name:  # ccsim.engine.routing.FifoRouter: the class after a colon
        module, _, attr = name.rpartition(".")
        hint = f" (a class is written package.module:Class: {module}:{attr}?)"
    raise ValueError(f"unknown router; allowed: {', '.join(ROUTERS)} or package.module:Class{hint}")
