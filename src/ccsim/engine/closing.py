"""The close: what happens at the end of the horizon (``Centre.at_close``).

``stop`` (the default) ends the run there: contacts still waiting, in service or in a bot
session are counted as in the system at the end. ``clear`` ends it there too, but first ends
every contact still waiting on a live (sync) channel as ``CLEARED``, callback requests included;
an async backlog is not cleared (the e-mails stay in the inbox: ``backlog_left``). With
``serve_out`` the run goes on after the horizon with no new arrivals (none are drawn past it;
retries, repeats and chasers due after it never come) and staffing as in the last interval:
calls in hand and bot sessions run to their end, and the agents on the phone work the queues
down, patience timers still running (waits past the close are counted, abandonment included).
A contact no agent on the phone at the close may take stays waiting.
"""

from __future__ import annotations

import numpy as np

from ccsim.engine.contacts import Contacts
from ccsim.engine.core import Core
from ccsim.model.records import Outcome

__all__ = ["clear_live_queues"]

_WAITING = int(Outcome.WAITING)
_CLEARED = int(Outcome.CLEARED)


def clear_live_queues(contacts: Contacts, core: Core, now: float) -> None:
    """End every contact still waiting on a sync channel (callback requests included) as
    ``CLEARED`` at ``now``. Their timers and their places in the queues'
    deques stay: both skip a contact that no longer waits."""
    n = contacts.n
    live = ~np.array(core.is_async, dtype=bool)
    # Copies, not views: a view would pin the columns, which must stay free to grow.
    state = np.frombuffer(contacts.state, dtype=np.uint8, count=n).copy()
    channel = np.frombuffer(contacts.channel, dtype=np.uint8, count=n).copy()
    cleared = np.flatnonzero((state == _WAITING) & live[channel]).tolist()
    for i in cleared:
        contacts.state[i] = _CLEARED
        contacts.end[i] = now
    for c, is_live in enumerate(live.tolist()):
        if is_live:
            core.n_waiting[c] = 0  # the live waiting count (callbacks are not in it)
