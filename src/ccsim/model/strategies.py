"""The typed strategies the engine runs: the levers that shrink the demand delta.

Built at the config boundary by :mod:`ccsim.config.strategies`. Strategies that only change the
centre's plan (FCR, staffing, cross-training, workload shifting) are applied to the centre's
config there and leave no trace here; the ones below change what happens to contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ccsim.model.distributions import Distribution
from ccsim.model.records import ContactKind

__all__ = [
    "ChatbotSpec",
    "ContextSpec",
    "CallbackSpec",
    "OutreachSpec",
    "Strategies",
    "NO_STRATEGIES",
    "BOT_FIRST_KINDS",
]

# The contacts a chatbot meets first when it fronts their channel and intent; chasers, outbound
# calls and customers the bot already sent to another channel go straight to the agents.
BOT_FIRST_KINDS = (ContactKind.NEW, ContactKind.RETRY, ContactKind.REPEAT, ContactKind.REPLY)


@dataclass(frozen=True)
class ChatbotSpec:
    """A self-service front door.

    ``fronted[c, j]``: the bot answers channel c, intent j first. ``containment[c, j]``: the
    probability that a session resolves the contact. Escalations keep their context with
    probability ``context_share`` (handle time x ``context_factor``), otherwise the customer
    repeats the story (x ``no_context_factor``). ``switch[c, c2]``: where a customer whose session
    failed goes (c2 == c: escalated to agents on the same channel). ``capacity``: simultaneous
    sessions (None: unlimited); a contact that finds the bot full goes straight to the agents.
    """

    fronted: np.ndarray
    containment: np.ndarray
    session: Distribution
    context_share: float
    context_factor: float
    no_context_factor: float
    switch: np.ndarray
    capacity: int | None


@dataclass(frozen=True)
class ContextSpec:
    """Omnichannel context: ``share`` of escalations and channel switches arrive with the
    customer's history; their handle time is multiplied by ``handle_factor`` and their chance of
    being unresolved (1 - FCR) by ``repeat_factor``."""

    share: float
    handle_factor: float
    repeat_factor: float


@dataclass(frozen=True)
class CallbackSpec:
    """Virtual hold on the channels in ``channels`` (bool per channel).

    An arriving customer who would expect to wait more than ``threshold_s`` is offered a
    callback and accepts with probability ``acceptance``; they then wait off-line (no
    abandonment). Callbacks are worked after live contacts, by an agent who leaves at least
    ``min_idle_agents`` colleagues of its pool idle, and first of all once ``deadline_s`` has
    passed since the request.
    """

    channels: tuple[bool, ...]
    threshold_s: float
    acceptance: float
    min_idle_agents: int
    deadline_s: float


@dataclass(frozen=True)
class OutreachSpec:
    """A proactive campaign tied to demand event ``event`` (an index into ``Centre.events``).

    Customers the event brings who would contact at or after ``notify_s`` (the event's start plus
    the lead time) were notified with probability ``reach``; a notified customer does not
    contact with probability ``prevention``. The notification itself brings replies:
    ``replies_per_notified`` contacts per notified customer on ``reply_channel``, after
    ``reply_delay``. ``audience``: customers notified = reach x audience.
    Outbound calls (``call_channel`` set: an internal channel served by the campaign's pool) cost
    agent time: one call per customer to notify, connected with probability ``contact_rate``
    (a connected call takes the call channel's handle time, an attempt ``attempt_s``). A
    customer is notified only by a connected call that ends before they would have contacted
    (the engine checks as they arrive; see ``Customers.notify``).
    """

    name: str
    event: int
    notify_s: float
    reach: float
    prevention: float
    audience: float
    replies_per_notified: float
    reply_channel: int | None
    reply_delay: Distribution | None
    call_channel: int | None
    contact_rate: float
    attempt_s: float
    # Set per run from the event's (day-adjusted) rates by :meth:`with_event`.
    event_rate_total: float = 0.0  # contacts the event brings
    event_intent_share: tuple[float, ...] = ()  # their split by intent

    def with_event(self, event_rate_per_s: np.ndarray, interval_s: float) -> OutreachSpec:
        """This campaign with its event's expected contacts (``[c, j, k]`` rates)."""
        per_intent = event_rate_per_s.sum(axis=(0, 2)) * interval_s
        total = float(per_intent.sum())
        share = per_intent / total if total > 0 else np.full(per_intent.size, 1 / per_intent.size)
        return replace(self, event_rate_total=total, event_intent_share=tuple(share.tolist()))


@dataclass(frozen=True)
class Strategies:
    """The contact-level strategies of a run; ``names``: all strategies on, in schema order."""

    names: tuple[str, ...] = ()
    chatbot: ChatbotSpec | None = None
    context: ContextSpec | None = None
    callbacks: CallbackSpec | None = None
    outreach: tuple[OutreachSpec, ...] = ()


NO_STRATEGIES = Strategies()
