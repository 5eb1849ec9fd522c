"""Scheduling on SimPy's event heap: the lightest timeout, a stepping loop, and a calendar that
keeps far-future timers off the heap until their interval starts.

Why a calendar? Every push and pop on SimPy's heap costs a comparison per level, and a
multichannel week keeps thousands of timers pending for hours or days (repeat contacts due in
1-4 days, e-mail tolerance timers of a day and more) next to the few dozen that matter in the
next minutes. Parked in per-interval buckets, they join the heap when their interval starts,
at their own time: the order of events is the same, the heap stays small.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL

__all__ = ["Clock", "At", "Callbacks", "at_time", "run_until", "Calendar"]

# What an event runs when it fires: a tuple, built once per callback and shared by all its
# events (Environment.step only iterates it), where simpy builds a list per event.
Callbacks = tuple[Callable[["At"], None], ...]


class Clock(simpy.Environment):
    """A SimPy environment whose current time is a plain attribute, ``now``.

    SimPy keeps the time in ``_now`` behind a read-only ``now`` property. The engine reads the
    time at nearly every event; here ``now`` is an ordinary attribute (as fast to read as
    ``_now``, and public), and ``_now`` is the property, for SimPy's own methods. Only this
    module touches SimPy's internals (``_queue``, ``_eid``): the rest of the engine reads
    ``now`` and schedules through :class:`At`, :func:`at_time` and :class:`Calendar`.
    """

    now: float = 0.0  # shadows Environment.now (a property); set per instance

    @property  # type: ignore[override]
    def _now(self) -> float:
        return self.now

    @_now.setter
    def _now(self, value: float) -> None:
        self.now = value

    def close(self) -> None:
        """Drop the events still pending at the horizon (they hold the engine's callbacks)."""
        self._queue.clear()


class At:
    """A timeout carrying a value and its callbacks: the lightest event SimPy runs.

    Like ``simpy.Timeout`` without its argument checks, and with a shared callbacks tuple
    (:data:`Callbacks`) instead of a list made per event; delays here are durations drawn
    from non-negative distributions. It pushes onto the environment's event heap as
    ``Environment.schedule`` does (simpy 4's heap entry layout, pinned in pyproject.toml).

    Not a subclass of ``simpy.Event``: an Event instance carries a ``__dict__``, and two slots
    are all that ``Environment.step`` (``callbacks``, ``_ok``) and our callbacks (``value``)
    read: one allocation less per event. Nothing yields an ``At`` from a process, which would
    need the rest of Event's interface and a list to append to.
    """

    __slots__ = ("callbacks", "value")
    _ok = True  # always succeeds; a class attribute saves a store per event

    def __init__(self, env: Clock, delay: float, value: Any, callbacks: Callbacks) -> None:
        # Only what Environment.step reads (callbacks, _ok) and our callbacks read (value).
        self.callbacks = callbacks
        self.value = value
        # Environment.schedule, inlined: the same heap entry, one method call less per event.
        # (simpy types its heap as holding Events; SimPy itself only reads what At has.)
        heappush(env._queue, (env.now + delay, NORMAL, next(env._eid), self))  # type: ignore[misc]


def at_time(env: Clock, t: float, value: Any, callbacks: Callbacks) -> None:
    """An :class:`At` event at the absolute time ``t`` (not ``now + (t - now)``, which may
    differ from ``t`` in the last bit)."""
    event = At.__new__(At)
    event.callbacks = callbacks
    event.value = value
    heappush(env._queue, (t, NORMAL, next(env._eid), event))  # type: ignore[misc]


def run_until(env: Clock, horizon_s: float) -> None:
    """``env.run(until=horizon_s)`` for events that never fail: ``Environment.step`` inlined
    into one loop over SimPy's own heap (same order, same clock), saving a method call and a
    try block per event. Events at exactly the horizon stay unprocessed, as with ``run``."""
    queue = env._queue
    while queue and queue[0][0] < horizon_s:
        env.now, _, _, event = heappop(queue)
        callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):
            raise event._value  # a failed SimPy event crashes the run, as in step()
    env.now = horizon_s


class Calendar:
    """Timers due after the current interval wait in a bucket per interval.

    ``at(t, value, callbacks)`` schedules ``callbacks`` at the absolute time ``t`` (an
    :class:`At` event whose value is ``value``). A single chained tick at each interval
    boundary calls ``on_interval(k)`` first, then moves bucket ``k`` onto the heap in the order
    its timers were set (ties at one instant keep their order, as on the heap). Timers at or
    after the horizon never run and are dropped.

    A timer that only matters while a contact waits (``waiting=i``: an async customer's
    tolerance, a callback deadline, a chaser) is dropped when its interval starts if the
    contact no longer waits (``state[i] != waiting_code``): its callback would do nothing.
    Most e-mails are answered long before their customer would chase them.
    """

    def __init__(
        self,
        env: Clock,
        interval_s: float,
        n_intervals: int,
        on_interval: Callable[[int], None],
        state: bytearray,
        waiting_code: int,
    ) -> None:
        self.env = env
        self.state = state
        self.waiting_code = waiting_code
        self.interval_s = interval_s
        self.n_intervals = n_intervals
        self.on_interval = on_interval
        self.k = 0  # the interval now running
        self.window_end = interval_s  # timers before this go straight onto the heap
        self._buckets: list[list[tuple[float, Any, Callbacks, int]]] = [
            [] for _ in range(n_intervals)
        ]

    def start(self) -> None:
        """Schedule the first tick (interval 0 at time 0); call before anything else runs."""
        at_time(self.env, 0.0, 0, (self._tick,))

    def at(self, t: float, value: Any, callbacks: Callbacks, waiting: int = -1) -> None:
        self.at_interval(t, int(t // self.interval_s), value, callbacks, waiting)

    def at_interval(
        self, t: float, k: int, value: Any, callbacks: Callbacks, waiting: int = -1
    ) -> None:
        """``at`` for a caller that has the interval ``k = int(t // interval_s)`` at hand."""
        if t < self.window_end:
            at_time(self.env, t, value, callbacks)
            return
        if k <= self.k:  # rounding put t // interval_s one lower: not before the next interval
            k = self.k + 1
        if k < self.n_intervals:
            self._buckets[k].append((t, value, callbacks, waiting))

    def _tick(self, event: At) -> None:
        k = event.value
        env = self.env
        self.k = k
        self.window_end = (k + 1) * self.interval_s
        self.on_interval(k)
        bucket = self._buckets[k]
        if bucket:
            now = env.now
            state, waiting_code = self.state, self.waiting_code
            queue: list[Any] = env._queue
            eid = env._eid
            for t, value, callbacks, waiting in bucket:
                if waiting < 0 or state[waiting] == waiting_code:
                    # at_time inlined (one call less per timer). Not before now: k * interval_s
                    # may round above a timer's own time by a bit.
                    event = At.__new__(At)
                    event.callbacks = callbacks
                    event.value = value
                    heappush(queue, (t if t >= now else now, NORMAL, next(eid), event))
            self._buckets[k] = []
        if k + 1 < self.n_intervals:
            # A tuple made per tick, not kept: kept, it would tie the calendar to itself, a
            # cycle that only the garbage collector frees (an engine frees its run at once).
            at_time(env, self.window_end, k + 1, (self._tick,))
