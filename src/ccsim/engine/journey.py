"""Customer journeys: what customers do after a contact. An abandoned customer may retry; an
unresolved one comes back (a repeat); an async customer left waiting past their tolerance
chases on the chaser channel. Each follow-up may switch channel, waits for the line to open
and, with context carried across channels, keeps the customer's history.

Follow-ups due in a later interval wait in the calendar, off SimPy's heap.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

import numpy as np

from ccsim.engine.arrivals import Customers
from ccsim.engine.clock import At, Clock, at_time
from ccsim.engine.contacts import Contacts
from ccsim.engine.core import Core
from ccsim.engine.draws import (
    ROWS,
    SLOTS,
    U_CONTEXT,
    U_REPEAT_DELAY,
    U_RETRY,
    U_RETRY_DELAY,
    U_SWITCH,
    CustomerDraws,
    PlainDraws,
)
from ccsim.engine.rng import RandomStreams
from ccsim.model.centre import ASYNC, ORIGINAL, Centre
from ccsim.model.records import ContactKind, Outcome

__all__ = ["Journeys"]

_WAITING = int(Outcome.WAITING)
_RETRY = int(ContactKind.RETRY)
_REPEAT = int(ContactKind.REPEAT)
_CHASER = int(ContactKind.CHASER)


class Journeys:
    """Retries, repeats and chasers of a run; wired into the core's ``retry``, ``repeat`` and
    ``on_tolerance`` hooks where the centre's behaviour has them."""

    __slots__ = tuple(
        """
        env state channel intent customer slot resolve_u context handle fcr context_share
        context_handle context_repeat retry_prob chaser interval_s n_intervals next_open
        calendar_at calendar_at_interval create arrive uniform plain_u follow_ups keyed_switch
        keyed_retry tolerance_due arrival patience keep_patience on_follow_up_cb on_tolerance_cb
        """.split()
    )

    def __init__(
        self,
        env: Clock,
        centre: Centre,
        customers: Customers,
        contacts: Contacts,
        core: Core,
        keyed: CustomerDraws | None,
        streams: RandomStreams,
        plain_u: PlainDraws,
        uniform: Callable[[int, int], float],
        calendar_at: Callable[..., None],
        calendar_at_interval: Callable[..., None],
    ) -> None:
        self.env = env
        ct = contacts
        self.state, self.channel, self.intent = ct.state, ct.channel, ct.intent
        self.customer, self.slot, self.resolve_u = ct.customer, ct.slot, ct.resolve_u
        self.context, self.handle = ct.context, ct.handle
        self.arrival, self.patience = ct.arrival, ct.patience
        self.fcr = ct.fcr
        self.create = ct.create
        self.arrive = core.arrive  # the chatbot in front of the agents, if wired before
        self.uniform = uniform
        self.plain_u = plain_u
        self.calendar_at = calendar_at
        self.calendar_at_interval = calendar_at_interval
        b = centre.behaviour
        ctx = centre.strategies.context
        self.context_share = 0.0 if ctx is None else ctx.share
        self.context_handle = 1.0 if ctx is None else ctx.handle_factor
        self.context_repeat = 1.0 if ctx is None else ctx.repeat_factor
        self.retry_prob = b.retry_prob.tolist()
        # Per channel: a retry landing there keeps the patience of the contact it retries
        # (retry_patience: original), where patience means abandonment (a live channel with
        # one); an async channel's is a tolerance before chasing, of another scale.
        self.keep_patience = [
            b.retry_patience == ORIGINAL and ch.mode != ASYNC and ch.patience is not None
            for ch in centre.channels
        ]
        self.chaser = b.chaser_channel
        # next_open[c][k]: the first interval >= k in which channel c expects arrivals
        # (n_intervals: never), a running minimum from the end over the open intervals.
        self.interval_s = centre.interval_s
        n_k = self.n_intervals = centre.n_intervals
        open_k = np.where(centre.rate_per_s.sum(axis=1) > 0, np.arange(n_k), n_k)
        self.next_open = [np.minimum.accumulate(row[::-1])[::-1].tolist() + [n_k] for row in open_k]
        # Per follow-up kind (indexed by kind: no hashing per follow-up): its keyed delay
        # uniforms, delay quantile function, switch matrix as cumulative rows without their last
        # entry (the channel is bisect_right(row, u)) and plain delay stream.
        self.follow_ups: list[tuple[Any, Any, list[list[float]], PlainDraws] | None] = [None] * 3
        if b.retry_delay is not None and keyed is not None:
            self.follow_ups[_RETRY] = (
                keyed.u[U_RETRY_DELAY],
                b.retry_delay.quantile_function(),
                np.cumsum(b.retry_switch, axis=1)[:, :-1].tolist(),
                PlainDraws(streams.stream("retry_delay"), b.retry_delay.sample),
            )
        if centre.has_repeats and b.repeat_delay is not None and keyed is not None:
            self.follow_ups[_REPEAT] = (
                keyed.u[U_REPEAT_DELAY],
                b.repeat_delay.quantile_function(),
                np.cumsum(b.repeat_switch, axis=1)[:, :-1].tolist(),
                PlainDraws(streams.stream("repeat_delay"), b.repeat_delay.sample),
            )
        follows = any(self.follow_ups)
        self.keyed_switch: Any = keyed.u[U_SWITCH] if follows and keyed is not None else None
        retries = self.follow_ups[_RETRY] is not None
        self.keyed_retry: Any = keyed.u[U_RETRY] if retries and keyed is not None else None
        self.on_follow_up_cb = (self._on_follow_up,)
        self.on_tolerance_cb = (self._on_tolerance,)
        self.tolerance_due = self._first_tolerances(centre, customers, core)

    def wire(self, core: Core, staffing_after: list[Callable[[int], None]]) -> None:
        """Plug the journeys this centre has into the core (and the interval tick)."""
        if self.follow_ups[_RETRY] is not None:
            core.retry = self.retry
        if self.follow_ups[_REPEAT] is not None:
            core.repeat = self.repeat
        core.on_tolerance = self.on_tolerance_cb
        if any(self.tolerance_due):
            staffing_after.append(self.on_interval)

    def _first_tolerances(self, centre: Centre, customers: Customers, core: Core) -> list[Any]:
        """First contacts' async tolerance timers, listed per interval up front.

        A first contact's tolerance (arrival + patience) is known from the start: it is set at
        that interval's tick if the contact still waits (or has yet to arrive: its timer then
        finds out), instead of a calendar timer each as it queues. Nearly every e-mail queues,
        and most are answered long before their customer would chase. Contacts a chatbot may
        front queue later and keep the calendar timer (``core.tolerance_on_queue``)."""
        n_k, dt, n_in = centre.n_intervals, centre.interval_s, core.n_intents
        due: list[list[int]] = [[] for _ in range(n_k)]
        asyncs = np.array(core.has_patience) & np.array(core.is_async)
        if asyncs.any():
            key = customers.channel.astype(np.int64) * n_in + customers.intent
            on_queue = np.array(core.tolerance_on_queue, dtype=bool)
            first = np.flatnonzero(asyncs[customers.channel] & ~on_queue[key])
            # The interval as the calendar parks a timer (numpy's floor_divide on floats is
            # Python's //), then the contacts of each interval in id order (a stable sort).
            k = np.floor_divide(customers.arrival_s[first] + customers.patience_s[first], dt)
            keep = k < n_k
            first, k = first[keep], k[keep].astype(np.int64)
            ids = first[np.argsort(k, kind="stable")].tolist()
            ends = np.cumsum(np.bincount(k, minlength=n_k)).tolist()
            due = [ids[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        return due

    def on_interval(self, k: int) -> None:
        """Interval ``k`` starts: the tolerance timers of first contacts due in it, for those
        still waiting (or yet to arrive)."""
        due = self.tolerance_due[k]
        if due:
            env, state, arrival, patience = self.env, self.state, self.arrival, self.patience
            now = env.now
            for i in due:
                if state[i] == _WAITING:
                    t = arrival[i] + patience[i]
                    at_time(env, t if t >= now else now, i, self.on_tolerance_cb)

    def retry(self, i: int, c: int) -> None:
        """Contact ``i`` of channel ``c`` abandoned: its customer may try again."""
        # KeyedUniform.uniform(i, U_RETRY), inlined: one call less per abandonment.
        k = self.slot[i]
        u = self.keyed_retry[self.customer[i] * ROWS + k] if k <= SLOTS else self.plain_u()
        if u < self.retry_prob[c]:
            self.follow_up(i, _RETRY)

    def repeat(self, i: int) -> None:
        """Unresolved contact ``i`` ended: its customer comes back. Context carried with it
        cuts that chance: 1 - FCR becomes x repeat_factor."""
        if (
            not self.context[i]
            or self.resolve_u[i] >= 1.0 - (1.0 - self.fcr[self.intent[i]]) * self.context_repeat
        ):
            self.follow_up(i, _REPEAT)

    def _on_tolerance(self, event: At) -> None:
        """An async customer still unanswered after their tolerance chases on the chaser channel."""
        i = event.value
        c = self.chaser
        if self.state[i] == _WAITING and c is not None:
            t = self.env.now
            k = int(t // self.interval_s)
            if self.next_open[c][k] != k:
                t = self.when_open(c, t, k)
                if t < 0.0:
                    return
            # Void once contact i is answered (the calendar drops it; _on_follow_up checks).
            args = (c, _CHASER, i, self.intent[i], self.customer[i])
            self.calendar_at(t, args, self.on_follow_up_cb, i)

    def follow_up(self, i: int, kind: int) -> None:
        """A retry (after abandonment) or repeat (unresolved) of contact ``i``: when and on which
        channel come from ``i``'s keyed draws. After the horizon it never arrives."""
        keyed_delay, delay_q, switch_cdf, plain = self.follow_ups[kind]  # type: ignore[misc]
        k = self.slot[i]
        if k <= SLOTS:
            row = self.customer[i] * ROWS + k
            t = self.env.now + delay_q(keyed_delay[row])
            kt = int(t // self.interval_s)
            if kt >= self.n_intervals:
                return  # a keyed draw: the channel draw need not be read
            u = self.keyed_switch[row]
        else:
            u = self.plain_u()  # plain streams: drawn in this order whatever happens next
            t = self.env.now + plain()
            kt = int(t // self.interval_s)
            if kt >= self.n_intervals:
                return
        c = bisect_right(switch_cdf[self.channel[i]], u)
        if self.next_open[c][kt] != kt:
            t = self.when_open(c, t, kt)
            if t < 0.0:
                return
            kt = int(t // self.interval_s)
        # The follow-up's intent and customer travel with it: read now, while contact i is in
        # the cache, not days later.
        args = (c, kind, i, self.intent[i], self.customer[i])
        self.calendar_at_interval(t, kt, args, self.on_follow_up_cb)

    def when_open(self, c: int, t: float, k: int) -> float:
        """When a contact due at ``t`` (in interval ``k``) on channel ``c`` comes, if the line is
        closed then; -1 if never.

        Customers do not call a closed line: a contact that would come while channel ``c`` has
        no arrivals planned (outside opening hours) comes in the next open interval instead, at
        the same offset within the interval; after the horizon it never arrives.
        """
        k_open = self.next_open[c][k]
        if k_open >= self.n_intervals:
            return -1.0
        dt = self.interval_s
        now = self.env.now
        return now + (k_open * dt + (t - k * dt) - now)  # the float a relative timer would give

    def _on_follow_up(self, event: At) -> None:
        c, kind, origin, intent, cust = event.value
        if kind == _CHASER and self.state[origin] != _WAITING:
            return  # answered while the chaser waited for the line to open: no need to chase
        i = self.create(c, intent, cust, kind)
        if kind == _RETRY and self.keep_patience[c]:
            # Drawn in create all the same: every later draw stays as with redraw.
            self.patience[i] = self.patience[origin]
        if (
            self.context_share
            and c != self.channel[origin]
            and self.uniform(i, U_CONTEXT) < self.context_share
        ):
            self.context[i] = 1  # a channel switch that keeps the customer's history
            self.handle[i] *= self.context_handle
        self.arrive(i, self.env.now)
