"""The random numbers a run reads as it goes: buffered plain streams, and uniforms keyed by
customer so that paired runs (common random numbers) give each customer the same fate."""

from __future__ import annotations

from typing import Any

import numpy as np

from ccsim.engine.rng import RandomStreams

__all__ = [
    "PlainDraws",
    "uniform",
    "CustomerDraws",
    "KeyedUniform",
    "SLOTS",
    "ROWS",
    "U_RETRY",
    "U_SWITCH",
    "U_RESOLVE",
    "U_CONTEXT",
    "U_BOT_CONTAIN",
    "U_BOT_CONTEXT",
    "U_BOT_SWITCH",
    "U_CALLBACK",
    "U_RETRY_DELAY",
    "U_REPEAT_DELAY",
    "U_SESSION",
    "U_HANDLE",
    "U_PATIENCE",
]

# Plain streams refill by this many: they serve only rare draws (a customer's third follow-up
# and later), and a large chunk per stream and channel would cost more than the draws used.
DRAW_CHUNK = 256


def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n)


class PlainDraws:
    """Buffered draws from one stream: the k-th call always returns the k-th draw.

    ``sample(rng, n)`` draws n values from the one generator ``rng``, kept for the whole run
    (a generator made per refill would repeat the same chunk over and over).
    """

    __slots__ = ("_rng", "_sample", "_buf", "_pos")

    def __init__(self, rng: np.random.Generator, sample: Any) -> None:
        self._rng = rng
        self._sample = sample
        self._buf: list[float] = []
        self._pos = 0

    def __call__(self) -> float:
        if self._pos == len(self._buf):
            self._buf = self._sample(self._rng, DRAW_CHUNK).tolist()
            self._pos = 0
        v = self._buf[self._pos]
        self._pos += 1
        return v


# A contact's keyed uniforms (see CustomerDraws), by purpose: decisions, then durations.
U_RETRY, U_SWITCH, U_RESOLVE, U_CONTEXT, U_BOT_CONTAIN, U_BOT_CONTEXT, U_BOT_SWITCH = range(7)
U_CALLBACK = 7
U_RETRY_DELAY, U_REPEAT_DELAY, U_SESSION, U_HANDLE, U_PATIENCE = range(8, 13)
SLOTS = 2  # follow-ups per customer with keyed draws; later ones draw from plain streams
ROWS = SLOTS + 1  # keyed values per customer for each contact: the first and SLOTS follow-ups
# Handle time and patience are keyed for follow-ups only (a first contact's come with it).
FOLLOW_UP_ONLY = (U_HANDLE, U_PATIENCE)


class _OnFirstUse(dict):  # type: ignore[type-arg]
    """A dict that makes a missing value with ``make(key)`` and keeps it."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self._make(key)
        return value


class CustomerDraws:
    """Random numbers keyed by customer, not by the order in which events happen.

    Contact k of a customer (k = 0: the first; k = 1, 2, ...: follow-ups in the order they are
    created) reads row [customer, k] of arrays drawn once per run: its retry decision, the
    channel and delay of its follow-up, its own handle time, patience and resolution, its bot
    session's outcome and its callback decision. Two runs on the same seed then give each
    customer the same fate wherever a strategy does not change it, so common random numbers stay
    in step; with draws taken in event order, one changed abandonment would shift every later
    draw of every customer. A customer's follow-ups beyond ``SLOTS`` draw from plain streams.

    Every keyed value is a uniform. A duration (follow-up delay, handle time, patience, bot
    session) is its distribution's inverse CDF at that uniform
    (``Distribution.quantile_function``), computed only when a contact needs it: one uniform
    serves whichever channel a follow-up lands on, where drawing every channel's durations for
    every customer would draw many times what is read. Inverse transform is also the usual
    choice for common random numbers: a larger uniform always gives a longer duration, in every
    paired run.

    Each purpose has its own stream and its array is drawn on first use, so a run pays only for
    what its behaviour and strategies need, and adding a strategy never changes other draws.

    The uniforms are float32 (multiples of 2**-24 in [0, 1)): a run draws many more than it
    reads, scattered over days, and half the bytes halve both the drawing and the cache misses
    of those reads. The resolution is far below any probability a decision compares with; the
    longest exponential duration it gives is 16.6 means, a tail of probability 6e-8.
    """

    def __init__(self, n_base: int, streams: RandomStreams) -> None:
        self._n = n_base
        self._streams = streams
        # u[purpose][customer * rows + k], rows = SLOTS for FOLLOW_UP_ONLY purposes (k - 1 for
        # the k-th follow-up) and ROWS for the others: flat, customer-major, drawn on first use.
        # Read through a memoryview of numpy's buffer: no copy, and indexing it costs what an
        # array('f') does (a numpy scalar read costs more).
        self.u = _OnFirstUse(self._draw)

    def _draw(self, purpose: int) -> memoryview:
        rows = SLOTS if purpose in FOLLOW_UP_ONLY else ROWS
        rng = self._streams.stream(f"customer_draws/u/{purpose}")
        values: Any = rng.random(self._n * rows, dtype=np.float32)  # a buffer (stubs say no)
        return memoryview(values)


class KeyedUniform:
    """A contact's keyed uniform for one purpose: ``uniform(i, purpose)``.

    Contacts with a keyed row (``slot[i] <= SLOTS``) read it; later follow-ups share one plain
    stream (``plain``), drawn in event order."""

    __slots__ = ("_u", "_slot", "_customer", "_plain")

    def __init__(self, keyed: CustomerDraws | None, slot: Any, customer: Any, plain: Any) -> None:
        self._u = None if keyed is None else keyed.u
        self._slot, self._customer, self._plain = slot, customer, plain

    def uniform(self, i: int, purpose: int) -> float:
        k = self._slot[i]
        if k <= SLOTS:
            return self._u[purpose][self._customer[i] * ROWS + k]  # type: ignore[index]
        return self._plain()
