"""The core of the engine: contacts arrive, wait, are answered, abandon, overflow and end.

Everything else a centre does plugs into the core at a few hooks, bound once when the run is
wired (``ccsim.engine.simulation``), never looked up per event:

- ``arrive(i, now)``: where an arriving contact goes; the core's :meth:`Core.to_agents`, or
  the chatbot in front of it;
- ``offer_callback(i, key, c, now) -> bool``: no agent is free; True if the contact took a
  callback instead of waiting (callbacks);
- ``take_deferred(i, key, now) -> bool``: True if a blending agent in a trough took it
  (workload shifting);
- ``pick_work(a, p, c) -> int``: which contact a free agent takes, callbacks included (the
  router's ``contact_for`` otherwise);
- ``retry(i, c)`` on abandonment and ``repeat(i)`` when an unresolved contact ends (journeys);
- ``on_tolerance``: the callbacks of an async customer's tolerance timer (chasers).

A hook that is not wired is None and costs one test; the single-queue path runs no hook but
the router's. Why timers with callbacks, not a SimPy process per contact? A process per
contact (``yield request | timeout``) reads well but costs several times a bare event loop:
one :class:`At` per arrival, service end and (only for contacts that actually queue) patience
expiry, with a callback each, keeps SimPy's clock and event queue at little cost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from ccsim.engine.agents import Agents
from ccsim.engine.clock import At, Callbacks, Clock, at_time
from ccsim.engine.contacts import Contacts
from ccsim.engine.queues import Queues
from ccsim.engine.routing import ELSEWHERE, Router
from ccsim.engine.sharing import SharedService
from ccsim.model.centre import ASYNC, PROCESSOR_SHARING, Centre
from ccsim.model.records import Outcome

__all__ = ["Core"]

_WAITING = int(Outcome.WAITING)
_IN_SERVICE = int(Outcome.IN_SERVICE)
_HANDLED = int(Outcome.HANDLED)
_ABANDONED = int(Outcome.ABANDONED)
_BLOCKED = int(Outcome.BLOCKED)
_PREVENTED = int(Outcome.PREVENTED)


class Core:
    """Arrival, queueing, answer, abandonment, overflow and service end of contacts."""

    # Slots, not a __dict__: every ``self.x`` is then a fixed offset, not a hashed lookup.
    __slots__ = tuple(
        """
        env arrival channel intent state answer end pool handle patience unresolved callback
        n_base agent_pool n_active agent_channel leaving idle idle_since partial to_leave draining
        queue oqueue n_waiting primary_pools secondary_pools has_overflow overflow_watch
        overflow_s room concurrency concurrency_factors sharing shared_service handle_factor
        is_async has_patience n_intents tolerance_on_queue calendar_at find_agent next_contact
        arrive offer_callback
        take_deferred pick_work retry repeat on_tolerance _on_service_end_cb
        _on_base_arrival_cb _on_patience_cb _on_overflow_cb
        """.split()
    )

    def __init__(
        self,
        env: Clock,
        centre: Centre,
        contacts: Contacts,
        agents: Agents,
        queues: Queues,
        router: Router,
        calendar_at: Callable[..., None],
    ) -> None:
        self.env = env
        ct = contacts
        self.arrival, self.channel, self.intent, self.state = (
            ct.arrival,
            ct.channel,
            ct.intent,
            ct.state,
        )
        self.answer, self.end, self.pool, self.handle = ct.answer, ct.end, ct.pool, ct.handle
        self.patience, self.unresolved, self.callback = ct.patience, ct.unresolved, ct.callback
        self.n_base = ct.n_base
        ag = agents
        self.agent_pool, self.n_active, self.agent_channel = ag.pool, ag.n_active, ag.channel
        self.leaving, self.idle, self.idle_since = ag.leaving, ag.idle, ag.idle_since
        self.partial, self.to_leave, self.draining = ag.partial, ag.to_leave, ag.draining
        self.n_waiting, self.n_intents = queues.n_waiting, queues.n_intents
        self.primary_pools, self.secondary_pools = queues.primary_pools, queues.secondary_pools
        self.has_overflow = queues.has_overflow
        self.find_agent = router.agent_for
        self.next_contact = router.contact_for
        self.queue, self.oqueue = router.queues()  # where waiting contacts go
        self.calendar_at = calendar_at
        chans = centre.channels
        self.room = [ch.waiting_room for ch in chans]
        self.concurrency = [ch.concurrency for ch in chans]
        self.concurrency_factors = [list(ch.concurrency_factors) for ch in chans]
        self.is_async = [ch.mode == ASYNC for ch in chans]
        # Timers only where they can change something: async tolerance needs a chaser channel.
        self.has_patience = [
            ch.patience is not None
            and (ch.mode != ASYNC or centre.behaviour.chaser_channel is not None)
            for ch in chans
        ]
        # Per pool and queue key: what multiplies a contact's drawn handle time (the centre's
        # handle-time model, the pool's proficiency; a channel of concurrency 1 always has
        # its first concurrency factor, folded in here rather than per start).
        planned = centre.handle_factor()
        n_in = self.n_intents
        self.handle_factor = [
            [
                queues.proficiency[p][c * n_in + j]
                * float(planned[c, j])
                * (chans[c].concurrency_factors[0] if chans[c].concurrency == 1 else 1.0)
                for c in range(len(chans))
                for j in range(n_in)
            ]
            for p in range(len(centre.pools))
        ]
        # Contacts not yet past the overflow delay, of every queue with secondary pools, oldest
        # first, with the time they overflow and their queue: one timer (for the oldest still
        # waiting), not one per contact or per queue. The delay is the same for every queue, so
        # one deque in joining order is also in overflow order; most contacts are answered
        # before they would overflow.
        self.overflow_watch: deque[tuple[float, int, int]] = deque()
        self.overflow_s = centre.behaviour.overflow_s
        # First contacts whose async tolerance timer is set as they queue (per queue key); the
        # others' are listed per interval up front (journeys).
        self.tolerance_on_queue = [False] * (len(chans) * n_in)
        # Hooks (see the module docstring), wired later; None: not in this run.
        self.arrive: Callable[[int, float], None] = self.to_agents
        self.offer_callback: Callable[[int, int, int, float], bool] | None = None
        self.take_deferred: Callable[[int, int, float], bool] | None = None
        self.pick_work: Callable[[int, int, int | None], int] | None = None
        self.retry: Callable[[int, int], None] | None = None
        self.repeat: Callable[[int], None] | None = None
        self.on_tolerance: Callbacks = ()
        # Bound once, as the tuples events run (clock.Callbacks): a bound method or a list
        # made per event would cost time on the hot path.
        self._on_service_end_cb = (self._on_service_end,)
        self._on_base_arrival_cb: Callbacks = (self.on_base_arrival,)
        self._on_patience_cb = (self._on_patience_expired,)
        self._on_overflow_cb = (self._on_overflow,)
        # Per channel: the processor-sharing service of its concurrent contacts, or None for
        # durations fixed at the start (at concurrency 1 both are the same: fixed).
        shared = [ch.service == PROCESSOR_SHARING and ch.concurrency > 1 for ch in chans]
        self.shared_service = (
            SharedService(env, self.agent_channel, self.concurrency_factors, self._on_service_end)
            if any(shared)
            else None
        )
        self.sharing = [self.shared_service if s else None for s in shared]

    def schedule_first_arrival(self) -> None:
        """Schedule the first arrival (after the calendar's first tick)."""
        if self.n_base:
            At(self.env, self.arrival[0], 0, (self.on_base_arrival,))

    def set_base_arrival(self, callbacks: Callbacks) -> None:
        """What runs when a first contact's time comes (outreach checks it first)."""
        self._on_base_arrival_cb = callbacks

    def serve(self, i: int, a: int, now: float) -> None:
        """Agent ``a`` answers contact ``i`` now; its service end is scheduled."""
        c = self.channel[i]
        p = self.agent_pool[a]
        k = self.n_active[a]
        self.n_active[a] = k + 1
        self.state[i] = _IN_SERVICE
        self.answer[i] = now
        self.pool[i] = p
        duration = self.handle[i] * self.handle_factor[p][c * self.n_intents + self.intent[i]]
        if self.concurrency[c] > 1:
            sharing = self.sharing[c]
            if sharing is not None:  # the duration is work: its pace changes with the load
                self._open_slot(a, p, c, k)
                sharing.start(i, a, k, duration, now)
                return
            duration *= self._open_slot(a, p, c, k)
        At(self.env, duration, (i, a), self._on_service_end_cb)

    def _open_slot(self, a: int, p: int, c: int, k: int) -> float:
        """Bookkeeping for an agent starting its (k+1)-th concurrent contact on channel ``c``;
        returns that contact's handle-time factor."""
        if k == 0:
            self.agent_channel[a] = c
        part = self.partial[p][c]
        if k + 1 < self.concurrency[c]:
            part[a] = None
        else:
            part.pop(a, None)
        return self.concurrency_factors[c][k]

    # -- arrival -------------------------------------------------------------------------------
    def on_base_arrival(self, event: At) -> None:
        """A first contact arrives; the next one's arrival is scheduled."""
        i = event.value
        now = self.arrival[i]  # the customer's own time: immediate answers wait exactly 0 s
        if i + 1 < self.n_base:
            At(self.env, self.arrival[i + 1] - now, i + 1, self._on_base_arrival_cb)
        if self.state[i] != _PREVENTED:
            self.arrive(i, now)

    def to_agents(self, i: int, now: float) -> None:
        """Contact ``i`` reaches the agents: answered at once, blocked, or queued."""
        c = self.channel[i]
        key = c * self.n_intents + self.intent[i]
        a = self.find_agent(self.primary_pools[key], c)
        if a >= 0:
            self.serve(i, a, now)
            return
        if self.take_deferred is not None and self.take_deferred(i, key, now):
            return
        if self.offer_callback is not None and self.offer_callback(i, key, c, now):
            return
        room = self.room[c]
        if room is not None and self.n_waiting[c] >= room:
            self.state[i] = _BLOCKED
            self.end[i] = now
            return
        self.queue[key].append(i)
        self.n_waiting[c] += 1
        if self.has_patience[c]:  # sync: abandonment; async: chasing (if a chaser channel)
            if self.is_async[c]:  # hours away: parked in the calendar
                if i >= self.n_base or self.tolerance_on_queue[key]:  # else set up front
                    self.calendar_at(now + self.patience[i], i, self.on_tolerance, i)
            else:
                At(self.env, self.patience[i], i, self._on_patience_cb)
        if self.has_overflow[key]:
            self.watch_overflow(i, key)

    # -- overflow ------------------------------------------------------------------------------
    def watch_overflow(self, i: int, key: int) -> None:
        """Contact ``i`` joins queue ``key`` and may overflow to secondary pools later."""
        watch = self.overflow_watch
        watch.append((self.env.now + self.overflow_s, i, key))
        if len(watch) == 1:  # no timer pending
            At(self.env, self.overflow_s, None, self._on_overflow_cb)

    def _on_overflow(self, event: At) -> None:
        """The oldest waiting contact (of any queue) reaches the overflow delay: secondary pools
        may take it now; then the timer moves on to the next contact still waiting."""
        watch = self.overflow_watch
        now = self.env.now
        state = self.state
        while watch:
            due, i, key = watch[0]
            if state[i] != _WAITING:
                watch.popleft()  # answered or abandoned first: never overflows
                continue
            if due > now:
                at_time(self.env, due, None, self._on_overflow_cb)
                return
            watch.popleft()
            self.overflow(i, key, now)

    def overflow(self, i: int, key: int, now: float) -> None:
        """Waiting contact ``i`` of queue ``key`` is past the overflow delay."""
        c = self.channel[i]
        a = self.find_agent(self.secondary_pools[key], c)
        if a >= 0:
            self.n_waiting[c] -= 1
            self.serve(i, a, now)
        else:
            self.oqueue[key].append(i)  # secondary pools now see it too

    # -- abandonment ---------------------------------------------------------------------------
    def _on_patience_expired(self, event: At) -> None:
        i = event.value
        if self.state[i] != _WAITING:
            return
        self.state[i] = _ABANDONED
        self.end[i] = self.env.now
        c = self.channel[i]
        self.n_waiting[c] -= 1
        if self.retry is not None:
            self.retry(i, c)

    # -- service end ---------------------------------------------------------------------------
    def _on_service_end(self, event: At) -> None:
        i, a = event.value
        now = self.env.now
        self.state[i] = _HANDLED
        self.end[i] = now
        if self.repeat is not None and self.unresolved[i]:
            self.repeat(i)
        p = self.agent_pool[a]
        k = self.n_active[a] - 1
        self.n_active[a] = k
        c = self.channel[i]
        if (
            self.to_leave[p]
            or self.leaving[a]
            or self.concurrency[c] > 1
            or self.pick_work is not None
        ):
            self._service_end_slow(a, p, c, k, now)  # a staffing cut, chats, or callbacks
            return
        # The common case: a one-contact-at-a-time agent takes the next contact or goes idle.
        j = self.next_contact(a, None)
        if j >= 0:
            cj = self.channel[j]
            self.n_waiting[cj] -= 1
            self.serve(j, a, now)
            if self.n_active[a] < self.concurrency[cj]:
                self.fill(a, cj, now)
        else:
            self.idle[p].append(a)
            self.idle_since[a] = now

    def _service_end_slow(self, a: int, p: int, c: int, k: int, now: float) -> None:
        if self.to_leave[p] or self.leaving[a]:
            if not self.leaving[a]:
                # A cut is pending: this agent is the next to go (after any open chats).
                self.to_leave[p] -= 1
                self.leaving[a] = True
                if k:
                    self.draining[p][a] = None
            if self.concurrency[c] > 1:
                self.partial[p][c].pop(a, None)
            if k == 0:
                self.draining[p].pop(a, None)  # shift over: open contacts were finished first
            return
        if k == 0:
            self.partial[p][c].pop(a, None)
            self.take_work(a, None, now)
            return
        j = self.next_contact(a, c)
        if j >= 0:
            self.n_waiting[c] -= 1
            self.serve(j, a, now)
        elif j == -1:
            self.partial[p][c][a] = None  # free slot: new chats may be routed here
        else:  # better work waits on another channel: take no more chats, drain, then switch
            self.partial[p][c].pop(a, None)

    def take_work(self, a: int, c: int | None, now: float) -> None:
        """A fully idle agent takes the best waiting contact, or joins the idle line."""
        p = self.agent_pool[a]
        if self.pick_work is not None:
            j = self.pick_work(a, p, c)
        else:
            j = self.next_contact(a, c)
        if j >= 0:
            if not self.callback[j]:  # a callback was never counted among the live waiting
                self.n_waiting[self.channel[j]] -= 1
            self.serve(j, a, now)
            # With spare concurrency, fill the remaining slots from the same channel.
            cj = self.channel[j]
            if self.n_active[a] < self.concurrency[cj]:
                self.fill(a, cj, now)
        else:
            self.idle[p].append(a)
            self.idle_since[a] = now

    def fill(self, a: int, c: int, now: float) -> None:
        """Agent ``a``, with contacts open on ``c``, takes waiting ones into their free slots."""
        while self.n_active[a] < self.concurrency[c]:
            j = self.next_contact(a, c)
            if j < 0:
                if j == ELSEWHERE:
                    self.partial[self.agent_pool[a]][c].pop(a, None)
                break
            self.n_waiting[c] -= 1
            self.serve(j, a, now)
