"""One replication: the tables, the core and the centre's levers, wired before the clock starts.

The engine is a core (``ccsim.engine.core``: arrive, queue, answer, abandon, overflow, end)
plus one component per lever present in the centre: staffing, customer journeys (retries,
repeats, chasers, context), the chatbot, callbacks, outbound calls and workload shifting. They
share typed tables (contacts, agents, queues) and call each other through bound methods set
once here: a lever the centre does not have is never built, and nothing loops over components
per event.

Timers due in a later interval (repeat contacts, async tolerance, callback deadlines) wait in
a :class:`Calendar` off SimPy's heap; a tick at each interval boundary changes staffing and
moves the interval's timers onto the heap. These shortcuts change no record
(``tests/engine/test_clock.py`` runs the engine with plain timers too).
"""

from __future__ import annotations

import gc
import math
from typing import Any

from ccsim.engine.agents import Agents
from ccsim.engine.arrivals import Customers
from ccsim.engine.callbacks import Callbacks
from ccsim.engine.chatbot import Chatbot
from ccsim.engine.clock import Calendar, Clock, run_until
from ccsim.engine.closing import clear_live_queues
from ccsim.engine.contacts import Contacts
from ccsim.engine.core import Core
from ccsim.engine.draws import CustomerDraws, KeyedUniform, PlainDraws, uniform
from ccsim.engine.journey import Journeys
from ccsim.engine.outreach import OutboundCalls
from ccsim.engine.queues import Queues
from ccsim.engine.rng import RandomStreams
from ccsim.engine.routing import RoutingState, SkillsPriorityRouter
from ccsim.engine.shifting import WorkloadShifting
from ccsim.engine.staffing import Staffing
from ccsim.model.centre import CLEAR, SERVE_OUT, Centre
from ccsim.model.records import ContactRecords, Outcome

__all__ = ["simulate", "Simulation"]

_WAITING = int(Outcome.WAITING)


class Simulation:
    """A wired replication of ``centre``: :meth:`run` it once."""

    def __init__(self, centre: Centre, customers: Customers, streams: RandomStreams) -> None:
        self.centre = centre
        env = self.env = Clock()
        st, b = centre.strategies, centre.behaviour
        follow_ups = b.retry_delay is not None or centre.has_repeats or b.chaser_channel is not None
        creates = follow_ups or st.chatbot is not None  # contacts created during the run
        keyed = (
            CustomerDraws(len(customers.arrival_s), streams)
            if follow_ups or st.chatbot or st.callbacks or st.context
            else None
        )
        contacts = self.contacts = Contacts(env, centre, customers, streams, keyed, creates)
        n_ch, n_pools = len(centre.channels), len(centre.pools)
        agents = Agents(n_pools, n_ch)
        queues = Queues(centre)
        self.calendar = Calendar(
            env, centre.interval_s, centre.n_intervals, self._on_interval, contacts.state, _WAITING
        )
        view = RoutingState(
            n_intents=queues.n_intents,
            concurrency=[ch.concurrency for ch in centre.channels],
            state=contacts.state,
            channel=contacts.channel,
            queued=contacts.queued,
            agent_pool=agents.pool,
            idle_since=agents.idle_since,
            idle=agents.idle,
            partial=agents.partial,
            pool_queues=queues.pool_queues,
            queue=queues.waiting,
            overflow_queue=queues.overflowed,
            deferred_keys=queues.deferred_keys,
            deferred_min_idle=queues.deferred_min_idle,
        )
        self.router = (centre.router or SkillsPriorityRouter)(view)
        core = Core(env, centre, contacts, agents, queues, self.router, self.calendar.at)
        self.core = core
        self.staffing = Staffing(env, centre, agents, core)
        # Contacts beyond their keyed rows share one plain stream for their decisions.
        plain_u = PlainDraws(streams.stream("behaviour"), uniform)
        keyed_u = KeyedUniform(keyed, contacts.slot, contacts.customer, plain_u).uniform
        self.components: list[Any] = [contacts, core, self.staffing]
        if core.shared_service is not None:  # processor sharing: freed with the core (close)
            self.components.append(core.shared_service)
        if st.chatbot is not None and keyed is not None:
            context_share = 0.0 if st.context is None else st.context.share
            bot = Chatbot(env, st.chatbot, context_share, contacts, core, keyed, streams, keyed_u)
            bot.wire(core)  # before the journeys: their follow-ups meet the bot too
            self.components.append(bot)
        journeys = Journeys(
            env,
            centre,
            customers,
            contacts,
            core,
            keyed,
            streams,
            plain_u,
            keyed_u,
            self.calendar.at,
            self.calendar.at_interval,
        )
        journeys.wire(core, self.staffing.after)
        self.components.append(journeys)
        self.callbacks: Callbacks | None = None
        if st.callbacks is not None:
            cbs = Callbacks(
                env, st.callbacks, centre, contacts, agents, core, keyed_u, self.calendar.at
            )
            cbs.wire(core)
            self.components.append(cbs)
            self.callbacks = cbs
        if customers.notify is not None:
            calls = OutboundCalls(customers.notify.tolist(), contacts, core)
            calls.wire(core)
            self.components.append(calls)
        if any(queues.deferred_pools):
            shifting = WorkloadShifting(queues, agents, core)
            shifting.wire(core)
            self.components.append(shifting)

    def _on_interval(self, k: int) -> None:
        self.staffing.on_interval(k)

    def run(self) -> ContactRecords:
        self.calendar.start()  # interval 0's staffing comes first
        self.core.schedule_first_arrival()
        horizon_s = self.centre.horizon_s
        run_until(self.env, horizon_s)
        at_close = self.centre.at_close  # the close (ccsim.engine.closing)
        if at_close == CLEAR:
            clear_live_queues(self.contacts, self.core, horizon_s)
        elif at_close == SERVE_OUT:
            if self.callbacks is not None:
                self.callbacks.serve_out(horizon_s, self.core.take_work)
            # No arrivals past the horizon: the heap holds the work in hand, bot sessions and
            # patience timers, and empties.
            run_until(self.env, math.inf)
        return self.contacts.records(horizon_s)

    def close(self) -> None:
        """Free the run at once: components refer to each other (bound methods) and the event
        heap to them; dropping those references lets reference counting free everything,
        instead of the next garbage collection walking all the run built to find the cycles."""
        self.env.close()
        for component in self.components:
            for name in type(component).__slots__:
                if hasattr(component, name):
                    delattr(component, name)
        self.components.clear()
        self.__dict__.clear()


def simulate(centre: Centre, customers: Customers, streams: RandomStreams) -> ContactRecords:
    """Run one replication of ``centre`` for the given customers; returns per-contact records."""
    # No cyclic garbage collection meanwhile (as timeit does): a run makes no reference cycles
    # per event, but it keeps thousands of containers alive for days of simulated time (the
    # calendar), and each collection would walk them again. Restored on return, even on error.
    collecting = gc.isenabled()
    gc.disable()
    sim = None
    try:
        sim = Simulation(centre, customers, streams)
        return sim.run()
    finally:
        if sim is not None:
            sim.close()
        if collecting:
            gc.enable()
