"""What happened to each contact, as boolean masks over the contact records.

The interval, total and intent metrics all count and average over these masks, so that a
figure means the same thing in every table (``intervals.csv``, ``summary.json``, the report).
"""

from __future__ import annotations

import numpy as np

from ccsim.model.centre import ASYNC, CLEAR, Centre
from ccsim.model.records import ContactKind, ContactRecords, Outcome

__all__ = ["COUNT_KEYS", "ContactFlags", "with_cleared"]

# Contact counts, by interval and in total: each is the number of contacts in a mask that
# ``ContactFlags.count_masks`` defines once for both. Every contact is in exactly one of
# prevented, contained, bot_switched, handled, abandoned, blocked, in_system_at_end (and
# cleared, where counted): the conservation the tests check.
COUNT_KEYS = (
    "offered",
    "new",
    "retries",
    "repeats",
    "chasers",
    "channel_switches",
    "prevented",
    "contained",
    "bot_switched",
    "to_agents",
    "callbacks",
    "answered",
    "handled",
    "abandoned",
    "blocked",
    "in_system_at_end",
)


def with_cleared(keys: tuple[str, ...], centre: Centre) -> tuple[str, ...]:
    """``keys``, with ``cleared`` after ``in_system_at_end`` where the centre clears its live
    queues at the close (``at_close: clear``): only such runs count it, so every other run's
    tables keep their columns."""
    if centre.at_close != CLEAR:
        return keys
    i = keys.index("in_system_at_end") + 1
    return (*keys[:i], "cleared", *keys[i:])


class ContactFlags:
    """Per-contact facts shared by the interval, total and intent metrics.

    Queue figures (service level, waits, abandonment rate) are over contacts that reached the
    agents (``to_agents``); callbacks are left out of the live-answer figures (the customer was
    not waiting on the line) and counted apart.
    """

    def __init__(self, centre: Centre, records: ContactRecords) -> None:
        o = records.outcome
        self.target = np.array([ch.target_s for ch in centre.channels])[records.channel]
        self.to_agents = ~np.isnan(records.queued_s)
        self.wait = np.where(self.to_agents, records.wait_s, 0.0)
        self.callback = records.callback.astype(bool)
        live = self.to_agents & ~self.callback
        self.live = live
        self.answered = (o == Outcome.IN_SERVICE) | (o == Outcome.HANDLED)
        self.handled = o == Outcome.HANDLED
        self.abandoned = o == Outcome.ABANDONED
        self.blocked = o == Outcome.BLOCKED
        self.waiting = o == Outcome.WAITING
        self.prevented = o == Outcome.PREVENTED
        self.contained = o == Outcome.CONTAINED
        self.bot_switched = o == Outcome.SWITCHED
        self.cleared = o == Outcome.CLEARED  # still waiting live at the close (at_close: clear)
        self.in_system = self.waiting | (o == Outcome.IN_SERVICE) | (o == Outcome.IN_BOT)
        self.decided = live & ~(self.waiting & (self.wait < self.target))
        self.answered_in_t = live & self.answered & (self.wait <= self.target)
        self.left_queue = live & (self.answered | self.abandoned)
        self.left_queue_in_t = self.left_queue & (self.wait <= self.target)
        self.answered_live = live & self.answered
        first_channel = records.channel[records.customer]
        self.switch = (records.kind != ContactKind.NEW) & (records.channel != first_channel)
        self.is_async = np.array([ch.mode == ASYNC for ch in centre.channels])[records.channel]
        self.late_async = self.is_async & ~self.answered_in_t & self.decided
        kind = records.kind
        self.count_masks = {  # COUNT_KEYS -> the contacts each one counts
            "offered": np.ones(len(records), dtype=bool),
            "new": kind == ContactKind.NEW,
            "retries": kind == ContactKind.RETRY,
            "repeats": kind == ContactKind.REPEAT,
            "chasers": kind == ContactKind.CHASER,
            "channel_switches": self.switch,
            "prevented": self.prevented,
            "contained": self.contained,
            "bot_switched": self.bot_switched,
            "to_agents": self.to_agents,
            "callbacks": self.callback,
            "answered": self.answered,
            "handled": self.handled,
            "abandoned": self.abandoned,
            "blocked": self.blocked,
            "in_system_at_end": self.in_system,
        }
        if centre.at_close == CLEAR:
            self.count_masks["cleared"] = self.cleared
        assert tuple(self.count_masks) == with_cleared(COUNT_KEYS, centre)
