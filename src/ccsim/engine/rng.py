"""Seeded random-number streams, one per purpose.

Each purpose (arrivals, handle times, patience, ...) has its own ``numpy.random.Generator``
derived from the run seed, the replication number and a stable hash of the purpose's name.
A customer's attributes are the i-th draws of their purposes' streams, so a strategy that
changes what happens to customers never changes the random numbers other customers see:
this is what makes paired comparisons with common random numbers work.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["RandomStreams", "stream_key"]


def stream_key(name: str) -> int:
    """Stable (process- and platform-independent) integer for a stream name."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """A family of independent generators for one replication of one run."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0:
            raise ValueError(f"seed={seed!r}: must be a non-negative integer")
        self.seed = int(seed)
        self.replication = int(replication)

    def stream(self, purpose: str) -> np.random.Generator:
        """A fresh generator for ``purpose``; the same name always gives the same stream."""
        seq = np.random.SeedSequence(
            entropy=self.seed, spawn_key=(self.replication, stream_key(purpose))
        )
        return np.random.Generator(np.random.PCG64(seq))
