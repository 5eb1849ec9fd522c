"""The agents table: which pool each agent belongs to, what it is doing, who is idle.

Agents are integers (the order they first came on shift). Staffing adds and sends them home;
the core starts and ends their contacts; routers read who is idle. Every container is mutated
in place, never replaced, so components and routers keep direct references.
"""

from __future__ import annotations

from collections import deque

__all__ = ["Agents"]


class Agents:
    """Per agent: ``pool``, ``n_active`` (contacts open now), ``channel`` (the channel of its
    open contacts, for concurrent work), ``leaving`` (going home once its contacts end) and
    ``idle_since`` (s). Per pool: ``idle`` (idle agents, longest idle first), ``partial[p][c]``
    (agents with a free concurrent slot on channel c), ``present`` (agents on shift, not
    counting those leaving), ``to_leave`` (staffing cuts not yet carried out: the next agents
    to free up leave) and ``draining`` (agents finishing open chats before they leave)."""

    __slots__ = (
        "pool",
        "n_active",
        "channel",
        "leaving",
        "idle_since",
        "idle",
        "partial",
        "present",
        "to_leave",
        "draining",
    )

    def __init__(self, n_pools: int, n_channels: int) -> None:
        self.pool: list[int] = []
        self.n_active: list[int] = []
        self.channel: list[int] = []
        self.leaving: list[bool] = []
        self.idle_since: list[float] = []
        self.idle: list[deque[int]] = [deque() for _ in range(n_pools)]
        self.partial: list[list[dict[int, None]]] = [
            [{} for _ in range(n_channels)] for _ in range(n_pools)
        ]
        self.present = [0] * n_pools
        self.to_leave = [0] * n_pools
        self.draining: list[dict[int, None]] = [{} for _ in range(n_pools)]

    def add(self, p: int, now: float) -> int:
        """A new agent of pool ``p`` comes on shift (not yet idle nor busy); returns its id."""
        a = len(self.pool)
        self.pool.append(p)
        self.n_active.append(0)
        self.channel.append(0)
        self.leaving.append(False)
        self.idle_since.append(now)
        return a
