"""Scheduling (ccsim.engine.clock): the calendar's timers run at their own times, in order, and are
dropped only when they could change nothing; and the engine's shortcuts (the calendar, first
contacts' tolerance listed up front, one overflow timer for all queues, the priority router's
rank deques) give exactly the records of plain per-contact timers and a router that compares
every queue's head."""

from __future__ import annotations

import dataclasses
from typing import Any
from unittest import mock

import numpy as np
import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from test_multichannel import centres

from ccsim.engine import simulation
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.clock import At, Calendar, Clock, at_time, run_until
from ccsim.engine.core import Core
from ccsim.engine.journey import Journeys
from ccsim.engine.rng import RandomStreams
from ccsim.engine.routing import ELSEWHERE, WAITING, FifoRouter, SkillsPriorityRouter
from ccsim.engine.simulation import Simulation, simulate
from ccsim.model.centre import Centre
from ccsim.model.records import ContactRecords


def calendar(interval_s: float, n: int, state: bytearray | None = None):
    env = Clock()
    log: list[tuple[float, Any]] = []
    cal = Calendar(
        env,
        interval_s,
        n,
        lambda k: log.append((env.now, ("interval", k))),
        state or bytearray(),
        0,
    )
    cal.start()
    return env, cal, log


def test_timers_run_at_their_own_times_in_order():
    env, cal, log = calendar(10.0, 5, bytearray(3))
    fire = lambda event: log.append((env.now, event.value))  # noqa: E731
    rng = np.random.default_rng(3)
    times = rng.uniform(0.0, 60.0, 200).tolist() + [25.0, 25.0, 49.99999999999999]
    # Set at time 0 (interval 0), some at once, most parked for later intervals.
    for n, t in enumerate(times):
        cal.at(t, n, (fire,))
    run_until(env, 50.0)
    fired = [(t, v) for t, v in log if not isinstance(v, tuple)]
    expected = sorted((t, n) for n, t in enumerate(times) if t < 50.0)
    assert fired == expected  # exact times; ties (25.0) in the order they were set
    # Each interval starts with its tick, before any timer of that interval.
    ticks = [(t, v[1]) for t, v in log if isinstance(v, tuple)]
    assert ticks == [(0.0, 0), (10.0, 1), (20.0, 2), (30.0, 3), (40.0, 4)]
    for t, v in log:
        if not isinstance(v, tuple):
            k = int(t // 10.0)
            assert log.index((k * 10.0, ("interval", k))) < log.index((t, v))


def test_simpy_runs_at_events_as_its_own():
    """An At is not a simpy.Event (two slots, no __dict__), but SimPy's own loop runs it next to
    its own events, in time order and ties in the order they were scheduled; a Clock's ``now``
    is SimPy's time."""
    env = Clock()
    log: list[tuple[float, Any]] = []
    fire = lambda event: log.append((env.now, event.value))  # noqa: E731
    At(env, 2.0, "at 2", (fire,))
    env.timeout(1.0, "simpy 1").callbacks.append(fire)
    at_time(env, 1.0, "at 1", (fire,))
    env.timeout(3.0, "simpy 3").callbacks.append(fire)
    env.run(until=2.5)
    assert log == [(1.0, "simpy 1"), (1.0, "at 1"), (2.0, "at 2")]
    assert env.now == 2.5 and simpy.Environment.now.fget(env) == 2.5  # type: ignore[attr-defined]
    assert not hasattr(At(env, 0.0, None, (fire,)), "__dict__")


def test_timers_set_later_and_beyond_the_horizon():
    env, cal, log = calendar(10.0, 3)
    fire = lambda event: log.append((env.now, event.value))  # noqa: E731

    def later(event: At) -> None:  # at 15: one timer in this interval, one in the next
        cal.at(17.0, "same interval", (fire,))
        cal.at(29.5, "next interval", (fire,))
        cal.at(30.0, "at the horizon", (fire,))
        cal.at(1e9, "far beyond", (fire,))

    at_time(env, 15.0, None, (later,))
    run_until(env, 30.0)
    assert [(t, v) for t, v in log if isinstance(v, str)] == [
        (17.0, "same interval"),
        (29.5, "next interval"),
    ]


def test_timers_of_contacts_no_longer_waiting_are_dropped():
    state = bytearray(4)  # contacts 0-3, all waiting
    env, cal, log = calendar(10.0, 4, state)
    fire = lambda event: log.append((env.now, event.value))  # noqa: E731
    for i in range(4):
        cal.at(25.0 + i, i, (fire,), waiting=i)
    cal.at(26.5, "plain", (fire,))

    def answer(event: At) -> None:
        state[event.value] = 2  # answered: its timer would do nothing

    at_time(env, 5.0, 0, (answer,))  # before its interval starts: the timer is dropped
    at_time(env, 22.0, 1, (answer,))  # after it reached the heap: it fires (and would do nothing)
    run_until(env, 40.0)
    assert [v for _, v in log if not isinstance(v, tuple)] == [1, "plain", 2, 3]


def test_rounding_never_parks_a_timer_in_a_started_interval():
    """k * interval_s may round below t while t // interval_s rounds down to k - 1."""
    dt = 0.1
    k = next(k for k in range(1, 10_000) if int(((k * dt) // dt)) < k)
    env, cal, log = calendar(dt, k + 2)
    t = k * dt
    fire = lambda event: log.append((env.now, event.value))  # noqa: E731

    def set_it(event: At) -> None:
        assert cal.window_end == t and int(t // dt) == k - 1
        cal.at(t, "edge", (fire,))

    at_time(env, (k - 1) * dt + dt / 2, None, (set_it,))
    run_until(env, (k + 2) * dt)
    assert [(tt, v) for tt, v in log if v == "edge"] == [(t, "edge")]


def test_numpy_floor_divide_is_pythons_on_floats():
    """The engine lists first contacts' tolerance per interval with numpy's floor_divide; the
    calendar parks a timer by Python's ``t // interval_s``: the two must agree to the last bit,
    at interval edges too (k * dt that rounds below k, as in the test above)."""
    rng = np.random.default_rng(5)
    for dt in (0.1, 900.0, 1800.0, 3600.0, 1 / 3):
        t = np.concatenate([rng.uniform(0, 1e6, 5000), np.arange(1, 5000) * dt])
        t = np.concatenate([t, np.nextafter(t, 0), np.nextafter(t, np.inf)])
        assert np.floor_divide(t, dt).tolist() == [x // dt for x in t.tolist()]


# ------------------------------------------------------------------ the engine's shortcuts


class PlainCalendar(Calendar):
    """Every timer straight onto SimPy's heap, none parked for a later interval."""

    def at(self, t: float, value: Any, callbacks: Any, waiting: int = -1) -> None:
        at_time(self.env, t, value, callbacks)

    def at_interval(self, t: float, k: int, value: Any, callbacks: Any, waiting: int = -1) -> None:
        at_time(self.env, t, value, callbacks)


class PlainCore(Core):
    """One overflow timer per queued contact, not one watch for all."""

    __slots__ = ()

    def watch_overflow(self, i: int, key: int) -> None:
        At(self.env, self.overflow_s, i, (self._contact_overflow,))

    def _contact_overflow(self, event: At) -> None:
        i = event.value
        if self.state[i] == WAITING:
            self.overflow(i, self.channel[i] * self.n_intents + self.intent[i], self.env.now)


def plain_timers(centre: Centre, customers: Any, streams: RandomStreams) -> ContactRecords:
    """The engine without its shortcuts: every timer straight onto SimPy's heap, one overflow
    timer per queued contact, first contacts' async tolerance set as each queues (not listed
    per interval up front)."""
    with (
        mock.patch.object(simulation, "Calendar", PlainCalendar),
        mock.patch.object(simulation, "Core", PlainCore),
    ):
        sim = Simulation(centre, customers, streams)
    assert type(sim.core) is PlainCore and type(sim.calendar) is PlainCalendar
    journeys = next(c for c in sim.components if isinstance(c, Journeys))
    sim.core.tolerance_on_queue[:] = [True] * len(sim.core.tolerance_on_queue)
    journeys.tolerance_due[:] = [[] for _ in journeys.tolerance_due]
    try:
        return sim.run()
    finally:
        sim.close()


class ScanPriorityRouter(FifoRouter):
    """Priority routing without its rank deques: a free agent compares the heads of every
    per-key queue it serves by rank, then by the time each contact joined (as before)."""

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self._rank = []
        for queues in view.pool_queues:
            ranks = sorted({rank for _, _, rank in queues}, reverse=True)
            self._rank.append([ranks.index(rank) for _, _, rank in queues])

    def contact_for(self, agent: int, open_channel: int | None) -> int:
        p = self.agent_pool[agent]
        best_q, best_key, best_t, best_rank = None, -1, float("inf"), 1 << 30
        skip = self.deferred_keys[p] if len(self.idle[p]) < self.deferred_min_idle[p] else ()
        for (q, key), rank in zip(self._entries[p], self._rank[p], strict=True):
            if rank > best_rank:
                break  # sorted by rank: nothing better below
            if key in skip:
                continue
            while q and self.state[q[0]] != WAITING:
                q.popleft()
            if q and self.arrival[q[0]] < best_t:
                best_q, best_key, best_t, best_rank = q, key, self.arrival[q[0]], rank
        if best_q is None:
            return -1
        if open_channel is not None and best_key // self.n_intents != open_channel:
            return ELSEWHERE
        return best_q.popleft()


def assert_same_records(centre: Centre, seed: int) -> ContactRecords:
    """The engine as it runs, and with plain timers and the plain priority router."""
    runs = []
    plain_centre = (
        dataclasses.replace(centre, router=ScanPriorityRouter)
        if centre.router in (None, SkillsPriorityRouter)
        else centre
    )
    for engine in (None, plain_timers):
        streams = RandomStreams(seed)
        if engine is None:
            runs.append(simulate(centre, sample_customers(centre, streams), streams))
        else:
            customers = sample_customers(plain_centre, streams)
            runs.append(engine(plain_centre, customers, streams))
    fast, plain = runs
    for f in dataclasses.fields(ContactRecords):
        a, b = getattr(fast, f.name), getattr(plain, f.name)
        if isinstance(a, np.ndarray):
            assert a.tobytes() == b.tobytes(), f.name
    return fast


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=centres())
def test_shortcuts_change_no_record_on_random_centres(case):
    centre, seed = case
    assert_same_records(centre, seed)


@pytest.mark.parametrize(
    "strategies", [[], ["chatbot", "callbacks", "context", "fcr", "workload_shifting"]]
)
def test_shortcuts_change_no_record_on_the_default_week(strategies):
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    from ccsim.config.schema import register_configs
    from ccsim.runs.job import validate_config

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_module(config_module="ccsim.conf", version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=[
                "scenario=default_week",
                "centre.horizon_days=3",
                f"strategy=[{','.join(strategies)}]",
            ],
        )
    GlobalHydra.instance().clear()
    rec = assert_same_records(validate_config(cfg).centre, 4)
    assert len(rec) > 10_000
