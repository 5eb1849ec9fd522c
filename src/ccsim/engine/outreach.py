"""The outreach lever, as the engine sees it: outbound-call campaigns. A customer whose call
ended (handled) before they would have contacted stays away. Notices (SMS, e-mail, push) are
decided before the run (``ccsim.engine.arrivals``); calls only as they are worked."""

from __future__ import annotations

from ccsim.engine.clock import At
from ccsim.engine.contacts import Contacts
from ccsim.engine.core import Core
from ccsim.model.records import Outcome

__all__ = ["OutboundCalls"]

_HANDLED = int(Outcome.HANDLED)
_PREVENTED = int(Outcome.PREVENTED)


class OutboundCalls:
    """Checks each first contact's outbound call before it arrives (the core's base arrival)."""

    __slots__ = ("notify", "state", "end", "arrival", "on_base_arrival")

    def __init__(self, notify: list[int], contacts: Contacts, core: Core) -> None:
        self.notify = notify  # per first contact: its outbound call's contact id, or -1
        self.state, self.end, self.arrival = contacts.state, contacts.end, contacts.arrival
        self.on_base_arrival = core.on_base_arrival

    def wire(self, core: Core) -> None:
        core.set_base_arrival((self.arrive,))

    def arrive(self, event: At) -> None:
        i = event.value
        j = self.notify[i]
        if j >= 0 and self.state[j] == _HANDLED and self.end[j] <= self.arrival[i]:
            self.state[i] = _PREVENTED  # their outbound call reached them in time
            self.end[i] = self.arrival[i]
        self.on_base_arrival(event)
