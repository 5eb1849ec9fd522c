"""The callbacks lever: a customer who would wait long may take a callback instead. The request
keeps their place; an agent calls back when enough colleagues stay idle, and at the latest
after the deadline, when the next free agent calls back first."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from ccsim.engine.agents import Agents
from ccsim.engine.clock import At, Clock
from ccsim.engine.contacts import Contacts
from ccsim.engine.core import Core
from ccsim.engine.draws import U_CALLBACK
from ccsim.model.centre import Centre
from ccsim.model.records import Outcome
from ccsim.model.strategies import CallbackSpec

__all__ = ["Callbacks"]

_WAITING = int(Outcome.WAITING)


class Callbacks:
    """Wired as the core's ``offer_callback`` and ``pick_work`` hooks."""

    __slots__ = tuple(
        """
        env offered threshold_s acceptance min_idle deadline_s requests due pool_keys
        mean_handle_s present primary_pools concurrency n_waiting n_intents state channel
        intent queued callback idle uniform calendar_at find_agent serve next_contact
        on_deadline_cb
        """.split()
    )

    def __init__(
        self,
        env: Clock,
        spec: CallbackSpec,
        centre: Centre,
        contacts: Contacts,
        agents: Agents,
        core: Core,
        uniform: Callable[[int, int], float],
        calendar_at: Callable[..., None],
    ) -> None:
        self.env = env
        n_keys = len(centre.channels) * len(centre.intents)
        self.offered = list(spec.channels)
        self.threshold_s = spec.threshold_s
        self.acceptance = spec.acceptance
        self.min_idle = spec.min_idle_agents
        self.deadline_s = spec.deadline_s
        self.requests: list[deque[int]] = [deque() for _ in range(n_keys)]  # waiting for a call
        self.due: list[deque[int]] = [deque() for _ in range(n_keys)]  # past their deadline
        n_in = core.n_intents
        self.pool_keys = [
            sorted({s.channel * n_in + s.intent for s in pool.skills if not s.secondary})
            for pool in centre.pools
        ]
        self.mean_handle_s = centre.mean_handle_s().ravel().tolist()
        self.present = agents.present
        self.idle = agents.idle
        self.primary_pools = core.primary_pools
        self.concurrency = core.concurrency
        self.n_waiting = core.n_waiting
        self.n_intents = n_in
        self.state, self.channel, self.intent = contacts.state, contacts.channel, contacts.intent
        self.queued, self.callback = contacts.queued, contacts.callback
        self.uniform = uniform
        self.calendar_at = calendar_at
        self.find_agent = core.find_agent
        self.serve = core.serve
        self.next_contact = core.next_contact
        self.on_deadline_cb = (self._on_deadline,)

    def wire(self, core: Core) -> None:
        core.offer_callback = self.offer
        core.pick_work = self.pick_work  # every service end then checks for callbacks

    def offer(self, i: int, key: int, c: int, now: float) -> bool:
        """No agent is free: offer a callback if the expected wait exceeds the threshold.
        Expected wait: (live contacts waiting + 1) x mean handle time / agents serving."""
        if not self.offered[c]:
            return False
        servers = sum(self.present[p] for p in self.primary_pools[key]) * self.concurrency[c]
        ewt = (self.n_waiting[c] + 1) * self.mean_handle_s[key] / max(servers, 1)
        if ewt <= self.threshold_s or self.uniform(i, U_CALLBACK) >= self.acceptance:
            return False
        self.callback[i] = 1
        self.requests[key].append(i)
        self.calendar_at(self.env.now + self.deadline_s, i, self.on_deadline_cb, i)
        return True

    def _on_deadline(self, event: At) -> None:
        i = event.value
        if self.state[i] != _WAITING:
            return
        c = self.channel[i]
        key = c * self.n_intents + self.intent[i]
        a = self.find_agent(self.primary_pools[key], c)
        if a >= 0:
            self.serve(i, a, self.env.now)
        else:
            self.due[key].append(i)  # the next free agent calls back first

    def serve_out(self, now: float, take_work: Callable[[int, int | None, float], None]) -> None:
        """The close, serving out: every callback still requested is due now (a deadline after
        the horizon never comes), and idle agents start on them, longest idle first."""
        for key, q in enumerate(self.requests):
            self.due[key].extend(q)  # those no longer waiting are skipped when popped
            q.clear()
        for p, idle in enumerate(self.idle):
            while idle and any(self.due[key] for key in self.pool_keys[p]):
                take_work(idle.popleft(), None, now)  # due callbacks first (pick_work)

    def pick_work(self, a: int, p: int, c: int | None) -> int:
        """What free agent ``a`` of pool ``p`` takes: a callback past its deadline, else the
        router's choice, else (while enough colleagues stay idle) the oldest request."""
        j = self._due_callback(p)
        if j < 0:
            j = self.next_contact(a, c)
        if j < 0 and len(self.idle[p]) >= self.min_idle:
            j = self._oldest_request(p)
        return j

    def _due_callback(self, p: int) -> int:
        for key in self.pool_keys[p]:
            q = self.due[key]
            while q:
                i = q.popleft()
                if self.state[i] == _WAITING:
                    return i
        return -1

    def _oldest_request(self, p: int) -> int:
        """The oldest callback request the pool can work, popped; -1 if none."""
        best, best_key = -1, -1
        for key in self.pool_keys[p]:
            q = self.requests[key]
            while q and self.state[q[0]] != _WAITING:
                q.popleft()
            if q and (best < 0 or self.queued[q[0]] < self.queued[best]):
                best, best_key = q[0], key
        if best >= 0:
            self.requests[best_key].popleft()
        return best
