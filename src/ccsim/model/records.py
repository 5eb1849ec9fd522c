"""Per-contact records of one run, kept as columns (numpy arrays), never one object per contact."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np

__all__ = ["Outcome", "ContactKind", "ContactRecords"]


class Outcome(IntEnum):
    """Where a contact is when the run ends. Exactly one per arrival (conservation)."""

    WAITING = 0  # still in the queue at the horizon
    IN_SERVICE = 1  # answered, being handled at the horizon
    HANDLED = 2  # answered and finished
    ABANDONED = 3  # left the queue before being answered
    BLOCKED = 4  # found the waiting room full
    CONTAINED = 5  # resolved by the chatbot, never reached an agent
    PREVENTED = 6  # proactive notice: the customer did not contact after all
    IN_BOT = 7  # in a chatbot session at the horizon
    SWITCHED = 8  # left a failed chatbot session for another channel (a new contact follows)
    CLEARED = 9  # still waiting live when the centre closed its queues (``at_close: clear``)


class ContactKind(IntEnum):
    """Why a contact exists. Every kind is a new arrival, linked to its customer by id."""

    NEW = 0  # a customer's first contact
    RETRY = 1  # tries again after abandoning
    REPEAT = 2  # comes back because the problem was not resolved (1 - FCR)
    CHASER = 3  # chases an async contact not answered within their own tolerance
    REPLY = 4  # a reply to a proactive notification (the notification itself brought it)
    OUTBOUND = 5  # an outbound call of a proactive campaign: agent work, no customer waiting
    BOT_SWITCH = 6  # comes on another channel after a failed chatbot session


@dataclass(frozen=True)
class ContactRecords:
    """One row per arrival. Times are seconds from the start of the run. The customers who
    arrive of their own accord come first, in arrival order; retries, repeats and chasers
    follow in the order they arrived (so the rows are not sorted by arrival time overall).

    ``answer_s`` is NaN for contacts never answered; ``end_s`` is the time the contact left
    (service end, abandonment, blocking or clearing) and NaN for contacts still in the system.
    With ``at_close`` ``serve_out`` or ``clear``, service goes on after the horizon: ``end_s``
    (and, served out, ``answer_s``) may then be past ``horizon_s``.
    ``handle_s`` and ``patience_s`` are the customer's drawn attributes (patience is +inf when
    customers never abandon), kept even when unused; ``handle_s`` includes the factors of
    strategies that change the work a contact brings (context carried across channels).
    ``queued_s``: when the contact joined an agents' queue: its arrival, or the end of its chatbot
    session (NaN if it never reached the agents: contained, prevented, still in the bot, switched).
    ``callback``: 1 when the customer accepted a callback (virtual hold) instead of waiting live.
    """

    arrival_s: np.ndarray
    handle_s: np.ndarray
    patience_s: np.ndarray
    answer_s: np.ndarray
    end_s: np.ndarray
    outcome: np.ndarray
    horizon_s: float
    channel: np.ndarray  # int8 index into Centre.channels
    intent: np.ndarray  # int8 index into Centre.intents
    kind: np.ndarray  # int8 ContactKind
    customer: np.ndarray  # int32 customer id (the index of the customer's first contact)
    pool: np.ndarray  # int8 index of the pool that answered (meaningful where answered)
    queued_s: np.ndarray
    callback: np.ndarray  # int8

    def __len__(self) -> int:
        return len(self.arrival_s)

    @property
    def wait_s(self) -> np.ndarray:
        """Time in the agents' queue: until answer, abandonment, clearing or the horizon; 0 for
        blocked contacts and NaN for contacts that never reached the agents."""
        left_queue = np.where(np.isnan(self.answer_s), self.end_s, self.answer_s)
        left_queue = np.where(np.isnan(left_queue), self.horizon_s, left_queue)
        return left_queue - self.queued_s

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self) if f.name != "horizon_s")
