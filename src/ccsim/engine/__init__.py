"""The simulation engine: customers drawn up front, then one SimPy run per replication."""

from __future__ import annotations

from ccsim.engine.arrivals import Customers, sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate

__all__ = ["Customers", "RandomStreams", "sample_customers", "simulate"]
