"""The routing extension point: a user's router sees only the RouterView protocol."""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pytest
from user_router import UserFifoRouter

from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.routing import FifoRouter, Router, RouterView, RoutingState, resolve_router
from ccsim.engine.simulation import Simulation, simulate
from ccsim.model.records import ContactRecords, Outcome
from ccsim.runs.job import validate_config


def _records(centre, seed: int) -> ContactRecords:
    streams = RandomStreams(seed)
    return simulate(centre, sample_customers(centre, streams), streams)


def test_the_engines_view_is_exactly_the_protocol():
    """RoutingState holds what RouterView promises, nothing more: a router written against the
    protocol cannot come to depend on anything else the engine has."""
    promised = {name for name, value in vars(RouterView).items() if isinstance(value, property)}
    assert promised == {f.name for f in dataclasses.fields(RoutingState)}
    assert len(promised) == 14
    assert "__slots__" in vars(RoutingState)
    hints = typing.get_type_hints(Router.__init__)
    assert hints["view"] is RouterView


@pytest.mark.parametrize(
    "preset, overrides",
    [
        ("small_centre", []),
        ("default_week", ["centre.horizon_days=2", "strategy=[workload_shifting,callbacks]"]),
    ],
)
def test_a_user_router_reimplementing_fifo_gives_fifos_records(compose_cfg, preset, overrides):
    centre = validate_config(compose_cfg(f"scenario={preset}", *overrides)).centre
    fifo = _records(dataclasses.replace(centre, router=FifoRouter), 7)
    user_centre = dataclasses.replace(centre, router=UserFifoRouter)
    streams = RandomStreams(7)
    sim = Simulation(user_centre, sample_customers(user_centre, streams), streams)
    router = sim.router
    try:
        mine = sim.run()
    finally:
        sim.close()
    assert isinstance(router, UserFifoRouter) and router.taken > 1000
    for f in dataclasses.fields(ContactRecords):
        a, b = getattr(fifo, f.name), getattr(mine, f.name)
        if isinstance(a, np.ndarray):
            assert a.tobytes() == b.tobytes(), f.name
    answered = np.isin(mine.outcome, [int(Outcome.HANDLED), int(Outcome.IN_SERVICE)])
    assert answered.sum() > 0.5 * len(mine)


def test_a_user_router_is_chosen_by_its_import_path():
    assert resolve_router("user_router:UserFifoRouter") is UserFifoRouter
    with pytest.raises(ValueError, match="not a subclass"):
        resolve_router("user_router:deque")
