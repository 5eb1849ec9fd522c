"""The chatbot lever: a bot fronts some (channel, intent) queues. A session contains the
contact, escalates it to the agents of its channel (with or without its context), or sends the
customer to another channel. Bot sessions run in parallel up to the bot's capacity."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ccsim.engine.clock import At, Clock
from ccsim.engine.contacts import Contacts
from ccsim.engine.core import Core
from ccsim.engine.draws import (
    ROWS,
    SLOTS,
    U_BOT_CONTAIN,
    U_BOT_CONTEXT,
    U_BOT_SWITCH,
    U_SESSION,
    CustomerDraws,
)
from ccsim.engine.rng import RandomStreams
from ccsim.model.records import ContactKind, Outcome
from ccsim.model.strategies import BOT_FIRST_KINDS, ChatbotSpec

__all__ = ["Chatbot"]

_WAITING = int(Outcome.WAITING)
_CONTAINED = int(Outcome.CONTAINED)
_IN_BOT = int(Outcome.IN_BOT)
_SWITCHED = int(Outcome.SWITCHED)
_BOT_SWITCH = int(ContactKind.BOT_SWITCH)
# Contacts that meet the chatbot first (when it fronts their channel and intent).
_VIA_BOT = frozenset(int(k) for k in BOT_FIRST_KINDS)


class Chatbot:
    """Wired as the core's ``arrive`` hook: every arriving contact meets it first."""

    __slots__ = tuple(
        """
        env bot channel intent kind state slot customer handle context queued end n_intents
        fronted contain switch_cdf busy context_share rng keyed_session_u session_q uniform
        to_agents create on_bot_end_cb
        """.split()
    )

    def __init__(
        self,
        env: Clock,
        bot: ChatbotSpec,
        context_share: float,
        contacts: Contacts,
        core: Core,
        keyed: CustomerDraws,
        streams: RandomStreams,
        uniform: Callable[[int, int], float],
    ) -> None:
        self.env = env
        self.bot = bot
        ct = contacts
        self.channel, self.intent, self.kind, self.state = ct.channel, ct.intent, ct.kind, ct.state
        self.slot, self.customer, self.handle = ct.slot, ct.customer, ct.handle
        self.context, self.queued, self.end = ct.context, ct.queued, ct.end
        self.create = ct.create
        self.n_intents = core.n_intents
        self.to_agents = core.to_agents
        self.uniform = uniform
        self.fronted = bot.fronted.ravel().tolist()
        self.contain = bot.containment.ravel().tolist()
        self.switch_cdf = np.cumsum(bot.switch, axis=1).tolist()
        self.busy = 0  # sessions running now
        # With context carried across channels too, the larger share keeps its history.
        self.context_share = max(bot.context_share, context_share)
        self.rng = streams.stream("chatbot/session")  # sessions beyond the keyed rows
        self.keyed_session_u = keyed.u[U_SESSION]
        self.session_q = bot.session.quantile_function()
        self.on_bot_end_cb = (self._on_bot_end,)

    def wire(self, core: Core) -> None:
        core.arrive = self.arrive
        # First contacts of fronted queues reach the agents later: their async tolerance timer
        # is set as they queue.
        core.tolerance_on_queue[:] = [bool(f) for f in self.fronted]

    def arrive(self, i: int, now: float) -> None:
        key = self.channel[i] * self.n_intents + self.intent[i]
        if not self.fronted[key] or self.kind[i] not in _VIA_BOT:
            self.to_agents(i, now)
            return
        cap = self.bot.capacity
        if cap is not None and self.busy >= cap:
            self.to_agents(i, now)  # every bot session busy: straight to the agents
            return
        self.busy += 1
        self.state[i] = _IN_BOT
        At(self.env, self._session_s(i), i, self.on_bot_end_cb)

    def _session_s(self, i: int) -> float:
        k = self.slot[i]
        if k <= SLOTS:
            return self.session_q(self.keyed_session_u[self.customer[i] * ROWS + k])
        return float(self.bot.session.sample(self.rng, 1)[0])

    def _on_bot_end(self, event: At) -> None:
        i = event.value
        now = self.env.now
        self.busy -= 1
        c = self.channel[i]
        key = c * self.n_intents + self.intent[i]
        # Keyed uniforms for containment, context kept and channel switch: paired runs contain
        # the same customers, and more of them as containment rises.
        u_contain = self.uniform(i, U_BOT_CONTAIN)
        u_ctx = self.uniform(i, U_BOT_CONTEXT)
        u_switch = self.uniform(i, U_BOT_SWITCH)
        if u_contain < self.contain[key]:
            self.state[i] = _CONTAINED
            self.end[i] = now
            return
        bot = self.bot
        with_ctx = u_ctx < self.context_share
        factor = bot.context_factor if with_ctx else bot.no_context_factor
        row = self.switch_cdf[c]
        to = 0
        while to < len(row) - 1 and u_switch >= row[to]:
            to += 1
        if to == c:  # escalated to the agents of this channel
            self.state[i] = _WAITING
            self.handle[i] *= factor
            self.context[i] = with_ctx
            self.queued[i] = now
            self.to_agents(i, now)
            return
        self.state[i] = _SWITCHED  # the customer leaves the bot for another channel
        self.end[i] = now
        j = self.create(to, self.intent[i], self.customer[i], _BOT_SWITCH)
        self.handle[j] *= factor
        self.context[j] = with_ctx
        self.to_agents(j, now)
