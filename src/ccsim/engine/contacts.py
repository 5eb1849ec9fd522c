"""The contacts table: one row per contact in compact columns, grown in place as customers
create follow-ups during the run, and turned into :class:`ContactRecords` at the end.

Contacts are integers (their creation index). Components keep references to the columns they
read, so a column is never replaced, only extended (:meth:`Contacts.grow`).
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from ccsim.engine.arrivals import Customers
from ccsim.engine.clock import Clock
from ccsim.engine.draws import (
    ROWS,
    SLOTS,
    U_HANDLE,
    U_PATIENCE,
    U_RESOLVE,
    CustomerDraws,
    PlainDraws,
    uniform,
)
from ccsim.engine.rng import RandomStreams
from ccsim.model.centre import Centre
from ccsim.model.records import ContactRecords, Outcome

__all__ = ["Contacts"]

_WAITING = int(Outcome.WAITING)
_IN_SERVICE = int(Outcome.IN_SERVICE)
_HANDLED = int(Outcome.HANDLED)
_CONTAINED = int(Outcome.CONTAINED)
_PREVENTED = int(Outcome.PREVENTED)
_IN_BOT = int(Outcome.IN_BOT)
_SWITCHED = int(Outcome.SWITCHED)
CHUNK = 4096  # the least a column grows by
_INF = float("inf")
_COLUMN_DTYPE = {"d": np.float64, "q": np.int64, "B": np.uint8}  # array typecodes


class Contacts:
    """Every contact's attributes and fate.

    Columns (index: contact id): ``arrival``, ``channel``, ``intent``, ``kind``, ``customer``,
    ``handle`` (drawn base handle time, s), ``patience`` (s), ``resolve_u`` (its resolution
    uniform), ``unresolved`` (1: not resolved at first contact), ``answer``, ``end`` (s),
    ``state`` (an :class:`Outcome` code; 0 = waiting), ``pool`` (the answering pool),
    ``queued`` (when it joined the agents' queue), ``callback`` (1: accepted a callback),
    ``context`` (1: arrived with its history) and ``slot`` (its row of the customer's keyed
    draws).
    """

    __slots__ = tuple(
        """
        arrival channel intent kind customer handle patience resolve_u unresolved answer end
        state pool queued callback context slot n n_base capacity _columns env fcr n_follow
        _handle_q _patience_q _keyed_handle _keyed_patience _keyed_resolve _new_handle
        _new_patience _new_u
        """.split()
    )

    def __init__(
        self,
        env: Clock,
        centre: Centre,
        customers: Customers,
        streams: RandomStreams,
        keyed: CustomerDraws | None,
        creates: bool,
    ) -> None:
        """``creates``: the run may create contacts (follow-ups, bot switches). Columns are
        built from numpy's buffers, with room for the contacts the run creates: a busy week
        creates about a quarter as many as come of their own accord, and each :meth:`grow`
        copies every column. A run that creates more still grows them."""
        self.env = env
        n = self.n_base = len(customers.arrival_s)
        room = max(CHUNK, n // 3) if creates else 0

        def column(typecode: str, values: Any = None) -> Any:
            """A column of n contacts (``values``, else zeros) and ``room`` zeros after them."""
            buf = np.zeros(n + room, dtype=_COLUMN_DTYPE[typecode])
            if values is not None:
                buf[:n] = values
            return bytearray(buf.tobytes()) if typecode == "B" else array(typecode, buf.tobytes())

        self.fcr = [it.fcr for it in centre.intents]
        self.arrival = column("d", customers.arrival_s)
        self.channel = column("B", customers.channel)
        self.intent = column("B", customers.intent)
        self.kind = column("B", customers.kind)
        self.customer = column("q", np.arange(n))
        self.handle = column("d", customers.handle_s)
        self.patience = column("d", customers.patience_s)
        self.resolve_u = column("d", customers.resolve_u)  # compared with FCR: no rounding
        # Known from the start: resolve_u >= the intent's FCR.
        fcr = np.array(self.fcr, dtype=np.float64)
        self.unresolved = column("B", customers.resolve_u >= fcr[customers.intent])
        self.answer = column("d")
        self.end = column("d")
        self.state = column("B")
        if customers.prevented is not None and customers.prevented.any():
            for i in np.flatnonzero(customers.prevented).tolist():
                self.state[i] = _PREVENTED  # a proactive notice: this customer never comes
                self.end[i] = self.arrival[i]
        self.pool = column("B")
        self.queued = column("d", customers.arrival_s)  # joined the agents' queue (later: bot)
        self.callback = column("B")
        self.context = column("B")
        self.slot = column("B")
        self.n, self.capacity = n, n + room  # contacts so far, room in the columns
        self._columns: list[Any] = [
            self.arrival, self.channel, self.intent, self.kind, self.customer, self.handle,
            self.patience, self.resolve_u, self.answer, self.end, self.state, self.pool,
            self.queued, self.callback, self.context, self.slot, self.unresolved,
        ]  # fmt: skip
        # -- what a created contact draws ----------------------------------------------------
        chans = centre.channels
        self.n_follow = array("i", bytes(4 * n))  # follow-ups per customer so far
        if creates and keyed is not None:
            # Keyed resolution, handle time and patience, through each channel's quantile
            # function; plain streams for a customer's later follow-ups.
            self._keyed_resolve: Any = keyed.u[U_RESOLVE]
            self._keyed_handle = keyed.u[U_HANDLE]
            self._keyed_patience = keyed.u[U_PATIENCE]
            self._handle_q = [ch.handle_time.quantile_function() for ch in chans]
            self._patience_q = [
                None if ch.patience is None else ch.patience.quantile_function() for ch in chans
            ]
        self._new_handle = [
            PlainDraws(streams.stream(f"handle_time/{ch.name}/new"), ch.handle_time.sample)
            for ch in chans
        ]
        self._new_patience = [
            PlainDraws(streams.stream(f"patience/{ch.name}/new"), ch.patience.sample)
            if ch.patience is not None
            else None
            for ch in chans
        ]
        self._new_u = PlainDraws(streams.stream("resolution/new"), uniform)

    def create(self, c: int, j: int, cust: int, kind: int) -> int:
        """A new contact (a follow-up of customer ``cust``, on channel ``c`` with intent ``j``)
        arriving now; returns its id.

        Columns have room beyond the last contact, zero-filled: its answer, end, pool, callback
        and context flags start at 0 and its state at waiting (0)."""
        i = self.n
        if i == self.capacity:
            self.grow()
        self.n = i + 1
        now = self.env.now
        self.arrival[i] = now
        self.queued[i] = now
        self.channel[i] = c
        self.intent[i] = j
        self.kind[i] = kind
        self.customer[i] = cust
        k = self.n_follow[cust] + 1  # this customer's k-th follow-up
        self.n_follow[cust] = k
        if k <= SLOTS:
            self.slot[i] = k
            row = cust * SLOTS + k - 1
            self.handle[i] = self._handle_q[c](self._keyed_handle[row])
            pat_q = self._patience_q[c]
            self.patience[i] = _INF if pat_q is None else pat_q(self._keyed_patience[row])
            u = self._keyed_resolve[cust * ROWS + k]
        else:
            self.slot[i] = k if k < 255 else 255
            self.handle[i] = self._new_handle[c]()
            pat = self._new_patience[c]
            self.patience[i] = pat() if pat is not None else _INF
            u = self._new_u()
        self.resolve_u[i] = u
        self.unresolved[i] = u >= self.fcr[j]
        return i

    def grow(self) -> None:
        """Room for more contacts: every column grows in place (components, routers and the
        calendar hold references to them), by a quarter of its size and at least a chunk."""
        extra = max(CHUNK, self.capacity // 4)
        for col in self._columns:
            if isinstance(col, array):
                col.frombytes(bytes(col.itemsize * extra))
            else:
                col.extend(bytes(extra))
        self.capacity += extra

    def records(self, horizon_s: float) -> ContactRecords:
        """The run's contacts as numpy arrays; times that did not happen are NaN."""
        n = self.n

        def col(values: Any, dtype: Any) -> np.ndarray:
            return np.frombuffer(values, dtype=dtype, count=n).copy()  # the contacts, not the room

        outcome = col(self.state, np.int8)
        answer = col(self.answer, np.float64)
        end = col(self.end, np.float64)
        answered = (outcome == _IN_SERVICE) | (outcome == _HANDLED)
        answer[~answered] = np.nan
        end[(outcome == _WAITING) | (outcome == _IN_SERVICE) | (outcome == _IN_BOT)] = np.nan
        queued = col(self.queued, np.float64)
        never_queued = (
            (outcome == _CONTAINED)
            | (outcome == _PREVENTED)
            | (outcome == _IN_BOT)
            | (outcome == _SWITCHED)
        )
        queued[never_queued] = np.nan
        return ContactRecords(
            arrival_s=col(self.arrival, np.float64),
            handle_s=col(self.handle, np.float64),
            patience_s=col(self.patience, np.float64),
            answer_s=answer,
            end_s=end,
            outcome=outcome,
            horizon_s=horizon_s,
            channel=col(self.channel, np.int8),
            intent=col(self.intent, np.int8),
            kind=col(self.kind, np.int8),
            customer=col(self.customer, np.int64).astype(np.int32),
            pool=col(self.pool, np.int8),
            queued_s=queued,
            callback=col(self.callback, np.int8),
        )
