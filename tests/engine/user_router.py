"""A router a user would write: only against ccsim.engine.routing's public protocol.

It reads nothing but :class:`RouterView` (type-checked with mypy in CI) and reimplements the
built-in FIFO policy, so the engine must give it the same records as ``FifoRouter``.
"""

from __future__ import annotations

from collections import deque

from ccsim.engine.routing import ELSEWHERE, WAITING, Router, RouterView


class UserFifoRouter(Router):
    """Longest-idle agent first; a free agent takes the longest-waiting contact it serves."""

    def __init__(self, view: RouterView) -> None:
        super().__init__(view)
        self.taken = 0  # agents this router handed out (the test checks it was used)

    def agent_for(self, pools: list[int], channel: int) -> int:
        v = self.view
        best, best_since = -1, 0.0
        for p in pools:
            idle = v.idle[p]
            if idle and (best < 0 or v.idle_since[idle[0]] < best_since):
                best, best_since = idle[0], v.idle_since[idle[0]]
        if best >= 0:
            v.idle[v.agent_pool[best]].popleft()
            self.taken += 1
            return best
        if v.concurrency[channel] > 1:  # an agent with a chat slot free
            for p in pools:
                part = v.partial[p][channel]
                if part:
                    self.taken += 1
                    return next(iter(part))
        return -1

    def contact_for(self, agent: int, open_channel: int | None) -> int:
        v = self.view
        p = v.agent_pool[agent]
        reserve_short = len(v.idle[p]) < v.deferred_min_idle[p]
        best_q: deque[int] | None = None
        best_key, best_t = -1, float("inf")
        for q, key, _rank in v.pool_queues[p]:
            if reserve_short and key in v.deferred_keys[p]:
                continue  # deferred work waits while the pool keeps too few agents idle
            while q and v.state[q[0]] != WAITING:
                q.popleft()  # answered elsewhere or abandoned
            if q and v.queued[q[0]] < best_t:
                best_q, best_key, best_t = q, key, v.queued[q[0]]
        if best_q is None:
            return -1
        if open_channel is not None and best_key // v.n_intents != open_channel:
            return ELSEWHERE
        return best_q.popleft()
