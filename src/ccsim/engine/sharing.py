"""Processor sharing: an agent's concurrent contacts progress at a pace set by how many it holds.

On a channel with ``service: processor_sharing`` a contact's handle time (drawn, times the
intent's and the pool's factors) is *work*: while its agent holds n contacts, each progresses
at rate ``1 / concurrency_factors[n-1]``. Factors ``[1, 2, 3, ...]`` share one agent's
capacity equally; factors below n model the real gain of multitasking.

Why virtual time, not a remaining-work update per contact? All of an agent's contacts progress
at the same rate, so one clock per agent, ``vt`` (work done by each of its contacts since the
agent last had none), advancing at that rate, says it all: a contact started at virtual time v
with work w ends when ``vt`` reaches ``v + w``. Starting or ending a contact changes only the
rate: the finishing points stay, and only the agent's next finishing contact needs an event.
The event queue cannot cancel (SimPy's heap), so a superseded event is left there and ignored
when it fires (it is no longer the agent's ``pending`` one): one event per start or end, not
one per open contact.
"""

from __future__ import annotations

from collections.abc import Callable

from ccsim.engine.clock import At, Clock

__all__ = ["SharedService"]


class SharedService:
    """Per agent, its open contacts' finishing points in virtual time and the one event due.

    ``start(i, a, k, work, now)`` when agent ``a``, holding ``k`` contacts, starts contact
    ``i``; the core's ``on_service_end`` runs (with an event whose value is ``(i, a)``, as for
    fixed durations) when a contact's work is done."""

    __slots__ = (
        "env",
        "agent_channel",
        "factors",
        "on_service_end",
        "finish",
        "vt",
        "since",
        "pending",
        "held",
        "_on_done_cb",
    )

    def __init__(
        self,
        env: Clock,
        agent_channel: list[int],
        factors: list[list[float]],
        on_service_end: Callable[[At], None],
    ) -> None:
        self.env = env
        self.agent_channel = agent_channel  # the channel of each agent's open contacts
        self.factors = factors  # [channel][n-1]: time per unit of work with n contacts open
        self.on_service_end = on_service_end
        # Per agent (grown as agents come on shift): open contact -> virtual finishing point,
        # virtual time at ``since`` (real time of its last change), the event due, if any.
        self.finish: list[dict[int, float]] = []
        self.vt: list[float] = []
        self.since: list[float] = []
        self.pending: list[At | None] = []
        self.held = -1  # an agent whose rescheduling waits until its contact's end is done
        self._on_done_cb = (self._on_done,)

    def start(self, i: int, a: int, k: int, work: float, now: float) -> None:
        """Agent ``a``, holding ``k`` contacts, starts contact ``i`` with ``work`` seconds."""
        if a >= len(self.finish):
            missing = a + 1 - len(self.finish)
            self.finish.extend({} for _ in range(missing))
            self.vt.extend([0.0] * missing)
            self.since.extend([0.0] * missing)
            self.pending.extend([None] * missing)
        if k:
            self.vt[a] += (now - self.since[a]) / self.factors[self.agent_channel[a]][k - 1]
        else:
            self.vt[a] = 0.0  # from scratch: no rounding carried over from earlier contacts
        self.since[a] = now
        self.finish[a][i] = self.vt[a] + work
        if a != self.held:
            self._schedule(a)

    def _schedule(self, a: int) -> None:
        """The event for the agent's next contact to finish, at the rate of its open count."""
        finish = self.finish[a]
        i = min(finish, key=finish.__getitem__)
        left = finish[i] - self.vt[a]
        delay = left * self.factors[self.agent_channel[a]][len(finish) - 1] if left > 0 else 0.0
        self.pending[a] = At(self.env, delay, (i, a), self._on_done_cb)

    def _on_done(self, event: At) -> None:
        i, a = event.value
        if event is not self.pending[a]:
            return  # a start or end on this agent since has rescheduled it
        finish = self.finish[a]
        # The event was timed for vt to reach this point: take it exactly, not the sum of the
        # rate changes since, so that a tie (equal finishing points) ends at the same instant.
        self.vt[a] = finish.pop(i)
        self.since[a] = self.env.now
        self.pending[a] = None
        # The core ends the contact; the agent may take new contacts at once (their starts do
        # not reschedule): then one event for the new count, not one per start.
        self.held = a
        self.on_service_end(event)
        self.held = -1
        if finish:
            self._schedule(a)
